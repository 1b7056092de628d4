// Every task head against transformers: tiny random checkpoints and expectations from
// tools/oracle/models_heads_fixtures.py (a padded batch: outputs, loss, every gradient).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/io/safetensors.h"
#include "afinar/models/bert/modeling_bert.h"
#include "afinar/models/modeling.h"
#include "afinar/models/roberta/modeling_roberta.h"
#include "afinar_test_paths.h"
#include "testing/assert_close.h"
#include "testing/real_tokens.h"

namespace afinar {
namespace {

const fs::path kFixtures = fs::path(AFINAR_FIXTURES_DIR) / "models";

using Loader = PreTrainedModel (*)(const std::string&, const FromPretrainedOptions&);

struct HeadCase {
  const char* fixture;       ///< tests/fixtures/models/<fixture>/ and <fixture>_expected.safetensors
  const char* architecture;  ///< transformers class, saved in config.json
  const char* auto_class;    ///< transformers' Auto class that loads the saved folder
  Loader load;
  std::vector<std::string> outputs;  ///< ModelOutputs fields compared
  std::vector<std::string> base_prefixes;
};

std::ostream& operator<<(std::ostream& os, const HeadCase& c) {
  return os << c.fixture;
}

const std::vector<HeadCase>& cases() {
  static const std::vector<HeadCase> all = {
      {"tiny_bert_token",
       "BertForTokenClassification",
       "AutoModelForTokenClassification",
       &AutoModelForTokenClassification::from_pretrained,
       {"logits"},
       {"bert."}},
      {"tiny_bert_mlm",
       "BertForMaskedLM",
       "AutoModelForMaskedLM",
       &AutoModelForMaskedLM::from_pretrained,
       {"logits"},
       {"bert."}},
      {"tiny_bert_qa",
       "BertForQuestionAnswering",
       "AutoModelForQuestionAnswering",
       &AutoModelForQuestionAnswering::from_pretrained,
       {"start_logits", "end_logits"},
       {"bert."}},
      {"tiny_roberta_seq",
       "RobertaForSequenceClassification",
       "AutoModelForSequenceClassification",
       &AutoModelForSequenceClassification::from_pretrained,
       {"logits"},
       {"roberta."}},
      {"tiny_roberta_token",
       "RobertaForTokenClassification",
       "AutoModelForTokenClassification",
       &AutoModelForTokenClassification::from_pretrained,
       {"logits"},
       {"roberta."}},
      {"tiny_distilbert_seq",
       "DistilBertForSequenceClassification",
       "AutoModelForSequenceClassification",
       &AutoModelForSequenceClassification::from_pretrained,
       {"logits"},
       {"distilbert."}},
      {"tiny_distilbert_token",
       "DistilBertForTokenClassification",
       "AutoModelForTokenClassification",
       &AutoModelForTokenClassification::from_pretrained,
       {"logits"},
       {"distilbert."}},
  };
  return all;
}

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

fs::path temp_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("afinar_heads_test_" + std::to_string(::getpid())) / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

ModelInputs inputs_of(const io::TensorMap& e) {
  auto get = [&](const char* k) { return e.count(k) ? e.at(k) : torch::Tensor(); };
  ModelInputs in;
  in.input_ids = get("input_ids");
  in.attention_mask = get("attention_mask");
  in.token_type_ids = get("token_type_ids");
  in.labels = get("labels");
  in.start_positions = get("start_positions");
  in.end_positions = get("end_positions");
  return in;
}

torch::Tensor output(const ModelOutputs& out, const std::string& name) {
  if (name == "logits") return out.logits;
  if (name == "start_logits") return out.start_logits;
  if (name == "end_logits") return out.end_logits;
  throw InvalidArgument("unknown output " + name);
}

class Head : public testing::TestWithParam<HeadCase> {
 protected:
  fs::path checkpoint() const { return kFixtures / GetParam().fixture; }
  io::TensorMap expected() const {
    return io::load_safetensors(kFixtures / (std::string(GetParam().fixture) + "_expected.safetensors"));
  }
  PreTrainedModel load() const {
    testing::internal::CaptureStderr();
    PreTrainedModel m = GetParam().load(checkpoint().string(), {});
    std::string log = testing::internal::GetCapturedStderr();
    EXPECT_EQ(log, "") << "a clean checkpoint loads silently";
    return m;
  }
};

TEST_P(Head, ParameterNamesAreCheckpointKeys) {
  PreTrainedModel model = load();
  std::vector<std::string> ours, theirs;
  for (const auto& p : model->named_parameters()) ours.push_back(p.key());
  for (const auto& [k, v] : io::load_safetensors(checkpoint() / "model.safetensors")) theirs.push_back(k);
  std::sort(ours.begin(), ours.end());
  EXPECT_EQ(ours, theirs);
  EXPECT_EQ(model->base_parameter_prefixes(), GetParam().base_prefixes);
}

TEST_P(Head, TinyMatchesTransformers) {
  PreTrainedModel model = load();
  io::TensorMap e = expected();
  ModelOutputs out = model->forward(inputs_of(e));
  for (const auto& name : GetParam().outputs) {
    double d = max_abs_diff(afinar_test::at_real_tokens(output(out, name), e.at("attention_mask")),
                            afinar_test::at_real_tokens(e.at(name), e.at("attention_mask")));
    std::cout << GetParam().fixture << ": max|" << name << " diff| = " << d << "\n";
    EXPECT_LE(d, 1e-5) << name;
  }
  ASSERT_TRUE(out.loss.defined());
  double loss_diff = max_abs_diff(out.loss.reshape({1}), e.at("loss"));
  std::cout << GetParam().fixture << ": |loss diff| = " << loss_diff << "\n";
  EXPECT_LE(loss_diff, 1e-5);

  out.loss.backward();
  afinar_test::expect_gradients_close(*model, e, afinar_test::kFp32Gradients, GetParam().fixture);

  // Without labels: no loss, same outputs.
  torch::NoGradGuard no_grad;
  ModelInputs in = inputs_of(e);
  in.labels = in.start_positions = in.end_positions = torch::Tensor();
  ModelOutputs plain = model->forward(in);
  EXPECT_FALSE(plain.loss.defined());
  for (const auto& name : GetParam().outputs)
    EXPECT_LE(max_abs_diff(afinar_test::at_real_tokens(output(plain, name), e.at("attention_mask")),
                           afinar_test::at_real_tokens(e.at(name), e.at("attention_mask"))),
              1e-5);
}

TEST_P(Head, SaveAndReload) {
  PreTrainedModel model = load();
  fs::path out = temp_dir(std::string(GetParam().fixture) + "_saved");
  model->save_pretrained(out);
  auto cfg = nlohmann::json::parse(read_file(out / "config.json"));
  EXPECT_EQ(cfg["architectures"][0], GetParam().architecture);
  io::TensorMap saved = io::load_safetensors(out / "model.safetensors");
  io::TensorMap orig = io::load_safetensors(checkpoint() / "model.safetensors");
  ASSERT_EQ(saved.size(), orig.size());  // tied weights are saved once, as transformers
  for (const auto& [k, v] : orig) EXPECT_TRUE(saved.count(k) && torch::equal(saved.at(k), v)) << k;

  PreTrainedModel again = GetParam().load(out.string(), {});
  io::TensorMap e = expected();
  torch::NoGradGuard no_grad;
  ModelOutputs a = model->forward(inputs_of(e)), b = again->forward(inputs_of(e));
  for (const auto& name : GetParam().outputs) EXPECT_TRUE(torch::equal(output(a, name), output(b, name))) << name;
}

TEST_P(Head, TransformersLoadsWhatAfinarSaves) {
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
    ModelInputs in;
    in.input_ids = e.at("input_ids");
    in.attention_mask = e.at("attention_mask");
    ModelOutputs out = model->forward(in);
    for (const auto& name : GetParam().outputs) tensors["out." + name] = output(out, name);
  }
  io::save_safetensors(dir / "io.safetensors", tensors);
  std::ofstream(dir / "check.py") << R"PY(
import sys, torch, transformers
from safetensors.torch import load_file
d, auto_class = sys.argv[1], sys.argv[2]
model = getattr(transformers, auto_class).from_pretrained(d + "/model").eval()
io = load_file(d + "/io.safetensors")
print("CLASS", type(model).__name__)
with torch.no_grad():
    got = model(input_ids=io["input_ids"], attention_mask=io["attention_mask"])
diff = max((getattr(got, k[4:]) - v).abs().max().item() for k, v in io.items() if k.startswith("out."))
print("MAXDIFF", diff)
)PY";
  std::string cmd = std::string(python) + " " + (dir / "check.py").string() + " " + dir.string() + " " +
                    GetParam().auto_class + " > " + (dir / "out.txt").string() + " 2>&1";
  int rc = std::system(cmd.c_str());
  std::string log = read_file(dir / "out.txt");
  ASSERT_EQ(rc, 0) << log;
  for (const char* word : {"MISSING", "UNEXPECTED", "MISMATCH", "newly initialized", "not used"})
    EXPECT_EQ(log.find(word), std::string::npos) << word << " in:\n" << log;
  EXPECT_NE(log.find(std::string("CLASS ") + GetParam().architecture), std::string::npos) << log;
  size_t at = log.find("MAXDIFF ");
  ASSERT_NE(at, std::string::npos) << log;
  double diff = std::stod(log.substr(at + 8));
  std::cout << GetParam().fixture << ": transformers loading afinar's save: max|diff| = " << diff << "\n";
  EXPECT_LE(diff, 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Models, Head, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<HeadCase>& info) { return std::string(info.param.fixture); });

