#include "tasks.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <iostream>

#include "afinar/collators/language_modeling.h"
#include "afinar/collators/seq2seq.h"
#include "afinar/collators/token_classification.h"
#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/hub/cache.h"
#include "afinar/models/generation.h"
#include "afinar/tokenizers/tokenizer.h"
#include "afinar/train/language_modeling.h"
#include "afinar/train/token_classification.h"
#include "afinar/train/trainer.h"
#include "afinar/train/translation.h"
#include "run_output.h"

namespace afinar::cli {
namespace {

std::shared_ptr<ProgressCallback> progress(const TrainingArguments& args) {
  return std::make_shared<ProgressCallback>(std::cout, !args.disable_tqdm && ::isatty(STDOUT_FILENO));
}

Tokenizer load_tokenizer(const TaskOptions& o) {
  return AutoTokenizer::from_pretrained(o.tokenizer_name.empty() ? o.model_name_or_path : o.tokenizer_name);
}

/// run_mlm / run_clm's compute_metrics: token accuracy of argmax(logits) where labels != -100;
/// causal LM compares position t's prediction with label t+1. logits (B, T, V), labels (B, T).
class LmAccuracy : public MetricAccumulator {
 public:
  explicit LmAccuracy(bool shift) : shift_(shift) {}
  void add(const torch::Tensor& logits, const torch::Tensor& labels) override {
    auto pred = logits.argmax(-1);
    auto lab = labels.to(pred.device());
    if (shift_) {
      pred = pred.slice(1, 0, pred.size(1) - 1);
      lab = lab.slice(1, 1);
    }
    auto keep = lab != -100;
    correct_ += (pred.eq(lab) & keep).sum().item<int64_t>();
    total_ += keep.sum().item<int64_t>();
  }
  std::map<std::string, double> compute() const override {
    return {{"accuracy", total_ ? static_cast<double>(correct_) / static_cast<double>(total_) : 0.0}};
  }

