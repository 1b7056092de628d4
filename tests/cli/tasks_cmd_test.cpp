// `afinar train --task …` end to end: token-classification (run_ner) and fill-mask (run_mlm) on the
// real MiniLM checkpoint, text-generation (run_clm) and translation (run_translation) on tiny
// random GPT-2 / T5 models built here with the real gpt2 / t5-small tokenizers. Each run is a few
// steps on real data (CoNLL-2003, tinyshakespeare, multi30k) and must write HF's output files.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "afinar/core/fs.h"
#include "afinar/hub/cache.h"
#include "afinar/io/safetensors.h"
#include "afinar/metrics/squad.h"
#include "afinar/models/gpt2/modeling_gpt2.h"
#include "afinar_test_paths.h"
#include "cli/cli_test_util.h"
#include "cli/tiny_t5.h"

namespace fs = std::filesystem;
using afinar_test::run_afinar;
using afinar_test::TempDir;

namespace {

const std::string kShared = AFINAR_SHARED_DIR;

std::optional<fs::path> minilm() {
  auto snap = afinar::hub::cached_snapshot("sentence-transformers/all-MiniLM-L6-v2", afinar::hub::RepoType::Model);
  if (snap && fs::exists(*snap / "model.safetensors")) return snap;
  return std::nullopt;
}

nlohmann::json read_json(const fs::path& p) {
  return nlohmann::json::parse(afinar::read_file(p));
}

size_t count_lines(const fs::path& p) {
  std::ifstream in(p);
  size_t n = 0;
  for (std::string l; std::getline(in, l);) ++n;
  return n;
}

/// The first `n` CoNLL-2003 sentences of `file` as jsonl {tokens, ner_tags} (tags as strings).
void write_conll_jsonl(const std::string& file, size_t n, const fs::path& out) {
  std::ifstream in(kShared + "/data/conll2003/" + file);
  std::ofstream o(out);
  nlohmann::json tokens = nlohmann::json::array(), tags = nlohmann::json::array();
  size_t written = 0;
  for (std::string line; std::getline(in, line) && written < n;) {
    if (line.empty() || line.rfind("-DOCSTART-", 0) == 0) {
      if (!tokens.empty()) {
        o << nlohmann::json{{"tokens", tokens}, {"ner_tags", tags}}.dump() << "\n";
        ++written;
      }
      tokens = nlohmann::json::array(), tags = nlohmann::json::array();
      continue;
    }
    std::istringstream ss(line);
    std::string w, pos, chunk, ner;
    ss >> w >> pos >> chunk >> ner;
    tokens.push_back(w);
    tags.push_back(ner);
  }
}

void copy_tokenizer(const std::string& name, const fs::path& to) {
  for (const char* f : {"tokenizer.json", "tokenizer_config.json"})
    fs::copy_file(kShared + "/tokenizers/" + name + "/" + f, to / f);
}

}  // namespace

TEST(TaskCommands, TokenClassificationWritesPredictionsAndSeqevalMetrics) {
  auto model = minilm();
  if (!model) GTEST_SKIP() << "all-MiniLM-L6-v2 not in the HF cache (tools/setup.sh seeds it)";
  TempDir tmp("afinar_cli_ner");
  write_conll_jsonl("train.txt", 48, tmp.path / "train.jsonl");
  write_conll_jsonl("test.txt", 12, tmp.path / "test.jsonl");
  const fs::path out = tmp.path / "out";
  auto r = run_afinar("train --task token-classification --model_name_or_path " + model->string() + " --train_file " +
                      (tmp.path / "train.jsonl").string() + " --validation_file " + (tmp.path / "test.jsonl").string() +
                      " --test_file " + (tmp.path / "test.jsonl").string() + " --output_dir " + out.string() +
                      " --do_train --do_eval --do_predict --max_steps 3 --per_device_train_batch_size 16 --use_cpu"
                      " --return_entity_level_metrics");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto all = read_json(out / "all_results.json");
  for (const char* k :
       {"eval_overall_f1", "eval_overall_accuracy", "eval_PER_f1", "test_overall_precision", "train_loss"})
    EXPECT_TRUE(all.contains(k)) << k << " missing from " << all.dump();
  EXPECT_EQ(count_lines(out / "predictions.txt"), 12u);
  auto config = read_json(out / "config.json");
  EXPECT_EQ(config["architectures"][0], "BertForTokenClassification");
  EXPECT_TRUE(config["id2label"].size() >= 5u) << config["id2label"].dump();  // O, B-/I- of the types seen
}

