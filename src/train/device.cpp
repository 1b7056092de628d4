#include <dlfcn.h>
#include <unistd.h>

#include <iostream>

#include "afinar/train/trainer.h"

namespace afinar {

// afinar links LibTorch's CPU libraries only; the CUDA backend (libtorch_cuda.so, which registers
// its kernels when loaded) is opened here on machines that have an NVIDIA driver. CPU-only
// machines then need none of the CUDA libraries.
torch::Device select_device(bool use_cpu) {
  if (use_cpu) return torch::kCPU;
  static const bool cuda = [] {
    if (::access("/proc/driver/nvidia/version", F_OK) != 0 && ::access("/dev/nvidia0", F_OK) != 0) return false;
    if (!::dlopen("libtorch_cuda.so", RTLD_NOW | RTLD_GLOBAL)) {
      std::cerr << "warning: an NVIDIA driver is present but libtorch_cuda.so could not be loaded (" << ::dlerror()
                << "); training on CPU\n";
      return false;
    }
    return torch::cuda::is_available();
  }();
  return cuda ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
}

}  // namespace afinar
