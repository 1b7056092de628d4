#include "afinar/metrics/porter_stemmer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "afinar_test_paths.h"

// nltk's PorterStemmer().stem on every distinct token of multi30k, tinyshakespeare and squad plus
// hand-picked edge cases (tools/oracle/rouge_stemmer_fixtures.py): "word<TAB>stem", or "word" when
// the stem is the word itself.
TEST(PorterStemmer, MatchesNltkOnFixtureWords) {
  std::ifstream in(std::string(AFINAR_FIXTURES_DIR) + "/metrics/porter_stems.txt");
  ASSERT_TRUE(in.good());
  std::string line;
  size_t n = 0, changed = 0, wrong = 0;
  while (std::getline(in, line)) {
    const size_t tab = line.find('\t');
    const std::string word = line.substr(0, tab), want = tab == std::string::npos ? word : line.substr(tab + 1);
    changed += tab != std::string::npos;
    ++n;
    const std::string got = afinar::porter_stem(word);
    if (got != want && ++wrong <= 20) ADD_FAILURE() << "'" << word << "': got '" << got << "', nltk '" << want << "'";
  }
  EXPECT_EQ(wrong, 0u) << "of " << n << " words";
  EXPECT_GE(n, 40000u);
  EXPECT_GE(changed, 15000u);
}

TEST(PorterStemmer, ShortAndEmptyWords) {
  // nltk returns words of at most 2 characters lowercased and otherwise unchanged.
  EXPECT_EQ(afinar::porter_stem(""), "");
  EXPECT_EQ(afinar::porter_stem("Is"), "is");
  EXPECT_EQ(afinar::porter_stem("ss"), "ss");
}

TEST(PorterStemmer, NonAsciiAndInvalidUtf8) {
  // Code points, not bytes: "ɑɑ" (2 bytes each) is a double consonant, undoubled like "tt".
  EXPECT_EQ(afinar::porter_stem("abɑɑing"), "abɑ");
  // Only ASCII is lowercased (nltk's str.lower() would give "café").
  EXPECT_EQ(afinar::porter_stem("CAFÉS"), "cafÉ");
  // A byte that is not UTF-8 is one consonant and comes back unchanged.
  EXPECT_EQ(afinar::porter_stem("ab\xFFing"), "ab\xFF");
  EXPECT_EQ(afinar::porter_stem("\xC4hopping"), "\xC4hop");
}
