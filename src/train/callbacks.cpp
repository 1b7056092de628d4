// Built-in callbacks: early stopping, CSV log, TensorBoard event files.
#include "afinar/train/callbacks.h"

#include <unistd.h>

#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <set>
#include <sstream>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/train/training_args.h"

namespace afinar {

// ---- EarlyStoppingCallback ----------------------------------------------------------------------

EarlyStoppingCallback::EarlyStoppingCallback(int64_t patience, double threshold)
    : patience_(patience), threshold_(threshold) {
  AFINAR_CHECK(patience_ >= 1, "early_stopping_patience must be >= 1, got ", patience_);
}

void EarlyStoppingCallback::on_train_begin(const TrainingArguments& args, const TrainerState&, TrainerControl&) {
  AFINAR_CHECK(args.load_best_model_at_end, "EarlyStoppingCallback requires load_best_model_at_end = True");
  AFINAR_CHECK(args.metric_for_best_model.has_value(),
               "EarlyStoppingCallback requires metric_for_best_model to be defined");
  AFINAR_CHECK(args.eval_strategy != "no", "EarlyStoppingCallback requires an eval_strategy of steps or epoch");
  counter_ = 0;
}

void EarlyStoppingCallback::on_evaluate(const TrainingArguments& args, const TrainerState& state,
                                        TrainerControl& control, const Metrics& metrics) {
  std::string key = *args.metric_for_best_model;
  if (key.rfind("eval_", 0) != 0) key = "eval_" + key;
  auto it = metrics.find(key);
  if (it == metrics.end()) {  // HF warns and leaves early stopping disabled for this evaluation
    std::cerr << "early stopping required metric_for_best_model, but did not find " << key
              << " so early stopping is disabled\n";
    return;
  }
  const double v = it->second;
  // HF compares with state.best_metric before this evaluation updates it.
  const bool improved =
      !state.best_metric || ((*args.greater_is_better ? v > *state.best_metric : v < *state.best_metric) &&
                             std::abs(v - *state.best_metric) > threshold_);
  counter_ = improved ? 0 : counter_ + 1;
  if (counter_ >= patience_) control.should_training_stop = true;
}

// ---- CSVLoggerCallback ----------------------------------------------------------------------------

CSVLoggerCallback::CSVLoggerCallback(fs::path path) : path_(std::move(path)) {}

void CSVLoggerCallback::on_log(const TrainingArguments&, const TrainerState& state, TrainerControl&,
                               const Metrics& logs) {
  rows_.emplace_back(state.global_step, logs);
  std::set<std::string> cols;
  for (const auto& [_, r] : rows_)
    for (const auto& [k, v] : r)
      if (k != "epoch") cols.insert(k);
  std::ostringstream out;
  out << std::setprecision(17) << "step,epoch";
  for (const auto& c : cols) out << "," << c;
  out << "\n";
  for (const auto& [step, r] : rows_) {
    out << step << ",";
    if (auto e = r.find("epoch"); e != r.end()) out << e->second;
    for (const auto& c : cols) {
      out << ",";
      if (auto it = r.find(c); it != r.end()) out << it->second;
    }
    out << "\n";
  }
  if (path_.has_parent_path()) fs::create_directories(path_.parent_path());
  write_file_atomic(path_, out.str());
}

// ---- TensorBoardCallback -------------------------------------------------------------------------

namespace {

std::array<uint32_t, 256> crc_table() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;  // Castagnoli, reflected
    t[i] = c;
  }
  return t;
}

void put_varint(std::string& s, uint64_t v) {
  while (v >= 0x80) {
    s.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  s.push_back(static_cast<char>(v));
}
template <typename T>
void put_le(std::string& s, T v) {
  for (size_t i = 0; i < sizeof(T); ++i) s.push_back(static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xFF));
}
void put_bytes(std::string& s, int field, const std::string& bytes) {  // wire type 2
  put_varint(s, static_cast<uint64_t>(field) << 3 | 2);
  put_varint(s, bytes.size());
  s += bytes;
}
void put_double(std::string& s, int field, double d) {  // wire type 1 (fixed64)
  put_varint(s, static_cast<uint64_t>(field) << 3 | 1);
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  put_le(s, bits);
}
void put_float(std::string& s, int field, float f) {  // wire type 5 (fixed32)
  put_varint(s, static_cast<uint64_t>(field) << 3 | 5);
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  put_le(s, bits);
}

