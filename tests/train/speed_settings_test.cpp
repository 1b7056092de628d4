// afinar's speed settings through the Trainer: --max_tokens_per_batch (token-budget batches, the
// steps per epoch then follow the data) and --padding_free reaching the model.
#include <gtest/gtest.h>
#include <unistd.h>

#include "afinar/core/check.h"
#include "afinar/train/trainer.h"
#include "afinar_test_paths.h"
#include "train/tiny_rows.h"

namespace fs = std::filesystem;

namespace afinar {
namespace {

// 12 rows of 2..13 tokens.
Examples rows12() {
  std::vector<int64_t> lengths;
  for (int64_t i = 0; i < 12; ++i) lengths.push_back(2 + i);
  return afinar_test::tiny_rows(lengths);
}

TrainingArguments one_epoch() {
  TrainingArguments a((fs::temp_directory_path() / ("afinar_speed_" + std::to_string(::getpid()))).string());
  a.use_cpu = true;
  a.per_device_train_batch_size = 4;
  a.num_train_epochs = 1;
  a.save_strategy = "no";
  a.disable_tqdm = true;
  a.report_to = {"none"};
  return a;
}

PreTrainedModel tiny_bert() {
  return AutoModelForSequenceClassification::from_pretrained(std::string(AFINAR_FIXTURES_DIR) + "/models/tiny_bert");
}

TEST(SpeedSettings, MaxTokensPerBatchCutsBatchesUnderTheBudget) {
  const Examples data = rows12();
  TrainingArguments a = one_epoch();
  a.max_tokens_per_batch = 26;  // rows × longest row ≤ 26: more, smaller batches than 12 / 4 = 3
  Trainer t(tiny_bert(), a, std::make_shared<DataCollatorWithPadding>(0), &data);
  BatchSampler s = t.train_sampler(a.per_device_train_batch_size);
  s.set_epoch(0);
  int64_t batches = 0, rows = 0;
  while (const auto b = s.next()) {
    int64_t longest = 0;
    for (int64_t r : *b) longest = std::max<int64_t>(longest, static_cast<int64_t>(data.length(r)));
    EXPECT_LE(static_cast<int64_t>(b->size()) * longest, std::max<int64_t>(26, longest)) << "batch " << batches;
    rows += static_cast<int64_t>(b->size());
    ++batches;
  }
  EXPECT_EQ(rows, 12);
  EXPECT_GT(batches, 3);
  EXPECT_EQ(t.train().global_step, batches) << "one epoch is the budget's batches";

  TrainingArguments grouped = one_epoch();
  grouped.max_tokens_per_batch = 26;
  grouped.train_sampling_strategy = "group_by_length";
  Trainer g(tiny_bert(), grouped, std::make_shared<DataCollatorWithPadding>(0), &data);
  EXPECT_THROW(g.train(), InvalidArgument) << "two samplers at once are refused";
}

TEST(SpeedSettings, PaddingFreeReachesTheModel) {
  const Examples data = rows12();
  TrainingArguments a = one_epoch();
  a.padding_free = false;
  PreTrainedModel m = tiny_bert();
  ASSERT_TRUE(m->padding_free) << "on by default";
  Trainer t(m, a, std::make_shared<DataCollatorWithPadding>(0), &data);
  EXPECT_FALSE(m->padding_free);
}

}  // namespace
}  // namespace afinar
