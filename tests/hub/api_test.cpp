// The Hub write API against the loopback emulator: create_repo, NDJSON commits (base64 files,
// LFS files through preupload + the LFS batch API, basic and multipart, deletions),
// upload_folder, HF_TOKEN as Bearer, a failed commit that changes nothing, and
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
  // The binary file went through LFS; Hub requests carry the token, presigned storage PUTs none.
  EXPECT_NE(body.find(R"("key":"lfsFile")"), std::string::npos) << body;
  for (const auto& l : e.hub.log()) {
    if (l.rfind("PUT /lfs-storage/", 0) == 0)
      EXPECT_EQ(l.find(" auth="), std::string::npos) << l;
    else
      EXPECT_NE(l.find(" auth=Bearer hf_secret"), std::string::npos) << l;
  }

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

/// `n` bytes that do not repeat (a text sample: not binary by the NUL rule).
std::string text_bytes(size_t n, uint32_t seed) {
  std::string s(n, 'a');
  for (auto& ch : s) {
    seed = seed * 1664525u + 1013904223u;
    ch = char('a' + (seed >> 24) % 26);
  }
  return s;
}

TEST(HubApi, LfsFilesBasicMultipartAndAlreadyStored) {
  Env e;
  e.hub.set_lfs(/*bytes=*/1000, /*multipart_bytes=*/4000, /*chunk=*/1500);
  afinar::hub::create_repo("me/lfs", RepoType::Dataset);
  const std::string big = text_bytes(5000, 1), mid = text_bytes(2000, 2);
  afinar::hub::create_commit("me/lfs", RepoType::Dataset, {{"small.txt", "tiny"}, {"mid.txt", mid}, {"d/big.txt", big}},
                             {}, "lfs commit");
  // Stored byte for byte, downloaded back through resolve.
  EXPECT_EQ(Env::read(e.dir / "repos/datasets/me/lfs/d/big.txt"), big);
  EXPECT_EQ(Env::read(e.dir / "repos/datasets/me/lfs/mid.txt"), mid);
  EXPECT_EQ(Env::read(e.dir / "repos/datasets/me/lfs/small.txt"), "tiny");
  fs::path snap = afinar::hub::snapshot_download("me/lfs", RepoType::Dataset);
  EXPECT_EQ(Env::read(snap / "d/big.txt"), big);
  // The commit names LFS files by sha256 and size; only the small one is inline.
  const std::string body = e.hub.commit_bodies().at(0);
  EXPECT_NE(body.find(R"({"key":"lfsFile","value":{"algo":"sha256","oid":")" + afinar::hub::sha256_hex(big) +
                      R"(","path":"d/big.txt","size":5000}})"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find(R"("path":"mid.txt","size":2000)"), std::string::npos) << body;
  EXPECT_NE(body.find(R"({"key":"file","value":{"content":"dGlueQ==")"), std::string::npos) << body;
  EXPECT_EQ(body.find(afinar::hub::base64_encode(big).substr(0, 40)), std::string::npos);
  // 5000 bytes in chunks of 1500: 4 part PUTs; 2000 bytes: one PUT; both verified.
  auto count = [&](const std::string& prefix) {
    size_t n = 0;
    for (const auto& l : e.hub.log()) n += l.rfind(prefix, 0) == 0;
    return n;
  };
  EXPECT_EQ(count("PUT /lfs-storage/" + afinar::hub::sha256_hex(big) + "/part/"), 4u);
  EXPECT_EQ(count("PUT /lfs-storage/" + afinar::hub::sha256_hex(mid)), 1u);
  EXPECT_EQ(count("POST /lfs-verify/"), 2u);
  EXPECT_EQ(count("POST /api/datasets/me/lfs/preupload/main"), 1u);
  EXPECT_EQ(e.hub.lfs_objects().size(), 2u);

  // The same content under a new name: the Hub holds it, nothing is uploaded again.
  const size_t puts = count("PUT ");
  afinar::hub::create_commit("me/lfs", RepoType::Dataset, {{"copy.txt", big}}, {}, "copy");
  EXPECT_EQ(count("PUT "), puts);
  EXPECT_EQ(Env::read(e.dir / "repos/datasets/me/lfs/copy.txt"), big);
}

TEST(HubApi, RefusedLfsObjectCommitsNothing) {
  Env e;
  e.hub.set_lfs(100, 1 << 20, 1 << 20);
  afinar::hub::create_repo("me/r", RepoType::Model);
  e.hub.refuse_next_lfs_batch();
  try {
    afinar::hub::create_commit("me/r", RepoType::Model, {{"w.bin", text_bytes(500, 3)}, {"a.txt", "a"}}, {}, "x");
    ADD_FAILURE() << "expected an error";
  } catch (const afinar::FormatError& err) {
    EXPECT_NE(std::string(err.what()).find("w.bin"), std::string::npos) << err.what();
    EXPECT_NE(std::string(err.what()).find("object refused"), std::string::npos) << err.what();
  }
  EXPECT_TRUE(e.hub.commit_bodies().empty());
  EXPECT_TRUE(afinar::hub::list_repo_files("me/r", RepoType::Model).empty());
}

TEST(HubApi, CommitAbove50MegabytesGoesThroughLfs) {
  // The Hub's own thresholds (10 MiB LFS, multipart above 20 MiB in 8 MiB parts): 60 MB of
  // binary data in one commit, 8 parts, read back equal.
  Env e;
  afinar::hub::create_repo("me/big", RepoType::Dataset);
  std::string big = text_bytes(60'000'000, 4);
  big[7] = '\0';
  afinar::hub::create_commit("me/big", RepoType::Dataset, {{"data/train.parquet", big}}, {}, "60 MB");
  size_t parts = 0;
  for (const auto& l : e.hub.log()) parts += l.find("/part/") != std::string::npos;
  EXPECT_EQ(parts, 8u);
  fs::path snap = afinar::hub::snapshot_download("me/big", RepoType::Dataset);
  EXPECT_EQ(afinar::hub::sha256_file(snap / "data/train.parquet"), afinar::hub::sha256_hex(big));
  EXPECT_LT(e.hub.commit_bodies().at(0).size(), 1000u);  // no inline copy of the data
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
