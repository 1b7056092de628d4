// GPT-2 heads against transformers (tools/oracle/models_decoders_fixtures.py), its config, its
// causal masks and pooling.
#include "afinar/models/gpt2/modeling_gpt2.h"

#include "afinar/models/gpt2/configuration_gpt2.h"
#include "afinar/nn/masks.h"
#include "models/decoder_test_util.h"
#include "testing/real_tokens.h"

namespace afinar {
namespace {

using namespace decoder_test;

const std::vector<DecoderCase>& cases() {
  static const std::vector<DecoderCase> all = {
      {"tiny_gpt2_lm",
       "GPT2LMHeadModel",
       "AutoModelForCausalLM",
       &AutoModelForCausalLM::from_pretrained,
       {"logits"},
       {"transformer."}},
      {"tiny_gpt2_seq",
       "GPT2ForSequenceClassification",
       "AutoModelForSequenceClassification",
       &AutoModelForSequenceClassification::from_pretrained,
       {"logits"},
       {"transformer."}},
      {"tiny_gpt2_token",
       "GPT2ForTokenClassification",
       "AutoModelForTokenClassification",
       &AutoModelForTokenClassification::from_pretrained,
       {"logits"},
       {"transformer."}},
      {"tiny_gpt2_qa",
       "GPT2ForQuestionAnswering",
       "AutoModelForQuestionAnswering",
       &AutoModelForQuestionAnswering::from_pretrained,
       {"start_logits", "end_logits"},
       {"transformer."}},
  };
  return all;
}

class Gpt2Head : public testing::TestWithParam<DecoderCase> {};

TEST_P(Gpt2Head, ParameterNamesAreCheckpointKeys) {
  check_parameter_names(GetParam());
}
TEST_P(Gpt2Head, TinyMatchesTransformers) {
  check_matches_transformers(GetParam());
}
TEST_P(Gpt2Head, SaveAndReload) {
  check_save_and_reload(GetParam());
}

INSTANTIATE_TEST_SUITE_P(Models, Gpt2Head, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<DecoderCase>& info) {
                           return std::string(info.param.fixture);
                         });

// One Python process for all cases (its start-up dominates the time).
TEST(Gpt2Heads, TransformersLoadsWhatAfinarSaves) {
  check_transformers_loads_afinar_saves(cases(), "gpt2");
}

TEST(Gpt2LMHeadModel, LmHeadIsTiedToWte) {
  PreTrainedModel m = AutoModelForCausalLM::from_pretrained((kFixtures / "tiny_gpt2_lm").string());
  auto lm = std::dynamic_pointer_cast<GPT2LMHeadModelImpl>(m);
  ASSERT_TRUE(lm);
  for (const auto& p : lm->named_parameters()) EXPECT_EQ(p.key().find("lm_head"), std::string::npos) << p.key();
  io::TensorMap e = io::load_safetensors(kFixtures / "tiny_gpt2_lm_expected.safetensors");
  torch::NoGradGuard no_grad;
  ModelInputs in = inputs_of(e, false);
  torch::Tensor before = lm->forward(in).logits;  // (B, T, V)
  int64_t t = 1;
  while ((e.at("input_ids") == t).any().item<bool>()) ++t;  // a token absent from the batch
  lm->transformer->wte->weight[t][0].add_(1.0);
  torch::Tensor after = lm->forward(in).logits;
  EXPECT_GT(max_abs_diff(after.select(2, t), before.select(2, t)), 1e-3);  // only its column moves
  after.select(2, t).zero_();
  before.select(2, t).zero_();
  EXPECT_TRUE(torch::equal(after, before));
  EXPECT_EQ(lm->config_json()["tie_word_embeddings"], true);
}

TEST(Gpt2LMHeadModel, LegacyKeysAreDropped) {
  // Older checkpoints store the mask buffers h.N.attn.bias / masked_bias and the tied lm_head.
  fs::path d = temp_dir("gpt2_legacy");
  io::TensorMap w = io::load_safetensors(kFixtures / "tiny_gpt2_lm/model.safetensors");
  w["lm_head.weight"] = w.at("transformer.wte.weight");
  w["transformer.h.0.attn.bias"] = torch::ones({1, 1, 32, 32});
  w["transformer.h.0.attn.masked_bias"] = torch::tensor(-1e4);
  io::save_safetensors(d / "model.safetensors", w);
  fs::copy_file(kFixtures / "tiny_gpt2_lm/config.json", d / "config.json");
  testing::internal::CaptureStderr();
  PreTrainedModel m = AutoModelForCausalLM::from_pretrained(d.string());
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  io::TensorMap e = io::load_safetensors(kFixtures / "tiny_gpt2_lm_expected.safetensors");
  torch::NoGradGuard no_grad;
  EXPECT_LE(max_abs_diff(afinar_test::at_real_tokens(m->forward(inputs_of(e, false)).logits, e.at("attention_mask")),
                         afinar_test::at_real_tokens(e.at("logits"), e.at("attention_mask"))),
            1e-5);
}

TEST(Gpt2ForSequenceClassification, HeadMissingFromAnLmCheckpointIsInitialised) {
  FromPretrainedOptions opt;
  opt.num_labels = 4;
  testing::internal::CaptureStderr();
  PreTrainedModel m = AutoModelForSequenceClassification::from_pretrained((kFixtures / "tiny_gpt2_lm").string(), opt);
  std::string log = testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("newly initialized: ['score.weight']"), std::string::npos) << log;
  auto seq = std::dynamic_pointer_cast<GPT2ForSequenceClassificationImpl>(m);
  ASSERT_TRUE(seq);
  EXPECT_EQ(seq->score->weight.sizes().vec(), (std::vector<int64_t>{4, 32}));
  double sd = seq->score->weight.std().item<double>();
  EXPECT_GT(sd, 0.01);  // ~ N(0, 0.02)
  EXPECT_LT(sd, 0.03);
}

