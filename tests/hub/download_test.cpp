// The Hub client against the loopback emulator: snapshot download into blobs + symlinks,
// resume of a partial file, SHA-256 verification, names that would escape the cache, HF_TOKEN.
#include <gtest/gtest.h>
#include <stdlib.h>

#include "afinar/core/check.h"
#include "afinar/hub/cache.h"
#include "afinar/hub/http.h"
#include "hub/hub_emulator.h"

namespace fs = std::filesystem;
using afinar::hub::RepoType;

namespace {

struct Env {
  fs::path dir = fs::temp_directory_path() / ("afinar_hub_dl_" + std::to_string(::getpid()));
  afinar::test::HubEmulator hub{dir / "repos"};
  Env() {
    fs::remove_all(dir);
    fs::create_directories(dir / "repos/models/org/m/sub");
    std::ofstream(dir / "repos/models/org/m/config.json") << R"({"hidden_size": 32})";
    std::ofstream(dir / "repos/models/org/m/sub/weights.bin") << std::string(50000, 'w') + "end";
    setenv("HF_HUB_CACHE", (dir / "cache").c_str(), 1);
    setenv("HF_ENDPOINT", hub.endpoint().c_str(), 1);
    unsetenv("HF_HUB_OFFLINE");
  }
  ~Env() {
    unsetenv("HF_HUB_CACHE");
    unsetenv("HF_ENDPOINT");
    unsetenv("HF_TOKEN");
    fs::remove_all(dir);
  }
  std::string read(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  }
};

TEST(HubDownload, SnapshotIntoBlobsWithResumeAndVerification) {
  Env e;
  e.hub.cut_first_download("sub/weights.bin", 20000);
  e.hub.corrupt_first_download("config.json");
  setenv("HF_TOKEN", "hf_test", 1);
  fs::path snap = afinar::hub::resolve_repo("org/m");
  EXPECT_EQ(snap.filename(), afinar::test::HubEmulator::sha_of("org/m"));
  EXPECT_EQ(e.read(snap / "sub/weights.bin"), std::string(50000, 'w') + "end");
  EXPECT_EQ(e.read(snap / "config.json"), R"({"hidden_size": 32})");
  EXPECT_TRUE(fs::is_symlink(snap / "config.json"));
  EXPECT_TRUE(fs::is_regular_file(e.dir / "cache/models--org--m/blobs" / afinar::hub::sha256_hex(R"({"hidden_size": 32})")));
  // api + weights (cut, then resumed from byte 20000) + config (corrupt, then fetched again)
  auto log = e.hub.log();
  ASSERT_EQ(log.size(), 5u);
  EXPECT_NE(std::find(log.begin(), log.end(), "/org/m/resolve/" + snap.filename().string() +
                                                 "/sub/weights.bin range=20000 auth=Bearer hf_test"),
            log.end());
  EXPECT_EQ(afinar::hub::resolve_repo("org/m"), snap);  // from the cache: no request
  EXPECT_EQ(e.hub.requests(), 5);
  setenv("HF_HUB_OFFLINE", "1", 1);
  EXPECT_EQ(afinar::hub::resolve_repo("org/m"), snap);
  unsetenv("HF_HUB_OFFLINE");
}

TEST(HubDownload, PartialFileFromAnEarlierRunIsResumed) {
  Env e;
  const std::string url = e.hub.endpoint() + "/org/m/resolve/x/sub/weights.bin";
  fs::create_directories(e.dir / "out");
  std::ofstream(e.dir / "out/w.bin.incomplete") << std::string(30000, 'w');
  auto r = afinar::hub::http_download_resumable(url, e.dir / "out/w.bin");
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(e.read(e.dir / "out/w.bin"), std::string(50000, 'w') + "end");
  EXPECT_FALSE(fs::exists(e.dir / "out/w.bin.incomplete"));
  EXPECT_EQ(e.hub.log().back(), "/org/m/resolve/x/sub/weights.bin range=30000");
  EXPECT_EQ(afinar::hub::http_download_resumable(e.hub.endpoint() + "/org/m/resolve/x/none", e.dir / "out/n").status, 404);
  EXPECT_FALSE(fs::exists(e.dir / "out/n.incomplete"));
}

TEST(HubDownload, RefusesNamesThatEscapeTheCacheAndUnknownRepos) {
  Env e;
  e.hub.add_listed_name("../../evil.txt");
  try {
    afinar::hub::resolve_repo("org/m");
    FAIL() << "expected an error";
  } catch (const afinar::FormatError& err) {
    EXPECT_NE(std::string(err.what()).find("would escape the cache: '../../evil.txt'"), std::string::npos) << err.what();
  }
  EXPECT_FALSE(fs::exists(e.dir / "cache/evil.txt"));
  EXPECT_THROW(afinar::hub::resolve_repo("org/absent"), afinar::InvalidArgument);
}

}  // namespace
