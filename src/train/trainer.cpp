// The Trainer's training loop on HF's seams (transformers 5.23's _inner_training_loop /
// _run_epoch / training_step / compute_loss / _maybe_log_save_evaluate). Evaluation is in
// trainer_evaluation.cpp.
#include "afinar/train/trainer.h"

#include <chrono>
#include <cmath>
#include <iostream>
#include <set>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/tokenizers/tokenizer.h"
#include "afinar/train/autocast.h"
#include "afinar/train/checkpointing.h"
#include "trainer_util.h"

namespace afinar {

using trainer_util::Clock;
using trainer_util::seconds_since;

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
  model_->padding_free = args_.padding_free;
  configure_precision();
  for (const auto& r : args_.report_to) {
    if (r == "tensorboard" || r == "all") callbacks_.push_back(std::make_shared<TensorBoardCallback>());
    if (r == "csv")
      callbacks_.push_back(std::make_shared<CSVLoggerCallback>(fs::path(args_.output_dir) / "log_history.csv"));
  }
  each_callback([&](TrainerCallback& cb) { cb.on_init_end(args_, state_, control_); });
}

void Trainer::configure_precision() {
  const bool cuda = device_.is_cuda();
  // transformers' TrainingArguments.__post_init__ rules, with its messages.
  if ((args_.bf16 || args_.bf16_full_eval) && !cuda && !args_.use_cpu)
    throw InvalidArgument(
        "Your setup doesn't support bf16/gpu. You need to assign use_cpu if you want to train the model on CPU.");
  if (args_.tf32) {
    AFINAR_CHECK(!*args_.tf32 || cuda, "--tf32 requires Ampere or a newer GPU arch, cuda>=11 and torch>=1.7");
    if (cuda) {  // torch.backends.cuda.matmul.allow_tf32 / cudnn.allow_tf32
      at::globalContext().setAllowTF32CuBLAS(*args_.tf32);
      at::globalContext().setAllowTF32CuDNN(*args_.tf32);
    }
  }
  if (args_.bf16) autocast_dtype_ = torch::kBFloat16;
  // float16 on CPU runs too (LibTorch's CPU autocast has it), with the same loss scaling as on CUDA.
  if (args_.fp16) autocast_dtype_ = torch::kHalf;
}

int64_t Trainer::schedule_step() const {
  return state_.global_step - (scaler_ ? scaler_->skipped_steps() : 0);
}

BatchSampler Trainer::train_sampler(int64_t batch_size) const {
  AFINAR_CHECK(train_ != nullptr && train_->size() > 0,
               "Trainer::train: no training data (pass --do_train with a train split)");
  SamplerOptions o;
  o.strategy = args_.train_sampling_strategy;
  if (args_.max_tokens_per_batch) {
    AFINAR_CHECK(o.strategy == "random",
                 "--max_tokens_per_batch cuts its own batches from a random order: it cannot "
                 "apply with train_sampling_strategy ",
                 o.strategy, " (HINT: drop one of the two)");
    o.strategy = "token_budget";
    o.max_tokens = *args_.max_tokens_per_batch;
  }
  o.seed = static_cast<uint64_t>(args_.data_seed.value_or(args_.seed));
  o.batch_size = batch_size;
  o.drop_last = args_.dataloader_drop_last;
  // HF's LengthGroupedSampler groups train_batch_size × gradient_accumulation_steps rows.
  o.group_batch_size = batch_size * args_.gradient_accumulation_steps;
  const auto n = static_cast<int64_t>(train_->size());
  std::vector<int64_t> lengths;
  if (o.strategy == "group_by_length" || o.strategy == "token_budget") {
    auto col = train_->labels.find(args_.length_column_name);
    lengths.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i)
      lengths[i] = col != train_->labels.end() ? col->second.at(i) : static_cast<int64_t>(train_->length(i));
  }
  return BatchSampler(n, o, std::move(lengths));
}

TrainOutput Trainer::train() {
  int64_t bs = args_.per_device_train_batch_size;
  while (true) {
    // accelerate's find_executable_batch_size: on an out-of-memory error, batch_size = int(0.9 × batch_size)
    // and the whole inner loop starts again.
    AFINAR_CHECK(bs > 0, "auto_find_batch_size: No executable batch size found, reached zero.");
    try {
      return inner_train(bs);
    } catch (const c10::OutOfMemoryError& e) {
      if (!args_.auto_find_batch_size) throw;
      const auto next = static_cast<int64_t>(static_cast<double>(bs) * 0.9);
      std::cerr << "auto_find_batch_size: out of memory at per_device_train_batch_size " << bs << ", retrying with "
                << next << "\n";
      for (auto& p : model_->parameters()) p.mutable_grad() = torch::Tensor();
      optimizer_.reset();
      bs = next;
    }
  }
}

