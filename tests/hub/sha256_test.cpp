// SHA-256 against the FIPS 180-4 examples and a file hashed in pieces.
#include "afinar/hub/sha256.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace afinar::hub {
namespace {

TEST(Sha256, KnownVectors) {
  const std::pair<std::string, std::string> cases[] = {
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
  };
  for (const auto& [in, hex] : cases) EXPECT_EQ(sha256_hex(in), hex) << in;
  std::string million(1000000, 'a');
  EXPECT_EQ(sha256_hex(million), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  Sha256 pieces;
  for (size_t i = 0; i < million.size(); i += 997) pieces.update(std::string_view(million).substr(i, 997));
  EXPECT_EQ(pieces.hex_digest(), sha256_hex(million));
  // Varied bytes (not one repeated block), whole and in uneven pieces: the SHA-extension path
  // and the portable one must both give hashlib's value.
  std::string varied(100003, '\0');
  for (size_t i = 0; i < varied.size(); ++i) varied[i] = char((i * 37 + 11) % 256);
  EXPECT_EQ(sha256_hex(varied), "00ca5c898aa6274ebdf3ff2c75522347f76835889e81de8bab1dcbc2a1bea3c4");
  Sha256 uneven;
  for (size_t i = 0, step = 1; i < varied.size(); i += step, step = step * 7 % 191 + 1)
    uneven.update(std::string_view(varied).substr(i, step));
  EXPECT_EQ(uneven.hex_digest(), "00ca5c898aa6274ebdf3ff2c75522347f76835889e81de8bab1dcbc2a1bea3c4");
  auto file = std::filesystem::temp_directory_path() / ("afinar_sha_" + std::to_string(::getpid()));
  std::ofstream(file) << "abc";
  EXPECT_EQ(sha256_file(file), cases[1].second);
  std::filesystem::remove(file);
}

}  // namespace
}  // namespace afinar::hub
