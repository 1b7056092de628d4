#include "afinar/train/optimization.h"

#include <cmath>
#include <limits>
#include <numbers>
#include <set>

#include "afinar/core/check.h"
#include "afinar/train/training_args.h"

namespace afinar {

bool uses_weight_decay(const std::string& name) {
  return name.find("bias") == std::string::npos && name.find("LayerNorm") == std::string::npos &&
         name.find("layer_norm") == std::string::npos && name.find("layernorm") == std::string::npos;
}

void Optimizer::zero_grad() {
  for (auto& g : groups_)
    for (auto& p : g.params)
      if (p.grad().defined()) p.mutable_grad() = torch::Tensor();  // set_to_none, as PyTorch's default
}

namespace {

// AdamW over two parameter groups. State per parameter: exp_avg, exp_avg_sq (as p) and the step
// count as a float32 scalar tensor, as PyTorch keeps it for the fused and foreach paths.
class AdamW : public Optimizer {
 public:
  AdamW(const TrainingArguments& a, bool fused) : fused_(fused), b1_(a.adam_beta1), b2_(a.adam_beta2), eps_(a.adam_epsilon) {
    lr_ = a.learning_rate;
  }

  void init_state() {
    for (auto& g : groups_) {
      State s;
      for (auto& p : g.params) {
        s.exp_avg.push_back(torch::zeros_like(p));
        s.exp_avg_sq.push_back(torch::zeros_like(p));
        s.steps.push_back(torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat32).device(p.device())));
      }
      state_.push_back(std::move(s));
    }
  }

  void step() override {
    torch::NoGradGuard ng;
    for (size_t gi = 0; gi < groups_.size(); ++gi) {
      auto& g = groups_[gi];
      auto& s = state_[gi];
      std::vector<torch::Tensor> params, grads, m, v, steps;
      for (size_t i = 0; i < g.params.size(); ++i) {
        if (!g.params[i].grad().defined()) continue;
        params.push_back(g.params[i]);
        grads.push_back(g.params[i].grad());
        m.push_back(s.exp_avg[i]);
        v.push_back(s.exp_avg_sq[i]);
        steps.push_back(s.steps[i]);
      }
      if (params.empty()) continue;
      at::_foreach_add_(steps, 1);
      if (fused_) {
        at::_fused_adamw_(params, grads, m, v, {}, steps, lr_, b1_, b2_, g.weight_decay, eps_,
                          /*amsgrad=*/false, /*maximize=*/false, std::nullopt, std::nullopt);
        continue;
      }
      // PyTorch's _multi_tensor_adamw (capturable=False): decoupled weight decay, then Adam.
      if (g.weight_decay != 0) at::_foreach_mul_(params, 1 - lr_ * g.weight_decay);
      at::_foreach_lerp_(m, grads, 1 - b1_);
      at::_foreach_mul_(v, b2_);
      at::_foreach_addcmul_(v, grads, grads, 1 - b2_);
      for (size_t i = 0; i < params.size(); ++i) {
        const double t = steps[i].item<double>();
        const double bc1 = 1 - std::pow(b1_, t), bc2 = 1 - std::pow(b2_, t);
        const double step_size = lr_ / bc1;
        auto denom = (v[i].sqrt() / std::sqrt(bc2)).add_(eps_);
        params[i].addcdiv_(m[i], denom, -step_size);
      }
    }
  }

  std::map<std::string, torch::Tensor> state_dict() const override {
    std::map<std::string, torch::Tensor> out;
    for (size_t gi = 0; gi < groups_.size(); ++gi)
      for (size_t i = 0; i < groups_[gi].names.size(); ++i) {
        const auto& n = groups_[gi].names[i];
        out[n + ".exp_avg"] = state_[gi].exp_avg[i];
        out[n + ".exp_avg_sq"] = state_[gi].exp_avg_sq[i];
        out[n + ".step"] = state_[gi].steps[i];
      }
    return out;
  }

