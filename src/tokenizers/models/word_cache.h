// Per-thread cache of word → tokens for the subword models (HF keeps one of 10,000 words per
// model). Keyed by a model's unique key, so a model freed and another built at its address
// never see each other's words.
#pragma once
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "afinar/tokenizers/models/model.h"

namespace afinar::tokenizers {

class WordCache {
 public:
  static constexpr size_t kCapacity = 10000;
  static constexpr size_t kMaxWordBytes = 256;

  static uint64_t new_key() {
    static std::atomic<uint64_t> next{1};
    return next++;
  }
  /// This thread's cache for the model with `key` (a few models per thread are kept).
  static WordCache& for_model(uint64_t key) {
    thread_local WordCache caches[4];
    thread_local size_t victim = 0;
    for (auto& c : caches)
      if (c.owner_ == key) return c;
    WordCache& c = caches[victim++ % 4];
    c.owner_ = key;
    c.clear();
    return c;
  }

  /// The cached tokens of `word`, or {nullptr, nullptr}.
  std::pair<const Token*, const Token*> find(std::string_view word) const {
    if (keys_.empty()) return {nullptr, nullptr};
    uint64_t h = Vocab::hash(word);
    for (size_t i = h & kMask;; i = (i + 1) & kMask) {
      int32_t k = slots_[i];
      if (k < 0) return {nullptr, nullptr};
      if (keys_[k] == word) return {tokens_.data() + ranges_[k].first, tokens_.data() + ranges_[k].second};
    }
  }
  void put(std::string_view word, const Token* begin, const Token* end) {
    if (keys_.size() >= kCapacity || word.size() > kMaxWordBytes) return;
    if (slots_.empty()) slots_.assign(kSlots, -1);
    uint64_t h = Vocab::hash(word);
    size_t i = h & kMask;
    while (slots_[i] >= 0) {
      if (keys_[slots_[i]] == word) return;
      i = (i + 1) & kMask;
    }
    slots_[i] = static_cast<int32_t>(keys_.size());
    keys_.emplace_back(word);
    ranges_.emplace_back(static_cast<uint32_t>(tokens_.size()), static_cast<uint32_t>(tokens_.size() + (end - begin)));
    tokens_.insert(tokens_.end(), begin, end);
  }

 private:
  static constexpr size_t kSlots = 32768;  // a power of two above 2 × kCapacity
  static constexpr size_t kMask = kSlots - 1;
  void clear() {
    slots_.clear();
    keys_.clear();
    ranges_.clear();
    tokens_.clear();
  }

  uint64_t owner_ = 0;
  std::vector<int32_t> slots_;  // index into keys_, -1 when empty
  std::vector<std::string> keys_;
  std::vector<std::pair<uint32_t, uint32_t>> ranges_;  // tokens_ range of each key
  std::vector<Token> tokens_;
};

}  // namespace afinar::tokenizers
