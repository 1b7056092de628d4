/// Whitespace (HF's regex `\w+|[^\w\s]+`) and WhitespaceSplit (split on whitespace only).
///   Whitespace:      "it's ok" → ["it", "'", "s", "ok"]
///   WhitespaceSplit: "it's ok" → ["it's", "ok"]
#pragma once
#include "afinar/tokenizers/pre_tokenizers/pre_tokenizer.h"

namespace afinar::tokenizers {

class Whitespace : public PreTokenizer {
 public:
  void pre_tokenize(PreTokenizedString& s) const override;
};

class WhitespaceSplit : public PreTokenizer {
 public:
  void pre_tokenize(PreTokenizedString& s) const override;
};

}  // namespace afinar::tokenizers
