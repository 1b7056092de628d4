#include "afinar/train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <regex>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/io/safetensors.h"
#include "afinar/metrics/classification.h"
#include "afinar/tokenizers/tokenizer.h"

namespace afinar {
namespace {

using Clock = std::chrono::steady_clock;
// Set while the program loads: "time to first step" counts from here (bench/compare_hf).
const Clock::time_point kProcessStart = Clock::now();

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
double round_to(double x, int digits) {
  const double p = std::pow(10.0, digits);
  return std::round(x * p) / p;
}

// transformers' speed_metrics: runtime rounded to 4 digits, rates to 3.
void add_speed_metrics(std::map<std::string, double>& m, const std::string& prefix, double runtime, int64_t samples,
                       int64_t steps) {
  m[prefix + "_runtime"] = round_to(runtime, 4);
  m[prefix + "_samples_per_second"] = round_to(samples / runtime, 3);
  m[prefix + "_steps_per_second"] = round_to(steps / runtime, 3);
}

class AccuracyF1 : public MetricAccumulator {
 public:
  explicit AccuracyF1(int64_t n) : m_(n) {}
  void add(const torch::Tensor& logits, const torch::Tensor& labels) override {
    auto pred = logits.argmax(-1).to(torch::kCPU, torch::kInt64).contiguous();
    auto ref = labels.to(torch::kCPU, torch::kInt64).contiguous();
    m_.add({pred.data_ptr<int64_t>(), static_cast<size_t>(pred.numel())},
           {ref.data_ptr<int64_t>(), static_cast<size_t>(ref.numel())});
  }
  std::map<std::string, double> compute() const override { return m_.compute(); }

 private:
  ClassificationMetrics m_;
};

}  // namespace

ComputeMetrics accuracy_f1_metrics(int64_t num_labels) {
  return [num_labels] { return std::make_unique<AccuracyF1>(num_labels); };
}

Trainer::Trainer(PreTrainedModel model, TrainingArguments args, std::shared_ptr<const DataCollator> collator,
                 const Examples* train_dataset, const Examples* eval_dataset, const Tokenizer* processing_class)
    : model_(std::move(model)),
      args_(std::move(args)),
      collator_(std::move(collator)),
      train_(train_dataset),
      eval_(eval_dataset),
      tokenizer_(processing_class) {
  AFINAR_CHECK(model_ != nullptr, "Trainer: model is null");
  AFINAR_CHECK(collator_ != nullptr, "Trainer: data collator is null");
  args_.finalize();
  // transformers' Trainer.__init__ seeds every RNG (dropout draws from the global generator).
  torch::manual_seed(static_cast<uint64_t>(args_.seed));
  if (args_.full_determinism) at::globalContext().setDeterministicAlgorithms(true, /*warn_only=*/false);
  device_ = select_device(args_.use_cpu);
  model_->to(device_);
}

std::vector<int64_t> Trainer::epoch_order(int64_t epoch, int64_t n) const {
  std::vector<int64_t> order(n);
  if (args_.train_sampling_strategy == "sequential") {
    for (int64_t i = 0; i < n; ++i) order[i] = i;
    return order;
  }
  // accelerate's SeedableRandomSampler: randperm(n) from a CPU generator seeded data_seed|seed + epoch.
  auto gen = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(args_.data_seed.value_or(args_.seed) + epoch));
  auto perm = torch::randperm(n, gen, torch::kInt64);
  std::copy_n(perm.data_ptr<int64_t>(), n, order.begin());
  return order;
}

ModelInputs Trainer::to_inputs(const Batch& b) const {
  ModelInputs in;
  auto get = [&](const char* k) {
    auto it = b.find(k);
    return it == b.end() ? torch::Tensor() : it->second.to(device_, /*non_blocking=*/true);
  };
  in.input_ids = get("input_ids");
  in.attention_mask = get("attention_mask");
  in.token_type_ids = get("token_type_ids");
  in.position_ids = get("position_ids");
  in.labels = get("labels");
  return in;
}

void Trainer::log(std::map<std::string, double> logs) {
  logs["epoch"] = state_.epoch;
  nlohmann::json entry(logs);
  entry["step"] = state_.global_step;
  state_.log_history.push_back(entry);
  for (auto& cb : callbacks_) cb->on_log(args_, state_, logs);
}

