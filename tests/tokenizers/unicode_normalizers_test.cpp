#include "afinar/tokenizers/normalizers/unicode_normalizers.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "component_util.h"

namespace afinar::test {
namespace {

using namespace tokenizers;

TEST(UnicodeNormalizers, Table) {
  struct Case {
    const char* type;
    std::string in, want;
  };
  const Case cases[] = {
      {"NFD", "é", "e\u0301"},       {"NFC", "e\u0301", "é"},     {"NFKD", "ﬁ", "fi"},
      {"NFKC", "Ｆ", "F"},           {"Lowercase", "ABC İ", "abc i\u0307"},
      {"StripAccents", "e\u0301", "e"},
      {"NFD", "a\u0323\u0302", "a\u0323\u0302"},  // already canonical order
      {"NFD", "a\u0302\u0323", "a\u0323\u0302"},  // reordered by combining class
  };
  for (const auto& c : cases) {
    auto n = make_normalizer(nlohmann::json{{"type", c.type}}, "test");
    EXPECT_EQ(normalize(*n, c.in), c.want) << c.type << " " << c.in;
  }
  auto seq = make_normalizer(nlohmann::json::parse(
                                 R"({"type":"Sequence","normalizers":[{"type":"NFD"},{"type":"StripAccents"},{"type":"Lowercase"}]})"),
                             "test");
  EXPECT_EQ(normalize(*seq, "Crème Brûlée"), "creme brulee");
}

}  // namespace
}  // namespace afinar::test
