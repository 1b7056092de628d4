#include "afinar/models/bert/configuration_bert.h"

#include <gtest/gtest.h>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar_test_paths.h"

namespace afinar {
namespace {

TEST(BertConfig, DefaultsAreTransformers) {
  BertConfig c;
  EXPECT_EQ(c.vocab_size, 30522);
  EXPECT_EQ(c.hidden_size, 768);
  EXPECT_EQ(c.num_hidden_layers, 12);
  EXPECT_EQ(c.intermediate_size, 3072);
  EXPECT_EQ(c.hidden_act, "gelu");
  EXPECT_DOUBLE_EQ(c.layer_norm_eps, 1e-12);
  EXPECT_EQ(c.num_labels(), 2);
  EXPECT_EQ(c.id2label[1], "LABEL_1");
  EXPECT_NO_THROW(c.validate());
}

TEST(BertConfig, ReadsFixtureAndKeepsUnknownFields) {
  auto j = nlohmann::json::parse(read_file(fs::path(AFINAR_FIXTURES_DIR) / "models/tiny_bert/config.json"));
  BertConfig c = BertConfig::from_json(j);
  EXPECT_EQ(c.hidden_size, 32);
  EXPECT_EQ(c.intermediate_size, 37);
  EXPECT_EQ(c.num_labels(), 3);
  EXPECT_EQ(c.id2label, (std::vector<std::string>{"neg", "neu", "pos"}));
  EXPECT_EQ(c.extra["custom_field_kept"], "hello");
  nlohmann::json back = c.to_json();
  EXPECT_EQ(back["custom_field_kept"], "hello");
  EXPECT_EQ(back["label2id"]["pos"], 2);
  EXPECT_EQ(back["id2label"]["1"], "neu");
  EXPECT_EQ(back["model_type"], "bert");
  // Every field of the transformers-written file survives the round trip.
  for (const auto& [k, v] : j.items()) EXPECT_EQ(back[k], v) << k;
}

TEST(BertConfig, NumLabels) {
  BertConfig c = BertConfig::from_json({{"num_labels", 5}});
  EXPECT_EQ(c.num_labels(), 5);
  EXPECT_EQ(c.id2label[4], "LABEL_4");
  c.set_num_labels(5);  // same count keeps the names
  EXPECT_EQ(c.id2label[4], "LABEL_4");
  EXPECT_THROW(c.set_num_labels(0), InvalidArgument);
}

struct BadConfig {
  const char* name;
  nlohmann::json json;
  const char* expected;
};

class BertConfigInvalid : public ::testing::TestWithParam<BadConfig> {};

TEST_P(BertConfigInvalid, NamesTheField) {
  try {
    BertConfig::from_json(GetParam().json).validate();
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find(GetParam().expected), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Fields, BertConfigInvalid,
    ::testing::Values(BadConfig{"heads", {{"hidden_size", 30}, {"num_attention_heads", 4}}, "num_attention_heads"},
                      BadConfig{"act", {{"hidden_act", "mish"}}, "hidden_act"},
                      BadConfig{"type", {{"hidden_size", "big"}}, "hidden_size"},
                      BadConfig{"dropout", {{"hidden_dropout_prob", 1.5}}, "hidden_dropout_prob"},
                      BadConfig{"problem", {{"problem_type", "ranking"}}, "problem_type"},
                      BadConfig{"position", {{"position_embedding_type", "relative_key"}}, "position_embedding_type"},
                      BadConfig{"decoder", {{"is_decoder", true}}, "decoder"},
                      BadConfig{"id2label", {{"id2label", {{"x", "a"}}}}, "id2label"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace afinar
