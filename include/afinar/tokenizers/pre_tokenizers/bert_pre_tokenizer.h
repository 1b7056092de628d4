/// BERT's pre-tokenizer: splits on whitespace (dropped) and isolates each punctuation character.
///   "Hello, world!" → ["Hello", ",", "world", "!"]
#pragma once
#include "afinar/tokenizers/pre_tokenizers/pre_tokenizer.h"

namespace afinar::tokenizers {

class BertPreTokenizer : public PreTokenizer {
 public:
  void pre_tokenize(PreTokenizedString& s) const override;
};

}  // namespace afinar::tokenizers