TrainOutput Trainer::train() {
  AFINAR_CHECK(train_ != nullptr && train_->size() > 0, "Trainer::train: no training data (pass --do_train with a train split)");
  const int64_t n = static_cast<int64_t>(train_->size());
  const int64_t bs = args_.per_device_train_batch_size, accum = args_.gradient_accumulation_steps;
  const int64_t batches = args_.dataloader_drop_last ? n / bs : (n + bs - 1) / bs;
  AFINAR_CHECK(batches > 0, "Trainer::train: ", n, " examples make no batch of ", bs, " with dataloader_drop_last");
  const int64_t updates_per_epoch = std::max<int64_t>(batches / accum, 1);
  int64_t total = 0, epochs = 0;
  if (args_.max_steps > 0) {
    total = args_.max_steps;
    epochs = (total + updates_per_epoch - 1) / updates_per_epoch;
  } else {
    total = static_cast<int64_t>(std::ceil(args_.num_train_epochs * updates_per_epoch));
    epochs = static_cast<int64_t>(std::ceil(args_.num_train_epochs));
  }
  const int64_t warmup = args_.warmup_steps > 0 && args_.warmup_steps < 1
                             ? static_cast<int64_t>(std::ceil(args_.warmup_steps * total))
                             : static_cast<int64_t>(args_.warmup_steps);
  state_ = TrainerState{};
  state_.max_steps = total;
  state_.num_train_epochs = epochs;
  state_.train_batch_size = bs;
  state_.logging_steps = args_.resolve_steps(args_.logging_steps, total);
  state_.eval_steps = args_.resolve_steps(args_.eval_steps.value_or(args_.logging_steps), total);
  state_.save_steps = args_.resolve_steps(args_.save_steps, total);

  optimizer_ = Optimizer::create(args_, model_->named_parameters());
  scheduler_ = std::make_unique<LRScheduler>(args_.lr_scheduler_type, args_.learning_rate, warmup, total);
  std::vector<torch::Tensor> trainable;
  int64_t non_embedding_params = 0;
  for (const auto& p : model_->named_parameters()) {
    if (p.value().requires_grad()) trainable.push_back(p.value());
    if (p.key().find("embeddings") == std::string::npos) non_embedding_params += p.value().numel();
  }

  int64_t start_epoch = 0, skip_batches = 0;
  if (args_.resume_from_checkpoint) {
    const fs::path ckpt = resolve_checkpoint(*args_.resume_from_checkpoint);
    load_checkpoint(ckpt);
    // The data order of an epoch is a pure function of (seed, epoch): jump to the position
    // directly instead of replaying batches.
    start_epoch = state_.global_step / updates_per_epoch;
    skip_batches = (state_.global_step % updates_per_epoch) * accum;
    std::cout << "Resuming from " << ckpt.string() << " at step " << state_.global_step << " (epoch " << start_epoch
              << ", batch " << skip_batches << ")\n";
  }

  model_->train();
  const auto start = Clock::now();
  for (auto& cb : callbacks_) cb->on_train_begin(args_, state_);
  auto tr_loss = torch::zeros({}, torch::TensorOptions().device(device_));
  double total_loss = 0;
  int64_t last_logged = state_.global_step;
  bool stop = state_.global_step >= total;
  for (int64_t epoch = start_epoch; epoch < epochs && !stop; ++epoch) {
    for (auto& cb : callbacks_) cb->on_epoch_begin(args_, state_);
    const std::vector<int64_t> order = epoch_order(epoch, n);
    for (int64_t b = epoch == start_epoch ? skip_batches : 0; b < batches && !stop; ++b) {
      const int64_t lo = b * bs, hi = std::min(n, lo + bs);
      Batch batch = (*collator_)(*train_, std::span<const int64_t>(order.data() + lo, hi - lo));
      ModelInputs in = to_inputs(batch);
      ModelOutputs out = model_->forward(in);
      AFINAR_CHECK(out.loss.defined(), "Trainer: the model returned no loss (does the data have labels?)");
      auto loss = accum > 1 ? out.loss / accum : out.loss;
      loss.backward();
      tr_loss += loss.detach();
      state_.total_flos += 6.0 * static_cast<double>(in.input_ids.numel()) * static_cast<double>(non_embedding_params);
      const bool update = (b + 1) % accum == 0 || b + 1 == batches;
      if (!update) continue;

      double grad_norm = 0;
      if (args_.max_grad_norm > 0) grad_norm = torch::nn::utils::clip_grad_norm_(trainable, args_.max_grad_norm);
      const double lr = scheduler_->lr(state_.global_step);
      optimizer_->set_lr(lr);
      optimizer_->step();
      optimizer_->zero_grad();
      ++state_.global_step;
      if (state_.global_step == 1) time_to_first_step_ = seconds_since(kProcessStart);
      state_.epoch = static_cast<double>(epoch) + static_cast<double>(b + 1) / static_cast<double>(batches);
      for (auto& cb : callbacks_) cb->on_step_end(args_, state_);

      const int64_t gs = state_.global_step;
      const bool last = gs >= total;
      if ((args_.logging_strategy == "steps" && gs % state_.logging_steps == 0) || (args_.logging_first_step && gs == 1)) {
        const double l = tr_loss.item<double>();
        AFINAR_CHECK_FORMAT(std::isfinite(l) || args_.logging_nan_inf_filter == false, "Trainer: loss is ", l,
                            " at step ", gs, " (NaN/Inf): lower --learning_rate or check the data");
        total_loss += l;
        tr_loss.zero_();
        log({{"loss", l / static_cast<double>(gs - last_logged)}, {"grad_norm", grad_norm}, {"learning_rate", lr}});
        last_logged = gs;
      }
      if (args_.eval_strategy == "steps" && gs % state_.eval_steps == 0 && eval_) evaluate();
      if (args_.save_strategy == "steps" && gs % state_.save_steps == 0) save_checkpoint();
      if (last) stop = true;
    }
    if (args_.logging_strategy == "epoch" && state_.global_step > last_logged) {
      const double l = tr_loss.item<double>();
      total_loss += l;
      tr_loss.zero_();
      log({{"loss", l / static_cast<double>(state_.global_step - last_logged)}, {"learning_rate", optimizer_->lr()}});
      last_logged = state_.global_step;
    }
    for (auto& cb : callbacks_) cb->on_epoch_end(args_, state_);
    if (args_.eval_strategy == "epoch" && eval_) evaluate();
    if (args_.save_strategy == "epoch") save_checkpoint();
  }
  total_loss += tr_loss.item<double>();
  if (args_.load_best_model_at_end && state_.best_model_checkpoint) {
    std::cout << "Loading best model from " << *state_.best_model_checkpoint << " (score: " << *state_.best_metric << ").\n";
    load_model_weights(*state_.best_model_checkpoint);
  }
  const double runtime = seconds_since(start);
  TrainOutput result;
  result.global_step = state_.global_step;
  result.training_loss = total_loss / std::max<int64_t>(1, state_.global_step);
  const int64_t samples = args_.max_steps > 0 ? total * bs * accum : static_cast<int64_t>(n * args_.num_train_epochs);
  add_speed_metrics(result.metrics, "train", runtime, samples, total);
  result.metrics["total_flos"] = state_.total_flos;
  result.metrics["train_time_to_first_step"] = round_to(time_to_first_step_, 4);
  result.metrics["train_loss"] = result.training_loss;
  log(result.metrics);
  result.metrics["epoch"] = state_.epoch;
  for (auto& cb : callbacks_) cb->on_train_end(args_, state_);
  return result;
}