  void load_state_dict(const std::map<std::string, torch::Tensor>& st) override {
    torch::NoGradGuard ng;
    for (size_t gi = 0; gi < groups_.size(); ++gi)
      for (size_t i = 0; i < groups_[gi].names.size(); ++i) {
        const auto& n = groups_[gi].names[i];
        for (auto [suffix, dst] : {std::pair{".exp_avg", &state_[gi].exp_avg[i]}, std::pair{".exp_avg_sq", &state_[gi].exp_avg_sq[i]},
                                   std::pair{".step", &state_[gi].steps[i]}}) {
          auto it = st.find(n + suffix);
          AFINAR_CHECK_FORMAT(it != st.end(), "optimizer state: missing '", n, suffix, "'");
          AFINAR_CHECK_FORMAT(it->second.sizes() == dst->sizes(), "optimizer state: '", n, suffix, "' has shape ",
                              it->second.sizes(), ", expected ", dst->sizes());
          dst->copy_(it->second);
        }
      }
  }

 private:
  struct State {
    std::vector<torch::Tensor> exp_avg, exp_avg_sq, steps;
  };
  bool fused_;
  double b1_, b2_, eps_;
  std::vector<State> state_;
};

// Plain SGD (momentum 0), transformers' "sgd".
class SGD : public Optimizer {
 public:
  explicit SGD(const TrainingArguments& a) { lr_ = a.learning_rate; }
  void step() override {
    torch::NoGradGuard ng;
    for (auto& g : groups_)
      for (auto& p : g.params) {
        if (!p.grad().defined()) continue;
        auto d = p.grad();
        if (g.weight_decay != 0) d = d.add(p, g.weight_decay);
        p.add_(d, -lr_);
      }
  }
  std::map<std::string, torch::Tensor> state_dict() const override { return {}; }
  void load_state_dict(const std::map<std::string, torch::Tensor>&) override {}
};

// Per-parameter state tensors by name, checkpointed as "<param>.<key>".
using StateMap = std::map<std::string, torch::Tensor>;
void load_named_state(const std::map<std::string, torch::Tensor>& st, const std::string& name, const std::string& key,
                      torch::Tensor& dst) {
  auto it = st.find(name + "." + key);
  AFINAR_CHECK_FORMAT(it != st.end(), "optimizer state: missing '", name, ".", key, "'");
  AFINAR_CHECK_FORMAT(it->second.sizes() == dst.sizes(), "optimizer state: '", name, ".", key, "' has shape ",
                      it->second.sizes(), ", expected ", dst.sizes());
  dst.copy_(it->second);
}

// torch.optim.Adagrad (single-tensor path; lr_decay 0, eps 1e-10, initial_accumulator_value 0,
// transformers' defaults). State per parameter: sum (as p) and step (float32 scalar).
class Adagrad : public Optimizer {
 public:
  explicit Adagrad(const TrainingArguments& a) { lr_ = a.learning_rate; }
  void init_state() {
    for (auto& g : groups_)
      for (auto& p : g.params) {
        sum_.push_back(torch::zeros_like(p));
        steps_.push_back(torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat32).device(p.device())));
      }
  }
  void step() override {
    torch::NoGradGuard ng;
    size_t k = 0;
    for (auto& g : groups_)
      for (auto& p : g.params) {
        auto& sum = sum_[k];
        auto& st = steps_[k++];
        if (!p.grad().defined()) continue;
        st.add_(1);
        const double step = st.item<double>();
        auto grad = p.grad();
        if (g.weight_decay != 0) grad = grad.add(p, g.weight_decay);
        const double clr = lr_ / (1 + (step - 1) * kLrDecay);
        sum.addcmul_(grad, grad, 1);
        auto std = sum.sqrt().add_(kEps);
        p.addcdiv_(grad, std, -clr);
      }
  }
  StateMap state_dict() const override {
    StateMap out;
    size_t k = 0;
    for (const auto& g : groups_)
      for (const auto& n : g.names) {
        out[n + ".sum"] = sum_[k];
        out[n + ".step"] = steps_[k++];
      }
    return out;
  }
  void load_state_dict(const StateMap& st) override {
    torch::NoGradGuard ng;
    size_t k = 0;
    for (const auto& g : groups_)
      for (const auto& n : g.names) {
        load_named_state(st, n, "sum", sum_[k]);
        load_named_state(st, n, "step", steps_[k++]);
      }
  }

 private:
  static constexpr double kLrDecay = 0.0, kEps = 1e-10;
  std::vector<torch::Tensor> sum_, steps_;
};

