#include "afinar/train/trainer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "afinar/data/load_dataset.h"
#include "afinar/hub/cache.h"
#include "afinar/tokenizers/tokenizer.h"
#include "afinar/train/text_classification.h"
#include "afinar_test_paths.h"

namespace fs = std::filesystem;

namespace {

nlohmann::json fixture() {
  std::ifstream in(std::string(AFINAR_FIXTURES_DIR) + "/train/minilm_rt_20steps.json");
  return nlohmann::json::parse(in);
}

std::optional<fs::path> minilm() {
  auto snap = afinar::hub::cached_snapshot("sentence-transformers/all-MiniLM-L6-v2", afinar::hub::RepoType::Model);
  if (snap && fs::exists(*snap / "model.safetensors")) return snap;
  return std::nullopt;
}

}  // namespace

// The sampler reproduces HF Trainer's order: randperm(n) from a generator seeded with seed + epoch.
TEST(Trainer, EpochOrderIsHFSamplerOrder) {
  auto fx = fixture();
  auto order = fx["order"].get<std::vector<int64_t>>();
  ASSERT_EQ(order.size(), 160u);
  // A tiny model is enough to build a Trainer; the order does not depend on it.
  auto m = minilm();
  if (!m) GTEST_SKIP() << "all-MiniLM-L6-v2 is not in the HF cache (tools/setup.sh seeds it)";
  auto model = afinar::AutoModelForSequenceClassification::from_pretrained(m->string());
  afinar::TrainingArguments args("unused");
  args.seed = 42;
  args.use_cpu = true;
  afinar::Trainer t(model, args, std::make_shared<afinar::DataCollatorWithPadding>(0));
  auto ours = t.epoch_order(0, 8530);
  EXPECT_EQ(std::vector<int64_t>(ours.begin(), ours.begin() + 160), order);
  EXPECT_NE(t.epoch_order(1, 8530), ours);  // a new permutation each epoch
}

// HF Trainer and afinar, same head, dropout 0, same seed: the first 20 logged losses agree.
TEST(Trainer, First20LossesMatchHFTrainer) {
  auto m = minilm();
  if (!m) GTEST_SKIP() << "all-MiniLM-L6-v2 is not in the HF cache (tools/setup.sh seeds it)";
  auto fx = fixture();
  torch::set_num_threads(2);
  afinar::FromPretrainedOptions o;
  o.num_labels = 2;
  o.config_overrides = {{"hidden_dropout_prob", 0.0}, {"attention_probs_dropout_prob", 0.0}};
  auto model = afinar::AutoModelForSequenceClassification::from_pretrained(m->string(), o);
  {
    torch::NoGradGuard ng;
    auto params = model->named_parameters();
    auto w = fx["head"]["weight"].get<std::vector<std::vector<float>>>();
    for (size_t r = 0; r < w.size(); ++r)
      params["classifier.weight"][r].copy_(torch::tensor(w[r]));
    params["classifier.bias"].copy_(torch::tensor(fx["head"]["bias"].get<std::vector<float>>()));
  }
  auto tok = afinar::AutoTokenizer::from_pretrained(m->string());
  auto train = afinar::load_file(std::string(AFINAR_SHARED_DIR) + "/data/rotten_tomatoes/train.jsonl");
  afinar::ClassificationPreprocessing pre;
  pre.max_seq_length = fx["max_seq_length"].get<size_t>();
  auto features =
      afinar::Examples::from_dataset(afinar::preprocess_classification(train, "train", tok, pre, {0, 1}, true));

  const fs::path out = fs::temp_directory_path() / ("afinar_trainer_test_" + std::to_string(::getpid()));
  afinar::TrainingArguments args(out.string());
  args.per_device_train_batch_size = fx["per_device_train_batch_size"];
  args.max_steps = fx["max_steps"];
  args.logging_steps = 1;
  args.learning_rate = fx["learning_rate"];
  args.seed = fx["seed"];
  args.save_strategy = "no";
  args.use_cpu = true;
  args.optim = fx["optim"].get<std::string>();
  afinar::Trainer trainer(model, args, std::make_shared<afinar::DataCollatorWithPadding>(*tok.pad_token_id()), &features);
  trainer.train();
  fs::remove_all(out);

  const auto& hf = fx["log_history"];
  std::vector<nlohmann::json> ours;
  for (const auto& h : trainer.state().log_history)
    if (h.contains("loss")) ours.push_back(h);
  ASSERT_EQ(ours.size(), hf.size());
  for (size_t i = 0; i < hf.size(); ++i) {
    SCOPED_TRACE("step " + std::to_string(i + 1));
    EXPECT_EQ(ours[i]["step"], hf[i]["step"]);
    const double a = ours[i]["loss"], b = hf[i]["loss"];
    EXPECT_NEAR(a, b, 1e-3 * std::abs(b));
    EXPECT_NEAR(ours[i]["grad_norm"].get<double>(), hf[i]["grad_norm"].get<double>(), 1e-3 * hf[i]["grad_norm"].get<double>());
    EXPECT_NEAR(ours[i]["learning_rate"].get<double>(), hf[i]["learning_rate"].get<double>(), 1e-12);
    EXPECT_NEAR(ours[i]["epoch"].get<double>(), hf[i]["epoch"].get<double>(), 1e-9);
  }
}
