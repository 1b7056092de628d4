/// NumPy .npy files (format 1.0), the predictions format `numpy.load` reads.
///
///   afinar::save_npy("logits.npy", logits);   // (N, C) float32 → '<f4', shape (N, C)
#pragma once
#include <torch/torch.h>

#include <filesystem>

namespace afinar {

/// Writes a CPU-copyable tensor of float32/float64/int64/int32 as .npy, atomically.
void save_npy(const std::filesystem::path& path, const torch::Tensor& t);
/// Reads a little-endian, C-order .npy of those dtypes. Throws FormatError on anything else.
torch::Tensor load_npy(const std::filesystem::path& path);

}  // namespace afinar