// transformers.optimization.Adafactor as Trainer builds it for optim="adafactor": lr given,
// scale_parameter=False, relative_step=False, warmup_init=False, beta1=None, eps=(1e-30, 1e-3),
// clip_threshold=1.0, decay_rate=-0.8. Factored second moments for tensors of rank >= 2.
// State per parameter: step, and exp_avg_sq_row/exp_avg_sq_col (factored) or exp_avg_sq.
class Adafactor : public Optimizer {
 public:
  explicit Adafactor(const TrainingArguments& a) { lr_ = a.learning_rate; }
  void init_state() {
    for (auto& g : groups_)
      for (auto& p : g.params) {
        State s;
        s.step = torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat32));
        if (p.dim() >= 2) {
          auto shape = p.sizes().vec();
          auto row = shape, col = shape;
          row.pop_back();                   // grad_shape[:-1]
          col.erase(col.end() - 2);         // grad_shape[:-2] + grad_shape[-1:]
          s.row = torch::zeros(row, p.options());
          s.col = torch::zeros(col, p.options());
        } else {
          s.sq = torch::zeros_like(p);
        }
        state_.push_back(std::move(s));
      }
  }
  static torch::Tensor rms(const torch::Tensor& t) { return t.norm(2) / std::sqrt(static_cast<double>(t.numel())); }
  void step() override {
    torch::NoGradGuard ng;
    size_t k = 0;
    for (auto& g : groups_)
      for (auto& p : g.params) {
        State& s = state_[k++];
        if (!p.grad().defined()) continue;
        auto grad = p.grad().to(torch::kFloat32);
        s.step.add_(1);
        const double step = s.step.item<double>();
        const double lr = lr_;  // relative_step=False, scale_parameter=False
        const double beta2t = 1.0 - std::pow(step, kDecayRate);
        torch::Tensor update = grad.pow(2) + kEps0;
        if (s.row.defined()) {
          s.row.mul_(beta2t).add_(update.mean(-1), 1.0 - beta2t);
          s.col.mul_(beta2t).add_(update.mean(-2), 1.0 - beta2t);
          auto r = (s.row / s.row.mean(-1, /*keepdim=*/true)).rsqrt_().unsqueeze(-1);
          auto c = s.col.unsqueeze(-2).rsqrt();
          update = torch::mul(r, c);
          update.mul_(grad);
        } else {
          s.sq.mul_(beta2t).add_(update, 1.0 - beta2t);
          update = s.sq.rsqrt().mul_(grad);
        }
        update.div_((rms(update) / kClipThreshold).clamp_(1.0));
        update.mul_(lr);
        if (g.weight_decay != 0) p.add_(p, -g.weight_decay * lr);
        p.add_(-update);
      }
  }
  StateMap state_dict() const override {
    StateMap out;
    size_t k = 0;
    for (const auto& g : groups_)
      for (const auto& n : g.names) {
        const State& s = state_[k++];
        out[n + ".step"] = s.step;
        if (s.row.defined()) {
          out[n + ".exp_avg_sq_row"] = s.row;
          out[n + ".exp_avg_sq_col"] = s.col;
        } else {
          out[n + ".exp_avg_sq"] = s.sq;
        }
      }
    return out;
  }
  void load_state_dict(const StateMap& st) override {
    torch::NoGradGuard ng;
    size_t k = 0;
    for (const auto& g : groups_)
      for (const auto& n : g.names) {
        State& s = state_[k++];
        load_named_state(st, n, "step", s.step);
        if (s.row.defined()) {
          load_named_state(st, n, "exp_avg_sq_row", s.row);
          load_named_state(st, n, "exp_avg_sq_col", s.col);
        } else {
          load_named_state(st, n, "exp_avg_sq", s.sq);
        }
      }
  }

 private:
  static constexpr double kEps0 = 1e-30, kClipThreshold = 1.0, kDecayRate = -0.8;
  struct State {
    torch::Tensor step, row, col, sq;
  };
  std::vector<State> state_;
};

}  // namespace