// HF's default_logdir: runs/<%b%d_%H-%M-%S>_<hostname>.
std::string default_logdir() {
  char host[256] = {0};
  ::gethostname(host, sizeof(host) - 1);
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::localtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%b%d_%H-%M-%S", &tm);
  return std::string("runs/") + buf + "_" + host;
}

double wall_time() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

uint32_t TensorBoardCallback::crc32c(const void* data, size_t n) {
  static const auto table = crc_table();
  const auto* p = static_cast<const unsigned char*>(data);
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) c = table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

uint32_t TensorBoardCallback::masked_crc32c(const void* data, size_t n) {
  const uint32_t c = crc32c(data, n);
  return ((c >> 15) | (c << 17)) + 0xa282ead8u;
}

std::string TensorBoardCallback::tfrecord(const std::string& data) {
  std::string len;
  put_le(len, static_cast<uint64_t>(data.size()));
  std::string rec = len;
  put_le(rec, masked_crc32c(len.data(), len.size()));
  rec += data;
  put_le(rec, masked_crc32c(data.data(), data.size()));
  return rec;
}

std::string TensorBoardCallback::scalar_event(double wall, int64_t step,
                                              const std::vector<std::pair<std::string, float>>& values) {
  // Event { double wall_time = 1; int64 step = 2; Summary summary = 5; }
  // Summary { repeated Value value = 1; }  Value { string tag = 1; float simple_value = 2; }
  std::string summary;
  for (const auto& [tag, v] : values) {
    std::string value;
    put_bytes(value, 1, tag);
    put_float(value, 2, v);
    put_bytes(summary, 1, value);
  }
  std::string ev;
  put_double(ev, 1, wall);
  put_varint(ev, 2 << 3 | 0);
  put_varint(ev, static_cast<uint64_t>(step));
  put_bytes(ev, 5, summary);
  return ev;
}

TensorBoardCallback::TensorBoardCallback(fs::path log_dir) : dir_(std::move(log_dir)) {}
TensorBoardCallback::~TensorBoardCallback() = default;

void TensorBoardCallback::write(const std::string& event) {
  const std::string rec = tfrecord(event);
  out_->write(rec.data(), static_cast<std::streamsize>(rec.size()));
  out_->flush();
  AFINAR_CHECK(out_->good(), "tensorboard: cannot write ", file_.string());
}

void TensorBoardCallback::on_train_begin(const TrainingArguments& args, const TrainerState&, TrainerControl&) {
  if (out_) return;
  if (dir_.empty()) {
    const char* env = std::getenv("TENSORBOARD_LOGGING_DIR");
    dir_ = env && *env ? fs::path(env) : fs::path(args.output_dir) / default_logdir();
  }
  fs::create_directories(dir_);
  char host[256] = {0};
  ::gethostname(host, sizeof(host) - 1);
  // torch's EventFileWriter: events.out.tfevents.<%010d time>.<host>.<pid>.<uid>
  std::ostringstream name;
  name << "events.out.tfevents." << std::setw(10) << std::setfill('0') << static_cast<int64_t>(wall_time()) << "."
       << host << "." << ::getpid() << ".0";
  file_ = dir_ / name.str();
  out_ = std::make_unique<std::ofstream>(file_, std::ios::binary);
  AFINAR_CHECK(out_->is_open(), "tensorboard: cannot create ", file_.string());
  std::string first;  // Event { wall_time, file_version = 3: "brain.Event:2" }
  put_double(first, 1, wall_time());
  put_bytes(first, 3, "brain.Event:2");
  write(first);
}

void TensorBoardCallback::on_log(const TrainingArguments& args, const TrainerState& state, TrainerControl& control,
                                 const Metrics& logs) {
  if (!out_) on_train_begin(args, state, control);
  // transformers' rewrite_logs: eval_x → eval/x, test_x → test/x, everything else → train/x;
  // one add_scalar (one event) per value, at the global step.
  for (const auto& [k, v] : logs) {
    std::string tag = k.rfind("eval_", 0) == 0   ? "eval/" + k.substr(5)
                      : k.rfind("test_", 0) == 0 ? "test/" + k.substr(5)
                                                 : "train/" + k;
    write(scalar_event(wall_time(), state.global_step, {{tag, static_cast<float>(v)}}));
  }
}

void TensorBoardCallback::on_train_end(const TrainingArguments&, const TrainerState&, TrainerControl&) {
  if (out_) out_->close();
  out_.reset();
}

}  // namespace afinar
