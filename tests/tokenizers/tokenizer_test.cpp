// Tokenizer-level behaviour against the oracle: pairs, truncation, padding, decode, batches.
#include "fixture_util.h"

namespace afinar::test {
namespace {

TEST(Tokenizer, PairsMatch) {
  auto fx = load_fixture("pairs.json");
  auto tok = Tokenizer::from_file(minilm_json());
  EncodeOptions plain;
  plain.add_special_tokens = false;
  for (size_t i = 0; i < fx["pairs"].size(); ++i) {
    std::string a = fx["pairs"][i][0], b = fx["pairs"][i][1];
    expect_matches(fx["encodings"][i], tok.encode_pair(a, b), "pair " + std::to_string(i));
    expect_matches(fx["no_special"][i], tok.encode_pair(a, b, plain), "pair (no specials) " + std::to_string(i));
  }
}

TEST(Tokenizer, TruncationMatches) {
  auto fx = load_fixture("truncation.json");
  auto tok = Tokenizer::from_file(minilm_json());
  ASSERT_GT(fx["cases"].size(), 20u);
  for (const auto& c : fx["cases"]) {
    EncodeOptions o;
    o.truncation = true;
    o.truncation_strategy = c["strategy"];
    o.max_length = c["max_length"].get<size_t>();
    std::string what = c["strategy"].get<std::string>() + " max_length " + std::to_string(*o.max_length);
    Encoding e = c["b"].is_null() ? tok.encode(c["a"].get<std::string>(), o)
                                  : tok.encode_pair(c["a"].get<std::string>(), c["b"].get<std::string>(), o);
    expect_matches(c["enc"], e, what);
  }
}

TEST(Tokenizer, TruncationOnlySecondTooShortIsAnError) {
  auto tok = Tokenizer::from_file(minilm_json());
  EncodeOptions o;
  o.truncation = true;
  o.truncation_strategy = "only_second";
  o.max_length = 6;
  EXPECT_THROW(tok.encode_pair("a b c d e f g h", "x", o), InvalidArgument);
  EXPECT_THROW(tok.encode("a b c d e f g h", o), InvalidArgument);  // no second sequence
  o.stride = 2;
  o.truncation_strategy = "longest_first";
  Encoding e = tok.encode("a b c d e f g h", o);  // 4 tokens a window, 2 shared with the next
  EXPECT_EQ(e.size(), 6u);
  ASSERT_EQ(e.overflowing.size(), 2u);
  EXPECT_EQ(e.overflowing[0].ids[1], e.ids[3]);
  o.stride = 4;  // not less than the 4 tokens a window keeps
  EXPECT_THROW(tok.encode("a b c d e f g h", o), InvalidArgument);
}

TEST(Tokenizer, PaddingMatches) {
  auto fx = load_fixture("padding.json");
  auto tok = Tokenizer::from_file(minilm_json());
  auto texts = fx["texts"].get<std::vector<std::string>>();
  for (const auto& c : fx["cases"]) {
    EncodeOptions o;
    o.padding_side = c["side"].get<std::string>();
    if (!c["multiple_of"].is_null()) o.pad_to_multiple_of = c["multiple_of"].get<size_t>();
    if (c["length"].is_null()) {
      o.padding = "longest";
    } else {
      o.padding = "max_length";
      o.max_length = c["length"].get<size_t>();
    }
    std::string what = c.dump().substr(0, 80);
    auto encs = tok.encode_batch(texts, o, 2);
    ASSERT_EQ(encs.size(), c["encs"].size());
    for (size_t i = 0; i < encs.size(); ++i) expect_matches(c["encs"][i], encs[i], what + " #" + std::to_string(i));
  }
}

TEST(Tokenizer, DecodeMatches) {
  auto fx = load_fixture("decode.json");
  auto tok = Tokenizer::from_file(minilm_json());
  for (const auto& c : fx["cases"]) {
    auto ids = c["ids"].get<std::vector<int32_t>>();
    EXPECT_EQ(tok.decode(ids, true), c["skip"].get<std::string>());
    EXPECT_EQ(tok.decode(ids, false), c["keep"].get<std::string>());
  }
}

TEST(Tokenizer, FileDefaultsAreKeptButNotApplied) {
  auto tok = Tokenizer::from_file(minilm_json());
  EXPECT_EQ(tok.encode("hello world").size(), 4u);  // transformers: no padding by default
  auto d = tok.file_defaults();
  EXPECT_TRUE(d.truncation);
  EXPECT_EQ(d.padding, "max_length");
  EXPECT_EQ(d.max_length.value_or(0), 128u);
  EXPECT_EQ(tok.encode("hello world", d).size(), 128u);  // as Python Tokenizer.from_file
  EXPECT_EQ(tok.pad_token(), "[PAD]");
  EXPECT_EQ(tok.pad_token_id().value_or(-1), 0);
  EXPECT_TRUE(tok.uses_token_type_ids());
  EXPECT_EQ(tok.vocab_size(), 30522u);
  EXPECT_EQ(tok.token_to_id("[CLS]").value_or(-1), 101);
  EXPECT_EQ(tok.id_to_token(2023).value_or(""), "this");
  EXPECT_FALSE(tok.id_to_token(99999).has_value());
}

TEST(Tokenizer, BatchKeepsInputOrderAcrossThreads) {
  auto tok = Tokenizer::from_file(bert_uncased_json());
  std::vector<std::string> texts;
  for (int i = 0; i < 1000; ++i) texts.push_back("text number " + std::to_string(i) + std::string(i % 7, '!'));
  auto one = tok.encode_batch(texts, {}, 1);
  auto many = tok.encode_batch(texts, {}, 4);
  for (size_t i = 0; i < texts.size(); ++i) {
    EXPECT_EQ(one[i].ids, many[i].ids);
    EXPECT_EQ(one[i].ids, tok.encode(texts[i]).ids);
  }
}

}  // namespace
}  // namespace afinar::test
