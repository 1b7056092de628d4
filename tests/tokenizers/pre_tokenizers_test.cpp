// Table tests of the splitting pre-tokenizers and normalizers (HF's own examples where it has them).
#include <gtest/gtest.h>

#include "afinar/tokenizers/normalizers/simple_normalizers.h"
#include "afinar/tokenizers/pre_tokenizers/byte_level.h"
#include "afinar/tokenizers/pre_tokenizers/metaspace.h"
#include "afinar/tokenizers/pre_tokenizers/sequence.h"
#include "afinar/tokenizers/pre_tokenizers/whitespace.h"
#include "afinar/tokenizers/pre_tokenizers/split.h"
#include "component_util.h"

namespace afinar::test {
namespace {

using namespace tokenizers;
using Splits = std::vector<std::tuple<std::string, uint32_t, uint32_t>>;

std::vector<std::string> words(const Splits& s) {
  std::vector<std::string> w;
  for (const auto& [t, b, e] : s) w.push_back(t);
  return w;
}

TEST(Split, EveryBehavior) {
  struct Row {
    SplitBehavior behavior;
    bool invert;
    std::vector<std::string> want;
  } rows[] = {
      {SplitBehavior::Removed, false, {"How", "are", "you", "doing?"}},
      {SplitBehavior::Isolated, false, {"How", " ", "are", " ", "you", " ", " ", "doing?"}},
      {SplitBehavior::MergedWithPrevious, false, {"How ", "are ", "you ", " ", "doing?"}},
      {SplitBehavior::MergedWithNext, false, {"How", " are", " you", " ", " doing?"}},
      {SplitBehavior::Contiguous, false, {"How", " ", "are", " ", "you", "  ", "doing?"}},
      {SplitBehavior::Removed, true, {" ", " ", " ", " "}},
  };
  for (const auto& r : rows)
    EXPECT_EQ(words(pre_tokenize(SplitPreTokenizer(Pattern::literal(" "), r.behavior, r.invert), "How are you  doing?")),
              r.want)
        << static_cast<int>(r.behavior);
  auto re = pre_tokenize(SplitPreTokenizer(Pattern::regex("\\d+"), SplitBehavior::Isolated, false), "ab12c345");
  EXPECT_EQ(words(re), (std::vector<std::string>{"ab", "12", "c", "345"}));
}

TEST(Split, PunctuationDigitsAndDelimiter) {
  EXPECT_EQ(words(pre_tokenize(Punctuation(SplitBehavior::Isolated), "Hey friend!!? how")),
            (std::vector<std::string>{"Hey friend", "!", "!", "?", " how"}));
  EXPECT_EQ(words(pre_tokenize(Punctuation(SplitBehavior::Contiguous), "Hey!!? ok")),
            (std::vector<std::string>{"Hey", "!!?", " ok"}));
  EXPECT_EQ(words(pre_tokenize(Digits(false), "Hey 123 friend!")), (std::vector<std::string>{"Hey ", "123", " friend!"}));
  EXPECT_EQ(words(pre_tokenize(Digits(true), "Hey 123")), (std::vector<std::string>{"Hey ", "1", "2", "3"}));
  EXPECT_EQ(words(pre_tokenize(CharDelimiterSplit('-'), "a-b--c")), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(Metaspace, PrependSchemesAndOffsets) {
  auto all = pre_tokenize(Metaspace(U'\u2581', PrependScheme::Always, true), "Hey friend");
  EXPECT_EQ(all, (Splits{{"\u2581Hey", 0, 3}, {"\u2581friend", 3, 10}}));
  EXPECT_EQ(words(pre_tokenize(Metaspace(U'\u2581', PrependScheme::Never, true), "Hey friend")),
            (std::vector<std::string>{"Hey", "\u2581friend"}));
  // "first": only the split that starts the original text gets the ▁ (HF's offsets_original().0 == 0).
  tokenizers::PreTokenizerSequence first({std::make_shared<WhitespaceSplit>(),
                                          std::make_shared<Metaspace>(U'\u2581', PrependScheme::First, true)});
  EXPECT_EQ(words(pre_tokenize(first, "a b")), (std::vector<std::string>{"\u2581a", "b"}));
  EXPECT_EQ(words(pre_tokenize(Metaspace(U'\u2581', PrependScheme::Always, false), "a b")),
            (std::vector<std::string>{"\u2581a\u2581b"}));
}

TEST(ByteLevel, SplitsAndMapsBytes) {
  auto s = pre_tokenize(ByteLevelPreTokenizer(false, true), "Hello my friend, how is your day going?");
  EXPECT_EQ(words(s), (std::vector<std::string>{"Hello", "\u0120my", "\u0120friend", ",", "\u0120how", "\u0120is",
                                                "\u0120your", "\u0120day", "\u0120going", "?"}));
  EXPECT_EQ(std::get<1>(s[1]), 5u);
  EXPECT_EQ(words(pre_tokenize(ByteLevelPreTokenizer(true, true), "é")), (std::vector<std::string>{"\u0120\u00c3\u00a9"}));
  EXPECT_EQ(words(pre_tokenize(ByteLevelPreTokenizer(false, false), "a b")), (std::vector<std::string>{"a\u0120b"}));
}

// The hand-written GPT-2 matcher must cut exactly as Oniguruma does with the regex.
TEST(ByteLevel, Gpt2MatcherEqualsTheRegex) {
  Regex re(R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)");
  for (std::string t : {"", " ", "  a", "a  b", "it's 'quoted' don't", "x \n\n y", "tab\t\tend ", "ab12 3,4!! ?",
                        "'''s ' s", "\u00e9t\u00e9 \u4e2d\u6587 \u0661\u0662", "emoji \U0001F600\U0001F600 ok",
                        "nbsp\u00a0\u00a0x", "end   "}) {
    std::vector<PatternMatch> a, b;
    gpt2_find_matches(t, a);
    re.find_matches(t, b);
    ASSERT_EQ(a.size(), b.size()) << t;
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].start, b[i].start) << t;
      EXPECT_EQ(a[i].end, b[i].end) << t;
    }
  }
}

TEST(Normalizers, ReplacePrependStripByteLevel) {
  EXPECT_EQ(normalize(Replace(Pattern::literal(" "), "\u2581"), "a b  c"), "a\u2581b\u2581\u2581c");
  EXPECT_EQ(normalize(Replace(Pattern::regex("\\s+"), " "), "a \t\n b"), "a b");
  EXPECT_EQ(normalize(Replace(Pattern::literal("ab"), ""), "xabyab"), "xy");
  EXPECT_EQ(normalize(Prepend("\u2581"), "hi"), "\u2581hi");
  EXPECT_EQ(normalize(Prepend("\u2581"), ""), "");
  EXPECT_EQ(normalize(Strip(true, true), "  hi  "), "hi");
  EXPECT_EQ(normalize(Strip(false, true), "  hi  "), "  hi");
  EXPECT_EQ(normalize(ByteLevelNormalizer(), "\u00e9 a"), "\u00c3\u00a9\u0120a");
}

TEST(Normalizers, ReplaceAlignsWithTheMatchsLastChar) {
  NormalizedString s;
  std::string text = "ab  c";
  s.reset(text, 0, static_cast<uint32_t>(text.size()));
  Replace(Pattern::regex(" +"), "_").normalize(s);
  ASSERT_EQ(s.get(), "ab_c");
  EXPECT_EQ(s.alignments()[2].start, 3u);  // the last space of the run
  EXPECT_EQ(s.alignments()[2].end, 4u);
}

}  // namespace
}  // namespace afinar::test
