// `afinar tokenize` end to end: ids equal the library's, bad lines and unknown flags fail; each
// truncation/padding flag gives what the library's encode gives with the same EncodeOptions.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "afinar/tokenizers/tokenizer.h"
#include "afinar_test_paths.h"

namespace {

namespace fs = std::filesystem;

int run(const std::string& args) { return std::system((std::string(AFINAR_BINARY) + " tokenize " + args + " 2>/dev/null").c_str()); }

TEST(TokenizeCmd, WritesOneEncodingPerLine) {
  fs::path dir = fs::temp_directory_path() / ("afinar_tokenize_cmd_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string tok = std::string(AFINAR_SHARED_DIR) + "/tokenizers/bert-base-uncased";
  std::ofstream(dir / "in.jsonl") << R"({"text": "Hello, world!"})" << "\n" << R"({"text": "naïve café"})" << "\n";
  ASSERT_EQ(run("--tokenizer " + tok + " --input " + (dir / "in.jsonl").string() + " --output " +
                (dir / "out.jsonl").string()), 0);
  auto lib = afinar::AutoTokenizer::from_pretrained(tok);
  std::ifstream out(dir / "out.jsonl");
  std::string line;
  for (const char* text : {"Hello, world!", "naïve café"}) {
    ASSERT_TRUE(std::getline(out, line));
    auto row = nlohmann::json::parse(line);
    EXPECT_EQ(row["input_ids"].get<std::vector<int32_t>>(), lib.encode(text).ids);
    EXPECT_TRUE(row.contains("token_type_ids") && row.contains("attention_mask") && row.contains("offsets"));
  }
  std::ofstream(dir / "bad.jsonl") << R"({"text": "ok"})" << "\n" << "{not json\n";
  EXPECT_NE(run("--tokenizer " + tok + " --input " + (dir / "bad.jsonl").string() + " --output " +
                (dir / "o.jsonl").string()), 0);
  EXPECT_FALSE(fs::exists(dir / "o.jsonl"));
  EXPECT_NE(run("--tokenizer " + tok + " --input x --output y --no_such_flag"), 0);
  fs::remove_all(dir);
}

// Runs `afinar tokenize` on two texts (with pairs) through all-MiniLM-L6-v2.
class TokenizeFlags : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("afinar_tokenize_flags_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    // all-MiniLM-L6-v2: a BERT WordPiece tokenizer that has a pad token.
    tok_ = std::string(AFINAR_SHARED_DIR) + "/tokenizers/sentence-transformers__all-MiniLM-L6-v2";
    std::ofstream in(dir_ / "in.jsonl");
    for (size_t i = 0; i < texts_.size(); ++i)
      in << nlohmann::json{{"text", texts_[i]}, {"pair", pairs_[i]}}.dump() << "\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  /// Exit status of the command; its rows in `rows`, its stderr in `err`.
  int tokenize(const std::string& flags, std::vector<nlohmann::json>& rows, std::string* err = nullptr) {
    fs::remove(dir_ / "out.jsonl");
    std::string cmd = std::string(AFINAR_BINARY) + " tokenize --tokenizer " + tok_ + " --input " +
                      (dir_ / "in.jsonl").string() + " --output " + (dir_ / "out.jsonl").string() + " " + flags +
                      " 2>" + (dir_ / "err.txt").string();
    int rc = std::system(cmd.c_str());
    rows.clear();
    std::ifstream out(dir_ / "out.jsonl");
    for (std::string line; std::getline(out, line);) rows.push_back(nlohmann::json::parse(line));
    if (err) {
      std::stringstream ss;
      ss << std::ifstream(dir_ / "err.txt").rdbuf();
      *err = ss.str();
    }
    return rc;
  }

  static void expect_row(const nlohmann::json& row, const afinar::Encoding& e) {
    EXPECT_EQ(row["input_ids"].get<std::vector<int32_t>>(), e.ids);
    EXPECT_EQ(row["token_type_ids"].get<std::vector<uint32_t>>(),
              std::vector<uint32_t>(e.type_ids.begin(), e.type_ids.end()));
    EXPECT_EQ(row["attention_mask"].get<std::vector<uint32_t>>(),
              std::vector<uint32_t>(e.attention_mask.begin(), e.attention_mask.end()));
  }

  /// Every row equals the library's batch encoding, with no overflow lines.
  void expect_batch(const std::string& flags, const afinar::EncodeOptions& opt) {
    std::vector<nlohmann::json> rows;
    ASSERT_EQ(tokenize(flags, rows), 0) << flags;
    auto want = afinar::AutoTokenizer::from_pretrained(tok_).encode_batch(texts_, opt);
    ASSERT_EQ(rows.size(), want.size()) << flags;
    for (size_t i = 0; i < rows.size(); ++i) expect_row(rows[i], want[i]);
  }

  fs::path dir_;
  std::string tok_;
  std::vector<std::string> texts_{"Hello, world!", "the quick brown fox jumps over the lazy dog once more"};
  std::vector<std::string> pairs_{"a short pair", "and a second pair that is rather long as well"};
};

TEST_F(TokenizeFlags, Stride) {
  afinar::EncodeOptions opt;
  opt.truncation = true;
  opt.max_length = 8;
  opt.stride = 3;
  std::vector<nlohmann::json> rows;
  ASSERT_EQ(tokenize("--max_length 8 --stride 3 --return_overflowing_tokens", rows), 0);
  auto lib = afinar::AutoTokenizer::from_pretrained(tok_);
  std::vector<afinar::Encoding> want;
  for (const auto& t : texts_) {
    auto e = lib.encode(t, opt);
    want.push_back(e);
    for (const auto& o : e.overflowing) want.push_back(o);
  }
  ASSERT_EQ(rows.size(), want.size());
  ASSERT_GE(rows.size(), 3u);  // the long text overflows
  for (size_t i = 0; i < rows.size(); ++i) expect_row(rows[i], want[i]);
}

TEST_F(TokenizeFlags, ReturnOverflowingTokens) {
  std::vector<nlohmann::json> rows;
  ASSERT_EQ(tokenize("--max_length 6", rows), 0);
  EXPECT_EQ(rows.size(), 2u);  // without the flag the overflow is dropped
  ASSERT_EQ(tokenize("--max_length 6 --return_overflowing_tokens", rows), 0);
  afinar::EncodeOptions opt;
  opt.truncation = true;
  opt.max_length = 6;
  auto lib = afinar::AutoTokenizer::from_pretrained(tok_);
  size_t r = 0;
  for (size_t line = 1; line <= texts_.size(); ++line) {
    auto e = lib.encode(texts_[line - 1], opt);
    ASSERT_LT(r, rows.size());
    EXPECT_FALSE(rows[r].contains("overflow_of"));
    expect_row(rows[r++], e);
    for (const auto& o : e.overflowing) {
      ASSERT_LT(r, rows.size());
      EXPECT_EQ(rows[r]["overflow_of"].get<size_t>(), line);  // the 1-based input line
      expect_row(rows[r++], o);
    }
  }
  EXPECT_EQ(r, rows.size());
  EXPECT_GT(r, 2u);
}

TEST_F(TokenizeFlags, PaddingLongestAndMaxLength) {
  afinar::EncodeOptions opt;
  opt.padding = "longest";
  expect_batch("--padding longest", opt);
  opt.padding = "max_length";
  opt.truncation = true;
  opt.max_length = 16;
  expect_batch("--padding max_length --max_length 16", opt);
  expect_batch("--padding do_not_pad", afinar::EncodeOptions{});
}

TEST_F(TokenizeFlags, PadToMultipleOf) {
  afinar::EncodeOptions opt;
  opt.padding = "longest";
  opt.pad_to_multiple_of = 8;
  expect_batch("--padding longest --pad_to_multiple_of 8", opt);
}

TEST_F(TokenizeFlags, PaddingSide) {
  afinar::EncodeOptions opt;
  opt.padding = "longest";
  opt.padding_side = "left";
  expect_batch("--padding longest --padding_side left", opt);
}

TEST_F(TokenizeFlags, TruncationStrategyOnPairs) {
  auto lib = afinar::AutoTokenizer::from_pretrained(tok_);
  for (const char* strategy : {"longest_first", "only_first", "only_second"}) {
    afinar::EncodeOptions opt;
    opt.truncation = true;
    opt.max_length = 16;
    opt.truncation_strategy = strategy;
    std::vector<nlohmann::json> rows;
    ASSERT_EQ(tokenize(std::string("--text_pair_field pair --max_length 16 --truncation_strategy ") + strategy, rows),
              0)
        << strategy;
    ASSERT_EQ(rows.size(), texts_.size());
    for (size_t i = 0; i < rows.size(); ++i) expect_row(rows[i], lib.encode_pair(texts_[i], pairs_[i], opt));
  }
}

TEST_F(TokenizeFlags, PairsPadToTheLongestPair) {
  auto lib = afinar::AutoTokenizer::from_pretrained(tok_);
  afinar::EncodeOptions opt;
  std::vector<afinar::Encoding> want;
  size_t longest = 0;
  for (size_t i = 0; i < texts_.size(); ++i) {
    want.push_back(lib.encode_pair(texts_[i], pairs_[i], opt));
    longest = std::max(longest, want.back().size());
  }
  std::vector<nlohmann::json> rows;
  ASSERT_EQ(tokenize("--text_pair_field pair --padding longest", rows), 0);
  ASSERT_EQ(rows.size(), want.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    auto ids = rows[i]["input_ids"].get<std::vector<int32_t>>();
    ASSERT_EQ(ids.size(), longest);
    EXPECT_TRUE(std::equal(want[i].ids.begin(), want[i].ids.end(), ids.begin()));
  }
}

TEST_F(TokenizeFlags, BadValuesNameTheFlag) {
  for (const char* flags : {"--padding sideways", "--padding_side up", "--truncation_strategy only_third",
                            "--pad_to_multiple_of 0", "--stride -1"}) {
    std::vector<nlohmann::json> rows;
    std::string err;
    EXPECT_NE(tokenize(flags, rows, &err), 0) << flags;
    std::string flag = std::string(flags).substr(0, std::string(flags).find(' '));
    EXPECT_NE(err.find(flag), std::string::npos) << flags << " → " << err;
    EXPECT_FALSE(fs::exists(dir_ / "out.jsonl")) << flags;
  }
}

}  // namespace
