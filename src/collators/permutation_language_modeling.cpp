#include "afinar/collators/permutation_language_modeling.h"

#include "afinar/core/check.h"

namespace afinar {

DataCollatorForPermutationLanguageModeling::DataCollatorForPermutationLanguageModeling(LanguageModelingOptions opts,
                                                                                       double plm_probability,
                                                                                       int64_t max_span_length)
    : opts_(std::move(opts)), plm_probability_(plm_probability), max_span_length_(max_span_length) {
  AFINAR_CHECK(opts_.mask_token_id.has_value(),
               "DataCollatorForPermutationLanguageModeling: the tokenizer needs a mask token");
  AFINAR_CHECK(plm_probability_ > 0 && plm_probability_ <= 1, "plm_probability must be in (0, 1], got ",
               plm_probability_);
  AFINAR_CHECK(max_span_length_ >= 1, "max_span_length must be at least 1, got ", max_span_length_);
}

Batch DataCollatorForPermutationLanguageModeling::operator()(const Examples& features,
                                                             std::span<const int64_t> rows) const {
  using torch::indexing::Slice;
  auto col = features.sequences.find("input_ids");
  AFINAR_CHECK(col != features.sequences.end(), "DataCollatorForPermutationLanguageModeling: no input_ids");
  AFINAR_CHECK(!rows.empty(), "DataCollatorForPermutationLanguageModeling: empty batch");
  const int64_t T = longest(col->second, rows);
  auto inputs = pad_column(col->second, rows, T, opts_.pad_token_id, opts_.padding_side);  // (B, T)
  AFINAR_CHECK(T % 2 == 0, "DataCollatorForPermutationLanguageModeling requires an even sequence length to create a "
               "leakage-free perm_mask, got ", T);
  const int64_t B = inputs.size(0);
  auto labels = inputs.clone();                                        // (B, T)
  auto masked = torch::zeros({B, T}, torch::kBool);                    // (B, T)
  auto target_mapping = torch::zeros({B, T, T}, torch::kFloat32);      // (B, T, T)
  for (int64_t i = 0; i < B; ++i) {
    int64_t cur_len = 0;
    while (cur_len < T) {
      const int64_t span = torch::randint(1, max_span_length_ + 1, {1}, torch::kLong).item<int64_t>();
      const auto context = static_cast<int64_t>(static_cast<double>(span) / plm_probability_);
      const int64_t start = cur_len + torch::randint(context - span + 1, {1}, torch::kLong).item<int64_t>();
      masked.index_put_({i, Slice(std::min(start, T), std::min(start + span, T))}, true);
      cur_len += context;
    }
    target_mapping[i] = torch::eye(T);
  }
  auto special = torch::zeros({B, T}, torch::kBool);
  for (int32_t s : opts_.special_token_ids) special.logical_or_(labels.eq(s));
  masked.masked_fill_(special, false);
  auto padding = labels.eq(opts_.pad_token_id);
  masked.masked_fill_(padding, false);
  auto non_func = (padding | special).logical_not();  // (B, T)
  inputs.masked_fill_(masked, *opts_.mask_token_id);
  labels.masked_fill_(masked.logical_not(), -100);

  auto perm_mask = torch::zeros({B, T, T}, torch::kFloat32);  // (B, T, T): 1 where i cannot attend to j
  for (int64_t i = 0; i < B; ++i) {
    // Permute pairs of positions, so that a token and its neighbour keep their order (no leakage).
    auto perm_index = torch::arange(T, torch::kLong).reshape({-1, T / 2}).transpose(0, 1);  // (T/2, 2)
    perm_index = perm_index.index({torch::randperm(T / 2, torch::kLong)});
    perm_index = torch::flatten(perm_index.transpose(0, 1));  // (T,)
    perm_index.masked_fill_(masked[i].logical_not() & non_func[i], -1);
    perm_mask[i] = (perm_index.reshape({T, 1}) <= perm_index.reshape({1, T})) & masked[i];
  }
  return {{"input_ids", inputs}, {"perm_mask", perm_mask}, {"target_mapping", target_mapping}, {"labels", labels}};
}

}  // namespace afinar
