/// The translation task's preprocessing (transformers' run_translation.py): the source text with
/// an optional prefix (T5: "translate English to German: ") tokenized with truncation to
/// max_source_length, the target tokenized as text_target with truncation to max_target_length
/// into `labels` (padding → -100 when padded to max length, as ignore_pad_token_for_loss).
/// Rows come either from a `translation` struct column ({"en": …, "de": …}, HF's Translation
/// feature) or from flat columns named by the languages (multi30k's jsonl).
///
///   afinar::TranslationPreprocessing opt{.source_lang = "en", .target_lang = "de"};
///   afinar::Examples train = afinar::preprocess_translation(dd["train"], "train", tok, opt, true);
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "afinar/collators/examples.h"

namespace afinar {

class Dataset;
class Tokenizer;

struct TranslationPreprocessing {
  std::string source_lang, target_lang;
  std::string source_prefix;
  size_t max_source_length = 1024;
  size_t max_target_length = 128;
  bool pad_to_max_length = false;
  bool ignore_pad_token_for_loss = true;
  size_t num_threads = 0;
};

/// The (source, target) texts of `ds` (see above); InvalidArgument naming the columns found when
/// neither form is present.
std::pair<std::vector<std::string>, std::vector<std::string>> translation_pairs(const Dataset& ds,
                                                                                const TranslationPreprocessing& opt);

Examples preprocess_translation(const Dataset& ds, const std::string& split, const Tokenizer& tok,
                                const TranslationPreprocessing& opt, bool require_targets);

}  // namespace afinar
