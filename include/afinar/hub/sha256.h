/// SHA-256 (FIPS 180-4), for Hub blob verification (the etag of an LFS file is its SHA-256) and
/// for dataset fingerprints.
///
///   afinar::hub::Sha256 h; h.update("abc"); std::string hex = h.hex_digest();
#pragma once
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace afinar::hub {

class Sha256 {
 public:
  Sha256();
  void update(std::string_view data);
  void update(const void* data, size_t size);
  /// Finishes the hash; the object must not be updated afterwards.
  std::array<uint8_t, 32> digest();
  std::string hex_digest();

 private:
  void block(const uint8_t* p);             // portable, one block
  void blocks(const uint8_t* p, size_t n);  // n blocks, SHA extensions when the CPU has them
  std::array<uint32_t, 8> h_;
  std::array<uint8_t, 64> buf_{};
  size_t buf_len_ = 0;
  uint64_t total_ = 0;
};

std::string sha256_hex(std::string_view data);
/// The SHA-256 of a file's bytes; throws FormatError naming the file when unreadable.
std::string sha256_file(const std::filesystem::path& file);

}  // namespace afinar::hub
