#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "afinar/collators/data_collator.h"
#include "afinar/core/check.h"
#include "afinar_test_paths.h"

namespace {

std::vector<std::vector<int64_t>> to_rows(const torch::Tensor& t) {
  std::vector<std::vector<int64_t>> rows;
  auto c = t.to(torch::kInt64).contiguous();
  for (int64_t i = 0; i < c.size(0); ++i)
    rows.emplace_back(c[i].data_ptr<int64_t>(), c[i].data_ptr<int64_t>() + c.size(1));
  return rows;
}

}  // namespace

// transformers' DataCollatorWithPadding outputs (tests/fixtures/collators/with_padding.json).
TEST(DataCollatorWithPadding, MatchesTransformers) {
  std::ifstream in(std::string(AFINAR_FIXTURES_DIR) + "/collators/with_padding.json");
  ASSERT_TRUE(in.good());
  auto cases = nlohmann::json::parse(in);
  ASSERT_EQ(cases.size(), 4u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c["kwargs"].dump());
    std::map<std::string, std::vector<std::vector<int32_t>>> seqs;
    std::map<std::string, std::vector<int64_t>> label_rows;
    for (const auto& row : c["features"]) {
      for (const char* k : {"input_ids", "token_type_ids", "attention_mask"})
        seqs[k].push_back(row[k].get<std::vector<int32_t>>());
      label_rows["label"].push_back(row["label"].get<int64_t>());
    }
    const afinar::Examples f = afinar::Examples::from_rows(seqs, label_rows);
    const auto& kw = c["kwargs"];
    afinar::DataCollatorWithPadding collate(
        c["pad_token_id"].get<int32_t>(), kw.value("padding", "longest"),
        kw.contains("max_length") ? std::optional<int64_t>(kw["max_length"].get<int64_t>()) : std::nullopt,
        kw.contains("pad_to_multiple_of") ? std::optional<int64_t>(kw["pad_to_multiple_of"].get<int64_t>())
                                          : std::nullopt,
        kw.value("padding_side", "right"));
    std::vector<int64_t> rows = {0, 1, 2};
    afinar::Batch b = collate(f, rows);
    for (const char* k : {"input_ids", "token_type_ids", "attention_mask"}) {
      ASSERT_TRUE(b.count(k)) << k;
      EXPECT_EQ(to_rows(b[k]), c["batch"][k].get<std::vector<std::vector<int64_t>>>()) << k;
    }
    auto labels = b.at("labels");
    EXPECT_EQ(std::vector<int64_t>(labels.data_ptr<int64_t>(), labels.data_ptr<int64_t>() + 3),
              c["batch"]["labels"].get<std::vector<int64_t>>());
  }
}

TEST(DataCollatorWithPadding, RowLongerThanMaxLengthIsAnError) {
  const auto f = afinar::Examples::from_rows({{"input_ids", {{1, 2, 3, 4}}}});
  afinar::DataCollatorWithPadding collate(0, "max_length", 2);
  std::vector<int64_t> rows = {0};
  EXPECT_THROW(collate(f, rows), afinar::InvalidArgument);
  EXPECT_THROW(afinar::DataCollatorWithPadding(0, "max_length"), afinar::InvalidArgument);
  EXPECT_THROW(afinar::DataCollatorWithPadding(0, "sideways"), afinar::InvalidArgument);
}