TrainOutput Trainer::inner_train(int64_t bs) {
  struct InTrain {  // HF's is_in_train, also when an exception leaves train()
    bool& flag;
    explicit InTrain(bool& f) : flag(f) { flag = true; }
    ~InTrain() { flag = false; }
  } in_train(in_train_);
  sampler_ = std::make_unique<BatchSampler>(train_sampler(bs));
  scaler_ = args_.fp16 ? std::make_unique<GradScaler>(device_) : nullptr;  // a checkpoint may restore its state
  batch_size_ = bs;
  const int64_t accum = args_.gradient_accumulation_steps;
  const int64_t batches = sampler_->batches_per_epoch();  // HF's len(train_dataloader)
  // transformers 5: the last, shorter accumulation group of an epoch is an update of its own.
  const int64_t updates_per_epoch = std::max<int64_t>((batches + accum - 1) / accum, 1);
  const int64_t total = args_.max_steps > 0
                            ? args_.max_steps
                            : static_cast<int64_t>(std::ceil(args_.num_train_epochs * updates_per_epoch));
  const int64_t epochs = args_.max_steps > 0 ? (total + updates_per_epoch - 1) / updates_per_epoch
                                             : static_cast<int64_t>(std::ceil(args_.num_train_epochs));
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
  trainable_.clear();
  for (const auto& p : model_->parameters())
    if (p.requires_grad()) trainable_.push_back(p);
  const double flops_per_token = 6.0 * static_cast<double>(trainer_util::num_non_embedding_parameters(*model_));

  sampler_->set_epoch(0);
  if (args_.resume_from_checkpoint) {
    const fs::path ckpt = resolve_checkpoint(*args_.resume_from_checkpoint, args_.output_dir);
    load_checkpoint(ckpt, {model_.get(), nullptr, &state_, nullptr, optimizer_.get(), scheduler_.get(), sampler_.get(),
                           scaler_.get()});
    if (!fs::exists(ckpt / "sampler.json"))  // an HF checkpoint: skip the trained batches as HF does
      sampler_->seek({state_.global_step / updates_per_epoch, (state_.global_step % updates_per_epoch) * accum});
    std::cout << "Resuming from " << ckpt.string() << " at step " << state_.global_step << " (epoch "
              << sampler_->position().epoch << ", batch " << sampler_->position().batch << ")\n";
  }
  const int64_t initial_step = state_.global_step;

  // As transformers' _inner_training_loop; checkpointing acts only in train() mode, so evaluation
  // during training is unchanged.
  if (args_.gradient_checkpointing) model_->gradient_checkpointing_enable();
  model_->train();
  const auto start = Clock::now();
  tr_loss_ = torch::zeros({}, torch::TensorOptions().device(device_));
  total_loss_ = 0;
  last_logged_ = state_.global_step;
  control_.should_training_stop = state_.global_step >= total;
  each_callback([&](TrainerCallback& cb) { cb.on_train_begin(args_, state_, control_); });
  double grad_norm = 0, lr = scheduler_->lr(schedule_step());
  for (int64_t epoch = sampler_->position().epoch; epoch < epochs && !control_.should_training_stop; ++epoch) {
    if (sampler_->position().epoch != epoch) sampler_->set_epoch(epoch);
    control_.should_epoch_stop = false;
    each_callback([&](TrainerCallback& cb) { cb.on_epoch_begin(args_, state_, control_); });
    const int64_t steps_in_epoch = sampler_->num_batches();
    while (!control_.should_epoch_stop && !control_.should_training_stop) {
      std::optional<double> num_items;
      const std::vector<ModelInputs> micro = get_batch_samples(*sampler_, accum, num_items);
      if (micro.empty()) break;
      control_.should_log = control_.should_evaluate = control_.should_save = false;  // HF's on_step_begin
      each_callback([&](TrainerCallback& cb) { cb.on_step_begin(args_, state_, control_); });
      for (const ModelInputs& in : micro) {
        tr_loss_ += training_step(in, num_items);
        state_.total_flos += flops_per_token * static_cast<double>(in.input_ids.defined() ? in.input_ids.numel() : 0);
      }
      lr = scheduler_->lr(schedule_step());
      grad_norm = optimizer_step();
      ++state_.global_step;
      if (state_.global_step == 1) time_to_first_step_ = trainer_util::seconds_since_start();
      state_.epoch = static_cast<double>(epoch) +
                     static_cast<double>(sampler_->position().batch) / static_cast<double>(steps_in_epoch);
      trainer_util::flow_on_step_end(args_, state_, control_);  // HF's DefaultFlowCallback
      each_callback([&](TrainerCallback& cb) { cb.on_step_end(args_, state_, control_); });
      maybe_log_save_evaluate(grad_norm, lr);
    }
    trainer_util::flow_on_epoch_end(args_, control_);
    each_callback([&](TrainerCallback& cb) { cb.on_epoch_end(args_, state_, control_); });
    maybe_log_save_evaluate(grad_norm, lr);
  }
  total_loss_ += tr_loss_.item<double>();
  if (args_.load_best_model_at_end && state_.best_model_checkpoint) {
    std::cout << "Loading best model from " << *state_.best_model_checkpoint << " (score: " << *state_.best_metric
              << ").\n";
    load_model_weights(*model_, *state_.best_model_checkpoint);
  }
  if (state_.best_model_checkpoint && args_.save_total_limit == 1)
    keep_only_best_checkpoint(args_.output_dir, *state_.best_model_checkpoint);
  const int64_t trained = state_.global_step - initial_step;
  TrainOutput result;
  result.global_step = state_.global_step;
  result.training_loss = total_loss_ / std::max<int64_t>(1, trained);
  // HF's num_train_samples covers the whole schedule; a resumed call counts its share.
  const double schedule_samples = args_.max_steps > 0 ? static_cast<double>(total * bs * accum)
                                                      : static_cast<double>(train_->size()) * args_.num_train_epochs;
  trainer_util::add_speed_metrics(result.metrics, "train", seconds_since(start),
                                  schedule_samples * static_cast<double>(trained) / static_cast<double>(total),
                                  trained);
  result.metrics["total_flos"] = state_.total_flos;
  result.metrics["train_time_to_first_step"] = trainer_util::round_to(time_to_first_step_, 4);
  result.metrics["train_loss"] = result.training_loss;
  log(result.metrics);
  result.metrics["epoch"] = state_.epoch;
  each_callback([&](TrainerCallback& cb) { cb.on_train_end(args_, state_, control_); });
  return result;
}

