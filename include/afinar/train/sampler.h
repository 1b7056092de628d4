/// The Trainer's batch sampler: which rows make each batch, on this rank, in which order.
///
/// An epoch's row order is HF's (accelerate's SeedableRandomSampler: randperm(n) from a generator
/// seeded `seed + epoch`; SequentialSampler; LengthGroupedSampler), or afinar's token-budget
/// batches. The order is cut into batches and, for several processes, dealt out as accelerate's
/// BatchSamplerShard deals them (batch i to rank i % num_replicas; with even batches, the last
/// ones completed from the start of the epoch). The sampler knows its own position, so a
/// checkpoint resumes at the next batch without replaying the data before it.
///
///   afinar::SamplerOptions o;  o.batch_size = 16;  o.seed = 42;
///   afinar::BatchSampler sampler(train.size(), o);
///   sampler.set_epoch(0);
///   while (auto rows = sampler.next()) collate(train, *rows);   // std::span<const int64_t>
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace afinar {

struct SamplerOptions {
  /// random | sequential | group_by_length | token_budget
  std::string strategy = "random";
  uint64_t seed = 42;      ///< random orders draw from a CPU generator seeded seed + epoch
  int64_t batch_size = 8;  ///< rows per batch (per device); token_budget: unused
  bool drop_last = false;  ///< drop the last, shorter batch (HF's dataloader_drop_last)
  int64_t num_replicas = 1, rank = 0;
  /// group_by_length: HF's LengthGroupedSampler batch size (train_batch_size × gradient
  /// accumulation steps); its megabatches are min(n / (4 · it), 50) of it. 0 = batch_size.
  int64_t group_batch_size = 0;
  /// token_budget: the most padded tokens (rows × longest row) one batch may hold. Rows are
  /// taken in seeded random megabatches of 1,000, sorted by length, cut greedily under the
  /// budget (a row longer than the budget is a batch of its own), and the batches shuffled.
  int64_t max_tokens = 0;
  void validate() const;
};

class BatchSampler {
 public:
  /// `lengths` (one per row) are needed by group_by_length and token_budget.
  BatchSampler(int64_t num_rows, SamplerOptions options, std::vector<int64_t> lengths = {});

  /// Where the sampler stands: `batch` batches of `epoch` already handed out.
  struct Position {
    int64_t epoch = 0, batch = 0;
  };

  /// Starts `epoch` from its first batch.
  void set_epoch(int64_t epoch) { seek({epoch, 0}); }
  /// Continues at `pos` (from a checkpoint): the next call to next() gives batch pos.batch.
  void seek(Position pos);
  Position position() const { return pos_; }
  /// This rank's next batch of the current epoch, or nullopt when the epoch is done. The span
  /// stays valid until the next call of next(), seek or set_epoch.
  std::optional<std::span<const int64_t>> next();

  /// This rank's number of batches in the current epoch.
  int64_t num_batches() const { return static_cast<int64_t>(starts_.size()) - 1; }
  /// HF's len(dataloader) before the epoch is drawn: batches per rank for a fixed batch size
  /// (token_budget: the count of epoch 0).
  int64_t batches_per_epoch() const;
  /// The rows of `epoch` in order, before they are cut into batches (all ranks).
  std::vector<int64_t> order(int64_t epoch) const;
  int64_t num_rows() const { return n_; }
  const SamplerOptions& options() const { return opts_; }

  /// {"epoch", "batch", "strategy", "seed", "num_replicas", "rank", "num_rows"}: what a checkpoint
  /// stores; load_state refuses a state of another sampler configuration by name.
  nlohmann::json state_dict() const;
  void load_state_dict(const nlohmann::json& state);

 private:
  /// Batches of the whole epoch (all ranks) as rows + start offsets.
  void global_batches(int64_t epoch, std::vector<int64_t>& rows, std::vector<int64_t>& starts) const;
  void draw(int64_t epoch);

  int64_t n_;
  SamplerOptions opts_;
  std::vector<int64_t> lengths_;
  Position pos_;
  int64_t drawn_epoch_ = -1;
  /// This rank's batches of the drawn epoch, concatenated: int32 row ids, half the memory of a
  /// split of tens of millions of rows (at most 2^31 - 1 rows; the constructor checks).
  std::vector<int32_t> rows_;
  std::vector<int64_t> starts_;  ///< batch b is rows_[starts_[b] .. starts_[b + 1])
  std::vector<int64_t> batch_;   ///< the batch next() returned
};

}  // namespace afinar
