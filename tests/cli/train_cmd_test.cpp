// `afinar train` / `afinar predict` end to end on real data and the real MiniLM checkpoint, and
// their answers to bad input (clear error, non-zero exit, no output folder left behind).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "afinar/core/fs.h"
#include "afinar/hub/cache.h"
#include "afinar/io/npy.h"
#include "cli/cli_test_util.h"
#include "afinar_test_paths.h"

namespace fs = std::filesystem;
using afinar_test::run_afinar;
using afinar_test::TempDir;

namespace {

const std::string kRT = std::string(AFINAR_SHARED_DIR) + "/data/rotten_tomatoes";

std::optional<fs::path> minilm() {
  auto snap = afinar::hub::cached_snapshot("sentence-transformers/all-MiniLM-L6-v2", afinar::hub::RepoType::Model);
  if (snap && fs::exists(*snap / "model.safetensors")) return snap;
  return std::nullopt;
}

nlohmann::json read_json(const fs::path& p) { return nlohmann::json::parse(afinar::read_file(p)); }

}  // namespace

TEST(TrainCommand, ShortRunWritesHFOutputsAndPredictAgrees) {
  auto model = minilm();
  if (!model) GTEST_SKIP() << "all-MiniLM-L6-v2 not in the HF cache (tools/setup.sh seeds it)";
  TempDir tmp("afinar_cli_train");
  // Both classes in every split: take rows from the positive (first) and negative (second) halves.
  {
    std::ifstream in(kRT + "/train.jsonl");
    std::ofstream out(tmp.path / "train.jsonl");
    std::string line;
    for (int i = 0; std::getline(in, line); ++i)
      if (i % 100 == 0) out << line << "\n";  // 86 rows, both labels
  }
  std::string val = tmp.path / "val.jsonl", test = tmp.path / "test.jsonl";
  {
    std::ifstream in(kRT + "/test.jsonl");
    std::ofstream v(val), t(test);
    std::string line;
    for (int i = 0; std::getline(in, line); ++i) {
      if (i % 40 == 0) v << line << "\n";
      if (i % 40 == 1) t << line << "\n";
    }
  }
  const fs::path out = tmp.path / "out";
  auto r = run_afinar("train --model_name_or_path " + model->string() + " --train_file " + (tmp.path / "train.jsonl").string() +
                      " --validation_file " + val + " --test_file " + test + " --output_dir " + out.string() +
                      " --do_train --do_eval --do_predict --max_steps 4 --per_device_train_batch_size 8 --logging_steps 2"
                      " --save_steps 2 --save_total_limit 1 --use_cpu --seed 7");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("[4/4 "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Training Loss"), std::string::npos) << r.output;
  for (const char* f : {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "trainer_state.json",
                        "all_results.json", "train_results.json", "eval_results.json", "predict_logits.npy", "predict_results.txt"})
    EXPECT_TRUE(fs::exists(out / f)) << f;
  EXPECT_TRUE(fs::exists(out / "checkpoint-4" / "model.safetensors"));
  EXPECT_FALSE(fs::exists(out / "checkpoint-2")) << "save_total_limit 1 keeps only the newest";
  auto all = read_json(out / "all_results.json");
  for (const char* k : {"eval_accuracy", "eval_f1", "eval_loss", "test_accuracy", "test_f1", "train_loss", "train_runtime"})
    EXPECT_TRUE(all.contains(k)) << k << " in " << all.dump();
  auto state = read_json(out / "trainer_state.json");
  EXPECT_EQ(state["global_step"], 4);
  EXPECT_EQ(state["max_steps"], 4);
  ASSERT_GE(state["log_history"].size(), 3u);
  EXPECT_EQ(state["log_history"][0]["step"], 2);
  EXPECT_TRUE(state["log_history"][0].contains("loss"));

  // predict on the saved folder gives the logits the training run wrote.
  auto p = run_afinar("predict --model_name_or_path " + out.string() + " --test_file " + test + " --output_file " +
                      (tmp.path / "logits.npy").string() + " --use_cpu");
  ASSERT_EQ(p.exit_code, 0) << p.output;
  auto a = afinar::load_npy(tmp.path / "logits.npy"), b = afinar::load_npy(out / "predict_logits.npy");
  ASSERT_EQ(a.sizes(), b.sizes());
  EXPECT_EQ(a.size(1), 2);
  EXPECT_LT((a - b).abs().max().item<float>(), 1e-5);
  EXPECT_NE(p.output.find("test_accuracy"), std::string::npos) << p.output;

  // Python transformers loads the folder and gives the same logits.
  const char* py = std::getenv("AFINAR_PYTHON");
  if (!py || !*py) return;
  const std::string script =
      "import sys, json, numpy as np, torch\n"
      "from transformers import AutoModelForSequenceClassification, AutoTokenizer\n"
      "d, f, l = sys.argv[1], sys.argv[2], sys.argv[3]\n"
      "m = AutoModelForSequenceClassification.from_pretrained(d).eval(); t = AutoTokenizer.from_pretrained(d)\n"
      "texts = [json.loads(x)['text'] for x in open(f)]\n"
      "with torch.no_grad(): out = m(**t(texts, padding=True, truncation=True, max_length=128, return_tensors='pt')).logits\n"
      "print('MAXDIFF', float(np.abs(out.numpy() - np.load(l)).max()))\n";
  std::ofstream(tmp.path / "check.py") << script;
  const std::string cmd = std::string(py) + " " + (tmp.path / "check.py").string() + " " + out.string() + " " + test + " " +
                          (tmp.path / "logits.npy").string() + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  std::string pyout;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, pipe)) pyout.append(buf, n);
  pclose(pipe);
  auto pos = pyout.find("MAXDIFF ");
  ASSERT_NE(pos, std::string::npos) << pyout;
  EXPECT_LT(std::stod(pyout.substr(pos + 8)), 1e-4) << pyout;
}

