/// BPE (GPT-2, RoBERTa, CLIP, Llama): a word starts as its chars (with
/// `continuing_subword_prefix` on non-first and `end_of_word_suffix` on the last char); the
/// lowest-ranked adjacent pair in `merges` is merged until none applies. Chars outside the vocab
/// become `<0xAB>` byte tokens (byte_fallback) or `unk_token` (consecutive ones fused with
/// fuse_unk); with ignore_merges a word already in the vocab is one token.
///   merges ["h e", "l l", "he ll", "hell o"]: "hello" → ["hello"]
#pragma once
#include "afinar/tokenizers/models/model.h"
#include "afinar/tokenizers/models/u64_map.h"

namespace afinar::tokenizers {

struct BPEOptions {
  std::optional<std::string> unk_token;
  std::optional<std::string> continuing_subword_prefix;
  std::optional<std::string> end_of_word_suffix;
  bool fuse_unk = false;
  bool byte_fallback = false;
  bool ignore_merges = false;
};

class BPE : public Model {
 public:
  /// `merges` in rank order; FormatError naming a merge whose parts or result are not in the vocab.
  BPE(Vocab vocab, const std::vector<std::pair<std::string, std::string>>& merges, BPEOptions o);
  void tokenize(std::string_view word, std::vector<Token>& out) const override;
  std::optional<int32_t> token_to_id(std::string_view t) const override { return vocab_.find(t); }
  const std::string* id_to_token(int32_t id) const override { return vocab_.token(id); }
  size_t vocab_size() const override { return vocab_.size(); }

 private:
  struct Symbol {
    int32_t id;
    uint32_t start, len;
    int32_t prev, next;
  };
  void merge_word(std::string_view word, std::vector<Symbol>& symbols) const;
  void apply_merges(std::vector<Symbol>& symbols) const;
  const std::pair<uint32_t, int32_t>* find_merge(int32_t a, int32_t b) const {
    return merges_.find((static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b));
  }

  Vocab vocab_;
  BPEOptions o_;
  U64Map<std::pair<uint32_t, int32_t>> merges_;  // (a, b) → (rank, merged id)
  std::optional<int32_t> unk_id_;
  int32_t byte_ids_[256];
  bool all_bytes_ = false;
  uint64_t cache_key_;  // identifies this model in the per-thread word caches
};

}  // namespace afinar::tokenizers
