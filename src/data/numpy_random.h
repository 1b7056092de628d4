// numpy's default_rng(seed).permutation(n), bit for bit: SeedSequence → PCG64 → Generator.shuffle
// (numpy/random/bit_generator.pyx, pcg64.h, _generator.pyx). HF datasets draws its shuffle and
// train_test_split orders from it, so afinar gives the same rows for the same seed.
#pragma once
#include <cstdint>
#include <vector>

namespace afinar::data {

class NumpyPcg64 {
 public:
  explicit NumpyPcg64(uint64_t seed);
  uint64_t next_uint64();
  uint32_t next_uint32();  ///< the low half of a 64-bit draw, then its high half
  /// Uniform integer in [0, max] by masked rejection (numpy's random_interval).
  uint64_t random_interval(uint64_t max);

 private:
  unsigned __int128 state_ = 0, inc_ = 0;
  bool has_uint32_ = false;
  uint32_t uinteger_ = 0;
};

/// np.random.default_rng(seed).permutation(n).
std::vector<int64_t> numpy_permutation(uint64_t seed, int64_t n);

}  // namespace afinar::data
