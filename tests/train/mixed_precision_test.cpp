// Mixed precision through the Trainer on CPU: bf16 autocast (fp32 master weights, results near
// fp32's), --bf16_full_eval (the float32 weights come back after evaluation), fp16 with dynamic
// loss scaling — an injected overflow skips its step, backs the scale off, holds the LR schedule,
// and a resume from the checkpoint after it continues exactly — and transformers' refusals.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <limits>

#include "afinar/core/check.h"
#include "afinar/train/autocast.h"
#include "afinar/train/grad_scaler.h"
#include "afinar/train/trainer.h"
#include "afinar_test_paths.h"
#include "train/tiny_rows.h"

namespace fs = std::filesystem;

namespace afinar {
namespace {

// 16 rows of 3..8 tokens.
Examples rows16() {
  std::vector<int64_t> lengths;
  for (int64_t i = 0; i < 16; ++i) lengths.push_back(3 + (i * 5) % 6);
  return afinar_test::tiny_rows(lengths);
}

PreTrainedModel tiny_bert() {
  FromPretrainedOptions o;
  o.config_overrides = {{"hidden_dropout_prob", 0.0}, {"attention_probs_dropout_prob", 0.0}};
  return AutoModelForSequenceClassification::from_pretrained(std::string(AFINAR_FIXTURES_DIR) + "/models/tiny_bert", o);
}

nlohmann::json read_json(const fs::path& file) {
  std::ifstream in(file);
  EXPECT_TRUE(in.good()) << file;
  return nlohmann::json::parse(in);
}

fs::path temp_out(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("afinar_amp_" + std::to_string(::getpid())) / name;
  fs::remove_all(d);
  return d;
}

TrainingArguments args_for(const fs::path& out, int64_t steps) {
  TrainingArguments a(out.string());
  a.use_cpu = true;
  a.per_device_train_batch_size = 4;
  a.max_steps = steps;
  a.learning_rate = 1e-3;
  a.warmup_steps = 0;
  a.lr_scheduler_type = "linear";
  a.save_strategy = "no";
  a.logging_steps = 1;
  a.disable_tqdm = true;
  a.report_to = {"none"};
  return a;
}

std::map<std::string, torch::Tensor> snapshot(PreTrainedModelImpl& m) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& p : m.named_parameters()) out[p.key()] = p.value().detach().clone();
  return out;
}

double max_diff(const std::map<std::string, torch::Tensor>& a, const std::map<std::string, torch::Tensor>& b) {
  double d = 0;
  for (const auto& [k, t] : a)
    d = std::max(d, (t.to(torch::kDouble) - b.at(k).to(torch::kDouble)).abs().max().item<double>());
  return d;
}

// ---------------------------------------------------------------------------------------------
// GradScaler alone.

TEST(GradScaler, ScalesUnscalesBacksOffAndGrows) {
  GradScaler s(torch::kCPU, GradScaler::Options{.growth_interval = 2});
  EXPECT_EQ(s.get_scale(), 65536.0);
  EXPECT_EQ(s.scale(torch::tensor(0.5f)).item<float>(), 32768.0f);
  torch::Tensor p = torch::zeros({2}, torch::requires_grad());
  p.mutable_grad() = torch::tensor({65536.0f * 3, -65536.0f});
  s.unscale_({p});
  EXPECT_FALSE(s.found_inf());
  EXPECT_TRUE(torch::equal(p.grad(), torch::tensor({3.0f, -1.0f}))) << "unscaled in place";
  s.unscale_({p});  // once per step
  EXPECT_TRUE(torch::equal(p.grad(), torch::tensor({3.0f, -1.0f})));
  s.update();
  p.mutable_grad() = torch::tensor({1.0f, std::numeric_limits<float>::infinity()});
  s.unscale_({p});
  EXPECT_TRUE(s.found_inf());
  s.update();
  EXPECT_EQ(s.get_scale(), 32768.0) << "backoff 0.5";
  EXPECT_EQ(s.skipped_steps(), 1);
  for (int i = 0; i < 2; ++i) {  // growth_interval good steps in a row: × 2
    p.mutable_grad() = torch::ones({2});
    s.unscale_({p});
    s.update();
  }
  EXPECT_EQ(s.get_scale(), 65536.0);

  nlohmann::json state = s.state_dict();
  EXPECT_EQ(state["_growth_tracker"], 0);
  GradScaler t(torch::kCPU);
  t.load_state_dict(state);
  EXPECT_EQ(t.state_dict(), state);
  state["scale"] = "big";
  EXPECT_THROW(t.load_state_dict(state), FormatError);
}

