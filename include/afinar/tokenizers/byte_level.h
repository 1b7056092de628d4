/// GPT-2's byte ↔ printable-char table (HF's bytes_char / char_bytes), shared by the ByteLevel
/// normalizer, pre-tokenizer and decoder.
#pragma once
#include <cstdint>
#include <string_view>

namespace afinar::tokenizers {

/// The printable char standing for byte `b`, as UTF-8 (1 or 2 bytes).
std::string_view byte_to_char_utf8(uint8_t b);
/// The char's code point.
char32_t byte_to_char(uint8_t b);
/// The byte a char stands for, or -1 when `c` is not one of the 256 chars.
int char_to_byte(char32_t c);

}  // namespace afinar::tokenizers
