// load_dataset("rotten_tomatoes") from the loopback Hub emulator (tests/hub/hub_emulator.h):
// a download cut halfway resumes, a corrupted blob is fetched again, the second call makes no
// request, and HF_HUB_OFFLINE=1 serves from the cache.
#include "afinar/data/load_dataset.h"

#include "hub/hub_emulator.h"
#include "test_util.h"

namespace afinar {
namespace {

namespace fs = std::filesystem;

TEST(LoadDatasetHub, RottenTomatoesThroughTheEmulator) {
  test::TempDir tmp;
  const fs::path repo = tmp.path / "repos/datasets/rotten_tomatoes";
  fs::create_directories(repo);
  for (const char* s : {"train", "validation", "test"})
    fs::copy_file(test::rotten_tomatoes_dir() / (std::string(s) + ".jsonl"), repo / (std::string(s) + ".jsonl"));
  DatasetDict dd;
  {
    test::HubEmulator hub(tmp.path / "repos");
    test::ScopedEnv endpoint("HF_ENDPOINT", hub.endpoint());
    test::ScopedEnv cache("HF_HUB_CACHE", (tmp.path / "cache").string());
    test::ScopedEnv online("HF_HUB_OFFLINE", "0");
    hub.cut_first_download("train.jsonl", fs::file_size(repo / "train.jsonl") / 2);
    hub.corrupt_first_download("test.jsonl");
    dd = load_dataset("rotten_tomatoes");
    EXPECT_EQ(dd["train"].num_rows(), 8530);
    EXPECT_EQ(dd["validation"].num_rows(), 1066);
    EXPECT_EQ(dd["test"].num_rows(), 1066);
    // api, train cut + resumed, validation, test corrupted + fetched again
    EXPECT_EQ(hub.requests(), 6);
    const auto log = hub.log();
    EXPECT_EQ(std::count_if(log.begin(), log.end(), [](const std::string& l) { return l.find(" range=") != std::string::npos; }), 1);
    auto again = load_dataset("rotten_tomatoes");
    EXPECT_EQ(hub.requests(), 6);  // zero requests the second time
    EXPECT_EQ(again["train"].column_strings("text"), dd["train"].column_strings("text"));
  }
  // The emulator is gone: offline mode serves the cache.
  test::ScopedEnv cache("HF_HUB_CACHE", (tmp.path / "cache").string());
  test::ScopedEnv offline("HF_HUB_OFFLINE", "1");
  auto off = load_dataset("rotten_tomatoes");
  EXPECT_EQ(off["test"].column_strings("text"), dd["test"].column_strings("text"));
}

}  // namespace
}  // namespace afinar