TEST(TaskCommands, FillMaskReportsPerplexity) {
  auto model = minilm();
  if (!model) GTEST_SKIP() << "all-MiniLM-L6-v2 not in the HF cache (tools/setup.sh seeds it)";
  TempDir tmp("afinar_cli_mlm");
  const fs::path out = tmp.path / "out";
  auto r = run_afinar("train --task fill-mask --model_name_or_path " + model->string() + " --train_file " + kShared +
                      "/data/tinyshakespeare/validation.txt --validation_file " + kShared +
                      "/data/tinyshakespeare/test.txt --output_dir " + out.string() +
                      " --do_train --do_eval --max_seq_length 32 --max_train_samples 32 --max_eval_samples 16 "
                      "--max_steps 2 --per_device_train_batch_size 16 --use_cpu");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto eval = read_json(out / "eval_results.json");
  ASSERT_TRUE(eval.contains("perplexity")) << eval.dump();
  EXPECT_NEAR(eval["perplexity"].get<double>(), std::exp(eval["eval_loss"].get<double>()),
              1e-6 * eval["perplexity"].get<double>());
  EXPECT_EQ(eval["eval_samples"].get<double>(), 16.0);  // blocks, after grouping (as run_mlm)
  EXPECT_EQ(read_json(out / "config.json")["architectures"][0], "BertForMaskedLM");
}

TEST(TaskCommands, TextGenerationTrainsATinyGpt2) {
  TempDir tmp("afinar_cli_clm");
  const fs::path model = tmp.path / "tiny-gpt2";
  {
    auto cfg = afinar::GPT2Config::from_json({{"n_embd", 32}, {"n_layer", 2}, {"n_head", 4}, {"n_positions", 128}});
    torch::manual_seed(0);
    afinar::GPT2LMHeadModel m(cfg);
    m->save_pretrained(model);
    copy_tokenizer("gpt2", model);
  }
  const fs::path out = tmp.path / "out";
  auto r = run_afinar("train --task text-generation --model_name_or_path " + model.string() + " --train_file " +
                      kShared + "/data/tinyshakespeare/validation.txt --validation_file " + kShared +
                      "/data/tinyshakespeare/test.txt --output_dir " + out.string() +
                      " --do_train --do_eval --block_size 32 --max_steps 4 --max_eval_samples 8 "
                      "--per_device_train_batch_size 4 --learning_rate 1e-3 --use_cpu");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto eval = read_json(out / "eval_results.json");
  EXPECT_TRUE(eval.contains("perplexity") && eval.contains("eval_accuracy")) << eval.dump();
  EXPECT_TRUE(fs::exists(out / "model.safetensors"));
  EXPECT_EQ(read_json(out / "config.json")["model_type"], "gpt2");
}

TEST(TaskCommands, TranslationGeneratesAndScoresBleu) {
  TempDir tmp("afinar_cli_mt");
  const fs::path model = afinar_test::write_tiny_t5(tmp.path / "tiny-t5", 0.1);
  {
    std::ifstream in(kShared + "/data/multi30k/validation.jsonl");
    std::ofstream train(tmp.path / "train.jsonl"), test(tmp.path / "test.jsonl");
    std::string line;
    for (int i = 0; i < 40 && std::getline(in, line); ++i) (i < 32 ? train : test) << line << "\n";
  }
  const fs::path out = tmp.path / "out";
  auto r = run_afinar("train --task translation --model_name_or_path " + model.string() + " --train_file " +
                      (tmp.path / "train.jsonl").string() + " --test_file " + (tmp.path / "test.jsonl").string() +
                      " --source_lang en --target_lang de --source_prefix 'translate English to German: '"
                      " --output_dir " +
                      out.string() +
                      " --do_train --do_predict --predict_with_generate --num_beams 2 --generation_max_length 8"
                      " --max_steps 2 --per_device_train_batch_size 8 --use_cpu");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto test = read_json(out / "test_results.json");
  EXPECT_TRUE(test.contains("test_bleu") && test.contains("test_gen_len")) << test.dump();
  EXPECT_LE(test["test_gen_len"].get<double>(), 8.0);
  EXPECT_EQ(count_lines(out / "generated_predictions.txt"), 8u);
}

