// The T5 and BART classification / question-answering heads against transformers: tiny random
// checkpoints and expectations from tools/oracle/models_seq2seq_heads_fixtures.py (a padded batch:
// logits or start/end logits, encoder output, loss, every gradient).
#include <gtest/gtest.h>

#include <algorithm>

#include "afinar/models/bart/modeling_bart.h"
#include "afinar/models/checkpoint.h"
#include "afinar/models/t5/modeling_t5.h"
#include "afinar/nn/shift.h"
#include "seq2seq_test_util.h"
#include "testing/real_tokens.h"

namespace afinar {
namespace {

using namespace seq2seq_test;

struct HeadCase {
  ModelCase model;
  bool qa;                        ///< start_logits/end_logits instead of logits
  std::vector<std::string> head;  ///< parameters outside base_parameter_prefixes()
  nlohmann::json dropout;         ///< config overrides that turn every dropout on
  int64_t checkpointed_layers;    ///< layers per forward (encoder + decoder)
};

std::ostream& operator<<(std::ostream& os, const HeadCase& c) {
  return os << c.model.fixture;
}

const std::vector<HeadCase>& cases() {
  static const std::vector<HeadCase> all = {
      // relu, 3 labels, decoder state at the last eos; decoder_input_ids = shift_right(input_ids)
      {{"tiny_t5_seq", "T5ForSequenceClassification", "AutoModelForSequenceClassification",
        &AutoModelForSequenceClassification::from_pretrained},
       false,
       {"classification_head.dense.bias", "classification_head.dense.weight", "classification_head.out_proj.bias",
        "classification_head.out_proj.weight"},
       {{"dropout_rate", 0.1}, {"classifier_dropout", 0.1}},
       4},
      // gated-gelu, 5 labels, encoder only
      {{"tiny_t5_token", "T5ForTokenClassification", "AutoModelForTokenClassification",
        &AutoModelForTokenClassification::from_pretrained},
       false,
       {"classifier.bias", "classifier.weight"},
       {{"dropout_rate", 0.1}, {"classifier_dropout", 0.1}},
       2},
      // qa_outputs on the decoder output; an answer outside the sequence in the last row
      {{"tiny_t5_qa", "T5ForQuestionAnswering", "AutoModelForQuestionAnswering",
        &AutoModelForQuestionAnswering::from_pretrained},
       true,
       {"qa_outputs.bias", "qa_outputs.weight"},
       {{"dropout_rate", 0.1}},
       4},
      {{"tiny_bart_qa", "BartForQuestionAnswering", "AutoModelForQuestionAnswering",
        &AutoModelForQuestionAnswering::from_pretrained},
       true,
       {"qa_outputs.bias", "qa_outputs.weight"},
       {{"dropout", 0.1}, {"attention_dropout", 0.1}, {"activation_dropout", 0.1}},
       4},
  };
  return all;
}

ModelInputs head_inputs(const io::TensorMap& e, bool with_labels = true) {
  ModelInputs in = inputs_of(e, with_labels);
  if (with_labels && e.count("start_positions")) {
    in.start_positions = e.at("start_positions");
    in.end_positions = e.at("end_positions");
  }
  return in;
}

/// The outputs compared with transformers: {"logits"} or {"start_logits", "end_logits"}.
std::map<std::string, torch::Tensor> outputs_of(const ModelOutputs& o) {
  if (o.start_logits.defined()) return {{"start_logits", o.start_logits}, {"end_logits", o.end_logits}};
  return {{"logits", o.logits}};
}

class Seq2SeqHeads : public testing::TestWithParam<HeadCase> {};

TEST_P(Seq2SeqHeads, TinyMatchesTransformers) {
  const HeadCase& c = GetParam();
  PreTrainedModel model = load_silently(c.model);
  io::TensorMap e = expected(c.model);
  ModelOutputs out = model->forward(head_inputs(e));
  auto outs = outputs_of(out);
  EXPECT_EQ(outs.size(), c.qa ? 2u : 1u);
  for (const auto& [name, t] : outs) {
    ASSERT_TRUE(e.count(name)) << name;
    ASSERT_EQ(t.sizes(), e.at(name).sizes()) << name;
    double d = max_abs_diff(afinar_test::at_real_tokens(t, e.at("attention_mask")),
                            afinar_test::at_real_tokens(e.at(name), e.at("attention_mask")));
    std::cout << c.model.fixture << ": max|" << name << " diff| = " << d << "\n";
    EXPECT_LE(d, 1e-5) << name;
  }
  if (e.count("encoder_last_hidden_state")) {
    ASSERT_TRUE(out.encoder_last_hidden_state.defined());
    double de = max_abs_diff(afinar_test::at_real_tokens(out.encoder_last_hidden_state, e.at("attention_mask")),
                             afinar_test::at_real_tokens(e.at("encoder_last_hidden_state"), e.at("attention_mask")));
    std::cout << c.model.fixture << ": max|encoder_last_hidden_state diff| = " << de << "\n";
    EXPECT_LE(de, 1e-5);
  }
  ASSERT_TRUE(out.loss.defined());
  double dl = max_abs_diff(out.loss.reshape({1}), e.at("loss"));
  std::cout << c.model.fixture << ": |loss diff| = " << dl << "\n";
  EXPECT_LE(dl, 1e-5);

  out.loss.backward();
  expect_gradients_as_transformers(*model, e, c.model.fixture);
}

TEST_P(Seq2SeqHeads, SaveAndReload) {
  const HeadCase& c = GetParam();
  PreTrainedModel model = load_silently(c.model);
  std::vector<std::string> ours, theirs;
  for (const auto& p : model->named_parameters()) ours.push_back(p.key());
  io::TensorMap orig = io::load_safetensors(kFixtures / c.model.fixture / "model.safetensors");
  for (const auto& [k, v] : orig) theirs.push_back(k);
  std::sort(ours.begin(), ours.end());
  EXPECT_EQ(ours, theirs);

  fs::path out = temp_dir(std::string(c.model.fixture) + "_saved");
  model->save_pretrained(out);
  auto cfg = nlohmann::json::parse(read_file(out / "config.json"));
  EXPECT_EQ(cfg["architectures"][0], c.model.architecture);
  io::TensorMap saved = io::load_safetensors(out / "model.safetensors");
  EXPECT_EQ(saved.size(), orig.size()) << "tied weights are saved once, as transformers";
  for (const auto& [k, v] : orig) EXPECT_TRUE(saved.count(k) && torch::equal(saved.at(k), v)) << k;

  PreTrainedModel again = c.model.load(out.string(), {});
  io::TensorMap e = expected(c.model);
  torch::NoGradGuard no_grad;
  auto a = outputs_of(model->forward(head_inputs(e, false))), b = outputs_of(again->forward(head_inputs(e, false)));
  for (const auto& [name, t] : a) EXPECT_TRUE(torch::equal(t, b.at(name))) << name;
}

TEST_P(Seq2SeqHeads, TransformersLoadsWhatAfinarSaves) {
  const char* python = std::getenv("AFINAR_PYTHON");
  if (!python || !*python) GTEST_SKIP() << "AFINAR_PYTHON not set";
  const HeadCase& c = GetParam();
  PreTrainedModel model = load_silently(c.model);
  model->padding_free = false;  // the whole padded output, padding included, against transformers'
  fs::path dir = temp_dir(std::string(c.model.fixture) + "_roundtrip");
  model->save_pretrained(dir / "model");
  io::TensorMap e = expected(c.model);
  io::TensorMap tensors;
  {
    torch::NoGradGuard no_grad;
    ModelInputs in = head_inputs(e, /*with_labels=*/false);
    tensors["in.input_ids"] = in.input_ids;
    tensors["in.attention_mask"] = in.attention_mask;
    for (const auto& [name, t] : outputs_of(model->forward(in))) tensors["out." + name] = t;
  }
  io::save_safetensors(dir / "io.safetensors", tensors);
  std::ofstream(dir / "check.py") << R"PY(
import sys, torch, transformers
from safetensors.torch import load_file
d, auto_class = sys.argv[1], sys.argv[2]
model = getattr(transformers, auto_class).from_pretrained(d + "/model").eval()
io = load_file(d + "/io.safetensors")
print("CLASS", type(model).__name__)
kw = {k[3:]: v for k, v in io.items() if k.startswith("in.")}
with torch.no_grad():
    got = model(**kw)
print("MAXDIFF", max((getattr(got, k[4:]) - v).abs().max().item() for k, v in io.items() if k.startswith("out.")))
)PY";
  std::string cmd = std::string(python) + " " + (dir / "check.py").string() + " " + dir.string() + " " +
                    c.model.auto_class + " > " + (dir / "out.txt").string() + " 2>&1";
  int rc = std::system(cmd.c_str());
  std::string log = read_file(dir / "out.txt");
  ASSERT_EQ(rc, 0) << log;
  for (const char* word : {"MISSING", "UNEXPECTED", "MISMATCH", "newly initialized", "not used"})
    EXPECT_EQ(log.find(word), std::string::npos) << word << " in:\n" << log;
  EXPECT_NE(log.find(std::string("CLASS ") + c.model.architecture), std::string::npos) << log;
  size_t at = log.find("MAXDIFF ");
  ASSERT_NE(at, std::string::npos) << log;
  double diff = std::stod(log.substr(at + 8));
  std::cout << c.model.fixture << ": transformers loading afinar's save: max|logits diff| = " << diff << "\n";
  EXPECT_LE(diff, 1e-5);
}

TEST_P(Seq2SeqHeads, BaseParameterPrefixesLeaveExactlyTheHead) {
  const HeadCase& c = GetParam();
  PreTrainedModel model = load_silently(c.model);
  std::vector<std::string> prefixes = model->base_parameter_prefixes(), head;
  for (const auto& p : model->named_parameters()) {
    bool base =
        std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& s) { return p.key().rfind(s, 0) == 0; });
    if (!base) head.push_back(p.key());
  }
  std::sort(head.begin(), head.end());
  EXPECT_EQ(head, c.head);
}