std::vector<ModelInputs> Trainer::get_batch_samples(BatchSampler& sampler, int64_t n,
                                                    std::optional<double>& num_items) {
  std::vector<ModelInputs> out;
  int64_t items = 0;
  for (int64_t k = 0; k < n; ++k) {
    const auto rows = sampler.next();
    if (!rows) break;
    out.push_back(to_model_inputs((*collator_)(*train_, *rows), device_));
    items += model_->num_loss_items(out.back());
  }
  // The loss items of the whole update: each micro-batch's loss is its sum / this count, so the
  // accumulated gradient is the one big batch would give.
  num_items = items > 0 ? std::optional<double>(static_cast<double>(items)) : std::nullopt;
  return out;
}

torch::Tensor Trainer::compute_loss(ModelInputs in, std::optional<double> num_items_in_batch, ModelOutputs* outputs) {
  in.loss_kwargs.num_items_in_batch = num_items_in_batch;
  in.loss_kwargs.label_smoothing_factor = args_.label_smoothing_factor;
  ModelOutputs out;
  {
    AutocastGuard amp(device_.type(), autocast_dtype_);  // forward and loss, as HF's compute_loss_context_manager
    out = model_->forward(in);
  }
  AFINAR_CHECK(out.loss.defined(), "Trainer: the model returned no loss (does the data have labels?)");
  torch::Tensor loss = out.loss;
  if (outputs) *outputs = std::move(out);
  return loss;
}

torch::Tensor Trainer::training_step(const ModelInputs& in, std::optional<double> num_items_in_batch) {
  model_->train();
  if (before_forward_) before_forward_(batch_size_);
  torch::Tensor loss = compute_loss(in, num_items_in_batch);
  const double v = loss.detach().item<double>();
  // A non-finite loss stops training at the step it happens: never train on it. Under fp16 it
  // reaches the gradients instead: the step is skipped and the scale backs off (optimizer_step).
  if (!std::isfinite(v) && !scaler_) {
    const auto pos = sampler_->position();
    throw NonFiniteLossError(detail::concat("Trainer: the training loss is ", v, " at step ", state_.global_step + 1,
                                            " (epoch ", pos.epoch, ", batch ", pos.batch - 1, " of ",
                                            sampler_->num_batches(),
                                            "): training stopped before this update; lower --learning_rate, "
                                            "set --max_grad_norm, or check the data"));
  }
  // Without loss items (no labels to count) the loss is each micro-batch's mean: average them.
  if (!num_items_in_batch && args_.gradient_accumulation_steps > 1) loss = loss / args_.gradient_accumulation_steps;
  (scaler_ ? scaler_->scale(loss) : loss).backward();
  // HF's logging_nan_inf_filter: a skipped fp16 step logs the running mean instead of the inf/NaN.
  if (!std::isfinite(v) && args_.logging_nan_inf_filter)
    return tr_loss_ / static_cast<double>(1 + state_.global_step - last_logged_);
  return loss.detach();
}