std::map<std::string, double> Trainer::run_eval(const Examples& data, const std::string& prefix, torch::Tensor* all_logits,
                                                torch::Tensor* all_labels) {
  torch::NoGradGuard no_grad;
  const bool was_training = model_->is_training();
  model_->eval();
  const auto start = Clock::now();
  const int64_t n = static_cast<int64_t>(data.size()), bs = args_.per_device_eval_batch_size;
  std::vector<int64_t> rows(n);
  for (int64_t i = 0; i < n; ++i) rows[i] = i;
  auto metrics_acc = compute_metrics_ ? compute_metrics_() : nullptr;
  double loss_sum = 0;
  int64_t loss_count = 0, steps = 0;
  std::vector<torch::Tensor> logits_parts, label_parts;
  for (int64_t lo = 0; lo < n; lo += bs, ++steps) {
    const int64_t hi = std::min(n, lo + bs);
    Batch batch = (*collator_)(data, std::span<const int64_t>(rows.data() + lo, hi - lo));
    ModelInputs in = to_inputs(batch);
    ModelOutputs out = model_->forward(in);
    if (out.loss.defined()) {  // HF averages the per-batch losses weighted by batch size
      loss_sum += out.loss.item<double>() * static_cast<double>(hi - lo);
      loss_count += hi - lo;
    }
    if (in.labels.defined() && metrics_acc) metrics_acc->add(out.logits, in.labels);
    if (all_logits) logits_parts.push_back(out.logits.detach().to(torch::kCPU, torch::kFloat32));
    if (all_labels && in.labels.defined()) label_parts.push_back(in.labels.to(torch::kCPU));
  }
  if (was_training) model_->train();
  std::map<std::string, double> m;
  if (loss_count) m[prefix + "_loss"] = loss_sum / static_cast<double>(loss_count);
  if (metrics_acc && loss_count)
    for (const auto& [k, v] : metrics_acc->compute()) m[prefix + "_" + k] = v;
  add_speed_metrics(m, prefix, seconds_since(start), n, steps);
  if (all_logits) *all_logits = logits_parts.empty() ? torch::Tensor() : torch::cat(logits_parts);
  if (all_labels && !label_parts.empty()) *all_labels = torch::cat(label_parts);
  return m;
}

