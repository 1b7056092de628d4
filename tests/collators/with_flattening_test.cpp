#include "afinar/collators/with_flattening.h"

#include "fixture_util.h"

TEST(DataCollatorWithFlattening, MatchesTransformers) {
  auto cases = afinar::testing::load_fixture("flattening.json");
  ASSERT_EQ(cases.size(), 5u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c["kwargs"].dump());
    const auto& kw = c["kwargs"];
    afinar::FlatteningOptions o;
    o.return_position_ids = kw.value("return_position_ids", true);
    o.separator_id = kw.value("separator_id", -100);
    o.return_flash_attn_kwargs = kw.value("return_flash_attn_kwargs", false);
    o.return_seq_idx = kw.value("return_seq_idx", false);
    o.position_ids_start = kw.value("position_ids_start", 0);
    auto b = afinar::DataCollatorWithFlattening(o)(afinar::testing::to_examples(c["features"]),
                                                   afinar::testing::all_rows(c["features"]));
    afinar::testing::expect_batch_eq(b, c["batch"]);
  }
}
