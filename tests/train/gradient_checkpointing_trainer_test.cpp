// TrainingArguments.gradient_checkpointing through the Trainer: the same training run, with and
// without checkpointing, ends at the same parameters (dropout active); and its kwargs.
#include <gtest/gtest.h>
#include <unistd.h>

#include "afinar/core/check.h"
#include "afinar/models/checkpoint.h"
#include "afinar/train/trainer.h"
#include "afinar_test_paths.h"

namespace fs = std::filesystem;

namespace {

// 12 rows of 3..8 tokens below tiny_bert's vocabulary (99), labels 0..2.
afinar::Examples tiny_data() {
  afinar::Examples e;
  std::map<std::string, std::vector<std::vector<int32_t>>> rows;
  auto& ids = rows["input_ids"];
  auto& mask = rows["attention_mask"];
  std::vector<int64_t> label_values;
  for (int64_t i = 0; i < 12; ++i) {
    std::vector<int32_t> row = {2};
    for (int64_t t = 0; t < 2 + i % 6; ++t) row.push_back(static_cast<int32_t>(5 + (i * 13 + t * 7) % 90));
    mask.emplace_back(row.size(), 1);
    ids.push_back(std::move(row));
    label_values.push_back(i % 3);
  }
  e.labels["label"] = label_values;
  e.sequences = afinar::Examples::from_rows(rows).sequences;
  return e;
}

// Trains tiny_bert (dropout 0.1) for 3 steps; returns every parameter after them.
std::map<std::string, torch::Tensor> train_3_steps(bool gradient_checkpointing, int64_t* checkpoints) {
  auto model = afinar::AutoModelForSequenceClassification::from_pretrained(std::string(AFINAR_FIXTURES_DIR) +
                                                                           "/models/tiny_bert");
  const fs::path out = fs::temp_directory_path() / ("afinar_gc_trainer_" + std::to_string(::getpid()));
  afinar::TrainingArguments args(out.string());
  args.use_cpu = true;
  args.per_device_train_batch_size = 4;
  args.max_steps = 3;
  args.learning_rate = 1e-2;
  args.save_strategy = "no";
  args.logging_steps = 1;
  args.disable_tqdm = true;
  args.report_to = {"none"};
  args.gradient_checkpointing = gradient_checkpointing;
  args.finalize();
  const afinar::Examples data = tiny_data();
  afinar::Trainer trainer(model, args, std::make_shared<afinar::DataCollatorWithPadding>(0), &data);
  const int64_t before = afinar::checkpoint_forward_count();
  trainer.train();
  *checkpoints = afinar::checkpoint_forward_count() - before;
  EXPECT_EQ(model->is_gradient_checkpointing(), gradient_checkpointing);
  fs::remove_all(out);
  std::map<std::string, torch::Tensor> params;
  for (const auto& p : model->named_parameters()) params[p.key()] = p.value().detach().clone();
  return params;
}

}  // namespace

TEST(GradientCheckpointingTrainer, ThreeStepsGiveTheSameParameters) {
  int64_t plain_checkpoints = 0, checkpoints = 0;
  auto plain = train_3_steps(false, &plain_checkpoints);
  auto ckpt = train_3_steps(true, &checkpoints);
  EXPECT_EQ(plain_checkpoints, 0);
  EXPECT_EQ(checkpoints, 3 * 2);  // 3 steps × 2 layers
  ASSERT_EQ(plain.size(), ckpt.size());
  for (const auto& [name, p] : plain) {
    const double diff = (ckpt.at(name) - p).abs().max().item<double>();
    EXPECT_LE(diff, 1e-6 * std::max(1.0, p.abs().max().item<double>())) << name;
  }
}

TEST(GradientCheckpointingTrainer, ArgumentsAndKwargs) {
  afinar::TrainingArguments a("out");
  a.set("gradient_checkpointing", "true");
  EXPECT_TRUE(a.gradient_checkpointing);
  EXPECT_EQ(a.to_json()["gradient_checkpointing"], true);
  EXPECT_TRUE(a.to_json()["gradient_checkpointing_kwargs"].is_null());
  a.set("gradient_checkpointing_kwargs", R"({"use_reentrant": false})");  // a CLI flag: a JSON string, as HF
  EXPECT_EQ(a.gradient_checkpointing_kwargs, nlohmann::json({{"use_reentrant", false}}));
  a.set_json("gradient_checkpointing_kwargs", {{"use_reentrant", true}});
  a.set_json("gradient_checkpointing_kwargs", nullptr);
  a.finalize();
  EXPECT_THROW(a.set_json("gradient_checkpointing_kwargs", {{"preserve_rng_state", false}}), afinar::NotImplemented);
  EXPECT_THROW(a.set_json("gradient_checkpointing_kwargs", {{"use_reentrant", "yes"}}), afinar::InvalidArgument);
  EXPECT_THROW(a.set("gradient_checkpointing_kwargs", "[1]"), afinar::InvalidArgument);
  EXPECT_THROW(a.set("gradient_checkpointing_kwargs", "{"), afinar::InvalidArgument);

  auto from_python =
      afinar::TrainingArguments::from_json({{"output_dir", "o"},
                                            {"gradient_checkpointing", true},
                                            {"gradient_checkpointing_kwargs", {{"use_reentrant", false}}}});
  EXPECT_TRUE(from_python.gradient_checkpointing);
}
