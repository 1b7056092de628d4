// Gradient accumulation on real heads (the tiny HF checkpoints of tests/fixtures/models): 4
// micro-batches of uneven length with gradient_accumulation_steps 4 make the same update as one
// batch of all 8 sequences. Causal LM: the loss is normalised by the shifted target tokens of all
// micro-batches (HF's num_items_in_batch). Sequence classification: micro-batch means averaged
// (equal-size micro-batches), padding masked by the model.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "afinar/collators/data_collator.h"
#include "afinar/collators/seq2seq.h"
#include "afinar/collators/token_classification.h"
#include "afinar/models/modeling.h"
#include "afinar/train/trainer.h"
#include "afinar_test_paths.h"

namespace fs = std::filesystem;

namespace {

const std::vector<std::vector<int32_t>> kIds = {{11, 12},         {13, 14, 15, 16, 17, 18}, {15, 16, 17}, {12, 40},
                                                {19, 11, 12, 13}, {14, 14, 9, 8, 7},        {17, 5},      {18, 19, 11}};

struct TrainRun {
  std::vector<torch::Tensor> weights;
  double loss;
};

TrainRun train(afinar::PreTrainedModel model, const afinar::Examples& data,
               std::shared_ptr<const afinar::DataCollator> collate, int64_t bs, int64_t accum, const fs::path& out) {
  afinar::TrainingArguments a(out.string());
  a.use_cpu = true;
  a.optim = "sgd";
  a.learning_rate = 0.5;
  a.max_grad_norm = 0;
  a.lr_scheduler_type = "constant";
  a.num_train_epochs = 1;
  a.per_device_train_batch_size = bs;
  a.gradient_accumulation_steps = accum;
  a.train_sampling_strategy = "sequential";
  a.save_strategy = "no";
  a.logging_steps = 1;
  afinar::Trainer t(model, a, collate, &data);
  t.train();
  TrainRun r;
  for (const auto& p : model->parameters()) r.weights.push_back(p.detach().clone());
  r.loss = t.state().log_history[0]["loss"].get<double>();
  return r;
}

double max_diff(const TrainRun& a, const TrainRun& b) {
  double d = 0;
  for (size_t i = 0; i < a.weights.size(); ++i)
    d = std::max(d, (a.weights[i] - b.weights[i]).abs().max().item<double>());
  return d;
}

fs::path fixture(const char* name) {
  return fs::path(AFINAR_FIXTURES_DIR) / "models" / name;
}

}  // namespace

TEST(GradientAccumulation, CausalLmUnevenMicroBatchesEqualOneBatch) {
  std::map<std::string, std::vector<std::vector<int32_t>>> rows;
  for (const auto& ids : kIds) {
    rows["input_ids"].push_back(ids);
    rows["attention_mask"].emplace_back(ids.size(), 1);
    rows["labels"].push_back(ids);  // the model shifts them
  }
  const afinar::Examples data = afinar::Examples::from_rows(rows);
  afinar::FromPretrainedOptions o;
  o.config_overrides = {{"resid_pdrop", 0.0}, {"embd_pdrop", 0.0}, {"attn_pdrop", 0.0}};
  auto collate = std::make_shared<afinar::DataCollatorForTokenClassification>(afinar::PadOptions{});
  const fs::path out = fs::temp_directory_path() / ("afinar_accum_clm_" + std::to_string(::getpid()));
  auto load = [&] { return afinar::AutoModelForCausalLM::from_pretrained(fixture("tiny_gpt2_lm").string(), o); };
  const TrainRun acc = train(load(), data, collate, 2, 4, out);
  const TrainRun one = train(load(), data, collate, 8, 1, out);
  fs::remove_all(out);
  EXPECT_LT(max_diff(acc, one), 1e-5);
  EXPECT_NEAR(acc.loss, one.loss, 1e-5);
  // Dividing each micro-batch by its own token count (or by 4) would give another update.
  const TrainRun init{[&] {
                        std::vector<torch::Tensor> w;
                        for (const auto& p : load()->parameters()) w.push_back(p.detach().clone());
                        return w;
                      }(),
                      0};
  EXPECT_GT(max_diff(init, one), 1e-3);
}

