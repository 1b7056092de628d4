// The Trainer's breadth on a tiny model: label smoothing, NaN detection, callbacks and control,
// early stopping, CSV and TensorBoard logs, length grouping, auto_find_batch_size.
#include <c10/util/Exception.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <limits>

#include "afinar/collators/token_classification.h"
#include "afinar/core/check.h"
#include "afinar/metrics/seqeval.h"
#include "afinar/train/trainer.h"
#include "afinar/train/trainer_pt_utils.h"
#include "afinar_test_paths.h"

namespace fs = std::filesystem;

namespace {

nlohmann::json breadth_fixture() {
  std::ifstream in(std::string(AFINAR_FIXTURES_DIR) + "/train/breadth.json");
  return nlohmann::json::parse(in);
}

// Embedding → mean over tokens → linear: a sequence classifier small enough to train in
// milliseconds. `nan_at_forward` (1-based, counting training forwards) poisons that loss.
class ToyModelImpl : public afinar::PreTrainedModelImpl {
 public:
  ToyModelImpl() {
    torch::manual_seed(0);
    emb = register_module("embeddings", torch::nn::Embedding(11, 4));
    head = register_module("classifier", torch::nn::Linear(4, 3));
  }
  afinar::ModelOutputs forward(const afinar::ModelInputs& in) override {
    afinar::ModelOutputs out;
    if (is_training()) ++forwards;
    out.logits = head->forward(emb->forward(in.input_ids).mean(1));  // (B, 3)
    if (in.labels.defined()) {
      out.loss = afinar::label_smoother(out.logits, in.labels, in.loss_kwargs.label_smoothing_factor, false,
                                        in.loss_kwargs.num_items_in_batch);
      if (is_training() && forwards == nan_at_forward) out.loss = out.loss * std::numeric_limits<double>::quiet_NaN();
    }
    return out;
  }
  nlohmann::json config_json() const override {
    return {{"model_type", "toy"}, {"architectures", {"ToyForSequenceClassification"}}};
  }
  std::vector<std::string> base_parameter_prefixes() const override { return {"embeddings."}; }
  ParameterLayout parameter_layout() const override { return {{"embeddings."}, {}}; }
  torch::nn::Embedding emb{nullptr};
  torch::nn::Linear head{nullptr};
  int64_t forwards = 0, nan_at_forward = -1;
};

// Embedding → linear per token: a token classifier, (B, T, 3) logits.
class ToyTokenModelImpl : public afinar::PreTrainedModelImpl {
 public:
  ToyTokenModelImpl() {
    torch::manual_seed(0);
    emb = register_module("embeddings", torch::nn::Embedding(11, 4));
    head = register_module("classifier", torch::nn::Linear(4, 3));
  }
  afinar::ModelOutputs forward(const afinar::ModelInputs& in) override {
    afinar::ModelOutputs out;
    out.logits = head->forward(emb->forward(in.input_ids));  // (B, T, 3)
    if (in.labels.defined())
      out.loss = afinar::label_smoother(out.logits, in.labels, in.loss_kwargs.label_smoothing_factor, false,
                                        in.loss_kwargs.num_items_in_batch);
    return out;
  }
  nlohmann::json config_json() const override {
    return {{"model_type", "toy"}, {"architectures", {"ToyForTokenClassification"}}};
  }
  std::vector<std::string> base_parameter_prefixes() const override { return {"embeddings."}; }
  ParameterLayout parameter_layout() const override { return {{"embeddings."}, {}}; }
  torch::nn::Embedding emb{nullptr};
  torch::nn::Linear head{nullptr};
};

afinar::Examples toy_data(int64_t n) {
  afinar::Examples e;
  std::map<std::string, std::vector<std::vector<int32_t>>> rows;
  auto& ids = rows["input_ids"];
  auto& mask = rows["attention_mask"];
  std::vector<int64_t> label_values;
  for (int64_t i = 0; i < n; ++i) {
    std::vector<int32_t> row;
    for (int64_t t = 0; t < 2 + i % 5; ++t) row.push_back(static_cast<int32_t>(1 + (i * 7 + t * 3) % 10));
    mask.emplace_back(row.size(), 1);
    ids.push_back(std::move(row));
    label_values.push_back(i % 3);
  }
  e.labels["label"] = label_values;
  e.sequences = afinar::Examples::from_rows(rows).sequences;
  return e;
}

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("afinar_breadth_" + std::to_string(::getpid()) + "_" +
                                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
  TempDir() { fs::remove_all(path); }
  ~TempDir() { fs::remove_all(path); }
};

afinar::TrainingArguments toy_args(const fs::path& out) {
  afinar::TrainingArguments a(out.string());
  a.use_cpu = true;
  a.per_device_train_batch_size = 4;
  a.per_device_eval_batch_size = 4;
  a.learning_rate = 0.1;
  a.save_strategy = "no";
  a.logging_steps = 1;
  a.num_train_epochs = 2;
  return a;
}

std::shared_ptr<const afinar::DataCollator> pad() {
  return std::make_shared<afinar::DataCollatorWithPadding>(0);
}

struct Recorder : afinar::TrainerCallback {
  std::vector<std::string> calls;
  void on_init_end(const afinar::TrainingArguments&, const afinar::TrainerState&, afinar::TrainerControl&) override {
    calls.push_back("init_end");
  }
  void on_train_begin(const afinar::TrainingArguments&, const afinar::TrainerState&, afinar::TrainerControl&) override {
    calls.push_back("train_begin");
  }
  void on_epoch_begin(const afinar::TrainingArguments&, const afinar::TrainerState&, afinar::TrainerControl&) override {
    calls.push_back("epoch_begin");
  }
  void on_step_begin(const afinar::TrainingArguments&, const afinar::TrainerState&, afinar::TrainerControl&) override {
    calls.push_back("step_begin");
  }
  void on_step_end(const afinar::TrainingArguments&, const afinar::TrainerState& s,
                   afinar::TrainerControl& c) override {
    calls.push_back("step_end");
    if (s.global_step == stop_at) c.should_training_stop = true;
  }
  void on_epoch_end(const afinar::TrainingArguments&, const afinar::TrainerState&, afinar::TrainerControl&) override {
    calls.push_back("epoch_end");
  }
  void on_log(const afinar::TrainingArguments&, const afinar::TrainerState&, afinar::TrainerControl&,
              const Metrics&) override {
    calls.push_back("log");
  }
  void on_evaluate(const afinar::TrainingArguments&, const afinar::TrainerState&, afinar::TrainerControl&,
                   const Metrics&) override {
    calls.push_back("evaluate");
  }
  void on_save(const afinar::TrainingArguments&, const afinar::TrainerState&, afinar::TrainerControl&) override {
    calls.push_back("save");
  }
  void on_predict(const afinar::TrainingArguments&, const afinar::TrainerState&, afinar::TrainerControl&,
                  const Metrics&) override {
    calls.push_back("predict");
  }
  void on_train_end(const afinar::TrainingArguments&, const afinar::TrainerState&, afinar::TrainerControl&) override {
    calls.push_back("train_end");
  }
  int64_t stop_at = -1;
};

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : " ") + x;
  return s;
}

}  // namespace

