#include "seq2seq_generation.h"

#include <algorithm>

#include "afinar/hub/cache.h"
#include "afinar/models/batch.h"
#include "afinar/train/sampler.h"
#include "afinar/train/trainer_pt_utils.h"

namespace afinar::cli {

std::string strip(const std::string& s) {
  const char* ws = " \t\n\r\f\v";
  const size_t first = s.find_first_not_of(ws);
  return first == std::string::npos ? "" : s.substr(first, s.find_last_not_of(ws) - first + 1);
}

std::string as_lines(const std::vector<std::string>& texts) {
  std::string out;
  for (const auto& t : texts) out += t + "\n";
  return out;
}

GeneratedTexts generate_texts(PreTrainedModelImpl& model, const Tokenizer& tok, const Examples& data,
                              const DataCollator& collator, const GenerationConfig& gen, int64_t batch_size,
                              torch::Device device) {
  model.eval();
  const int32_t pad = tok.pad_token_id().value_or(0);
  const bool has_labels = data.sequences.count("labels") > 0;
  GeneratedTexts out;
  std::vector<torch::Tensor> parts;
  double gen_tokens = 0;
  SamplerOptions so;
  so.strategy = "sequential";
  so.batch_size = batch_size;
  BatchSampler sampler(static_cast<int64_t>(data.size()), so);
  sampler.set_epoch(0);
  while (const auto rows = sampler.next()) {
    ModelInputs in = to_model_inputs(collator(data, *rows), device);
    in.labels = in.decoder_input_ids = in.decoder_attention_mask = torch::Tensor();  // scored, not fed
    const torch::Tensor ids = generate(model, in, gen).to(torch::kCPU);               // (B, L) int64
    parts.push_back(ids);
    for (int64_t r = 0; r < ids.size(0); ++r) {
      const torch::Tensor row = ids[r].contiguous();
      std::vector<int32_t> v(row.data_ptr<int64_t>(), row.data_ptr<int64_t>() + row.numel());
      gen_tokens += static_cast<double>(std::count_if(v.begin(), v.end(), [&](int32_t t) { return t != pad; }));
      out.predictions.push_back(strip(tok.decode(v, /*skip_special_tokens=*/true)));
    }
    if (has_labels)
      for (int64_t r : *rows) {
        std::vector<int32_t> v = data.sequences.at("labels").row(static_cast<size_t>(r));
        for (auto& t : v) t = t == -100 ? pad : t;  // the scripts' np.where(labels != -100, labels, pad)
        out.references.push_back(strip(tok.decode(v, /*skip_special_tokens=*/true)));
      }
  }
  out.gen_len = data.size() ? gen_tokens / static_cast<double>(data.size()) : 0.0;
  // Seq2SeqTrainer pads generated batches of different lengths with the pad token id.
  if (!parts.empty()) out.ids = pad_and_concatenate(parts, pad);
  return out;
}

GenerationConfig script_generation_config(const std::string& model_name_or_path, int64_t max_target_length,
                                          std::optional<int64_t> generation_max_length, std::optional<int64_t> num_beams) {
  GenerationConfig gen =
      GenerationConfig::from_pretrained(hub::resolve_repo(model_name_or_path, hub::RepoType::Model).string());
  gen.max_length = generation_max_length.value_or(max_target_length);  // the scripts' max_length
  gen.max_new_tokens.reset();
  if (num_beams) gen.num_beams = *num_beams;
  return gen;
}

}  // namespace afinar::cli
