/// Runs pre-tokenizers one after another, each refining the previous one's splits.
#pragma once
#include <vector>

#include "afinar/tokenizers/pre_tokenizers/pre_tokenizer.h"

namespace afinar::tokenizers {

class PreTokenizerSequence : public PreTokenizer {
 public:
  explicit PreTokenizerSequence(std::vector<std::shared_ptr<const PreTokenizer>> parts)
      : parts_(std::move(parts)) {}
  void pre_tokenize(PreTokenizedString& s) const override {
    for (const auto& p : parts_) p->pre_tokenize(s);
  }

 private:
  std::vector<std::shared_ptr<const PreTokenizer>> parts_;
};

}  // namespace afinar::tokenizers
