/// Models: turn one word into tokens (ids + byte offsets inside the word). `make_model`
/// dispatches on tokenizer.json's model "type" (inferred from the fields when absent, as in
/// files written by early versions of HF tokenizers).
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace afinar::tokenizers {

struct Token {
  int32_t id;
  uint32_t start, end;  ///< bytes of the word
};

/// token ↔ id, with string_view lookups that do not allocate (open addressing: the lookups of
/// WordPiece's longest-match search and of BPE's chars dominate encoding).
class Vocab {
 public:
  /// Later ids of a token already present replace the earlier one, as a JSON map would.
  void add(std::string token, int32_t id);
  /// Room for `n` tokens without rehashing (a tokenizer.json's vocab size is known up front).
  void reserve(size_t n);
  std::optional<int32_t> find(std::string_view token) const {
    if (slots_.empty()) return std::nullopt;
    uint64_t h = hash(token);
    const auto tag = static_cast<uint32_t>(h >> 32);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.key < 0) return std::nullopt;
      if (s.hash == tag && s.len == token.size() && key_equals(s, token)) return s.id;
    }
  }
  const std::string* token(int32_t id) const {
    if (id < 0 || static_cast<size_t>(id) >= by_id_.size() || !has_[id]) return nullptr;
    return &by_id_[id];
  }
  size_t size() const { return count_; }
  size_t max_token_bytes() const { return max_bytes_; }

  static uint64_t hash(std::string_view s) {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (s.size() * 0xC2B2AE3D27D4EB4Full);
    const char* p = s.data();
    size_t n = s.size();
    auto mix = [&](uint64_t w) {
      h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
      h ^= h >> 29;
    };
    for (; n >= 8; n -= 8, p += 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      mix(w);
    }
    uint64_t w = 0;
    std::memcpy(&w, p, n);
    mix(w);
    h *= 0x94D049BB133111EBull;
    return h ^ (h >> 31);
  }

 private:
  // One 32-byte slot per entry, the key's bytes inline when they fit (nearly every WordPiece
  // and BPE token): a lookup reads one cache line, not a slot and then a string elsewhere.
  static constexpr size_t kInline = 16;
  struct Slot {
    uint32_t hash = 0;  ///< high half of the key's hash
    int32_t id = 0;
    int32_t key = -1;  ///< entry number, -1 when empty
    uint32_t len = 0;
    union {
      char bytes[kInline];
      size_t offset;  ///< into long_keys_ when len > kInline
    } k{};
  };
  bool key_equals(const Slot& s, std::string_view token) const {
    const char* p = s.len <= kInline ? s.k.bytes : long_keys_.data() + s.k.offset;
    return std::memcmp(p, token.data(), token.size()) == 0;
  }
  std::string_view key_of(const Slot& s) const {
    return {s.len <= kInline ? s.k.bytes : long_keys_.data() + s.k.offset, s.len};
  }
  void grow(size_t min_slots = 0);

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t count_ = 0;
  std::string long_keys_;  ///< the bytes of keys longer than kInline, back to back
  std::vector<std::string> by_id_;
  std::vector<bool> has_;
  size_t max_bytes_ = 0;
};

class Model {
 public:
  virtual ~Model() = default;
  /// Appends the tokens of `word` to `out` (never clears it).
  virtual void tokenize(std::string_view word, std::vector<Token>& out) const = 0;
  virtual std::optional<int32_t> token_to_id(std::string_view token) const = 0;
  virtual const std::string* id_to_token(int32_t id) const = 0;
  virtual size_t vocab_size() const = 0;
  /// Whether a token with this id shows the text it covers rather than its vocab entry
  /// (Unigram's unknown pieces, as HF).
  virtual bool shows_piece(int32_t) const { return false; }
};

/// Throws NotImplemented naming an unsupported "type", FormatError on bad fields.
/// `vocab`: model.vocab read aside by parse_tokenizer_json (then j["vocab"] is a placeholder).
std::shared_ptr<const Model> make_model(const nlohmann::json& j, const std::string& origin,
                                        const std::vector<std::pair<std::string, int32_t>>* vocab = nullptr);

}  // namespace afinar::tokenizers
