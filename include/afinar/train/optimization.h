/// Optimizers and learning-rate schedules with transformers' defaults and PyTorch's numerics.
///
/// AdamW runs PyTorch's own kernels: `adamw_torch_fused` calls ATen's fused AdamW (what
/// transformers uses by default with torch >= 2.8), `adamw_torch` the multi-tensor (foreach) path.
/// Parameters are split into two groups as transformers does: weight decay on everything except
/// biases and LayerNorm weights.
///
///   auto opt = afinar::Optimizer::create(args, model->named_parameters());
///   afinar::LRScheduler sched(args.lr_scheduler_type, args.learning_rate, warmup, total);
///   opt->set_lr(sched.lr(step)); opt->step();
#pragma once
#include <torch/torch.h>

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
  /// Optimizer from args.optim (adamw_torch_fused | adamw_torch | sgd), over trainable parameters.
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

/// LambdaLR schedules of transformers.optimization: the factor at optimizer step `step`
/// (0-based: the lr used by the step-th update) times the base learning rate.
class LRScheduler {
 public:
  LRScheduler(std::string type, double base_lr, int64_t warmup_steps, int64_t total_steps);
  double lr(int64_t step) const;

 private:
  std::string type_;
  double base_lr_;
  int64_t warmup_, total_;
};

}  // namespace afinar