// transformers' LabelSmoother on token-level (B, T, C) with -100, sequence-level (B, C) and shifted labels.
TEST(LabelSmoother, MatchesTransformers) {
  for (const auto& c : breadth_fixture()["label_smoothing"]) {
    auto logits_v = c["logits"];
    torch::Tensor logits, labels;
    if (logits_v[0][0].is_array()) {
      std::vector<float> flat;
      for (const auto& a : logits_v)
        for (const auto& b : a)
          for (const auto& x : b) flat.push_back(x);
      logits = torch::tensor(flat).reshape(
          {static_cast<int64_t>(logits_v.size()), static_cast<int64_t>(logits_v[0].size()), -1});
      std::vector<int64_t> l;
      for (const auto& a : c["labels"])
        for (const auto& x : a) l.push_back(x);
      labels = torch::tensor(l).reshape({logits.size(0), logits.size(1)});
    } else {
      std::vector<float> flat;
      for (const auto& a : logits_v)
        for (const auto& x : a) flat.push_back(x);
      logits = torch::tensor(flat).reshape({static_cast<int64_t>(logits_v.size()), -1});
      labels = torch::tensor(c["labels"].get<std::vector<int64_t>>());
    }
    const double got =
        afinar::label_smoother(logits, labels, c["epsilon"], c.value("shift_labels", false)).item<double>();
    EXPECT_NEAR(got, c["loss"].get<double>(), 1e-6 * std::abs(c["loss"].get<double>()));
  }
}

