// run_clm / run_mlm preprocessing vs transformers + datasets (tools/oracle/language_modeling_fixtures.py):
// tinyshakespeare lines tokenized and grouped into blocks per map batch of 1,000 examples.
#include "afinar/train/language_modeling.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/data/load_dataset.h"
#include "afinar/tokenizers/tokenizer.h"
#include "afinar_test_paths.h"
#include "preprocess_test_util.h"

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
  const Dataset lines = testing::text_dataset(fixture()["lines"].get<std::vector<std::string>>());
  const Dataset tok = tokenize_texts(lines, "text", tokenizer("gpt2"), {});
  const Dataset blocks = group_texts(tok, 64, /*copy_labels=*/true);
  expect_blocks(fixture()["clm_gpt2_64"], blocks.column_int_lists("input_ids"));
  EXPECT_EQ(blocks.column_int_lists("labels"), blocks.column_int_lists("input_ids"));
  for (const auto& b : blocks.column_int_lists("attention_mask")) EXPECT_EQ(b, std::vector<int32_t>(64, 1));
}

TEST_F(LanguageModeling, MaskedBlocksMatchRunMlm) {
  const Dataset lines = testing::text_dataset(fixture()["lines"].get<std::vector<std::string>>());
  LmTokenizeOptions opt;
  opt.special_tokens_mask = true;
  const Dataset blocks = group_texts(tokenize_texts(lines, "text", tokenizer("bert-base-uncased"), opt), 128, false);
  const auto& want = fixture()["mlm_bert_128"];
  expect_blocks(want, blocks.column_int_lists("input_ids"));
  EXPECT_EQ(checksum(blocks.column_int_lists("special_tokens_mask")), want["special_checksum"].get<uint64_t>());
  EXPECT_FALSE(blocks.has_column("labels"));
}

TEST_F(LanguageModeling, LineByLineSkipsBlankLinesAndTruncates) {
  const Dataset lines = testing::text_dataset(fixture()["lines"].get<std::vector<std::string>>());
  LmTokenizeOptions opt;
  opt.skip_empty_lines = true;
  opt.truncate_to = 16;
  const Dataset ex = tokenize_texts(lines, "text", tokenizer("bert-base-uncased"), opt);
  expect_blocks(fixture()["mlm_line_by_line_16"], ex.column_int_lists("input_ids"));
}

// From a file: both maps are cached; the second run reads the blocks from the first's cache
// file, and another block size is another entry.
TEST_F(LanguageModeling, FileBackedStepsAreServedFromTheCache) {
  testing::ScopedDatasetsCache cache;
  const fs::path file = cache.path / "lines.jsonl";
  fs::create_directories(cache.path);
  {
    std::string text;
    for (const auto& l : fixture()["lines"]) text += nlohmann::json{{"text", l}}.dump() + "\n";
    write_file_atomic(file, text);
  }
  const Tokenizer tok = tokenizer("gpt2");
  auto run = [&](size_t block) {
    return group_texts(tokenize_texts(load_file(file.string()), "text", tok, {}), block, true);
  };
  const Dataset first = run(64);
  EXPECT_EQ(cache.map_files().size(), 2u);  // tokenize_texts, group_texts
  expect_blocks(fixture()["clm_gpt2_64"], first.column_int_lists("input_ids"));
  const auto inode = testing::inode_of(first.origin());
  const Dataset second = run(64);
  testing::expect_served_from_cache(first, second, cache);
  EXPECT_EQ(testing::inode_of(second.origin()), inode);
  EXPECT_EQ(cache.map_files().size(), 2u);
  run(32);
  EXPECT_EQ(cache.map_files().size(), 3u);  // the tokenisation is shared
}

TEST(GroupTexts, RejectsZeroBlockSizeAndNonListColumns) {
  const auto col = Examples::from_rows({{"input_ids", {{1, 2, 3}}}}).sequences.at("input_ids").arrow();
  const Dataset e(arrow::Table::Make(arrow::schema({arrow::field("input_ids", col->type())}), {col}));
  EXPECT_THROW(group_texts(e, 0, true), InvalidArgument);
  EXPECT_EQ(group_texts(e, 2, true).column_int_lists("labels"), (std::vector<std::vector<int32_t>>{{1, 2}}));
  EXPECT_THROW(group_texts(testing::text_dataset({"a"}), 2, true), InvalidArgument);
  EXPECT_THROW(tokenize_texts(e, "input_ids", Tokenizer(), {}), InvalidArgument);
}

}  // namespace
}  // namespace afinar
