// The causal-LM heads of the encoder families against transformers: BertLMHeadModel,
// RobertaForCausalLM, BartForCausalLM. Tiny random checkpoints and expectations from
// tools/oracle/models_causal_heads_fixtures.py (a right-padded batch, labels = input_ids with -100 at
// padding: logits, loss, every gradient). Checked as modeling_encoder_heads_test.cpp checks the
// other heads, plus causality and the is_decoder rules.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/io/safetensors.h"
#include "afinar/models/bart/modeling_bart.h"
#include "afinar/models/bert/modeling_bert.h"
#include "afinar/models/modeling.h"
#include "afinar/models/roberta/modeling_roberta.h"
#include "afinar_test_paths.h"
#include "testing/assert_close.h"
#include "testing/real_tokens.h"

namespace afinar {
namespace {

const fs::path kFixtures = fs::path(AFINAR_FIXTURES_DIR) / "models";

struct CausalHeadCase {
  const char* fixture;       ///< tests/fixtures/models/<fixture>/ and <fixture>_expected.safetensors
  const char* architecture;  ///< transformers class, saved in config.json
  const char* base_prefix;
  const char* head_prefix;  ///< "" = every parameter is the base's (BartForCausalLM: lm_head is tied)
};

std::ostream& operator<<(std::ostream& os, const CausalHeadCase& c) {
  return os << c.fixture;
}

const std::vector<CausalHeadCase>& cases() {
  static const std::vector<CausalHeadCase> all = {
      {"tiny_bert_clm", "BertLMHeadModel", "bert.", "cls."},
      {"tiny_roberta_clm", "RobertaForCausalLM", "roberta.", "lm_head."},
      {"tiny_bart_clm", "BartForCausalLM", "model.", ""},
  };
  return all;
}

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

fs::path temp_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("afinar_causal_heads_test_" + std::to_string(::getpid())) / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

ModelInputs inputs_of(const io::TensorMap& e, bool with_labels = true) {
  ModelInputs in;
  in.input_ids = e.at("input_ids");
  in.attention_mask = e.at("attention_mask");
  if (with_labels) in.labels = e.at("labels");
  return in;
}

io::TensorMap expected_of(const std::string& fixture) {
  return io::load_safetensors(kFixtures / (fixture + "_expected.safetensors"));
}

PreTrainedModel load_quiet(const fs::path& dir, const FromPretrainedOptions& opt = {}) {
  testing::internal::CaptureStderr();
  PreTrainedModel m = AutoModelForCausalLM::from_pretrained(dir.string(), opt);
  std::string log = testing::internal::GetCapturedStderr();
  EXPECT_EQ(log, "") << "a clean checkpoint loads silently";
  return m;
}

class CausalHead : public testing::TestWithParam<CausalHeadCase> {
 protected:
  fs::path checkpoint() const { return kFixtures / GetParam().fixture; }
  io::TensorMap expected() const { return expected_of(GetParam().fixture); }
  PreTrainedModel load() const { return load_quiet(checkpoint()); }
};

TEST_P(CausalHead, ParameterNamesAreCheckpointKeys) {
  PreTrainedModel model = load();
  EXPECT_EQ(model->config_json()["architectures"][0], GetParam().architecture);
  std::vector<std::string> ours, theirs;
  for (const auto& p : model->named_parameters()) ours.push_back(p.key());
  for (const auto& [k, v] : io::load_safetensors(checkpoint() / "model.safetensors")) theirs.push_back(k);
  std::sort(ours.begin(), ours.end());
  EXPECT_EQ(ours, theirs);
  EXPECT_EQ(model->base_parameter_prefixes(), std::vector<std::string>{GetParam().base_prefix});
  const std::string head = GetParam().head_prefix;
  for (const auto& name : ours) {
    bool base = name.rfind(GetParam().base_prefix, 0) == 0;
    bool is_head = !head.empty() && name.rfind(head, 0) == 0;
    EXPECT_NE(base, is_head) << name;
  }
}

TEST_P(CausalHead, TinyMatchesTransformers) {
  PreTrainedModel model = load();
  io::TensorMap e = expected();
  ModelOutputs out = model->forward(inputs_of(e));
  double d = max_abs_diff(afinar_test::at_real_tokens(out.logits, e.at("attention_mask")),
                          afinar_test::at_real_tokens(e.at("logits"), e.at("attention_mask")));
  std::cout << GetParam().fixture << ": max|logits diff| = " << d << "\n";
  EXPECT_LE(d, 1e-5);
  ASSERT_TRUE(out.loss.defined());
  double loss_diff = max_abs_diff(out.loss.reshape({1}), e.at("loss"));
  std::cout << GetParam().fixture << ": |loss diff| = " << loss_diff << "\n";
  EXPECT_LE(loss_diff, 1e-5);

  out.loss.backward();
  // transformers has no gradient for BartForCausalLM's unused cross-attention: nor do we.
  afinar_test::expect_gradients_close(*model, e, afinar_test::kFp32Gradients, GetParam().fixture,
                                      /*absent_means_zero=*/true);

  torch::NoGradGuard no_grad;
  ModelOutputs plain = model->forward(inputs_of(e, /*with_labels=*/false));
  EXPECT_FALSE(plain.loss.defined());
  EXPECT_LE(max_abs_diff(afinar_test::at_real_tokens(plain.logits, e.at("attention_mask")),
                         afinar_test::at_real_tokens(e.at("logits"), e.at("attention_mask"))),
            1e-5);
}

/// Position t sees tokens 0..t only: changing the last token of a full row leaves the logits of
/// the earlier positions bit-identical.
TEST_P(CausalHead, SelfAttentionIsCausal) {
  PreTrainedModel model = load();
  io::TensorMap e = expected();
  torch::NoGradGuard no_grad;
  ModelInputs in = inputs_of(e, false);
  torch::Tensor before = model->forward(in).logits;  // (B, T, V)
  in.input_ids = in.input_ids.clone();
  const int64_t T = in.input_ids.size(1);
  in.input_ids[0][T - 1] = (in.input_ids[0][T - 1].item<int64_t>() + 7) % 96 + 3;  // row 0 has no padding
  torch::Tensor after = model->forward(in).logits;
  EXPECT_TRUE(torch::allclose(after.select(0, 0).slice(0, 0, T - 1), before.select(0, 0).slice(0, 0, T - 1), 0, 1e-6));
  EXPECT_GT(max_abs_diff(after[0][T - 1], before[0][T - 1]), 1e-4);
}

TEST_P(CausalHead, SaveAndReload) {
  PreTrainedModel model = load();
  fs::path out = temp_dir(std::string(GetParam().fixture) + "_saved");
  model->save_pretrained(out);
  auto cfg = nlohmann::json::parse(read_file(out / "config.json"));
  EXPECT_EQ(cfg["architectures"][0], GetParam().architecture);
  EXPECT_EQ(cfg["tie_word_embeddings"], true);
  EXPECT_EQ(cfg["is_decoder"], true);
  io::TensorMap saved = io::load_safetensors(out / "model.safetensors");
  io::TensorMap orig = io::load_safetensors(checkpoint() / "model.safetensors");
  ASSERT_EQ(saved.size(), orig.size());  // the tied decoder/lm_head is not saved, as transformers
  for (const auto& [k, v] : orig) EXPECT_TRUE(saved.count(k) && torch::equal(saved.at(k), v)) << k;

  PreTrainedModel again = load_quiet(out);
  io::TensorMap e = expected();
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::equal(model->forward(inputs_of(e)).logits, again->forward(inputs_of(e)).logits));
}

TEST_P(CausalHead, TransformersLoadsWhatAfinarSaves) {
  const char* python = std::getenv("AFINAR_PYTHON");
  if (!python || !*python) GTEST_SKIP() << "AFINAR_PYTHON not set";
  PreTrainedModel model = load();
  model->padding_free = false;  // the whole padded output, padding included, against transformers'
  fs::path dir = temp_dir(std::string(GetParam().fixture) + "_roundtrip");
  model->save_pretrained(dir / "model");
  io::TensorMap e = expected();
  io::TensorMap tensors{{"input_ids", e.at("input_ids")}, {"attention_mask", e.at("attention_mask")}};
  {
    torch::NoGradGuard no_grad;
    tensors["logits"] = model->forward(inputs_of(e, false)).logits;
  }
  io::save_safetensors(dir / "io.safetensors", tensors);
  std::ofstream(dir / "check.py") << R"PY(
import sys, torch, transformers
from safetensors.torch import load_file
d = sys.argv[1]
model, info = transformers.AutoModelForCausalLM.from_pretrained(d + "/model", output_loading_info=True)
model.eval()
for k, v in info.items():
    if v:
        print(k.upper(), v)
io = load_file(d + "/io.safetensors")
print("CLASS", type(model).__name__)
with torch.no_grad():
    got = model(input_ids=io["input_ids"], attention_mask=io["attention_mask"])
print("MAXDIFF", (got.logits - io["logits"]).abs().max().item())
)PY";
  std::string cmd = std::string(python) + " " + (dir / "check.py").string() + " " + dir.string() + " > " +
                    (dir / "out.txt").string() + " 2>&1";
  int rc = std::system(cmd.c_str());
  std::string log = read_file(dir / "out.txt");
  ASSERT_EQ(rc, 0) << log;
  for (const char* word : {"MISSING", "UNEXPECTED", "MISMATCH", "newly initialized", "not used", "is_decoder"})
    EXPECT_EQ(log.find(word), std::string::npos) << word << " in:\n" << log;
  EXPECT_NE(log.find(std::string("CLASS ") + GetParam().architecture), std::string::npos) << log;
  size_t at = log.find("MAXDIFF ");
  ASSERT_NE(at, std::string::npos) << log;
  double diff = std::stod(log.substr(at + 8));
  std::cout << GetParam().fixture << ": transformers loading afinar's save: max|logits diff| = " << diff << "\n";
  EXPECT_LE(diff, 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Encoders, CausalHead, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<CausalHeadCase>& info) {
                           return std::string(info.param.fixture);
                         });

