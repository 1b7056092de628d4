/// Optimizers and learning-rate schedules with transformers' defaults and PyTorch's numerics.
///
/// AdamW runs PyTorch's own kernels: `adamw_torch_fused` calls ATen's fused AdamW (what
/// transformers uses by default with torch >= 2.8), `adamw_torch` the multi-tensor (foreach) path.
/// `adagrad` is torch.optim.Adagrad, `adafactor` transformers' Adafactor as the Trainer builds it
/// (scale_parameter=False, relative_step=False, lr from the schedule), `sgd` plain SGD.
/// Parameters are split into two groups as transformers does: weight decay on everything except
/// biases and LayerNorm weights.
///
///   auto opt = afinar::Optimizer::create(args, model->named_parameters());
///   afinar::LRScheduler sched(args.lr_scheduler_type, args.learning_rate, warmup, total,
///                             args.lr_scheduler_kwargs);   // e.g. {"num_cycles": 3}
///   opt->set_lr(sched.lr(step)); opt->step();
#pragma once
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace afinar {

struct TrainingArguments;

/// transformers' get_decay_parameter_names: not a bias, not inside a LayerNorm.
bool uses_weight_decay(const std::string& param_name);

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  /// Optimizer from args.optim (adamw_torch_fused | adamw_torch | adagrad | adafactor | sgd), over
  /// trainable parameters.
  static std::unique_ptr<Optimizer> create(const TrainingArguments& args,
                                           const torch::OrderedDict<std::string, torch::Tensor>& params);
  virtual void step() = 0;
  void zero_grad();
  void set_lr(double lr) { lr_ = lr; }
  double lr() const { return lr_; }
  /// Every state tensor by a stable name ("<param>.exp_avg", …), for checkpoints.
  virtual std::map<std::string, torch::Tensor> state_dict() const = 0;
  virtual void load_state_dict(const std::map<std::string, torch::Tensor>& state) = 0;

 protected:
  struct Group {
    std::vector<std::string> names;
    std::vector<torch::Tensor> params;
    double weight_decay = 0;
  };
  std::vector<Group> groups_;
  double lr_ = 0;
};

/// transformers.get_scheduler: the LambdaLR schedules (linear, cosine, cosine_with_restarts,
/// polynomial, constant, constant_with_warmup, inverse_sqrt, cosine_with_min_lr,
/// cosine_warmup_with_min_lr, warmup_stable_decay) and reduce_lr_on_plateau (torch's
/// ReduceLROnPlateau, stepped with an evaluation metric). `kwargs` is HF's lr_scheduler_kwargs
/// (an object; null = none); a key the schedule does not take is refused, as Python's TypeError.
///
///   afinar::LRScheduler s("cosine_with_restarts", 1e-3, 2, 20, {{"num_cycles", 3}});
///   double lr = s.lr(5);                     // the lr of the 6th optimizer step
///   afinar::LRScheduler p("reduce_lr_on_plateau", 1e-3, 0, 20);
///   p.step_metric(0.42);                     // after each evaluation; p.lr(step) is the current lr
class LRScheduler {
 public:
  LRScheduler(std::string type, double base_lr, int64_t warmup_steps, int64_t total_steps,
              const nlohmann::json& kwargs = nullptr);
  /// Every lr_scheduler_type afinar implements.
  static std::vector<std::string> types();
  /// The lr used by optimizer step `step` (0-based): base_lr × the schedule's factor.
  double lr(int64_t step) const;

  /// reduce_lr_on_plateau only: whether it is stepped by metrics rather than by steps.
  bool is_plateau() const { return type_ == "reduce_lr_on_plateau"; }
  /// ReduceLROnPlateau.step(metric): may reduce the lr after `patience` bad evaluations.
  void step_metric(double metric);
  /// Mutable state (plateau counters and lr) for checkpoints; empty object for LambdaLR schedules.
  nlohmann::json state_dict() const;
  void load_state_dict(const nlohmann::json& state);

 private:
  double factor(int64_t step) const;
  std::string type_;
  double base_lr_;
  int64_t warmup_, total_;
  nlohmann::json kw_;
  // ReduceLROnPlateau's state and options (torch's defaults).
  struct Plateau {
    std::string mode = "min", threshold_mode = "rel";
    double factor = 0.1, threshold = 1e-4, min_lr = 0, eps = 1e-8;
    int64_t patience = 10, cooldown = 0;
    double lr = 0, best = 0;
    int64_t num_bad_epochs = 0, cooldown_counter = 0, last_epoch = 0;
  } plateau_;
};

}  // namespace afinar
