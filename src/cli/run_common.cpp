#include "run_common.h"

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/metrics/sacrebleu.h"
#include "afinar/models/freezing.h"
#include "afinar/models/generation.h"
#include "afinar/tokenizers/tokenizer.h"
#include "afinar/train/trainer_pt_utils.h"
#include "run_output.h"

namespace afinar::cli {

DatasetDict load_raw_datasets(const DataFiles& f) {
  if (!f.dataset_name.empty()) {
    AFINAR_CHECK(f.train_file.empty() && f.validation_file.empty() && f.test_file.empty(),
                 "give either --dataset_name or --train_file/--validation_file/--test_file, not both");
    return load_dataset(f.dataset_name);
  }
  AFINAR_CHECK(!f.train_file.empty() || !f.test_file.empty() || !f.validation_file.empty(),
               "no data: give --dataset_name, or --train_file / --validation_file / --test_file");
  DatasetDict dd;
  if (!f.train_file.empty()) dd.set("train", load_file(f.train_file));
  if (!f.validation_file.empty()) dd.set("validation", load_file(f.validation_file));
  if (!f.test_file.empty()) dd.set("test", load_file(f.test_file));
  return dd;
}

Dataset head(const Dataset& ds, int64_t n) {
  if (n < 0 || n >= ds.num_rows()) return ds;
  std::vector<int64_t> idx(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) idx[static_cast<size_t>(i)] = i;
  return ds.select(idx);
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t c = s.find(',', start);
    std::string part = s.substr(start, c == std::string::npos ? std::string::npos : c - start);
    if (!part.empty()) out.push_back(part);
    if (c == std::string::npos) break;
    start = c + 1;
  }
  return out;
}

void apply_freezing(const PreTrainedModel& model, bool freeze_base_model, int64_t freeze_layers) {
  // The model's own layout decides what is the base, the embeddings and the layer stacks.
  if (freeze_base_model) afinar::freeze_base_model(*model);
  if (freeze_layers > 0) afinar::freeze_layers(*model, freeze_layers);
  int64_t trainable = 0, total = 0;
  for (const auto& p : model->named_parameters()) {
    total += p.value().numel();
    if (p.value().requires_grad()) trainable += p.value().numel();
  }
  std::printf("trainable params: %lld || all params: %lld || trainable%%: %.4f\n", static_cast<long long>(trainable),
              static_cast<long long>(total), 100.0 * static_cast<double>(trainable) / static_cast<double>(total));
}

void print_non_defaults(const TrainingArguments& args) {
  const auto defaults = TrainingArguments(args.output_dir).to_json();
  std::cout << "TrainingArguments(";
  bool first = true;
  const auto current = args.to_json();
  for (const auto& [k, v] : current.items()) {
    if (k != "output_dir" && defaults.contains(k) && defaults[k] == v) continue;
    std::cout << (first ? "" : ", ") << k << "=" << v.dump();
    first = false;
  }
  std::cout << ")  [other fields at transformers' defaults; all in " << args.output_dir << "/training_args.json]\n";
}

void check_splits(const DatasetDict& raw, const TrainingArguments& args) {
  AFINAR_CHECK(args.do_train || args.do_eval || args.do_predict,
               "nothing to do: give --do_train, --do_eval and/or --do_predict");
  AFINAR_CHECK(!args.do_train || raw.contains("train"),
               "--do_train requires a train split; splits found: ", raw.repr());
  AFINAR_CHECK(!args.do_eval || raw.contains("validation"),
               "--do_eval requires a validation split (or --validation_file)");
  AFINAR_CHECK(!args.do_predict || raw.contains("test"), "--do_predict requires a test split (or --test_file)");
}

