/// The question-answering task's preprocessing (transformers' run_qa.py): each (question,
/// context) pair is tokenized with truncation "only_second" to max_seq_length, keeping the
/// overflow in windows that overlap by doc_stride tokens, so a long context gives several
/// features. prepare_train_features labels each feature with the answer's token span (or the
/// [CLS] index when the answer is not wholly inside the window, or the question has none);
/// prepare_validation_features keeps what postprocess_qa_predictions (qa_postprocessing.h) needs
/// to turn logits back into answer texts: the example id and the context's character offsets.
///
/// Both run through Dataset::map with a declared transform (the tokenizer's fingerprint and every
/// option in the key), so a second run over the same file is served from the map cache.
///
///   afinar::QuestionAnsweringPreprocessing opt;   // max_seq_length 384, doc_stride 128
///   afinar::Dataset train = afinar::prepare_train_features(dd["train"], tok, opt);
///   afinar::Dataset eval = afinar::prepare_validation_features(dd["validation"], tok, opt);
///   // train: input_ids, [token_type_ids], attention_mask, start_positions, end_positions
///   // eval:  input_ids, [token_type_ids], attention_mask, offset_mapping, example_id
#pragma once
#include <cstddef>
#include <string>

#include "afinar/data/dataset.h"
#include "afinar/data/map.h"

namespace afinar {

class Tokenizer;

/// run_qa's DataTrainingArguments that shape the features.
struct QuestionAnsweringPreprocessing {
  std::string question_column_name = "question";
  std::string context_column_name = "context";
  std::string answer_column_name = "answers";  ///< struct {text: list<string>, answer_start: list<int>}
  /// Tokens per feature, capped at the tokenizer's model_max_length (as run_qa).
  size_t max_seq_length = 384;
  /// Overlap of consecutive windows of one context, in tokens (must be less than the context
  /// tokens a window holds).
  size_t doc_stride = 128;
  /// true: every feature padded to max_seq_length (run_qa's default); false: unpadded features,
  /// padded per batch by the collator (no padding waste).
  bool pad_to_max_length = false;
  size_t num_threads = 0;  ///< tokenizer threads, 0 = all cores
};

/// run_qa's prepare_train_features over `examples` (columns: the question, context and answer
/// columns; others are dropped). One row per feature:
///   input_ids, [token_type_ids], attention_mask   list<int32>
///   start_positions, end_positions                int64, token indexes of the answer's first and
///                                                 last token, or the [CLS] index (first [CLS],
///                                                 else first BOS token, else 0) when the window
///                                                 does not hold the whole answer or there is none
/// `map` gives batch_size, cache_dir and load_from_cache_file; its transform, transform_key and
/// remove_columns are set here. Throws InvalidArgument naming the column for a missing or
/// mistyped column, and the row for a question the window cannot hold; NotImplemented for a
/// tokenizer with padding_side "left" (run_qa puts the context first then).
Dataset prepare_train_features(const Dataset& examples, const Tokenizer& tokenizer,
                               const QuestionAnsweringPreprocessing& options, const MapOptions& map = {});

/// run_qa's prepare_validation_features: the same windows, one row per feature:
///   input_ids, [token_type_ids], attention_mask   list<int32>
///   offset_mapping  list<list<int32>>: per token [start, end) in characters of the context, a
///                   null item for tokens outside the context (question, special tokens, padding)
///                   — HF's None
///   example_id      string, the "id" of the feature's example
/// The answer column is not needed. Before the features go to a model, offset_mapping and
/// example_id are left out (HF's Trainer drops the columns the model does not take).
Dataset prepare_validation_features(const Dataset& examples, const Tokenizer& tokenizer,
                                    const QuestionAnsweringPreprocessing& options, const MapOptions& map = {});

}  // namespace afinar
