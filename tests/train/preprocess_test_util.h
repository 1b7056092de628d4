// Shared by the preprocessing tests: datasets in memory, a datasets cache of the test's own (so
// that no map cache file lands in the user's), and the checks that a result is served from a
// memory-mapped cache file.
#pragma once
#include <arrow/api.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "afinar/data/dataset.h"
#include "afinar/data/map.h"

namespace afinar::testing {

/// HF_DATASETS_CACHE pointed at a fresh folder for the scope (removed after, the old value restored).
struct ScopedDatasetsCache {
  std::filesystem::path path;
  std::optional<std::string> old;
  ScopedDatasetsCache() {
    static std::atomic<int> n{0};
    path = std::filesystem::temp_directory_path() /
           ("afinar_preprocess_cache_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    std::filesystem::remove_all(path);
    if (const char* v = std::getenv("HF_DATASETS_CACHE")) old = v;
    ::setenv("HF_DATASETS_CACHE", path.c_str(), 1);
  }
  ~ScopedDatasetsCache() {
    if (old)
      ::setenv("HF_DATASETS_CACHE", old->c_str(), 1);
    else
      ::unsetenv("HF_DATASETS_CACHE");
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::vector<CacheFile> map_files() const { return list_cache_files(path / "map"); }
};

/// A dataset in memory with one string column (map caches nothing for it, as HF).
inline Dataset text_dataset(const std::vector<std::string>& texts, const std::string& column = "text") {
  arrow::StringBuilder b;
  for (const auto& t : texts) EXPECT_TRUE(b.Append(t).ok());
  std::shared_ptr<arrow::Array> a;
  EXPECT_TRUE(b.Finish(&a).ok());
  return Dataset(arrow::Table::Make(arrow::schema({arrow::field(column, arrow::utf8())}), {a}));
}

inline ino_t inode_of(const std::filesystem::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_ino;
}

/// `second` is `first`'s cache file read again: the same file (not rewritten: same inode), its
/// buffers memory-mapped (immutable), one file in the cache.
inline void expect_served_from_cache(const Dataset& first, const Dataset& second, const ScopedDatasetsCache& cache) {
  const auto files = cache.map_files();
  ASSERT_FALSE(files.empty());
  EXPECT_EQ(second.origin(), first.origin());
  EXPECT_TRUE(std::filesystem::is_regular_file(second.origin())) << second.origin();
  EXPECT_EQ(second.fingerprint(), first.fingerprint());
  const auto& chunk = second.table()->column(0)->chunk(0);
  for (const auto& buf : chunk->data()->buffers)
    if (buf) {
      EXPECT_FALSE(buf->is_mutable()) << "a buffer of " << second.origin() << " is not memory-mapped";
    }
}

}  // namespace afinar::testing