// ---------------------------------------------------------------------------------------------
// The Auto class and is_decoder

TEST(CausalHeadsAuto, AutoModelForCausalLMPicksTheHeadOfTheModelType) {
  EXPECT_TRUE(std::dynamic_pointer_cast<BertLMHeadModelImpl>(load_quiet(kFixtures / "tiny_bert_clm")));
  EXPECT_TRUE(std::dynamic_pointer_cast<RobertaForCausalLMImpl>(load_quiet(kFixtures / "tiny_roberta_clm")));
  EXPECT_TRUE(std::dynamic_pointer_cast<BartForCausalLMImpl>(load_quiet(kFixtures / "tiny_bart_clm")));
}

/// transformers only warns on a BERT/RoBERTa config without is_decoder, then attends both ways; afinar
/// refuses, naming the fix.
TEST(CausalHeadsAuto, EncoderConfigWithoutIsDecoderIsRefused) {
  for (const char* fixture : {"tiny_bert_mlm", "tiny_roberta_mlm"}) {
    try {
      AutoModelForCausalLM::from_pretrained((kFixtures / fixture).string());
      ADD_FAILURE() << fixture << ": no error";
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find("is_decoder"), std::string::npos) << e.what();
    }
  }
}

/// A masked-LM checkpoint loads into the causal head unchanged once is_decoder is set (same tensors,
/// as transformers: nothing missing, nothing unused), and its attention then is causal.
TEST(CausalHeadsAuto, MaskedLMCheckpointLoadsWithIsDecoderOverride) {
  FromPretrainedOptions opt;
  opt.config_overrides = {{"is_decoder", true}};
  for (const char* fixture : {"tiny_bert_mlm", "tiny_roberta_mlm"}) {
    PreTrainedModel clm = load_quiet(kFixtures / fixture, opt);
    PreTrainedModel mlm = AutoModelForMaskedLM::from_pretrained((kFixtures / fixture).string());
    auto a = clm->named_parameters(), b = mlm->named_parameters();
    ASSERT_EQ(a.size(), b.size()) << fixture;
    for (const auto& p : a) EXPECT_TRUE(torch::equal(p.value(), b[p.key()])) << fixture << " " << p.key();
    io::TensorMap e = expected_of(fixture);
    torch::NoGradGuard no_grad;
    ModelInputs in;
    in.input_ids = e.at("input_ids");
    in.attention_mask = e.at("attention_mask");
    torch::Tensor lc = clm->forward(in).logits, lm = mlm->forward(in).logits;
    EXPECT_GT(max_abs_diff(lc[0][0], lm[0][0]), 1e-4) << fixture;  // the first token no longer sees the rest
  }
}

