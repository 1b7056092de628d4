// UnicodeScripts against HF tokenizers' pre_tokenize_str on a mixed-script stress set
// (tests/fixtures/tokenizers/unicode_scripts.json, from tools/oracle/unicode_scripts_fixtures.py).
#include "afinar/tokenizers/pre_tokenizers/unicode_scripts.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "component_util.h"
#include "fixture_util.h"

namespace afinar::tokenizers {
namespace {

using Splits = std::vector<std::tuple<std::string, uint32_t, uint32_t>>;

TEST(UnicodeScripts, MatchesTheOracleOnMixedScripts) {
  auto fx = test::load_fixture("unicode_scripts.json");
  auto pre = make_pre_tokenizer(fx["pre_tokenizer"], "unicode_scripts.json");
  ASSERT_GT(fx["cases"].size(), 20u);
  for (const auto& c : fx["cases"]) {
    std::string text = c["text"].get<std::string>();
    Splits want;
    for (const auto& s : c["splits"])
      want.emplace_back(s[0].get<std::string>(), s[1].get<uint32_t>(), s[2].get<uint32_t>());
    EXPECT_EQ(test::pre_tokenize(*pre, text), want) << "text: " << text;
  }
}

TEST(UnicodeScripts, FixedScriptRules) {
  struct Case {
    char32_t a, b;
    bool same;
  };
  for (auto [a, b, same] : std::vector<Case>{{U'京', U'い', true},    // Hiragana counts as Han
                                             {U'京', U'グ', true},    // so does Katakana
                                             {U'京', U'\u30FC', true},  // and the prolonged sound mark
                                             {U'a', U'A', true},
                                             {U'0', U'$', true},       // both Common
                                             {U'a', U'0', false},
                                             {U'a', U'я', false},
                                             {U'a', U'\u0301', false}}) // Inherited is its own script
    EXPECT_EQ(unicode_script(a) == unicode_script(b), same) << std::hex << uint32_t(a) << " " << uint32_t(b);
  EXPECT_EQ(unicode_script(U' '), kNoScript);
  EXPECT_NE(unicode_script(U'\t'), kNoScript);     // only U+0020 is scriptless among spaces
  EXPECT_EQ(unicode_script(U'\U0001F970'), kNoScript);  // 🥰 is Unicode 11, newer than HF's table
  EXPECT_EQ(unicode_script(U'\U000E0000'), kNoScript);  // unassigned
}

}  // namespace
}  // namespace afinar::tokenizers
