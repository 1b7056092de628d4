#include "afinar/collators/token_classification.h"

#include "afinar/core/check.h"
#include "fixture_util.h"

namespace {
afinar::PadOptions pad_options(const nlohmann::json& c) {
  afinar::PadOptions p;
  const auto& kw = c["kwargs"];
  p.pad_token_id = c["pad_token_id"];
  p.padding = kw.value("padding", "longest");
  if (kw.contains("max_length")) p.max_length = kw["max_length"].get<int64_t>();
  if (kw.contains("pad_to_multiple_of")) p.pad_to_multiple_of = kw["pad_to_multiple_of"].get<int64_t>();
  p.padding_side = kw.value("padding_side", "right");
  return p;
}
}  // namespace

TEST(DataCollatorForTokenClassification, MatchesTransformers) {
  auto cases = afinar::testing::load_fixture("token_classification.json");
  ASSERT_EQ(cases.size(), 5u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c["kwargs"].dump());
    afinar::DataCollatorForTokenClassification collate(pad_options(c), c["kwargs"].value("label_pad_token_id", -100));
    auto b = collate(afinar::testing::to_examples(c["features"]), afinar::testing::all_rows(c["features"]));
    afinar::testing::expect_batch_eq(b, c["batch"]);
  }
}

TEST(DataCollatorForTokenClassification, RejectsBadPadding) {
  afinar::PadOptions p;
  p.padding = "max_length";
  EXPECT_THROW(afinar::DataCollatorForTokenClassification{p}, afinar::InvalidArgument);
}
