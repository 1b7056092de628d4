// `afinar predict`: a fine-tuned model's outputs on a file, as float32 .npy, for every task head
// (HF Trainer.predict's predictions), with the task's metrics when the file has labels:
//   text-classification   logits [N, num_labels]; accuracy/F1
//   token-classification  logits [N, T, num_labels]; seqeval (run_ner's compute_metrics)
//   fill-mask             logits [N, T, vocab] + argmax token ids [N, T] (int64)
//   text-generation       the same, from a causal LM (position t predicts token t+1)
//   question-answering    start_logits, end_logits [N, T]
//   translation           decoder logits [N, Td, vocab] (needs the targets), or with
//                         --predict_with_generate the generated ids [N, L] (int64, pad-padded)
//                         + decoded texts, one a line, and BLEU when the targets are there
// T is the longest batch; shorter batches are padded with -100 as HF's nested_concat pads them
// (inside a batch, padded positions carry the model's outputs, as in HF).
#include <iostream>
#include <sstream>

#include "afinar/collators/seq2seq.h"
#include "afinar/collators/token_classification.h"
#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/data/load_dataset.h"
#include "afinar/hub/cache.h"
#include "afinar/io/npy.h"
#include "afinar/models/modeling.h"
#include "afinar/tokenizers/tokenizer.h"
#include "afinar/train/language_modeling.h"
#include "afinar/train/text_classification.h"
#include "afinar/train/token_classification.h"
#include "afinar/train/trainer.h"
#include "afinar/train/trainer_pt_utils.h"
#include "afinar/train/translation.h"
#include "commands.h"
#include "run_common.h"
#include "run_output.h"

