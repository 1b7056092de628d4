// `afinar train args.yaml` / `--config args.json`: arguments files as HF's example scripts take
// them (HfArgumentParser.parse_json_file / parse_yaml_file), the command line winning over the
// file, Python's TrainingArguments.to_json_string() loading as it is, and bad files refused with
// the file and the key named, before anything is written.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "afinar/core/fs.h"
#include "afinar/hub/cache.h"
#include "afinar_test_paths.h"
#include "cli/cli_test_util.h"

namespace fs = std::filesystem;
using afinar_test::run_afinar;
using afinar_test::TempDir;

namespace {

std::optional<fs::path> minilm() {
  auto snap = afinar::hub::cached_snapshot("sentence-transformers/all-MiniLM-L6-v2", afinar::hub::RepoType::Model);
  if (snap && fs::exists(*snap / "model.safetensors")) return snap;
  return std::nullopt;
}

void write(const fs::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

// 22 rows of rotten_tomatoes train, both labels.
fs::path small_train(const fs::path& dir) {
  std::ifstream in(std::string(AFINAR_SHARED_DIR) + "/data/rotten_tomatoes/train.jsonl");
  std::ofstream out(dir / "train.jsonl");
  std::string line;
  for (int i = 0; std::getline(in, line); ++i)
    if (i % 400 == 0) out << line << "\n";
  return dir / "train.jsonl";
}

nlohmann::json read_json(const fs::path& p) {
  return nlohmann::json::parse(afinar::read_file(p));
}

}  // namespace

TEST(ArgsFile, YamlSetsScriptAndTrainingArgumentsAndTheCommandLineWins) {
  auto model = minilm();
  if (!model) GTEST_SKIP() << "all-MiniLM-L6-v2 not in the HF cache (tools/setup.sh seeds it)";
  TempDir tmp("afinar_args_yaml");
  const fs::path out = tmp.path / "out";
  write(tmp.path / "args.yaml",
        "# run_classification arguments\n"
        "model_name_or_path: " +
            model->string() +
            "\n"
            "train_file: " +
            small_train(tmp.path).string() +
            "\n"
            "output_dir: " +
            out.string() +
            "\n"
            "do_train: true\n"
            "max_steps: 5\n"
            "per_device_train_batch_size: 4\n"
            "learning_rate: 3e-5        # a number, not PyYAML 1.1's string\n"
            "lr_scheduler_type: cosine\n"
            "lr_scheduler_kwargs: {num_cycles: 0.25}\n"
            "report_to: [csv]\n"
            "eval_strategy: no          # the string 'no', not a boolean\n"
            "use_cpu: true\n"
            "max_seq_length: 32\n"
            "pad_to_max_length: true\n"
            "seed: 11\n");
  auto r = run_afinar("train " + (tmp.path / "args.yaml").string() + " --max_steps 2 --seed=5");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto a = read_json(out / "training_args.json");
  EXPECT_EQ(a["max_steps"], 2);  // the command line wins
  EXPECT_EQ(a["seed"], 5);
  EXPECT_DOUBLE_EQ(a["learning_rate"].get<double>(), 3e-5);
  EXPECT_EQ(a["lr_scheduler_type"], "cosine");
  EXPECT_EQ(a["lr_scheduler_kwargs"], nlohmann::json({{"num_cycles", 0.25}}));
  EXPECT_EQ(a["report_to"], nlohmann::json::array({"csv"}));
  EXPECT_EQ(a["eval_strategy"], "no");
  EXPECT_EQ(a["per_device_train_batch_size"], 4);
  EXPECT_TRUE(fs::exists(out / "log_history.csv"));
  EXPECT_EQ(read_json(out / "trainer_state.json")["global_step"], 2);
}

// The JSON Python writes, given with --config; the script's own flags come from the command line.
TEST(ArgsFile, PythonTrainingArgumentsJsonLoads) {
  auto model = minilm();
  if (!model) GTEST_SKIP() << "all-MiniLM-L6-v2 not in the HF cache (tools/setup.sh seeds it)";
  const char* py = std::getenv("AFINAR_PYTHON");
  if (!py || !*py) GTEST_SKIP() << "AFINAR_PYTHON not set";
  TempDir tmp("afinar_args_pyjson");
  const fs::path out = tmp.path / "out";
  const std::string cmd = std::string(py) +
                          " -c \"from transformers import TrainingArguments as T; import sys; sys.stdout.write(T('" +
                          out.string() +
                          "', learning_rate=4e-5, max_steps=2, per_device_train_batch_size=4, do_train=True, "
                          "use_cpu=True, report_to='none', seed=3, weight_decay=0.01).to_json_string())\" > " +
                          (tmp.path / "args.json").string() + " 2>/dev/null";
  if (std::system(cmd.c_str()) != 0 || fs::file_size(tmp.path / "args.json") == 0)
    GTEST_SKIP() << "python transformers not available";
  auto r = run_afinar("train --config " + (tmp.path / "args.json").string() + " --model_name_or_path " +
                      model->string() + " --train_file " + small_train(tmp.path).string() + " --max_seq_length 32");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto a = read_json(out / "training_args.json");
  EXPECT_DOUBLE_EQ(a["learning_rate"].get<double>(), 4e-5);
  EXPECT_DOUBLE_EQ(a["weight_decay"].get<double>(), 0.01);
  EXPECT_EQ(a["seed"], 3);
  EXPECT_EQ(read_json(out / "trainer_state.json")["global_step"], 2);
}

TEST(ArgsFile, BadFilesNameTheFileAndTheKeyAndWriteNothing) {
  TempDir tmp("afinar_args_bad");
  const fs::path out = tmp.path / "out";
  const std::string m = " --model_name_or_path " + (tmp.path / "nomodel").string() + " --output_dir " + out.string();
  struct Case {
    std::string name, text, expect;
    int code;
  };
  const std::vector<Case> cases = {
      {"unknown.yaml", "foo: 1\n", "unknown.yaml: 'foo' is not an argument of afinar train", 1},
      {"syntax.yaml", "a: [1\n", "syntax.yaml: line 2: not valid YAML", 1},
      {"type.yaml", "learning_rate: fast\n", "type.yaml: TrainingArguments.learning_rate: wrong type", 1},
      {"flag.yaml", "pad_to_max_length: 3\n", "flag.yaml: 'pad_to_max_length' is a flag and takes true or false", 1},
      {"list.yaml", "- a\n- b\n", "list.yaml: must hold one mapping", 1},
      {"twice.yaml", "seed: 1\nseed: 2\n", "twice.yaml: line 2: key 'seed' appears twice", 1},
      {"alias.yaml", "seed: &s 1\ndata_seed: *s\n", "not implemented: ", 3},
      {"refused.json", "{\"deepspeed\": \"ds.json\"}", "refused.json: TrainingArguments.deepspeed", 3},
      {"huge.json", "{\"seed\": 1e999}", "huge.json: not valid JSON", 1},
      {"bad.txt", "seed: 1\n", "bad.txt: an arguments file must end in .json, .yaml or .yml", 1},
  };
  for (const auto& c : cases) {
    write(tmp.path / c.name, c.text);
    auto r = run_afinar("train --config " + (tmp.path / c.name).string() + m);
    EXPECT_EQ(r.exit_code, c.code) << c.name << ": " << r.output;
    EXPECT_NE(r.output.find(c.expect), std::string::npos) << c.name << ": " << r.output;
    EXPECT_FALSE(fs::exists(out)) << c.name;
  }
}
