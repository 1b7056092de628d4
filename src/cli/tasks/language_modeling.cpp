// --task fill-mask (run_mlm.py) and --task text-generation (run_clm.py): texts tokenized and
// grouped into blocks (or, run_mlm --line_by_line, one example per line), DataCollatorFor-
// LanguageModeling (masking for MLM), token accuracy and perplexity. Predict: logits [N, T, vocab]
// and the argmax token ids [N, T].
#include "afinar/collators/language_modeling.h"

#include <cmath>
#include <iostream>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/io/npy.h"
#include "afinar/train/language_modeling.h"
#include "run_common.h"
#include "tasks.h"

namespace afinar::cli {
namespace {

/// run_clm / run_mlm's text column: "text", else the first.
std::string text_column(const Dataset& ds) {
  return ds.has_column("text") ? "text" : ds.column_names().at(0);
}

/// Per token argmax of logits (N, T, V) → (N, T) int64; positions past example i's length -100.
torch::Tensor token_argmax(const torch::Tensor& logits, const Examples& ex) {
  torch::Tensor ids = logits.argmax(-1);
  const SequenceColumn& rows = ex.sequences.at("input_ids");
  for (int64_t i = 0; i < ids.size(0); ++i)
    ids[i].slice(0, static_cast<int64_t>(rows[static_cast<size_t>(i)].size())).fill_(-100);
  return ids;
}

class LanguageModeling : public Task {
 public:
  explicit LanguageModeling(bool mlm) : mlm_(mlm) {}
  std::string_view name() const override { return mlm_ ? "fill-mask" : "text-generation"; }
  std::string_view description() const override { return mlm_ ? "run_mlm.py" : "run_clm.py"; }

  void add_flags(TaskFlags& f, Command command) override {
    if (command == Command::Predict) return;
    if (mlm_) {
      f.option("--mlm_probability", mlm_probability_, "Share of tokens masked", CLI::Range(0.0, 1.0));
      f.option("--max_seq_length", max_seq_length_, "Tokens per block (or per line with --line_by_line)",
               CLI::PositiveNumber);
      f.flag("--line_by_line", line_by_line_, "One example per non-empty line instead of blocks");
    } else {
      f.option("--block_size", block_size_, "Tokens per training block", CLI::PositiveNumber);
    }
  }

  void train(const ScriptArguments& s, TrainingArguments args) override {
    args.finalize();
    DatasetDict raw = load_raw_datasets(s);
    std::cout << raw << "\n";
    AFINAR_CHECK(!args.do_predict, "--do_predict is not part of ", description(), ": use --do_eval (perplexity)");
    check_splits(raw, args);
    const std::string column = text_column(first_split(raw));
    Tokenizer tok = load_tokenizer(s);
    torch::manual_seed(static_cast<uint64_t>(args.seed));
    PreTrainedModel model = mlm_ ? AutoModelForMaskedLM::from_pretrained(s.model_name_or_path)
                                 : AutoModelForCausalLM::from_pretrained(s.model_name_or_path);
    apply_freezing(*model, s.freeze_base_model, s.freeze_layers);
    const int64_t block = block_length(tok, *model, mlm_ ? max_seq_length_ : block_size_);

    // run_mlm / run_clm apply --max_*_samples to the grouped blocks (or lines), not to the raw rows.
    ScriptArguments all_rows = s;
    all_rows.max_train_samples = all_rows.max_eval_samples = -1;
    PreparedSplits data = prepare_splits(raw, all_rows, args, [&](const Dataset& ds, const std::string&, bool) {
      LmTokenizeOptions t;
      t.special_tokens_mask = mlm_;
      if (mlm_ && line_by_line_) {
        t.skip_empty_lines = true;
        t.truncate_to = static_cast<size_t>(block);
        return tokenize_texts(ds, column, tok, t);
      }
      return group_texts(tokenize_texts(ds, column, tok, t), static_cast<size_t>(block), /*copy_labels=*/false);
    });
    for (const auto& [split, n] : {std::pair{"train", s.max_train_samples}, {"validation", s.max_eval_samples}})
      if (n >= 0 && data.examples.count(split))
        data.examples[split] = data.examples[split].head(static_cast<size_t>(n));

    LanguageModelingOptions lm;
    lm.mlm = mlm_;
    lm.mlm_probability = mlm_probability_;
    lm.pad_token_id = padding_token_id(tok, *model).value_or(0);
    lm.vocab_size = static_cast<int64_t>(tok.vocab_size());
    if (mlm_) {
      lm.mask_token_id = tok.token_to_id("[MASK]") ? tok.token_to_id("[MASK]") : tok.token_to_id("<mask>");
      AFINAR_CHECK(lm.mask_token_id.has_value(), "fill-mask needs a mask token ([MASK] or <mask>) in the tokenizer");
      lm.special_token_ids = tok.all_special_ids();
    }
    Trainer trainer(model, args, std::make_shared<DataCollatorForLanguageModeling>(lm), data.get("train"),
                    data.get("validation"), &tok, s.callbacks);
    trainer.set_compute_metrics(lm_accuracy_metrics(/*shift=*/model->shifts_labels()));
    trainer.add_callback(progress_callback(args));
    run_trainer(trainer, args, data, nullptr, [](std::map<std::string, double>& m) {
      // run_clm/run_mlm: perplexity = exp(eval_loss), inf on overflow.
      const double loss = m.at("eval_loss");
      m["perplexity"] = loss > 709 ? INFINITY : std::exp(loss);
    });
  }

