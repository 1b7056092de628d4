/// The translation task's preprocessing (transformers' run_translation.py): the source text with
/// an optional prefix (T5: "translate English to German: ") tokenized with truncation to
/// max_source_length, the target tokenized as text_target with truncation to max_target_length
/// into `labels` (padding → -100 when padded to max length, as ignore_pad_token_for_loss).
/// Rows come either from a `translation` struct column ({"en": …, "de": …}, HF's Translation
/// feature) or from flat columns named by the languages (multi30k's jsonl). It runs as
/// Dataset::map with a declared transform, cached as run_translation's map is.
///
///   afinar::TranslationPreprocessing opt{.source_lang = "en", .target_lang = "de"};
///   afinar::Dataset train = afinar::preprocess_translation(dd["train"], "train", tok, opt, true);
#pragma once
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "afinar/collators/examples.h"
#include "afinar/data/dataset.h"

namespace afinar {

class Tokenizer;

struct TranslationPreprocessing {
  std::string source_lang, target_lang;
  std::string source_prefix;
  size_t max_source_length = 1024;
  size_t max_target_length = 128;
  bool pad_to_max_length = false;
  bool ignore_pad_token_for_loss = true;
  size_t num_threads = 0;  ///< tokenizer threads (not part of the cache key)
};

/// The (source, target) texts of `ds` (see above), in memory; InvalidArgument naming the columns
/// found when neither form is present. The targets are empty when the target language is absent.
std::pair<std::vector<std::string>, std::vector<std::string>> translation_pairs(const Dataset& ds,
                                                                                const TranslationPreprocessing& opt);

/// Tokenizes `ds` into a Dataset {input_ids, attention_mask, [labels]} (list<int32>; the input
/// columns are not kept). Without target texts, require_targets decides between an error and
/// unlabeled features. Cache: transform "preprocess_translation", keyed by the tokenizer's
/// fingerprint and every option but num_threads.
Dataset preprocess_translation(const Dataset& ds, const std::string& split, const Tokenizer& tok,
                               const TranslationPreprocessing& opt, bool require_targets);

}  // namespace afinar
