// Gradient checkpointing (checkpoint.h, PreTrainedModelImpl::gradient_checkpointing_enable) on every
// model family: in train() mode with dropout active and the same seed, the loss and every gradient
// equal those of the plain forward; eval() and no_grad forwards do not checkpoint.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/models/checkpoint.h"
#include "afinar/models/modeling.h"
#include "afinar_test_paths.h"

namespace afinar {
namespace {

const fs::path kFixtures = fs::path(AFINAR_FIXTURES_DIR) / "models";

using Loader = PreTrainedModel (*)(const std::string&, const FromPretrainedOptions&);

enum class Task { kSequenceClassification, kCausalLM, kSeq2Seq };

struct Case {
  const char* fixture;  ///< tests/fixtures/models/<fixture>/
  Loader load;
  Task task;
  /// Dropouts the fixture leaves at 0, set so that every dropout site draws random numbers.
  nlohmann::json overrides;
  int64_t checkpointed_layers;  ///< layers per forward (encoder + decoder)
};

std::ostream& operator<<(std::ostream& os, const Case& c) {
  return os << c.fixture;
}

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {"tiny_bert", &AutoModelForSequenceClassification::from_pretrained, Task::kSequenceClassification,
       nlohmann::json::object(), 2},
      {"tiny_roberta_seq",
       &AutoModelForSequenceClassification::from_pretrained,
       Task::kSequenceClassification,
       {{"hidden_dropout_prob", 0.1}, {"attention_probs_dropout_prob", 0.1}},
       2},
      {"tiny_distilbert_seq",
       &AutoModelForSequenceClassification::from_pretrained,
       Task::kSequenceClassification,
       {{"dropout", 0.1}, {"attention_dropout", 0.1}},
       2},
      {"tiny_gpt2_lm",
       &AutoModelForCausalLM::from_pretrained,
       Task::kCausalLM,
       {{"attn_pdrop", 0.1}, {"resid_pdrop", 0.1}, {"embd_pdrop", 0.1}},
       2},
      {"tiny_llama_lm", &AutoModelForCausalLM::from_pretrained, Task::kCausalLM, {{"attention_dropout", 0.1}}, 2},
      // Mistral: a sliding-window mask next to the full one.
      {"tiny_mistral_lm", &AutoModelForCausalLM::from_pretrained, Task::kCausalLM, {{"attention_dropout", 0.1}}, 2},
      // T5: the first block's position bias (trainable relative_attention_bias) is reused by the
      // others; the decoder's cross-attention reads the encoder output.
      {"tiny_t5", &AutoModelForSeq2SeqLM::from_pretrained, Task::kSeq2Seq, {{"dropout_rate", 0.1}}, 4},
      {"tiny_t5_gated", &AutoModelForSeq2SeqLM::from_pretrained, Task::kSeq2Seq, {{"dropout_rate", 0.1}}, 4},
      {"tiny_bart",
       &AutoModelForSeq2SeqLM::from_pretrained,
       Task::kSeq2Seq,
       {{"dropout", 0.1}, {"attention_dropout", 0.1}, {"activation_dropout", 0.1}},
       4},
  };
  return all;
}

nlohmann::json read_config(const std::string& fixture) {
  std::ifstream in(kFixtures / fixture / "config.json");
  return nlohmann::json::parse(in);
}

// A padded batch of 2 rows: (B, T) ids below the vocabulary size, row 1 padded at its last 2 tokens.
ModelInputs batch(const Case& c, const nlohmann::json& config) {
  const int64_t B = 2, T = 6, V = config.at("vocab_size").get<int64_t>();
  torch::manual_seed(123);
  ModelInputs in;
  in.input_ids = torch::randint(3, V, {B, T}, torch::kLong);
  in.attention_mask = torch::ones({B, T}, torch::kLong);
  in.attention_mask[1].slice(0, T - 2).fill_(0);
  switch (c.task) {
    case Task::kSequenceClassification:
      in.labels = torch::tensor({0, 1}, torch::kLong);
      break;
    case Task::kCausalLM:
      in.labels = in.input_ids.masked_fill(in.attention_mask == 0, -100);
      break;
    case Task::kSeq2Seq:
      in.labels = torch::randint(3, V, {B, 5}, torch::kLong);
      break;
  }
  return in;
}

