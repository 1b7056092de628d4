/// The result of encoding one text (or text pair), as Hugging Face tokenizers' `Encoding`.
///
/// Every vector has one entry per token. Offsets are (start, end) in characters (Unicode code
/// points) of the original input string, as Python `tokenizers` reports them; special tokens
/// get (0, 0). word_ids / sequence_ids use -1 where Python has None.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace afinar {

struct Encoding {
  std::vector<int32_t> ids;
  std::vector<int32_t> type_ids;
  std::vector<std::string> tokens;
  std::vector<std::pair<uint32_t, uint32_t>> offsets;
  std::vector<int32_t> word_ids;      ///< -1 for special tokens and padding
  std::vector<int32_t> sequence_ids;  ///< 0 / 1 for first / second text, -1 for specials
  std::vector<int8_t> special_tokens_mask;
  std::vector<int8_t> attention_mask;
  std::vector<Encoding> overflowing;  ///< filled when truncation keeps the overflow

  size_t size() const { return ids.size(); }
};

}  // namespace afinar
