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
#include "afinar/metrics/seqeval.h"
#include "afinar/tokenizers/tokenizer.h"
#include "afinar/train/trainer_pt_utils.h"

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

// run_ner's compute_metrics: argmax per token, positions labelled -100 dropped, ids → label names,
// then seqeval.
class SeqevalAccumulator : public MetricAccumulator {
 public:
  SeqevalAccumulator(std::vector<std::string> names, bool entity_level) : names_(std::move(names)), entity_level_(entity_level) {}
  void add(const torch::Tensor& logits, const torch::Tensor& labels) override {
    AFINAR_CHECK(logits.dim() == 3 && labels.dim() == 2, "seqeval: expects (B, T, C) logits and (B, T) labels, got ",
                 logits.sizes(), " and ", labels.sizes());
    auto pred = logits.argmax(-1).to(torch::kCPU, torch::kInt64).contiguous();
    auto ref = labels.to(torch::kCPU, torch::kInt64).contiguous();
    std::vector<std::vector<std::string>> p(pred.size(0)), r(pred.size(0));
    const auto pa = pred.accessor<int64_t, 2>(), ra = ref.accessor<int64_t, 2>();
    for (int64_t b = 0; b < pred.size(0); ++b)
      for (int64_t t = 0; t < pred.size(1); ++t) {
        if (ra[b][t] == -100) continue;
        p[b].push_back(name(pa[b][t]));
        r[b].push_back(name(ra[b][t]));
      }
    m_.add(p, r);
  }
  std::map<std::string, double> compute() const override {
    const SeqevalResult res = m_.compute();
    std::map<std::string, double> out;
    if (entity_level_) {  // run_ner's return_entity_level_metrics: "<type>_<score>" and "overall_<score>"
      for (const auto& [type, sc] : res.types) {
        out[type + "_precision"] = sc.precision;
        out[type + "_recall"] = sc.recall;
        out[type + "_f1"] = sc.f1;
        out[type + "_number"] = static_cast<double>(sc.number);
      }
      out["overall_precision"] = res.overall_precision;
      out["overall_recall"] = res.overall_recall;
      out["overall_f1"] = res.overall_f1;
      out["overall_accuracy"] = res.overall_accuracy;
      return out;
    }
    return {{"precision", res.overall_precision}, {"recall", res.overall_recall}, {"f1", res.overall_f1},
            {"accuracy", res.overall_accuracy}};
  }

 private:
  const std::string& name(int64_t id) const {
    AFINAR_CHECK(id >= 0 && id < static_cast<int64_t>(names_.size()), "seqeval: label id ", id, " has no name (",
                 names_.size(), " label names)");
    return names_[id];
  }
  std::vector<std::string> names_;
  bool entity_level_;
  Seqeval m_;
};

}  // namespace

ComputeMetrics seqeval_metrics(std::vector<std::string> label_names, bool return_entity_level_metrics) {
  return [label_names, return_entity_level_metrics] {
    return std::make_unique<SeqevalAccumulator>(label_names, return_entity_level_metrics);
  };
}

ComputeMetrics accuracy_f1_metrics(int64_t num_labels) {
  return [num_labels] { return std::make_unique<AccuracyF1>(num_labels); };
}

