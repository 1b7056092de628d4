/// A Hugging Face tokenizer read from tokenizer.json (the `tokenizers` library's format).
///
/// Pipeline: normalizer → pre-tokenizer → model → post-processor (→ decoder), one component per
/// file under tokenizers/<stage>/, dispatched on tokenizer.json's "type".
///
///   auto tok = afinar::AutoTokenizer::from_pretrained("path/to/model_folder");
///   afinar::EncodeOptions opt; opt.truncation = true; opt.max_length = 128;
///   afinar::Encoding e = tok.encode("the rock is destined ...", opt);
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "afinar/tokenizers/encoding.h"

namespace afinar {

/// Per-call options, with transformers' `tokenizer(...)` names and defaults.
///
/// These follow transformers' call semantics, not the file: a tokenizer.json may carry its own
/// "truncation"/"padding" sections (all-MiniLM-L6-v2 has 128 / Fixed 128). `Tokenizer` keeps them
/// (see file_defaults(), and save_pretrained writes them back) but `encode` applies only what the
/// options say: by default no truncation and no padding, as `tokenizer(text)` in transformers.
struct EncodeOptions {
  bool add_special_tokens = true;
  bool truncation = false;             ///< cut to max_length with truncation_strategy
  std::optional<size_t> max_length;    ///< default: model_max_length when truncating
  std::string padding = "do_not_pad";  ///< do_not_pad | longest | max_length
  std::optional<size_t> pad_to_multiple_of;
  std::string truncation_strategy = "longest_first";  ///< longest_first | only_first | only_second
  size_t stride = 0;                                  ///< overlap of the windows in Encoding::overflowing
  std::optional<std::string> padding_side;            ///< left | right; default: the tokenizer's (right)
  std::optional<std::string> truncation_side;         ///< left | right; default: the tokenizer's (right)
};

class Tokenizer {
 public:
  /// Reads a tokenizer.json. Throws FormatError naming the file and field on bad input,
  /// NotImplemented naming an unsupported component type.
  static Tokenizer from_file(const std::filesystem::path& tokenizer_json);
  static Tokenizer from_json_string(const std::string& json, const std::string& origin = "<string>");

  Tokenizer();
  ~Tokenizer();
  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;
  Tokenizer(const Tokenizer&);
  Tokenizer& operator=(const Tokenizer&);

  /// Encodes one text / a pair. Input must be valid UTF-8 (InvalidArgument otherwise).
  Encoding encode(std::string_view text, const EncodeOptions& opt = {}) const;
  Encoding encode_pair(std::string_view text, std::string_view pair, const EncodeOptions& opt = {}) const;
  /// Batch encode on a thread pool (num_threads 0 = hardware concurrency). Padding "longest"
  /// pads to the longest encoding of the batch.
  std::vector<Encoding> encode_batch(const std::vector<std::string>& texts, const EncodeOptions& opt = {},
                                     size_t num_threads = 0) const;

  /// Pre-tokenized input (transformers' `is_split_into_words=True`, tokenizers' `is_pretokenized`):
  /// each word goes through normalizer, pre-tokenizer and model on its own; word_ids give the
  /// word's index and offsets are (start, end) within that word, as Hugging Face reports them.
  /// Byte-level tokenizers see each word without a leading space unless the file's ByteLevel
  /// pre-tokenizer has add_prefix_space (transformers' add_prefix_space=True).
  ///
  ///   auto e = tok.encode_pretokenized({"EU", "rejects", "German"});   // e.word_ids: -1 0 1 2 -1
  Encoding encode_pretokenized(const std::vector<std::string>& words, const EncodeOptions& opt = {}) const;
  std::vector<Encoding> encode_pretokenized_batch(const std::vector<std::vector<std::string>>& batch,
                                                  const EncodeOptions& opt = {}, size_t num_threads = 0) const;

