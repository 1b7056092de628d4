#include "run_common.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <sstream>

#include "../run_output.h"
#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/models/freezing.h"

namespace afinar::cli {

DatasetDict load_raw_datasets(const ScriptArguments& s) {
  if (!s.dataset_name.empty()) {
    AFINAR_CHECK(s.train_file.empty() && s.validation_file.empty() && s.test_file.empty(),
                 "give either --dataset_name or --train_file/--validation_file/--test_file, not both");
    return load_dataset(s.dataset_name);
  }
  AFINAR_CHECK(!s.train_file.empty() || !s.test_file.empty() || !s.validation_file.empty(),
               "no data: give --dataset_name, or --train_file / --validation_file / --test_file");
  DatasetDict dd;
  if (!s.train_file.empty()) dd.set("train", load_file(s.train_file));
  if (!s.validation_file.empty()) dd.set("validation", load_file(s.validation_file));
  if (!s.test_file.empty()) dd.set("test", load_file(s.test_file));
  return dd;
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

Dataset head(const Dataset& ds, int64_t n) {
  if (n < 0 || n >= ds.num_rows()) return ds;
  std::vector<int64_t> idx(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) idx[static_cast<size_t>(i)] = i;
  return ds.select(idx);
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string part; std::getline(in, part, ',');)
    if (!part.empty()) out.push_back(part);
  return out;
}

const Dataset& first_split(const DatasetDict& raw) {
  return raw.contains("train") ? raw["train"] : raw.contains("validation") ? raw["validation"] : raw["test"];
}

Tokenizer load_tokenizer(const ScriptArguments& s) {
  return AutoTokenizer::from_pretrained(s.tokenizer_name.empty() ? s.model_name_or_path : s.tokenizer_name);
}

std::optional<int32_t> padding_token_id(const Tokenizer& tok, const PreTrainedModelImpl& model) {
  if (auto id = tok.pad_token_id()) return id;
  const auto cfg = model.config_json();
  if (cfg.contains("pad_token_id") && cfg["pad_token_id"].is_number_integer())
    return cfg["pad_token_id"].get<int32_t>();
  return std::nullopt;
}

void apply_freezing(PreTrainedModelImpl& model, bool freeze_base, int64_t freeze_n) {
  if (freeze_base) freeze_base_model(model);
  if (freeze_n > 0) freeze_layers(model, freeze_n);
  int64_t trainable = 0, total = 0;
  for (const auto& p : model.parameters()) {
    total += p.numel();
    if (p.requires_grad()) trainable += p.numel();
  }
  std::printf("trainable params: %lld || all params: %lld || trainable%%: %.4f\n", static_cast<long long>(trainable),
              static_cast<long long>(total), 100.0 * static_cast<double>(trainable) / static_cast<double>(total));
}

std::shared_ptr<TrainerCallback> progress_callback(const TrainingArguments& args) {
  return std::make_shared<ProgressCallback>(std::cout, !args.disable_tqdm && ::isatty(STDOUT_FILENO));
}

const Examples* PreparedSplits::get(const std::string& split) const {
  auto it = examples.find(split);
  return it == examples.end() ? nullptr : &it->second;
}

void PreparedSplits::set(const std::string& split, Dataset ds) {
  examples[split] = Examples::from_dataset(ds);
  features[split] = std::move(ds);
}

PreparedSplits prepare_splits(const DatasetDict& raw, const ScriptArguments& s, const TrainingArguments& args,
                              const std::function<Dataset(const Dataset&, const std::string&, bool)>& fn) {
  PreparedSplits out;
  if (args.do_train) out.set("train", fn(head(raw["train"], s.max_train_samples), "train", true));
  if (args.do_eval) out.set("validation", fn(head(raw["validation"], s.max_eval_samples), "validation", true));
  if (args.do_predict) out.set("test", fn(head(raw["test"], s.max_predict_samples), "test", false));
  return out;
}

namespace {
/// TrainingArguments(...) with the fields that differ from transformers' defaults.
void print_non_defaults(const TrainingArguments& args) {
  const auto defaults = TrainingArguments(args.output_dir).to_json();
  std::cout << "TrainingArguments(";
  bool first = true;
  const auto current = args.to_json();  // kept: items() refers to it
  for (const auto& [k, v] : current.items()) {
    if (k != "output_dir" && defaults.contains(k) && defaults[k] == v) continue;
    std::cout << (first ? "" : ", ") << k << "=" << v.dump();
    first = false;
  }
  std::cout << ")  [other fields at transformers' defaults; all in " << args.output_dir << "/training_args.json]\n";
}
}  // namespace

void run_trainer(Trainer& trainer, const TrainingArguments& args, const PreparedSplits& data,
                 const std::function<void(PredictionOutput&)>& on_predict,
                 const std::function<void(std::map<std::string, double>&)>& extra_eval) {
  print_non_defaults(trainer.args());
  fs::create_directories(args.output_dir);
  write_file_atomic(fs::path(args.output_dir) / "training_args.json", trainer.args().to_json().dump(2) + "\n");
  if (args.do_train) {
    TrainOutput out = trainer.train();
    trainer.save_model(args.output_dir);
    auto m = out.metrics;
    m["train_samples"] = static_cast<double>(data.get("train")->size());
    log_metrics("train", m);
    save_metrics(args.output_dir, "train", m);
    trainer.state().save_to_json(fs::path(args.output_dir) / "trainer_state.json");
  }
  if (args.do_eval) {
    auto m = trainer.evaluate();
    m["eval_samples"] = static_cast<double>(data.get("validation")->size());
    if (extra_eval) extra_eval(m);
    log_metrics("eval", m);
    save_metrics(args.output_dir, "eval", m);
  }
  if (args.do_predict) {
    PredictionOutput p = trainer.predict(*data.get("test"));
    if (on_predict) on_predict(p);
    p.metrics["test_samples"] = static_cast<double>(data.get("test")->size());
    log_metrics("test", p.metrics);
    save_metrics(args.output_dir, "test", p.metrics);
  }
}

TrainingArguments predict_training_args(const PredictArguments& p) {
  TrainingArguments args("predict");
  args.per_device_eval_batch_size = p.per_device_eval_batch_size;
  args.use_cpu = p.use_cpu;
  return args;
}

fs::path sibling_file(const std::string& output_file, const std::string& what, const std::string& extension) {
  fs::path p(output_file);
  return p.parent_path() / (p.stem().string() + "_" + what + extension);
}

std::string shape_of(const torch::Tensor& t) {
  std::ostringstream s;
  s << "[";
  for (int64_t d = 0; d < t.dim(); ++d) s << (d ? ", " : "") << t.size(d);
  return s.str() + "]";
}

std::vector<std::string> label_names(const PreTrainedModelImpl& model, const std::string& source) {
  const auto id2label = model.config_json().value("id2label", nlohmann::json::object());
  AFINAR_CHECK(!id2label.empty(), source, "/config.json: no id2label, cannot tell the number of labels");
  std::vector<std::string> names(id2label.size());
  for (const auto& [id, name] : id2label.items()) {
    const size_t i = std::stoul(id);
    AFINAR_CHECK(i < names.size(), source, "/config.json: id2label key ", id, " is not in 0..", names.size() - 1);
    names[i] = name.get<std::string>();
  }
  return names;
}

}  // namespace afinar::cli
