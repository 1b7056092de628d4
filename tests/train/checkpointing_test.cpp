#include "afinar/train/checkpointing.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "afinar/core/check.h"
#include "afinar_test_paths.h"

namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("afinar_ckpt_" + std::to_string(::getpid()) + "_" +
                                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
  TempDir() { fs::remove_all(path); }
  ~TempDir() { fs::remove_all(path); }
};

std::vector<int64_t> surviving(const fs::path& dir) {
  std::vector<int64_t> out;
  for (const auto& p : afinar::sorted_checkpoints(dir)) out.push_back(std::stoll(p.filename().string().substr(11)));
  return out;
}

}  // namespace

// transformers' rotate_checkpoints after each save, and _finalize_training's save_total_limit 1 rule
// (fixture: tools/oracle/checkpoint_rotation_fixtures.py runs transformers' own functions).
TEST(Checkpointing, RotationAsTransformers) {
  std::ifstream in(std::string(AFINAR_FIXTURES_DIR) + "/train/checkpoint_rotation.json");
  for (const auto& c : nlohmann::json::parse(in)["cases"]) {
    SCOPED_TRACE(c.dump());
    TempDir tmp;
    // best < 0: no best checkpoint in this case.
    const int64_t best = c["best"].is_null() ? -1 : c["best"].get<int64_t>();
    const int64_t limit = c["save_total_limit"].get<int64_t>();
    for (int64_t s : c["steps"].get<std::vector<int64_t>>()) {
      fs::create_directories(tmp.path / ("checkpoint-" + std::to_string(s)));
      std::optional<std::string> best_dir;
      if (best >= 0 && s >= best) best_dir = (tmp.path / ("checkpoint-" + std::to_string(best))).string();
      afinar::rotate_checkpoints(tmp.path, limit, best_dir);
    }
    EXPECT_EQ(surviving(tmp.path), c["after_saves"].get<std::vector<int64_t>>());
    if (best >= 0 && limit == 1)
      afinar::keep_only_best_checkpoint(tmp.path, (tmp.path / ("checkpoint-" + std::to_string(best))).string());
    EXPECT_EQ(surviving(tmp.path), c["at_end"].get<std::vector<int64_t>>());
  }
}

// resume_from_checkpoint: a folder, or the newest checkpoint-N (by number, not by name).
TEST(Checkpointing, ResolvesTheNewestCheckpoint) {
  TempDir tmp;
  for (const char* n : {"checkpoint-9", "checkpoint-10", "checkpoint-2", "other"}) fs::create_directories(tmp.path / n);
  EXPECT_EQ(afinar::resolve_checkpoint("latest", tmp.path).filename(), "checkpoint-10");
  EXPECT_EQ(afinar::resolve_checkpoint("true", tmp.path).filename(), "checkpoint-10");
  EXPECT_EQ(afinar::resolve_checkpoint((tmp.path / "checkpoint-2").string(), tmp.path).filename(), "checkpoint-2");
  EXPECT_THROW(afinar::resolve_checkpoint("true", tmp.path / "other"), afinar::InvalidArgument);
  EXPECT_THROW(afinar::resolve_checkpoint((tmp.path / "missing").string(), tmp.path), afinar::InvalidArgument);
}
