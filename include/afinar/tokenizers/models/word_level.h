/// WordLevel: each word is one token, `unk_token` when not in the vocab.
///   vocab {"hello": 0, "[UNK]": 1}: "hello" → [0], "bye" → [1]
#pragma once
#include "afinar/tokenizers/models/model.h"

namespace afinar::tokenizers {

class WordLevel : public Model {
 public:
  WordLevel(Vocab vocab, std::string unk_token) : vocab_(std::move(vocab)), unk_token_(std::move(unk_token)) {
    unk_id_ = vocab_.find(unk_token_);
  }
  void tokenize(std::string_view word, std::vector<Token>& out) const override;
  std::optional<int32_t> token_to_id(std::string_view t) const override { return vocab_.find(t); }
  const std::string* id_to_token(int32_t id) const override { return vocab_.token(id); }
  size_t vocab_size() const override { return vocab_.size(); }

 private:
  Vocab vocab_;
  std::string unk_token_;
  std::optional<int32_t> unk_id_;
};

}  // namespace afinar::tokenizers