/// The bidirectional heads still refuse a decoder config.
TEST(CausalHeadsAuto, OtherHeadsRefuseIsDecoder) {
  EXPECT_THROW(AutoModelForMaskedLM::from_pretrained((kFixtures / "tiny_bert_clm").string()), InvalidArgument);
  EXPECT_THROW(AutoModelForSequenceClassification::from_pretrained((kFixtures / "tiny_roberta_clm").string()),
               InvalidArgument);
}

TEST(BertLMHeadModel, DecoderIsTiedToWordEmbeddings) {
  auto m = std::dynamic_pointer_cast<BertLMHeadModelImpl>(load_quiet(kFixtures / "tiny_bert_clm"));
  ASSERT_TRUE(m);
  io::TensorMap e = expected_of("tiny_bert_clm");
  torch::NoGradGuard no_grad;
  ModelInputs in = inputs_of(e, false);
  torch::Tensor before = m->forward(in).logits;
  int64_t t = 3;
  while ((e.at("input_ids") == t).any().item<bool>()) ++t;
  m->bert->embeddings->word_embeddings->weight[t][0].add_(1.0);
  torch::Tensor after = m->forward(in).logits;
  EXPECT_GT(max_abs_diff(after.select(2, t), before.select(2, t)), 1e-3);
}

TEST(BartForCausalLM, LabelsAreNotShifted) {
  PreTrainedModel m = load_quiet(kFixtures / "tiny_bart_clm");
  io::TensorMap e = expected_of("tiny_bart_clm");
  torch::NoGradGuard no_grad;
  ModelOutputs out = m->forward(inputs_of(e));
  torch::Tensor want =
      torch::nn::functional::cross_entropy(out.logits.reshape({-1, out.logits.size(-1)}), e.at("labels").reshape({-1}),
                                           torch::nn::functional::CrossEntropyFuncOptions().ignore_index(-100));
  EXPECT_LE(max_abs_diff(out.loss, want), 1e-6);
  auto cfg = m->config_json();
  EXPECT_EQ(cfg["is_encoder_decoder"], false);
  EXPECT_FALSE(m->is_encoder_decoder());
}

}  // namespace
}  // namespace afinar
