// numpy's default_rng(seed).permutation(n), compared with numpy's own output (fixture).
#include "../../src/data/numpy_random.h"

#include "test_util.h"

namespace afinar::data {
namespace {

TEST(NumpyRandom, PermutationsMatchNumpy) {
  auto expected = test::read_json_file(test::fixtures_dir() / "transforms_expected.json")["permutations"];
  ASSERT_FALSE(expected.empty());
  for (const auto& [key, perm] : expected.items()) {
    SCOPED_TRACE(key);
    const uint64_t seed = std::stoull(key.substr(0, key.find('/')));
    const int64_t n = std::stoll(key.substr(key.find('/') + 1));
    EXPECT_EQ(numpy_permutation(seed, n), perm.get<std::vector<int64_t>>());
  }
  EXPECT_TRUE(numpy_permutation(3, 0).empty());
}

}  // namespace
}  // namespace afinar::data