void run_trainer(Trainer& trainer, const TrainingArguments& args, const std::map<std::string, Examples>& data,
                 const std::function<void(PredictionOutput&)>& on_predict,
                 const std::function<void(std::map<std::string, double>&)>& extra_eval) {
  print_non_defaults(trainer.args());
  fs::create_directories(args.output_dir);
  write_file_atomic(fs::path(args.output_dir) / "training_args.json", trainer.args().to_json().dump(2) + "\n");
  if (args.do_train) {
    TrainOutput out = trainer.train();
    trainer.save_model(args.output_dir);
    auto m = out.metrics;
    m["train_samples"] = static_cast<double>(data.at("train").size());
    log_metrics("train", m);
    save_metrics(args.output_dir, "train", m);
    trainer.state().save_to_json(fs::path(args.output_dir) / "trainer_state.json");
  }
  if (args.do_eval) {
    auto m = trainer.evaluate();
    m["eval_samples"] = static_cast<double>(data.at("validation").size());
    if (extra_eval) extra_eval(m);
    log_metrics("eval", m);
    save_metrics(args.output_dir, "eval", m);
  }
  if (args.do_predict) {
    PredictionOutput p = trainer.predict(data.at("test"));
    if (on_predict) on_predict(p);
    p.metrics["test_samples"] = static_cast<double>(data.at("test").size());
    log_metrics("test", p.metrics);
    save_metrics(args.output_dir, "test", p.metrics);
  }
}

/// run_translation's postprocess_text: surrounding whitespace removed (Python's str.strip).
std::string strip(const std::string& s) {
  const char* ws = " \t\n\r\f\v";
  const size_t first = s.find_first_not_of(ws);
  return first == std::string::npos ? "" : s.substr(first, s.find_last_not_of(ws) - first + 1);
}

std::vector<std::string> generate_and_score(PreTrainedModelImpl& model, const Tokenizer& tok, const Examples& data,
                                            const DataCollator& collator, const GenerationConfig& gen,
                                            int64_t batch_size, torch::Device device, const std::string& prefix,
                                            std::map<std::string, double>& metrics, torch::Tensor* generated_ids) {
  model.eval();
  std::vector<torch::Tensor> id_parts;
  const int64_t n = static_cast<int64_t>(data.size());
  std::vector<int64_t> rows(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) rows[static_cast<size_t>(i)] = i;
  const int32_t pad = tok.pad_token_id().value_or(0);
  SacreBleu bleu;
  std::vector<std::string> texts;
  double gen_tokens = 0;
  const bool has_labels = data.sequences.count("labels") > 0;
  for (int64_t lo = 0; lo < n; lo += batch_size) {
    const int64_t hi = std::min(n, lo + batch_size);
    Batch b = collator(data, std::span<const int64_t>(rows.data() + lo, static_cast<size_t>(hi - lo)));
    ModelInputs in;
    in.input_ids = b.at("input_ids").to(device);
    in.attention_mask = b.at("attention_mask").to(device);
    torch::Tensor out = generate(model, in, gen).to(torch::kCPU);  // (B, L) int64
    if (generated_ids) id_parts.push_back(out);
    std::vector<std::string> preds;
    for (int64_t r = 0; r < out.size(0); ++r) {
      auto row = out[r];
      std::vector<int32_t> ids(row.data_ptr<int64_t>(), row.data_ptr<int64_t>() + row.numel());
      gen_tokens += static_cast<double>(std::count_if(ids.begin(), ids.end(), [&](int32_t t) { return t != pad; }));
      preds.push_back(strip(tok.decode(ids, /*skip_special_tokens=*/true)));
    }
    if (has_labels) {
      std::vector<std::vector<std::string>> refs;
      for (int64_t r = lo; r < hi; ++r) {
        std::vector<int32_t> ids;
        for (int32_t t : data.sequences.at("labels")[static_cast<size_t>(r)]) ids.push_back(t == -100 ? pad : t);
        refs.push_back({strip(tok.decode(ids, /*skip_special_tokens=*/true))});
      }
      bleu.add(preds, refs);
    }
    texts.insert(texts.end(), preds.begin(), preds.end());
  }
  if (has_labels) metrics[prefix + "_bleu"] = bleu.compute().score;
  metrics[prefix + "_gen_len"] = n ? gen_tokens / static_cast<double>(n) : 0.0;
  // Seq2SeqTrainer pads generated batches of different lengths with the pad token id.
  if (generated_ids && !id_parts.empty()) *generated_ids = pad_and_concatenate(id_parts, pad);
  return texts;
}

}  // namespace afinar::cli
