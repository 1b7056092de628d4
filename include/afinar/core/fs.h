/// File helpers: whole-file reads with clear errors, and atomic writes.
///
/// Atomic writes never leave a half-written file: data goes to `<path>.tmp.<pid>`, is fsync'ed and
/// renamed over `path`. `AtomicDir` does the same for a whole output folder.
///
///   afinar::write_file_atomic("out/config.json", json.dump(2));
#pragma once
#include <filesystem>
#include <string>
#include <string_view>

namespace afinar {

namespace fs = std::filesystem;

/// Reads a whole file; throws FormatError naming the path when it is missing or unreadable.
std::string read_file(const fs::path& path);

/// Writes `data` to `path` through a temp file + fsync + rename.
void write_file_atomic(const fs::path& path, std::string_view data);

/// fsyncs a file or folder (folder: makes a rename durable).
void fsync_path(const fs::path& path);

/// A folder built under a temporary name and renamed into place by commit().
/// If commit() is never called (an exception), the temporary folder is removed.
class AtomicDir {
 public:
  explicit AtomicDir(fs::path final_path);
  ~AtomicDir();
  AtomicDir(const AtomicDir&) = delete;
  AtomicDir& operator=(const AtomicDir&) = delete;
  const fs::path& path() const { return tmp_; }  ///< where to write the contents
  void commit();                                 ///< replaces final_path with the contents

 private:
  fs::path final_, tmp_;
  bool committed_ = false;
};

}  // namespace afinar
