// run_clm / run_mlm preprocessing vs transformers + datasets (tools/oracle/language_modeling_fixtures.py):
// tinyshakespeare lines tokenized and grouped into blocks per map batch of 1,000 examples.
#include "afinar/train/language_modeling.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/tokenizers/tokenizer.h"
#include "afinar_test_paths.h"

namespace afinar {
namespace {

uint64_t checksum(const std::vector<std::vector<int32_t>>& blocks) {
  constexpr unsigned __int128 kMod = (uint64_t{1} << 61) - 1;
  unsigned __int128 s = 0;
  uint64_t i = 0;
  for (const auto& b : blocks)
    for (int32_t t : b) s = (s + static_cast<unsigned __int128>(++i) * static_cast<uint64_t>(t)) % kMod;
  return static_cast<uint64_t>(s);
}

class LanguageModeling : public ::testing::Test {
 protected:
  static const nlohmann::json& fixture() {
    static const nlohmann::json f =
        nlohmann::json::parse(read_file(fs::path(AFINAR_FIXTURES_DIR) / "train/lm_blocks.json"));
    return f;
  }
  static Tokenizer tokenizer(const std::string& name) {
    return Tokenizer::from_file(std::string(AFINAR_SHARED_DIR) + "/tokenizers/" + name + "/tokenizer.json");
  }
  static void expect_blocks(const nlohmann::json& want, const std::vector<std::vector<int32_t>>& got) {
    ASSERT_EQ(got.size(), want["n"].get<size_t>());
    for (size_t i = 0; i < want["first"].size(); ++i) EXPECT_EQ(got[i], want["first"][i].get<std::vector<int32_t>>());
    EXPECT_EQ(checksum(got), want["checksum"].get<uint64_t>());
  }
};

TEST_F(LanguageModeling, CausalBlocksMatchRunClm) {
  const auto lines = fixture()["lines"].get<std::vector<std::string>>();
  Examples tok = tokenize_texts(lines, tokenizer("gpt2"), {});
  Examples blocks = group_texts(tok, 64, /*copy_labels=*/true);
  expect_blocks(fixture()["clm_gpt2_64"], blocks.sequences["input_ids"]);
  EXPECT_EQ(blocks.sequences["labels"], blocks.sequences["input_ids"]);
  for (const auto& b : blocks.sequences["attention_mask"]) EXPECT_EQ(b, std::vector<int32_t>(64, 1));
}

TEST_F(LanguageModeling, MaskedBlocksMatchRunMlm) {
  const auto lines = fixture()["lines"].get<std::vector<std::string>>();
  LmTokenizeOptions opt;
  opt.special_tokens_mask = true;
  Examples blocks = group_texts(tokenize_texts(lines, tokenizer("bert-base-uncased"), opt), 128, false);
  const auto& want = fixture()["mlm_bert_128"];
  expect_blocks(want, blocks.sequences["input_ids"]);
  EXPECT_EQ(checksum(blocks.sequences["special_tokens_mask"]), want["special_checksum"].get<uint64_t>());
  EXPECT_FALSE(blocks.sequences.count("labels"));
}

TEST_F(LanguageModeling, LineByLineSkipsBlankLinesAndTruncates) {
  const auto lines = fixture()["lines"].get<std::vector<std::string>>();
  LmTokenizeOptions opt;
  opt.skip_empty_lines = true;
  opt.truncate_to = 16;
  Examples ex = tokenize_texts(lines, tokenizer("bert-base-uncased"), opt);
  expect_blocks(fixture()["mlm_line_by_line_16"], ex.sequences["input_ids"]);
}

TEST(GroupTexts, RejectsZeroBlockSize) {
  Examples e;
  e.sequences["input_ids"] = {{1, 2, 3}};
  EXPECT_THROW(group_texts(e, 0, true), InvalidArgument);
}

}  // namespace
}  // namespace afinar
