// Table tests of the BPE, Unigram and WordLevel models and of the decoders, on tiny vocabularies.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "afinar/tokenizers/decoders/decoders.h"
#include "afinar/tokenizers/models/model.h"

namespace afinar::test {
namespace {

using namespace tokenizers;

std::vector<std::tuple<int32_t, uint32_t, uint32_t>> run(const Model& m, const std::string& word) {
  std::vector<Token> out;
  m.tokenize(word, out);
  std::vector<std::tuple<int32_t, uint32_t, uint32_t>> r;
  for (const auto& t : out) r.emplace_back(t.id, t.start, t.end);
  return r;
}

using Toks = std::vector<std::tuple<int32_t, uint32_t, uint32_t>>;

TEST(BPE, MergesInBothFormsGiveTheSameModel) {
  auto vocab = R"({"h": 0, "e": 1, "l": 2, "o": 3, "he": 4, "ll": 5, "hell": 6, "hello": 7, "<unk>": 8})";
  auto a = make_model(nlohmann::json::parse(std::string(R"({"type": "BPE", "vocab": )") + vocab +
                                            R"(, "merges": ["h e", "l l", "he ll", "hell o"]})"),
                      "t");
  auto b = make_model(nlohmann::json::parse(std::string(R"({"vocab": )") + vocab +
                                            R"(, "merges": [["h", "e"], ["l", "l"], ["he", "ll"]], "unk_token": "<unk>"})"),
                      "t");  // no "type": inferred from "merges"
  EXPECT_EQ(run(*a, "hello"), (Toks{{7, 0, 5}}));
  EXPECT_EQ(run(*b, "hello"), (Toks{{6, 0, 4}, {3, 4, 5}}));
  EXPECT_EQ(run(*b, "hexo"), (Toks{{4, 0, 2}, {8, 2, 3}, {3, 3, 4}}));
  // Without unk_token unknown chars vanish, and offsets accumulate the kept lengths (HF's
  // Word::get_offsets), so "o" reports bytes [2, 3).
  EXPECT_EQ(run(*a, "hexxo"), (Toks{{4, 0, 2}, {3, 2, 3}}));
}

TEST(BPE, UnkFusionByteFallbackAndSuffix) {
  auto fused = make_model(nlohmann::json::parse(
                              R"({"type": "BPE", "vocab": {"a": 0, "<unk>": 1}, "merges": [], "unk_token": "<unk>", "fuse_unk": true})"),
                          "t");
  EXPECT_EQ(run(*fused, "axya"), (Toks{{0, 0, 1}, {1, 1, 3}, {0, 3, 4}}));
  auto bytes = make_model(nlohmann::json::parse(
                              R"({"type": "BPE", "vocab": {"a": 0, "<unk>": 1, "<0xC3>": 2, "<0xA9>": 3}, "merges": [],
                                  "unk_token": "<unk>", "byte_fallback": true})"),
                          "t");
  EXPECT_EQ(run(*bytes, "a\u00e9"), (Toks{{0, 0, 1}, {2, 1, 2}, {3, 2, 3}}));
  auto suffix = make_model(nlohmann::json::parse(
                               R"({"type": "BPE", "vocab": {"a": 0, "b</w>": 1, "ab</w>": 2}, "merges": ["a b</w>"],
                                   "end_of_word_suffix": "</w>"})"),
                           "t");
  EXPECT_EQ(run(*suffix, "ab"), (Toks{{2, 0, 2}}));
  auto ignore = make_model(nlohmann::json::parse(
                               R"({"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2, "abb": 3}, "merges": ["a b"],
                                   "ignore_merges": true})"),
                           "t");
  EXPECT_EQ(run(*ignore, "abb"), (Toks{{3, 0, 3}}));
}

TEST(Unigram, ViterbiUnkAndByteFallback) {
  auto m = make_model(nlohmann::json::parse(R"({"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0.0],
      ["a", -1.0], ["b", -1.0], ["ab", -1.5], ["abc", -5.0], ["c", -1.0]]})"),
                      "t");
  EXPECT_EQ(run(*m, "abc"), (Toks{{3, 0, 2}, {5, 2, 3}}));  // -2.5 beats -5
  EXPECT_EQ(run(*m, "axyb"), (Toks{{1, 0, 1}, {0, 1, 3}, {2, 3, 4}}));  // unknowns fused
  auto bf = make_model(nlohmann::json::parse(R"({"type": "Unigram", "unk_id": 0, "byte_fallback": true,
      "vocab": [["<unk>", 0.0], ["a", -1.0], ["<0x78>", -3.0]]})"),
                       "t");
  EXPECT_EQ(run(*bf, "ax"), (Toks{{1, 0, 1}, {2, 1, 2}}));
}

TEST(WordLevel, VocabOrUnk) {
  auto m = make_model(nlohmann::json::parse(R"({"type": "WordLevel", "vocab": {"hi": 0, "[UNK]": 1}, "unk_token": "[UNK]"})"),
                      "t");
  EXPECT_EQ(run(*m, "hi"), (Toks{{0, 0, 2}}));
  EXPECT_EQ(run(*m, "bye"), (Toks{{1, 0, 3}}));
}

TEST(Decoders, Table) {
  using V = std::vector<std::string>;
  EXPECT_EQ(ByteLevelDecoder().decode({"Hello", "\u0120world", "\u0120\u00c3\u00a9"}), "Hello world \u00e9");
  EXPECT_EQ(ByteLevelDecoder().decode({"\u00c3"}), "\ufffd");  // half a char
  EXPECT_EQ(MetaspaceDecoder(U'\u2581', true).decode({"\u2581Hey", "\u2581friend"}), "Hey friend");
  EXPECT_EQ(MetaspaceDecoder(U'\u2581', false).decode({"\u2581Hey"}), " Hey");
  EXPECT_EQ(BPEDecoder("</w>").decode({"hel", "lo</w>", "you</w>"}), "hello you");
  EXPECT_EQ(ByteFallbackDecoder().decode_chain({"a", "<0xE2>", "<0x82>", "<0xAC>", "b"}), (V{"a", "\u20ac", "b"}));
  EXPECT_EQ(ByteFallbackDecoder().decode_chain({"<0xE2>", "<0x82>", "x"}), (V{"\ufffd", "\ufffd", "x"}));
  EXPECT_EQ(FuseDecoder().decode_chain({"a", "b"}), (V{"ab"}));
  EXPECT_EQ(StripDecoder(' ', 1, 0).decode_chain({"  a ", "b"}), (V{" a ", "b"}));
  EXPECT_EQ(ReplaceDecoder(Pattern::literal("\u2581"), " ").decode_chain({"\u2581a\u2581b"}), (V{" a b"}));
  EXPECT_EQ(CTCDecoder("<pad>", "|", true).decode({"<pad>", "h", "h", "e", "<pad>", "l", "l", "<pad>", "l", "o", "|", "w"}),
            "hello w");
  DecoderSequence seq({std::make_shared<ReplaceDecoder>(Pattern::literal("\u2581"), " "),
                       std::make_shared<ByteFallbackDecoder>(), std::make_shared<FuseDecoder>(),
                       std::make_shared<StripDecoder>(' ', 1, 0)});
  EXPECT_EQ(seq.decode({"\u2581Hi", "<0x21>"}), "Hi!");
  EXPECT_EQ(utf8_lossy("a\xff\xe2\x82z"), "a\ufffd\ufffdz");
}

}  // namespace
}  // namespace afinar::test