std::map<std::string, double> Trainer::evaluate(const Examples* eval_dataset, const std::string& prefix) {
  const Examples* data = eval_dataset ? eval_dataset : eval_;
  AFINAR_CHECK(data != nullptr, "Trainer::evaluate: no evaluation data (pass --do_eval with a validation split)");
  auto m = run_eval(*data, prefix, nullptr, nullptr);
  log(m);
  last_eval_ = m;
  m["epoch"] = state_.epoch;
  for (auto& cb : callbacks_) cb->on_evaluate(args_, state_, m);
  return m;
}

PredictionOutput Trainer::predict(const Examples& test_dataset, const std::string& prefix) {
  PredictionOutput out;
  out.metrics = run_eval(test_dataset, prefix, &out.predictions, &out.label_ids);
  return out;
}

void Trainer::save_model(const std::string& dir) const {
  fs::create_directories(dir);
  model_->save_pretrained(dir);
  if (tokenizer_) tokenizer_->save_pretrained(dir);
}

void Trainer::save_checkpoint() {
  const fs::path final_dir = fs::path(args_.output_dir) / ("checkpoint-" + std::to_string(state_.global_step));
  fs::create_directories(args_.output_dir);
  if (args_.metric_for_best_model && !last_eval_.empty()) {
    std::string key = *args_.metric_for_best_model;
    if (key.rfind("eval_", 0) != 0) key = "eval_" + key;
    auto it = last_eval_.find(key);
    AFINAR_CHECK(it != last_eval_.end(), "metric_for_best_model '", *args_.metric_for_best_model,
                 "' is not among the evaluation metrics");
    const bool better = !state_.best_metric || (*args_.greater_is_better ? it->second > *state_.best_metric
                                                                         : it->second < *state_.best_metric);
    if (better) {
      state_.best_metric = it->second;
      state_.best_global_step = state_.global_step;
      state_.best_model_checkpoint = final_dir.string();
    }
  }
  AtomicDir dir(final_dir);
  model_->save_pretrained(dir.path());
  if (tokenizer_) tokenizer_->save_pretrained(dir.path());
  state_.save_to_json(dir.path() / "trainer_state.json");
  write_file_atomic(dir.path() / "training_args.json", args_.to_json().dump(2) + "\n");
  write_file_atomic(dir.path() / "scheduler.json", nlohmann::json{{"last_epoch", state_.global_step}}.dump() + "\n");
  if (optimizer_) io::save_safetensors(dir.path() / "optimizer.safetensors", optimizer_->state_dict());
  // Every RNG a resumed run needs to continue bit for bit: the global CPU generator (dropout, head
  // init) and, on a GPU, CUDA's. The sampler needs none: its order is a function of seed + epoch.
  io::TensorMap rng{{"cpu", at::detail::getDefaultCPUGenerator().get_state()}};
  io::save_safetensors(dir.path() / "rng_state.safetensors", rng);
  dir.commit();
  for (auto& cb : callbacks_) cb->on_save(args_, state_);
  rotate_checkpoints();
}