struct BadInputCase {
  const char* name;
  std::string args;        // flags after `train --output_dir OUT`
  const char* expect;      // a piece of the error message
};

TEST(TrainCommand, BadInputGivesClearErrorAndNoOutputFolder) {
  auto model = minilm();
  if (!model) GTEST_SKIP() << "all-MiniLM-L6-v2 not in the HF cache";
  TempDir tmp("afinar_cli_bad");
  const std::string m = " --model_name_or_path " + model->string();
  std::ofstream(tmp.path / "malformed.jsonl") << "{\"text\": \"ok\", \"label\": 1}\n{\"text\": \"broken\", \"label\": \n";
  std::ofstream(tmp.path / "nolabel.jsonl") << "{\"sentence\": \"ok\", \"label\": 1}\n";
  std::ofstream(tmp.path / "train.jsonl") << "{\"text\": \"good\", \"label\": 1}\n{\"text\": \"bad\", \"label\": 0}\n";
  std::ofstream(tmp.path / "range.jsonl") << "{\"text\": \"what\", \"label\": 5}\n";
  // A copy of the model whose weights file is cut short, and one whose config disagrees with it.
  for (const char* name : {"truncated", "mismatch"}) {
    fs::create_directories(tmp.path / name);
    for (const char* f : {"config.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"})
      if (fs::exists(*model / f)) fs::copy_file(*model / f, tmp.path / name / f);
  }
  const std::string weights = afinar::read_file(*model / "model.safetensors");
  std::ofstream(tmp.path / "truncated" / "model.safetensors", std::ios::binary) << weights.substr(0, weights.size() / 2);
  std::ofstream(tmp.path / "mismatch" / "model.safetensors", std::ios::binary) << weights;
  auto cfg = nlohmann::json::parse(afinar::read_file(*model / "config.json"));
  cfg["intermediate_size"] = 1000;
  std::ofstream(tmp.path / "mismatch" / "config.json") << cfg.dump();

  const std::string t = " --train_file " + (tmp.path / "train.jsonl").string() + " --do_train --max_steps 1";
  const std::vector<BadInputCase> cases = {
      {"missing file", m + " --train_file " + (tmp.path / "absent.jsonl").string() + " --do_train", "absent.jsonl"},
      {"malformed jsonl", m + " --train_file " + (tmp.path / "malformed.jsonl").string() + " --do_train", ":2"},
      {"missing text column", m + " --train_file " + (tmp.path / "nolabel.jsonl").string() + " --do_train", "sentence"},
      {"label out of range", m + t + " --do_eval --validation_file " + (tmp.path / "range.jsonl").string(), "label 5"},
      {"unknown flag", m + t + " --learning_rat 1e-4", "learning_rat"},
      {"bad flag value", m + t + " --learning_rate fast", "learning_rate"},
      {"unsupported field", m + t + " --deepspeed ds.json", "deepspeed"},
      {"truncated safetensors", " --model_name_or_path " + (tmp.path / "truncated").string() + t, "model.safetensors"},
      {"config/weights mismatch", " --model_name_or_path " + (tmp.path / "mismatch").string() + t, "intermediate"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const fs::path out = tmp.path / (std::string("out_") + std::to_string(&c - cases.data()));
    auto r = run_afinar("train --output_dir " + out.string() + c.args + " --use_cpu");
    EXPECT_NE(r.exit_code, 0) << r.output;
    EXPECT_LT(r.exit_code, 100) << "crashed: " << r.output;
    EXPECT_NE(r.output.find(c.expect), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(out)) << "output folder left behind";
  }
}