TEST(Autocast, GuardRunsMatmulsInBf16AndRestores) {
  torch::Tensor a = torch::randn({4, 8}), b = torch::randn({8, 3});
  {
    AutocastGuard amp(torch::kCPU, torch::kBFloat16);
    EXPECT_EQ(torch::mm(a, b).scalar_type(), torch::kBFloat16);
  }
  EXPECT_EQ(torch::mm(a, b).scalar_type(), torch::kFloat);
  AutocastGuard off(torch::kCPU, std::nullopt);
  EXPECT_EQ(torch::mm(a, b).scalar_type(), torch::kFloat);
}

// ---------------------------------------------------------------------------------------------
// bf16 through the Trainer.

TEST(MixedPrecision, Bf16TrainsNearFp32WithFp32MasterWeights) {
  const Examples data = rows16();
  auto run = [&](bool bf16) {
    PreTrainedModel m = tiny_bert();
    TrainingArguments a = args_for(temp_out(bf16 ? "bf16" : "fp32"), 4);
    a.bf16 = bf16;
    Trainer t(m, a, std::make_shared<DataCollatorWithPadding>(0), &data, &data);
    const double loss = t.train().training_loss;
    return std::make_tuple(loss, snapshot(*m), t.evaluate()["eval_loss"], m);
  };
  auto [loss32, p32, eval32, m32] = run(false);
  auto [loss16, p16, eval16, m16] = run(true);
  EXPECT_NEAR(loss16, loss32, 2e-2 * std::abs(loss32));
  EXPECT_NEAR(eval16, eval32, 2e-2 * std::abs(eval32));
  EXPECT_GT(max_diff(p16, p32), 0.0) << "bf16 really ran";
  EXPECT_LT(max_diff(p16, p32), 1e-2);
  for (const auto& [k, p] : p16) EXPECT_EQ(p.scalar_type(), torch::kFloat) << k << ": master weights stay fp32";
}

TEST(MixedPrecision, Bf16FullEvalPutsTheFp32WeightsBack) {
  const Examples data = rows16();
  PreTrainedModel m = tiny_bert();
  const auto before = snapshot(*m);
  TrainingArguments a = args_for(temp_out("full_eval"), 1);
  a.bf16_full_eval = true;
  Trainer t(m, a, std::make_shared<DataCollatorWithPadding>(0), nullptr, &data);
  const double bf16_loss = t.evaluate()["eval_loss"];
  EXPECT_EQ(max_diff(snapshot(*m), before), 0.0) << "evaluation left the weights as they were";
  for (const auto& p : m->parameters()) EXPECT_EQ(p.scalar_type(), torch::kFloat);
  TrainingArguments b = args_for(temp_out("fp32_eval"), 1);
  Trainer t32(m, b, std::make_shared<DataCollatorWithPadding>(0), nullptr, &data);
  const double fp32_loss = t32.evaluate()["eval_loss"];
  EXPECT_NEAR(bf16_loss, fp32_loss, 2e-2 * std::abs(fp32_loss));
  EXPECT_NE(bf16_loss, fp32_loss) << "the model really ran in bfloat16";
}

// ---------------------------------------------------------------------------------------------
// fp16 with loss scaling, an overflow injected at step 2.

class OverflowAtStep2 : public Trainer {
 public:
  using Trainer::Trainer;

 protected:
  torch::Tensor compute_loss(ModelInputs in, std::optional<double> n, ModelOutputs* out) override {
    torch::Tensor loss = Trainer::compute_loss(std::move(in), n, out);
    if (state_.global_step == 1) loss = loss * std::numeric_limits<float>::infinity();  // step 2's micro-batch
    return loss;
  }
};

struct StepParams : TrainerCallback {
  PreTrainedModelImpl* model;
  std::map<int64_t, std::map<std::string, torch::Tensor>> after;
  explicit StepParams(PreTrainedModelImpl* m) : model(m) {}
  void on_step_end(const TrainingArguments&, const TrainerState& s, TrainerControl&) override {
    after[s.global_step] = snapshot(*model);
  }
};

