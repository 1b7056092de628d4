#include "seq2seq_task.h"

#include <cmath>
#include <iostream>

#include "../run_output.h"
#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/io/npy.h"

namespace afinar::cli {
namespace {

std::shared_ptr<DataCollatorForSeq2Seq> seq2seq_collator(const Tokenizer& tok, const PreTrainedModelImpl& model) {
  PadOptions pad;
  pad.pad_token_id = padding_token_id(tok, model).value_or(0);
  // Labels padded with -100; the model builds decoder_input_ids from them (shift_tokens_right).
  return std::make_shared<DataCollatorForSeq2Seq>(pad);
}

double round4(double v) { return std::round(v * 1e4) / 1e4; }

}  // namespace

void Seq2SeqTask::add_flags(TaskFlags& f, Command command) {
  f.option("--source_prefix", source_prefix_, "Text put before every source (T5: 'translate English to German: ')");
  if (command == Command::Train) {
    f.option("--max_source_length", max_source_length_, "Source truncation (tokens)", CLI::PositiveNumber);
    f.flag("--pad_to_max_length", pad_to_max_length_, "Pad sources and targets to their max lengths");
  }
  f.option("--max_target_length", max_target_length_, "Target truncation (tokens)", CLI::PositiveNumber);
  f.flag("--predict_with_generate", predict_with_generate_, "Generate for eval/predict and score the texts");
  f.option("--num_beams", num_beams_, "Beams for generate (default: generation_config.json's)", CLI::PositiveNumber);
  f.option("--generation_max_length", generation_max_length_,
           "Max length of generated outputs (default: --max_target_length)", CLI::PositiveNumber);
  add_task_flags(f, command);
}

GeneratedTexts Seq2SeqTask::generate_and_score(PreTrainedModelImpl& model, const Tokenizer& tok, const Examples& data,
                                               const DataCollator& collator, const GenerationConfig& gen,
                                               int64_t batch_size, torch::Device device, const std::string& prefix,
                                               std::map<std::string, double>& metrics) {
  GeneratedTexts g = generate_texts(model, tok, data, collator, gen, batch_size, device);
  if (!g.references.empty())
    for (const auto& [k, v] : score(g.predictions, g.references)) metrics[prefix + "_" + k] = v;
  metrics[prefix + "_gen_len"] = round4(g.gen_len);
  return g;
}

void Seq2SeqTask::train(const ScriptArguments& s, TrainingArguments args) {
  args.finalize();
  DatasetDict raw = load_raw_datasets(s);
  std::cout << raw << "\n";
  check_splits(raw, args);
  Tokenizer tok = load_tokenizer(s);
  torch::manual_seed(static_cast<uint64_t>(args.seed));
  PreTrainedModel model = AutoModelForSeq2SeqLM::from_pretrained(s.model_name_or_path);
  apply_freezing(*model, s.freeze_base_model, s.freeze_layers);
  if (model->config_json().value("model_type", "") == "t5" && source_prefix_.empty())
    std::cerr << "You're running a t5 model but didn't provide a source prefix, which is expected, e.g. with "
                 "`--source_prefix 'translate English to German: ' `\n";
  const PreparedSplits data = prepare_splits(raw, s, args, [&](const Dataset& ds, const std::string& split, bool need) {
    return preprocess(ds, split, tok, need, max_source_length_);
  });
  auto collator = seq2seq_collator(tok, *model);
  Trainer trainer(model, args, collator, data.get("train"), data.get("validation"), &tok, s.callbacks);
  trainer.add_callback(progress_callback(args));
  const GenerationConfig gen =
      script_generation_config(s.model_name_or_path, max_target_length_, generation_max_length_, num_beams_);
  const int64_t bs = args.per_device_eval_batch_size;
  run_trainer(
      trainer, args, data,
      [&](PredictionOutput& p) {
        if (!predict_with_generate_) return;
        const GeneratedTexts g =
            generate_and_score(*model, tok, *data.get("test"), *collator, gen, bs, trainer.device(), "test", p.metrics);
        write_file_atomic(fs::path(args.output_dir) / "generated_predictions.txt", as_lines(g.predictions));
      },
      [&](std::map<std::string, double>& m) {
        if (predict_with_generate_)
          generate_and_score(*model, tok, *data.get("validation"), *collator, gen, bs, trainer.device(), "eval", m);
      });
}

void Seq2SeqTask::predict(const PredictArguments& p) {
  Dataset test = load_file(p.test_file);
  AFINAR_CHECK(test.num_rows() > 0, p.test_file, ": no rows to predict");
  Tokenizer tok = AutoTokenizer::from_pretrained(p.model_name_or_path);
  PreTrainedModel model = AutoModelForSeq2SeqLM::from_pretrained(p.model_name_or_path);
  const Examples f =
      Examples::from_dataset(preprocess(test, "test", tok, /*require_targets=*/false, p.max_seq_length.value_or(1024)));
  auto collator = seq2seq_collator(tok, *model);
  Trainer trainer(model, predict_training_args(p), collator, nullptr, nullptr, &tok);
  if (!predict_with_generate_) {
    // Teacher-forced decoder logits: the decoder inputs are the shifted targets.
    AFINAR_CHECK(f.sequences.count("labels"), p.test_file,
                 ": no target texts: decoder logits need them; use --predict_with_generate to generate instead");
    const PredictionOutput out = trainer.predict(f);
    save_npy(p.output_file, out.predictions);
    std::cout << "wrote " << p.output_file << ": logits " << shape_of(out.predictions) << " (-100 = padding)\n";
    log_metrics("test", out.metrics);
    return;
  }
  const GenerationConfig gen =
      script_generation_config(p.model_name_or_path, max_target_length_, generation_max_length_, num_beams_);
  std::map<std::string, double> metrics;
  const GeneratedTexts g = generate_and_score(*model, tok, f, *collator, gen, p.per_device_eval_batch_size,
                                              trainer.device(), "test", metrics);
  const fs::path ids_file = sibling_file(p.output_file, "generated_ids");
  const fs::path txt_file = sibling_file(p.output_file, "generated_predictions", ".txt");
  save_npy(ids_file, g.ids);
  write_file_atomic(txt_file, as_lines(g.predictions));
  std::cout << "wrote " << ids_file.string() << ": generated ids " << shape_of(g.ids) << ", " << txt_file.string()
            << ": " << g.predictions.size() << " texts\n";
  log_metrics("test", metrics);
}

}  // namespace afinar::cli
