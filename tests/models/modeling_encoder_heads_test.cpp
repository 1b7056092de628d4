// The masked-LM and question-answering heads of RoBERTa and DistilBERT against transformers: tiny
// random checkpoints and expectations from tools/oracle/models_encoder_heads_fixtures.py (a padded
// batch: outputs, loss, every gradient). Checked as modeling_heads_test.cpp checks the other heads.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <functional>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/io/safetensors.h"
#include "afinar/models/distilbert/modeling_distilbert.h"
#include "afinar/models/modeling.h"
#include "afinar/models/roberta/modeling_roberta.h"
#include "afinar_test_paths.h"
#include "testing/assert_close.h"
#include "testing/real_tokens.h"

namespace afinar {
namespace {

const fs::path kFixtures = fs::path(AFINAR_FIXTURES_DIR) / "models";

using Loader = PreTrainedModel (*)(const std::string&, const FromPretrainedOptions&);

struct EncoderHeadCase {
  const char* fixture;       ///< tests/fixtures/models/<fixture>/ and <fixture>_expected.safetensors
  const char* architecture;  ///< transformers class, saved in config.json
  const char* auto_class;    ///< transformers' Auto class that loads the saved folder
  Loader load;
  std::vector<std::string> outputs;  ///< ModelOutputs fields compared
  std::vector<std::string> base_prefixes;
};

std::ostream& operator<<(std::ostream& os, const EncoderHeadCase& c) {
  return os << c.fixture;
}

const std::vector<EncoderHeadCase>& cases() {
  static const std::vector<EncoderHeadCase> all = {
      {"tiny_roberta_mlm",
       "RobertaForMaskedLM",
       "AutoModelForMaskedLM",
       &AutoModelForMaskedLM::from_pretrained,
       {"logits"},
       {"roberta."}},
      {"tiny_roberta_qa",
       "RobertaForQuestionAnswering",
       "AutoModelForQuestionAnswering",
       &AutoModelForQuestionAnswering::from_pretrained,
       {"start_logits", "end_logits"},
       {"roberta."}},
      {"tiny_distilbert_mlm",
       "DistilBertForMaskedLM",
       "AutoModelForMaskedLM",
       &AutoModelForMaskedLM::from_pretrained,
       {"logits"},
       {"distilbert."}},
      {"tiny_distilbert_qa",
       "DistilBertForQuestionAnswering",
       "AutoModelForQuestionAnswering",
       &AutoModelForQuestionAnswering::from_pretrained,
       {"start_logits", "end_logits"},
       {"distilbert."}},
  };
  return all;
}

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

fs::path temp_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("afinar_encoder_heads_test_" + std::to_string(::getpid())) / name;
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

io::TensorMap expected_of(const std::string& fixture) {
  return io::load_safetensors(kFixtures / (fixture + "_expected.safetensors"));
}

class EncoderHead : public testing::TestWithParam<EncoderHeadCase> {
 protected:
  fs::path checkpoint() const { return kFixtures / GetParam().fixture; }
  io::TensorMap expected() const { return expected_of(GetParam().fixture); }
  PreTrainedModel load() const {
    testing::internal::CaptureStderr();
    PreTrainedModel m = GetParam().load(checkpoint().string(), {});
    std::string log = testing::internal::GetCapturedStderr();
    EXPECT_EQ(log, "") << "a clean checkpoint loads silently";
    return m;
  }
};

TEST_P(EncoderHead, ParameterNamesAreCheckpointKeys) {
  PreTrainedModel model = load();
  std::vector<std::string> ours, theirs;
  for (const auto& p : model->named_parameters()) ours.push_back(p.key());
  for (const auto& [k, v] : io::load_safetensors(checkpoint() / "model.safetensors")) theirs.push_back(k);
  std::sort(ours.begin(), ours.end());
  EXPECT_EQ(ours, theirs);
  EXPECT_EQ(model->base_parameter_prefixes(), GetParam().base_prefixes);
  // Every parameter outside the base is the head's: --freeze_base_model trains exactly those.
  for (const auto& name : ours) {
    bool base = name.rfind(GetParam().base_prefixes[0], 0) == 0;
    bool head = name.rfind("lm_head.", 0) == 0 || name.rfind("vocab_", 0) == 0 || name.rfind("qa_outputs.", 0) == 0;
    EXPECT_NE(base, head) << name;
  }
}

TEST_P(EncoderHead, TinyMatchesTransformers) {
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

TEST_P(EncoderHead, SaveAndReload) {
  PreTrainedModel model = load();
  fs::path out = temp_dir(std::string(GetParam().fixture) + "_saved");
  model->save_pretrained(out);
  auto cfg = nlohmann::json::parse(read_file(out / "config.json"));
  EXPECT_EQ(cfg["architectures"][0], GetParam().architecture);
  EXPECT_EQ(cfg["tie_word_embeddings"], true);  // as transformers writes it for every head of these families
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

TEST_P(EncoderHead, TransformersLoadsWhatAfinarSaves) {
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
model, info = getattr(transformers, auto_class).from_pretrained(d + "/model", output_loading_info=True)
model.eval()
for k, v in info.items():
    if v:
        print(k.upper(), v)
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

INSTANTIATE_TEST_SUITE_P(Encoders, EncoderHead, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<EncoderHeadCase>& info) {
                           return std::string(info.param.fixture);
                         });

// ---------------------------------------------------------------------------------------------
// The Auto classes pick the head by model_type, and the concrete class is the one named in
// config.json's architectures.

TEST(EncoderHeadsAuto, AutoClassesPickTheHeadOfTheModelType) {
  auto load_quiet = [](Loader load, const char* fixture) {
    testing::internal::CaptureStderr();
    PreTrainedModel m = load((kFixtures / fixture).string(), {});
    testing::internal::GetCapturedStderr();
    return m;
  };
  EXPECT_TRUE(std::dynamic_pointer_cast<RobertaForMaskedLMImpl>(
      load_quiet(&AutoModelForMaskedLM::from_pretrained, "tiny_roberta_mlm")));
  EXPECT_TRUE(std::dynamic_pointer_cast<RobertaForQuestionAnsweringImpl>(
      load_quiet(&AutoModelForQuestionAnswering::from_pretrained, "tiny_roberta_qa")));
  EXPECT_TRUE(std::dynamic_pointer_cast<DistilBertForMaskedLMImpl>(
      load_quiet(&AutoModelForMaskedLM::from_pretrained, "tiny_distilbert_mlm")));
  EXPECT_TRUE(std::dynamic_pointer_cast<DistilBertForQuestionAnsweringImpl>(
      load_quiet(&AutoModelForQuestionAnswering::from_pretrained, "tiny_distilbert_qa")));
  // Another head from the same checkpoint: model_type decides the family, the task the head; the
  // head's tensors are absent and newly initialised (with a warning, as transformers).
  testing::internal::CaptureStderr();
  PreTrainedModel qa = AutoModelForQuestionAnswering::from_pretrained((kFixtures / "tiny_roberta_mlm").string());
  std::string log = testing::internal::GetCapturedStderr();
  EXPECT_TRUE(std::dynamic_pointer_cast<RobertaForQuestionAnsweringImpl>(qa));
  EXPECT_NE(log.find("qa_outputs.weight"), std::string::npos) << log;
  EXPECT_NE(log.find("lm_head.bias"), std::string::npos) << log;  // unused
  EXPECT_EQ(qa->config_json()["architectures"][0], "RobertaForQuestionAnswering");

  testing::internal::CaptureStderr();
  PreTrainedModel mlm = AutoModelForMaskedLM::from_pretrained((kFixtures / "tiny_distilbert_qa").string());
  log = testing::internal::GetCapturedStderr();
  EXPECT_TRUE(std::dynamic_pointer_cast<DistilBertForMaskedLMImpl>(mlm));
  EXPECT_NE(log.find("vocab_transform.weight"), std::string::npos) << log;
  EXPECT_EQ(mlm->config_json()["architectures"][0], "DistilBertForMaskedLM");
}

// ---------------------------------------------------------------------------------------------
// Tied decoders

/// Changes one coordinate of the embedding of a token absent from the batch: only that token's
/// column of the scores moves, through the tied decoder. (One coordinate: adding a constant to the
/// whole row would vanish against the LayerNorm output, whose coordinates sum to ~0.)
void expect_decoder_tied(PreTrainedModel m, torch::Tensor word_embeddings, const io::TensorMap& e) {
  torch::NoGradGuard no_grad;
  ModelInputs in = inputs_of(e);
  torch::Tensor before = m->forward(in).logits;  // (B, T, V)
  int64_t t = 3;
  while ((e.at("input_ids") == t).any().item<bool>()) ++t;
  word_embeddings[t][0].add_(1.0);
  torch::Tensor after = m->forward(in).logits;
  EXPECT_GT(max_abs_diff(after.select(2, t), before.select(2, t)), 1e-3);
  torch::Tensor others = torch::cat({after.slice(2, 0, t), after.slice(2, t + 1)}, 2);
  torch::Tensor others_before = torch::cat({before.slice(2, 0, t), before.slice(2, t + 1)}, 2);
  EXPECT_TRUE(torch::equal(others, others_before));
  EXPECT_EQ(m->config_json()["tie_word_embeddings"], true);
}

TEST(RobertaForMaskedLM, DecoderIsTiedToWordEmbeddings) {
  PreTrainedModel m = AutoModelForMaskedLM::from_pretrained((kFixtures / "tiny_roberta_mlm").string());
  auto mlm = std::dynamic_pointer_cast<RobertaForMaskedLMImpl>(m);
  ASSERT_TRUE(mlm);
  expect_decoder_tied(m, mlm->roberta->embeddings->word_embeddings->weight, expected_of("tiny_roberta_mlm"));
}

TEST(DistilBertForMaskedLM, DecoderIsTiedToWordEmbeddings) {
  PreTrainedModel m = AutoModelForMaskedLM::from_pretrained((kFixtures / "tiny_distilbert_mlm").string());
  auto mlm = std::dynamic_pointer_cast<DistilBertForMaskedLMImpl>(m);
  ASSERT_TRUE(mlm);
  expect_decoder_tied(m, mlm->distilbert->embeddings->word_embeddings->weight, expected_of("tiny_distilbert_mlm"));
}

/// Older checkpoints (roberta-base, distilbert-base-uncased) also store the tied decoder weight
/// (and RoBERTa's decoder bias, the same tensor as lm_head.bias): they load silently.
void expect_legacy_keys_load(const char* fixture, const std::function<void(io::TensorMap&)>& add_legacy) {
  fs::path d = temp_dir(std::string(fixture) + "_legacy");
  io::TensorMap w = io::load_safetensors(kFixtures / fixture / "model.safetensors");
  add_legacy(w);
  io::save_safetensors(d / "model.safetensors", w);
  fs::copy_file(kFixtures / fixture / "config.json", d / "config.json");
  testing::internal::CaptureStderr();
  PreTrainedModel m = AutoModelForMaskedLM::from_pretrained(d.string());
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  io::TensorMap e = expected_of(fixture);
  torch::NoGradGuard no_grad;
  EXPECT_LE(max_abs_diff(afinar_test::at_real_tokens(m->forward(inputs_of(e)).logits, e.at("attention_mask")),
                         afinar_test::at_real_tokens(e.at("logits"), e.at("attention_mask"))),
            1e-5);
}

TEST(RobertaForMaskedLM, LegacyDecoderKeysLoad) {
  expect_legacy_keys_load("tiny_roberta_mlm", [](io::TensorMap& w) {
    w["lm_head.decoder.weight"] = w.at("roberta.embeddings.word_embeddings.weight");
    w["lm_head.decoder.bias"] = w.at("lm_head.bias");
    w.erase("lm_head.bias");
  });
}

TEST(DistilBertForMaskedLM, LegacyDecoderKeysLoad) {
  expect_legacy_keys_load("tiny_distilbert_mlm", [](io::TensorMap& w) {
    w["vocab_projector.weight"] = w.at("distilbert.embeddings.word_embeddings.weight");
  });
}

TEST(EncoderQuestionAnswering, NumLabelsMustBeTwo) {
  RobertaConfig rc = RobertaConfig::from_json({{"vocab_size", 99},
                                               {"hidden_size", 32},
                                               {"num_hidden_layers", 1},
                                               {"num_attention_heads", 4},
                                               {"intermediate_size", 16},
                                               {"max_position_embeddings", 16},
                                               {"num_labels", 3}});
  EXPECT_THROW(RobertaForQuestionAnsweringImpl{rc}, InvalidArgument);
  DistilBertConfig dc = DistilBertConfig::from_json({{"vocab_size", 99},
                                                     {"dim", 32},
                                                     {"n_layers", 1},
                                                     {"n_heads", 4},
                                                     {"hidden_dim", 16},
                                                     {"max_position_embeddings", 16},
                                                     {"num_labels", 3}});
  EXPECT_THROW(DistilBertForQuestionAnsweringImpl{dc}, InvalidArgument);
}

}  // namespace
}  // namespace afinar
