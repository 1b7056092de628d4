// numpy's SeedSequence, PCG64 (XSL-RR 128/64) and Fisher-Yates shuffle; see numpy_random.h.
#include "numpy_random.h"

#include <array>
#include <cstddef>
#include <numeric>
#include <utility>

namespace afinar::data {

using std::size_t;
namespace {

// SeedSequence constants (numpy/random/bit_generator.pyx).
constexpr uint32_t INIT_A = 0x43b0d7e5, MULT_A = 0x931e8875, INIT_B = 0x8b51f9dd, MULT_B = 0x58f38ded;
constexpr uint32_t MIX_MULT_L = 0xca01f9dd, MIX_MULT_R = 0x4973f715;
constexpr int XSHIFT = 16;

/// SeedSequence(seed).generate_state(4, np.uint64) for a non-negative integer seed.
std::array<uint64_t, 4> seed_sequence_state(uint64_t seed) {
  std::vector<uint32_t> entropy;  // the seed's 32-bit words, least significant first; 0 → [0]
  do {
    entropy.push_back(uint32_t(seed));
    seed >>= 32;
  } while (seed != 0);
  uint32_t hash_const = INIT_A;
  auto hashmix = [&](uint32_t value) {
    value ^= hash_const;
    hash_const *= MULT_A;
    value *= hash_const;
    return value ^ (value >> XSHIFT);
  };
  auto mix = [](uint32_t x, uint32_t y) {
    uint32_t r = MIX_MULT_L * x - MIX_MULT_R * y;
    return r ^ (r >> XSHIFT);
  };
  std::array<uint32_t, 4> pool{};
  for (size_t i = 0; i < pool.size(); ++i) pool[i] = hashmix(i < entropy.size() ? entropy[i] : 0);
  for (size_t src = 0; src < pool.size(); ++src)
    for (size_t dst = 0; dst < pool.size(); ++dst)
      if (src != dst) pool[dst] = mix(pool[dst], hashmix(pool[src]));
  for (size_t src = pool.size(); src < entropy.size(); ++src)
    for (size_t dst = 0; dst < pool.size(); ++dst) pool[dst] = mix(pool[dst], hashmix(entropy[src]));

  uint32_t hc = INIT_B;
  std::array<uint32_t, 8> words{};
  for (size_t i = 0; i < words.size(); ++i) {
    uint32_t v = pool[i % pool.size()];
    v ^= hc;
    hc *= MULT_B;
    v *= hc;
    words[i] = v ^ (v >> XSHIFT);
  }
  std::array<uint64_t, 4> out{};
  for (size_t i = 0; i < out.size(); ++i) out[i] = uint64_t(words[2 * i]) | uint64_t(words[2 * i + 1]) << 32;
  return out;
}

const unsigned __int128 PCG_MULT =
    (static_cast<unsigned __int128>(2549297995355413924ULL) << 64) | 4865540595714422341ULL;

}  // namespace

NumpyPcg64::NumpyPcg64(uint64_t seed) {
  auto s = seed_sequence_state(seed);
  const unsigned __int128 initstate = static_cast<unsigned __int128>(s[0]) << 64 | s[1];
  const unsigned __int128 initseq = static_cast<unsigned __int128>(s[2]) << 64 | s[3];
  // pcg_setseq_128_srandom_r
  state_ = 0;
  inc_ = (initseq << 1) | 1;
  state_ = state_ * PCG_MULT + inc_;
  state_ += initstate;
  state_ = state_ * PCG_MULT + inc_;
}

uint64_t NumpyPcg64::next_uint64() {
  state_ = state_ * PCG_MULT + inc_;
  const uint64_t x = uint64_t(state_ >> 64) ^ uint64_t(state_);
  const unsigned rot = unsigned(state_ >> 122);
  return (x >> rot) | (x << ((64 - rot) & 63));
}

uint32_t NumpyPcg64::next_uint32() {
  if (has_uint32_) {
    has_uint32_ = false;
    return uinteger_;
  }
  const uint64_t next = next_uint64();
  has_uint32_ = true;
  uinteger_ = uint32_t(next >> 32);
  return uint32_t(next);
}

uint64_t NumpyPcg64::random_interval(uint64_t max) {
  if (max == 0) return 0;
  uint64_t mask = max;
  for (int s : {1, 2, 4, 8, 16, 32}) mask |= mask >> s;
  uint64_t value;
  if (max <= 0xffffffffULL) {
    while ((value = (next_uint32() & mask)) > max) {
    }
  } else {
    while ((value = (next_uint64() & mask)) > max) {
    }
  }
  return value;
}

std::vector<int64_t> numpy_permutation(uint64_t seed, int64_t n) {
  std::vector<int64_t> out(size_t(n > 0 ? n : 0));
  std::iota(out.begin(), out.end(), int64_t(0));
  NumpyPcg64 rng(seed);
  for (int64_t i = n - 1; i >= 1; --i) std::swap(out[size_t(i)], out[rng.random_interval(uint64_t(i))]);
  return out;
}

}  // namespace afinar::data
