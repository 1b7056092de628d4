// Precompiled header for every target that includes LibTorch (CMakeLists.txt).
#pragma once
#include <torch/torch.h>