struct StepResult {
  torch::Tensor loss;
  std::map<std::string, torch::Tensor> grads;  ///< every parameter that got one
  int64_t checkpoints = 0, recomputes = 0;     ///< checkpoint() nodes recorded / recomputed
};

// Zero grads, seed, forward, backward: the loss and every gradient.
StepResult train_step(PreTrainedModel& model, const ModelInputs& in, uint64_t seed) {
  for (auto& p : model->parameters()) p.mutable_grad() = torch::Tensor();
  const int64_t f0 = checkpoint_forward_count(), r0 = checkpoint_recompute_count();
  torch::manual_seed(seed);
  ModelOutputs out = model->forward(in);
  out.loss.backward();
  StepResult r;
  r.loss = out.loss.detach().clone();
  for (const auto& p : model->named_parameters())
    if (p.value().grad().defined()) r.grads[p.key()] = p.value().grad().clone();
  r.checkpoints = checkpoint_forward_count() - f0;
  r.recomputes = checkpoint_recompute_count() - r0;
  return r;
}

double rel_diff(const torch::Tensor& a, const torch::Tensor& b) {
  const double scale = std::max(1.0, b.abs().max().item<double>());
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>() / scale;
}

torch::Tensor first_output(const ModelOutputs& o) {
  return o.logits;
}

class GradientCheckpointingTest : public ::testing::TestWithParam<Case> {};

TEST_P(GradientCheckpointingTest, SameLossAndGradientsWithDropout) {
  const Case& c = GetParam();
  FromPretrainedOptions opt;
  opt.config_overrides = c.overrides;
  PreTrainedModel model = c.load((kFixtures / c.fixture).string(), opt);
  model->train();
  const ModelInputs in = batch(c, read_config(c.fixture));

  StepResult plain = train_step(model, in, 7);
  EXPECT_EQ(plain.checkpoints, 0);
  const torch::Tensor rng_after_plain = torch::rand({4});
  // Dropout is active: another seed gives another loss, so equal losses below mean equal masks.
  StepResult other_seed = train_step(model, in, 8);
  ASSERT_NE(other_seed.loss.item<double>(), plain.loss.item<double>()) << "dropout is not active";

  EXPECT_FALSE(model->is_gradient_checkpointing());
  model->gradient_checkpointing_enable();
  EXPECT_TRUE(model->is_gradient_checkpointing());
  StepResult ckpt = train_step(model, in, 7);
  // The generator ends where the plain step left it: backward's replay forks the RNG state.
  const torch::Tensor rng_after_ckpt = torch::rand({4});
  EXPECT_EQ(ckpt.checkpoints, c.checkpointed_layers);
  EXPECT_EQ(ckpt.recomputes, c.checkpointed_layers);
  EXPECT_TRUE(torch::equal(rng_after_plain, rng_after_ckpt));

  EXPECT_LE(rel_diff(ckpt.loss, plain.loss), 1e-6) << ckpt.loss.item<double>() << " vs " << plain.loss.item<double>();
  ASSERT_EQ(ckpt.grads.size(), plain.grads.size());
  ASSERT_GT(plain.grads.size(), 0u);
  for (const auto& [name, g] : plain.grads) {
    ASSERT_TRUE(ckpt.grads.count(name)) << name << " got no gradient with checkpointing";
    EXPECT_LE(rel_diff(ckpt.grads.at(name), g), 1e-6) << name;
  }

  model->gradient_checkpointing_disable();
  EXPECT_FALSE(model->is_gradient_checkpointing());
  StepResult off_again = train_step(model, in, 7);
  EXPECT_EQ(off_again.checkpoints, 0);
  EXPECT_TRUE(torch::equal(off_again.loss, plain.loss));
}

