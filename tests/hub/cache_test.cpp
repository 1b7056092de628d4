#include "afinar/hub/cache.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "afinar/core/check.h"

namespace fs = std::filesystem;
using afinar::hub::RepoType;

namespace {
struct TempCache {
  fs::path dir = fs::temp_directory_path() / ("afinar_hub_test_" + std::to_string(::getpid()));
  TempCache() {
    fs::create_directories(dir);
    setenv("HF_HUB_CACHE", dir.c_str(), 1);
  }
  ~TempCache() {
    unsetenv("HF_HUB_CACHE");
    fs::remove_all(dir);
  }
};
}  // namespace

TEST(HubCache, RepoFolderNames) {
  EXPECT_EQ(afinar::hub::repo_folder_name("sentence-transformers/all-MiniLM-L6-v2", RepoType::Model),
            "models--sentence-transformers--all-MiniLM-L6-v2");
  EXPECT_EQ(afinar::hub::repo_folder_name("rotten_tomatoes", RepoType::Dataset), "datasets--rotten_tomatoes");
}

TEST(HubCache, ResolvesRefsToSnapshots) {
  TempCache c;
  fs::path repo = c.dir / "models--org--m";
  fs::create_directories(repo / "snapshots" / "abc123");
  fs::create_directories(repo / "refs");
  std::ofstream(repo / "refs" / "main") << "abc123\n";
  EXPECT_EQ(afinar::hub::resolve_repo("org/m"), repo / "snapshots" / "abc123");
  EXPECT_EQ(*afinar::hub::cached_snapshot("org/m", RepoType::Model, "abc123"), repo / "snapshots" / "abc123");
}

TEST(HubCache, OfflineMissIsAClearError) {
  TempCache c;
  setenv("HF_HUB_OFFLINE", "1", 1);
  try {
    afinar::hub::resolve_repo("org/absent");
    FAIL() << "expected an error";
  } catch (const afinar::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("HF_HUB_OFFLINE"), std::string::npos) << e.what();
  }
  unsetenv("HF_HUB_OFFLINE");
}

TEST(HubCache, LocalFolderIsReturnedAsIs) {
  TempCache c;
  EXPECT_EQ(afinar::hub::resolve_repo(c.dir.string()), c.dir);
  EXPECT_THROW(afinar::hub::resolve_repo("../not/a/repo/id"), afinar::InvalidArgument);
}