std::unique_ptr<Optimizer> Optimizer::create(const TrainingArguments& a,
                                             const torch::OrderedDict<std::string, torch::Tensor>& params) {
  std::unique_ptr<Optimizer> opt;
  AdamW* adam = nullptr;
  Adagrad* adagrad = nullptr;
  Adafactor* adafactor = nullptr;
  if (a.optim == "adamw_torch_fused" || a.optim == "adamw_torch") {
    auto o = std::make_unique<AdamW>(a, a.optim == "adamw_torch_fused");
    adam = o.get();
    opt = std::move(o);
  } else if (a.optim == "sgd") {
    opt = std::make_unique<SGD>(a);
  } else if (a.optim == "adagrad") {
    auto o = std::make_unique<Adagrad>(a);
    adagrad = o.get();
    opt = std::move(o);
  } else if (a.optim == "adafactor") {
    auto o = std::make_unique<Adafactor>(a);
    adafactor = o.get();
    opt = std::move(o);
  } else {
    AFINAR_NOT_IMPLEMENTED("optim '", a.optim, "' (supported: adamw_torch_fused, adamw_torch, adagrad, adafactor, sgd)");
  }
  Group decay, no_decay;
  decay.weight_decay = a.weight_decay;
  for (const auto& item : params) {
    if (!item.value().requires_grad()) continue;
    Group& g = uses_weight_decay(item.key()) ? decay : no_decay;
    g.names.push_back(item.key());
    g.params.push_back(item.value());
  }
  opt->groups_ = {std::move(decay), std::move(no_decay)};
  if (adam) adam->init_state();
  if (adagrad) adagrad->init_state();
  if (adafactor) adafactor->init_state();
  return opt;
}

namespace {

// The keyword arguments each get_scheduler schedule accepts through lr_scheduler_kwargs.
const std::map<std::string, std::set<std::string>>& schedule_kwargs() {
  static const std::map<std::string, std::set<std::string>> k = {
      {"linear", {}},
      {"constant", {}},
      {"constant_with_warmup", {}},
      {"cosine", {"num_cycles"}},
      {"cosine_with_restarts", {"num_cycles"}},
      {"polynomial", {"lr_end", "power"}},
      {"inverse_sqrt", {"timescale"}},
      {"cosine_with_min_lr", {"num_cycles", "min_lr", "min_lr_rate"}},
      {"cosine_warmup_with_min_lr", {"num_cycles", "min_lr", "min_lr_rate", "warmup_lr_rate"}},
      {"warmup_stable_decay",
       {"num_decay_steps", "num_stable_steps", "warmup_type", "decay_type", "min_lr_ratio", "num_cycles"}},
      {"reduce_lr_on_plateau",
       {"mode", "factor", "patience", "threshold", "threshold_mode", "cooldown", "min_lr", "eps"}},
  };
  return k;
}

double num(const nlohmann::json& kw, const char* key, double def) {
  if (!kw.contains(key) || kw[key].is_null()) return def;
  AFINAR_CHECK(kw[key].is_number(), "lr_scheduler_kwargs.", key, ": expected a number, got ", kw[key].dump());
  return kw[key].get<double>();
}

}  // namespace

std::vector<std::string> LRScheduler::types() {
  std::vector<std::string> out;
  for (const auto& [k, _] : schedule_kwargs()) out.push_back(k);
  return out;
}