// Checkpointed layers in train() mode with dropout on: the same loss and gradients as the plain forward.
TEST_P(Seq2SeqHeads, GradientCheckpointingKeepsLossAndGradients) {
  const HeadCase& c = GetParam();
  FromPretrainedOptions opt;
  opt.config_overrides = c.dropout;
  PreTrainedModel model = c.model.load((kFixtures / c.model.fixture).string(), opt);
  model->train();
  io::TensorMap e = expected(c.model);
  const ModelInputs in = head_inputs(e);
  auto step = [&](uint64_t seed) {
    for (auto& p : model->parameters()) p.mutable_grad() = torch::Tensor();
    torch::manual_seed(seed);
    ModelOutputs out = model->forward(in);
    out.loss.backward();
    std::map<std::string, torch::Tensor> r = {{"loss", out.loss.detach().clone()}};
    for (const auto& p : model->named_parameters())
      if (p.value().grad().defined()) r["grad." + p.key()] = p.value().grad().clone();
    return r;
  };
  auto plain = step(7);
  ASSERT_NE(step(8).at("loss").item<double>(), plain.at("loss").item<double>()) << "dropout is not active";
  model->gradient_checkpointing_enable();
  ASSERT_TRUE(model->is_gradient_checkpointing());
  const int64_t f0 = checkpoint_forward_count(), r0 = checkpoint_recompute_count();
  auto ckpt = step(7);
  EXPECT_EQ(checkpoint_forward_count() - f0, c.checkpointed_layers);
  EXPECT_EQ(checkpoint_recompute_count() - r0, c.checkpointed_layers);
  ASSERT_EQ(ckpt.size(), plain.size());
  for (const auto& [name, t] : plain) {
    ASSERT_TRUE(ckpt.count(name)) << name;
    double scale = std::max(1.0, t.abs().max().item<double>());
    EXPECT_LE(max_abs_diff(ckpt.at(name), t) / scale, 1e-6) << name;
  }
}

