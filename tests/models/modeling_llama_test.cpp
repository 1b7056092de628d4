// The Llama family (llama, qwen2, mistral) against transformers
// (tools/oracle/models_decoders_fixtures.py): every head, RoPE scalings, sliding windows; its config.
#include "afinar/models/llama/modeling_llama.h"

#include "afinar/models/llama/configuration_llama.h"
#include "models/decoder_test_util.h"

namespace afinar {
namespace {

using namespace decoder_test;

const std::vector<DecoderCase>& cases() {
  auto lm = &AutoModelForCausalLM::from_pretrained;
  static const std::vector<DecoderCase> all = {
      {"tiny_llama_lm", "LlamaForCausalLM", "AutoModelForCausalLM", lm, {"logits"}, {"model."}},
      {"tiny_llama_seq",
       "LlamaForSequenceClassification",
       "AutoModelForSequenceClassification",
       &AutoModelForSequenceClassification::from_pretrained,
       {"logits"},
       {"model."}},
      {"tiny_llama_token",
       "LlamaForTokenClassification",
       "AutoModelForTokenClassification",
       &AutoModelForTokenClassification::from_pretrained,
       {"logits"},
       {"model."}},
      {"tiny_llama_qa",
       "LlamaForQuestionAnswering",
       "AutoModelForQuestionAnswering",
       &AutoModelForQuestionAnswering::from_pretrained,
       {"start_logits", "end_logits"},
       {"transformer."}},
      // RoPE scalings (llama3 with tied embeddings), Qwen2 (q/k/v biases, tied), Mistral (window 4 < 9 tokens).
      {"tiny_llama3_rope_lm", "LlamaForCausalLM", "AutoModelForCausalLM", lm, {"logits"}, {"model."}},
      {"tiny_llama_linear_rope_lm", "LlamaForCausalLM", "AutoModelForCausalLM", lm, {"logits"}, {"model."}},
      {"tiny_llama_dynamic_rope_lm", "LlamaForCausalLM", "AutoModelForCausalLM", lm, {"logits"}, {"model."}},
      {"tiny_qwen2_lm", "Qwen2ForCausalLM", "AutoModelForCausalLM", lm, {"logits"}, {"model."}},
      {"tiny_mistral_lm", "MistralForCausalLM", "AutoModelForCausalLM", lm, {"logits"}, {"model."}},
  };
  return all;
}

class LlamaHead : public testing::TestWithParam<DecoderCase> {};

TEST_P(LlamaHead, ParameterNamesAreCheckpointKeys) {
  check_parameter_names(GetParam());
}
TEST_P(LlamaHead, TinyMatchesTransformers) {
  check_matches_transformers(GetParam());
}
TEST_P(LlamaHead, SaveAndReload) {
  check_save_and_reload(GetParam());
}

INSTANTIATE_TEST_SUITE_P(Models, LlamaHead, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<DecoderCase>& info) {
                           return std::string(info.param.fixture);
                         });

// One Python process for all cases (its start-up dominates the time).
TEST(LlamaHeads, TransformersLoadsWhatAfinarSaves) {
  check_transformers_loads_afinar_saves(cases(), "llama");
}

TEST(LlamaForCausalLM, TiedAndUntiedLmHead) {
  auto untied = std::dynamic_pointer_cast<LlamaForCausalLMImpl>(
      AutoModelForCausalLM::from_pretrained((kFixtures / "tiny_llama_lm").string()));
  ASSERT_TRUE(untied);
  EXPECT_TRUE(static_cast<bool>(untied->lm_head));
  auto tied = std::dynamic_pointer_cast<LlamaForCausalLMImpl>(
      AutoModelForCausalLM::from_pretrained((kFixtures / "tiny_qwen2_lm").string()));
  ASSERT_TRUE(tied);
  EXPECT_FALSE(static_cast<bool>(tied->lm_head));
  EXPECT_EQ(tied->config_json()["tie_word_embeddings"], true);
  // A tied checkpoint that also stores lm_head.weight loads silently.
  fs::path d = temp_dir("qwen2_with_head");
  io::TensorMap w = io::load_safetensors(kFixtures / "tiny_qwen2_lm/model.safetensors");
  w["lm_head.weight"] = w.at("model.embed_tokens.weight");
  io::save_safetensors(d / "model.safetensors", w);
  fs::copy_file(kFixtures / "tiny_qwen2_lm/config.json", d / "config.json");
  testing::internal::CaptureStderr();
  AutoModelForCausalLM::from_pretrained(d.string());
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

TEST(LlamaForSequenceClassification, HeadMissingFromAnLmCheckpointIsInitialised) {
  FromPretrainedOptions opt;
  opt.num_labels = 3;
  testing::internal::CaptureStderr();
  PreTrainedModel m = AutoModelForSequenceClassification::from_pretrained((kFixtures / "tiny_llama_lm").string(), opt);
  std::string log = testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("newly initialized: ['score.weight']"), std::string::npos) << log;
  EXPECT_NE(log.find("'lm_head.weight'"), std::string::npos) << log;  // unused
  auto seq = std::dynamic_pointer_cast<LlamaForSequenceClassificationImpl>(m);
  ASSERT_TRUE(seq);
  double sd = seq->score->weight.std().item<double>();
  EXPECT_GT(sd, 0.01);
  EXPECT_LT(sd, 0.03);
}

TEST(LlamaConfig, DefaultsPerModelType) {
  LlamaConfig llama = LlamaConfig::from_json({{"model_type", "llama"}});
  EXPECT_EQ(llama.vocab_size, 32000);
  EXPECT_EQ(llama.intermediate_size, 11008);
  EXPECT_EQ(llama.num_key_value_heads, 32);
  EXPECT_EQ(llama.head_dim, 128);
  EXPECT_EQ(llama.max_position_embeddings, 2048);
  EXPECT_FALSE(llama.tie_word_embeddings);
  EXPECT_FALSE(llama.qkv_bias());
  EXPECT_FALSE(llama.layer_is_sliding(0));

  LlamaConfig qwen = LlamaConfig::from_json({{"model_type", "qwen2"}, {"num_hidden_layers", 4}});
  EXPECT_EQ(qwen.vocab_size, 151936);
  EXPECT_EQ(qwen.max_position_embeddings, 32768);
  EXPECT_TRUE(qwen.qkv_bias());
  EXPECT_FALSE(qwen.o_proj_bias());
  EXPECT_FALSE(qwen.sliding_window.has_value());  // use_sliding_window false
  EXPECT_EQ(qwen.layer_types, std::vector<std::string>(4, "full_attention"));
  LlamaConfig qwen_sw = LlamaConfig::from_json(
      {{"model_type", "qwen2"}, {"num_hidden_layers", 4}, {"use_sliding_window", true}, {"max_window_layers", 2}});
  EXPECT_EQ(qwen_sw.sliding_window.value_or(0), 4096);
  EXPECT_FALSE(qwen_sw.layer_is_sliding(1));
  EXPECT_TRUE(qwen_sw.layer_is_sliding(2));

  LlamaConfig mistral = LlamaConfig::from_json({{"model_type", "mistral"}});
  EXPECT_EQ(mistral.num_key_value_heads, 8);
  EXPECT_EQ(mistral.intermediate_size, 14336);
  EXPECT_EQ(mistral.sliding_window.value_or(0), 4096);
  EXPECT_TRUE(mistral.layer_is_sliding(0));
  EXPECT_FALSE(LlamaConfig::from_json({{"model_type", "mistral"}, {"sliding_window", nullptr}}).layer_is_sliding(0));

  EXPECT_THROW(LlamaConfig::from_json({{"model_type", "gemma"}}), InvalidArgument);
}

TEST(LlamaConfig, LegacyRopeFieldsAndUnsupportedTypes) {
  // transformers < 5: rope_theta at the top level, rope_scaling with "type".
  LlamaConfig c = LlamaConfig::from_json(
      {{"model_type", "llama"}, {"rope_theta", 500000.0}, {"rope_scaling", {{"type", "linear"}, {"factor", 2.0}}}});
  c.validate();
  EXPECT_EQ(c.rope_type(), "linear");
  EXPECT_EQ(c.rope_parameters["rope_theta"], 500000.0);
  nlohmann::json j = c.to_json();
  EXPECT_FALSE(j.contains("rope_scaling"));
  EXPECT_FALSE(j.contains("rope_theta"));
  EXPECT_EQ(j["rope_parameters"]["factor"], 2.0);
  EXPECT_EQ(LlamaConfig::from_json(j).to_json(), j);
  // llama3 without original_max_position_embeddings takes max_position_embeddings.
  LlamaConfig l3 = LlamaConfig::from_json(
      {{"max_position_embeddings", 64},
       {"rope_parameters",
        {{"rope_type", "llama3"}, {"factor", 8.0}, {"low_freq_factor", 1.0}, {"high_freq_factor", 4.0}}}});
  EXPECT_EQ(l3.rope_parameters["original_max_position_embeddings"], 64);
  l3.validate();
  LlamaConfig yarn = LlamaConfig::from_json({{"rope_parameters", {{"rope_type", "yarn"}, {"factor", 4.0}}}});
  try {
    yarn.validate();
    FAIL() << "expected NotImplemented";
  } catch (const NotImplemented& e) {
    EXPECT_NE(std::string(e.what()).find("not implemented: rope_type yarn"), std::string::npos) << e.what();
  }
  LlamaConfig bad_heads = LlamaConfig::from_json({{"num_attention_heads", 6}, {"num_key_value_heads", 4}});
  EXPECT_THROW(bad_heads.validate(), InvalidArgument);
}

TEST(LlamaRotaryEmbedding, DynamicGrowsAndResets) {
  LlamaConfig c = LlamaConfig::from_json({{"hidden_size", 32},
                                          {"num_attention_heads", 4},
                                          {"max_position_embeddings", 6},
                                          {"rope_parameters", {{"rope_type", "dynamic"}, {"factor", 2.0}}}});
  c.validate();
  LlamaRotaryEmbedding rope(c);
  torch::Tensor original = rope->inv_freq.clone();
  torch::Tensor x = torch::zeros({1});
  rope->forward(x, torch::arange(9).unsqueeze(0));  // 9 > 6: a larger base, lower frequencies
  EXPECT_EQ(rope->max_seq_len_cached, 9);
  EXPECT_TRUE((rope->inv_freq.slice(0, 1) < original.slice(0, 1)).all().item<bool>());
  EXPECT_EQ(rope->inv_freq[0].item<float>(), 1.0f);  // the first frequency is 1 whatever the base
  rope->forward(x, torch::arange(4).unsqueeze(0));   // back under 6: the original frequencies
  EXPECT_TRUE(torch::equal(rope->inv_freq, original));
}

}  // namespace
}  // namespace afinar
