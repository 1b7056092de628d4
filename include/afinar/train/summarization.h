/// The summarization task's preprocessing (transformers' run_summarization.py): the text column
/// with an optional prefix (T5: "summarize: ") tokenized with truncation to max_source_length,
/// the summary tokenized as text_target with truncation to max_target_length into `labels`
/// (padding → -100 when padded to max length, as ignore_pad_token_for_loss). As the script, a
/// row whose text or summary is null or empty is left out. It runs as Dataset::map with a
/// declared transform, cached as run_summarization's map is.
///
///   afinar::SummarizationPreprocessing opt;   // text and summary: the first two columns
///   opt.source_prefix = "summarize: ";
///   afinar::Dataset train = afinar::preprocess_summarization(dd["train"], "train", tok, opt, true);
#pragma once
#include <cstddef>
#include <string>

#include "afinar/data/dataset.h"

namespace afinar {

class Tokenizer;

struct SummarizationPreprocessing {
  std::string text_column;     ///< "" = the first column (run_summarization's default)
  std::string summary_column;  ///< "" = the second column
  std::string source_prefix;
  size_t max_source_length = 1024;
  size_t max_target_length = 128;
  bool pad_to_max_length = false;
  bool ignore_pad_token_for_loss = true;
  size_t num_threads = 0;  ///< tokenizer threads (not part of the cache key)
};

/// The text and summary columns `opt` names for `ds` (defaults resolved); InvalidArgument naming
/// the columns found when one is absent.
std::pair<std::string, std::string> summarization_columns(const Dataset& ds, const SummarizationPreprocessing& opt);

/// Tokenizes `ds` into a Dataset {input_ids, attention_mask, [labels]} (list<int32>; labels when
/// the summary column exists). Without a summary column, require_targets decides between an error
/// and unlabeled features (prediction: then only rows with an empty text are left out).
Dataset preprocess_summarization(const Dataset& ds, const std::string& split, const Tokenizer& tok,
                                 const SummarizationPreprocessing& opt, bool require_targets);

}  // namespace afinar
