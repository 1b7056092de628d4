// What each head takes (check_inputs): the token-level heads of BERT, RoBERTa, DistilBERT, GPT-2
// and Llama honour packed rows (DataCollatorWithFlattening: one row (1, N), cu_seq_lens or seq_idx,
// position_ids restarting per sequence) as if each sequence ran alone; every other head refuses
// them with NotImplemented, and every head refuses by name an input it does not use.
#include <gtest/gtest.h>

#include "afinar/core/check.h"
#include "models/tiny_models.h"
#include "testing/assert_close.h"

namespace afinar {
namespace {

using tiny::Kind;
using tiny::TinyHead;

const std::vector<int64_t> kSequences = {5, 3, 6};  // lengths of the packed sequences

/// The sequences alone (1, L) and packed into one row (1, N) with the flattening collator's
/// position_ids and cu_seq_lens; labels of the head's kind (causal LM: the first label of every
/// sequence is -100, as DataCollatorWithFlattening's separator, so no sequence predicts the next).
struct Packed {
  std::vector<ModelInputs> alone;
  ModelInputs packed;
};

Packed pack(const TinyHead& h) {
  torch::manual_seed(11);
  Packed p;
  std::vector<torch::Tensor> ids, pos, labels;
  std::vector<int32_t> cu = {0};
  for (int64_t L : kSequences) {
    ModelInputs one;
    one.input_ids = torch::randint(h.first_id, 99, {1, L}, torch::kLong);
    torch::Tensor l;
    if (h.kind == Kind::kToken) l = torch::randint(0, 5, {1, L}, torch::kLong);
    if (h.kind == Kind::kCausalLM) l = one.input_ids.clone().index_put_({0, 0}, -100);
    if (h.kind == Kind::kMaskedLM) l = torch::full({1, L}, -100, torch::kLong).index_put_({0, 1}, one.input_ids[0][1]);
    one.labels = l;
    ids.push_back(one.input_ids);
    labels.push_back(l);
    pos.push_back(torch::arange(L, torch::kLong).unsqueeze(0));
    cu.push_back(cu.back() + static_cast<int32_t>(L));
    p.alone.push_back(one);
  }
  p.packed.input_ids = torch::cat(ids, 1);  // (1, N)
  p.packed.position_ids = torch::cat(pos, 1);
  p.packed.labels = torch::cat(labels, 1);
  p.packed.cu_seq_lens = torch::tensor(cu, torch::kInt);
  p.packed.max_seq_len = *std::max_element(kSequences.begin(), kSequences.end());
  return p;
}

std::vector<TinyHead> packable() {
  std::vector<TinyHead> out;
  for (const auto& h : tiny::all_heads())
    if (h.packable) out.push_back(h);
  return out;
}

std::vector<TinyHead> not_packable() {
  std::vector<TinyHead> out;
  for (const auto& h : tiny::all_heads())
    if (!h.packable) out.push_back(h);
  return out;
}

class PackedRows : public testing::TestWithParam<TinyHead> {};

/// Every sequence's logits and the loss over the packed row equal those of the sequences alone.
void expect_as_alone(const TinyHead& h, PreTrainedModel& model, const Packed& p, const ModelInputs& packed,
                     const std::string& how) {
  ModelOutputs out = model->forward(packed);
  ASSERT_TRUE(out.loss.defined());
  int64_t start = 0;
  double weighted = 0, items = 0;
  for (size_t i = 0; i < p.alone.size(); ++i) {
    ModelOutputs alone = model->forward(p.alone[i]);
    const int64_t L = kSequences[i];
    EXPECT_TRUE(afinar_test::assert_close(out.logits.slice(1, start, start + L), alone.logits,
                                          afinar_test::kFp32Outputs,
                                          h.name + " " + how + " sequence " + std::to_string(i)));
    const double n = static_cast<double>(model->num_loss_items(p.alone[i]));
    weighted += alone.loss.item<double>() * n;
    items += n;
    start += L;
  }
  EXPECT_EQ(static_cast<double>(model->num_loss_items(packed)), items) << how;
  EXPECT_TRUE(afinar_test::assert_close(out.loss, torch::tensor(weighted / items), afinar_test::kFp32Outputs,
                                        h.name + " " + how + " loss"));
}

TEST_P(PackedRows, EachSequenceAsIfAlone) {
  const TinyHead& h = GetParam();
  torch::manual_seed(2);
  PreTrainedModel model = h.make();
  torch::NoGradGuard no_grad;
  const Packed p = pack(h);
  expect_as_alone(h, model, p, p.packed, "cu_seq_lens");

  ModelInputs by_seq_idx = p.packed;  // the same sequences told by seq_idx
  by_seq_idx.cu_seq_lens = torch::Tensor();
  std::vector<int32_t> idx;
  for (size_t i = 0; i < kSequences.size(); ++i) idx.insert(idx.end(), kSequences[i], static_cast<int32_t>(i));
  by_seq_idx.seq_idx = torch::tensor(idx, torch::kInt).unsqueeze(0);
  expect_as_alone(h, model, p, by_seq_idx, "seq_idx");

  ModelInputs no_positions = p.packed;  // positions derived from the boundaries
  no_positions.position_ids = torch::Tensor();
  expect_as_alone(h, model, p, no_positions, "derived position_ids");
}

TEST_P(PackedRows, WithoutTheBoundariesSequencesSeeEachOther) {
  const TinyHead& h = GetParam();
  torch::manual_seed(2);
  PreTrainedModel model = h.make();
  torch::NoGradGuard no_grad;
  const Packed p = pack(h);
  ModelInputs plain = p.packed;
  plain.cu_seq_lens = torch::Tensor();
  ModelOutputs mixed = model->forward(plain), packed = model->forward(p.packed);
  // The second sequence's logits change once it can see the first (bidirectional or causal).
  EXPECT_FALSE(
      afinar_test::assert_close(mixed.logits.slice(1, 5, 8), packed.logits.slice(1, 5, 8), afinar_test::kFp32Outputs));
}

TEST_P(PackedRows, RefusesMalformedBoundaries) {
  const TinyHead& h = GetParam();
  PreTrainedModel model = h.make();
  torch::NoGradGuard no_grad;
  ModelInputs bad = pack(h).packed;
  bad.cu_seq_lens = torch::tensor({0, 5, 8, 13}, torch::kInt);  // the row has 14 tokens
  EXPECT_THROW(model->forward(bad), InvalidArgument);
  bad.cu_seq_lens = torch::tensor({0, 5, 14}, torch::kInt);
  bad.seq_idx = torch::zeros({1, 14}, torch::kInt);  // disagrees with cu_seq_lens
  EXPECT_THROW(model->forward(bad), InvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(TokenLevelHeads, PackedRows, testing::ValuesIn(packable()),
                         [](const testing::TestParamInfo<TinyHead>& info) { return info.param.name; });

class NotPackable : public testing::TestWithParam<TinyHead> {};

TEST_P(NotPackable, RefusesPackedRows) {
  const TinyHead& h = GetParam();
  PreTrainedModel model = h.make();
  torch::NoGradGuard no_grad;
  ModelInputs in = tiny::padded_batch(h, {6}, {4});
  in.cu_seq_lens = torch::tensor({0, 2, 6}, torch::kInt);
  try {
    model->forward(in);
    ADD_FAILURE() << h.name << " took packed rows";
  } catch (const NotImplemented& e) {
    EXPECT_NE(std::string(e.what()).find("packed sequences (cu_seq_lens) for " + h.name), std::string::npos)
        << e.what();
  }
  in.cu_seq_lens = torch::Tensor();
  in.seq_idx = torch::zeros({1, 6}, torch::kInt);
  EXPECT_THROW(model->forward(in), NotImplemented);
}

INSTANTIATE_TEST_SUITE_P(OtherHeads, NotPackable, testing::ValuesIn(not_packable()),
                         [](const testing::TestParamInfo<TinyHead>& info) { return info.param.name; });

// ---------------------------------------------------------------------------------------------
// Inputs a model does not use are refused by name.

class UnusedInputs : public testing::TestWithParam<TinyHead> {};

std::string invalid_argument(PreTrainedModel& model, const ModelInputs& in) {
  try {
    model->forward(in);
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "";
}

TEST_P(UnusedInputs, VisionAndAudioInputsAreRefused) {
  const TinyHead& h = GetParam();
  PreTrainedModel model = h.make();
  torch::NoGradGuard no_grad;
  ModelInputs in = tiny::padded_batch(h, {6, 4}, {4, 3});
  ModelInputs pixels = in;
  pixels.pixel_values = torch::zeros({2, 3, 8, 8});
  std::string msg = invalid_argument(model, pixels);
  EXPECT_NE(msg.find(h.name + " does not take pixel_values"), std::string::npos) << msg;
  ModelInputs audio = in;
  audio.input_values = torch::zeros({2, 16});
  msg = invalid_argument(model, audio);
  EXPECT_NE(msg.find(h.name + " does not take input_values"), std::string::npos) << msg;
}

TEST_P(UnusedInputs, InputsOfOtherArchitecturesAreRefused) {
  const TinyHead& h = GetParam();
  PreTrainedModel model = h.make();
  torch::NoGradGuard no_grad;
  ModelInputs in = tiny::padded_batch(h, {6, 4}, {4, 3});
  if (!model->is_encoder_decoder()) {  // decoder inputs to a model without a decoder
    ModelInputs dec = in;
    dec.decoder_input_ids = in.input_ids;
    EXPECT_NE(invalid_argument(model, dec).find("does not take decoder_input_ids"), std::string::npos);
  }
  if (h.kind == Kind::kQuestionAnswering) {  // QA trains on positions, not labels
    ModelInputs lab = in;
    lab.labels = torch::zeros({2}, torch::kLong);
    EXPECT_NE(invalid_argument(model, lab).find("does not take labels"), std::string::npos);
  } else {
    ModelInputs pos = in;
    pos.start_positions = pos.end_positions = torch::zeros({2}, torch::kLong);
    EXPECT_NE(invalid_argument(model, pos).find("does not take start_positions"), std::string::npos);
  }
  // Token types: all zeros mean "none" to every model; others only where the model has them.
  ModelInputs zeros = in;
  zeros.token_type_ids = torch::zeros_like(in.input_ids);
  EXPECT_NO_THROW(model->forward(zeros));
  const bool has_types =
      h.name.rfind("Bert", 0) == 0 || h.name.rfind("Roberta", 0) == 0 || h.name.rfind("GPT2", 0) == 0;
  ModelInputs types = in;
  types.token_type_ids = torch::ones_like(in.input_ids);
  if (has_types) {
    EXPECT_NO_THROW(model->forward(types));
  } else {
    EXPECT_NE(invalid_argument(model, types).find(h.name + " has no token types"), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(Models, UnusedInputs, testing::ValuesIn(tiny::all_heads()),
                         [](const testing::TestParamInfo<TinyHead>& info) { return info.param.name; });

}  // namespace
}  // namespace afinar
