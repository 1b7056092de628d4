// What translation and summarization share: Seq2SeqTrainer's predict_with_generate (beam or
// greedy generation batch by batch, decoded and stripped as the scripts' postprocess_text) and
// their GenerationConfig.
#pragma once
#include <string>
#include <vector>

#include "afinar/collators/data_collator.h"
#include "afinar/models/generation.h"
#include "afinar/tokenizers/tokenizer.h"

namespace afinar::cli {

struct GeneratedTexts {
  std::vector<std::string> predictions;  ///< decoded without special tokens, stripped
  std::vector<std::string> references;   ///< the decoded labels, when the data has labels
  torch::Tensor ids;                     ///< (N, L) int64, batches padded with the pad id
  double gen_len = 0;                    ///< mean count of non-pad generated tokens (<prefix>_gen_len)
};

/// model.generate over `data` in batches of `batch_size` (collated by `collator`; labels are
/// scored, never fed).
GeneratedTexts generate_texts(PreTrainedModelImpl& model, const Tokenizer& tok, const Examples& data,
                              const DataCollator& collator, const GenerationConfig& gen, int64_t batch_size,
                              torch::Device device);

/// The model folder's generation_config.json with the scripts' overrides: max_length =
/// generation_max_length, else max_target_length; num_beams when given.
GenerationConfig script_generation_config(const std::string& model_name_or_path, int64_t max_target_length,
                                          std::optional<int64_t> generation_max_length, std::optional<int64_t> num_beams);

/// Python's str.strip (run_translation / run_summarization's postprocess_text).
std::string strip(const std::string& s);

/// Lines joined with "\n" after each (generated_predictions.txt).
std::string as_lines(const std::vector<std::string>& texts);

}  // namespace afinar::cli