// HF's get_length_grouped_indices with the same generator seed: the same order, exactly.
TEST(LengthGrouped, SameOrderAsTransformers) {
  for (const auto& c : breadth_fixture()["length_grouped"]) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(c["seed"].get<uint64_t>());
    auto got = afinar::get_length_grouped_indices(c["lengths"].get<std::vector<int64_t>>(), c["batch_size"], gen);
    EXPECT_EQ(got, c["indices"].get<std::vector<int64_t>>());
  }
}

// A NaN loss stops training at the step it happens, names the step, and is never applied.
TEST(TrainerBreadth, NonFiniteLossStopsWithTheStep) {
  TempDir tmp;
  auto data = toy_data(16);
  auto model = std::make_shared<ToyModelImpl>();
  model->nan_at_forward = 5;
  afinar::Trainer t(model, toy_args(tmp.path), pad(), &data);
  try {
    t.train();
    FAIL() << "trained on a NaN loss";
  } catch (const afinar::NonFiniteLossError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("nan"), std::string::npos) << what;
    EXPECT_NE(what.find("at step 5 "), std::string::npos) << what;
  }
  EXPECT_EQ(t.state().global_step, 4);
  for (const auto& p : model->parameters()) EXPECT_TRUE(torch::isfinite(p).all().item<bool>());
}

// Every hook, in transformers' order; should_training_stop from a callback ends the run.
TEST(TrainerBreadth, CallbackHooksAndControl) {
  TempDir tmp;
  auto data = toy_data(8);  // 2 steps per epoch
  auto rec = std::make_shared<Recorder>();
  auto a = toy_args(tmp.path);
  a.logging_strategy = "epoch";
  a.eval_strategy = "epoch";
  afinar::Trainer t(std::make_shared<ToyModelImpl>(), a, pad(), &data, &data, nullptr, {rec});
  t.train();
  t.predict(data);
  EXPECT_EQ(join(rec->calls),
            "init_end train_begin epoch_begin step_begin step_end step_begin step_end epoch_end log log evaluate "
            "epoch_begin step_begin step_end step_begin step_end epoch_end log log evaluate log train_end predict");
  auto rec2 = std::make_shared<Recorder>();
  rec2->stop_at = 3;
  afinar::Trainer t2(std::make_shared<ToyModelImpl>(), toy_args(tmp.path), pad(), &data, nullptr, nullptr, {rec2});
  t2.train();
  EXPECT_EQ(t2.state().global_step, 3);
}

// HF's EarlyStoppingCallback: with lr 0 the metric never improves; patience 2 stops after the
// third evaluation. Its preconditions are HF's.
TEST(TrainerBreadth, EarlyStoppingAsTransformers) {
  TempDir tmp;
  auto data = toy_data(8);
  auto a = toy_args(tmp.path);
  a.learning_rate = 0;
  a.max_steps = 10;
  a.eval_strategy = "steps";
  a.eval_steps = 1;
  a.save_strategy = "steps";
  a.save_steps = 1;
  a.save_total_limit = 1;
  a.load_best_model_at_end = true;
  auto es = std::make_shared<afinar::EarlyStoppingCallback>(2, 0.0);
  afinar::Trainer t(std::make_shared<ToyModelImpl>(), a, pad(), &data, &data, nullptr, {es});
  t.train();
  EXPECT_EQ(t.state().global_step, 3);
  EXPECT_EQ(*t.state().best_global_step, 1);
  EXPECT_TRUE(fs::exists(tmp.path / "checkpoint-1"));  // the best survives save_total_limit 1

  auto b = toy_args(tmp.path);  // no load_best_model_at_end: refused as HF asserts
  b.eval_strategy = "epoch";
  afinar::Trainer t2(std::make_shared<ToyModelImpl>(), b, pad(), &data, &data, nullptr,
                     {std::make_shared<afinar::EarlyStoppingCallback>(1)});
  EXPECT_THROW(t2.train(), afinar::InvalidArgument);
}