TEST(Gpt2ForSequenceClassification, WithoutPadTokenOnlyBatchSizeOne) {
  GPT2Config c;
  c.vocab_size = 99, c.n_embd = 32, c.n_layer = 1, c.n_head = 4, c.n_positions = 16;
  c.set_num_labels(2);
  GPT2ForSequenceClassificationImpl m(c);
  m.eval();
  torch::NoGradGuard no_grad;
  torch::Tensor ids = torch::randint(1, 99, {2, 5});
  ModelInputs in;
  in.input_ids = ids;
  EXPECT_THROW(m.forward(in), InvalidArgument);
  // Batch size 1: the last token, whatever it is.
  in.input_ids = ids.slice(0, 0, 1);
  ModelOutputs one = m.forward(in);
  torch::Tensor all = m.score(m.transformer->forward(in));
  EXPECT_TRUE(torch::allclose(one.logits, all.select(1, 4)));
}

TEST(CausalMask, PaddingAndSlidingWindowAsTransformers) {
  torch::Tensor am = torch::tensor({1, 1, 1, 0, 0, 1, 1, 1}, torch::kLong).view({2, 4});
  am[1][0] = 0;  // row 1 left-padded: 0 1 1 1
  AttentionMask sdpa = make_causal_attention_mask(am, 2, 4, torch::kFloat, torch::kCPU, false);
  ASSERT_TRUE(sdpa.mask.defined());
  EXPECT_FALSE(sdpa.is_causal);
  EXPECT_EQ(sdpa.mask.sizes().vec(), (std::vector<int64_t>{2, 1, 4, 4}));
  // Row 0, query 3 (padding) sees keys 0..2; row 1, query 0 (padding) sees nothing.
  EXPECT_TRUE(torch::equal(sdpa.mask[0][0][3], torch::tensor({true, true, true, false})));
  EXPECT_TRUE(torch::equal(sdpa.mask[1][0][0], torch::tensor({false, false, false, false})));
  EXPECT_TRUE(torch::equal(sdpa.mask[1][0][2], torch::tensor({false, true, true, false})));
  // No padding: no mask, is_causal (transformers' _ignore_causal_mask_sdpa).
  AttentionMask plain =
      make_causal_attention_mask(torch::ones({2, 4}, torch::kLong), 2, 4, torch::kFloat, torch::kCPU, false);
  EXPECT_FALSE(plain.mask.defined());
  EXPECT_TRUE(plain.is_causal);
  // Eager: always additive, 0 / finfo.min.
  AttentionMask eager = make_causal_attention_mask({}, 1, 3, torch::kFloat, torch::kCPU, true);
  ASSERT_TRUE(eager.mask.defined());
  EXPECT_EQ(eager.mask[0][0][0][1].item<float>(), std::numeric_limits<float>::lowest());
  EXPECT_EQ(eager.mask[0][0][2][0].item<float>(), 0.0f);
  // A window of 2 shorter than the sequence (4): query 3 sees keys 2 and 3 only.
  AttentionMask window = make_causal_attention_mask({}, 1, 4, torch::kFloat, torch::kCPU, false, 2);
  ASSERT_TRUE(window.mask.defined());
  EXPECT_TRUE(torch::equal(window.mask[0][0][3], torch::tensor({false, false, true, true})));
  // A window as long as the sequence or longer is plain causal: no mask.
  EXPECT_FALSE(make_causal_attention_mask({}, 1, 4, torch::kFloat, torch::kCPU, false, 5).mask.defined());
}

