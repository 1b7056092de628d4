// `afinar hub upload|download` through the built binary against the loopback Hub emulator.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "afinar_test_paths.h"
#include "cli/cli_test_util.h"
#include "hub/hub_emulator.h"

namespace fs = std::filesystem;
using afinar_test::run_afinar;
using afinar_test::TempDir;

namespace {

std::string read(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}
std::string last_line(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s.substr(s.rfind('\n') == std::string::npos ? 0 : s.rfind('\n') + 1);
}

}  // namespace

TEST(HubCommand, UploadThenDownloadWithInclude) {
  TempDir tmp("afinar_hub_cmd");
  afinar::test::HubEmulator hub(tmp.path / "repos");
  setenv("HF_ENDPOINT", hub.endpoint().c_str(), 1);
  setenv("HF_HUB_CACHE", (tmp.path / "cache").c_str(), 1);
  setenv("HF_TOKEN", "hf_cli", 1);
  unsetenv("HF_HUB_OFFLINE");
  fs::create_directories(tmp.path / "model/sub");
  std::ofstream(tmp.path / "model/config.json") << R"({"hidden_size": 32})";
  std::ofstream(tmp.path / "model/sub/weights.bin") << std::string(1000, 'w');

  auto up = run_afinar("hub upload me/tiny " + (tmp.path / "model").string() + " --commit-message 'Add model'");
  ASSERT_EQ(up.exit_code, 0) << up.output;
  EXPECT_NE(last_line(up.output).find(hub.endpoint() + "/me/tiny/commit/"), std::string::npos) << up.output;
  EXPECT_NE(hub.commit_bodies().at(0).find(R"("summary":"Add model")"), std::string::npos);
  for (const auto& l : hub.log()) EXPECT_NE(l.find("auth=Bearer hf_cli"), std::string::npos) << l;

  auto dl = run_afinar("hub download me/tiny --include '*.json'");
  ASSERT_EQ(dl.exit_code, 0) << dl.output;
  const fs::path snap = last_line(dl.output);
  EXPECT_EQ(read(snap / "config.json"), R"({"hidden_size": 32})");
  EXPECT_FALSE(fs::exists(snap / "sub/weights.bin"));
  auto all = run_afinar("hub download me/tiny --repo-type model --revision main");
  ASSERT_EQ(all.exit_code, 0) << all.output;
  EXPECT_EQ(read(fs::path(last_line(all.output)) / "sub/weights.bin"), std::string(1000, 'w'));

  // A dataset repo, uploaded as one file.
  std::ofstream(tmp.path / "train.jsonl") << "{\"text\": \"a\"}\n";
  auto ds = run_afinar("hub upload me/data " + (tmp.path / "train.jsonl").string() + " --repo-type dataset");
  ASSERT_EQ(ds.exit_code, 0) << ds.output;
  EXPECT_TRUE(fs::is_regular_file(tmp.path / "repos/datasets/me/data/train.jsonl"));

  auto missing = run_afinar("hub download me/nothing");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.output.find("me/nothing"), std::string::npos) << missing.output;
  auto bad = run_afinar("hub download me/tiny --repo-type space");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  unsetenv("HF_ENDPOINT");
  unsetenv("HF_HUB_CACHE");
  unsetenv("HF_TOKEN");
}
