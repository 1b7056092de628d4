#include "afinar/tokenizers/byte_level.h"

#include <array>
#include <string>

#include "afinar/tokenizers/unicode.h"

namespace afinar::tokenizers {

namespace {

struct Table {
  std::array<char32_t, 256> chars{};
  std::array<std::string, 256> utf8;
  std::array<int16_t, 512> bytes{};  // every mapped char is below U+0200
  Table() {
    bytes.fill(-1);
    // Printable Latin-1 bytes stand for themselves; the others take U+0100 onwards in order.
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      chars[b] = printable ? static_cast<char32_t>(b) : next++;
      char buf[4];
      utf8[b].assign(buf, append_utf8(chars[b], buf));
      bytes[chars[b]] = static_cast<int16_t>(b);
    }
  }
};

const Table& table() {
  static const Table t;
  return t;
}

}  // namespace

std::string_view byte_to_char_utf8(uint8_t b) { return table().utf8[b]; }
char32_t byte_to_char(uint8_t b) { return table().chars[b]; }
int char_to_byte(char32_t c) { return c < 512 ? table().bytes[c] : -1; }

}  // namespace afinar::tokenizers