INSTANTIATE_TEST_SUITE_P(Models, Seq2SeqHeads, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<HeadCase>& info) {
                           return std::string(info.param.model.fixture);
                         });

TEST(Seq2SeqHeadsAuto, AutoClassesPickTheHeads) {
  auto path = [](const char* f) { return (kFixtures / f).string(); };
  EXPECT_TRUE(std::dynamic_pointer_cast<T5ForSequenceClassificationImpl>(
      AutoModelForSequenceClassification::from_pretrained(path("tiny_t5_seq"))));
  EXPECT_TRUE(std::dynamic_pointer_cast<T5ForTokenClassificationImpl>(
      AutoModelForTokenClassification::from_pretrained(path("tiny_t5_token"))));
  EXPECT_TRUE(std::dynamic_pointer_cast<T5ForQuestionAnsweringImpl>(
      AutoModelForQuestionAnswering::from_pretrained(path("tiny_t5_qa"))));
  EXPECT_TRUE(std::dynamic_pointer_cast<BartForQuestionAnsweringImpl>(
      AutoModelForQuestionAnswering::from_pretrained(path("tiny_bart_qa"))));
  EXPECT_THROW(AutoModelForMaskedLM::from_pretrained(path("tiny_t5_qa")), InvalidArgument);
  EXPECT_THROW(AutoModelForTokenClassification::from_pretrained(path("tiny_bart_qa")), InvalidArgument);
}

