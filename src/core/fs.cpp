#include "afinar/core/fs.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "afinar/core/check.h"

namespace afinar {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  AFINAR_CHECK_FORMAT(in.good(), path.string(), ": cannot open file (",
                      fs::exists(path) ? "unreadable" : "no such file", ")");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void fsync_path(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return;  // best effort: some filesystems refuse to open folders
  ::fsync(fd);
  ::close(fd);
}

void write_file_atomic(const fs::path& path, std::string_view data) {
  fs::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  AFINAR_CHECK_FORMAT(fd >= 0, tmp.string(), ": cannot create file: ", std::strerror(errno));
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw FormatError(detail::concat(tmp.string(), ": write failed: ", std::strerror(err)));
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  fs::rename(tmp, path);
  fsync_path(path.parent_path().empty() ? fs::path(".") : path.parent_path());
}

AtomicDir::AtomicDir(fs::path final_path) : final_(std::move(final_path)) {
  tmp_ = final_;
  tmp_ += ".tmp." + std::to_string(::getpid());
  fs::remove_all(tmp_);
  fs::create_directories(tmp_);
}

AtomicDir::~AtomicDir() {
  if (!committed_) {
    std::error_code ec;
    fs::remove_all(tmp_, ec);
  }
}

void AtomicDir::commit() {
  fsync_path(tmp_);
  // A folder cannot be renamed over a non-empty one: move the old one aside first.
  fs::path old = final_;
  old += ".old." + std::to_string(::getpid());
  bool had_old = fs::exists(final_);
  if (had_old) fs::rename(final_, old);
  fs::rename(tmp_, final_);
  committed_ = true;
  if (had_old) fs::remove_all(old);
  fsync_path(final_.parent_path().empty() ? fs::path(".") : final_.parent_path());
}

}  // namespace afinar
