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
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

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

/// safetensors dtype name ("F32", "BF16", …) ↔ torch dtype; InvalidArgument/FormatError otherwise.
std::string dtype_name(torch::ScalarType dtype);

}  // namespace afinar::io