namespace afinar::cli {
namespace {

const std::vector<std::string> kTasks = {"text-classification", "token-classification", "fill-mask",
                                         "text-generation",     "question-answering",   "translation"};

struct PredictOptions {
  std::string task = "text-classification";
  std::string model_name_or_path, test_file, output_file = "logits.npy";
  std::string text_column_names, label_column_name;  ///< "" = the task's default
  std::string question_column_name = "question", context_column_name = "context";
  int64_t max_seq_length = 128, per_device_eval_batch_size = 8;
  bool use_cpu = false;
  // translation (run_translation's flags; --max_seq_length is the source length)
  std::string source_lang, target_lang, source_prefix;
  int64_t max_target_length = 128;
  bool predict_with_generate = false;
  std::optional<int64_t> num_beams, generation_max_length;
};

/// The model's id2label as a list ordered by id; FormatError naming config.json when absent.
std::vector<std::string> label_names(const PreTrainedModel& model, const std::string& source) {
  const auto id2label = model->config_json().value("id2label", nlohmann::json::object());
  AFINAR_CHECK(!id2label.empty(), source, "/config.json: no id2label, cannot tell the number of labels");
  std::vector<std::string> names(id2label.size());
  for (const auto& [id, name] : id2label.items()) {
    const size_t i = std::stoul(id);
    AFINAR_CHECK(i < names.size(), source, "/config.json: id2label key ", id, " is not in 0..", names.size() - 1);
    names[i] = name.get<std::string>();
  }
  return names;
}

/// "out/x.npy" + "start_logits" → "out/x_start_logits.npy".
fs::path sibling(const std::string& output_file, const std::string& what) {
  fs::path p(output_file);
  return p.parent_path() / (p.stem().string() + "_" + what + ".npy");
}

std::string shape_of(const torch::Tensor& t) {
  std::ostringstream s;
  s << "[";
  for (int64_t d = 0; d < t.dim(); ++d) s << (d ? ", " : "") << t.size(d);
  return s.str() + "]";
}

TrainingArguments predict_args(const PredictOptions& o) {
  TrainingArguments args("predict");
  args.per_device_eval_batch_size = o.per_device_eval_batch_size;
  args.use_cpu = o.use_cpu;
  return args;
}

/// Per token argmax of logits (N, T, V) → (N, T) int64; positions past example i's length -100.
torch::Tensor token_argmax(const torch::Tensor& logits, const Examples& ex) {
  auto ids = logits.argmax(-1);
  const auto& rows = ex.sequences.at("input_ids");
  for (int64_t i = 0; i < ids.size(0); ++i) ids[i].slice(0, static_cast<int64_t>(rows[i].size())).fill_(-100);
  return ids;
}

/// The text column: --text_column_names, else `fallback` when the file has it, else the first.
std::string text_column(const PredictOptions& o, const Dataset& ds, const std::string& fallback) {
  if (!o.text_column_names.empty()) return o.text_column_names;
  return ds.has_column(fallback) ? fallback : ds.column_names().at(0);
}

void predict_text_classification(const PredictOptions& o, const Dataset& test, const Tokenizer& tok) {
  PreTrainedModel model = AutoModelForSequenceClassification::from_pretrained(o.model_name_or_path);
  const int64_t num_labels = static_cast<int64_t>(label_names(model, o.model_name_or_path).size());
  std::vector<int64_t> labels(num_labels);
  for (int64_t i = 0; i < num_labels; ++i) labels[i] = i;
  ClassificationPreprocessing pre;
  pre.text_column_names = split_commas(o.text_column_names.empty() ? "text" : o.text_column_names);
  pre.label_column_name = o.label_column_name.empty() ? "label" : o.label_column_name;
  pre.max_seq_length = static_cast<size_t>(o.max_seq_length);
  Examples f =
      Examples::from_dataset(preprocess_classification(test, "test", tok, pre, labels, /*require_labels=*/false));
  Trainer trainer(model, predict_args(o), std::make_shared<DataCollatorWithPadding>(tok.pad_token_id().value_or(0)),
                  nullptr, nullptr, &tok);
  trainer.set_compute_metrics(accuracy_f1_metrics(num_labels));
  PredictionOutput p = trainer.predict(f);
  save_npy(o.output_file, p.predictions);
  std::cout << "wrote " << o.output_file << ": logits " << shape_of(p.predictions) << "\n";
  log_metrics("test", p.metrics);
}

/// Words of a plain text column: split on whitespace (a word-list column is used as it is).
Examples encode_text_as_words(const std::vector<std::string>& texts, const Tokenizer& tok, size_t max_length) {
  std::vector<std::vector<std::string>> words(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    std::istringstream in(texts[i]);
    for (std::string w; in >> w;) words[i].push_back(w);
  }
  EncodeOptions enc;
  enc.truncation = true;
  enc.max_length = max_length;
  std::map<std::string, std::vector<std::vector<int32_t>>> rows;
  for (const Encoding& e : tok.encode_pretokenized_batch(words, enc)) {
    rows["input_ids"].push_back(e.ids);
    rows["attention_mask"].emplace_back(e.attention_mask.begin(), e.attention_mask.end());
    if (tok.uses_token_type_ids()) rows["token_type_ids"].push_back(e.type_ids);
  }
  return Examples::from_rows(rows);
}

void predict_token_classification(const PredictOptions& o, const Dataset& test, const Tokenizer& tok) {
  PreTrainedModel model = AutoModelForTokenClassification::from_pretrained(o.model_name_or_path);
  const std::vector<std::string> labels = label_names(model, o.model_name_or_path);
  // run_ner's defaults: "tokens" else the first column; "ner_tags" (optional here).
  TokenClassificationPreprocessing pre;
  pre.text_column_name = text_column(o, test, "tokens");
  pre.label_column_name = o.label_column_name.empty() ? "ner_tags" : o.label_column_name;
  pre.max_seq_length = static_cast<size_t>(o.max_seq_length);
  // A word-list column goes through run_ner's preprocessing (labels aligned to first sub-tokens);
  // a plain text column is split into words on whitespace and has no labels.
  std::optional<std::vector<std::string>> texts;
  try {
    texts = test.column_strings(pre.text_column_name);
  } catch (const InvalidArgument&) {  // not a string column: a list of words
  }
  Examples f = texts ? encode_text_as_words(*texts, tok, *pre.max_seq_length)
                     : Examples::from_dataset(preprocess_token_classification(test, "test", tok, pre, labels,
                                                                              /*require_labels=*/false));
  PadOptions pad;
  pad.pad_token_id = tok.pad_token_id().value_or(0);
  Trainer trainer(model, predict_args(o), std::make_shared<DataCollatorForTokenClassification>(pad), nullptr, nullptr,
                  &tok);
  trainer.set_compute_metrics(seqeval_metrics(labels));
  PredictionOutput p = trainer.predict(f);
  save_npy(o.output_file, p.predictions);
  std::cout << "wrote " << o.output_file << ": logits " << shape_of(p.predictions) << " (-100 = padding)\n";
  log_metrics("test", p.metrics);
}

void predict_language_modeling(const PredictOptions& o, const Dataset& test, const Tokenizer& tok, bool mlm) {
  PreTrainedModel model = mlm ? AutoModelForMaskedLM::from_pretrained(o.model_name_or_path)
                              : AutoModelForCausalLM::from_pretrained(o.model_name_or_path);
  LmTokenizeOptions t;
  t.truncate_to = static_cast<size_t>(o.max_seq_length);
  Examples f = Examples::from_dataset(tokenize_texts(test, text_column(o, test, "text"), tok, t));
  Trainer trainer(model, predict_args(o), std::make_shared<DataCollatorWithPadding>(tok.pad_token_id().value_or(0)),
                  nullptr, nullptr, &tok);
  PredictionOutput p = trainer.predict(f);
  save_npy(o.output_file, p.predictions);
  const fs::path ids_file = sibling(o.output_file, "token_ids");
  const torch::Tensor ids = token_argmax(p.predictions, f);  // (N, T)
  save_npy(ids_file, ids);
  std::cout << "wrote " << o.output_file << ": logits " << shape_of(p.predictions) << " (-100 = padding), "
            << ids_file.string() << ": argmax token ids " << shape_of(ids) << " ("
            << (mlm ? "the token at each position" : "position t predicts token t+1") << ")\n";
}

void predict_question_answering(const PredictOptions& o, const Dataset& test, const Tokenizer& tok) {
  PreTrainedModel model = AutoModelForQuestionAnswering::from_pretrained(o.model_name_or_path);
  const auto questions = test.column_strings(o.question_column_name);
  const auto contexts = test.column_strings(o.context_column_name);
  // run_qa's tokenization without the overflow windows: question first, the context truncated.
  EncodeOptions enc;
  enc.truncation = true;
  enc.max_length = static_cast<size_t>(o.max_seq_length);
  enc.truncation_strategy = "only_second";
  std::map<std::string, std::vector<std::vector<int32_t>>> columns;
  for (size_t i = 0; i < questions.size(); ++i) {
    Encoding e = tok.encode_pair(questions[i], contexts[i], enc);
    columns["input_ids"].push_back(e.ids);
    columns["attention_mask"].emplace_back(e.attention_mask.begin(), e.attention_mask.end());
    if (tok.uses_token_type_ids()) columns["token_type_ids"].push_back(e.type_ids);
  }
  const Examples f = Examples::from_rows(columns);
  // The Trainer's eval loop keeps `logits` only: the two QA outputs are gathered here, batch by
  // batch, and padded across batches with -100 as nested_concat does for HF's (start, end) tuple.
  Trainer trainer(model, predict_args(o), std::make_shared<DataCollatorWithPadding>(tok.pad_token_id().value_or(0)),
                  nullptr, nullptr, &tok);
  DataCollatorWithPadding collator(tok.pad_token_id().value_or(0));
  torch::NoGradGuard no_grad;
  model->eval();
  const int64_t n = static_cast<int64_t>(f.size()), bs = o.per_device_eval_batch_size;
  std::vector<int64_t> rows(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) rows[static_cast<size_t>(i)] = i;
  std::vector<torch::Tensor> starts, ends;
  for (int64_t lo = 0; lo < n; lo += bs) {
    Batch b = collator(f, std::span<const int64_t>(rows.data() + lo, static_cast<size_t>(std::min(n, lo + bs) - lo)));
    ModelInputs in;
    in.input_ids = b.at("input_ids").to(trainer.device());
    in.attention_mask = b.at("attention_mask").to(trainer.device());
    if (b.count("token_type_ids")) in.token_type_ids = b.at("token_type_ids").to(trainer.device());
    ModelOutputs out = model->forward(in);
    starts.push_back(out.start_logits.to(torch::kCPU, torch::kFloat32));  // (B, T)
    ends.push_back(out.end_logits.to(torch::kCPU, torch::kFloat32));
  }
  AFINAR_CHECK(n > 0, o.test_file, ": no rows to predict");
  const torch::Tensor start = pad_and_concatenate(starts, -100), end = pad_and_concatenate(ends, -100);  // (N, T)
  const fs::path s = sibling(o.output_file, "start_logits"), e = sibling(o.output_file, "end_logits");
  save_npy(s, start);
  save_npy(e, end);
  std::cout << "wrote " << s.string() << ", " << e.string() << ": start/end logits " << shape_of(start)
            << " (-100 = padding)\n";
}

void predict_translation(const PredictOptions& o, const Dataset& test, const Tokenizer& tok) {
  PreTrainedModel model = AutoModelForSeq2SeqLM::from_pretrained(o.model_name_or_path);
  TranslationPreprocessing pre;
  pre.source_lang = o.source_lang;
  pre.target_lang = o.target_lang;
  pre.source_prefix = o.source_prefix;
  pre.max_source_length = static_cast<size_t>(o.max_seq_length);
  pre.max_target_length = static_cast<size_t>(o.max_target_length);
  Examples f = Examples::from_dataset(preprocess_translation(test, "test", tok, pre, /*require_labels=*/false));
  PadOptions pad;
  pad.pad_token_id = tok.pad_token_id().value_or(0);
  auto collator = std::make_shared<DataCollatorForSeq2Seq>(pad);  // labels padded with -100
  Trainer trainer(model, predict_args(o), collator, nullptr, nullptr, &tok);
  if (!o.predict_with_generate) {
    // Teacher-forced decoder logits: the decoder inputs are the shifted targets.
    AFINAR_CHECK(f.sequences.count("labels"), o.test_file, ": no target texts (--target_lang '", o.target_lang,
                 "'): decoder logits need them; use --predict_with_generate to generate instead");
    PredictionOutput p = trainer.predict(f);
    save_npy(o.output_file, p.predictions);
    std::cout << "wrote " << o.output_file << ": logits " << shape_of(p.predictions) << " (-100 = padding)\n";
    log_metrics("test", p.metrics);
    return;
  }
  GenerationConfig gen =
      GenerationConfig::from_pretrained(hub::resolve_repo(o.model_name_or_path, hub::RepoType::Model).string());
  gen.max_length = o.generation_max_length.value_or(o.max_target_length);  // run_translation's max_length
  gen.max_new_tokens.reset();
  if (o.num_beams) gen.num_beams = *o.num_beams;
  std::map<std::string, double> metrics;
  torch::Tensor ids;
  auto texts = generate_and_score(*model, tok, f, *collator, gen, o.per_device_eval_batch_size, trainer.device(),
                                  "test", metrics, &ids);
  const fs::path ids_file = sibling(o.output_file, "generated_ids");
  fs::path txt_file(o.output_file);
  txt_file = txt_file.parent_path() / (txt_file.stem().string() + "_generated_predictions.txt");
  save_npy(ids_file, ids);
  std::string txt;
  for (const auto& t : texts) txt += t + "\n";
  write_file_atomic(txt_file, txt);
  std::cout << "wrote " << ids_file.string() << ": generated ids " << shape_of(ids) << ", " << txt_file.string() << ": "
            << texts.size() << " texts\n";
  log_metrics("test", metrics);
}

void run(const PredictOptions& o) {
  Dataset test = load_file(o.test_file);
  AFINAR_CHECK(test.num_rows() > 0, o.test_file, ": no rows to predict");
  Tokenizer tok = AutoTokenizer::from_pretrained(o.model_name_or_path);
  if (o.task == "text-classification")
    predict_text_classification(o, test, tok);
  else if (o.task == "token-classification")
    predict_token_classification(o, test, tok);
  else if (o.task == "fill-mask")
    predict_language_modeling(o, test, tok, /*mlm=*/true);
  else if (o.task == "text-generation")
    predict_language_modeling(o, test, tok, /*mlm=*/false);
  else if (o.task == "question-answering")
    predict_question_answering(o, test, tok);
  else
    predict_translation(o, test, tok);
}

}  // namespace

void add_predict_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("predict", "A fine-tuned model's outputs on a file (.npy), with metrics when labeled");
  auto o = std::make_shared<PredictOptions>();
  cmd->add_option("--task", o->task, "The model head")->check(CLI::IsMember(kTasks));
  cmd->add_option("--model_name_or_path", o->model_name_or_path, "Fine-tuned model folder or Hub id")->required();
  cmd->add_option("--test_file", o->test_file, "csv/json/jsonl/parquet file")->required();
  cmd->add_option("--text_column_names", o->text_column_names,
                  "Text columns, comma-separated (default: text; token-classification: tokens, a word list or text)");
  cmd->add_option("--label_column_name", o->label_column_name,
                  "Label column, optional in the file (default: label; token-classification: ner_tags)");
  cmd->add_option("--question_column_name", o->question_column_name, "question-answering: question column");
  cmd->add_option("--context_column_name", o->context_column_name, "question-answering: context column");
  cmd->add_option("--output_file", o->output_file,
                  "Where to write the logits (.npy, float32); QA: <stem>_start_logits.npy + <stem>_end_logits.npy");
  cmd->add_option("--max_seq_length", o->max_seq_length, "Truncation length")->check(CLI::PositiveNumber);
  cmd->add_option("--per_device_eval_batch_size", o->per_device_eval_batch_size, "Batch size")->check(CLI::PositiveNumber);
  cmd->add_flag("--use_cpu", o->use_cpu, "Stay on the CPU even when a GPU is present");
  cmd->add_option("--source_lang", o->source_lang, "translation: source language (column or translation key)");
  cmd->add_option("--target_lang", o->target_lang, "translation: target language");
  cmd->add_option("--source_prefix", o->source_prefix, "translation: prefix of every source (T5: 'translate ...: ')");
  cmd->add_option("--max_target_length", o->max_target_length, "translation: target truncation length")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--predict_with_generate", o->predict_with_generate,
                "translation: generate (<stem>_generated_ids.npy + <stem>_generated_predictions.txt)");
  cmd->add_option("--num_beams", o->num_beams, "translation: beams (default: generation_config.json's)");
  cmd->add_option("--generation_max_length", o->generation_max_length,
                  "translation: max generated length (default: --max_target_length)");
  cmd->callback([o] { run(*o); });
}

}  // namespace afinar::cli
