#include "afinar/tokenizers/models/wordpiece.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "afinar/tokenizers/decoders/wordpiece.h"

namespace afinar::test {
namespace {

using namespace tokenizers;

std::shared_ptr<const Model> tiny(size_t max_chars = 100) {
  return make_model(nlohmann::json{{"type", "WordPiece"},
                                   {"unk_token", "[UNK]"},
                                   {"max_input_chars_per_word", max_chars},
                                   {"vocab", {{"[UNK]", 0}, {"un", 1}, {"##aff", 2}, {"##able", 3}, {"a", 4}, {"##é", 5}}}},
                    "test");
}

TEST(WordPiece, Table) {
  struct Case {
    std::string word;
    std::vector<Token> want;
  };
  const Case cases[] = {
      {"unaffable", {{1, 0, 2}, {2, 2, 5}, {3, 5, 9}}},
      {"aé", {{4, 0, 1}, {5, 1, 3}}},
      {"unx", {{0, 0, 3}}},  // no full cover → one [UNK] for the word
      {"b", {{0, 0, 1}}},
  };
  auto m = tiny();
  for (const auto& c : cases) {
    std::vector<Token> got;
    m->tokenize(c.word, got);
    ASSERT_EQ(got.size(), c.want.size()) << c.word;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].id, c.want[i].id) << c.word;
      EXPECT_EQ(got[i].start, c.want[i].start) << c.word;
      EXPECT_EQ(got[i].end, c.want[i].end) << c.word;
    }
  }
  std::vector<Token> got;
  tiny(2)->tokenize("aé", got);  // 2 characters (3 bytes): allowed
  EXPECT_NE(got[0].id, 0);
  got.clear();
  tiny(1)->tokenize("aé", got);  // over max_input_chars_per_word
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].id, 0);
}

TEST(WordPieceDecoder, Table) {
  WordPieceDecoder d("##", true);
  // Cleanup runs per token (as HF), so " ' " across tokens stays.
  EXPECT_EQ(d.decode({"un", "##aff", "##able", ",", "isn", "'", "t", "it", "?"}), "unaffable, isn ' t it?");
  EXPECT_EQ(WordPieceDecoder("##", false).decode({"a", ",", "##b"}), "a ,b");
  EXPECT_EQ(wordpiece_cleanup("i do not know ."), "i don't know.");
}

}  // namespace
}  // namespace afinar::test