TEST(MixedPrecision, Fp16OverflowSkipsTheStepBacksOffAndResumesExactly) {
  const Examples data = rows16();
  const fs::path out = temp_out("fp16");
  PreTrainedModel m = tiny_bert();
  TrainingArguments a = args_for(out, 4);
  a.fp16 = true;
  a.save_strategy = "steps";
  a.save_steps = 2;
  auto steps = std::make_shared<StepParams>(m.get());
  OverflowAtStep2 t(m, a, std::make_shared<DataCollatorWithPadding>(0), &data, nullptr, nullptr, {steps});
  testing::internal::CaptureStderr();
  t.train();
  const std::string log = testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("inf/NaN gradients at step 2: the optimizer step is skipped and the loss scale backs off from "
                     "65536 to 32768"),
            std::string::npos)
      << log;
  EXPECT_EQ(max_diff(steps->after.at(2), steps->after.at(1)), 0.0) << "the overflowing step changed nothing";
  EXPECT_GT(max_diff(steps->after.at(3), steps->after.at(2)), 0.0);

  const nlohmann::json history = t.state().log_history;
  auto at_step = [&](int64_t step) {
    for (const auto& e : history)
      if (e.value("step", -1) == step && e.contains("learning_rate")) return e;
    return nlohmann::json();
  };
  EXPECT_EQ(at_step(3)["learning_rate"], at_step(2)["learning_rate"]) << "the schedule holds on the skipped step";
  EXPECT_NE(at_step(4)["learning_rate"], at_step(3)["learning_rate"]);
  EXPECT_TRUE(std::isfinite(at_step(2)["loss"].get<double>())) << "logging_nan_inf_filter";

  const nlohmann::json scaler = read_json(out / "checkpoint-2" / "scaler.json");
  EXPECT_EQ(scaler["scale"], 32768.0);
  EXPECT_EQ(scaler["skipped_steps"], 1);
  EXPECT_EQ(read_json(out / "checkpoint-4" / "scaler.json")["_growth_tracker"], 2);

  // Resume from the checkpoint after the overflow: the same last two steps.
  PreTrainedModel r = tiny_bert();
  TrainingArguments b = a;
  b.resume_from_checkpoint = (out / "checkpoint-2").string();
  b.output_dir = temp_out("fp16_resumed").string();
  OverflowAtStep2 resumed(r, b, std::make_shared<DataCollatorWithPadding>(0), &data);
  resumed.train();
  EXPECT_LE(max_diff(snapshot(*r), snapshot(*m)), 1e-7);
}

// ---------------------------------------------------------------------------------------------
// What cannot be honoured is refused, with transformers' messages.

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(MixedPrecision, RefusesWhatItCannotHonour) {
  const Examples data = rows16();
  TrainingArguments both = args_for(temp_out("both"), 1);
  both.bf16 = both.fp16 = true;
  EXPECT_EQ(error_of([&] { both.finalize(); }), "At most one of fp16 and bf16 can be True, but not both");
  if (!torch::cuda::is_available()) {
    TrainingArguments gpu = args_for(temp_out("gpu"), 1);
    gpu.use_cpu = false;
    gpu.bf16 = true;
    EXPECT_NE(error_of([&] {
                Trainer(tiny_bert(), gpu, std::make_shared<DataCollatorWithPadding>(0), &data);
              }).find("Your setup doesn't support bf16/gpu. You need to assign use_cpu"),
              std::string::npos);
    TrainingArguments tf32 = args_for(temp_out("tf32"), 1);
    tf32.tf32 = true;
    EXPECT_NE(error_of([&] {
                Trainer(tiny_bert(), tf32, std::make_shared<DataCollatorWithPadding>(0), &data);
              }).find("--tf32 requires Ampere or a newer GPU arch"),
              std::string::npos);
  }
  TrainingArguments flags("o");
  flags.set("bf16", "true");
  flags.set("tf32", "false");
  EXPECT_TRUE(flags.bf16);
  EXPECT_EQ(flags.to_json()["bf16"], true);
  EXPECT_EQ(flags.to_json()["tf32"], false);
}

}  // namespace
}  // namespace afinar
