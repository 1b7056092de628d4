#include "afinar/collators/seq2seq.h"

#include "afinar/core/check.h"
#include "fixture_util.h"

TEST(DataCollatorForSeq2Seq, MatchesTransformers) {
  auto cases = afinar::testing::load_fixture("seq2seq.json");
  ASSERT_EQ(cases.size(), 5u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c["kwargs"].dump());
    const auto& kw = c["kwargs"];
    afinar::PadOptions p;
    p.pad_token_id = c["pad_token_id"];
    p.padding = kw.value("padding", "longest");
    if (kw.contains("max_length")) p.max_length = kw["max_length"].get<int64_t>();
    if (kw.contains("pad_to_multiple_of")) p.pad_to_multiple_of = kw["pad_to_multiple_of"].get<int64_t>();
    p.padding_side = kw.value("padding_side", "right");
    afinar::DataCollatorForSeq2Seq::PrepareDecoderInputIds shift;
    if (kw.contains("decoder_start_token_id")) {
      const int64_t pad = p.pad_token_id, start = kw["decoder_start_token_id"];
      shift = [=](const torch::Tensor& l) { return afinar::shift_tokens_right(l, pad, start); };
    }
    afinar::DataCollatorForSeq2Seq collate(p, -100, shift);
    auto b = collate(afinar::testing::to_examples(c["features"]), afinar::testing::all_rows(c["features"]));
    afinar::testing::expect_batch_eq(b, c["batch"]);
  }
}

TEST(DataCollatorForSeq2Seq, ShiftTokensRight) {
  auto labels = torch::tensor({5, 6, -100, -100}, torch::kInt64).reshape({1, 4});
  auto got = afinar::shift_tokens_right(labels, 0, 2);
  EXPECT_TRUE(torch::equal(got, torch::tensor({2, 5, 6, 0}, torch::kInt64).reshape({1, 4})));
}