double Trainer::optimizer_step() {
  double grad_norm = 0;
  if (scaler_) scaler_->unscale_(trainable_);  // clip and step on the true gradients
  if (args_.max_grad_norm > 0) grad_norm = torch::nn::utils::clip_grad_norm_(trainable_, args_.max_grad_norm);
  optimizer_->set_lr(scheduler_->lr(schedule_step()));
  const bool skip = scaler_ && scaler_->found_inf();
  if (!skip) optimizer_->step();
  if (scaler_) {
    const double before = scaler_->get_scale();
    scaler_->update();
    if (skip)
      std::cerr << "fp16: inf/NaN gradients at step " << state_.global_step + 1
                << ": the optimizer step is skipped and the loss scale backs off from " << before << " to "
                << scaler_->get_scale() << "\n";
  }
  optimizer_->zero_grad();
  return grad_norm;
}

void Trainer::maybe_log_save_evaluate(double grad_norm, double learning_rate) {
  if (control_.should_log && state_.global_step > last_logged_) {
    const double l = tr_loss_.item<double>();
    tr_loss_.zero_();
    total_loss_ += l;
    log({{"loss", l / static_cast<double>(state_.global_step - last_logged_)},
         {"grad_norm", grad_norm},
         {"learning_rate", learning_rate}});
    last_logged_ = state_.global_step;
  }
  control_.should_log = false;
  if (control_.should_evaluate && eval_) {
    control_.should_evaluate = false;
    const std::optional<double> best = state_.best_metric;
    evaluate_during_training();
    if (args_.save_strategy == "best") control_.should_save = state_.best_metric != best;
  }
  control_.should_evaluate = false;
  if (control_.should_save) {
    control_.should_save = false;
    save_checkpoint();
    each_callback([&](TrainerCallback& cb) { cb.on_save(args_, state_, control_); });
  }
}

void Trainer::evaluate_during_training() {
  const auto m = evaluate();
  const auto metric = [&]() -> double {
    std::string key = *args_.metric_for_best_model;
    if (key.rfind("eval_", 0) != 0) key = "eval_" + key;
    auto it = m.find(key);
    AFINAR_CHECK(it != m.end(), "The `metric_for_best_model` training argument is set to '", key,
                 "', which is not found in the evaluation metrics");
    return it->second;
  };
  if (args_.metric_for_best_model) {  // HF's _determine_best_metric
    const double v = metric();
    const bool better =
        !state_.best_metric || (*args_.greater_is_better ? v > *state_.best_metric : v < *state_.best_metric);
    if (better) {
      state_.best_metric = v;
      if (args_.save_strategy != "no") state_.best_global_step = state_.global_step;
    }
  }
  if (scheduler_ && scheduler_->is_plateau()) scheduler_->step_metric(metric());  // after each evaluation
}

void Trainer::save_checkpoint() {
  const fs::path dir = fs::path(args_.output_dir) / ("checkpoint-" + std::to_string(state_.global_step));
  // HF records the best checkpoint once its folder exists; this one is written atomically below.
  if (state_.best_global_step) {
    const fs::path best = fs::path(args_.output_dir) / ("checkpoint-" + std::to_string(*state_.best_global_step));
    if (*state_.best_global_step == state_.global_step || fs::is_directory(best))
      state_.best_model_checkpoint = best.string();
  }
  afinar::save_checkpoint(dir, {model_.get(), tokenizer_, &state_, &args_, optimizer_.get(), scheduler_.get(),
                                sampler_.get(), scaler_.get()});
  rotate_checkpoints(args_.output_dir, args_.save_total_limit, state_.best_model_checkpoint);
}

void Trainer::log(std::map<std::string, double> logs) {
  logs["epoch"] = state_.epoch;  // HF adds the epoch (and the step) to every log entry
  nlohmann::json entry = logs;
  entry["step"] = state_.global_step;
  state_.log_history.push_back(entry);
  each_callback([&](TrainerCallback& cb) { cb.on_log(args_, state_, control_, logs); });
}

void Trainer::save_model(const std::string& dir) const {
  fs::create_directories(dir);
  model_->save_pretrained(dir);
  if (tokenizer_) tokenizer_->save_pretrained(dir);
}

}  // namespace afinar