 private:
  bool shift_;
  int64_t correct_ = 0, total_ = 0;
};

std::map<std::string, Examples> prepare(const DatasetDict& raw, const TaskOptions& o, const TrainingArguments& args,
                                        const std::function<Dataset(const Dataset&, const std::string&, bool)>& fn) {
  std::map<std::string, Examples> data;
  auto put = [&](const std::string& split, int64_t limit, bool need) {
    data[split] = Examples::from_dataset(fn(head(raw[split], limit), split, need));
  };
  if (args.do_train) put("train", o.max_train_samples, true);
  if (args.do_eval) put("validation", o.max_eval_samples, true);
  if (args.do_predict) put("test", o.max_predict_samples, false);
  return data;
}

}  // namespace

void run_token_classification(const TaskOptions& o, TrainingArguments args) {
  args.finalize();
  DatasetDict raw = load_raw_datasets(o.files);
  std::cout << raw << "\n";
  check_splits(raw, args);
  const Dataset& first = raw.contains("train")        ? raw["train"]
                         : raw.contains("validation") ? raw["validation"]
                                                      : raw["test"];
  const auto cols = first.column_names();
  // run_ner's defaults: "tokens" else the first column; "ner_tags" else the second.
  TokenClassificationPreprocessing pre;
  pre.text_column_name = !o.text_column_name.empty()  ? o.text_column_name
                         : first.has_column("tokens") ? "tokens"
                                                      : cols.at(0);
  pre.label_column_name = !o.label_column_name.empty()   ? o.label_column_name
                          : first.has_column("ner_tags") ? "ner_tags"
                          : cols.size() > 1              ? cols[1]
                                                         : "ner_tags";
  pre.label_all_tokens = o.label_all_tokens;
  pre.pad_to_max_length = o.pad_to_max_length;
  if (o.max_seq_length) pre.max_seq_length = static_cast<size_t>(*o.max_seq_length);

  Tokenizer tok = load_tokenizer(o);
  std::vector<std::string> labels = get_token_label_list(first, pre.label_column_name);
  torch::manual_seed(static_cast<uint64_t>(args.seed));
  FromPretrainedOptions mo;
  mo.id2label = labels;
  PreTrainedModel model = AutoModelForTokenClassification::from_pretrained(o.model_name_or_path, mo);
  apply_freezing(model, o.freeze_base_model, o.freeze_layers);

  auto data = prepare(raw, o, args, [&](const Dataset& ds, const std::string& split, bool need) {
    return preprocess_token_classification(ds, split, tok, pre, labels, need);
  });
  PadOptions pad;
  pad.pad_token_id = tok.pad_token_id().value_or(0);
  auto collator = std::make_shared<DataCollatorForTokenClassification>(pad);
  Trainer trainer(model, args, collator, data.count("train") ? &data["train"] : nullptr,
                  data.count("validation") ? &data["validation"] : nullptr, &tok);
  trainer.set_compute_metrics(seqeval_metrics(labels, o.return_entity_level_metrics));
  trainer.add_callback(progress(args));
  for (const auto& cb : o.callbacks) trainer.add_callback(cb);
  run_trainer(trainer, args, data, [&](const PredictionOutput& p) {
    // run_ner's predictions.txt: per example, the predicted labels of the labelled positions.
    auto pred = p.predictions.argmax(-1);
    std::string txt;
    const auto& ex_labels =
        data["test"].sequences.count("labels") ? data["test"].sequences["labels"] : data["test"].sequences["input_ids"];
    for (int64_t i = 0; i < pred.size(0); ++i) {
      const auto& l = ex_labels[static_cast<size_t>(i)];
      std::string line;
      for (size_t t = 0; t < l.size() && static_cast<int64_t>(t) < pred.size(1); ++t) {
        if (data["test"].sequences.count("labels") ? l[t] == -100 : false) continue;
        line +=
            (line.empty() ? "" : " ") + labels[static_cast<size_t>(pred[i][static_cast<int64_t>(t)].item<int64_t>())];
      }
      txt += line + "\n";
    }
    write_file_atomic(fs::path(args.output_dir) / "predictions.txt", txt);
  });
}

void run_language_modeling(const TaskOptions& o, TrainingArguments args, bool mlm) {
  args.finalize();
  DatasetDict raw = load_raw_datasets(o.files);
  std::cout << raw << "\n";
  AFINAR_CHECK(!args.do_predict, "--do_predict is not part of ", mlm ? "run_mlm" : "run_clm",
               ": use --do_eval (perplexity)");
  check_splits(raw, args);
  const Dataset& first = raw.contains("train") ? raw["train"] : raw["validation"];
  const std::string text_column = first.has_column("text") ? "text" : first.column_names().at(0);

  Tokenizer tok = load_tokenizer(o);
  torch::manual_seed(static_cast<uint64_t>(args.seed));
  PreTrainedModel model = mlm ? AutoModelForMaskedLM::from_pretrained(o.model_name_or_path)
                              : AutoModelForCausalLM::from_pretrained(o.model_name_or_path);
  apply_freezing(model, o.freeze_base_model, o.freeze_layers);
  const auto config = model->config_json();
  // run_clm: block_size = model_max_length, capped at 1024 when beyond max_position_embeddings;
  // run_mlm: max_seq_length = model_max_length capped at 1024 (the same rule).
  const int64_t max_pos = config.value("max_position_embeddings", config.value("n_positions", int64_t{1024}));
  auto fit = [&](std::optional<int64_t> asked) {
    const auto model_max = static_cast<int64_t>(std::min<size_t>(tok.model_max_length(), size_t{1} << 40));
    if (asked) return std::min(*asked, model_max);
    return model_max > max_pos ? std::min<int64_t>(1024, max_pos) : model_max;
  };
  const int64_t block = fit(mlm ? o.max_seq_length : o.block_size);

  // run_mlm / run_clm apply --max_*_samples to the grouped blocks (or lines), not to the raw rows.
  TaskOptions all_rows = o;
  all_rows.max_train_samples = all_rows.max_eval_samples = -1;
  auto data = prepare(raw, all_rows, args, [&](const Dataset& ds, const std::string&, bool) {
    LmTokenizeOptions t;
    t.special_tokens_mask = mlm;
    if (mlm && o.line_by_line) {
      t.skip_empty_lines = true;
      t.truncate_to = static_cast<size_t>(block);
      return tokenize_texts(ds, text_column, tok, t);
    }
    return group_texts(tokenize_texts(ds, text_column, tok, t), static_cast<size_t>(block), false);
  });
  auto keep_first = [](Examples& ex, int64_t n) {
    if (n >= 0) ex = ex.head(static_cast<size_t>(n));
  };
  if (data.count("train")) keep_first(data["train"], o.max_train_samples);
  if (data.count("validation")) keep_first(data["validation"], o.max_eval_samples);
  LanguageModelingOptions lm;
  lm.mlm = mlm;
  lm.mlm_probability = o.mlm_probability;
  lm.pad_token_id = tok.pad_token_id().value_or(0);
  lm.vocab_size = static_cast<int64_t>(tok.vocab_size());
  if (mlm) {
    lm.mask_token_id = tok.token_to_id("[MASK]") ? tok.token_to_id("[MASK]") : tok.token_to_id("<mask>");
    AFINAR_CHECK(lm.mask_token_id.has_value(), "fill-mask needs a mask token ([MASK] or <mask>) in the tokenizer");
    lm.special_token_ids = tok.all_special_ids();
  }
  Trainer trainer(model, args, std::make_shared<DataCollatorForLanguageModeling>(lm),
                  data.count("train") ? &data["train"] : nullptr,
                  data.count("validation") ? &data["validation"] : nullptr, &tok);
  trainer.set_compute_metrics([mlm] { return std::make_unique<LmAccuracy>(!mlm); });
  trainer.add_callback(progress(args));
  for (const auto& cb : o.callbacks) trainer.add_callback(cb);
  run_trainer(trainer, args, data, nullptr, [](std::map<std::string, double>& m) {
    // run_clm/run_mlm: perplexity = exp(eval_loss), inf on overflow.
    const double loss = m.at("eval_loss");
    m["perplexity"] = loss > 709 ? INFINITY : std::exp(loss);
  });
}

void run_translation(const TaskOptions& o, TrainingArguments args) {
  args.finalize();
  DatasetDict raw = load_raw_datasets(o.files);
  std::cout << raw << "\n";
  check_splits(raw, args);
  Tokenizer tok = load_tokenizer(o);
  torch::manual_seed(static_cast<uint64_t>(args.seed));
  PreTrainedModel model = AutoModelForSeq2SeqLM::from_pretrained(o.model_name_or_path);
  apply_freezing(model, o.freeze_base_model, o.freeze_layers);
  const auto config = model->config_json();
  if (config.value("model_type", "") == "t5" && o.source_prefix.empty())
    std::cerr << "You're running a t5 model but didn't provide a source prefix, which is expected, e.g. with "
                 "`--source_prefix 'translate English to German: ' `\n";

  TranslationPreprocessing pre;
  pre.source_lang = o.source_lang;
  pre.target_lang = o.target_lang;
  pre.source_prefix = o.source_prefix;
  pre.max_source_length = static_cast<size_t>(o.max_source_length);
  pre.max_target_length = static_cast<size_t>(o.max_target_length);
  pre.pad_to_max_length = o.pad_to_max_length;
  auto data = prepare(raw, o, args, [&](const Dataset& ds, const std::string& split, bool need) {
    return preprocess_translation(ds, split, tok, pre, need);
  });
  PadOptions pad;
  pad.pad_token_id = tok.pad_token_id().value_or(0);
  // Labels padded with -100; the model builds decoder_input_ids from them (shift_tokens_right).
  auto collator = std::make_shared<DataCollatorForSeq2Seq>(pad);
  Trainer trainer(model, args, collator, data.count("train") ? &data["train"] : nullptr,
                  data.count("validation") ? &data["validation"] : nullptr, &tok);
  trainer.add_callback(progress(args));
  for (const auto& cb : o.callbacks) trainer.add_callback(cb);

  GenerationConfig gen =
      GenerationConfig::from_pretrained(hub::resolve_repo(o.model_name_or_path, hub::RepoType::Model).string());
  gen.max_length = o.generation_max_length.value_or(o.max_target_length);  // run_translation's max_length
  gen.max_new_tokens.reset();
  if (o.num_beams) gen.num_beams = *o.num_beams;
  const int64_t eval_bs = args.per_device_eval_batch_size;
  run_trainer(
      trainer, args, data,
      [&](PredictionOutput& p) {
        if (!o.predict_with_generate) return;
        auto texts =
            generate_and_score(*model, tok, data["test"], *collator, gen, eval_bs, trainer.device(), "test", p.metrics);
        std::string txt;
        for (const auto& t : texts) txt += t + "\n";
        write_file_atomic(fs::path(args.output_dir) / "generated_predictions.txt", txt);
      },
      [&](std::map<std::string, double>& m) {
        if (o.predict_with_generate)
          generate_and_score(*model, tok, data["validation"], *collator, gen, eval_bs, trainer.device(), "eval", m);
      });
}

}  // namespace afinar::cli
