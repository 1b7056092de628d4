// The state behind afinar::Tokenizer, shared by tokenizer.cpp (loading, encoding),
// post_process.cpp (truncation, padding) and auto_tokenizer.cpp (folders, save_pretrained).
#pragma once
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "afinar/core/check.h"
#include "afinar/tokenizers/added_vocabulary.h"
#include "afinar/tokenizers/decoders/decoder.h"
#include "afinar/tokenizers/models/model.h"
#include "afinar/tokenizers/normalizers/normalizer.h"
#include "afinar/tokenizers/pre_tokenizers/pre_tokenizer.h"
#include "afinar/tokenizers/processors/processor.h"
#include "afinar/tokenizers/tokenizer.h"

namespace afinar {

/// transformers' VERY_LARGE_INTEGER stand-in: "no limit known".
inline constexpr size_t kNoMaxLength = std::numeric_limits<size_t>::max();

namespace tokenizers {
/// model.vocab of a tokenizer.json read as a list (parse_tokenizer_json), in the file's order.
struct CapturedVocab {
  bool present = false;
  std::vector<std::pair<std::string, int32_t>> entries;
};
}  // namespace tokenizers

struct Tokenizer::Impl {
  nlohmann::json json;  ///< tokenizer.json as loaded, model.vocab aside (full_tokenizer_json joins them)
  tokenizers::CapturedVocab vocab;
  std::string origin;
  std::shared_ptr<const tokenizers::Normalizer> normalizer;
  std::shared_ptr<const tokenizers::PreTokenizer> pre_tokenizer;
  std::shared_ptr<const tokenizers::Model> model;
  std::shared_ptr<const tokenizers::PostProcessor> post_processor;
  std::shared_ptr<const tokenizers::Decoder> decoder;
  tokenizers::AddedVocabulary added;

  // transformers-level settings (tokenizer_config.json / special_tokens_map.json).
  nlohmann::json config = nlohmann::json::object();
  nlohmann::json special_tokens_map = nlohmann::json::object();
  size_t model_max_length = kNoMaxLength;
  std::optional<std::string> pad_token;
  std::string padding_side = "right";
  std::string truncation_side = "right";
  /// SHA-256 (hex) of the files the tokenizer was built from (see Tokenizer::fingerprint).
  std::string fingerprint;
};

namespace tokenizers {

/// tokenizer.json parsed, with model.vocab (when an object) in `vocab` and an empty object in
/// its place in `json`. FormatError names `origin` and the byte for malformed JSON, and the
/// token for a vocab value that is not an integer id.
struct ParsedTokenizerJson {
  nlohmann::json json;
  CapturedVocab vocab;
};
ParsedTokenizerJson parse_tokenizer_json(std::string_view text, const std::string& origin);
/// The tokenizer.json to write: impl.json with the captured vocab put back.
nlohmann::json full_tokenizer_json(const Tokenizer::Impl& impl);

/// Builds the pipeline from a parsed tokenizer.json (`vocab`: model.vocab when read aside).
std::shared_ptr<Tokenizer::Impl> build_impl(nlohmann::json j, const std::string& origin, CapturedVocab vocab = {});

/// Truncates a single encoding or a pair so their total is at most `max_len` (HF's rules).
/// With stride > 0 (or any cut) the cut tokens go to `overflowing`, in windows as HF's.
void truncate_encodings(Encoding& a, std::optional<Encoding>& b, size_t max_len, const std::string& strategy,
                        const std::string& side, size_t stride = 0);
/// The post-processor (or plain concatenation) over a and b and over their overflowing pieces.
Encoding post_process(const Tokenizer::Impl& impl, Encoding a, std::optional<Encoding> b, bool add_special_tokens);
/// The length to pad to (nullopt: no padding) given the longest encoding of the batch.
std::optional<size_t> pad_target(const Tokenizer::Impl& impl, const EncodeOptions& opt, size_t longest);
/// Pads `e` to `target` with the tokenizer's pad token.
void pad_encoding(Encoding& e, size_t target, int32_t pad_id, const std::string& pad_token, const std::string& side);

}  // namespace tokenizers
}  // namespace afinar
