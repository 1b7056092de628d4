#include "afinar/train/sampler.h"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "afinar/core/check.h"
#include "afinar/train/trainer_pt_utils.h"
#include "afinar_test_paths.h"

namespace {

nlohmann::json read_fixture(const std::string& name) {
  std::ifstream in(std::string(AFINAR_FIXTURES_DIR) + "/train/" + name);
  return nlohmann::json::parse(in);
}

std::vector<std::vector<int64_t>> all_batches(afinar::BatchSampler& s) {
  std::vector<std::vector<int64_t>> out;
  while (auto b = s.next()) out.emplace_back(b->begin(), b->end());
  return out;
}

}  // namespace

// HF Trainer's training order: randperm(n) from a generator seeded with seed + epoch (the
// fixture is the first 160 indices HF's dataloader drew for rotten_tomatoes' 8,530 rows).
TEST(BatchSampler, RandomOrderIsHFSamplerOrder) {
  const auto want = read_fixture("minilm_rt_20steps.json")["order"].get<std::vector<int64_t>>();
  ASSERT_EQ(want.size(), 160u);
  afinar::SamplerOptions o;
  o.seed = 42;
  o.batch_size = 8;
  afinar::BatchSampler s(8530, o);
  const auto order = s.order(0);
  EXPECT_EQ(std::vector<int64_t>(order.begin(), order.begin() + 160), want);
  EXPECT_NE(s.order(1), order);  // a new permutation each epoch
  s.set_epoch(0);
  const auto batches = all_batches(s);
  ASSERT_EQ(batches.size(), 1067u);  // ceil(8530 / 8): the last batch is short
  EXPECT_EQ(batches[0], std::vector<int64_t>(order.begin(), order.begin() + 8));
  EXPECT_EQ(batches.back().size(), 2u);
}

// The batches of a single process are stored as int32 row ids drawn straight from randperm; they
// must be the int64 order (HF's) cut into batches, for random and sequential, with and without
// drop_last, and over more rows than randperm's first algorithm switch would matter for.
TEST(BatchSampler, CompactRowsAreTheOrderCutIntoBatches) {
  for (const std::string strategy : {"random", "sequential"})
    for (const bool drop_last : {false, true}) {
      SCOPED_TRACE(strategy + (drop_last ? " drop_last" : ""));
      afinar::SamplerOptions o;
      o.strategy = strategy;
      o.seed = 7;
      o.batch_size = 7;
      o.drop_last = drop_last;
      afinar::BatchSampler s(100003, o);
      s.set_epoch(2);
      std::vector<int64_t> got;
      for (const auto& b : all_batches(s)) got.insert(got.end(), b.begin(), b.end());
      auto want = s.order(2);
      if (drop_last) want.resize(100003 / 7 * 7);
      EXPECT_EQ(got, want);
      EXPECT_EQ(s.num_batches(), s.batches_per_epoch());
    }
}

// accelerate's BatchSamplerShard under HF Trainer: batch i goes to rank i % world; the last round
// is completed from the start of the epoch so every rank gets as many batches (fixture from
// accelerate itself, tools/oracle/sampler_fixtures.py).
TEST(BatchSampler, ShardsAsAccelerate) {
  for (const auto& c : read_fixture("sampler_shards.json")["cases"]) {
    for (int64_t rank = 0; rank < c["num_replicas"].get<int64_t>(); ++rank) {
      afinar::SamplerOptions o;
      o.strategy = "sequential";
      o.batch_size = c["batch_size"];
      o.drop_last = c["drop_last"];
      o.num_replicas = c["num_replicas"];
      o.rank = rank;
      SCOPED_TRACE(c.dump().substr(0, 80) + " rank " + std::to_string(rank));
      if (o.drop_last && c["n"].get<int64_t>() < o.batch_size) continue;
      afinar::BatchSampler s(c["n"], o);
      s.set_epoch(0);
      const auto want = c["shards"][rank].get<std::vector<std::vector<int64_t>>>();
      EXPECT_EQ(s.batches_per_epoch(), static_cast<int64_t>(want.size()));
      EXPECT_EQ(all_batches(s), want);
    }
  }
}

// The sampler's position is its checkpoint: a sampler restored from state_dict continues with the
// next batch, without drawing the batches before it; a state of another run is refused by name.
TEST(BatchSampler, PositionRoundTripsAndResumes) {
  afinar::SamplerOptions o;
  o.batch_size = 3;
  afinar::BatchSampler a(20, o);
  a.set_epoch(1);
  a.next();
  a.next();
  const nlohmann::json state = a.state_dict();
  EXPECT_EQ(state["epoch"], 1);
  EXPECT_EQ(state["batch"], 2);
  const auto rest = all_batches(a);
  afinar::BatchSampler b(20, o);
  b.load_state_dict(state);
  EXPECT_EQ(all_batches(b), rest);
  EXPECT_FALSE(b.next().has_value());

  afinar::BatchSampler other(21, o);
  try {
    other.load_state_dict(state);
    FAIL() << "a state of 20 rows was loaded into a sampler of 21";
  } catch (const afinar::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("num_rows"), std::string::npos) << e.what();
  }
  EXPECT_THROW(b.seek({1, 99}), afinar::InvalidArgument);
}

// group_by_length: HF's get_length_grouped_indices over the rows' lengths, grouped by
// group_batch_size, from a generator seeded seed + epoch.
TEST(BatchSampler, GroupByLengthIsLengthGroupedIndices) {
  std::vector<int64_t> lengths;
  for (int64_t i = 0; i < 50; ++i) lengths.push_back(1 + (i * 37) % 23);
  afinar::SamplerOptions o;
  o.strategy = "group_by_length";
  o.batch_size = 2;
  o.group_batch_size = 4;
  o.seed = 7;
  afinar::BatchSampler s(50, o, lengths);
  EXPECT_EQ(s.order(3),
            afinar::get_length_grouped_indices(lengths, 4, at::make_generator<at::CPUGeneratorImpl>(7 + 3)));
  EXPECT_THROW(afinar::BatchSampler(50, o, {1, 2}), afinar::InvalidArgument);
}

// token_budget: every row once per epoch; a batch holds at most max_tokens padded tokens (rows ×
// its longest row) unless it is a single row longer than the budget; seeded and new each epoch.
TEST(BatchSampler, TokenBudgetBatches) {
  std::vector<int64_t> lengths;
  for (int64_t i = 0; i < 2500; ++i) lengths.push_back(1 + (i * 7919) % 97);
  lengths[17] = 300;  // longer than the budget: a batch of its own
  afinar::SamplerOptions o;
  o.strategy = "token_budget";
  o.max_tokens = 256;
  afinar::BatchSampler s(2500, o, lengths);
  s.set_epoch(0);
  const auto e0 = all_batches(s);
  std::multiset<int64_t> seen;
  for (const auto& b : e0) {
    int64_t longest = 0;
    for (int64_t r : b) longest = std::max(longest, lengths[r]);
    if (b.size() > 1) {
      EXPECT_LE(static_cast<int64_t>(b.size()) * longest, 256);
    }
    seen.insert(b.begin(), b.end());
  }
  EXPECT_EQ(seen.size(), 2500u);
  EXPECT_EQ(std::set<int64_t>(seen.begin(), seen.end()).size(), 2500u);
  EXPECT_EQ(s.batches_per_epoch(), static_cast<int64_t>(e0.size()));
  s.set_epoch(0);
  EXPECT_EQ(all_batches(s), e0);  // deterministic
  s.set_epoch(1);
  EXPECT_NE(all_batches(s), e0);
}