Trainer::Trainer(PreTrainedModel model, TrainingArguments args, std::shared_ptr<const DataCollator> collator,
                 const Examples* train_dataset, const Examples* eval_dataset, const Tokenizer* processing_class,
                 std::vector<std::shared_ptr<TrainerCallback>> callbacks)
    : model_(std::move(model)),
      args_(std::move(args)),
      collator_(std::move(collator)),
      train_(train_dataset),
      eval_(eval_dataset),
      tokenizer_(processing_class),
      callbacks_(std::move(callbacks)) {
  AFINAR_CHECK(model_ != nullptr, "Trainer: model is null");
  AFINAR_CHECK(collator_ != nullptr, "Trainer: data collator is null");
  args_.finalize();
  // transformers' Trainer.__init__ seeds every RNG (dropout draws from the global generator).
  torch::manual_seed(static_cast<uint64_t>(args_.seed));
  if (args_.full_determinism) at::globalContext().setDeterministicAlgorithms(true, /*warn_only=*/false);
  device_ = select_device(args_.use_cpu);
  model_->to(device_);
  // Causal LM heads (GPT2LMHeadModel, *ForCausalLM) predict token t+1: their labels shift.
  if (!model_->is_encoder_decoder()) {
    const auto cfg = model_->config_json();
    if (cfg.contains("architectures") && cfg["architectures"].is_array())
      for (const auto& a : cfg["architectures"])
        if (a.is_string() && (a.get<std::string>().find("ForCausalLM") != std::string::npos ||
                              a.get<std::string>().find("LMHeadModel") != std::string::npos))
          shifts_labels_ = true;
  }
  for (const auto& r : args_.report_to) {
    if (r == "tensorboard" || r == "all") callbacks_.push_back(std::make_shared<TensorBoardCallback>());
    if (r == "csv") callbacks_.push_back(std::make_shared<CSVLoggerCallback>(fs::path(args_.output_dir) / "log_history.csv"));
  }
  each_callback([&](TrainerCallback& cb) { cb.on_init_end(args_, state_, control_); });
}

std::vector<int64_t> Trainer::epoch_order(int64_t epoch, int64_t n) const {
  std::vector<int64_t> order(n);
  if (args_.train_sampling_strategy == "sequential") {
    for (int64_t i = 0; i < n; ++i) order[i] = i;
    return order;
  }
  // accelerate's SeedableRandomSampler: randperm(n) from a CPU generator seeded data_seed|seed + epoch.
  auto gen = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(args_.data_seed.value_or(args_.seed) + epoch));
  if (args_.train_sampling_strategy == "group_by_length") {
    AFINAR_CHECK(train_ != nullptr && static_cast<int64_t>(train_->size()) == n,
                 "group_by_length: the lengths come from the training set");
    std::vector<int64_t> lengths(n);
    auto col = train_->labels.find(args_.length_column_name);
    for (int64_t i = 0; i < n; ++i)
      lengths[i] = col != train_->labels.end() ? col->second.at(i) : static_cast<int64_t>(train_->length(i));
    return get_length_grouped_indices(lengths, state_.train_batch_size * args_.gradient_accumulation_steps, gen);
  }
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
  each_callback([&](TrainerCallback& cb) { cb.on_log(args_, state_, control_, logs); });
}

torch::Tensor Trainer::compute_loss(ModelInputs in, ModelOutputs& out, std::optional<double> num_items_in_batch) {
  const bool smooth = args_.label_smoothing_factor != 0 && in.labels.defined();
  const bool token_level = num_items_in_batch && in.labels.defined() && in.labels.dim() == 2;
  if (!smooth && !token_level) {
    out = model_->forward(in);
    return out.loss;
  }
  // HF's compute_loss: with a label smoother the model runs without labels and the smoother
  // computes the loss (labels shifted for causal LMs). With num_items_in_batch (gradient
  // accumulation, token-level heads) the loss is sum over the micro-batch / items of the whole
  // accumulated batch, as transformers' ForCausalLMLoss / fixed_cross_entropy.
  torch::Tensor labels = in.labels;
  in.labels = torch::Tensor();
  out = model_->forward(in);
  AFINAR_CHECK(out.logits.defined(), "Trainer: the model returned no logits to compute the loss from");
  if (smooth) {
    out.loss = label_smoother(out.logits, labels, args_.label_smoothing_factor, shifts_labels_, num_items_in_batch);
    return out.loss;
  }
  auto logits = out.logits;
  if (shifts_labels_) {
    logits = logits.narrow(1, 0, logits.size(1) - 1);
    labels = labels.narrow(1, 1, labels.size(1) - 1);
  }
  AFINAR_CHECK(logits.dim() == 3 && logits.size(1) == labels.size(1), "Trainer: token-level logits ", logits.sizes(),
               " do not match labels ", labels.sizes());
  namespace F = torch::nn::functional;
  out.loss = F::cross_entropy(logits.reshape({-1, logits.size(-1)}).to(torch::kFloat32), labels.reshape({-1}),
                              F::CrossEntropyFuncOptions().ignore_index(-100).reduction(torch::kSum)) /
             *num_items_in_batch;
  return out.loss;
}

