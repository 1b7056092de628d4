#include "afinar/collators/language_modeling.h"

#include "afinar/core/check.h"
#include "fixture_util.h"

namespace {

afinar::LanguageModelingOptions options(const nlohmann::json& c) {
  afinar::LanguageModelingOptions o;
  const auto& kw = c["kwargs"];
  o.pad_token_id = c["pad_token_id"];
  o.mask_token_id = c["mask_token_id"].get<int32_t>();
  o.vocab_size = c["vocab_size"];
  o.special_token_ids = c["special_token_ids"].get<std::vector<int32_t>>();
  o.mlm = kw.value("mlm", true);
  o.mlm_probability = kw.value("mlm_probability", 0.15);
  o.mask_replace_prob = kw.value("mask_replace_prob", 0.8);
  o.random_replace_prob = kw.value("random_replace_prob", 0.1);
  if (kw.contains("pad_to_multiple_of")) o.pad_to_multiple_of = kw["pad_to_multiple_of"].get<int64_t>();
  o.padding_side = kw.value("padding_side", "right");
  if (kw.contains("seed")) o.seed = kw["seed"].get<uint64_t>();
  return o;
}

}  // namespace

// transformers' DataCollatorForLanguageModeling under torch.manual_seed(seed): masks, [MASK]
// replacements and random words must come out identical, call after call.
TEST(DataCollatorForLanguageModeling, MatchesTransformersMasks) {
  auto cases = afinar::testing::load_fixture("language_modeling.json");
  ASSERT_EQ(cases.size(), 10u);
  int exact = 0, total = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c["kwargs"].dump() + " seed " + std::to_string(c["seed"].get<int64_t>()));
    afinar::DataCollatorForLanguageModeling collate(options(c));
    auto f = afinar::testing::to_examples(c["features"]);
    auto rows = afinar::testing::all_rows(c["features"]);
    torch::manual_seed(c["seed"].get<uint64_t>());
    for (const auto& want : c["batches"]) {
      afinar::Batch b = collate(f, rows);
      afinar::testing::expect_batch_eq(b, want);
      ++total;
      exact += afinar::testing::to_json(b.at("input_ids")) == want["input_ids"] &&
               afinar::testing::to_json(b.at("labels")) == want["labels"];
    }
  }
  EXPECT_EQ(exact, total);
}

TEST(DataCollatorForLanguageModeling, RejectsBadOptions) {
  afinar::LanguageModelingOptions o;
  EXPECT_THROW(afinar::DataCollatorForLanguageModeling{o}, afinar::InvalidArgument);  // mlm without mask token
  o.mask_token_id = 103;
  o.vocab_size = 100;
  o.mask_replace_prob = 0.95;
  EXPECT_THROW(afinar::DataCollatorForLanguageModeling{o}, afinar::InvalidArgument);  // 0.95 + 0.1 > 1
  o.mask_replace_prob = 0.8;
  o.mlm_probability = 1.5;
  EXPECT_THROW(afinar::DataCollatorForLanguageModeling{o}, afinar::InvalidArgument);
  o.mlm = false;
  EXPECT_NO_THROW(afinar::DataCollatorForLanguageModeling{o});
}
