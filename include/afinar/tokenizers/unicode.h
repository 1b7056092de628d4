/// Unicode helpers shared by the tokenizer stages: UTF-8 decoding and the character classes
/// that Hugging Face tokenizers uses (Rust's `char::is_whitespace`, general categories, the
/// BERT "Chinese character" blocks).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace afinar::tokenizers {

/// Decodes the code point at `s[i]` of valid UTF-8 and advances `i` past it.
inline char32_t next_char(std::string_view s, size_t& i) {
  auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) {
    ++i;
    return b;
  }
  auto cont = [&](size_t k) { return static_cast<char32_t>(static_cast<unsigned char>(s[i + k]) & 0x3F); };
  char32_t c;
  if (b < 0xE0) {
    c = (static_cast<char32_t>(b & 0x1F) << 6) | cont(1);
    i += 2;
  } else if (b < 0xF0) {
    c = (static_cast<char32_t>(b & 0x0F) << 12) | (cont(1) << 6) | cont(2);
    i += 3;
  } else {
    c = (static_cast<char32_t>(b & 0x07) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3);
    i += 4;
  }
  return c;
}

/// Bytes of `c` in UTF-8.
inline uint32_t utf8_len(char32_t c) { return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4; }

/// Appends `c` as UTF-8; returns the number of bytes written.
uint32_t append_utf8(char32_t c, char* out);

/// Byte offset of the first invalid UTF-8 sequence (overlongs and surrogates included), or npos.
size_t find_invalid_utf8(std::string_view s);

/// Whether all bytes are ASCII (offsets in bytes then equal offsets in characters).
bool is_ascii(std::string_view s);

// The character classes below answer ASCII inline (every character of most text, asked once
// per character by the normalizers and pre-tokenizers) and look the rest up out of line.
bool is_whitespace_non_ascii(char32_t c);
bool is_control_non_ascii(char32_t c);
bool is_punctuation_non_ascii(char32_t c);

/// Rust's char::is_whitespace (the Unicode White_Space property).
inline bool is_whitespace(char32_t c) {
  if (c < 0x80) return c == ' ' || (c >= 0x09 && c <= 0x0D);
  return is_whitespace_non_ascii(c);
}
/// HF's BERT `is_control`: general category C* (Cc, Cf, Cs, Co, Cn) except \t \n \r.
inline bool is_control(char32_t c) {
  if (c < 0x80) return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F;
  return is_control_non_ascii(c);
}
/// ASCII punctuation or Unicode general category P*.
inline bool is_punctuation(char32_t c) {
  if (c < 0x80) return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
  return is_punctuation_non_ascii(c);
}
/// The CJK blocks BERT pads with spaces (HF tokenizers' list, quirks included).
bool is_chinese_char(char32_t c);
/// General category M* (what NFD-based accent stripping removes).
bool is_combining_mark(char32_t c);
/// Rust's \w: letters, marks, decimal digits, connector punctuation, joiners.
bool is_word_char(char32_t c);

/// General category L* (regex \p{L}).
bool is_letter(char32_t c);
/// General category N* (regex \p{N}, Rust's char::is_numeric).
bool is_numeric(char32_t c);

/// Rust's char::to_lowercase: writes 1 or 2 code points to `out`, returns the count.
int to_lowercase(char32_t c, char32_t out[2]);

}  // namespace afinar::tokenizers