TrainOutput Trainer::train() {
  AFINAR_CHECK(train_ != nullptr && train_->size() > 0, "Trainer::train: no training data (pass --do_train with a train split)");
  int64_t bs = args_.per_device_train_batch_size;
  while (true) {
    // accelerate's find_executable_batch_size: on an out-of-memory error, batch_size = int(0.9 × batch_size)
    // and the whole inner loop starts again.
    AFINAR_CHECK(bs > 0, "auto_find_batch_size: No executable batch size found, reached zero.");
    try {
      return inner_train(bs);
    } catch (const c10::OutOfMemoryError& e) {
      if (!args_.auto_find_batch_size) throw;
      const int64_t next = static_cast<int64_t>(static_cast<double>(bs) * 0.9);
      std::cerr << "auto_find_batch_size: out of memory at per_device_train_batch_size " << bs << ", retrying with " << next
                << "\n";
      for (auto& p : model_->parameters()) p.mutable_grad() = torch::Tensor();
      optimizer_.reset();
      bs = next;
    }
  }
}

TrainOutput Trainer::inner_train(int64_t bs) {
  const int64_t n = static_cast<int64_t>(train_->size());
  const int64_t accum = args_.gradient_accumulation_steps;
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
  control_ = TrainerControl{};
  state_.max_steps = total;
  state_.num_train_epochs = epochs;
  state_.train_batch_size = bs;
  state_.logging_steps = args_.resolve_steps(args_.logging_steps, total);
  state_.eval_steps = args_.resolve_steps(args_.eval_steps.value_or(args_.logging_steps), total);
  state_.save_steps = args_.resolve_steps(args_.save_steps, total);

  optimizer_ = Optimizer::create(args_, model_->named_parameters());
  scheduler_ = std::make_unique<LRScheduler>(args_.lr_scheduler_type, args_.learning_rate, warmup, total,
                                             args_.lr_scheduler_kwargs);
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

  // As transformers' _inner_training_loop; checkpointing acts only in train() mode, so evaluation
  // during training is unchanged.
  if (args_.gradient_checkpointing) model_->gradient_checkpointing_enable();
  model_->train();
  const auto start = Clock::now();
  each_callback([&](TrainerCallback& cb) { cb.on_train_begin(args_, state_, control_); });
  auto tr_loss = torch::zeros({}, torch::TensorOptions().device(device_));
  double total_loss = 0;
  int64_t last_logged = state_.global_step;
  bool stop = state_.global_step >= total;
  std::vector<Batch> cycle;  // the micro-batches of the current update
  std::optional<double> num_items;
  for (int64_t epoch = start_epoch; epoch < epochs && !stop; ++epoch) {
    control_.should_epoch_stop = false;
    each_callback([&](TrainerCallback& cb) { cb.on_epoch_begin(args_, state_, control_); });
    const std::vector<int64_t> order = epoch_order(epoch, n);
    for (int64_t b = epoch == start_epoch ? skip_batches : 0; b < batches && !stop; ++b) {
      if (b % accum == 0) {
        each_callback([&](TrainerCallback& cb) { cb.on_step_begin(args_, state_, control_); });
        // HF's get_batch_samples: the micro-batches of one update, collated up front, and for
        // token-level labels the number of target tokens over all of them (num_items_in_batch).
        cycle.clear();
        num_items.reset();
        for (int64_t k = b; k < std::min(batches, b + accum); ++k) {
          const int64_t lo = k * bs, hi = std::min(n, lo + bs);
          cycle.push_back((*collator_)(*train_, std::span<const int64_t>(order.data() + lo, hi - lo)));
        }
        if (accum > 1) {
          int64_t items = 0;
          bool token_level = true;
          for (const auto& mb : cycle) {
            auto it = mb.find("labels");
            if (it == mb.end() || it->second.dim() != 2) {
              token_level = false;
              break;
            }
            auto lab = shifts_labels_ ? it->second.narrow(1, 1, it->second.size(1) - 1) : it->second;
            items += lab.ne(-100).sum().item<int64_t>();
          }
          if (token_level) num_items = static_cast<double>(std::max<int64_t>(items, 1));
        }
      }
      ModelInputs in = to_inputs(cycle[static_cast<size_t>(b % accum)]);
      if (before_forward_) before_forward_(bs);
      ModelOutputs out;
      torch::Tensor model_loss = compute_loss(in, out, num_items);
      AFINAR_CHECK(model_loss.defined(), "Trainer: the model returned no loss (does the data have labels?)");
      // A non-finite loss stops training at the step it happens: never train on it.
      if (const double lv = model_loss.detach().item<double>(); !std::isfinite(lv))
        throw NonFiniteLossError(detail::concat("Trainer: the training loss is ", lv, " at step ", state_.global_step + 1,
                                                " (epoch ", epoch, ", batch ", b, " of ", batches,
                                                "): training stopped before this update; lower --learning_rate, "
                                                "set --max_grad_norm, or check the data"));
      // Sequence-level heads: the mean of each micro-batch over accumulation steps; token-level
      // losses are already normalised by the items of the whole accumulated batch.
      auto loss = accum > 1 && !num_items ? model_loss / accum : model_loss;
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
      each_callback([&](TrainerCallback& cb) { cb.on_step_end(args_, state_, control_); });

      const int64_t gs = state_.global_step;
      const bool last = gs >= total;
      if ((args_.logging_strategy == "steps" && gs % state_.logging_steps == 0) || (args_.logging_first_step && gs == 1) ||
          control_.should_log) {
        control_.should_log = false;
        const double l = tr_loss.item<double>();
        total_loss += l;
        tr_loss.zero_();
        log({{"loss", l / static_cast<double>(gs - last_logged)}, {"grad_norm", grad_norm}, {"learning_rate", lr}});
        last_logged = gs;
      }
      if (((args_.eval_strategy == "steps" && gs % state_.eval_steps == 0) || control_.should_evaluate) && eval_) {
        control_.should_evaluate = false;
        evaluate_during_training();
      }
      if ((args_.save_strategy == "steps" && gs % state_.save_steps == 0) || control_.should_save) {
        control_.should_save = false;
        save_checkpoint();
      }
      if (last || control_.should_training_stop) stop = true;
      if (control_.should_epoch_stop) break;
    }
    // HF: on_epoch_end, then log, evaluate and save.
    each_callback([&](TrainerCallback& cb) { cb.on_epoch_end(args_, state_, control_); });
    if (args_.logging_strategy == "epoch" && state_.global_step > last_logged) {
      const double l = tr_loss.item<double>();
      total_loss += l;
      tr_loss.zero_();
      log({{"loss", l / static_cast<double>(state_.global_step - last_logged)}, {"learning_rate", optimizer_->lr()}});
      last_logged = state_.global_step;
    }
    if (args_.eval_strategy == "epoch" && eval_) evaluate_during_training();
    if (args_.save_strategy == "epoch") save_checkpoint();
    if (control_.should_training_stop) stop = true;
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
  each_callback([&](TrainerCallback& cb) { cb.on_train_end(args_, state_, control_); });
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
    ModelOutputs out;
    compute_loss(in, out);
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
  // HF's nested_concat: token-level batches of different lengths are padded with -100.
  if (all_logits) *all_logits = logits_parts.empty() ? torch::Tensor() : pad_and_concatenate(logits_parts, -100);
  if (all_labels && !label_parts.empty()) *all_labels = pad_and_concatenate(label_parts, -100);
  return m;
}

std::map<std::string, double> Trainer::evaluate(const Examples* eval_dataset, const std::string& prefix) {
  const Examples* data = eval_dataset ? eval_dataset : eval_;
  AFINAR_CHECK(data != nullptr, "Trainer::evaluate: no evaluation data (pass --do_eval with a validation split)");
  auto m = run_eval(*data, prefix, nullptr, nullptr);
  log(m);
  last_eval_ = m;
  m["epoch"] = state_.epoch;
  each_callback([&](TrainerCallback& cb) { cb.on_evaluate(args_, state_, control_, m); });
  return m;
}

void Trainer::evaluate_during_training() {
  auto m = evaluate();
  if (scheduler_ && scheduler_->is_plateau()) {  // HF steps ReduceLROnPlateau after each evaluation
    std::string key = *args_.metric_for_best_model;
    if (key.rfind("eval_", 0) != 0) key = "eval_" + key;
    auto it = m.find(key);
    AFINAR_CHECK(it != m.end(), "The `metric_for_best_model` training argument is set to '", key,
                 "', which is not found in the evaluation metrics");
    scheduler_->step_metric(it->second);
  }
}

PredictionOutput Trainer::predict(const Examples& test_dataset, const std::string& prefix) {
  PredictionOutput out;
  out.metrics = run_eval(test_dataset, prefix, &out.predictions, &out.label_ids);
  each_callback([&](TrainerCallback& cb) { cb.on_predict(args_, state_, control_, out.metrics); });
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
  nlohmann::json sched{{"last_epoch", state_.global_step}};
  if (scheduler_ && scheduler_->is_plateau()) sched["reduce_lr_on_plateau"] = scheduler_->state_dict();
  write_file_atomic(dir.path() / "scheduler.json", sched.dump() + "\n");
  if (optimizer_) io::save_safetensors(dir.path() / "optimizer.safetensors", optimizer_->state_dict());
  // Every RNG a resumed run needs to continue bit for bit: the global CPU generator (dropout, head
  // init) and, on a GPU, CUDA's. The sampler needs none: its order is a function of seed + epoch.
  io::TensorMap rng{{"cpu", at::detail::getDefaultCPUGenerator().get_state()}};
  io::save_safetensors(dir.path() / "rng_state.safetensors", rng);
  dir.commit();
  each_callback([&](TrainerCallback& cb) { cb.on_save(args_, state_, control_); });
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
  // model.safetensors, or the shards of model.safetensors.index.json (save_pretrained's max_shard_size).
  io::TensorMap w = io::load_checkpoint_weights(dir);
  torch::NoGradGuard ng;
  for (auto& p : model_->named_parameters()) {
    auto it = w.find(p.key());
    AFINAR_CHECK_FORMAT(it != w.end(), dir.string(), ": no tensor '", p.key(), "' in the checkpoint's weights");
    AFINAR_CHECK_FORMAT(it->second.sizes() == p.value().sizes(), dir.string(), ": '", p.key(), "' has shape ",
                        it->second.sizes(), ", the model has ", p.value().sizes());
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
  if (scheduler_ && scheduler_->is_plateau() && fs::exists(dir / "scheduler.json")) {
    nlohmann::json sched;
    try {
      sched = nlohmann::json::parse(read_file(dir / "scheduler.json"));
    } catch (const nlohmann::json::exception& e) {
      throw FormatError(detail::concat((dir / "scheduler.json").string(), ": not valid JSON: ", e.what()));
    }
    AFINAR_CHECK_FORMAT(sched.contains("reduce_lr_on_plateau"), (dir / "scheduler.json").string(),
                        ": no reduce_lr_on_plateau state (was the run started with another lr_scheduler_type?)");
    scheduler_->load_state_dict(sched["reduce_lr_on_plateau"]);
  }
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
