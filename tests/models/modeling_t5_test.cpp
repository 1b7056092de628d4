// T5 against transformers: tiny random checkpoints and expectations from
// tools/oracle/models_seq2seq_fixtures.py (a padded batch: logits, encoder output, loss, gradients).
#include "afinar/models/t5/modeling_t5.h"

#include <gtest/gtest.h>

#include "afinar/nn/shift.h"
#include "seq2seq_test_util.h"
#include "testing/real_tokens.h"

namespace afinar {
namespace {

using namespace seq2seq_test;

const std::vector<ModelCase>& cases() {
  static const std::vector<ModelCase> all = {
      // relu, lm_head tied to shared (decoder output rescaled by d_model**-0.5), decoder padding mask
      {"tiny_t5", "T5ForConditionalGeneration", "AutoModelForSeq2SeqLM", &AutoModelForSeq2SeqLM::from_pretrained},
      // gated-gelu, an lm_head of its own, no rescale (flan-t5 style)
      {"tiny_t5_gated", "T5ForConditionalGeneration", "AutoModelForSeq2SeqLM", &AutoModelForSeq2SeqLM::from_pretrained},
  };
  return all;
}

class T5 : public testing::TestWithParam<ModelCase> {};

TEST_P(T5, TinyMatchesTransformers) {
  check_against_transformers(GetParam());
}
TEST_P(T5, SaveAndReload) {
  check_save_and_reload(GetParam());
}
TEST_P(T5, TransformersLoadsWhatAfinarSaves) {
  check_transformers_loads_save(GetParam());
}

TEST_P(T5, PrecomputedEncoderOutputAndExplicitDecoderInputs) {
  PreTrainedModel model = load_silently(GetParam());
  io::TensorMap e = expected(GetParam());
  torch::NoGradGuard no_grad;
  ModelInputs in = inputs_of(e, /*with_labels=*/false);
  in.decoder_input_ids = shift_right(e.at("labels"), 0, 0);
  in.encoder_last_hidden_state = e.at("encoder_last_hidden_state");
  in.input_ids = torch::Tensor();  // the encoder is skipped
  ModelOutputs out = model->forward(in);
  EXPECT_FALSE(out.loss.defined());
  EXPECT_LE(max_abs_diff(afinar_test::at_real_tokens(out.logits, e.at("attention_mask")),
                         afinar_test::at_real_tokens(e.at("logits"), e.at("attention_mask"))),
            1e-5);
  EXPECT_TRUE(model->is_encoder_decoder());
}

INSTANTIATE_TEST_SUITE_P(Models, T5, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<ModelCase>& info) { return std::string(info.param.fixture); });

TEST(T5Model, RelativePositionBuckets) {
  // transformers: T5Attention._relative_position_bucket(torch.arange(-25, 26), bidirectional, 8, 20)
  torch::Tensor rp = torch::arange(-25, 26);
  std::vector<int64_t> bi = {3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 1, 0,
                             5, 6, 6, 6, 6, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7};
  std::vector<int64_t> uni = {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 6, 6, 6, 6, 5, 5, 5, 4, 4, 3, 2, 1, 0,
                              0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_TRUE(torch::equal(t5_relative_position_bucket(rp, true, 8, 20), torch::tensor(bi)));
  EXPECT_TRUE(torch::equal(t5_relative_position_bucket(rp, false, 8, 20), torch::tensor(uni)));
}

TEST(T5Model, ShiftRightStartsWithPadAndReplacesIgnoredLabels) {
  torch::Tensor labels = torch::tensor({5, 6, -100, -100, 7, 8, 9, 1}, torch::kLong).view({2, 4});
  torch::Tensor want = torch::tensor({0, 5, 6, 0, 0, 7, 8, 9}, torch::kLong).view({2, 4});
  EXPECT_TRUE(torch::equal(shift_right(labels, 0, 0), want));
}

TEST(T5Model, OnlyTheFirstBlockHasARelativeAttentionBias) {
  PreTrainedModel m = AutoModelForSeq2SeqLM::from_pretrained((kFixtures / "tiny_t5").string());
  std::vector<std::string> with_bias;
  for (const auto& p : m->named_parameters())
    if (p.key().find("relative_attention_bias") != std::string::npos) with_bias.push_back(p.key());
  EXPECT_EQ(with_bias,
            (std::vector<std::string>{"encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight",
                                      "decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight"}));
}

TEST(T5Model, ConfigAsTransformers523WritesIt) {
  auto tied = std::dynamic_pointer_cast<T5ForConditionalGenerationImpl>(
      AutoModelForSeq2SeqLM::from_pretrained((kFixtures / "tiny_t5").string()));
  auto gated = std::dynamic_pointer_cast<T5ForConditionalGenerationImpl>(
      AutoModelForSeq2SeqLM::from_pretrained((kFixtures / "tiny_t5_gated").string()));
  ASSERT_TRUE(tied && gated);
  EXPECT_FALSE(tied->lm_head);
  EXPECT_TRUE(gated->lm_head);
  EXPECT_EQ(gated->config.dense_act_fn(), "gelu_new");
  nlohmann::json a = tied->config_json(), b = gated->config_json();
  EXPECT_EQ(a["scale_decoder_outputs"], true);
  EXPECT_EQ(b["scale_decoder_outputs"], false);
  EXPECT_EQ(b["tie_word_embeddings"], true);  // transformers 5.23 always writes true
  EXPECT_EQ(b["is_gated_act"], true);
  // Every field transformers wrote comes back with the same value.
  auto file = nlohmann::json::parse(read_file(kFixtures / "tiny_t5" / "config.json"));
  for (const auto& [k, v] : file.items()) EXPECT_EQ(a[k], v) << k;
  EXPECT_THROW(T5Config::from_json({{"feed_forward_proj", "gated-gelu-x"}}).validate(), InvalidArgument);
  EXPECT_THROW(T5Config::from_json({{"d_model", "big"}}), InvalidArgument);
}

TEST(T5Model, LegacyTiedEmbeddingKeysLoadSilently) {
  // Older checkpoints also store encoder/decoder.embed_tokens.weight (copies of shared.weight).
  fs::path d = temp_dir("t5_legacy");
  io::TensorMap w = io::load_safetensors(kFixtures / "tiny_t5/model.safetensors");
  w["encoder.embed_tokens.weight"] = w.at("shared.weight");
  w["decoder.embed_tokens.weight"] = w.at("shared.weight");
  w["lm_head.weight"] = w.at("shared.weight");  // tied: dropped
  io::save_safetensors(d / "model.safetensors", w);
  fs::copy_file(kFixtures / "tiny_t5/config.json", d / "config.json");
  testing::internal::CaptureStderr();
  PreTrainedModel m = AutoModelForSeq2SeqLM::from_pretrained(d.string());
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  io::TensorMap e = io::load_safetensors(kFixtures / "tiny_t5_expected.safetensors");
  torch::NoGradGuard no_grad;
  EXPECT_LE(max_abs_diff(afinar_test::at_real_tokens(m->forward(inputs_of(e)).logits, e.at("attention_mask")),
                         afinar_test::at_real_tokens(e.at("logits"), e.at("attention_mask"))),
            1e-5);
}

// transformers has no T5ForMaskedLM / T5ForCausalLM: those Auto classes refuse 't5' by name.
TEST(T5Model, HeadsTransformersLacksAreRefused) {
  try {
    AutoModelForMaskedLM::from_pretrained((kFixtures / "tiny_t5").string());
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("'t5' is not supported by AutoModelForMaskedLM"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(AutoModelForCausalLM::from_pretrained((kFixtures / "tiny_t5").string()), InvalidArgument);
}

}  // namespace
}  // namespace afinar