// ---------------------------------------------------------------------------------------------
// Head-specific behaviour

TEST(BertForMaskedLM, DecoderIsTiedToWordEmbeddings) {
  PreTrainedModel m = AutoModelForMaskedLM::from_pretrained((kFixtures / "tiny_bert_mlm").string());
  auto mlm = std::dynamic_pointer_cast<BertForMaskedLMImpl>(m);
  ASSERT_TRUE(mlm);
  io::TensorMap e = io::load_safetensors(kFixtures / "tiny_bert_mlm_expected.safetensors");
  torch::NoGradGuard no_grad;
  ModelInputs in = inputs_of(e);
  torch::Tensor before = mlm->forward(in).logits;  // (B, T, V)
  // Change the embedding of a token absent from the batch: the inputs are unchanged, so only that
  // token's column of the scores moves, through the tied decoder. (One coordinate: adding a constant
  // to the whole row would vanish against the LayerNorm output, whose coordinates sum to ~0.)
  int64_t t = 1;
  while ((e.at("input_ids") == t).any().item<bool>()) ++t;
  mlm->bert->embeddings->word_embeddings->weight[t][0].add_(1.0);
  torch::Tensor after = mlm->forward(in).logits;
  EXPECT_GT(max_abs_diff(after.select(2, t), before.select(2, t)), 1e-3);
  torch::Tensor others = torch::cat({after.slice(2, 0, t), after.slice(2, t + 1)}, 2);
  torch::Tensor others_before = torch::cat({before.slice(2, 0, t), before.slice(2, t + 1)}, 2);
  EXPECT_TRUE(torch::equal(others, others_before));
  EXPECT_EQ(mlm->config_json()["tie_word_embeddings"], true);
}

