#include "afinar/models/config_labels.h"

#include <gtest/gtest.h>

#include "afinar/core/check.h"
#include "afinar/models/bart/configuration_bart.h"
#include "afinar/models/gpt2/configuration_gpt2.h"
#include "afinar/models/llama/configuration_llama.h"
#include "afinar/models/t5/configuration_t5.h"

namespace afinar {
namespace {

TEST(ModelsConfigLabels, ReadsAsTransformers) {
  ConfigLabels l;
  EXPECT_EQ(l.id2label, (std::vector<std::string>{"LABEL_0", "LABEL_1"}));
  l.read_labels({{"id2label", {{"1", "POS"}, {"0", "NEG"}}}, {"num_labels", 5}, {"problem_type", "regression"}});
  EXPECT_EQ(l.id2label, (std::vector<std::string>{"NEG", "POS"})) << "id2label decides over num_labels";
  EXPECT_EQ(l.problem_type, "regression");
  l.read_labels({{"num_labels", 3}});
  EXPECT_EQ(l.num_labels(), 3);
  EXPECT_EQ(l.id2label[2], "LABEL_2");
  EXPECT_THROW(l.read_labels({{"id2label", {{"x", "a"}}}}), InvalidArgument);
  EXPECT_THROW(l.read_labels({{"id2label", {{"5", "a"}}}}), InvalidArgument);
  EXPECT_THROW(l.read_labels({{"problem_type", 3}}), InvalidArgument);
}

TEST(ModelsConfigLabels, WritesIdToLabelAndLabelToId) {
  ConfigLabels l(3);
  l.id2label = {"a", "b", "c"};
  nlohmann::json j;
  l.write_labels(j);
  EXPECT_EQ(j["id2label"]["2"], "c");
  EXPECT_EQ(j["label2id"]["b"], 1);
  EXPECT_FALSE(j.contains("problem_type")) << "written only when set";
  l.problem_type = "multi_label_classification";
  l.write_labels(j);
  EXPECT_EQ(j["problem_type"], "multi_label_classification");
  EXPECT_NO_THROW(l.check_labels("X"));
  l.problem_type = "ranking";
  try {
    l.check_labels("MyConfig");
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("MyConfig: problem_type 'ranking'"), std::string::npos);
  }
  EXPECT_THROW(l.set_num_labels(0), InvalidArgument);
  l.set_num_labels(3);
  EXPECT_EQ(l.id2label[0], "a") << "the same count keeps the names";
}

TEST(ModelsConfigLabels, EveryConfigSharesThem) {
  // One implementation behind every family's config: the same fields, defaults and round trip.
  auto check = [](auto config, int64_t default_labels, const char* name) {
    EXPECT_EQ(config.num_labels(), default_labels) << name;
    auto read = decltype(config)::from_json({{"id2label", {{"0", "x"}, {"1", "y"}, {"2", "z"}}}});
    EXPECT_EQ(read.id2label, (std::vector<std::string>{"x", "y", "z"})) << name;
    EXPECT_EQ(read.to_json()["label2id"]["z"], 2) << name;
  };
  check(GPT2Config(), 2, "gpt2");
  check(LlamaConfig(), 2, "llama");
  check(T5Config(), 2, "t5");
  check(BartConfig(), 3, "bart");
}

}  // namespace
}  // namespace afinar
