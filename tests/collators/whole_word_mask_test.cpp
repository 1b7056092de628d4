#include "afinar/collators/whole_word_mask.h"

#include "afinar/core/check.h"
#include "fixture_util.h"

// transformers' DataCollatorForLanguageModeling(whole_word_mask=True) (words from offsets) under
// torch.manual_seed(seed); here the words come from the "##" continuation tokens.
TEST(DataCollatorForWholeWordMask, MatchesTransformersMasks) {
  auto cases = afinar::testing::load_fixture("whole_word_mask.json");
  ASSERT_EQ(cases.size(), 3u);
  for (const auto& c : cases) {
    SCOPED_TRACE("seed " + std::to_string(c["seed"].get<int64_t>()));
    afinar::LanguageModelingOptions o;
    o.pad_token_id = c["pad_token_id"];
    o.mask_token_id = c["mask_token_id"].get<int32_t>();
    o.vocab_size = c["vocab_size"];
    o.special_token_ids = c["special_token_ids"].get<std::vector<int32_t>>();
    o.mlm_probability = c["kwargs"]["mlm_probability"];
    std::vector<std::string> vocab(static_cast<size_t>(o.vocab_size));
    for (size_t r = 0; r < c["features"].size(); ++r)
      for (size_t t = 0; t < c["tokens"][r].size(); ++t)
        vocab[c["features"][r]["input_ids"][t].get<size_t>()] = c["tokens"][r][t].get<std::string>();
    afinar::DataCollatorForWholeWordMask collate(o, vocab);
    torch::manual_seed(c["seed"].get<uint64_t>());
    auto b = collate(afinar::testing::to_examples(c["features"]), afinar::testing::all_rows(c["features"]));
    afinar::testing::expect_batch_eq(b, c["batch"]);
  }
}

TEST(DataCollatorForWholeWordMask, NeedsMlm) {
  afinar::LanguageModelingOptions o;
  o.mlm = false;
  EXPECT_THROW(afinar::DataCollatorForWholeWordMask(o, {}), afinar::InvalidArgument);
}
