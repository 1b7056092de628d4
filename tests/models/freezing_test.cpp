// freeze_base_model / freeze_layers on every family × head, by the model's parameter_layout().
#include "afinar/models/freezing.h"

#include <gtest/gtest.h>

#include "afinar/core/check.h"
#include "models/tiny_models.h"

namespace afinar {
namespace {

using tiny::TinyHead;

bool starts_with_any(const std::string& s, const std::vector<std::string>& prefixes) {
  for (const auto& p : prefixes)
    if (s.rfind(p, 0) == 0) return true;
  return false;
}

class Freezing : public testing::TestWithParam<TinyHead> {};

TEST_P(Freezing, LayoutNamesEmbeddingsAndEveryLayerOfEveryStack) {
  PreTrainedModel model = GetParam().make();
  const auto layout = model->parameter_layout();
  ASSERT_FALSE(layout.embeddings.empty());
  ASSERT_FALSE(layout.layer_stacks.empty());
  auto names = model->named_parameters();
  const auto base = model->base_parameter_prefixes();
  for (const auto& prefix : layout.embeddings) {
    bool found = false;
    for (const auto& p : names) found = found || p.key().rfind(prefix, 0) == 0;
    EXPECT_TRUE(found) << GetParam().name << ": no parameter under " << prefix;
    EXPECT_TRUE(starts_with_any(prefix, base)) << prefix << " is part of the base";
  }
  for (const auto& stack : layout.layer_stacks)
    for (int i = 0; i < 2; ++i) {  // the tiny models have 2 layers per stack
      bool found = false;
      for (const auto& p : names) found = found || p.key().rfind(stack + std::to_string(i) + ".", 0) == 0;
      EXPECT_TRUE(found) << GetParam().name << ": no layer " << i << " under " << stack;
    }
}

TEST_P(Freezing, FreezeLayersFreezesEmbeddingsAndTheFirstLayers) {
  PreTrainedModel model = GetParam().make();
  const auto layout = model->parameter_layout();
  std::vector<std::string> first_layers;
  for (const auto& stack : layout.layer_stacks) first_layers.push_back(stack + "0.");
  const int64_t frozen = freeze_layers(*model, 1);
  int64_t counted = 0, trainable_layers = 0;
  for (const auto& p : model->named_parameters()) {
    const bool expect_frozen = starts_with_any(p.key(), layout.embeddings) || starts_with_any(p.key(), first_layers);
    EXPECT_EQ(p.value().requires_grad(), !expect_frozen && p.key() != "final_logits_bias") << p.key();
    counted += expect_frozen;
    for (const auto& stack : layout.layer_stacks) trainable_layers += p.key().rfind(stack + "1.", 0) == 0;
  }
  EXPECT_EQ(frozen, counted);
  EXPECT_GT(frozen, 0);
  EXPECT_GT(trainable_layers, 0) << "layer 1 stays trainable";
  EXPECT_EQ(freeze_layers(*model, 0), 0);
  EXPECT_THROW(freeze_layers(*model, 3), InvalidArgument);  // 2 layers per stack
  EXPECT_THROW(freeze_layers(*model, -1), InvalidArgument);
  EXPECT_EQ(freeze_layers(*model, 2), trainable_layers) << "the second call freezes layer 1 only";
}

TEST_P(Freezing, FreezeBaseModelLeavesOnlyTheHead) {
  PreTrainedModel model = GetParam().make();
  const auto base = model->base_parameter_prefixes();
  const int64_t frozen = freeze_base_model(*model);
  int64_t in_base = 0;
  for (const auto& p : model->named_parameters()) {
    const bool b = starts_with_any(p.key(), base);
    in_base += b;
    // The base is frozen; the head (classifier, qa_outputs, the LM head's bias) stays trainable.
    EXPECT_EQ(p.value().requires_grad(), !b && p.key() != "final_logits_bias") << p.key();
  }
  EXPECT_EQ(frozen, in_base);
  EXPECT_GT(in_base, 0);
}

INSTANTIATE_TEST_SUITE_P(Models, Freezing, testing::ValuesIn(tiny::all_heads()),
                         [](const testing::TestParamInfo<TinyHead>& info) { return info.param.name; });

TEST(ModelsLayouts, AsTransformersNamesThem) {
  auto layout_of = [](const std::string& name) {
    for (const auto& h : tiny::all_heads())
      if (h.name == name) return h.make()->parameter_layout();
    throw InvalidArgument(name);
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(layout_of("BertForSequenceClassification").embeddings, V{"bert.embeddings."});
  EXPECT_EQ(layout_of("BertForSequenceClassification").layer_stacks, V{"bert.encoder.layer."});
  EXPECT_EQ(layout_of("GPT2LMHeadModel").embeddings, (V{"transformer.wte.", "transformer.wpe."}));
  EXPECT_EQ(layout_of("GPT2LMHeadModel").layer_stacks, V{"transformer.h."});
  EXPECT_EQ(layout_of("LlamaForCausalLM").embeddings, V{"model.embed_tokens."});
  EXPECT_EQ(layout_of("LlamaForQuestionAnswering").layer_stacks, V{"transformer.layers."});
  EXPECT_EQ(layout_of("T5ForConditionalGeneration").embeddings, V{"shared."});
  EXPECT_EQ(layout_of("T5ForConditionalGeneration").layer_stacks, (V{"encoder.block.", "decoder.block."}));
  EXPECT_EQ(layout_of("T5ForTokenClassification").layer_stacks, V{"transformer.encoder.block."});
  EXPECT_EQ(layout_of("BartForConditionalGeneration").layer_stacks,
            (V{"model.encoder.layers.", "model.decoder.layers."}));
  EXPECT_EQ(layout_of("BartForCausalLM").layer_stacks, V{"model.decoder.layers."});
  EXPECT_EQ(layout_of("DistilBertForMaskedLM").layer_stacks, V{"distilbert.transformer.layer."});
}

}  // namespace
}  // namespace afinar
