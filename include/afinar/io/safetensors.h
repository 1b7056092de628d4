/// safetensors files (https://huggingface.co/docs/safetensors): read and write, as the Python
/// `safetensors` library does.
///
/// Layout: 8-byte little-endian header length N, N bytes of UTF-8 JSON
/// `{"__metadata__": {...}, "<name>": {"dtype": "F32", "shape": [2, 3], "data_offsets": [b, e]}, ...}`
/// (padded with spaces to a multiple of 8), then the data. The reader checks every length, offset
/// and size against the file and throws afinar::FormatError naming the file and the fault; it
/// never reads outside the file.
///
///   afinar::io::TensorMap w = afinar::io::load_safetensors("model.safetensors");
///   afinar::io::save_safetensors("out/model.safetensors", w);   // atomic, {"format": "pt"}
///   afinar::io::save_checkpoint_weights("out", ordered, "200MB");  // model-0000i-of-0000N + index
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace afinar::io {

namespace fs = std::filesystem;

/// name → tensor (CPU, contiguous), ordered by name.
using TensorMap = std::map<std::string, torch::Tensor>;
/// The string → string `__metadata__` of a file.
using Metadata = std::map<std::string, std::string>;

/// Largest header the reader accepts (as the Rust library: 100 MB).
inline constexpr uint64_t kMaxHeaderSize = 100'000'000;

/// Reads all tensors of a file (memory-mapped; each tensor is copied out, so the returned
/// tensors own their memory). `metadata`, when given, receives `__metadata__`.
TensorMap load_safetensors(const fs::path& path, Metadata* metadata = nullptr);

/// Parses safetensors bytes held in memory; `source` names them in error messages.
TensorMap parse_safetensors(std::string_view bytes, const std::string& source,
                            Metadata* metadata = nullptr);

/// The bytes of a safetensors file holding `tensors` (moved to CPU, made contiguous).
std::string serialize_safetensors(const TensorMap& tensors,
                                  const Metadata& metadata = {{"format", "pt"}});

/// Writes `tensors` to `path` atomically (temp file + fsync + rename).
void save_safetensors(const fs::path& path, const TensorMap& tensors,
                      const Metadata& metadata = {{"format", "pt"}});

/// The weights of a checkpoint folder: model.safetensors, or the shards listed by
/// model.safetensors.index.json. Throws FormatError when neither is there.
TensorMap load_checkpoint_weights(const fs::path& folder);

/// A state dict in the order transformers' state_dict() lists it (module registration order):
/// sharding is greedy in this order, so it decides which tensor lands in which shard.
using OrderedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

/// transformers 5's save_pretrained(max_shard_size=...) default ("5GB" up to transformers 4).
inline constexpr const char* kDefaultMaxShardSize = "50GB";

/// huggingface_hub's parse_size_to_int: "<number><unit>", unit one of KB MB GB TB (any case,
/// decimal: 1KB = 1000 bytes), the number a decimal ("1.5GB" = 1500000000, truncated to whole
/// bytes). A bare integer ("1000") is a byte count, as an int max_shard_size in Python.
/// Anything else → InvalidArgument naming the string.
uint64_t parse_size_to_int(const std::string& size);

/// huggingface_hub's split_state_dict_into_shards_factory (what save_pretrained calls): tensors go,
/// in order, into the current shard until the next would push it past `max_shard_size`, which
/// then starts a new shard; a tensor larger than the limit gets a shard of its own (appended at
/// once, before the current one). Tensors sharing storage (tied weights) count once and go to the
/// shard of the first. Sizes are storage bytes (numel × element size for a parameter).
struct StateDictSplit {
  /// shard file name → tensor names, in shard order: model.safetensors when everything fits in
  /// one, else model-00001-of-0000N.safetensors, …
  std::vector<std::pair<std::string, std::vector<std::string>>> filename_to_tensors;
  std::map<std::string, std::string> tensor_to_filename;
  uint64_t total_size = 0;  ///< sum of the bytes of every distinct storage
  bool is_sharded() const { return filename_to_tensors.size() > 1; }
};
StateDictSplit split_state_dict_into_shards(const OrderedTensors& state_dict, uint64_t max_shard_size,
                                            const std::string& filename_pattern = "model{suffix}.safetensors");

/// The weights half of save_pretrained(max_shard_size=...): model.safetensors when they fit in
/// one shard, else the shards + model.safetensors.index.json
/// `{"metadata": {"total_parameters": P, "total_size": B}, "weight_map": {name: shard}}` (keys
/// sorted, indent 2, as transformers writes it; total_parameters only when given). Every file is
/// written atomically (temp + fsync + rename); then weight files of an earlier save that the new
/// one does not list are removed: stale model-*-of-*.safetensors shards (as transformers), and
/// also a stale model.safetensors or index (transformers leaves them; the loader would then read
/// the old model.safetensors first).
void save_checkpoint_weights(const fs::path& folder, const OrderedTensors& state_dict,
                             const std::string& max_shard_size = kDefaultMaxShardSize,
                             std::optional<int64_t> total_parameters = std::nullopt);

/// safetensors dtype name ("F32", "BF16", …) ↔ torch dtype; InvalidArgument/FormatError otherwise.
std::string dtype_name(torch::ScalarType dtype);

}  // namespace afinar::io
