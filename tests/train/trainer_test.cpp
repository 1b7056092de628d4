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
    for (size_t r = 0; r < w.size(); ++r) params["classifier.weight"][r].copy_(torch::tensor(w[r]));
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
  afinar::Trainer trainer(model, args, std::make_shared<afinar::DataCollatorWithPadding>(*tok.pad_token_id()),
                          &features);
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
    EXPECT_NEAR(ours[i]["grad_norm"].get<double>(), hf[i]["grad_norm"].get<double>(),
                1e-3 * hf[i]["grad_norm"].get<double>());
    EXPECT_NEAR(ours[i]["learning_rate"].get<double>(), hf[i]["learning_rate"].get<double>(), 1e-12);
    EXPECT_NEAR(ours[i]["epoch"].get<double>(), hf[i]["epoch"].get<double>(), 1e-9);
  }
}

// Exact resume: a run stopped at checkpoint-4 — mid-epoch, with gradient accumulation whose last
// group of each epoch is shorter, and dropout drawing from the global generator — continues from
// the checkpoint's sampler position and RNG to the same weights, bit for bit, as the run that
// never stopped; nothing before the checkpoint is replayed.
TEST(Trainer, ResumeMidEpochIsExact) {
  std::map<std::string, std::vector<std::vector<int32_t>>> seq;
  std::vector<int64_t> labels;
  for (int32_t i = 0; i < 10; ++i) {
    std::vector<int32_t> ids = {2};
    for (int32_t t = 0; t < 2 + i % 4; ++t) ids.push_back(5 + (i * 7 + t * 3) % 90);
    seq["attention_mask"].emplace_back(ids.size(), 1);
    seq["input_ids"].push_back(std::move(ids));
    labels.push_back(i % 3);
  }
  const afinar::Examples data = afinar::Examples::from_rows(seq, {{"label", labels}});
  const fs::path root = fs::temp_directory_path() / ("afinar_resume_exact_" + std::to_string(::getpid()));
  fs::remove_all(root);
  auto run = [&](const fs::path& out, std::optional<int64_t> max_steps, std::optional<std::string> resume) {
    auto model = afinar::AutoModelForSequenceClassification::from_pretrained(
        (fs::path(AFINAR_FIXTURES_DIR) / "models" / "tiny_bert").string());  // dropout 0.1: RNG matters
    afinar::TrainingArguments a(out.string());
    a.use_cpu = true;
    a.per_device_train_batch_size = 2;  // 5 micro-batches per epoch
    a.gradient_accumulation_steps = 2;  // updates of 2, 2 and 1 micro-batches: 3 per epoch
    a.num_train_epochs = 2;
    a.learning_rate = 1e-2;
    a.save_strategy = "steps";
    a.save_steps = 4;
    a.logging_steps = 1;
    if (max_steps) a.max_steps = *max_steps;
    a.resume_from_checkpoint = resume;
    afinar::Trainer t(model, a, std::make_shared<afinar::DataCollatorWithPadding>(0), &data);
    t.train();
    std::vector<torch::Tensor> w;
    for (const auto& p : model->parameters()) w.push_back(p.detach().clone());
    return std::make_pair(w, t.state());
  };
  const auto [full, full_state] = run(root / "full", std::nullopt, std::nullopt);
  EXPECT_EQ(full_state.global_step, 6);
  ASSERT_TRUE(fs::exists(root / "full" / "checkpoint-4" / "sampler.json"));
  const auto [resumed, resumed_state] = run(root / "full", std::nullopt, (root / "full" / "checkpoint-4").string());
  EXPECT_EQ(resumed_state.global_step, 6);
  ASSERT_EQ(resumed.size(), full.size());
  for (size_t i = 0; i < full.size(); ++i) EXPECT_TRUE(torch::equal(resumed[i], full[i])) << "parameter " << i;
  // The log of the resumed run continues the checkpoint's: steps 5 and 6 logged once more, same losses.
  std::map<int64_t, double> a, b;
  for (const auto& h : full_state.log_history)
    if (h.contains("loss")) a[h["step"]] = h["loss"];
  for (const auto& h : resumed_state.log_history)
    if (h.contains("loss")) b[h["step"]] = h["loss"];
  EXPECT_EQ(a, b);
  fs::remove_all(root);
}