// label_smoothing_factor: the Trainer's loss is HF's LabelSmoother on the model's logits.
TEST(TrainerBreadth, LabelSmoothingInTheLoss) {
  TempDir tmp;
  auto data = toy_data(8);
  auto a = toy_args(tmp.path);
  a.per_device_eval_batch_size = 8;
  a.label_smoothing_factor = 0.2;
  auto model = std::make_shared<ToyModelImpl>();
  afinar::Trainer t(model, a, pad(), &data, &data);
  auto m = t.evaluate();
  auto all = t.predict(data);
  const double want = afinar::label_smoother(all.predictions, all.label_ids, 0.2).item<double>();
  const double plain = torch::nn::functional::cross_entropy(all.predictions, all.label_ids).item<double>();
  EXPECT_NEAR(m["eval_loss"], want, 1e-6);
  EXPECT_GT(std::abs(want - plain), 1e-5);  // smoothing changed it (near-uniform toy logits: a small change)
}

// CSV and TensorBoard sinks: the event file is valid TFRecord (length + masked CRC-32C framing)
// and holds one scalar per logged value, tagged as HF's TensorBoardCallback tags them.
TEST(TrainerBreadth, CsvAndTensorBoardLogs) {
  // CRC-32C check value (RFC 3720), and TFRecord's mask of it.
  EXPECT_EQ(afinar::TensorBoardCallback::crc32c("123456789", 9), 0xE3069283u);
  TempDir tmp;
  auto data = toy_data(8);
  auto a = toy_args(tmp.path);
  a.report_to = {"csv"};
  a.eval_strategy = "epoch";
  auto tb = std::make_shared<afinar::TensorBoardCallback>(tmp.path / "tb");
  afinar::Trainer t(std::make_shared<ToyModelImpl>(), a, pad(), &data, &data, nullptr, {tb});
  t.train();

  std::ifstream csv(tmp.path / "log_history.csv");
  std::string header, line;
  std::getline(csv, header);
  EXPECT_EQ(header.rfind("step,epoch,", 0), 0u) << header;
  EXPECT_NE(header.find(",loss"), std::string::npos);
  EXPECT_NE(header.find(",eval_loss"), std::string::npos);
  size_t rows = 0;
  while (std::getline(csv, line)) ++rows;
  EXPECT_EQ(rows, t.state().log_history.size());

  // Read the event file back: every record's CRCs, then the protobuf fields by hand.
  std::ifstream in(tb->event_file(), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t pos = 0;
  std::vector<std::string> events;
  while (pos < bytes.size()) {
    ASSERT_LE(pos + 12, bytes.size());
    uint64_t len;
    uint32_t len_crc, data_crc;
    std::memcpy(&len, bytes.data() + pos, 8);
    std::memcpy(&len_crc, bytes.data() + pos + 8, 4);
    ASSERT_EQ(len_crc, afinar::TensorBoardCallback::masked_crc32c(bytes.data() + pos, 8));
    ASSERT_LE(pos + 16 + len, bytes.size());
    std::memcpy(&data_crc, bytes.data() + pos + 12 + len, 4);
    ASSERT_EQ(data_crc, afinar::TensorBoardCallback::masked_crc32c(bytes.data() + pos + 12, len));
    events.push_back(bytes.substr(pos + 12, len));
    pos += 16 + len;
  }
  ASSERT_GE(events.size(), 2u);
  EXPECT_NE(events[0].find("brain.Event:2"), std::string::npos);
  // The train/loss events carry the logged losses at their steps.
  std::vector<std::pair<int64_t, double>> want;
  for (const auto& h : t.state().log_history)
    if (h.contains("loss")) want.emplace_back(h["step"], h["loss"]);
  std::vector<std::pair<int64_t, double>> got;
  for (const auto& e : events) {
    // Event: 0x09 wall_time(8) 0x10 step(varint) 0x2a len Summary{0x0a len Value{0x0a len tag 0x15 float}}
    if (e.size() < 12 || static_cast<uint8_t>(e[9]) != 0x10) continue;
    size_t p = 10;
    int64_t step = 0;
    for (int shift = 0;; shift += 7) {
      const auto b = static_cast<uint8_t>(e[p++]);
      step |= static_cast<int64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) break;
    }
    const size_t tag_at = e.find("train/loss");
    if (tag_at == std::string::npos || tag_at + 10 >= e.size() || static_cast<uint8_t>(e[tag_at + 10]) != 0x15)
      continue;
    float v;
    std::memcpy(&v, e.data() + tag_at + 11, 4);
    got.emplace_back(step, v);
  }
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].first, want[i].first);
    EXPECT_NEAR(got[i].second, want[i].second, 1e-6 * std::abs(want[i].second));
  }
  for (const char* tag : {"train/learning_rate", "train/epoch", "eval/loss", "train/train_runtime"}) {
    bool seen = false;
    for (const auto& e : events) seen |= e.find(tag) != std::string::npos;
    EXPECT_TRUE(seen) << tag;
  }
}

