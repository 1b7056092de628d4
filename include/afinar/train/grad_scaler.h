/// torch.amp.GradScaler: dynamic loss scaling for float16 mixed precision. The loss is multiplied
/// by `scale` before backward so that small float16 gradients do not flush to zero; before the
/// optimizer step the gradients are unscaled in place and checked for inf/NaN. A step with a
/// non-finite gradient is skipped and the scale backs off (× 0.5); after `growth_interval` good
/// steps in a row it grows (× 2). Numbers and state as torch's (init 2^16, growth 2 every 2000,
/// backoff 0.5), through the same kernels (_amp_foreach_non_finite_check_and_unscale_,
/// _amp_update_scale_).
///
///   afinar::GradScaler scaler(device);
///   scaler.scale(loss).backward();
///   scaler.unscale_(params);                    // then clip the true gradients
///   if (!scaler.found_inf()) optimizer.step();  // skipped otherwise
///   scaler.update();
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

namespace afinar {

class GradScaler {
 public:
  struct Options {
    double init_scale = 65536.0;
    double growth_factor = 2.0;
    double backoff_factor = 0.5;
    int64_t growth_interval = 2000;
  };
  explicit GradScaler(torch::Device device, Options options);
  explicit GradScaler(torch::Device device) : GradScaler(device, Options{}) {}

  /// loss × scale (in loss's dtype).
  torch::Tensor scale(const torch::Tensor& loss) const;
  /// Divides every defined gradient of `params` by the scale, in place, and records whether any
  /// is inf/NaN. Once per step (a second call before update() does nothing).
  void unscale_(const std::vector<torch::Tensor>& params);
  /// After unscale_: whether this step's gradients hold an inf/NaN (the step must be skipped).
  bool found_inf() const;
  /// After the step (taken or skipped): the new scale, the skipped-step count, a fresh step.
  void update();

  double get_scale() const;
  /// Steps skipped for non-finite gradients since the run began (the LR schedule does not
  /// advance on them, as HF's Trainer does not step its scheduler).
  int64_t skipped_steps() const { return skipped_; }

  /// torch's GradScaler.state_dict() keys (scale, growth_factor, backoff_factor, growth_interval,
  /// _growth_tracker) and skipped_steps.
  nlohmann::json state_dict() const;
  /// Restores state_dict(); a malformed one → FormatError naming the field.
  void load_state_dict(const nlohmann::json& state);

 private:
  Options options_;
  torch::Tensor scale_;           // () float32 on the device
  torch::Tensor growth_tracker_;  // () int32: good steps in a row
  torch::Tensor found_inf_;       // () float32: 1 when this step found inf/NaN
  bool unscaled_ = false;
  int64_t skipped_ = 0;
};

}  // namespace afinar
