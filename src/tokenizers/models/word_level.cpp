#include "afinar/tokenizers/models/word_level.h"

#include "afinar/core/check.h"

namespace afinar::tokenizers {

void WordLevel::tokenize(std::string_view word, std::vector<Token>& out) const {
  auto id = vocab_.find(word);
  if (!id) {
    AFINAR_CHECK(unk_id_.has_value(), "WordLevel: \"", word, "\" is not in the vocab and the unk_token \"", unk_token_,
                 "\" is missing from it");
    id = unk_id_;
  }
  out.push_back(Token{*id, 0, static_cast<uint32_t>(word.size())});
}

}  // namespace afinar::tokenizers
