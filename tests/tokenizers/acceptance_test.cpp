// The acceptance set: all 10,662 rotten_tomatoes texts, byte-exact with Python tokenizers for
// all-MiniLM-L6-v2 and bert-base-uncased (digests of ids, offsets, word_ids), plus full
// comparisons of the first texts and of a Unicode stress set.
#include <fstream>

#include "fixture_util.h"

namespace afinar::test {
namespace {

std::vector<std::string> rotten_tomatoes() {
  std::vector<std::string> texts;
  for (const char* split : {"train", "validation", "test"}) {
    std::ifstream in(shared_dir() + "/data/rotten_tomatoes/" + split + ".jsonl");
    for (std::string line; std::getline(in, line);) texts.push_back(nlohmann::json::parse(line)["text"]);
  }
  return texts;
}

struct Source {
  const char* key;
  std::string (*path)();
};

class Acceptance : public ::testing::TestWithParam<Source> {};

TEST_P(Acceptance, AllRottenTomatoesDigestsMatch) {
  auto texts = rotten_tomatoes();
  ASSERT_EQ(texts.size(), 10662u);
  auto want = load_fixture(std::string(GetParam().key) + "_digests.json")["digests"];
  auto tok = Tokenizer::from_file(GetParam().path());
  auto encs = tok.encode_batch(texts);
  size_t mismatches = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    if (digest(encs[i]) == want[i].get<std::string>()) continue;
    if (++mismatches <= 5) ADD_FAILURE() << "text " << i << " differs: " << texts[i];
  }
  EXPECT_EQ(mismatches, 0u) << "of " << texts.size();
}

TEST_P(Acceptance, FirstTextsMatchInFull) {
  auto fx = load_fixture(std::string(GetParam().key) + "_first.json");
  auto tok = Tokenizer::from_file(GetParam().path());
  for (size_t i = 0; i < fx["texts"].size(); ++i)
    expect_matches(fx["encodings"][i], tok.encode(fx["texts"][i].get<std::string>()), "text " + std::to_string(i));
}

TEST_P(Acceptance, UnicodeStressSetMatches) {
  auto fx = load_fixture(std::string(GetParam().key) + "_stress.json");
  auto tok = Tokenizer::from_file(GetParam().path());
  EncodeOptions plain;
  plain.add_special_tokens = false;
  for (size_t i = 0; i < fx["texts"].size(); ++i) {
    std::string text = fx["texts"][i];
    expect_matches(fx["encodings"][i], tok.encode(text), "stress " + std::to_string(i) + ": " + text);
    expect_matches(fx["no_special"][i], tok.encode(text, plain), "stress (no specials) " + std::to_string(i));
  }
}

INSTANTIATE_TEST_SUITE_P(Tokenizers, Acceptance,
                         ::testing::Values(Source{"minilm", minilm_json}, Source{"bert_uncased", bert_uncased_json}),
                         [](const auto& info) { return std::string(info.param.key); });

}  // namespace
}  // namespace afinar::test