// The command of the seam bug: a T5 translation run with gradient accumulation and label
// smoothing trains (it failed with "decoder_input_ids or labels is required"), and accumulating
// 2 micro-batches of 4 gives the weights of one batch of 8 (same rows: the sampler cuts one
// permutation), because the head normalises by the item count of the whole update. Without
// that, each micro-batch's mean would weigh its tokens differently and the weights would differ
// by far more than the tolerance.
TEST(TaskCommands, TranslationAccumulationWithSmoothingEqualsTheWholeBatch) {
  TempDir tmp("afinar_cli_mt_accum");
  const fs::path model = afinar_test::write_tiny_t5(tmp.path / "tiny-t5", 0.0);
  {
    std::ifstream in(kShared + "/data/multi30k/validation.jsonl");
    std::ofstream train(tmp.path / "train.jsonl");
    std::string line;
    for (int i = 0; i < 32 && std::getline(in, line); ++i) train << line << "\n";
  }
  auto train = [&](const std::string& name, int batch, int accumulation) {
    const fs::path out = tmp.path / name;
    auto r = run_afinar("train --task translation --model_name_or_path " + model.string() + " --train_file " +
                        (tmp.path / "train.jsonl").string() + " --source_lang en --target_lang de --output_dir " +
                        out.string() +
                        " --do_train --max_steps 2 --label_smoothing_factor 0.1 --optim sgd --learning_rate 0.5" +
                        " --per_device_train_batch_size " + std::to_string(batch) + " --gradient_accumulation_steps " +
                        std::to_string(accumulation) + " --save_strategy no --use_cpu");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return out;
  };
  const fs::path accumulated = train("accumulated", 4, 2), whole = train("whole", 8, 1);
  const auto a = afinar::io::load_safetensors(accumulated / "model.safetensors");
  const auto b = afinar::io::load_safetensors(whole / "model.safetensors");
  const auto initial = afinar::io::load_safetensors(model / "model.safetensors");
  double moved = 0;
  for (const auto& [name, t] : initial) moved = std::max(moved, (t - b.at(name)).abs().max().item<double>());
  EXPECT_GT(moved, 1e-3);  // the comparison below is between trained weights
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, t] : a) {
    ASSERT_TRUE(b.count(name)) << name;
    // SGD: the weights differ by lr × the gradients' difference, fp32 sums in another order
    // (atol 1e-5 + rtol 1e-4 as for fp32 gradients; lr 0.5 moves the weights by ~1e-2).
    EXPECT_TRUE(torch::allclose(t, b.at(name), 1e-4, 1e-5))
        << name << " max |diff| " << (t - b.at(name)).abs().max().item<double>();
  }
  EXPECT_NEAR(read_json(accumulated / "train_results.json")["train_loss"].get<double>(),
              read_json(whole / "train_results.json")["train_loss"].get<double>(), 1e-4);
}

TEST(TaskCommands, AFlagOfAnotherTaskIsAnError) {
  TempDir tmp("afinar_cli_task_flags");
  const fs::path out = tmp.path / "out";
  auto r = run_afinar("train --model_name_or_path x --train_file " + kShared +
                      "/data/rotten_tomatoes/train.jsonl --output_dir " + out.string() + " --do_train --block_size 64");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--block_size applies to --task text-generation"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(out));
  r = run_afinar("train --task summarization --model_name_or_path x --output_dir " + out.string());
  EXPECT_NE(r.exit_code, 0);
}

// run_qa on real SQuAD questions: windows of 128 tokens with a stride of 32 (so long contexts
// overflow into several features), a few steps, then the evaluation's answers in
// eval_predictions.json scored as evaluate's squad scores them.
TEST(TaskCommands, QuestionAnsweringTrainsEvaluatesAndWritesAnswers) {
  auto model = minilm();
  if (!model) GTEST_SKIP() << "all-MiniLM-L6-v2 not in the HF cache (tools/setup.sh seeds it)";
  TempDir tmp("afinar_cli_qa");
  const fs::path out = tmp.path / "out";
  auto r = run_afinar("train --task question-answering --model_name_or_path " + model->string() + " --train_file " +
                      kShared + "/data/squad/train.jsonl --validation_file " + kShared +
                      "/data/squad/validation.jsonl --output_dir " + out.string() +
                      " --do_train --do_eval --max_seq_length 128 --doc_stride 32 --max_train_samples 24"
                      " --max_eval_samples 12 --max_steps 3 --per_device_train_batch_size 8 --learning_rate 3e-5"
                      " --use_cpu");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto eval = read_json(out / "eval_results.json");
  ASSERT_TRUE(eval.contains("eval_exact_match") && eval.contains("eval_f1")) << eval.dump();
  EXPECT_GE(eval["eval_f1"].get<double>(), 0.0);
  EXPECT_LE(eval["eval_f1"].get<double>(), 100.0);
  const auto preds = read_json(out / "eval_predictions.json");
  ASSERT_EQ(preds.size(), 12u);
  // Every answer is a piece of its own context (or empty), and the metric is these answers'.
  std::ifstream in(kShared + "/data/squad/validation.jsonl");
  std::vector<afinar::SquadPrediction> p;
  std::vector<afinar::SquadReference> refs;
  std::string line;
  for (int i = 0; i < 12 && std::getline(in, line); ++i) {
    const auto ex = nlohmann::json::parse(line);
    const std::string id = ex["id"], text = preds.at(id);
    EXPECT_NE(ex["context"].get<std::string>().find(text), std::string::npos) << text;
    p.push_back({id, text});
    refs.push_back({id,
                    {ex["answers"]["text"].get<std::vector<std::string>>(),
                     ex["answers"]["answer_start"].get<std::vector<int64_t>>()}});
  }
  const auto m = afinar::squad(p, refs);
  EXPECT_NEAR(eval["eval_exact_match"].get<double>(), m.at("exact_match"), 1e-9);
  EXPECT_NEAR(eval["eval_f1"].get<double>(), m.at("f1"), 1e-9);
  EXPECT_TRUE(fs::exists(out / "eval_nbest_predictions.json"));
  EXPECT_EQ(read_json(out / "config.json")["architectures"][0], "BertForQuestionAnswering");
}