TEST(GradientAccumulation, SequenceClassificationUnevenLengthsEqualOneBatch) {
  std::map<std::string, std::vector<std::vector<int32_t>>> rows;
  afinar::Examples data;
  std::vector<int64_t> label_values;
  for (size_t i = 0; i < kIds.size(); ++i) {
    rows["input_ids"].push_back(kIds[i]);
    rows["attention_mask"].emplace_back(kIds[i].size(), 1);
    label_values.push_back(static_cast<int32_t>(i % 3));  // the fixture's head: 3 labels
  }
  data.labels["label"] = label_values;
  data.sequences = afinar::Examples::from_rows(rows).sequences;
  afinar::FromPretrainedOptions o;
  o.config_overrides = {{"hidden_dropout_prob", 0.0}, {"attention_probs_dropout_prob", 0.0}};
  auto collate = std::make_shared<afinar::DataCollatorWithPadding>(0);
  const fs::path out = fs::temp_directory_path() / ("afinar_accum_cls_" + std::to_string(::getpid()));
  auto load = [&] {
    return afinar::AutoModelForSequenceClassification::from_pretrained(fixture("tiny_bert").string(), o);
  };
  const TrainRun acc = train(load(), data, collate, 2, 4, out);
  const TrainRun one = train(load(), data, collate, 8, 1, out);
  fs::remove_all(out);
  EXPECT_LT(max_diff(acc, one), 1e-5);
  EXPECT_NEAR(acc.loss, one.loss, 1e-5);
}

namespace {

// Uneven source and target lengths, as translation pairs are: labels padded with -100 by the
// collator, decoder_input_ids made by the model from them (shift_tokens_right).
afinar::Examples translation_pairs() {
  std::map<std::string, std::vector<std::vector<int32_t>>> seq;
  const std::vector<std::vector<int32_t>> targets = {
      {21, 22, 1}, {23, 1}, {24, 25, 26, 27, 1}, {28, 1}, {29, 30, 31, 1}, {32, 33, 1}, {34, 1}, {35, 36, 37, 1}};
  for (size_t i = 0; i < kIds.size(); ++i) {
    std::vector<int32_t> src = kIds[i];
    src.push_back(1);  // </s>
    seq["input_ids"].push_back(src);
    seq["attention_mask"].emplace_back(src.size(), 1);
    seq["labels"].push_back(targets[i]);
  }
  return afinar::Examples::from_rows(seq);
}

std::shared_ptr<const afinar::DataCollator> seq2seq_collator(int32_t pad) {
  afinar::PadOptions p;
  p.pad_token_id = pad;
  return std::make_shared<afinar::DataCollatorForSeq2Seq>(p);
}

TrainRun train_seq2seq(const char* model, int64_t bs, int64_t accum, double smoothing, const fs::path& out) {
  afinar::FromPretrainedOptions o;
  o.config_overrides = {
      {"dropout_rate", 0.0}, {"dropout", 0.0}, {"attention_dropout", 0.0}, {"activation_dropout", 0.0}};
  auto m = afinar::AutoModelForSeq2SeqLM::from_pretrained(fixture(model).string(), o);
  const int32_t pad = m->config_json().value("pad_token_id", 0);
  afinar::TrainingArguments a(out.string());
  a.use_cpu = true;
  a.optim = "sgd";
  a.learning_rate = 0.5;
  a.max_grad_norm = 0;
  a.lr_scheduler_type = "constant";
  a.num_train_epochs = 1;
  a.per_device_train_batch_size = bs;
  a.gradient_accumulation_steps = accum;
  a.train_sampling_strategy = "sequential";
  a.save_strategy = "no";
  a.logging_steps = 1;
  a.label_smoothing_factor = smoothing;
  const afinar::Examples data = translation_pairs();
  afinar::Trainer t(m, a, seq2seq_collator(pad), &data);
  t.train();
  TrainRun r;
  for (const auto& p : m->parameters()) r.weights.push_back(p.detach().clone());
  r.loss = t.state().log_history[0]["loss"].get<double>();
  return r;
}

}  // namespace

// The bug this guards: translation with gradient accumulation (or label smoothing) used to fail
// ("decoder_input_ids or labels is required") because the Trainer took the labels away from the
// model to compute the loss itself. Now the head computes it, normalised by the target tokens of
// the whole accumulated batch: accumulation 2 equals one batch twice as large, with and without
// label smoothing, for T5 and BART.
TEST(GradientAccumulation, TranslationAccumulationEqualsTwiceTheBatch) {
  const fs::path out = fs::temp_directory_path() / ("afinar_accum_mt_" + std::to_string(::getpid()));
  for (const char* model : {"tiny_t5", "tiny_bart"})
    for (double smoothing : {0.0, 0.1}) {
      SCOPED_TRACE(std::string(model) + " label_smoothing_factor " + std::to_string(smoothing));
      const TrainRun acc = train_seq2seq(model, 2, 2, smoothing, out);
      const TrainRun one = train_seq2seq(model, 4, 1, smoothing, out);
      EXPECT_LT(max_diff(acc, one), 1e-5);
      EXPECT_NEAR(acc.loss, one.loss, 1e-5 * std::abs(one.loss));
      const TrainRun again = train_seq2seq(model, 4, 1, smoothing, out);  // deterministic
      EXPECT_EQ(max_diff(again, one), 0.0);
    }
  fs::remove_all(out);
}
