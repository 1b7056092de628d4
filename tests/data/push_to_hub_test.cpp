// push_to_hub through the loopback Hub emulator (tests/hub/hub_emulator.h): the dataset card as
// HF writes it (fixtures/hub/card_expected.json, from tools/oracle/data_media_fixtures.py), the
// parquet shards HF names, a push → load_dataset round trip through HF_ENDPOINT, HF_TOKEN sent as
// Bearer, and a failed commit that leaves the repo as it was.
#include "afinar/data/push_to_hub.h"

#include <arrow/api.h>
#include <arrow/util/byte_size.h>

#include <fstream>
#include <optional>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/data/load_dataset.h"
#include "hub/hub_emulator.h"
#include "test_util.h"

namespace afinar {
namespace {

namespace fs = std::filesystem;

const nlohmann::json& cards() {
  static const auto j = test::read_json_file(fs::path(AFINAR_FIXTURES_DIR) / "hub/card_expected.json");
  return j;
}

TEST(PushToHub, DatasetCardAsHf) {
  for (const char* name : {"media", "conll"}) {
    SCOPED_TRACE(name);
    const auto& e = cards()[name];
    const auto ordered =
        nlohmann::ordered_json::parse(read_file(fs::path(AFINAR_FIXTURES_DIR) / "hub/card_expected.json"));
    const Features f = Features::from_json(ordered[name]["features"]);
    std::vector<SplitCardInfo> splits;
    for (size_t i = 0; i < e["splits"].size(); ++i)
      splits.push_back({e["splits"][i][0], e["splits"][i][1], e["splits"][i][2], e["uploaded_sizes"][i]});
    EXPECT_EQ(dataset_card(f, splits), e["readme"].get<std::string>());
  }
}

struct Hub {
  test::TempDir tmp;
  test::HubEmulator hub{tmp.path / "repos"};
  test::ScopedEnv endpoint{"HF_ENDPOINT", hub.endpoint()};
  test::ScopedEnv cache{"HF_HUB_CACHE", (tmp.path / "cache").string()};
  test::ScopedEnv online{"HF_HUB_OFFLINE", "0"};
  test::ScopedEnv token{"HF_TOKEN", "hf_push"};
  Hub() { hub.require_token("hf_push"); }
  fs::path repo(const std::string& id) const { return tmp.path / "repos/datasets" / id; }
  /// load_dataset through the emulator with a fresh cache (a new push is a new revision).
  DatasetDict load(const std::string& id, int n) const {
    test::ScopedEnv c("HF_HUB_CACHE", (tmp.path / ("cache" + std::to_string(n))).string());
    return load_dataset(id);
  }
};

TEST(PushToHub, RoundTripThroughTheHub) {
  Hub h;
  const auto dd = DatasetDict::load_from_disk(test::fixtures_dir() / "hf_saved_dict");
  PushToHubOptions o;
  o.private_repo = true;
  const std::string sha = dd.push_to_hub("me/saved", o);
  EXPECT_EQ(sha.size(), 40u);
  EXPECT_TRUE(fs::is_regular_file(h.repo("me/saved") / "data/train-00000-of-00001.parquet"));
  EXPECT_TRUE(fs::is_regular_file(h.repo("me/saved") / "data/test-00000-of-00001.parquet"));
  const std::string readme = read_file(h.repo("me/saved") / "README.md");
  EXPECT_TRUE(
      readme.starts_with("---\ndataset_info:\n  features:\n  - name: text\n    dtype: string\n  - name: label\n"))
      << readme;
  EXPECT_NE(readme.find("configs:\n- config_name: default\n  data_files:\n  - split: train\n    path: data/train-*\n"),
            std::string::npos);
  EXPECT_NE(readme.find("  - name: train\n    num_bytes: "), std::string::npos);
  EXPECT_EQ(h.hub.created().at(0)["private"], true);
  const auto log = h.hub.log();
  ASSERT_GE(log.size(), 3u);
  EXPECT_EQ(log[0], "POST /api/repos/create auth=Bearer hf_push");
  EXPECT_EQ(log.back(), "POST /api/datasets/me/saved/commit/main auth=Bearer hf_push");
  EXPECT_NE(h.hub.commit_bodies().back().find(R"("summary":"Upload dataset")"), std::string::npos);

  const auto back = h.load("me/saved", 1);
  EXPECT_EQ(back.splits(), dd.splits());
  for (const auto& split : dd.splits()) {
    EXPECT_EQ(back[split].features(), dd[split].features()) << split;
    EXPECT_EQ(test::table_rows(*back[split].table()), test::table_rows(*dd[split].table())) << split;
  }
}

TEST(PushToHub, ShardsMediaAndFailedCommit) {
  Hub h;
  const auto media = DatasetDict::load_from_disk(test::fixtures_dir() / "hf_media_dict");
  PushToHubOptions o;
  // ~6 KB of media bytes: HF's int(nbytes / max_shard_size) + 1 shards, contiguous (an empty
  // last shard when there are more shards than rows, as HF).
  o.max_shard_size = 2500;
  o.commit_message = "media";
  media.push_to_hub("me/media", o);
  const int64_t nbytes = arrow::util::ReferencedBufferSize(*media["train"].table()).ValueOrDie();
  const int64_t shards = nbytes / 2500 + 1;
  ASSERT_GE(shards, 2);
  char last[64];
  std::snprintf(last, sizeof last, "data/train-%05lld-of-%05lld.parquet", static_cast<long long>(shards - 1),
                static_cast<long long>(shards));
  EXPECT_TRUE(fs::is_regular_file(h.repo("me/media") / last)) << last;
  EXPECT_TRUE(fs::is_regular_file(h.repo("me/media") / "data/test-00000-of-00001.parquet"));
  const auto back = h.load("me/media", 1);
  EXPECT_EQ(back["train"].features(), media["train"].features());
  EXPECT_EQ(back["train"].num_rows(), 3);
  EXPECT_EQ(back["train"].image("image", 2).pixels, media["train"].image("image", 2).pixels);
  EXPECT_EQ(back["train"].audio("audio", 1).array, media["train"].audio("audio", 1).array);

  // A second push of one split replaces the data files (HF's remove_other_splits) in one commit.
  Dataset small = media["test"];
  o.max_shard_size = 500'000'000;
  o.split = "validation";
  small.push_to_hub("me/media", o);
  EXPECT_FALSE(fs::exists(h.repo("me/media") / last));
  EXPECT_EQ(h.load("me/media", 2).splits(), std::vector<std::string>{"validation"});

  // A failed commit: nothing of it is visible, the previous revision still loads.
  const std::string before = read_file(h.repo("me/media") / "README.md");
  h.hub.fail_next_commit(422);
  o.split = "train";
  test::expect_error<FormatError>([&] { media["train"].push_to_hub("me/media", o); }, {"HTTP 422", "commit failed"});
  EXPECT_EQ(read_file(h.repo("me/media") / "README.md"), before);
  EXPECT_FALSE(fs::exists(h.repo("me/media") / "data/train-00000-of-00001.parquet"));
  EXPECT_EQ(h.load("me/media", 3).splits(), std::vector<std::string>{"validation"});

  // A wrong token is an auth error.
  test::ScopedEnv bad("HF_TOKEN", "hf_wrong");
  test::expect_error<InvalidArgument>([&] { media.push_to_hub("me/other", o); }, {"HTTP 401", "HF_TOKEN"});
}

/// An Image column whose values only name files (bytes null), as Image().cast_storage of paths.
Dataset image_paths(const std::vector<std::optional<std::string>>& paths) {
  arrow::BinaryBuilder b;
  arrow::StringBuilder p;
  for (const auto& path : paths) {
    EXPECT_TRUE(b.AppendNull().ok());
    EXPECT_TRUE((path ? p.Append(*path) : p.AppendNull()).ok());
  }
  auto st = arrow::StructArray::Make({b.Finish().ValueOrDie(), p.Finish().ValueOrDie()},
                                     std::vector<std::string>{"bytes", "path"})
                .ValueOrDie();
  const Features f{{"image", Feature::image()}};
  return Dataset(arrow::Table::Make(f.arrow_schema(), {st}));
}

TEST(PushToHub, EmbedsExternalMediaFiles) {
  // HF's embed_external_files: the Hub copy holds the files' bytes and only their base names.
  Hub h;
  const auto media = DatasetDict::load_from_disk(test::fixtures_dir() / "hf_media_dict");
  const auto png = media["train"].table()->GetColumnByName("image")->GetScalar(0).ValueOrDie();
  const auto& st = static_cast<const arrow::StructScalar&>(*png);
  fs::create_directories(h.tmp.path / "img");
  const std::string file = (h.tmp.path / "img/a.png").string();
  {
    std::ofstream out(file, std::ios::binary);
    out << static_cast<const arrow::BinaryScalar&>(*st.value[0]).value->ToString();
  }
  image_paths({file, std::nullopt}).push_to_hub("me/paths", PushToHubOptions{});
  const auto back = h.load("me/paths", 1)["train"];
  EXPECT_EQ(back.image("image", 0).pixels, media["train"].image("image", 0).pixels);
  const auto col = back.table()->GetColumnByName("image");
  EXPECT_EQ(col->null_count(), 1);  // neither bytes nor path: None, as HF
  const auto row0 = col->GetScalar(0).ValueOrDie();
  EXPECT_EQ(static_cast<const arrow::StringScalar&>(*static_cast<const arrow::StructScalar&>(*row0).value[1])
                .value->ToString(),
            "a.png");

  // A path that cannot be read: an error naming the column, the row and the file; no commit.
  const size_t commits = h.hub.commit_bodies().size();
  test::expect_error<FormatError>(
      [&] {
        image_paths({file, (h.tmp.path / "img/missing.png").string()}).push_to_hub("me/paths", PushToHubOptions{});
      },
      {"column 'image' row 1", "missing.png"});
  EXPECT_EQ(h.hub.commit_bodies().size(), commits);
}

}  // namespace
}  // namespace afinar
