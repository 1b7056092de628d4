/// evaluate's "squad" and "squad_v2" metrics: the official SQuAD v1.1 / v2.0 scoring
/// (compute_score.py) over predictions and references in run_qa's format.
///
/// Answers are compared after normalize_answer (Python's str.lower, ASCII punctuation removed, the
/// words a/an/the removed, whitespace runs collapsed); exact match and token F1 take the best
/// reference answer; results are percentages (×100), as evaluate returns them.
///
///   std::vector<afinar::SquadPrediction> p = {{"q1", "the Beatles"}};
///   std::vector<afinar::SquadReference> r = {{"q1", {{"Beatles"}, {4}}}};
///   auto m = afinar::squad(p, r);   // {"exact_match": 100, "f1": 100}
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace afinar {

/// One prediction as evaluate's squad metrics take it: {"id", "prediction_text"
/// [, "no_answer_probability"]}.
struct SquadPrediction {
  std::string id;
  std::string prediction_text;
  /// squad_v2 only. evaluate declares it float32, so it is rounded to float before use.
  double no_answer_probability = 0.0;
};

/// A SQuAD "answers" value: the answer texts and their character offsets in the context.
/// Empty for an unanswerable question (SQuAD v2).
struct SquadAnswers {
  std::vector<std::string> text;
  std::vector<int64_t> answer_start;
};

/// One reference: {"id", "answers": {"text", "answer_start"}}.
struct SquadReference {
  std::string id;
  SquadAnswers answers;
};

/// compute_score.py's normalize_answer, with Python's semantics: str.lower (full Unicode
/// lowercase, final sigma), string.punctuation (ASCII only) removed, \b(a|an|the)\b with Python's
/// Unicode word characters, str.split whitespace. Input must be valid UTF-8 (InvalidArgument).
std::string normalize_answer(std::string_view s);

/// SQuAD v1.1's exact_match_score / f1_score of one prediction against one answer.
bool squad_exact_match_score(std::string_view prediction, std::string_view ground_truth);
double squad_f1_score(std::string_view prediction, std::string_view ground_truth);

/// SQuAD v2.0's compute_exact / compute_f1 (gold first, as the script): an empty side scores
/// 1 when both are empty.
int squad_v2_compute_exact(std::string_view a_gold, std::string_view a_pred);
double squad_v2_compute_f1(std::string_view a_gold, std::string_view a_pred);

/// evaluate's squad: {"exact_match", "f1"} over the references, in percent. A reference whose id
/// has no prediction scores 0 (as the script); a reference without answers, or an id given twice,
/// is an InvalidArgument (the script fails or keeps one silently).
std::map<std::string, double> squad(const std::vector<SquadPrediction>& predictions,
                                    const std::vector<SquadReference>& references);

/// evaluate's squad_v2: exact, f1, total, HasAns_exact/f1/total (when some question has an
/// answer), NoAns_exact/f1/total (when some has none), best_exact, best_exact_thresh, best_f1,
/// best_f1_thresh. A prediction whose no_answer_probability exceeds no_answer_threshold counts as
/// "no answer". Every reference needs a prediction (InvalidArgument otherwise, where the script
/// fails); predictions without a reference are ignored.
std::map<std::string, double> squad_v2(const std::vector<SquadPrediction>& predictions,
                                       const std::vector<SquadReference>& references, double no_answer_threshold = 1.0);

}  // namespace afinar