TEST(BertForMaskedLM, LegacyDecoderKeysLoad) {
  // Older checkpoints store cls.predictions.decoder.{weight,bias} too: the weight is the tied
  // embedding, the bias is cls.predictions.bias.
  fs::path d = temp_dir("mlm_legacy");
  io::TensorMap w = io::load_safetensors(kFixtures / "tiny_bert_mlm/model.safetensors");
  w["cls.predictions.decoder.weight"] = w.at("bert.embeddings.word_embeddings.weight");
  w["cls.predictions.decoder.bias"] = w.at("cls.predictions.bias");
  w.erase("cls.predictions.bias");
  io::save_safetensors(d / "model.safetensors", w);
  fs::copy_file(kFixtures / "tiny_bert_mlm/config.json", d / "config.json");
  testing::internal::CaptureStderr();
  PreTrainedModel m = AutoModelForMaskedLM::from_pretrained(d.string());
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  io::TensorMap e = io::load_safetensors(kFixtures / "tiny_bert_mlm_expected.safetensors");
  torch::NoGradGuard no_grad;
  EXPECT_LE(max_abs_diff(afinar_test::at_real_tokens(m->forward(inputs_of(e)).logits, e.at("attention_mask")),
                         afinar_test::at_real_tokens(e.at("logits"), e.at("attention_mask"))),
            1e-5);
}

