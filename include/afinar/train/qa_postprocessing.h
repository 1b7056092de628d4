/// The question-answering task's postprocessing (transformers' utils_qa.py
/// postprocess_qa_predictions, and run_qa's post_processing_function / compute_metrics): start and
/// end logits of the validation features (question_answering.h) → one answer text per example,
/// taken from the context by the features' character offsets.
///
/// Per feature, the n_best_size highest start and end logits are paired; spans outside the
/// context, reversed, or longer than max_answer_length tokens are skipped; the best n_best_size
/// spans of all the example's features are kept. With version_2_with_negative the null answer
/// ("", scored by the [CLS] logits at position 0, the lowest over the example's features) is a
/// candidate too, chosen when its score exceeds the best span's by more than
/// null_score_diff_threshold.
///
///   afinar::Dataset features = afinar::prepare_validation_features(examples, tok, pre);
///   // start, end: (F, T) float32 logits of the F features (T ≥ every feature's length)
///   auto preds = afinar::postprocess_qa_predictions(examples, features, start, end, {});
///   afinar::save_qa_predictions(preds, output_dir, "eval", false);   // eval_predictions.json, …
///   auto metrics = afinar::compute_qa_metrics(preds, examples, {});  // {"exact_match", "f1"}
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "afinar/metrics/squad.h"

namespace afinar {

class Dataset;

/// run_qa's postprocessing arguments.
struct QuestionAnsweringPostprocessing {
  bool version_2_with_negative = false;  ///< SQuAD v2: some questions have no answer
  size_t n_best_size = 20;
  size_t max_answer_length = 30;  ///< in tokens
  /// v2: the null answer wins when null score − best span score > this.
  double null_score_diff_threshold = 0.0;
  std::string context_column_name = "context";
  std::string answer_column_name = "answers";
};

/// One entry of an example's n-best list (utils_qa's nbest_predictions.json).
struct QaNbestPrediction {
  std::string text;
  float start_logit = 0, end_logit = 0;
  double probability = 0;  ///< softmax of the scores (start + end logit) over the list
};

/// The answer to one example.
struct QaPrediction {
  std::string id;
  std::string prediction_text;  ///< "" = no answer (v2)
  std::vector<QaNbestPrediction> nbest;
  /// v2: null score − best non-null span's score (utils_qa's null_odds.json).
  std::optional<double> null_odds;
};

/// utils_qa's postprocess_qa_predictions. `examples`: the rows prepare_validation_features was
/// given (columns "id" and the context); `features`: its output (example_id, offset_mapping);
/// start_logits / end_logits: (F, T) float32, F = features.num_rows(), row f's positions at and
/// past feature f's length ignored (batches concatenated with -100 padding, as HF's
/// nested_concat). One prediction per example, in example order. Ties between equal logits go to
/// the later position. InvalidArgument when shapes or ids do not match, or an example has no
/// feature.
std::vector<QaPrediction> postprocess_qa_predictions(const Dataset& examples, const Dataset& features,
                                                     const torch::Tensor& start_logits, const torch::Tensor& end_logits,
                                                     const QuestionAnsweringPostprocessing& options);

/// Writes what utils_qa writes into `output_dir` (created): <prefix>_predictions.json (id → text),
/// <prefix>_nbest_predictions.json and, for v2, <prefix>_null_odds.json — json.dumps(indent=4)
/// text, non-ASCII escaped. An empty prefix gives predictions.json, nbest_predictions.json, ….
void save_qa_predictions(const std::vector<QaPrediction>& predictions, const std::filesystem::path& output_dir,
                         const std::string& prefix, bool version_2_with_negative);

/// run_qa's formatted predictions: {id, prediction_text} and, for v2, no_answer_probability 0.0.
std::vector<SquadPrediction> squad_predictions(const std::vector<QaPrediction>& predictions);
/// run_qa's references: {id, answers} of every example (the answer column as SQuAD stores it).
std::vector<SquadReference> squad_references(const Dataset& examples, const std::string& answer_column_name);

/// run_qa's compute_metrics: evaluate's squad_v2 when version_2_with_negative, else squad.
std::map<std::string, double> compute_qa_metrics(const std::vector<QaPrediction>& predictions, const Dataset& examples,
                                                 const QuestionAnsweringPostprocessing& options);

}  // namespace afinar
