// BART against transformers: tiny random checkpoints and expectations from
// tools/oracle/models_seq2seq_fixtures.py (a padded batch: logits, encoder output, loss, gradients).
#include "afinar/models/bart/modeling_bart.h"

#include <gtest/gtest.h>

#include "afinar/nn/shift.h"
#include "seq2seq_test_util.h"
#include "testing/real_tokens.h"

namespace afinar {
namespace {

using namespace seq2seq_test;

const std::vector<ModelCase>& cases() {
  static const std::vector<ModelCase> all = {
      // scale_embedding, non-zero final_logits_bias, decoder padding mask
      {"tiny_bart", "BartForConditionalGeneration", "AutoModelForSeq2SeqLM", &AutoModelForSeq2SeqLM::from_pretrained},
      // relu, 3 labels, pooled at the last eos
      {"tiny_bart_seq", "BartForSequenceClassification", "AutoModelForSequenceClassification",
       &AutoModelForSequenceClassification::from_pretrained},
  };
  return all;
}

class Bart : public testing::TestWithParam<ModelCase> {};

TEST_P(Bart, TinyMatchesTransformers) {
  check_against_transformers(GetParam());
}
TEST_P(Bart, SaveAndReload) {
  check_save_and_reload(GetParam());
}
TEST_P(Bart, TransformersLoadsWhatAfinarSaves) {
  check_transformers_loads_save(GetParam());
}

INSTANTIATE_TEST_SUITE_P(Models, Bart, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<ModelCase>& info) { return std::string(info.param.fixture); });

TEST(BartModel, ShiftTokensRight) {
  torch::Tensor labels = torch::tensor({5, 6, 2, -100, 7, 8, 9, 2}, torch::kLong).view({2, 4});
  torch::Tensor want = torch::tensor({2, 5, 6, 2, 2, 7, 8, 9}, torch::kLong).view({2, 4});
  EXPECT_TRUE(torch::equal(shift_right(labels, 1, 2), want));
  EXPECT_TRUE(torch::equal(shift_right(torch::tensor({{3, -100, -100}}), 1, 2), torch::tensor({{2, 3, 1}})));
}

TEST(BartModel, FinalLogitsBiasIsLoadedSavedAndNotTrained) {
  auto m = std::dynamic_pointer_cast<BartForConditionalGenerationImpl>(
      AutoModelForSeq2SeqLM::from_pretrained((kFixtures / "tiny_bart").string()));
  ASSERT_TRUE(m);
  io::TensorMap w = io::load_safetensors(kFixtures / "tiny_bart/model.safetensors");
  EXPECT_TRUE(torch::equal(m->final_logits_bias, w.at("final_logits_bias")));
  EXPECT_GT(m->final_logits_bias.abs().max().item<double>(), 0.1);
  EXPECT_FALSE(m->final_logits_bias.requires_grad());
  EXPECT_FALSE(m->lm_head) << "lm_head is model.shared";
  // A checkpoint without it (transformers ignores the missing key): zeros, and no warning.
  fs::path d = temp_dir("bart_no_bias");
  w.erase("final_logits_bias");
  io::save_safetensors(d / "model.safetensors", w);
  fs::copy_file(kFixtures / "tiny_bart/config.json", d / "config.json");
  testing::internal::CaptureStderr();
  auto m2 =
      std::dynamic_pointer_cast<BartForConditionalGenerationImpl>(AutoModelForSeq2SeqLM::from_pretrained(d.string()));
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  EXPECT_EQ(m2->final_logits_bias.abs().max().item<double>(), 0.0);
}

TEST(BartModel, PrecomputedEncoderOutput) {
  PreTrainedModel model = AutoModelForSeq2SeqLM::from_pretrained((kFixtures / "tiny_bart").string());
  io::TensorMap e = io::load_safetensors(kFixtures / "tiny_bart_expected.safetensors");
  torch::NoGradGuard no_grad;
  ModelInputs in = inputs_of(e, /*with_labels=*/false);
  in.decoder_input_ids = shift_right(e.at("labels"), 1, 2);
  in.encoder_last_hidden_state = e.at("encoder_last_hidden_state");
  in.input_ids = torch::Tensor();
  EXPECT_LE(max_abs_diff(afinar_test::at_real_tokens(model->forward(in).logits, e.at("attention_mask")),
                         afinar_test::at_real_tokens(e.at("logits"), e.at("attention_mask"))),
            1e-5);
}

TEST(BartModel, SequenceClassificationNeedsTheSameEosCountPerRow) {
  PreTrainedModel model = AutoModelForSequenceClassification::from_pretrained((kFixtures / "tiny_bart_seq").string());
  io::TensorMap e = io::load_safetensors(kFixtures / "tiny_bart_seq_expected.safetensors");
  torch::NoGradGuard no_grad;
  ModelInputs in = inputs_of(e, /*with_labels=*/false);
  in.input_ids = in.input_ids.clone();
  in.input_ids[0][0] = 2;  // a second eos in row 0 only
  EXPECT_THROW(model->forward(in), InvalidArgument);
  in.input_ids.masked_fill_(in.input_ids == 2, 5);  // no eos at all
  EXPECT_THROW(model->forward(in), InvalidArgument);
}

TEST(BartModel, ConfigDefaultsAndRoundTrip) {
  BartConfig c = BartConfig::from_json({{"model_type", "bart"}, {"d_model", 64}, {"custom", 7}});
  EXPECT_EQ(c.vocab_size, 50265);
  EXPECT_EQ(c.num_labels(), 3);
  EXPECT_EQ(c.decoder_start_token_id.value_or(-1), 2);
  EXPECT_EQ(c.forced_eos_token_id, 2);
  nlohmann::json j = c.to_json();
  EXPECT_EQ(j["custom"], 7);
  EXPECT_EQ(j["d_model"], 64);
  EXPECT_EQ(BartConfig::from_json(j).to_json(), j);
  auto file = nlohmann::json::parse(read_file(kFixtures / "tiny_bart_seq" / "config.json"));
  nlohmann::json again = BartConfig::from_json(file).to_json();
  for (const auto& [k, v] : file.items())
    if (k != "architectures") {
      EXPECT_EQ(again[k], v) << k;
    }
  EXPECT_EQ(BartConfig::from_json({{"num_labels", 5}}).num_labels(), 5);
  EXPECT_THROW(BartConfig::from_json({{"d_model", 30}, {"encoder_attention_heads", 4}}).validate(), InvalidArgument);
}

}  // namespace
}  // namespace afinar
