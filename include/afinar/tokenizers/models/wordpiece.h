/// WordPiece (BERT): greedy longest-match-first over the vocabulary; pieces after the first carry
/// `continuing_subword_prefix`; a word with no full cover, or longer than
/// `max_input_chars_per_word` characters, becomes the single `unk_token`.
///   "unaffable" → ["una", "##ffa", "##ble"]
#pragma once
#include "afinar/tokenizers/models/model.h"

namespace afinar::tokenizers {

struct WordPieceOptions {
  std::string unk_token = "[UNK]";
  std::string continuing_subword_prefix = "##";
  size_t max_input_chars_per_word = 100;
};

class WordPiece : public Model {
 public:
  WordPiece(Vocab vocab, WordPieceOptions o);
  void tokenize(std::string_view word, std::vector<Token>& out) const override;
  std::optional<int32_t> token_to_id(std::string_view t) const override { return vocab_.find(t); }
  const std::string* id_to_token(int32_t id) const override { return vocab_.token(id); }
  size_t vocab_size() const override { return vocab_.size(); }
  const WordPieceOptions& options() const { return o_; }

 private:
  Vocab vocab_;
  WordPieceOptions o_;
  int32_t unk_id_;
  uint64_t cache_key_;  ///< this model's per-thread WordCache (words that split into pieces)
};

/// Reads vocab.txt (one token per line, id = line number), as transformers' load_vocab.
Vocab read_vocab_txt(const std::string& path);

}  // namespace afinar::tokenizers
