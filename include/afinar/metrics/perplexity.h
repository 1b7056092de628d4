/// Perplexity from the mean cross-entropy loss, as the language-modeling examples report it
/// (perplexity = exp(eval_loss), +inf when that overflows). Accumulates summed losses and token
/// counts per batch, so the mean is over tokens, not over batches.
///
///   afinar::Perplexity p;
///   p.add(loss_sum, n_tokens);        // per batch
///   double ppl = p.compute();         // or afinar::Perplexity::from_mean_loss(eval_loss)
#pragma once
#include <cstdint>

namespace afinar {

class Perplexity {
 public:
  /// `loss_sum`: the summed (not averaged) loss of `tokens` tokens.
  void add(double loss_sum, int64_t tokens);
  double mean_loss() const;
  double compute() const { return from_mean_loss(mean_loss()); }
  static double from_mean_loss(double mean_loss);

 private:
  double loss_sum_ = 0;
  int64_t tokens_ = 0;
};

}  // namespace afinar
