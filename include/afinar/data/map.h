/// Dataset::map with a cache keyed on declared transforms, and the cache's listing and cleaning.
///
/// The cache key is the input's fingerprint + MapOptions::transform + transform_key + batch_size
/// + remove_columns — never a hash of the function. The caller declares what the output depends
/// on (for tokenisation: the tokenizer file's SHA-256 and the options), so an unchanged run is
/// served from `cache-<fingerprint>.arrow` and a changed tokenizer is a new file. As HF, data
/// built in memory (and everything derived from it) is mapped in memory, without a cache file.
///
/// The function is called once per batch, in order, one call at a time — on a helper thread,
/// so that the previous batch is written while the next is computed: it must not rely on
/// thread-local state of the caller. A cached result saved whole by save_to_disk is hard-linked.
///
///   afinar::MapOptions o;
///   o.transform = "tokenize";
///   o.transform_key = tokenizer_sha256 + " max_length=128 truncation=1";
///   o.remove_columns = {"text"};
///   auto tok = ds.map([&](const auto& batch) { return encode(batch); }, o);
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "afinar/data/dataset.h"

namespace afinar {

struct MapOptions {
  /// Declared name of the transform ("tokenize"). Empty: no cache (the result stays in memory
  /// with a random fingerprint).
  std::string transform;
  /// Everything else the output depends on (file hashes, options), as one string.
  std::string transform_key;
  /// Rows per call of the function; the last batch may be shorter.
  int64_t batch_size = 1000;
  /// Rows per record batch of the cache file (HF's writer_batch_size): the function's outputs
  /// are gathered until they hold this many rows, then written as one batch. The content does
  /// not depend on it (not part of the key); fewer, larger batches mean fewer Arrow objects
  /// when a file of many rows is read back.
  int64_t writer_batch_size = 1000;
  /// Input columns dropped from the output (before the function's columns are added).
  std::vector<std::string> remove_columns;
  /// Folder of the cache files; empty → datasets_cache_dir() / "map".
  std::filesystem::path cache_dir;
  /// false: recompute and overwrite the cache file.
  bool load_from_cache_file = true;
};

/// HF_DATASETS_CACHE, else $HF_HOME/datasets, else ~/.cache/huggingface/datasets.
std::filesystem::path datasets_cache_dir();

struct CacheFile {
  std::filesystem::path path;
  uintmax_t size = 0;
  std::filesystem::file_time_type modified;
};

/// The map cache files (cache-*.arrow) in `dir`, newest first.
std::vector<CacheFile> list_cache_files(const std::filesystem::path& dir);
/// Their total size in bytes.
uintmax_t cache_size(const std::filesystem::path& dir);
/// Removes every cache file and leftover temp file in `dir`; returns the number removed.
size_t clean_cache(const std::filesystem::path& dir);
/// Removes the oldest cache files until the total is at most `max_bytes`; returns the number removed.
size_t prune_cache(const std::filesystem::path& dir, uintmax_t max_bytes);

}  // namespace afinar