LRScheduler::LRScheduler(std::string type, double base_lr, int64_t warmup, int64_t total, const nlohmann::json& kwargs)
    : type_(std::move(type)), base_lr_(base_lr), warmup_(warmup), total_(total), kw_(kwargs.is_null() ? nlohmann::json::object() : kwargs) {
  auto it = schedule_kwargs().find(type_);
  if (it == schedule_kwargs().end()) {
    std::string list;
    for (const auto& t : types()) list += (list.empty() ? "" : ", ") + t;
    AFINAR_NOT_IMPLEMENTED("lr_scheduler_type '", type_, "' (supported: ", list, ")");
  }
  AFINAR_CHECK(kw_.is_object(), "lr_scheduler_kwargs must be a JSON object, got ", kw_.dump());
  for (const auto& [k, _] : kw_.items())
    AFINAR_CHECK(it->second.count(k), "lr_scheduler_kwargs: the '", type_, "' schedule got an unexpected keyword argument '", k,
                 "'");
  if (type_ == "polynomial") {
    const double lr_end = num(kw_, "lr_end", 1e-7);
    AFINAR_CHECK(base_lr_ > lr_end, "lr_end (", lr_end, ") must be smaller than initial lr (", base_lr_, ")");
  }
  if (type_ == "cosine_with_min_lr" || type_ == "cosine_warmup_with_min_lr") {
    AFINAR_CHECK(!(kw_.contains("min_lr") && kw_.contains("min_lr_rate")), "Only one of min_lr or min_lr_rate should be set");
    AFINAR_CHECK(kw_.contains("min_lr") || kw_.contains("min_lr_rate"),
                 "One of min_lr or min_lr_rate should be set through the `lr_scheduler_kwargs`");
  }
  if (type_ == "warmup_stable_decay") {
    AFINAR_CHECK(kw_.contains("num_decay_steps"), "warmup_stable_decay requires lr_scheduler_kwargs.num_decay_steps");
    for (const char* k : {"warmup_type", "decay_type"})
      if (kw_.contains(k)) {
        const std::string v = kw_[k].get<std::string>();
        AFINAR_CHECK(v == "linear" || v == "cosine" || v == "1-sqrt", "Unknown ", k == std::string("warmup_type") ? "warmup" : "decay",
                     " type: ", v, ", expected 'linear', 'cosine' or '1-sqrt'");
      }
  }
  if (is_plateau()) {
    auto& p = plateau_;
    p.mode = kw_.value("mode", p.mode);
    p.threshold_mode = kw_.value("threshold_mode", p.threshold_mode);
    AFINAR_CHECK(p.mode == "min" || p.mode == "max", "mode ", p.mode, " is unknown!");
    AFINAR_CHECK(p.threshold_mode == "rel" || p.threshold_mode == "abs", "threshold mode ", p.threshold_mode, " is unknown!");
    p.factor = num(kw_, "factor", p.factor);
    AFINAR_CHECK(p.factor < 1.0, "Factor should be < 1.0.");
    p.patience = static_cast<int64_t>(num(kw_, "patience", static_cast<double>(p.patience)));
    p.cooldown = static_cast<int64_t>(num(kw_, "cooldown", static_cast<double>(p.cooldown)));
    p.threshold = num(kw_, "threshold", p.threshold);
    p.min_lr = num(kw_, "min_lr", p.min_lr);
    p.eps = num(kw_, "eps", p.eps);
    p.lr = base_lr_;
    p.best = p.mode == "min" ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
  }
}

double LRScheduler::factor(int64_t step) const {
  const double s = static_cast<double>(step), w = static_cast<double>(warmup_), t = static_cast<double>(total_);
  const double warm = s / std::max<double>(1.0, w);
  const double span = std::max<double>(1.0, t - w);
  const double pi = std::numbers::pi;
  if (type_ == "constant") return 1.0;
  if (type_ == "inverse_sqrt") {
    if (step < warmup_) return warm;
    const double timescale = num(kw_, "timescale", warmup_ ? w : 10000.0);
    return 1.0 / std::sqrt((s + (timescale - w)) / timescale);
  }
  if (type_ == "warmup_stable_decay") {
    const double decay = num(kw_, "num_decay_steps", 0);
    const double stable = kw_.contains("num_stable_steps") && !kw_["num_stable_steps"].is_null()
                              ? kw_["num_stable_steps"].get<double>()
                              : t - w - decay;
    const std::string wt = kw_.value("warmup_type", "linear"), dt = kw_.value("decay_type", "cosine");
    const double min_ratio = num(kw_, "min_lr_ratio", 0.0), cycles = num(kw_, "num_cycles", 0.5);
    auto shape = [](const std::string& kind, double x, bool up, double c) {
      if (kind == "linear") return up ? x : 1.0 - x;
      if (kind == "cosine") return up ? 0.5 * (1.0 - std::cos(std::numbers::pi * x))
                                      : 0.5 * (1.0 + std::cos(std::numbers::pi * c * 2.0 * x));
      return up ? 1.0 - std::sqrt(1.0 - x) : 1.0 - std::sqrt(x);  // 1-sqrt
    };
    if (s < w) return std::max(0.0, shape(wt, warm, true, cycles) * (1.0 - min_ratio) + min_ratio);
    if (s < w + stable) return 1.0;
    if (s < w + stable + decay) {
      const double progress = (s - w - stable) / std::max<double>(1.0, decay);
      return std::max(0.0, shape(dt, progress, false, cycles) * (1.0 - min_ratio) + min_ratio);
    }
    return min_ratio;
  }
  if (type_ == "cosine_warmup_with_min_lr") {
    const double min_rate = kw_.contains("min_lr") ? num(kw_, "min_lr", 0) / base_lr_ : num(kw_, "min_lr_rate", 0);
    if (s < w) {
      if (!kw_.contains("warmup_lr_rate") || kw_["warmup_lr_rate"].is_null()) return (s + 1.0) / std::max(1.0, w);
      const double r = num(kw_, "warmup_lr_rate", 0);
      return r + (1.0 - r) * s / std::max<double>(1.0, w - 1);
    }
    const double progress = (s - w + 1.0) / std::max(1.0, t - w);
    const double f = 0.5 * (1.0 + std::cos(pi * num(kw_, "num_cycles", 0.5) * 2.0 * progress));
    return std::max(0.0, f * (1 - min_rate) + min_rate);
  }
  if (step < warmup_) return warm;
  if (type_ == "constant_with_warmup") return 1.0;
  const double progress = (s - w) / span;
  if (type_ == "linear") return std::max(0.0, (t - s) / span);
  if (type_ == "cosine") return std::max(0.0, 0.5 * (1.0 + std::cos(pi * num(kw_, "num_cycles", 0.5) * 2.0 * progress)));
  if (type_ == "cosine_with_restarts") {
    if (progress >= 1.0) return 0.0;
    return std::max(0.0, 0.5 * (1.0 + std::cos(pi * std::fmod(num(kw_, "num_cycles", 1.0) * progress, 1.0))));
  }
  if (type_ == "cosine_with_min_lr") {
    const double min_rate = kw_.contains("min_lr") ? num(kw_, "min_lr", 0) / base_lr_ : num(kw_, "min_lr_rate", 0);
    const double f = 0.5 * (1.0 + std::cos(pi * num(kw_, "num_cycles", 0.5) * 2.0 * progress));
    return std::max(0.0, f * (1 - min_rate) + min_rate);
  }
  if (type_ == "polynomial") {
    const double lr_end = num(kw_, "lr_end", 1e-7), power = num(kw_, "power", 1.0);
    if (step > total_) return lr_end / base_lr_;
    const double pct_remaining = 1 - (s - w) / (t - w);
    return ((base_lr_ - lr_end) * std::pow(pct_remaining, power) + lr_end) / base_lr_;
  }
  AFINAR_NOT_IMPLEMENTED("lr_scheduler_type '", type_, "'");
}

