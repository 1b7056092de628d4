#include "afinar/tokenizers/byte_level.h"
#include "afinar/tokenizers/decoders/decoders.h"
#include "afinar/tokenizers/unicode.h"

namespace afinar::tokenizers {

std::string utf8_lossy(std::string_view s) {
  if (find_invalid_utf8(s) == std::string_view::npos) return std::string(s);
  std::string out;
  out.reserve(s.size() + 8);
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  size_t i = 0;
  while (i < s.size()) {
    unsigned char b = byte(i);
    size_t need = b < 0x80 ? 0 : (b >= 0xC2 && b <= 0xDF) ? 1 : (b >= 0xE0 && b <= 0xEF) ? 2 : (b >= 0xF0 && b <= 0xF4) ? 3 : 99;
    if (need == 0) {
      out.push_back(static_cast<char>(b));
      ++i;
      continue;
    }
    if (need == 99) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    // Valid range of the second byte depends on the first (no overlongs, surrogates, > U+10FFFF).
    unsigned char lo = 0x80, hi = 0xBF;
    if (b == 0xE0) lo = 0xA0;
    if (b == 0xED) hi = 0x9F;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F;
    size_t k = 1;
    for (; k <= need && i + k < s.size(); ++k) {
      unsigned char c = byte(i + k);
      if (k == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xBF)) break;
    }
    if (k == need + 1) {
      out.append(s, i, need + 1);
      i += need + 1;
    } else {
      out += "\xEF\xBF\xBD";  // the maximal prefix of a valid sequence, as one replacement
      i += k;
    }
  }
  return out;
}

std::vector<std::string> ByteLevelDecoder::decode_chain(std::vector<std::string> tokens) const {
  std::string bytes;
  for (const auto& t : tokens) {
    size_t start = bytes.size();
    bool ok = true;
    for (size_t i = 0; i < t.size();) {
      int b = char_to_byte(next_char(t, i));
      if (b < 0) {
        ok = false;
        break;
      }
      bytes.push_back(static_cast<char>(b));
    }
    if (!ok) {  // a token with other chars (an added token) goes in as it is
      bytes.resize(start);
      bytes += t;
    }
  }
  return {utf8_lossy(bytes)};
}

}  // namespace afinar::tokenizers
