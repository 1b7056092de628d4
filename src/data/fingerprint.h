// Dataset fingerprints (16 hex digits), as HF's: random for data built in memory, a hash of the
// files for data read from disk, and for a transform a hash of its input's fingerprint, its
// declared name and its arguments — never of a closure.
#pragma once
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "afinar/hub/sha256.h"

namespace afinar::data {

/// A random fingerprint starts with 'x' (never a hex digit): data built in memory, and every
/// dataset derived from it, is marked so, and map() does not cache it (as HF, which disables the
/// cache for in-memory datasets: a new random key each run would only fill the disk).
inline bool is_in_memory_fingerprint(std::string_view fp) {
  return !fp.empty() && fp.front() == 'x';
}

/// Hash of the parts, each length-prefixed so that ("ab","c") ≠ ("a","bc"). The first part is
/// the parent's fingerprint by convention; its in-memory mark is carried over.
inline std::string hash_parts(std::initializer_list<std::string_view> parts) {
  hub::Sha256 h;
  for (auto p : parts) {
    const std::string len = std::to_string(p.size()) + ":";
    h.update(len);
    h.update(p);
  }
  std::string out = h.hex_digest().substr(0, 16);
  if (parts.size() > 0 && is_in_memory_fingerprint(*parts.begin())) out[0] = 'x';
  return out;
}

inline std::string random_fingerprint() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* hex = "0123456789abcdef";
  std::string out = "x";
  uint64_t v = rng();
  for (int i = 1; i < 16; ++i, v >>= 4) out += hex[v & 15];
  return out;
}

/// SHA-256 of the first and the last 64 KiB of `file` (all of a smaller one): the kernel's file
/// times tick every few milliseconds, so a file rewritten with the same size at once keeps its
/// mtime; its bytes tell the two versions apart (for small files, wholly).
inline std::string file_sample_hash(const std::filesystem::path& file, uintmax_t size) {
  constexpr uintmax_t kSample = 64 << 10;
  hub::Sha256 h;
  std::ifstream in(file, std::ios::binary);
  std::string buf;
  auto take = [&](uintmax_t offset, uintmax_t n) {
    buf.resize(size_t(n));
    in.seekg(std::streamoff(offset));
    in.read(buf.data(), std::streamsize(n));
    h.update(std::string_view(buf.data(), size_t(in.gcount())));
  };
  if (size <= 2 * kSample) {
    take(0, size);
  } else {
    take(0, kSample);
    take(size - kSample, kSample);
  }
  return h.hex_digest();
}

/// Absolute paths, sizes, modification times and a sample of the bytes of the files.
inline std::string files_fingerprint(const std::vector<std::filesystem::path>& files) {
  std::string key;
  for (const auto& f : files) {
    std::error_code ec;
    auto abs = std::filesystem::absolute(f, ec);
    auto size = std::filesystem::file_size(f, ec);
    auto mtime = std::filesystem::last_write_time(f, ec).time_since_epoch().count();
    key += abs.string() + "|" + std::to_string(size) + "|" + std::to_string(mtime) + "|" +
           (ec ? std::string() : file_sample_hash(f, size)) + "\n";
  }
  return hash_parts({"files", key});
}

/// Bytes of a vector of trivially copyable values, for hashing index lists.
template <typename T>
std::string_view bytes_of(const std::vector<T>& v) {
  return {reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T)};
}

}  // namespace afinar::data
