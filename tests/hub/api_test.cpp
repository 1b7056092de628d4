// The Hub write API against the loopback emulator: create_repo, NDJSON commits (base64 files,
// deletions), upload_folder, HF_TOKEN as Bearer, a failed commit that changes nothing, and
// snapshot_download with allow patterns.
#include "afinar/hub/api.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "afinar/core/check.h"
#include "afinar/hub/sha256.h"
#include "hub/hub_emulator.h"

namespace fs = std::filesystem;
using afinar::hub::RepoType;

namespace {

struct Env {
  fs::path dir = fs::temp_directory_path() / ("afinar_hub_api_" + std::to_string(::getpid()));
  afinar::test::HubEmulator hub{dir / "repos"};
  Env() {
    fs::remove_all(dir);
    fs::create_directories(dir / "repos");
    setenv("HF_HUB_CACHE", (dir / "cache").c_str(), 1);
    setenv("HF_ENDPOINT", hub.endpoint().c_str(), 1);
    unsetenv("HF_HUB_OFFLINE");
    unsetenv("HF_TOKEN");
  }
  ~Env() {
    unsetenv("HF_HUB_CACHE");
    unsetenv("HF_ENDPOINT");
    unsetenv("HF_TOKEN");
    fs::remove_all(dir);
  }
  static std::string read(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  }
};

TEST(HubApi, Base64AsPython) {
  EXPECT_EQ(afinar::hub::base64_encode(""), "");
  EXPECT_EQ(afinar::hub::base64_encode("f"), "Zg==");
  EXPECT_EQ(afinar::hub::base64_encode("fo"), "Zm8=");
  EXPECT_EQ(afinar::hub::base64_encode("foo"), "Zm9v");
  EXPECT_EQ(afinar::hub::base64_encode(std::string("\xff\x00\x10", 3)), "/wAQ");
}

TEST(HubApi, CreateRepoCommitAndDownloadBack) {
  Env e;
  setenv("HF_TOKEN", "hf_secret", 1);
  e.hub.require_token("hf_secret");
  const std::string url = afinar::hub::create_repo("me/ds", RepoType::Dataset, /*private_repo=*/true);
  EXPECT_EQ(url, e.hub.endpoint() + "/datasets/me/ds");
  EXPECT_EQ(e.hub.created().at(0),
            nlohmann::json::parse(R"({"name":"ds","organization":"me","private":true,"type":"dataset"})"));
  EXPECT_NO_THROW(afinar::hub::create_repo("me/ds", RepoType::Dataset));  // exists: fine
  EXPECT_THROW(afinar::hub::create_repo("me/ds", RepoType::Dataset, false, "", /*exist_ok=*/false),
               afinar::FormatError);

  const std::string bin = std::string("\x00\x01\xfe\xff", 4) + std::string(3000, 'x');
  auto info = afinar::hub::create_commit("me/ds", RepoType::Dataset, {{"a.txt", "hello"}, {"sub/b.bin", bin}}, {},
                                         "first commit");
  EXPECT_EQ(info.oid.size(), 40u);
  EXPECT_NE(info.oid, afinar::test::HubEmulator::sha_of("me/ds"));
  const std::string body = e.hub.commit_bodies().at(0);
  EXPECT_EQ(body.substr(0, body.find('\n')), R"({"key":"header","value":{"description":"","summary":"first commit"}})");
  EXPECT_NE(body.find(R"({"key":"file","value":{"content":"aGVsbG8=","encoding":"base64","path":"a.txt"}})"),
            std::string::npos);
  for (const auto& l : e.hub.log()) EXPECT_NE(l.find(" auth=Bearer hf_secret"), std::string::npos) << l;

  // Downloaded back through resolve, with only the files an include pattern names.
  fs::path snap = afinar::hub::snapshot_download("me/ds", RepoType::Dataset, "main", {"sub/*"});
  EXPECT_EQ(snap.filename(), info.oid);
  EXPECT_EQ(Env::read(snap / "sub/b.bin"), bin);
  EXPECT_FALSE(fs::exists(snap / "a.txt"));

  // A second commit deletes a file; a new sha, and the listing follows.
  auto second = afinar::hub::create_commit("me/ds", RepoType::Dataset, {{"c.txt", "c"}}, {"a.txt"}, "second");
  EXPECT_NE(second.oid, info.oid);
  EXPECT_EQ(afinar::hub::list_repo_files("me/ds", RepoType::Dataset), (std::vector<std::string>{"c.txt", "sub/b.bin"}));

  // Without the token: 401 named as an auth problem.
  unsetenv("HF_TOKEN");
  try {
    afinar::hub::create_commit("me/ds", RepoType::Dataset, {{"d.txt", "d"}}, {}, "no token");
    ADD_FAILURE() << "expected an error";
  } catch (const afinar::InvalidArgument& err) {
    EXPECT_NE(std::string(err.what()).find("HTTP 401"), std::string::npos) << err.what();
    EXPECT_NE(std::string(err.what()).find("HF_TOKEN"), std::string::npos) << err.what();
  }
}

TEST(HubApi, FailedOrRejectedCommitChangesNothing) {
  Env e;
  afinar::hub::create_repo("me/m", RepoType::Model);
  afinar::hub::create_commit("me/m", RepoType::Model, {{"config.json", "{}"}}, {}, "init");
  const auto before = afinar::hub::list_repo_files("me/m", RepoType::Model);
  e.hub.fail_next_commit(422);
  EXPECT_THROW(
      afinar::hub::create_commit("me/m", RepoType::Model, {{"w1.bin", "1"}, {"w2.bin", "2"}}, {"config.json"}, "half"),
      afinar::FormatError);
  EXPECT_EQ(afinar::hub::list_repo_files("me/m", RepoType::Model), before);
  EXPECT_FALSE(fs::exists(e.dir / "repos/models/me/m/w1.bin"));
  // A path escaping the repo is refused whole, with the valid file of the same commit.
  EXPECT_THROW(afinar::hub::create_commit("me/m", RepoType::Model, {{"ok.txt", "1"}, {"../evil", "2"}}, {}, "bad"),
               afinar::FormatError);
  EXPECT_EQ(afinar::hub::list_repo_files("me/m", RepoType::Model), before);
  EXPECT_THROW(afinar::hub::create_commit("me/m", RepoType::Model, {{"x", "1"}}, {}, ""), afinar::InvalidArgument);
}

TEST(HubApi, UploadFolder) {
  Env e;
  fs::create_directories(e.dir / "up/sub");
  fs::create_directories(e.dir / "up/.git");
  std::ofstream(e.dir / "up/README.md") << "# hi";
  std::ofstream(e.dir / "up/sub/x.json") << "[1]";
  std::ofstream(e.dir / "up/.git/HEAD") << "ref";
  afinar::hub::create_repo("org/up", RepoType::Model);
  afinar::hub::upload_folder("org/up", RepoType::Model, e.dir / "up", "", "Upload it");
  EXPECT_EQ(afinar::hub::list_repo_files("org/up", RepoType::Model),
            (std::vector<std::string>{"README.md", "sub/x.json"}));
  afinar::hub::upload_folder("org/up", RepoType::Model, e.dir / "up/sub/x.json", "y/z.json");
  EXPECT_EQ(Env::read(e.dir / "repos/models/org/up/y/z.json"), "[1]");
  const auto bodies = e.hub.commit_bodies();
  EXPECT_NE(bodies.back().find(R"("summary":"Upload y/z.json with afinar")"), std::string::npos) << bodies.back();
}

}  // namespace