  /// Python `tokenizers`' Tokenizer.decode.
  std::string decode(const std::vector<int32_t>& ids, bool skip_special_tokens = true) const;
  /// transformers' tokenizer.decode: the same, then (when asked) clean_up_tokenization
  /// (" ." → ".", " n't" → "n't", …).
  std::string decode(const std::vector<int32_t>& ids, bool skip_special_tokens,
                     bool clean_up_tokenization_spaces) const;

  std::optional<int32_t> token_to_id(std::string_view token) const;
  std::optional<std::string> id_to_token(int32_t id) const;
  size_t vocab_size() const;  ///< with added tokens

  /// Ids of the added tokens marked special ([CLS], [SEP], [PAD], [MASK], …), sorted: what
  /// transformers' all_special_ids holds for tokenizer.json-based tokenizers.
  std::vector<int32_t> all_special_ids() const;
  /// Padding token (from tokenizer_config/special tokens, else the file's padding section).
  std::optional<int32_t> pad_token_id() const;
  std::string pad_token() const;
  /// transformers' `<name>_id` for the special tokens that tokenizer_config.json /
  /// special_tokens_map.json name: special_token_id("cls_token") is tokenizer.cls_token_id.
  /// nullopt when the tokenizer names no such token or its vocabulary lacks it.
  ///
  ///   auto cls = tok.special_token_id("cls_token");   // 101 for bert-base-uncased
  std::optional<int32_t> special_token_id(std::string_view name) const;
  /// transformers' padding_side: "right" unless tokenizer_config.json says "left".
  const std::string& padding_side() const;
  /// transformers' model_max_length (tokenizer_config.json), or a very large number.
  size_t model_max_length() const;
  /// Whether encodings carry token_type_ids (BERT-style) — decides the model input names.
  bool uses_token_type_ids() const;

  /// The tokenizer's identity for caches (the map cache of tokenised datasets): the SHA-256, in
  /// hex, of the files it was built from — the tokenizer.json text (from_file, from_json_string),
  /// or for AutoTokenizer tokenizer.json or vocab.txt with tokenizer_config.json and
  /// special_tokens_map.json. Equal fingerprints encode alike; any change of a file changes it.
  ///
  ///   o.transform_key = tok.fingerprint() + " max_length=128";
  const std::string& fingerprint() const;

  /// Writes tokenizer.json and tokenizer_config.json (+ special_tokens_map.json) into `folder`,
  /// in the forms transformers' AutoTokenizer loads.
  void save_pretrained(const std::filesystem::path& folder) const;

  /// The file's own "truncation"/"padding" sections as options (Python `Tokenizer.from_file`
  /// applies them by default; pass this to encode() for the same result).
  EncodeOptions file_defaults() const;

  struct Impl;

 private:
  Encoding encode_impl(std::string_view text, const std::string_view* pair, const EncodeOptions& opt, bool pad) const;
  /// Truncation, post-processing and padding of encoded sequences.
  Encoding finish(Encoding a, std::optional<Encoding> b, const EncodeOptions& opt, bool pad) const;
  /// Runs encode_one(i, pad) for i < n on the thread pool, then pads to the batch's longest.
  template <typename EncodeOne>
  std::vector<Encoding> batch_impl(size_t n, const EncodeOptions& opt, size_t num_threads, EncodeOne encode_one) const;
  void pad_to(Encoding& e, size_t target, const EncodeOptions& opt) const;

  std::shared_ptr<const Impl> impl_;
  friend struct AutoTokenizer;
};

/// transformers' AutoTokenizer: a folder with tokenizer.json (+ tokenizer_config.json,
/// special_tokens_map.json), or only vocab.txt (BERT), or a Hub id resolved through the HF cache.
///
/// A vocab.txt-only folder builds the pipeline BertTokenizerFast builds. do_lower_case comes from
/// tokenizer_config.json; without one, a vocabulary holding upper-case word pieces (a "cased"
/// model such as bert-base-cased, whose Hub config says do_lower_case=false) is read as cased,
/// any other as uncased (BertTokenizerFast's default).
struct AutoTokenizer {
  static Tokenizer from_pretrained(const std::string& name_or_path);
};

}  // namespace afinar
