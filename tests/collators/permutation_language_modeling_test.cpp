#include "afinar/collators/permutation_language_modeling.h"

#include "afinar/core/check.h"
#include "fixture_util.h"

// transformers' DataCollatorForPermutationLanguageModeling under torch.manual_seed(seed): spans,
// perm_mask and target_mapping identical.
TEST(DataCollatorForPermutationLanguageModeling, MatchesTransformers) {
  auto cases = afinar::testing::load_fixture("permutation_language_modeling.json");
  ASSERT_EQ(cases.size(), 3u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c["kwargs"].dump());
    afinar::LanguageModelingOptions o;
    o.pad_token_id = c["pad_token_id"];
    o.mask_token_id = c["mask_token_id"].get<int32_t>();
    o.special_token_ids = c["special_token_ids"].get<std::vector<int32_t>>();
    afinar::DataCollatorForPermutationLanguageModeling collate(o, c["kwargs"].value("plm_probability", 1.0 / 6),
                                                               c["kwargs"].value("max_span_length", 5));
    torch::manual_seed(c["seed"].get<uint64_t>());
    auto b = collate(afinar::testing::to_examples(c["features"]), afinar::testing::all_rows(c["features"]));
    afinar::testing::expect_batch_eq(b, c["batch"]);
  }
}

TEST(DataCollatorForPermutationLanguageModeling, OddLengthIsAnError) {
  afinar::LanguageModelingOptions o;
  o.mask_token_id = 4;
  afinar::DataCollatorForPermutationLanguageModeling collate(o);
  const auto f = afinar::Examples::from_rows({{"input_ids", {{1, 2, 3}}}});
  std::vector<int64_t> rows = {0};
  EXPECT_THROW(collate(f, rows), afinar::InvalidArgument);
}
