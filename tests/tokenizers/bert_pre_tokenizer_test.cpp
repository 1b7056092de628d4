#include "afinar/tokenizers/pre_tokenizers/bert_pre_tokenizer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "component_util.h"

namespace afinar::test {
namespace {

using Splits = std::vector<std::tuple<std::string, uint32_t, uint32_t>>;

TEST(PreTokenizers, Table) {
  struct Case {
    const char* type;
    std::string in;
    Splits want;
  };
  const Case cases[] = {
      {"BertPreTokenizer", "Hello, world!", {{"Hello", 0, 5}, {",", 5, 6}, {"world", 7, 12}, {"!", 12, 13}}},
      {"BertPreTokenizer", "  $5  ", {{"$", 2, 3}, {"5", 3, 4}}},
      {"BertPreTokenizer", "¿qué?", {{"¿", 0, 2}, {"qué", 2, 6}, {"?", 6, 7}}},
      {"BertPreTokenizer", "", {}},
      {"Whitespace", "it's ok", {{"it", 0, 2}, {"'", 2, 3}, {"s", 3, 4}, {"ok", 5, 7}}},
      {"WhitespaceSplit", "it's  ok", {{"it's", 0, 4}, {"ok", 6, 8}}},
  };
  for (const auto& c : cases) {
    auto p = tokenizers::make_pre_tokenizer(nlohmann::json{{"type", c.type}}, "test");
    EXPECT_EQ(pre_tokenize(*p, c.in), c.want) << c.type << " " << c.in;
  }
}

}  // namespace
}  // namespace afinar::test
