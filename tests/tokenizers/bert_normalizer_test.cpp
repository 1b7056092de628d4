#include "afinar/tokenizers/normalizers/bert_normalizer.h"

#include <gtest/gtest.h>

#include "component_util.h"

namespace afinar::test {
namespace {

using tokenizers::BertNormalizer;
using tokenizers::BertNormalizerOptions;

struct Case {
  BertNormalizerOptions opt;
  std::string in, want;
};

TEST(BertNormalizer, Table) {
  BertNormalizerOptions uncased, cased, keep_accents;
  cased.lowercase = false;
  keep_accents.strip_accents = false;
  const Case cases[] = {
      {uncased, "Héllo WORLD", "hello world"},
      {cased, "Héllo WORLD", "Héllo WORLD"},          // strip_accents null follows lowercase
      {keep_accents, "Héllo", "héllo"},
      {uncased, "a\tb\nc\u00a0d", "a b c d"},           // whitespace → ' '
      {uncased, "x\u200by\x01z\u0085w", "xyzw"},        // Cf, Cc removed
      {uncased, "中文", " 中  文 "},                    // CJK padded
      {uncased, "İ", "i"},                             // NFD + strip, then lowercase
      {keep_accents, "İ", "i\u0307"},                  // full lowercase mapping
      {uncased, "ΣΊ", "σι"},
  };
  for (const auto& c : cases) EXPECT_EQ(normalize(BertNormalizer(c.opt), c.in), c.want) << c.in;
}

TEST(BertNormalizer, AlignmentsPointIntoTheOriginal) {
  tokenizers::NormalizedString s;
  std::string text = "Café!";
  s.reset(text, 0, static_cast<uint32_t>(text.size()));
  BertNormalizer(BertNormalizerOptions{}).normalize(s);
  ASSERT_EQ(s.get(), "cafe!");
  EXPECT_EQ(s.alignments()[3].start, 3u);  // 'e' comes from the 2-byte 'é'
  EXPECT_EQ(s.alignments()[3].end, 5u);
  EXPECT_EQ(s.alignments()[4].start, 5u);
}

}  // namespace
}  // namespace afinar::test