double LRScheduler::lr(int64_t step) const {
  if (is_plateau()) return plateau_.lr;
  return base_lr_ * factor(step);
}

void LRScheduler::step_metric(double current) {
  AFINAR_CHECK(is_plateau(), "LRScheduler::step_metric: only reduce_lr_on_plateau is stepped by a metric");
  auto& p = plateau_;
  ++p.last_epoch;
  bool better = false;
  if (p.mode == "min") better = p.threshold_mode == "rel" ? current < p.best * (1.0 - p.threshold) : current < p.best - p.threshold;
  else better = p.threshold_mode == "rel" ? current > p.best * (p.threshold + 1.0) : current > p.best + p.threshold;
  if (better) {
    p.best = current;
    p.num_bad_epochs = 0;
  } else {
    ++p.num_bad_epochs;
  }
  if (p.cooldown_counter > 0) {
    --p.cooldown_counter;
    p.num_bad_epochs = 0;
  }
  if (p.num_bad_epochs > p.patience) {
    const double new_lr = std::max(p.lr * p.factor, p.min_lr);
    if (p.lr - new_lr > p.eps) p.lr = new_lr;
    p.cooldown_counter = p.cooldown;
    p.num_bad_epochs = 0;
  }
}

nlohmann::json LRScheduler::state_dict() const {
  if (!is_plateau()) return nlohmann::json::object();
  const auto& p = plateau_;
  return {{"lr", p.lr}, {"best", p.best}, {"num_bad_epochs", p.num_bad_epochs}, {"cooldown_counter", p.cooldown_counter},
          {"last_epoch", p.last_epoch}};
}

void LRScheduler::load_state_dict(const nlohmann::json& st) {
  if (!is_plateau()) return;
  AFINAR_CHECK_FORMAT(st.contains("lr") && st.contains("best"), "scheduler state: no reduce_lr_on_plateau state in ",
                      st.dump());
  auto& p = plateau_;
  p.lr = st["lr"];
  // JSON has no infinity: a best of ±inf is written as null.
  p.best = st["best"].is_null() ? (p.mode == "min" ? std::numeric_limits<double>::infinity()
                                                   : -std::numeric_limits<double>::infinity())
                                : st["best"].get<double>();
  p.num_bad_epochs = st.value("num_bad_epochs", int64_t{0});
  p.cooldown_counter = st.value("cooldown_counter", int64_t{0});
  p.last_epoch = st.value("last_epoch", int64_t{0});
}

}  // namespace afinar