fs::path Trainer::resolve_checkpoint(const std::string& spec) const {
  if (spec != "true" && spec != "latest" && spec != "True") {
    AFINAR_CHECK(fs::is_directory(spec), "resume_from_checkpoint: no such folder '", spec, "'");
    return spec;
  }
  int64_t best = -1;
  fs::path found;
  const std::regex re("checkpoint-([0-9]+)");
  if (fs::is_directory(args_.output_dir))
    for (const auto& e : fs::directory_iterator(args_.output_dir)) {
      std::smatch m;
      const std::string name = e.path().filename().string();
      if (e.is_directory() && std::regex_match(name, m, re) && std::stoll(m[1]) > best) {
        best = std::stoll(m[1]);
        found = e.path();
      }
    }
  AFINAR_CHECK(best >= 0, "resume_from_checkpoint: no checkpoint-N folder in ", args_.output_dir);
  return found;
}

void Trainer::load_model_weights(const fs::path& dir) {
  io::TensorMap w = io::load_safetensors(dir / "model.safetensors");
  torch::NoGradGuard ng;
  for (auto& p : model_->named_parameters()) {
    auto it = w.find(p.key());
    AFINAR_CHECK_FORMAT(it != w.end(), (dir / "model.safetensors").string(), ": no tensor '", p.key(), "'");
    AFINAR_CHECK_FORMAT(it->second.sizes() == p.value().sizes(), (dir / "model.safetensors").string(), ": '", p.key(),
                        "' has shape ", it->second.sizes(), ", the model has ", p.value().sizes());
    p.value().copy_(it->second);
  }
}

void Trainer::load_checkpoint(const fs::path& dir) {
  load_model_weights(dir);
  TrainerState saved = TrainerState::load_from_json(dir / "trainer_state.json");
  state_.global_step = saved.global_step;
  state_.epoch = saved.epoch;
  state_.total_flos = saved.total_flos;
  state_.log_history = saved.log_history;
  state_.best_metric = saved.best_metric;
  state_.best_global_step = saved.best_global_step;
  state_.best_model_checkpoint = saved.best_model_checkpoint;
  if (fs::exists(dir / "optimizer.safetensors")) optimizer_->load_state_dict(io::load_safetensors(dir / "optimizer.safetensors"));
  if (fs::exists(dir / "rng_state.safetensors")) {
    auto rng = io::load_safetensors(dir / "rng_state.safetensors");
    AFINAR_CHECK_FORMAT(rng.count("cpu"), (dir / "rng_state.safetensors").string(), ": no 'cpu' generator state");
    at::Generator gen = at::detail::getDefaultCPUGenerator();
    gen.set_state(rng.at("cpu"));
  }
}

void Trainer::rotate_checkpoints() const {
  if (!args_.save_total_limit || *args_.save_total_limit <= 0) return;
  std::vector<std::pair<int64_t, fs::path>> ckpts;
  const std::regex re("checkpoint-([0-9]+)");
  for (const auto& e : fs::directory_iterator(args_.output_dir)) {
    std::smatch m;
    const std::string name = e.path().filename().string();
    if (e.is_directory() && std::regex_match(name, m, re)) ckpts.emplace_back(std::stoll(m[1]), e.path());
  }
  std::sort(ckpts.begin(), ckpts.end());
  const auto keep = static_cast<size_t>(*args_.save_total_limit);
  for (size_t i = 0; i + keep < ckpts.size(); ++i) {
    if (state_.best_model_checkpoint && ckpts[i].second == fs::path(*state_.best_model_checkpoint)) continue;
    fs::remove_all(ckpts[i].second);
  }
}

}  // namespace afinar