TEST_P(GradientCheckpointingTest, OffInEvalModeAndUnderNoGrad) {
  const Case& c = GetParam();
  FromPretrainedOptions opt;
  opt.config_overrides = c.overrides;
  PreTrainedModel model = c.load((kFixtures / c.fixture).string(), opt);
  const ModelInputs in = batch(c, read_config(c.fixture));
  model->eval();
  const torch::Tensor plain = first_output(model->forward(in)).detach();

  model->gradient_checkpointing_enable();
  const int64_t f0 = checkpoint_forward_count();
  const torch::Tensor eval_out = first_output(model->forward(in)).detach();
  EXPECT_EQ(checkpoint_forward_count(), f0) << "eval() must not checkpoint";
  EXPECT_TRUE(torch::equal(eval_out, plain));

  model->train();
  {
    torch::NoGradGuard no_grad;
    torch::manual_seed(1);
    model->forward(in);
  }
  EXPECT_EQ(checkpoint_forward_count(), f0) << "a no_grad forward must not checkpoint";
}

INSTANTIATE_TEST_SUITE_P(Families, GradientCheckpointingTest, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& i) { return std::string(i.param.fixture); });

// The checkpoint itself: gradients of inputs and of captured parameters, and an unused output.
TEST(Checkpoint, InputAndParameterGradientsMatchThePlainForward) {
  torch::manual_seed(0);
  torch::Tensor w = torch::randn({3, 3}, torch::requires_grad());
  torch::Tensor x0 = torch::randn({2, 3}, torch::requires_grad());
  torch::Tensor y0 = torch::randn({2, 3}, torch::requires_grad());
  auto fn = [w](const std::vector<torch::Tensor>& in) {
    torch::Tensor h = torch::dropout(torch::tanh(in[0].matmul(w) + in[1]), 0.5, /*train=*/true);
    return std::vector<torch::Tensor>{h * 2, h.sum(1)};  // (2, 3), (2): the second output is unused
  };
  torch::manual_seed(5);
  torch::Tensor plain = fn({x0, y0})[0].pow(2).sum();
  plain.backward();
  const torch::Tensor gw = w.grad().clone(), gx = x0.grad().clone(), gy = y0.grad().clone();
  w.mutable_grad() = torch::Tensor();
  x0.mutable_grad() = torch::Tensor();
  y0.mutable_grad() = torch::Tensor();

  torch::manual_seed(5);
  std::vector<torch::Tensor> out = checkpoint(fn, {x0, y0});
  ASSERT_TRUE(out[0].requires_grad());
  EXPECT_NE(out[0].grad_fn()->name().find("CheckpointFunction"), std::string::npos) << out[0].grad_fn()->name();
  torch::Tensor ck = out[0].pow(2).sum();
  ck.backward();
  EXPECT_TRUE(torch::allclose(ck, plain, 0, 0));
  EXPECT_TRUE(torch::allclose(w.grad(), gw, 1e-6, 1e-7));
  EXPECT_TRUE(torch::allclose(x0.grad(), gx, 1e-6, 1e-7));
  EXPECT_TRUE(torch::allclose(y0.grad(), gy, 1e-6, 1e-7));
}

TEST(Checkpoint, RunsPlainlyWithoutGradientsToTrack) {
  const int64_t f0 = checkpoint_forward_count();
  torch::Tensor x = torch::ones({2});  // requires no grad
  auto out =
      checkpoint([](const std::vector<torch::Tensor>& in) { return std::vector<torch::Tensor>{in[0] * 3}; }, {x});
  EXPECT_EQ(checkpoint_forward_count(), f0);
  EXPECT_TRUE(torch::equal(out[0], torch::full({2}, 3.0)));
  EXPECT_THROW(checkpoint([](const std::vector<torch::Tensor>& in) { return in; }, {torch::Tensor()}), InvalidArgument);
}

}  // namespace
}  // namespace afinar
