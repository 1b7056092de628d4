// Folder → splits. The expected splits below are what HF datasets 5.2 resolves for the same
// layouts (datasets.data_files.get_data_patterns + DataFilesDict.from_patterns).
#include "../../src/data/data_files.h"

#include "afinar/core/check.h"
#include "test_util.h"

namespace afinar::data {
namespace {

struct LayoutCase {
  const char* name;
  std::vector<std::string> files;
  std::vector<std::pair<std::string, std::vector<std::string>>> splits;
};

TEST(DataFiles, ResolvesSplitsAsHf) {
  const LayoutCase cases[] = {
      {"flat", {"README.md", "train.jsonl", "validation.jsonl", "test.jsonl"},
       {{"train", {"train.jsonl"}}, {"validation", {"validation.jsonl"}}, {"test", {"test.jsonl"}}}},
      {"data_sub", {"data/train.csv", "data/test.csv"}, {{"train", {"data/train.csv"}}, {"test", {"data/test.csv"}}}},
      {"numbered", {"train_0.csv", "train_1.csv", "test_0.csv"},
       {{"train", {"train_0.csv", "train_1.csv"}}, {"test", {"test_0.csv"}}}},
      {"split_dirs", {"data/train/shard_0.csv", "data/train/shard_1.csv", "data/test/shard_0.csv"},
       {{"train", {"data/train/shard_0.csv", "data/train/shard_1.csv"}}, {"test", {"data/test/shard_0.csv"}}}},
      {"sharded",
       {"data/train-00000-of-00002.parquet", "data/train-00001-of-00002.parquet", "data/random-00000-of-00001.parquet",
        "data/test-00000-of-00001.parquet"},
       {{"train", {"data/train-00000-of-00002.parquet", "data/train-00001-of-00002.parquet"}},
        {"test", {"data/test-00000-of-00001.parquet"}},
        {"random", {"data/random-00000-of-00001.parquet"}}}},
      {"single", {"dataset.csv"}, {{"train", {"dataset.csv"}}}},
      {"infix", {"my_dev.jsonl", "my-train.jsonl", "eval.jsonl"},
       {{"train", {"my-train.jsonl"}}, {"validation", {"my_dev.jsonl"}}, {"test", {"eval.jsonl"}}}},
      {"long_words", {"training.csv", "valid.csv"}, {{"train", {"training.csv"}}, {"validation", {"valid.csv"}}}},
      {"no_keyword", {"trainer.csv", "x.csv"}, {{"train", {"trainer.csv", "x.csv"}}}},
      {"hidden", {".hidden/train.csv", "train.csv"}, {{"train", {"train.csv"}}}},
      {"dir_beats_file", {"train/a.csv", "test.csv"}, {{"train", {"train/a.csv"}}}},
      {"case_sensitive", {"Train.csv", "TEST.csv"}, {{"train", {"TEST.csv", "Train.csv"}}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    test::TempDir tmp;
    for (const auto& f : c.files) tmp.write(f, "a\n1\n");
    auto got = resolve_folder(tmp.path);
    SplitFiles want;
    for (const auto& [split, files] : c.splits) {
      std::vector<fs::path> paths;
      for (const auto& f : files) paths.push_back(tmp.path / f);
      want.emplace_back(split, paths);
    }
    EXPECT_EQ(got, want);
  }
}

TEST(DataFiles, EmptyFolderIsAnError) {
  test::TempDir tmp;
  tmp.write("README.md", "# card\n");
  test::expect_error<FormatError>([&] { resolve_folder(tmp.path); }, {tmp.path.string(), "no data files"});
}

TEST(DataFiles, InferBuilderByMostCommonExtension) {
  const std::pair<std::vector<std::string>, const char*> cases[] = {
      {{"a.jsonl", "b.jsonl", "c.csv"}, "json"},
      {{"a.csv", "b.parquet"}, "parquet"},  // a tie goes to parquet, as in HF
      {{"a.txt", "b.csv"}, "csv"},          // otherwise to the alphabetical first
  };
  for (const auto& [files, builder] : cases) {
    std::vector<fs::path> paths(files.begin(), files.end());
    EXPECT_EQ(infer_builder({{"train", paths}}), builder);
  }
}

}  // namespace
}  // namespace afinar::data
