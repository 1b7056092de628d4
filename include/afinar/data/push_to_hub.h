/// push_to_hub: a Dataset / DatasetDict uploaded to a Hub dataset repo as HF datasets does it —
/// the repo is created if needed, each split is written as contiguous parquet shards
/// data/{split}-{i:05d}-of-{n:05d}.parquet (n = int(nbytes / max_shard_size) + 1), and README.md
/// holds the dataset card whose YAML has `dataset_info` (features, splits, sizes) and `configs`
/// (data_files per split), all in one commit; other files under data/ are deleted in that commit
/// (HF's remove_other_splits). load_dataset(repo_id) reads it back.
///
///   afinar::PushToHubOptions o;
///   o.private_repo = true;
///   dd.push_to_hub("me/my_dataset", o);
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "afinar/data/features.h"

namespace afinar {

struct PushToHubOptions {
  bool private_repo = false;
  std::string token;              ///< "" → $HF_TOKEN
  std::string revision = "main";  ///< a branch; created when it is not main
  /// Bytes of Arrow data per parquet shard (HF's max_shard_size, default "500MB" = 500·10⁶).
  int64_t max_shard_size = 500'000'000;
  std::string commit_message;   ///< "" → "Upload dataset"
  std::string split = "train";  ///< Dataset::push_to_hub only: the split it becomes
  /// HF's embed_external_files: Image/Audio values that only name a local file (bytes null) get
  /// the file's bytes, and every path is cut to its base name, so the Hub copy stands alone.
  bool embed_external_files = true;
};

/// What the dataset card says about one split.
struct SplitCardInfo {
  std::string name;
  int64_t num_bytes = 0;  ///< Arrow bytes of the split
  int64_t num_examples = 0;
  int64_t uploaded_size = 0;  ///< bytes of its parquet shards
};

/// The README.md that HF's push_to_hub writes to an empty repo: YAML front matter with
/// dataset_info (features in HF's YAML form, splits, download_size, dataset_size) and configs
/// (config "default", data_files data/{split}-*), and no body.
std::string dataset_card(const Features& features, const std::vector<SplitCardInfo>& splits);

/// HF's Features._to_yaml_list, as YAML (a block sequence, two-space indents, as PyYAML).
std::string features_yaml(const Features& features);

}  // namespace afinar