// group_by_length: the epoch order is get_length_grouped_indices over len(input_ids).
TEST(TrainerBreadth, GroupByLengthOrder) {
  TempDir tmp;
  auto data = toy_data(40);
  auto a = toy_args(tmp.path);
  a.train_sampling_strategy = "group_by_length";
  a.max_steps = 1;
  afinar::Trainer t(std::make_shared<ToyModelImpl>(), a, pad(), &data);
  t.train();
  auto order = t.train_sampler(4).order(0);
  std::vector<int64_t> lengths;
  for (size_t i = 0; i < 40; ++i) lengths.push_back(static_cast<int64_t>(data.length(i)));
  EXPECT_EQ(order, afinar::get_length_grouped_indices(lengths, 4, at::make_generator<at::CPUGeneratorImpl>(42)));
  EXPECT_EQ(lengths[order[0]], 6);  // the longest first
}

// auto_find_batch_size: an out-of-memory error restarts training with accelerate's smaller batch
// (int(0.9 × bs)) until it fits; without the flag the error propagates.
TEST(TrainerBreadth, AutoFindBatchSizeOnOOM) {
  TempDir tmp;
  auto data = toy_data(16);
  auto a = toy_args(tmp.path);
  a.per_device_train_batch_size = 8;
  a.auto_find_batch_size = true;
  std::vector<int64_t> tried;
  afinar::Trainer t(std::make_shared<ToyModelImpl>(), a, pad(), &data);
  t.set_before_forward_hook([&](int64_t bs) {
    if (tried.empty() || tried.back() != bs) tried.push_back(bs);
    TORCH_CHECK_WITH(OutOfMemoryError, bs <= 5, "CUDA out of memory (injected)");
  });
  t.train();
  EXPECT_EQ(tried, (std::vector<int64_t>{8, 7, 6, 5}));
  EXPECT_EQ(t.state().train_batch_size, 5);
  EXPECT_EQ(t.state().global_step, 8);  // ceil(16 / 5) = 4 steps per epoch × 2

  a.auto_find_batch_size = false;
  afinar::Trainer t2(std::make_shared<ToyModelImpl>(), a, pad(), &data);
  t2.set_before_forward_hook([](int64_t) { TORCH_CHECK_WITH(OutOfMemoryError, false, "injected"); });
  EXPECT_THROW(t2.train(), c10::OutOfMemoryError);
}

