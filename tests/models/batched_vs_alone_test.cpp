// Padding is what every head treats as padding: for every family × head (tiny random models), a
// right-padded batch of rows of different lengths gives each row's outputs (and the loss) of that
// row run alone; the heads that find padding by token id (GPT-2 / Llama sequence classification)
// refuse a batch padded with another id, as transformers refuses a tokenizer without a pad token.
#include <gtest/gtest.h>

#include "afinar/core/check.h"
#include "afinar/nn/pooling.h"
#include "models/tiny_models.h"
#include "testing/assert_close.h"

namespace afinar {
namespace {

using tiny::Kind;
using tiny::TinyHead;

const std::vector<int64_t> kLengths = {7, 4, 6, 3};       // real tokens per row
const std::vector<int64_t> kLabelLengths = {5, 2, 4, 3};  // seq2seq labels per row

class BatchedVsAlone : public testing::TestWithParam<TinyHead> {};

/// The outputs of row r that running it alone must reproduce: logits (sequence heads), the real
/// positions' logits (token-level heads, seq2seq decoder logits at the real labels), start/end logits.
std::vector<std::pair<std::string, torch::Tensor>> row_outputs(const TinyHead& h, const ModelOutputs& out, int64_t r,
                                                               int64_t length, int64_t label_length) {
  switch (h.kind) {
    case Kind::kSequence:
      return {{"logits", out.logits[r]}};
    case Kind::kQuestionAnswering:
      return {{"start_logits", out.start_logits[r].slice(0, 0, length)},
              {"end_logits", out.end_logits[r].slice(0, 0, length)}};
    case Kind::kSeq2SeqLM:
      return {{"logits", out.logits[r].slice(0, 0, label_length)}};
    default:
      return {{"logits", out.logits[r].slice(0, 0, length)}};
  }
}

TEST_P(BatchedVsAlone, EveryRowAsIfAlone) {
  const TinyHead& h = GetParam();
  torch::manual_seed(1);
  PreTrainedModel model = h.make();
  torch::NoGradGuard no_grad;
  const ModelInputs batch = tiny::padded_batch(h, kLengths, kLabelLengths);
  ModelOutputs out = model->forward(batch);
  ASSERT_TRUE(out.loss.defined());
  double weighted = 0, items = 0;  // Σ loss_r·n_r / Σ n_r: the batch's mean over the same items
  for (size_t r = 0; r < kLengths.size(); ++r) {
    const int64_t label_length = h.kind == Kind::kSeq2SeqLM ? kLabelLengths[r] : kLengths[r];
    const ModelInputs one = tiny::row_alone(batch, r, kLengths[r], label_length);
    ModelOutputs alone = model->forward(one);
    auto got = row_outputs(h, out, r, kLengths[r], kLabelLengths[r]);
    auto want = row_outputs(h, alone, 0, kLengths[r], kLabelLengths[r]);
    for (size_t i = 0; i < got.size(); ++i)
      EXPECT_TRUE(afinar_test::assert_close(got[i].second, want[i].second, afinar_test::kFp32Outputs,
                                            h.name + " row " + std::to_string(r) + " " + got[i].first));
    const double n = static_cast<double>(model->num_loss_items(one));
    weighted += alone.loss.item<double>() * n;
    items += n;
  }
  EXPECT_EQ(static_cast<double>(model->num_loss_items(batch)), items) << "the batch counts the rows' items";
  // Question answering's softmax runs over every position, padding included (as transformers'):
  // its loss depends on the padded length, so only its logits compare.
  if (h.kind != Kind::kQuestionAnswering) {
    EXPECT_TRUE(afinar_test::assert_close(out.loss, torch::tensor(weighted / items), afinar_test::kFp32Outputs,
                                          h.name + " loss"));
  }
}

INSTANTIATE_TEST_SUITE_P(Models, BatchedVsAlone, testing::ValuesIn(tiny::all_heads()),
                         [](const testing::TestParamInfo<TinyHead>& info) { return info.param.name; });

// ---------------------------------------------------------------------------------------------
// Heads that find the last real token by pad_token_id.

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "";
}

class PadById : public testing::TestWithParam<std::string> {
 protected:
  const TinyHead& head() const {
    for (const auto& h : tiny::all_heads())
      if (h.name == GetParam()) return h;
    throw InvalidArgument("no head " + GetParam());
  }
};

TEST_P(PadById, RefusesABatchPaddedWithAnotherId) {
  const TinyHead& h = head();
  PreTrainedModel model = h.make();
  torch::NoGradGuard no_grad;
  ModelInputs batch = tiny::padded_batch(h, kLengths, kLabelLengths);
  // The user's case: the collator padded with 0 while config.pad_token_id is 32000 (here: 0 vs 5).
  batch.input_ids.masked_fill_(batch.attention_mask == 0, 5);
  const std::string msg = error_of([&] { model->forward(batch); });
  EXPECT_NE(msg.find(h.name), std::string::npos) << msg;
  EXPECT_NE(msg.find("padded with token 5"), std::string::npos) << msg;
  EXPECT_NE(msg.find("config.pad_token_id is 0"), std::string::npos) << msg;
  EXPECT_NE(msg.find("HINT"), std::string::npos) << msg;
}

TEST_P(PadById, WithoutPadTokenRefusesPaddedBatches) {
  const TinyHead& h = head();
  PreTrainedModel model = h.make();
  torch::NoGradGuard no_grad;
  if (auto* g = dynamic_cast<GPT2ForSequenceClassificationImpl*>(model.get())) g->config.pad_token_id.reset();
  if (auto* l = dynamic_cast<LlamaForSequenceClassificationImpl*>(model.get())) l->config.pad_token_id.reset();
  ModelInputs batch = tiny::padded_batch(h, kLengths, kLabelLengths);
  EXPECT_NE(
      error_of([&] { model->forward(batch); }).find("Cannot handle batch sizes > 1 if no padding token is defined"),
      std::string::npos);
  // One padded row is refused too: its last position is padding.
  ModelInputs one = tiny::rows(batch, 1, 2);
  EXPECT_NE(error_of([&] { model->forward(one); }).find("no padding token"), std::string::npos);
  // One unpadded row is the last token, as transformers.
  ModelInputs alone = tiny::row_alone(batch, 0, kLengths[0], 0);
  ModelOutputs out = model->forward(alone);
  EXPECT_EQ(out.logits.sizes(), (std::vector<int64_t>{1, 3}));
}

TEST_P(PadById, LeftPaddingWithThePadIdPoolsTheLastToken) {
  const TinyHead& h = head();
  PreTrainedModel model = h.make();
  torch::NoGradGuard no_grad;
  ModelInputs right = tiny::padded_batch(h, kLengths, kLabelLengths);
  ModelInputs left = right;
  left.input_ids = right.input_ids.clone();
  left.attention_mask = right.attention_mask.clone();
  for (size_t r = 0; r < kLengths.size(); ++r) {  // move the real tokens to the end of the row
    const int64_t T = right.input_ids.size(1), L = kLengths[r];
    left.input_ids[r] = torch::cat({right.input_ids[r].slice(0, L), right.input_ids[r].slice(0, 0, L)});
    left.attention_mask[r] = torch::cat({right.attention_mask[r].slice(0, L), right.attention_mask[r].slice(0, 0, L)});
    ASSERT_EQ(left.input_ids[r][T - 1].item<int64_t>(), right.input_ids[r][L - 1].item<int64_t>());
  }
  // Pooling picks each row's last real token either way (the hidden states differ: positions).
  torch::Tensor logits = torch::arange(4 * 7 * 2, torch::kFloat).view({4, 7, 2});
  torch::Tensor a = pool_last_non_pad_token(logits, right.input_ids, right.attention_mask, 0, h.name);
  torch::Tensor b = pool_last_non_pad_token(logits, left.input_ids, left.attention_mask, 0, h.name);
  for (size_t r = 0; r < kLengths.size(); ++r) {
    EXPECT_TRUE(torch::equal(a[r], logits[r][kLengths[r] - 1]));
    EXPECT_TRUE(torch::equal(b[r], logits[r][6]));
  }
  EXPECT_NO_THROW(model->forward(left));
}

INSTANTIATE_TEST_SUITE_P(DecoderHeads, PadById,
                         testing::Values("GPT2ForSequenceClassification", "LlamaForSequenceClassification"));

}  // namespace
}  // namespace afinar
