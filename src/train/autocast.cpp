// torch.autocast's __enter__ / __exit__ (torch/amp/autocast_mode.py) on LibTorch's autocast state.
#include "afinar/train/autocast.h"

#include <ATen/autocast_mode.h>

namespace afinar {

AutocastGuard::AutocastGuard(torch::DeviceType device, std::optional<torch::ScalarType> dtype) : device_(device) {
  if (!dtype) return;
  active_ = true;
  previous_enabled_ = at::autocast::is_autocast_enabled(device_);
  previous_dtype_ = at::autocast::get_autocast_dtype(device_);
  at::autocast::set_autocast_enabled(device_, true);
  at::autocast::set_autocast_dtype(device_, *dtype);
  at::autocast::increment_nesting();
}

AutocastGuard::~AutocastGuard() {
  if (!active_) return;
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  at::autocast::set_autocast_enabled(device_, previous_enabled_);
  at::autocast::set_autocast_dtype(device_, previous_dtype_);
}

}  // namespace afinar