// Token heads: predict() concatenates (B, T, C) logits of batches padded to different T, padding
// with -100 as HF's nested_concat; seqeval metrics read them (entity F1 with label names).
TEST(TrainerBreadth, TokenLevelPredictPadsWithMinus100AndSeqeval) {
  TempDir tmp;
  std::map<std::string, std::vector<std::vector<int32_t>>> rows;
  const std::vector<std::vector<int32_t>> ids = {{1, 2}, {3, 4}, {5, 6, 7, 8, 9}, {2, 3, 4}};
  const std::vector<std::vector<int32_t>> labels = {{1, 2}, {0, -100}, {1, 0, 0, 1, 2}, {0, 0, 1}};
  for (size_t i = 0; i < ids.size(); ++i) {
    rows["input_ids"].push_back(ids[i]);
    rows["attention_mask"].emplace_back(ids[i].size(), 1);
    rows["labels"].push_back(labels[i]);
  }
  const afinar::Examples data = afinar::Examples::from_rows(rows);
  auto a = toy_args(tmp.path);
  a.per_device_eval_batch_size = 2;  // batches of T = 2 and T = 5
  auto model = std::make_shared<ToyTokenModelImpl>();
  afinar::Trainer t(model, a, std::make_shared<afinar::DataCollatorForTokenClassification>(afinar::PadOptions{}),
                    nullptr, &data);
  t.set_compute_metrics(afinar::seqeval_metrics({"O", "B-PER", "I-PER"}, /*return_entity_level_metrics=*/true));
  auto out = t.predict(data);
  ASSERT_EQ(out.predictions.sizes(), (std::vector<int64_t>{4, 5, 3}));
  ASSERT_EQ(out.label_ids.sizes(), (std::vector<int64_t>{4, 5}));
  EXPECT_TRUE((out.predictions.slice(0, 0, 2).slice(1, 2) == -100).all().item<bool>());
  EXPECT_TRUE((out.label_ids.slice(0, 0, 2).slice(1, 2) == -100).all().item<bool>());
  EXPECT_EQ(out.label_ids[1][1].item<int64_t>(), -100);
  {
    torch::NoGradGuard ng;
    afinar::ModelInputs in;
    in.input_ids = torch::tensor({5, 6, 7, 8, 9}).unsqueeze(0);
    auto direct = model->forward(in).logits;
    EXPECT_TRUE(torch::allclose(out.predictions[2], direct[0]));
  }
  // The references hold 4 PER entities; the metric keys are run_ner's.
  EXPECT_EQ(out.metrics.at("test_PER_number"), 4);
  for (const char* k :
       {"test_overall_f1", "test_overall_precision", "test_overall_recall", "test_overall_accuracy", "test_PER_f1"})
    EXPECT_TRUE(out.metrics.count(k)) << k;
  // Reference: seqeval on the same argmax tags.
  afinar::Seqeval ref;
  const std::vector<std::string> names = {"O", "B-PER", "I-PER"};
  auto pred = out.predictions.argmax(-1);
  std::vector<std::vector<std::string>> p, r;
  for (int64_t b = 0; b < 4; ++b) {
    p.emplace_back();
    r.emplace_back();
    for (int64_t i = 0; i < 5; ++i) {
      const int64_t l = out.label_ids[b][i].item<int64_t>();
      if (l == -100) continue;
      p.back().push_back(names[pred[b][i].item<int64_t>()]);
      r.back().push_back(names[l]);
    }
  }
  ref.add(p, r);
  EXPECT_DOUBLE_EQ(out.metrics.at("test_overall_f1"), ref.compute().overall_f1);
}

