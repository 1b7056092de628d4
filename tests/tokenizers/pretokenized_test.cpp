// Pre-tokenized input (is_split_into_words) vs HF tokenizers' is_pretokenized=True on CoNLL-2003
// word lists: ids, offsets (relative to each word), word_ids and tokens, with and without
// truncation. Fixtures: tools/oracle/tokenizers_pretokenized_fixtures.py.
#include <gtest/gtest.h>

#include "afinar/core/fs.h"
#include "fixture_util.h"

namespace afinar::test {
namespace {

/// The shared tokenizer.json with ByteLevel's add_prefix_space on (transformers' add_prefix_space=True).
Tokenizer load_with_prefix_space(const std::string& name) {
  auto j = nlohmann::json::parse(read_file(tok_dir(name) + "/tokenizer.json"));
  auto& pre = j["pre_tokenizer"];
  if (pre.is_object()) {
    if (pre.value("type", "") == "ByteLevel") pre["add_prefix_space"] = true;
    if (pre.contains("pretokenizers"))
      for (auto& p : pre["pretokenizers"])
        if (p.value("type", "") == "ByteLevel") p["add_prefix_space"] = true;
  }
  return Tokenizer::from_json_string(j.dump(), name);
}

class Pretokenized : public ::testing::TestWithParam<const char*> {
 protected:
  static const nlohmann::json& fixture() {
    static const nlohmann::json f = load_fixture("pretokenized.json");
    return f;
  }
};

TEST_P(Pretokenized, MatchesHuggingFace) {
  const std::string name = GetParam();
  const auto& f = fixture();
  const auto sentences = f["sentences"].get<std::vector<std::vector<std::string>>>();
  const auto& want = f["tokenizers"][name];
  Tokenizer tok = load_with_prefix_space(name);

  auto encs = tok.encode_pretokenized_batch(sentences, {}, 2);
  ASSERT_EQ(encs.size(), want["digests"].size());
  for (size_t i = 0; i < want["full"].size(); ++i)
    expect_matches(want["full"][i], encs[i], name + " sentence " + std::to_string(i));
  size_t mismatches = 0;
  for (size_t i = 0; i < encs.size(); ++i) mismatches += digest(encs[i]) != want["digests"][i].get<std::string>();
  EXPECT_EQ(mismatches, 0u) << name << ": of " << encs.size() << " sentences";

  EncodeOptions trunc;
  trunc.truncation = true;
  trunc.max_length = 16;
  for (size_t i = 0; i < want["truncated16"].size(); ++i)
    expect_matches(want["truncated16"][i], tok.encode_pretokenized(sentences[i], trunc),
                   name + " truncated sentence " + std::to_string(i));
}

INSTANTIATE_TEST_SUITE_P(Tokenizers, Pretokenized, ::testing::Values("bert-base-uncased", "roberta-base", "t5-small"),
                         [](const auto& info) {
                           std::string s = info.param;
                           for (auto& c : s)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return s;
                         });

TEST(Pretokenized, EmptyWordListGivesOnlySpecialTokens) {
  Tokenizer tok = Tokenizer::from_file(bert_uncased_json());
  Encoding e = tok.encode_pretokenized({});
  EXPECT_EQ(e.ids, (std::vector<int32_t>{101, 102}));
  EXPECT_EQ(e.word_ids, (std::vector<int32_t>{-1, -1}));
}

}  // namespace
}  // namespace afinar::test