TEST(BertForQuestionAnswering, LossIgnoresAnswersOutsideTheSequence) {
  torch::Tensor start = torch::randn({2, 5}), end = torch::randn({2, 5});
  namespace F = torch::nn::functional;
  // Row 1's positions are past T = 5: clamped to 5 and ignored, so only row 0 counts.
  auto longs = [](std::vector<int64_t> v) { return torch::tensor(v, torch::kLong); };
  torch::Tensor loss = question_answering_loss(start, end, longs({1, 9}), longs({3, 7}));
  torch::Tensor want =
      (F::cross_entropy(start.slice(0, 0, 1), longs({1})) + F::cross_entropy(end.slice(0, 0, 1), longs({3}))) / 2;
  EXPECT_LE(max_abs_diff(loss, want), 1e-6);
  // (B, 1) positions are accepted, as transformers squeezes them.
  EXPECT_LE(
      max_abs_diff(question_answering_loss(start, end, longs({1, 9}).view({2, 1}), longs({3, 7}).view({2, 1})), want),
      1e-6);
}

TEST(Roberta, PositionIdsCountRealTokensAfterPadding) {
  // As transformers' create_position_ids_from_input_ids with padding_idx 1.
  torch::Tensor ids = torch::tensor({0, 5, 6, 2, 1, 1, 0, 7, 2, 1, 1, 1}, torch::kLong).view({2, 6});
  torch::Tensor want = torch::tensor({2, 3, 4, 5, 1, 1, 2, 3, 4, 1, 1, 1}, torch::kLong).view({2, 6});
  EXPECT_TRUE(torch::equal(roberta_position_ids(ids, 1), want));
}

TEST(Roberta, ConfigDefaultsAndRoundTrip) {
  RobertaConfig c = RobertaConfig::from_json({{"model_type", "roberta"}, {"hidden_size", 64}, {"custom", 7}});
  EXPECT_EQ(c.vocab_size, 50265);
  EXPECT_EQ(c.pad_token_id.value_or(-1), 1);
  EXPECT_EQ(c.bos_token_id.value_or(-1), 0);
  EXPECT_EQ(c.eos_token_id.value_or(-1), 2);
  EXPECT_EQ(c.hidden_size, 64);
  nlohmann::json j = c.to_json();
  EXPECT_EQ(j["model_type"], "roberta");
  EXPECT_EQ(j["custom"], 7);
  EXPECT_EQ(j["eos_token_id"], 2);
  EXPECT_EQ(RobertaConfig::from_json(j).to_json(), j);
  // The checkpoint's labels decide num_labels, not the defaults.
  EXPECT_EQ(RobertaConfig::from_json({{"num_labels", 4}}).num_labels(), 4);
}

TEST(AutoModel, EveryAutoClassNamesItselfForAnUnknownModelType) {
  fs::path d = temp_dir("gpt2");
  write_file_atomic(d / "config.json", R"({"model_type": "gpt2"})");
  try {
    AutoModelForMaskedLM::from_pretrained(d.string());
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("not supported by AutoModelForMaskedLM (known: bert"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace afinar