// Gradient accumulation over micro-batches of uneven length: token-level losses are normalised by
// the target tokens of all accumulated micro-batches (HF's num_items_in_batch), so 4 micro-batches
// with accumulation 4 make the same update as one batch of all of them; sequence-level heads
// average the micro-batch means (equal-size micro-batches: the same update too).
TEST(TrainerBreadth, GradientAccumulationEqualsOneBigBatch) {
  TempDir tmp;
  std::map<std::string, std::vector<std::vector<int32_t>>> tok_rows;
  const std::vector<std::vector<int32_t>> ids = {{1, 2}, {3, 4, 5, 6, 7, 8}, {5, 6, 7}, {2}, {9, 1, 2, 3}, {4, 4},
                                                 {7},    {8, 9, 1}};
  for (size_t i = 0; i < ids.size(); ++i) {
    std::vector<int32_t> lab;
    for (size_t t = 0; t < ids[i].size(); ++t) lab.push_back(static_cast<int32_t>((ids[i][t] + t) % 3));
    tok_rows["input_ids"].push_back(ids[i]);
    tok_rows["attention_mask"].emplace_back(ids[i].size(), 1);
    tok_rows["labels"].push_back(lab);
  }
  const afinar::Examples tok = afinar::Examples::from_rows(tok_rows);
  auto run = [&](auto model, const afinar::Examples& data, std::shared_ptr<const afinar::DataCollator> collate,
                 int64_t bs, int64_t accum) {
    auto a = toy_args(tmp.path);
    a.optim = "sgd";
    a.learning_rate = 0.5;
    a.max_grad_norm = 0;
    a.lr_scheduler_type = "constant";
    a.num_train_epochs = 1;
    a.per_device_train_batch_size = bs;
    a.gradient_accumulation_steps = accum;
    a.train_sampling_strategy = "sequential";
    afinar::Trainer t(model, a, collate, &data);
    t.train();
    std::vector<torch::Tensor> w;
    for (const auto& p : model->parameters()) w.push_back(p.detach().clone());
    return std::make_pair(w, t.state().log_history[0]["loss"].get<double>());
  };
  auto tcoll = std::make_shared<afinar::DataCollatorForTokenClassification>(afinar::PadOptions{});
  auto [w_acc, loss_acc] = run(std::make_shared<ToyTokenModelImpl>(), tok, tcoll, 2, 4);
  auto [w_one, loss_one] = run(std::make_shared<ToyTokenModelImpl>(), tok, tcoll, 8, 1);
  double diff = 0;
  for (size_t i = 0; i < w_one.size(); ++i) diff = std::max(diff, (w_acc[i] - w_one[i]).abs().max().item<double>());
  EXPECT_LT(diff, 1e-6);
  EXPECT_NEAR(loss_acc, loss_one, 1e-6);
  // …and training did move the weights.
  auto init = std::make_shared<ToyTokenModelImpl>();
  double moved = 0;
  for (size_t i = 0; i < w_one.size(); ++i)
    moved = std::max(moved, (init->parameters()[i] - w_one[i]).abs().max().item<double>());
  EXPECT_GT(moved, 1e-3);

  afinar::Examples seq;  // equal lengths: the toy classifier pools over padding too
  std::map<std::string, std::vector<std::vector<int32_t>>> seq_rows;
  std::vector<int64_t> label_values;
  for (int32_t i = 0; i < 8; ++i) {
    seq_rows["input_ids"].push_back({1 + i, 2 + i % 3, 3});
    seq_rows["attention_mask"].push_back({1, 1, 1});
    label_values.push_back(i % 3);
  }
  seq.labels["label"] = label_values;
  seq.sequences = afinar::Examples::from_rows(seq_rows).sequences;
  auto [s_acc, sl_acc] = run(std::make_shared<ToyModelImpl>(), seq, pad(), 2, 4);
  auto [s_one, sl_one] = run(std::make_shared<ToyModelImpl>(), seq, pad(), 8, 1);
  diff = 0;
  for (size_t i = 0; i < s_one.size(); ++i) diff = std::max(diff, (s_acc[i] - s_one[i]).abs().max().item<double>());
  EXPECT_LT(diff, 1e-6);
  EXPECT_NEAR(sl_acc, sl_one, 1e-6);
}