// run_summarization on text pairs made from multi30k (an English caption → its first clause): a
// tiny T5 trained 2 steps generates summaries; the ROUGE scores written equal rouge-score's
// (use_stemmer=True, ×100, rounded to 4 digits) on generated_predictions.txt.
TEST(TaskCommands, SummarizationScoresRougeAsRougeScore) {
  TempDir tmp("afinar_cli_sum");
  const fs::path model = afinar_test::write_tiny_t5(tmp.path / "tiny-t5", 0.1);
  std::vector<std::string> references;
  {
    std::ifstream in(kShared + "/data/multi30k/validation.jsonl");
    std::ofstream train(tmp.path / "train.jsonl"), test(tmp.path / "test.jsonl");
    std::string line;
    for (int i = 0; i < 40 && std::getline(in, line); ++i) {
      const std::string en = nlohmann::json::parse(line)["en"];
      const std::string summary = en.substr(0, en.find_first_of(",."));
      (i < 32 ? train : test) << nlohmann::json{{"document", en}, {"summary", summary}}.dump() << "\n";
      if (i >= 32) references.push_back(summary);
    }
  }
  const fs::path out = tmp.path / "out";
  auto r = run_afinar("train --task summarization --model_name_or_path " + model.string() + " --train_file " +
                      (tmp.path / "train.jsonl").string() + " --test_file " + (tmp.path / "test.jsonl").string() +
                      " --text_column document --summary_column summary --source_prefix 'summarize: '"
                      " --output_dir " +
                      out.string() +
                      " --do_train --do_predict --predict_with_generate --generation_max_length 8"
                      " --max_steps 2 --per_device_train_batch_size 8 --use_cpu");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto test = read_json(out / "test_results.json");
  for (const char* k : {"test_rouge1", "test_rouge2", "test_rougeL", "test_rougeLsum", "test_gen_len"})
    EXPECT_TRUE(test.contains(k)) << k << " in " << test.dump();
  ASSERT_EQ(count_lines(out / "generated_predictions.txt"), 8u);
  const char* python = std::getenv("AFINAR_PYTHON");
  if (!python || !*python) GTEST_SKIP() << "AFINAR_PYTHON unset: rouge-score cross-check skipped";
  {
    std::ofstream refs(tmp.path / "refs.txt");
    for (const auto& s : references) refs << s << "\n";
  }
  const std::string script =
      "import json,sys\nfrom rouge_score import rouge_scorer\n"
      "p=open(sys.argv[1]).read().split('\\n')[:-1]; t=open(sys.argv[2]).read().split('\\n')[:-1]\n"
      "sc=rouge_scorer.RougeScorer(['rouge1','rouge2','rougeL','rougeLsum'],use_stemmer=True)\n"
      "s=[sc.score(b,a) for a,b in zip(p,t)]\n"
      "print(json.dumps({k: round(100*sum(x[k].fmeasure for x in s)/len(s),4) for k in s[0]}))\n";
  {
    std::ofstream f(tmp.path / "rouge.py");
    f << script;
  }
  FILE* pipe = popen((std::string(python) + " " + (tmp.path / "rouge.py").string() + " " +
                      (out / "generated_predictions.txt").string() + " " + (tmp.path / "refs.txt").string())
                         .c_str(),
                     "r");
  ASSERT_NE(pipe, nullptr);
  std::string text;
  char buf[512];
  while (size_t n = fread(buf, 1, sizeof buf, pipe)) text.append(buf, n);
  ASSERT_EQ(pclose(pipe), 0) << text;
  const auto want = nlohmann::json::parse(text);
  // Both sides round to 4 digits (Python to the nearest decimal, afinar in binary): 1e-4 apart at most.
  for (const auto& [k, v] : want.items()) EXPECT_NEAR(test["test_" + k].get<double>(), v.get<double>(), 1.01e-4) << k;
}
