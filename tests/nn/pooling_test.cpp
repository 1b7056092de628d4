#include "afinar/nn/pooling.h"

#include <gtest/gtest.h>

#include "afinar/core/check.h"

namespace afinar {
namespace {

TEST(NnPoolLastNonPadToken, RightAndLeftPadding) {
  torch::Tensor logits = torch::arange(2 * 4 * 3, torch::kFloat).view({2, 4, 3});
  torch::Tensor ids = torch::tensor({5, 6, 0, 0, 0, 7, 8, 9}, torch::kLong).view({2, 4});
  torch::Tensor mask = ids.ne(0).to(torch::kLong);
  torch::Tensor got = pool_last_non_pad_token(logits, ids, mask, 0, "Head");
  EXPECT_TRUE(torch::equal(got[0], logits[0][1]));
  EXPECT_TRUE(torch::equal(got[1], logits[1][3]));
  // Without an attention mask the pad id alone decides, as transformers.
  EXPECT_TRUE(torch::equal(pool_last_non_pad_token(logits, ids, {}, 0, "Head"), got));
}

TEST(NnPoolLastNonPadToken, RefusesPaddingThatIsNotThePadId) {
  torch::Tensor logits = torch::zeros({2, 4, 3});
  torch::Tensor ids = torch::tensor({5, 6, 0, 0, 7, 7, 8, 9}, torch::kLong).view({2, 4});
  torch::Tensor mask = torch::tensor({1, 1, 0, 0, 1, 1, 1, 1}, torch::kLong).view({2, 4});
  try {
    pool_last_non_pad_token(logits, ids, mask, 32000, "LlamaForSequenceClassification");
    FAIL();
  } catch (const InvalidArgument& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("LlamaForSequenceClassification: the batch is padded with token 0"), std::string::npos) << msg;
    EXPECT_NE(msg.find("config.pad_token_id is 32000"), std::string::npos) << msg;
    EXPECT_NE(msg.find("HINT"), std::string::npos) << msg;
  }
  EXPECT_THROW(pool_last_non_pad_token(logits, ids, mask, std::nullopt, "H"), InvalidArgument) << "no pad id";
  EXPECT_THROW(pool_last_non_pad_token(logits, ids, {}, std::nullopt, "H"), InvalidArgument) << "2 rows, no pad id";
  torch::Tensor one = pool_last_non_pad_token(logits.slice(0, 1), ids.slice(0, 1), {}, std::nullopt, "H");
  EXPECT_EQ(one.sizes(), (std::vector<int64_t>{1, 3}));
}

TEST(NnLastEosPool, TheLastEosOfEachRow) {
  torch::Tensor h = torch::arange(2 * 4 * 2, torch::kFloat).view({2, 4, 2});
  torch::Tensor ids = torch::tensor({2, 5, 2, 1, 5, 2, 6, 2}, torch::kLong).view({2, 4});
  torch::Tensor got = last_eos_pool(h, ids, 2, "Head");
  EXPECT_TRUE(torch::equal(got[0], h[0][2]));
  EXPECT_TRUE(torch::equal(got[1], h[1][3]));
  EXPECT_THROW(last_eos_pool(h, torch::tensor({2, 5, 5, 1, 5, 2, 6, 2}, torch::kLong).view({2, 4}), 2, "Head"),
               InvalidArgument)
      << "different eos counts";
  EXPECT_THROW(last_eos_pool(h, torch::full({2, 4}, 5, torch::kLong), 2, "Head"), InvalidArgument) << "no eos";
}

}  // namespace
}  // namespace afinar
