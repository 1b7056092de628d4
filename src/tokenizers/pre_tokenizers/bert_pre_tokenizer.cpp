#include "afinar/tokenizers/pre_tokenizers/bert_pre_tokenizer.h"

namespace afinar::tokenizers {

void BertPreTokenizer::pre_tokenize(PreTokenizedString& s) const {
  s.split([](std::string_view word, auto push) {
    uint32_t start = 0;
    size_t i = 0;
    while (i < word.size()) {
      auto b = static_cast<uint32_t>(i);
      char32_t c = next_char(word, i);
      auto e = static_cast<uint32_t>(i);
      if (is_whitespace(c)) {
        push(start, b);
        start = e;
      } else if (is_punctuation(c)) {
        push(start, b);
        push(b, e);
        start = e;
      }
    }
    push(start, static_cast<uint32_t>(word.size()));
  });
}

}  // namespace afinar::tokenizers