TEST(Seq2SeqHeadsAuto, T5HeadsLoadAConditionalGenerationCheckpoint) {
  // A t5-small-style checkpoint (shared., encoder., decoder.) goes under the heads' "transformer."
  // base; only the head is new (transformers reports the same missing keys and nothing unused: the
  // encoder-only head ignores the checkpoint's decoder).
  io::TensorMap lm = io::load_safetensors(kFixtures / "tiny_t5/model.safetensors");
  FromPretrainedOptions opt;
  opt.num_labels = 4;
  testing::internal::CaptureStderr();
  auto seq = std::dynamic_pointer_cast<T5ForSequenceClassificationImpl>(
      AutoModelForSequenceClassification::from_pretrained((kFixtures / "tiny_t5").string(), opt));
  std::string log = testing::internal::GetCapturedStderr();
  ASSERT_TRUE(seq);
  EXPECT_EQ(seq->config.num_labels(), 4);
  EXPECT_TRUE(torch::equal(seq->transformer->shared->weight, lm.at("shared.weight")));
  EXPECT_TRUE(torch::equal(seq->transformer->decoder->named_parameters()["block.1.layer.2.DenseReluDense.wo.weight"],
                           lm.at("decoder.block.1.layer.2.DenseReluDense.wo.weight")));
  EXPECT_NE(log.find("newly initialized: ['classification_head.dense.bias'"), std::string::npos) << log;
  EXPECT_EQ(log.find("not used"), std::string::npos) << log;

  testing::internal::CaptureStderr();
  auto qa = std::dynamic_pointer_cast<T5ForQuestionAnsweringImpl>(
      AutoModelForQuestionAnswering::from_pretrained((kFixtures / "tiny_t5").string()));
  log = testing::internal::GetCapturedStderr();
  ASSERT_TRUE(qa);
  EXPECT_TRUE(torch::equal(qa->shared->weight, lm.at("shared.weight")));
  EXPECT_NE(log.find("newly initialized: ['qa_outputs.bias', 'qa_outputs.weight']"), std::string::npos) << log;

  testing::internal::CaptureStderr();
  auto tok = std::dynamic_pointer_cast<T5ForTokenClassificationImpl>(
      AutoModelForTokenClassification::from_pretrained((kFixtures / "tiny_t5").string()));
  log = testing::internal::GetCapturedStderr();
  ASSERT_TRUE(tok);
  EXPECT_TRUE(torch::equal(tok->transformer->shared->weight, lm.at("shared.weight")));
  EXPECT_NE(log.find("newly initialized: ['classifier.bias', 'classifier.weight']"), std::string::npos) << log;
  EXPECT_EQ(log.find("not used"), std::string::npos) << "the decoder is ignored, as transformers:\n" << log;
}

TEST(Seq2SeqHeadsAuto, T5SequenceClassificationNeedsTheSameEosCountPerRow) {
  PreTrainedModel model = AutoModelForSequenceClassification::from_pretrained((kFixtures / "tiny_t5_seq").string());
  io::TensorMap e = io::load_safetensors(kFixtures / "tiny_t5_seq_expected.safetensors");
  torch::NoGradGuard no_grad;
  ModelInputs in = inputs_of(e, /*with_labels=*/false);
  in.input_ids = in.input_ids.clone();
  in.input_ids[0][0] = 1;  // a second eos in row 0 only
  EXPECT_THROW(model->forward(in), InvalidArgument);
  in.input_ids.masked_fill_(in.input_ids == 1, 5);  // no eos at all
  EXPECT_THROW(model->forward(in), InvalidArgument);
}

TEST(Seq2SeqHeadsAuto, ExplicitDecoderInputsEqualTheShiftedInputIds) {
  io::TensorMap e = io::load_safetensors(kFixtures / "tiny_t5_qa_expected.safetensors");
  PreTrainedModel t5 = AutoModelForQuestionAnswering::from_pretrained((kFixtures / "tiny_t5_qa").string());
  torch::NoGradGuard no_grad;
  ModelInputs in = inputs_of(e, false);
  in.decoder_input_ids = shift_right(in.input_ids, 0, 0);
  EXPECT_LE(max_abs_diff(afinar_test::at_real_tokens(t5->forward(in).start_logits, e.at("attention_mask")),
                         afinar_test::at_real_tokens(e.at("start_logits"), e.at("attention_mask"))),
            1e-5);

  io::TensorMap eb = io::load_safetensors(kFixtures / "tiny_bart_qa_expected.safetensors");
  PreTrainedModel bart = AutoModelForQuestionAnswering::from_pretrained((kFixtures / "tiny_bart_qa").string());
  ModelInputs inb = inputs_of(eb, false);
  inb.decoder_input_ids = shift_right(inb.input_ids, 1, 2);
  EXPECT_LE(max_abs_diff(afinar_test::at_real_tokens(bart->forward(inb).end_logits, eb.at("attention_mask")),
                         afinar_test::at_real_tokens(eb.at("end_logits"), eb.at("attention_mask"))),
            1e-5);
  EXPECT_EQ(std::dynamic_pointer_cast<BartForQuestionAnsweringImpl>(bart)->config.num_labels(), 2);
}

}  // namespace
}  // namespace afinar
