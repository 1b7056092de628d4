/// Post-processors: add the special tokens around one encoding or a pair, and set type ids.
/// `make_post_processor` dispatches on tokenizer.json's "type".
#pragma once
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "afinar/tokenizers/encoding.h"

namespace afinar::tokenizers {

class PostProcessor {
 public:
  virtual ~PostProcessor() = default;
  /// How many tokens process() adds (truncation keeps room for them).
  virtual size_t added_tokens(bool is_pair) const = 0;
  /// `a` and `b` already carry sequence_ids 0 and 1.
  virtual Encoding process(Encoding a, std::optional<Encoding> b, bool add_special_tokens) const = 0;
  /// Whether the pair template gives the second sequence its own type id (BERT-style).
  virtual bool uses_type_ids() const = 0;
  /// The per-sequence offset adjustment process() makes, without adding tokens (ByteLevel).
  virtual void adjust(Encoding&) const {}
};

/// Concatenates encodings (HF's Encoding::merge without offset growth).
void append_encoding(Encoding& dst, const Encoding& src);
/// The same, moving the token strings out of `src`.
void append_encoding(Encoding& dst, Encoding&& src);
/// One special token (offsets (0, 0), no word, special_tokens_mask 1).
void append_special(Encoding& dst, int32_t id, const std::string& token, int32_t type_id);
/// What a tokenizer without post-processor does: concatenate, no special tokens.
Encoding default_process(Encoding a, std::optional<Encoding> b);

std::shared_ptr<const PostProcessor> make_post_processor(const nlohmann::json& j, const std::string& origin);

}  // namespace afinar::tokenizers
