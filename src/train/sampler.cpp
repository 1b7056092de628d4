// The Trainer's batch sampler: HF's epoch orders, batches, accelerate's sharding over ranks, and
// the position a checkpoint stores.
#include "afinar/train/sampler.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <limits>
#include <numeric>
#include <type_traits>

#include "afinar/core/check.h"
#include "afinar/train/trainer_pt_utils.h"

namespace afinar {
namespace {

/// torch.randperm(n, generator) written straight into `out` (int64 or int32: CPU randperm draws
/// the same numbers for every dtype), no second copy of n rows.
template <typename T>
void randperm_into(std::vector<T>& out, int64_t n, uint64_t seed) {
  static_assert(std::is_same_v<T, int64_t> || std::is_same_v<T, int32_t>);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  out.resize(static_cast<size_t>(n));
  if (n == 0) return;
  torch::Tensor view = torch::from_blob(out.data(), {n}, std::is_same_v<T, int64_t> ? torch::kInt64 : torch::kInt32);
  at::randperm_out(view, n, gen);
}

std::vector<int64_t> randperm(int64_t n, uint64_t seed) {
  std::vector<int64_t> out;
  randperm_into(out, n, seed);
  return out;
}

/// Cuts `rows` (an epoch's order, int64 or int32 ids) into batches of `bs` in place: the last one
/// shorter, or dropped with drop_last. Batch b is rows[starts[b] .. starts[b + 1]).
template <typename T>
void cut_into_batches(std::vector<T>& rows, int64_t bs, bool drop_last, std::vector<int64_t>& starts) {
  const auto n = static_cast<int64_t>(rows.size());
  const int64_t kept = drop_last ? n / bs * bs : n;
  rows.resize(static_cast<size_t>(kept));
  starts.clear();
  for (int64_t s = 0; s < kept; s += bs) starts.push_back(s);
  starts.push_back(kept);
}

}  // namespace

void SamplerOptions::validate() const {
  AFINAR_CHECK(
      strategy == "random" || strategy == "sequential" || strategy == "group_by_length" || strategy == "token_budget",
      "sampler: unknown strategy '", strategy, "' (random, sequential, group_by_length, token_budget)");
  AFINAR_CHECK(strategy == "token_budget" || batch_size > 0, "sampler: batch_size must be > 0, got ", batch_size);
  AFINAR_CHECK(strategy != "token_budget" || max_tokens > 0, "sampler: token_budget needs max_tokens > 0, got ",
               max_tokens);
  AFINAR_CHECK(num_replicas >= 1 && rank >= 0 && rank < num_replicas, "sampler: rank ", rank,
               " is not in 0..num_replicas-1 (num_replicas ", num_replicas, ")");
}

BatchSampler::BatchSampler(int64_t num_rows, SamplerOptions options, std::vector<int64_t> lengths)
    : n_(num_rows), opts_(std::move(options)), lengths_(std::move(lengths)) {
  AFINAR_CHECK(n_ >= 0 && n_ <= std::numeric_limits<int32_t>::max(), "sampler: ", n_,
               " rows; not implemented: more than 2,147,483,647 rows in one split");
  opts_.validate();
  AFINAR_CHECK(n_ > 0, "sampler: no rows to sample from");
  if (opts_.strategy == "group_by_length" || opts_.strategy == "token_budget")
    AFINAR_CHECK(static_cast<int64_t>(lengths_.size()) == n_, "sampler: ", opts_.strategy,
                 " needs one length per row (", n_, " rows, ", lengths_.size(), " lengths)");
  if (opts_.strategy != "token_budget")
    AFINAR_CHECK(!opts_.drop_last || n_ >= opts_.batch_size, "sampler: ", n_, " rows make no batch of ",
                 opts_.batch_size, " with drop_last");
}

std::vector<int64_t> BatchSampler::order(int64_t epoch) const {
  const uint64_t seed = opts_.seed + static_cast<uint64_t>(epoch);
  if (opts_.strategy == "sequential") {
    std::vector<int64_t> o(static_cast<size_t>(n_));
    for (int64_t i = 0; i < n_; ++i) o[static_cast<size_t>(i)] = i;
    return o;
  }
  if (opts_.strategy == "group_by_length") {
    // HF draws this generator from the global one; seeding it with seed + epoch keeps the order
    // a pure function of (seed, epoch), which exact resume needs.
    return get_length_grouped_indices(lengths_, opts_.group_batch_size > 0 ? opts_.group_batch_size : opts_.batch_size,
                                      at::make_generator<at::CPUGeneratorImpl>(seed));
  }
  return randperm(n_, seed);  // random and token_budget
}

void BatchSampler::global_batches(int64_t epoch, std::vector<int64_t>& rows, std::vector<int64_t>& starts) const {
  if (opts_.strategy != "token_budget") {
    rows = order(epoch);
    return cut_into_batches(rows, opts_.batch_size, opts_.drop_last, starts);
  }
  // Megabatches of 1,000 random rows, longest first, cut greedily under the token budget.
  std::vector<std::pair<int64_t, int64_t>> spans;  // (start, end) in `sorted`
  std::vector<int64_t> sorted = order(epoch);
  constexpr int64_t kMega = 1000;
  for (int64_t m = 0; m < n_; m += kMega) {
    const auto lo = sorted.begin() + m, hi = sorted.begin() + std::min(n_, m + kMega);
    std::stable_sort(lo, hi, [&](int64_t a, int64_t b) { return lengths_[a] > lengths_[b]; });
    for (int64_t s = m, e = std::min(n_, m + kMega); s < e;) {
      const int64_t longest = std::max<int64_t>(lengths_[sorted[s]], 1);  // rows are sorted: the first is longest
      const int64_t rows_fit = std::max<int64_t>(opts_.max_tokens / longest, 1);
      const int64_t end = std::min(e, s + rows_fit);
      spans.emplace_back(s, end);
      s = end;
    }
  }
  // The batch order is shuffled too (same generator family, next seed stream), so that a
  // megabatch's long rows do not all come first.
  const std::vector<int64_t> batch_perm =
      randperm(static_cast<int64_t>(spans.size()), opts_.seed + 0x9e3779b9ULL + epoch);
  rows.clear();
  starts.clear();
  for (int64_t b : batch_perm) {
    starts.push_back(static_cast<int64_t>(rows.size()));
    rows.insert(rows.end(), sorted.begin() + spans[b].first, sorted.begin() + spans[b].second);
  }
  starts.push_back(static_cast<int64_t>(rows.size()));
}

void BatchSampler::draw(int64_t epoch) {
  const int64_t W = opts_.num_replicas, r = opts_.rank;
  if (W == 1 && (opts_.strategy == "random" || opts_.strategy == "sequential")) {
    // The large-dataset case: the epoch's order straight into int32 rows (one copy of n rows).
    if (opts_.strategy == "random") {
      randperm_into(rows_, n_, opts_.seed + static_cast<uint64_t>(epoch));
    } else {
      rows_.resize(static_cast<size_t>(n_));
      std::iota(rows_.begin(), rows_.end(), 0);
    }
    cut_into_batches(rows_, opts_.batch_size, opts_.drop_last, starts_);
    drawn_epoch_ = epoch;
    return;
  }
  std::vector<int64_t> rows, starts;
  global_batches(epoch, rows, starts);
  if (W == 1) {  // accelerate shards only with several processes
    rows_.assign(rows.begin(), rows.end());
    starts_ = std::move(starts);
    drawn_epoch_ = epoch;
    return;
  }
  rows_.clear();
  starts_.clear();
  auto emit = [&](const std::vector<int64_t>& batch) {
    starts_.push_back(static_cast<int64_t>(rows_.size()));
    rows_.insert(rows_.end(), batch.begin(), batch.end());
  };
  const int64_t nb = static_cast<int64_t>(starts.size()) - 1;
  auto batch_at = [&](int64_t i) {
    return std::vector<int64_t>(rows.begin() + starts[i], rows.begin() + starts[i + 1]);
  };
  if (opts_.strategy == "token_budget") {
    // Batches dealt round-robin; the last round completed with the epoch's first batches.
    for (int64_t i = r; i < (nb + W - 1) / W * W; i += W) emit(batch_at(i % nb));
  } else {
    // accelerate's BatchSamplerShard._iter_with_no_split with even_batches=True, step by step.
    const int64_t B = opts_.batch_size;
    std::vector<int64_t> initial, to_yield, batch;
    int64_t idx = 0;
    for (idx = 0; idx < nb; ++idx) {
      batch = batch_at(idx);
      if (!opts_.drop_last && idx < W) initial.insert(initial.end(), batch.begin(), batch.end());
      if (idx % W == r) to_yield = batch;
      if (idx % W == W - 1 && static_cast<int64_t>(batch.size()) == B) {
        emit(to_yield);
        to_yield.clear();
      }
    }
    --idx;  // Python's loop variable keeps the last index
    if (!opts_.drop_last && !initial.empty()) {
      if (static_cast<int64_t>(to_yield.size()) == B) emit(to_yield);
      while (static_cast<int64_t>(initial.size()) < W * B)
        initial.insert(initial.end(), initial.begin(), initial.end());
      if (static_cast<int64_t>(batch.size()) == B) {
        batch.clear();
        ++idx;
      }
      size_t cycle = 0;
      while (idx % W != 0 || !batch.empty()) {
        const size_t end = cycle + static_cast<size_t>(B) - batch.size();
        batch.insert(batch.end(), initial.begin() + static_cast<std::ptrdiff_t>(cycle),
                     initial.begin() + static_cast<std::ptrdiff_t>(end));
        if (idx % W == r) emit(batch);
        cycle = end;
        batch.clear();
        ++idx;
      }
    }
  }
  starts_.push_back(static_cast<int64_t>(rows_.size()));
  drawn_epoch_ = epoch;
}

int64_t BatchSampler::batches_per_epoch() const {
  if (opts_.strategy == "token_budget") {
    BatchSampler probe = *this;
    probe.draw(0);
    return probe.num_batches();
  }
  const int64_t B = opts_.batch_size, W = opts_.num_replicas;
  const int64_t global = opts_.drop_last ? n_ / B : (n_ + B - 1) / B;
  if (W == 1) return global;
  return opts_.drop_last ? global / W : (global + W - 1) / W;
}

void BatchSampler::seek(Position pos) {
  AFINAR_CHECK(pos.epoch >= 0 && pos.batch >= 0, "sampler: bad position (epoch ", pos.epoch, ", batch ", pos.batch,
               ")");
  if (drawn_epoch_ != pos.epoch) draw(pos.epoch);
  AFINAR_CHECK(pos.batch <= num_batches(), "sampler: batch ", pos.batch, " is past the end of epoch ", pos.epoch, " (",
               num_batches(), " batches)");
  pos_ = pos;
}

std::optional<std::span<const int64_t>> BatchSampler::next() {
  if (drawn_epoch_ != pos_.epoch) draw(pos_.epoch);
  if (pos_.batch >= num_batches()) return std::nullopt;
  const int64_t b = pos_.batch++;
  batch_.assign(rows_.begin() + starts_[b], rows_.begin() + starts_[b + 1]);
  return std::span<const int64_t>(batch_);
}

nlohmann::json BatchSampler::state_dict() const {
  return {{"epoch", pos_.epoch},
          {"batch", pos_.batch},
          {"strategy", opts_.strategy},
          {"seed", opts_.seed},
          {"num_replicas", opts_.num_replicas},
          {"rank", opts_.rank},
          {"num_rows", n_}};
}

void BatchSampler::load_state_dict(const nlohmann::json& s) {
  auto same = [&](const char* key, const nlohmann::json& want) {
    AFINAR_CHECK(s.contains(key) && s[key] == want, "sampler state: '", key, "' is ",
                 s.contains(key) ? s[key].dump() : "missing", ", this run has ", want.dump(),
                 " (HINT: resume with the training data and arguments of the checkpointed run)");
  };
  same("strategy", opts_.strategy);
  same("seed", opts_.seed);
  same("num_replicas", opts_.num_replicas);
  same("rank", opts_.rank);
  same("num_rows", n_);
  AFINAR_CHECK(
      s.contains("epoch") && s["epoch"].is_number_integer() && s.contains("batch") && s["batch"].is_number_integer(),
      "sampler state: 'epoch' and 'batch' must be integers");
  seek({s["epoch"].get<int64_t>(), s["batch"].get<int64_t>()});
}

}  // namespace afinar
