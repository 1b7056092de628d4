// The Trainer's evaluation side: HF's evaluation_loop / prediction_step behind evaluate() and
// predict(). Metrics stream batch by batch; outputs are kept only for predict().
#include <iostream>

#include "afinar/core/check.h"
#include "afinar/train/autocast.h"
#include "afinar/train/trainer.h"
#include "afinar/train/trainer_pt_utils.h"
#include "trainer_util.h"

namespace afinar {

ModelOutputs Trainer::prediction_step(const ModelInputs& inputs, torch::Tensor* loss) {
  torch::NoGradGuard no_grad;
  ModelInputs in = inputs;
  in.loss_kwargs.label_smoothing_factor = args_.label_smoothing_factor;  // HF's eval loss is smoothed too
  ModelOutputs out;
  {
    // Under the training autocast, as HF's prediction_step; a model cast by --bf16_full_eval runs as it is.
    AutocastGuard amp(device_.type(), full_eval_dtype() ? std::nullopt : autocast_dtype_);
    out = model_->forward(in);
  }
  if (loss && out.loss.defined()) *loss = out.loss.detach().to(torch::kFloat);
  // Reduced-precision outputs reach metrics and predictions as float32 (HF's nested_numpify).
  for (torch::Tensor* t : {&out.logits, &out.start_logits, &out.end_logits})
    if (t->defined() && t->is_floating_point()) *t = t->to(torch::kFloat);
  return out;
}

std::optional<torch::ScalarType> Trainer::full_eval_dtype() const {
  if (in_train_) return std::nullopt;  // HF: only outside train()
  if (args_.bf16_full_eval) return torch::kBFloat16;
  if (args_.fp16_full_eval) return torch::kHalf;
  return std::nullopt;
}

PredictionOutput Trainer::evaluation_loop(const Examples& data, const std::string& prefix, bool keep_outputs) {
  const bool was_training = model_->is_training();
  model_->eval();
  // --bf16_full_eval: the model itself in bfloat16 for this loop (HF casts it for good; afinar keeps
  // the float32 weights aside and puts them back, so that training and saving stay exact).
  // Floating tensors only (Module::to(dtype) would also cast integer buffers such as position_ids).
  std::vector<std::pair<torch::Tensor, torch::Tensor>> masters;  // (tensor, its float32 data)
  if (const auto dtype = full_eval_dtype()) {
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> all = model_->parameters();
    for (const auto& b : model_->buffers()) all.push_back(b);
    for (auto& t : all)
      if (t.is_floating_point()) {
        masters.emplace_back(t, t.data());
        t.set_data(t.data().to(*dtype));
      }
  }
  struct Restore {
    std::vector<std::pair<torch::Tensor, torch::Tensor>>& masters;
    ~Restore() {
      // In reverse: a tensor listed twice gets its first (float32) data back last.
      for (auto it = masters.rbegin(); it != masters.rend(); ++it) it->first.set_data(it->second);
    }
  } restore{masters};
  const auto start = trainer_util::Clock::now();
  const auto n = static_cast<int64_t>(data.size());
  AFINAR_CHECK(n > 0, "Trainer: no rows to evaluate (", prefix, ")");
  SamplerOptions so;
  so.strategy = "sequential";
  so.batch_size = args_.per_device_eval_batch_size;
  BatchSampler sampler(n, so);
  sampler.set_epoch(0);
  auto metrics = compute_metrics_ ? compute_metrics_(EvalContext{&data, prefix}) : nullptr;
  double loss_sum = 0;
  int64_t loss_rows = 0, steps = 0, first_row = 0;
  std::vector<torch::Tensor> logits, starts, ends, labels;
  auto keep = [](std::vector<torch::Tensor>& parts, const torch::Tensor& t) {
    if (t.defined()) parts.push_back(t.detach().to(torch::kCPU, torch::kFloat32));
  };
  while (const auto rows = sampler.next()) {
    const ModelInputs in = to_model_inputs((*collator_)(data, *rows), device_);
    const auto B = static_cast<int64_t>(rows->size());
    torch::Tensor loss;
    const ModelOutputs out = prediction_step(in, &loss);
    if (loss.defined()) {  // HF averages the per-batch losses weighted by batch size
      loss_sum += loss.item<double>() * static_cast<double>(B);
      loss_rows += B;
    }
    if (metrics) metrics->add({out.logits, out.start_logits, out.end_logits, in.labels, first_row});
    if (keep_outputs) {
      keep(logits, out.logits);
      keep(starts, out.start_logits);
      keep(ends, out.end_logits);
      if (in.labels.defined()) labels.push_back(in.labels.to(torch::kCPU));
    }
    first_row += B;
    ++steps;
  }
  if (was_training) model_->train();
  PredictionOutput result;
  auto& m = result.metrics;
  if (loss_rows) m[prefix + "_loss"] = loss_sum / static_cast<double>(loss_rows);
  if (metrics)
    for (const auto& [k, v] : metrics->compute()) m[prefix + "_" + k] = v;
  trainer_util::add_speed_metrics(m, prefix, trainer_util::seconds_since(start), static_cast<double>(n), steps);
  // HF's nested_concat: token-level batches of different lengths are padded with -100.
  auto cat = [](const std::vector<torch::Tensor>& parts) {
    return parts.empty() ? torch::Tensor() : pad_and_concatenate(parts, -100);
  };
  result.predictions = cat(logits);
  result.start_logits = cat(starts);
  result.end_logits = cat(ends);
  result.label_ids = cat(labels);
  return result;
}

std::map<std::string, double> Trainer::evaluate(const Examples* eval_dataset, const std::string& prefix) {
  const Examples* data = eval_dataset ? eval_dataset : eval_;
  AFINAR_CHECK(data != nullptr, "Trainer::evaluate: no evaluation data (pass --do_eval with a validation split)");
  auto m = evaluation_loop(*data, prefix, /*keep_outputs=*/false).metrics;
  log(m);
  m["epoch"] = state_.epoch;
  each_callback([&](TrainerCallback& cb) { cb.on_evaluate(args_, state_, control_, m); });
  return m;
}

PredictionOutput Trainer::predict(const Examples& test_dataset, const std::string& prefix) {
  PredictionOutput out = evaluation_loop(test_dataset, prefix, /*keep_outputs=*/true);
  each_callback([&](TrainerCallback& cb) { cb.on_predict(args_, state_, control_, out.metrics); });
  return out;
}

}  // namespace afinar
