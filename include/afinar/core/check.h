/// Errors and checks used across afinar.
///
/// The exception type tells the cause (as in CTranslate2):
///   - afinar::InvalidArgument  — the caller's mistake (bad flag, missing column, label out of range)
///   - afinar::FormatError      — a file that is missing, unreadable or malformed (I/O and formats)
///   - afinar::NotImplemented   — a branch afinar does not support yet; never a silent fallback
/// Only `main` catches them, prints `error: <message>` and returns non-zero.
///
///   AFINAR_CHECK(n > 0, "num_labels must be positive, got ", n);
///   AFINAR_CHECK_FORMAT(ok, path, ": header length ", len, " exceeds file size ", size);
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace afinar {

struct InvalidArgument : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};
struct FormatError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct NotImplemented : std::logic_error {
  explicit NotImplemented(const std::string& what) : std::logic_error("not implemented: " + what) {}
};

namespace detail {
template <typename... Args>
std::string concat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}
}  // namespace detail

}  // namespace afinar

/// Throws afinar::InvalidArgument with the concatenated message when `cond` is false.
#define AFINAR_CHECK(cond, ...)                                                  \
  do {                                                                           \
    if (!(cond)) throw ::afinar::InvalidArgument(::afinar::detail::concat(__VA_ARGS__)); \
  } while (0)

/// Throws afinar::FormatError with the concatenated message when `cond` is false.
#define AFINAR_CHECK_FORMAT(cond, ...)                                       \
  do {                                                                       \
    if (!(cond)) throw ::afinar::FormatError(::afinar::detail::concat(__VA_ARGS__)); \
  } while (0)

/// Throws afinar::NotImplemented naming the unsupported feature.
#define AFINAR_NOT_IMPLEMENTED(...) throw ::afinar::NotImplemented(::afinar::detail::concat(__VA_ARGS__))
