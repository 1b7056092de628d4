#include "afinar/tokenizers/pre_tokenizers/whitespace.h"

namespace afinar::tokenizers {

// `\w+|[^\w\s]+`: runs of word characters and runs of other non-space characters.
void Whitespace::pre_tokenize(PreTokenizedString& s) const {
  s.split([](std::string_view word, auto push) {
    enum { kNone, kWord, kOther } run = kNone;
    uint32_t start = 0;
    size_t i = 0;
    while (i < word.size()) {
      auto b = static_cast<uint32_t>(i);
      char32_t c = next_char(word, i);
      auto kind = is_whitespace(c) ? kNone : is_word_char(c) ? kWord : kOther;
      if (kind != run) {
        if (run != kNone) push(start, b);
        start = b;
        run = kind;
      }
    }
    if (run != kNone) push(start, static_cast<uint32_t>(word.size()));
  });
}

void WhitespaceSplit::pre_tokenize(PreTokenizedString& s) const {
  s.split([](std::string_view word, auto push) {
    uint32_t start = 0;
    size_t i = 0;
    while (i < word.size()) {
      auto b = static_cast<uint32_t>(i);
      if (is_whitespace(next_char(word, i))) {
        push(start, b);
        start = static_cast<uint32_t>(i);
      }
    }
    push(start, static_cast<uint32_t>(word.size()));
  });
}

}  // namespace afinar::tokenizers
