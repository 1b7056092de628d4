// Padding-free forwards (PreTrainedModelImpl::padding_free, nn/token_grid.h) equal the padded
// computation: for every family × head, the same batch with padding_free on and off gives the same
// outputs at real positions, the same loss and the same gradient of every parameter — right-padded
// rows, left-padded rows (decoder heads), packed rows, and labels at padding (the loss then falls
// back to the padded computation, so that it stays transformers').
#include <gtest/gtest.h>

#include "afinar/nn/token_grid.h"
#include "models/tiny_models.h"
#include "testing/assert_close.h"

namespace afinar {
namespace {

using tiny::Kind;
using tiny::TinyHead;

const std::vector<int64_t> kLengths = {7, 4, 6, 3};
const std::vector<int64_t> kLabelLengths = {5, 2, 4, 3};

// fp32: the two computations reduce over the same terms in other blockings (N rows against B·T).
constexpr afinar_test::Tolerance kLogits{1e-5, 1e-5};
constexpr afinar_test::Tolerance kLoss{0, 1e-6};
constexpr afinar_test::Tolerance kGradients{1e-6, 1e-5};

struct Pass {
  ModelOutputs out;
  std::vector<std::pair<std::string, torch::Tensor>> grads;
};

Pass run(PreTrainedModel& model, const ModelInputs& in, bool padding_free) {
  model->padding_free = padding_free;
  model->zero_grad();
  Pass r;
  r.out = model->forward(in);
  r.out.loss.backward();
  for (const auto& p : model->named_parameters())
    if (p.value().grad().defined()) r.grads.emplace_back(p.key(), p.value().grad().clone());
  return r;
}

/// The outputs that must agree: at the real positions for token-level ones (`keep` (B, T)).
std::vector<std::pair<std::string, torch::Tensor>> outputs(const ModelOutputs& out, const torch::Tensor& keep) {
  auto real = [&](const torch::Tensor& t) { return t.dim() >= 2 && t.size(1) == keep.size(1) ? t.index({keep}) : t; };
  std::vector<std::pair<std::string, torch::Tensor>> o = {{"logits", real(out.logits)}};
  if (out.start_logits.defined()) o = {{"start_logits", out.start_logits}, {"end_logits", out.end_logits}};
  return o;
}

void expect_equal(const Pass& padded, const Pass& unpadded, const torch::Tensor& keep, const std::string& what) {
  auto a = outputs(unpadded.out, keep), b = outputs(padded.out, keep);
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_TRUE(afinar_test::assert_close(a[i].second, b[i].second, kLogits, what + " " + a[i].first));
  EXPECT_TRUE(afinar_test::assert_close(unpadded.out.loss, padded.out.loss, kLoss, what + " loss"));
  ASSERT_EQ(unpadded.grads.size(), padded.grads.size()) << what;
  for (size_t i = 0; i < unpadded.grads.size(); ++i)
    EXPECT_TRUE(afinar_test::assert_close(unpadded.grads[i].second, padded.grads[i].second, kGradients,
                                          what + " grad " + unpadded.grads[i].first));
}

/// Heads that run padding-free on a padded batch: all but question answering, whose softmax covers
/// padding (as transformers'). Encoder-decoder heads run their encoder padding-free.
bool runs_padding_free(const TinyHead& h) {
  return h.kind != Kind::kQuestionAnswering;
}

class PaddingFree : public testing::TestWithParam<TinyHead> {};

TEST_P(PaddingFree, RightPaddedEqualsPadded) {
  const TinyHead& h = GetParam();
  torch::manual_seed(1);
  PreTrainedModel model = h.make();
  const ModelInputs batch = tiny::padded_batch(h, kLengths, kLabelLengths);
  const torch::Tensor keep = batch.attention_mask.to(torch::kBool);
  Pass padded = run(model, batch, false), unpadded = run(model, batch, true);
  expect_equal(padded, unpadded, keep, h.name);
  const bool token_level = h.kind == Kind::kToken || h.kind == Kind::kMaskedLM || h.kind == Kind::kCausalLM;
  if (token_level && runs_padding_free(h)) {  // no FLOP was spent on padding: its logits are never computed
    EXPECT_EQ(unpadded.out.logits.index({keep.logical_not()}).abs().max().item<double>(), 0.0) << h.name;
    EXPECT_GT(padded.out.logits.index({keep.logical_not()}).abs().max().item<double>(), 0.0) << h.name;
  }
}

/// Token-level labels at padded positions would be read by the loss: the head falls back to the
/// padded computation, so the loss stays the padded one.
std::vector<TinyHead> token_heads() {
  std::vector<TinyHead> out;
  for (const auto& h : tiny::all_heads())
    if (h.kind == Kind::kToken) out.push_back(h);
  return out;
}

class LabelsAtPadding : public testing::TestWithParam<TinyHead> {};

TEST_P(LabelsAtPadding, KeepThePaddedLoss) {
  const TinyHead& h = GetParam();
  torch::manual_seed(1);
  PreTrainedModel model = h.make();
  ModelInputs batch = tiny::padded_batch(h, kLengths, kLabelLengths);
  batch.labels = batch.labels.masked_fill(batch.attention_mask == 0, 1);  // class 1 at padding
  Pass padded = run(model, batch, false), unpadded = run(model, batch, true);
  EXPECT_TRUE(afinar_test::assert_close(unpadded.out.loss, padded.out.loss, kLoss, h.name + " loss"));
  EXPECT_TRUE(afinar_test::assert_close(unpadded.out.logits, padded.out.logits, kLogits, h.name + " logits"));
}

INSTANTIATE_TEST_SUITE_P(Models, PaddingFree, testing::ValuesIn(tiny::all_heads()),
                         [](const testing::TestParamInfo<TinyHead>& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(TokenHeads, LabelsAtPadding, testing::ValuesIn(token_heads()),
                         [](const testing::TestParamInfo<TinyHead>& info) { return info.param.name; });

// ---------------------------------------------------------------------------------------------
// Left padding (decoder heads: the padding comes first, positions stay 0..T-1 as transformers').

std::vector<TinyHead> decoder_heads() {
  std::vector<TinyHead> out;
  for (const auto& h : tiny::all_heads())
    if ((h.name.rfind("GPT2", 0) == 0 || h.name.rfind("Llama", 0) == 0 || h.name.rfind("Mistral", 0) == 0) &&
        h.kind != Kind::kQuestionAnswering)
      out.push_back(h);
  return out;
}

/// Each row of a right-padded batch moved to the end of its row.
ModelInputs left_padded(const ModelInputs& in) {
  ModelInputs out = in;
  auto roll = [&](const torch::Tensor& t, int64_t r, int64_t pad) {
    t.select(0, r).copy_(t.select(0, r).roll(pad, 0));
  };
  out.input_ids = in.input_ids.clone(), out.attention_mask = in.attention_mask.clone();
  if (in.labels.defined() && in.labels.dim() == 2) out.labels = in.labels.clone();
  for (int64_t r = 0; r < in.input_ids.size(0); ++r) {
    const int64_t pad = in.input_ids.size(1) - in.attention_mask[r].sum().item<int64_t>();
    roll(out.input_ids, r, pad), roll(out.attention_mask, r, pad);
    if (out.labels.defined() && out.labels.dim() == 2) roll(out.labels, r, pad);
  }
  return out;
}

class LeftPadded : public testing::TestWithParam<TinyHead> {};

TEST_P(LeftPadded, EqualsPadded) {
  const TinyHead& h = GetParam();
  torch::manual_seed(1);
  PreTrainedModel model = h.make();
  const ModelInputs batch = left_padded(tiny::padded_batch(h, kLengths, kLabelLengths));
  Pass padded = run(model, batch, false), unpadded = run(model, batch, true);
  // A causal LM's last padded position predicts each row's first token (transformers computes that
  // term from the padding's state): that batch falls back to the padded computation, still equal.
  expect_equal(padded, unpadded, batch.attention_mask.to(torch::kBool), h.name + " left-padded");
}

INSTANTIATE_TEST_SUITE_P(Decoders, LeftPadded, testing::ValuesIn(decoder_heads()),
                         [](const testing::TestParamInfo<TinyHead>& info) { return info.param.name; });

// ---------------------------------------------------------------------------------------------
// Packed rows: one grid row per sequence against the block-diagonal mask over the whole row.

std::vector<TinyHead> packable() {
  std::vector<TinyHead> out;
  for (const auto& h : tiny::all_heads())
    if (h.packable) out.push_back(h);
  return out;
}

class PackedPaddingFree : public testing::TestWithParam<TinyHead> {};

TEST_P(PackedPaddingFree, EqualsTheBlockDiagonalMask) {
  const TinyHead& h = GetParam();
  torch::manual_seed(1);
  PreTrainedModel model = h.make();
  // The padded batch's real tokens, concatenated: sequences of kLengths in one row (1, N).
  const ModelInputs rows = tiny::padded_batch(h, kLengths, kLabelLengths);
  const torch::Tensor keep = rows.attention_mask.to(torch::kBool);
  ModelInputs packed;
  packed.input_ids = rows.input_ids.index({keep}).unsqueeze(0);
  torch::Tensor labels = rows.labels.index({keep});
  if (h.kind == Kind::kCausalLM) {  // DataCollatorWithFlattening's separator: no sequence predicts the next
    int64_t start = 0;
    for (int64_t L : kLengths) labels[start] = -100, start += L;
  }
  packed.labels = labels.unsqueeze(0);
  std::vector<int32_t> cu = {0};
  for (int64_t L : kLengths) cu.push_back(cu.back() + static_cast<int32_t>(L));
  packed.cu_seq_lens = torch::tensor(cu, torch::kInt);
  Pass padded = run(model, packed, false), unpadded = run(model, packed, true);
  expect_equal(padded, unpadded, torch::ones_like(packed.input_ids, torch::kBool), h.name + " packed");
}

INSTANTIATE_TEST_SUITE_P(TokenLevelHeads, PackedPaddingFree, testing::ValuesIn(packable()),
                         [](const testing::TestParamInfo<TinyHead>& info) { return info.param.name; });

// ---------------------------------------------------------------------------------------------
// TokenGrid itself.

TEST(TokenGrid, PaddedBatchRoundTrips) {
  torch::Tensor mask = torch::tensor({1, 1, 1, 0, 1, 0, 0, 0}, torch::kLong).view({2, 4});
  TokenGrid g = TokenGrid::from_padding(mask);
  ASSERT_TRUE(g.active());
  EXPECT_EQ(g.num_tokens(), 4);
  torch::Tensor x = torch::arange(8, torch::kFloat).view({2, 4, 1});
  torch::Tensor t = g.gather(x);  // (N, 1)
  EXPECT_TRUE(torch::equal(t.view(-1), torch::tensor({0.f, 1.f, 2.f, 4.f})));
  EXPECT_TRUE(torch::equal(g.scatter(t), x * mask.unsqueeze(-1)));
  EXPECT_TRUE(torch::equal(g.from_rows(g.to_rows(t)), t));
  EXPECT_TRUE(torch::equal(g.gather(torch::arange(4).unsqueeze(0)), torch::tensor({0, 1, 2, 0})))
      << "a (1, T) tensor broadcasts over the batch";
  EXPECT_FALSE(TokenGrid::from_padding(torch::ones({2, 4}, torch::kLong)).active()) << "no padding, nothing to drop";
  EXPECT_FALSE(TokenGrid::from_padding({}).active());
}

TEST(TokenGrid, PackedRowsGetOneRowPerSequence) {
  torch::Tensor seq = torch::tensor({0, 0, 0, 1, 2, 2}, torch::kLong).view({1, 6});
  TokenGrid g = TokenGrid::from_packed(seq);
  EXPECT_EQ(g.rows(), 3);
  EXPECT_EQ(g.width(), 3);
  EXPECT_TRUE(torch::equal(g.rows_attention_mask(), torch::tensor({1, 1, 1, 1, 0, 0, 1, 1, 0}).view({3, 3})));
  torch::Tensor t = torch::arange(6, torch::kFloat).view({6, 1});
  EXPECT_TRUE(torch::equal(g.to_rows(t).view({3, 3}),
                           torch::tensor({0.f, 1.f, 2.f, 3.f, 0.f, 0.f, 4.f, 5.f, 0.f}).view({3, 3})));
  EXPECT_TRUE(torch::equal(g.from_rows(g.to_rows(t)), t));
}

TEST(TokenGrid, IgnoresPaddingLooksAtTheShiftedLabels) {
  torch::Tensor mask = torch::tensor({0, 1, 1}, torch::kLong).view({1, 3});  // left padding
  TokenGrid g = TokenGrid::from_padding(mask);
  torch::Tensor labels = torch::tensor({-100, 5, 6}, torch::kLong).view({1, 3});
  EXPECT_TRUE(g.ignores_padding(labels, /*shift=*/false));
  EXPECT_FALSE(g.ignores_padding(labels, /*shift=*/true)) << "the padded position predicts the 5";
}

}  // namespace
}  // namespace afinar
