/// evaluate's "sacrebleu": corpus BLEU with sacrebleu's defaults (13a tokenizer, exp smoothing,
/// case-sensitive, max n-gram order 4, no effective order). Only the sufficient statistics are kept
/// (matched and total n-grams per order, hypothesis and closest-reference lengths), so corpora of any
/// size are scored in O(1) memory.
///
///   afinar::SacreBleu bleu;
///   bleu.add({"the cat sat"}, {{"the cat sat down", "a cat sat"}});   // per batch
///   afinar::BleuResult r = bleu.compute();                            // r.score in [0, 100]
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace afinar {

struct BleuResult {
  double score = 0;
  std::array<int64_t, 4> counts{}, totals{};
  std::array<double, 4> precisions{};
  double bp = 1;
  int64_t sys_len = 0, ref_len = 0;
};

/// sacrebleu's Tokenizer13a (mteval-v13a): the tokens, space-joined.
std::string tokenize_13a(const std::string& line);

class SacreBleu {
 public:
  /// `references[i]` holds the reference translations of `predictions[i]` (one or more).
  void add(std::span<const std::string> predictions, std::span<const std::vector<std::string>> references);
  BleuResult compute() const;

 private:
  std::array<int64_t, 4> correct_{}, total_{};
  int64_t sys_len_ = 0, ref_len_ = 0;
};

}  // namespace afinar