  void predict(const PredictArguments& p) override {
    Dataset test = load_file(p.test_file);
    AFINAR_CHECK(test.num_rows() > 0, p.test_file, ": no rows to predict");
    Tokenizer tok = AutoTokenizer::from_pretrained(p.model_name_or_path);
    PreTrainedModel model = mlm_ ? AutoModelForMaskedLM::from_pretrained(p.model_name_or_path)
                                 : AutoModelForCausalLM::from_pretrained(p.model_name_or_path);
    LmTokenizeOptions t;
    t.truncate_to = static_cast<size_t>(p.max_seq_length.value_or(128));
    const Examples f = Examples::from_dataset(tokenize_texts(test, text_column(test), tok, t));
    Trainer trainer(model, predict_training_args(p),
                    std::make_shared<DataCollatorWithPadding>(padding_token_id(tok, *model).value_or(0)), nullptr,
                    nullptr, &tok);
    const PredictionOutput out = trainer.predict(f);
    save_npy(p.output_file, out.predictions);
    const fs::path ids_file = sibling_file(p.output_file, "token_ids");
    const torch::Tensor ids = token_argmax(out.predictions, f);  // (N, T)
    save_npy(ids_file, ids);
    std::cout << "wrote " << p.output_file << ": logits " << shape_of(out.predictions) << " (-100 = padding), "
              << ids_file.string() << ": argmax token ids " << shape_of(ids) << " ("
              << (mlm_ ? "the token at each position" : "position t predicts token t+1") << ")\n";
  }

 private:
  /// run_clm's block_size / run_mlm's max_seq_length: asked, capped at model_max_length; unset:
  /// model_max_length, capped at 1024 when beyond max_position_embeddings.
  static int64_t block_length(const Tokenizer& tok, const PreTrainedModelImpl& model, std::optional<int64_t> asked) {
    const auto config = model.config_json();
    const int64_t max_pos = config.value("max_position_embeddings", config.value("n_positions", int64_t{1024}));
    const auto model_max = static_cast<int64_t>(std::min<size_t>(tok.model_max_length(), size_t{1} << 40));
    if (asked) return std::min(*asked, model_max);
    return model_max > max_pos ? std::min<int64_t>(1024, max_pos) : model_max;
  }

  bool mlm_;
  double mlm_probability_ = 0.15;
  bool line_by_line_ = false;
  std::optional<int64_t> block_size_, max_seq_length_;
};

}  // namespace

std::unique_ptr<Task> make_fill_mask_task() {
  return std::make_unique<LanguageModeling>(/*mlm=*/true);
}
std::unique_ptr<Task> make_text_generation_task() {
  return std::make_unique<LanguageModeling>(/*mlm=*/false);
}

}  // namespace afinar::cli
