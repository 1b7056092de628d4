// Loading: missing, unexpected and mis-shaped tensors, unknown model types.
#include <gtest/gtest.h>
#include <unistd.h>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/io/safetensors.h"
#include "afinar/models/bert/modeling_bert.h"
#include "afinar/models/modeling.h"
#include "afinar_test_paths.h"

namespace afinar {
namespace {

const fs::path kTiny = fs::path(AFINAR_FIXTURES_DIR) / "models/tiny_bert";

/// A copy of the tiny checkpoint whose weights `edit` may change.
fs::path edited_copy(const std::string& name, const std::function<void(io::TensorMap&)>& edit,
                     const std::function<void(nlohmann::json&)>& edit_config = {}) {
  fs::path d = fs::temp_directory_path() / ("afinar_auto_test_" + std::to_string(::getpid())) / name;
  fs::remove_all(d);
  fs::create_directories(d);
  io::TensorMap w = io::load_safetensors(kTiny / "model.safetensors");
  edit(w);
  io::save_safetensors(d / "model.safetensors", w);
  auto cfg = nlohmann::json::parse(read_file(kTiny / "config.json"));
  if (edit_config) edit_config(cfg);
  write_file_atomic(d / "config.json", cfg.dump(2));
  return d;
}

std::string load_and_capture(const fs::path& dir, const FromPretrainedOptions& opt = {}) {
  testing::internal::CaptureStderr();
  AutoModelForSequenceClassification::from_pretrained(dir.string(), opt);
  return testing::internal::GetCapturedStderr();
}

TEST(AutoModel, CleanCheckpointLoadsSilently) { EXPECT_EQ(load_and_capture(kTiny), ""); }

TEST(AutoModel, MissingTensorsAreNamedAndInitialised) {
  fs::path d = edited_copy("missing", [](io::TensorMap& w) {
    w.erase("classifier.weight");
    w.erase("classifier.bias");
    w.erase("bert.pooler.dense.weight");
  });
  std::string log = load_and_capture(d);
  EXPECT_NE(log.find("Some weights of BertForSequenceClassification were not initialized from the model "
                     "checkpoint at " + d.string() +
                     " and are newly initialized: ['bert.pooler.dense.weight', 'classifier.bias', "
                     "'classifier.weight']"),
            std::string::npos)
      << log;
}

TEST(AutoModel, UnexpectedTensorsAreNamed) {
  fs::path d = edited_copy("unexpected", [](io::TensorMap& w) {
    w["cls.predictions.bias"] = torch::zeros({99});
    w["bert.embeddings.position_ids"] = torch::arange(64).unsqueeze(0);  // a buffer: ignored
  });
  std::string log = load_and_capture(d);
  EXPECT_NE(log.find("Some weights of the model checkpoint at " + d.string() +
                     " were not used when initializing BertForSequenceClassification: ['cls.predictions.bias']"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("position_ids"), std::string::npos) << log;
}

TEST(AutoModel, MisshapedTensorNamesBothShapes) {
  fs::path d = edited_copy("misshaped", [](io::TensorMap&) {}, [](nlohmann::json& c) { c["intermediate_size"] = 40; });
  try {
    load_and_capture(d);
    FAIL();
  } catch (const FormatError& e) {
    testing::internal::GetCapturedStderr();
    std::string what = e.what();
    EXPECT_NE(what.find("bert.encoder.layer.0.intermediate.dense.bias"), std::string::npos) << what;
    EXPECT_NE(what.find("[37] in the checkpoint but [40] in the model"), std::string::npos) << what;
  }
  // A head of another size: num_labels disagrees with the checkpoint's classifier.
  FromPretrainedOptions opt;
  opt.num_labels = 5;
  EXPECT_THROW(load_and_capture(kTiny, opt), FormatError);
  testing::internal::GetCapturedStderr();
}

TEST(AutoModel, PrefixlessBaseCheckpointLoadsIntoHead) {
  fs::path d = edited_copy("base_only", [](io::TensorMap& w) {
    io::TensorMap base;
    for (auto& [k, v] : w)
      if (k.rfind("bert.", 0) == 0) base[k.substr(5)] = v;
    w = base;
  });
  std::string log = load_and_capture(d);
  EXPECT_NE(log.find("newly initialized: ['classifier.bias', 'classifier.weight']"), std::string::npos) << log;
  EXPECT_EQ(log.find("not used"), std::string::npos) << log;
}

TEST(AutoModel, UnknownModelTypeListsKnownOnes) {
  fs::path d = edited_copy("gpt", [](io::TensorMap&) {}, [](nlohmann::json& c) { c["model_type"] = "gpt_neox"; });
  try {
    AutoModelForSequenceClassification::from_pretrained(d.string());
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("'gpt_neox' is not supported"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("known: bert"), std::string::npos) << e.what();
  }
}

TEST(AutoModel, OptionsOverrideLabels) {
  FromPretrainedOptions opt;
  opt.id2label = {"a", "b", "c"};
  opt.problem_type = "multi_label_classification";
  testing::internal::CaptureStderr();
  auto m = AutoModelForSequenceClassification::from_pretrained(kTiny.string(), opt);
  testing::internal::GetCapturedStderr();
  auto cfg = m->config_json();
  EXPECT_EQ(cfg["id2label"]["2"], "c");
  EXPECT_EQ(cfg["problem_type"], "multi_label_classification");
}

TEST(SequenceClassificationLoss, ProblemTypeAsTransformersDecides) {
  EXPECT_EQ(infer_problem_type(1, torch::zeros({2})), "regression");
  EXPECT_EQ(infer_problem_type(3, torch::zeros({2}, torch::kLong)), "single_label_classification");
  EXPECT_EQ(infer_problem_type(3, torch::zeros({2, 3})), "multi_label_classification");
  EXPECT_THROW(sequence_classification_loss(torch::zeros({2, 3}), torch::zeros({2}), "ranking"), InvalidArgument);
}

}  // namespace
}  // namespace afinar
