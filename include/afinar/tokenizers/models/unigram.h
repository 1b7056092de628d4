/// Unigram (sentencepiece; T5, ALBERT, XLM-R): the segmentation of the word with the highest
/// total log-probability (Viterbi over the pieces that match at each byte). A char no piece
/// covers scores min_score - 10 as `unk_id`; consecutive unknowns fuse into one unk (fuse_unk, as
/// HF); with byte_fallback an unknown piece becomes its `<0xAB>` byte tokens.
///   pieces {"▁He": -1, "llo": -2, "▁Hello": -2.5}: "▁Hello" → ["▁Hello"]
#pragma once
#include <unordered_map>

#include "afinar/tokenizers/models/model.h"

namespace afinar::tokenizers {

class Unigram : public Model {
 public:
  /// `pieces[i]` is (token, score) of id i; FormatError when unk_id is out of range.
  Unigram(std::vector<std::pair<std::string, double>> pieces, std::optional<int32_t> unk_id, bool byte_fallback);
  void tokenize(std::string_view word, std::vector<Token>& out) const override;
  std::optional<int32_t> token_to_id(std::string_view t) const override { return vocab_.find(t); }
  const std::string* id_to_token(int32_t id) const override { return vocab_.token(id); }
  size_t vocab_size() const override { return vocab_.size(); }
  bool shows_piece(int32_t id) const override { return unk_id_ && id == *unk_id_; }

 private:
  // Byte trie in compressed rows: the children of `node` are labels_/children_ in
  // [first_[node], first_[node + 1]), sorted by label; value_[node] = piece id or -1.
  int32_t child(int32_t node, uint8_t b) const {
    for (uint32_t k = first_[node], e = first_[node + 1]; k < e; ++k)
      if (labels_[k] >= b) return labels_[k] == b ? children_[k] : -1;
    return -1;
  }
  void segment(std::string_view word, std::vector<Token>& out) const;

  Vocab vocab_;
  std::vector<double> scores_;
  std::optional<int32_t> unk_id_;
  bool byte_fallback_;
  double unk_score_;
  std::vector<uint32_t> first_;
  std::vector<uint8_t> labels_;
  std::vector<int32_t> children_;
  std::vector<int32_t> value_;
  int32_t root_children_[256];
  int32_t byte_ids_[256];
  uint64_t cache_key_;
};

}  // namespace afinar::tokenizers
