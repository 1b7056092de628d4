// torch/amp/grad_scaler.py's GradScaler (scale, unscale_, step's skip rule, update) on its kernels.
#include "afinar/train/grad_scaler.h"

#include "afinar/core/check.h"

namespace afinar {

GradScaler::GradScaler(torch::Device device, Options o) : options_(o) {
  AFINAR_CHECK(
      o.init_scale > 0 && o.growth_factor > 1 && o.backoff_factor > 0 && o.backoff_factor < 1 && o.growth_interval > 0,
      "GradScaler: init_scale > 0, growth_factor > 1, 0 < backoff_factor < 1, growth_interval > 0 required");
  auto f32 = torch::TensorOptions().dtype(torch::kFloat).device(device);
  scale_ = torch::full({}, o.init_scale, f32);
  growth_tracker_ = torch::zeros({}, f32.dtype(torch::kInt));
  found_inf_ = torch::zeros({}, f32);
}

torch::Tensor GradScaler::scale(const torch::Tensor& loss) const {
  return loss * scale_.to(loss.scalar_type());
}

void GradScaler::unscale_(const std::vector<torch::Tensor>& params) {
  if (unscaled_) return;
  unscaled_ = true;
  found_inf_.zero_();
  std::vector<torch::Tensor> grads;
  for (const auto& p : params)
    if (p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return;
  torch::NoGradGuard no_grad;
  // In place: grads *= 1/scale, found_inf = 1 if any element is inf/NaN (float32 inverse, as torch).
  at::_amp_foreach_non_finite_check_and_unscale_(grads, found_inf_,
                                                 scale_.to(torch::kDouble).reciprocal().to(torch::kFloat));
}

bool GradScaler::found_inf() const {
  AFINAR_CHECK(unscaled_, "GradScaler::found_inf: call unscale_ first");
  return found_inf_.item<float>() != 0.0f;
}

void GradScaler::update() {
  if (unscaled_ && found_inf()) ++skipped_;
  at::_amp_update_scale_(scale_, growth_tracker_, found_inf_, options_.growth_factor, options_.backoff_factor,
                         options_.growth_interval);
  found_inf_.zero_();
  unscaled_ = false;
}

double GradScaler::get_scale() const {
  return scale_.item<double>();
}

nlohmann::json GradScaler::state_dict() const {
  return {{"scale", get_scale()},
          {"growth_factor", options_.growth_factor},
          {"backoff_factor", options_.backoff_factor},
          {"growth_interval", options_.growth_interval},
          {"_growth_tracker", growth_tracker_.item<int64_t>()},
          {"skipped_steps", skipped_}};
}

void GradScaler::load_state_dict(const nlohmann::json& j) {
  auto number = [&](const char* key) {
    if (!j.is_object() || !j.contains(key) || !j.at(key).is_number())
      throw FormatError(detail::concat("GradScaler state: '", key, "' must be a number"));
    return j.at(key);
  };
  const double scale = number("scale").get<double>();
  if (!(scale > 0)) throw FormatError(detail::concat("GradScaler state: 'scale' must be positive, got ", scale));
  options_.growth_factor = number("growth_factor").get<double>();
  options_.backoff_factor = number("backoff_factor").get<double>();
  options_.growth_interval = number("growth_interval").get<int64_t>();
  scale_.fill_(scale);
  growth_tracker_.fill_(number("_growth_tracker").get<int64_t>());
  skipped_ = j.contains("skipped_steps") ? number("skipped_steps").get<int64_t>() : 0;
  found_inf_.zero_();
  unscaled_ = false;
}

}  // namespace afinar
