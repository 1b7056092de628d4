/// Models: turn one word into tokens (ids + byte offsets inside the word). `make_model`
/// dispatches on tokenizer.json's model "type" (inferred from the fields when absent, as in
/// files written by early versions of HF tokenizers).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace afinar::tokenizers {

struct Token {
  int32_t id;
  uint32_t start, end;  ///< bytes of the word
};

/// token ↔ id, with string_view lookups that do not allocate.
class Vocab {
 public:
  void add(std::string token, int32_t id);
  std::optional<int32_t> find(std::string_view token) const {
    auto it = map_.find(token);
    if (it == map_.end()) return std::nullopt;
    return it->second;
  }
  const std::string* token(int32_t id) const {
    if (id < 0 || static_cast<size_t>(id) >= by_id_.size() || !has_[id]) return nullptr;
    return &by_id_[id];
  }
  size_t size() const { return map_.size(); }
  size_t max_token_bytes() const { return max_bytes_; }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, int32_t, Hash, std::equal_to<>> map_;
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
};

/// Throws NotImplemented naming an unsupported "type", FormatError on bad fields.
std::shared_ptr<const Model> make_model(const nlohmann::json& j, const std::string& origin);

}  // namespace afinar::tokenizers
