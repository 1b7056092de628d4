#include "afinar/train/language_modeling.h"

#include <algorithm>
#include <cctype>

#include "afinar/core/check.h"
#include "afinar/tokenizers/tokenizer.h"

namespace afinar {

Examples tokenize_texts(const std::vector<std::string>& texts, const Tokenizer& tok, const LmTokenizeOptions& opt) {
  const std::vector<std::string>* input = &texts;
  std::vector<std::string> kept;
  if (opt.skip_empty_lines) {  // run_mlm: [line for line in lines if len(line) > 0 and not line.isspace()]
    for (const auto& t : texts)
      if (std::any_of(t.begin(), t.end(), [](unsigned char c) { return !std::isspace(c); })) kept.push_back(t);
    input = &kept;
  }
  EncodeOptions eo;
  if (opt.truncate_to) {
    eo.truncation = true;
    eo.max_length = *opt.truncate_to;
  }
  std::vector<Encoding> enc = tok.encode_batch(*input, eo, opt.num_threads);
  Examples f;
  auto& ids = f.sequences["input_ids"];
  auto& mask = f.sequences["attention_mask"];
  auto* types = tok.uses_token_type_ids() ? &f.sequences["token_type_ids"] : nullptr;
  auto* special = opt.special_tokens_mask ? &f.sequences["special_tokens_mask"] : nullptr;
  for (auto& e : enc) {
    ids.push_back(std::move(e.ids));
    mask.emplace_back(e.attention_mask.begin(), e.attention_mask.end());
    if (types) types->push_back(std::move(e.type_ids));
    if (special) special->emplace_back(e.special_tokens_mask.begin(), e.special_tokens_mask.end());
  }
  return f;
}

Examples group_texts(const Examples& tokenized, size_t block_size, bool copy_labels, size_t map_batch_size) {
  AFINAR_CHECK(block_size > 0, "group_texts: block_size must be positive");
  AFINAR_CHECK(map_batch_size > 0, "group_texts: map_batch_size must be positive");
  AFINAR_CHECK(tokenized.sequences.count("input_ids"), "group_texts: the examples have no input_ids");
  const size_t n = tokenized.size();
  Examples out;
  for (const auto& [name, _] : tokenized.sequences) out.sequences[name];
  for (size_t begin = 0; begin < n; begin += map_batch_size) {
    const size_t end = std::min(n, begin + map_batch_size);
    for (const auto& [name, rows] : tokenized.sequences) {
      std::vector<int32_t> concat;
      for (size_t i = begin; i < end; ++i) concat.insert(concat.end(), rows[i].begin(), rows[i].end());
      const size_t total = concat.size() / block_size * block_size;  // the batch's remainder is dropped
      auto& dst = out.sequences[name];
      for (size_t k = 0; k < total; k += block_size)
        dst.emplace_back(concat.begin() + static_cast<std::ptrdiff_t>(k),
                         concat.begin() + static_cast<std::ptrdiff_t>(k + block_size));
    }
  }
  if (copy_labels) out.sequences["labels"] = out.sequences["input_ids"];
  return out;
}

}  // namespace afinar