TEST(CausalLmLoss, ShiftsLabelsInside) {
  torch::Tensor logits = torch::randn({2, 4, 7});
  torch::Tensor labels = torch::tensor({3, 1, -100, 6, 2, 2, 5, -100}, torch::kLong).view({2, 4});
  // Targets: row 0 predicts 1, (ignored), 6; row 1 predicts 2, 5, (ignored).
  namespace F = torch::nn::functional;
  torch::Tensor picked = torch::stack({logits[0][0], logits[0][2], logits[1][0], logits[1][1]});
  torch::Tensor want = F::cross_entropy(picked, torch::tensor({1, 6, 2, 5}, torch::kLong));
  EXPECT_LE(max_abs_diff(causal_lm_loss(logits, labels), want), 1e-6);
}

TEST(Gpt2Config, RealGpt2ConfigParsesAndRoundTrips) {
  fs::path p = fs::path(AFINAR_SHARED_DIR) / "configs/gpt2/config.json";
  if (!fs::exists(p)) GTEST_SKIP() << p << " not present";
  GPT2Config c = GPT2Config::from_json(nlohmann::json::parse(read_file(p)));
  c.validate();
  EXPECT_EQ(c.vocab_size, 50257);
  EXPECT_EQ(c.n_embd, 768);
  EXPECT_EQ(c.n_layer, 12);
  EXPECT_EQ(c.n_head, 12);
  EXPECT_EQ(c.n_positions, 1024);
  EXPECT_EQ(c.inner_dim(), 3072);
  EXPECT_EQ(c.activation_function, "gelu_new");
  EXPECT_FALSE(c.pad_token_id.has_value());
  EXPECT_EQ(c.eos_token_id, 50256);
  nlohmann::json j = c.to_json();
  EXPECT_EQ(j["n_ctx"], 1024);  // unknown fields are kept
  EXPECT_EQ(j["task_specific_params"]["text-generation"]["max_length"], 50);
  EXPECT_EQ(GPT2Config::from_json(j).to_json(), j);
  // transformers' aliases.
  GPT2Config a = GPT2Config::from_json({{"hidden_size", 64}, {"num_hidden_layers", 3}, {"num_attention_heads", 8}});
  EXPECT_EQ(a.n_embd, 64);
  EXPECT_EQ(a.n_layer, 3);
  EXPECT_EQ(a.n_head, 8);
  EXPECT_THROW(GPT2Config::from_json({{"n_embd", "big"}}), InvalidArgument);
  GPT2Config bad;
  bad.attn_implementation = "flash_attention_2";
  EXPECT_THROW(bad.validate(), InvalidArgument);
}

}  // namespace
}  // namespace afinar
