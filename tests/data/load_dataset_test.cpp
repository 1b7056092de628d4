// load_dataset on real data: rotten_tomatoes through a Hub id and a folder, builders with
// data_files, round trips, and the errors users hit. HF's reprs and rows are in expected.json.
#include "afinar/data/load_dataset.h"

#include <arrow/csv/writer.h>
#include <arrow/io/api.h>
#include <parquet/arrow/writer.h>

#include <functional>

#include "afinar/core/check.h"
#include "test_util.h"

namespace afinar {
namespace {

using test::expect_error;
namespace fs = std::filesystem;

const nlohmann::json& expected() {
  static const nlohmann::json e = test::read_json_file(test::fixtures_dir() / "expected.json");
  return e;
}

/// Everything HF says about rotten_tomatoes, plus SOURCE.md's first rows.
void expect_rotten_tomatoes(const DatasetDict& dd) {
  EXPECT_EQ(dd.repr(), expected()["rotten_tomatoes_repr"].get<std::string>());
  EXPECT_EQ(dd["train"].repr(), expected()["train_repr"].get<std::string>());
  ASSERT_EQ(dd.splits(), (std::vector<std::string>{"train", "validation", "test"}));
  for (const auto& split : dd.splits()) {
    SCOPED_TRACE(split);
    const auto& want = expected()["splits"][split];
    const auto& ds = dd[split];
    EXPECT_EQ(ds.num_rows(), want["num_rows"].get<int64_t>());
    auto texts = ds.column_strings("text");
    auto labels = ds.column_int64("label");
    for (size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(texts[i], want["first_rows"][i]["text"].get<std::string>());
      EXPECT_EQ(labels[i], want["first_rows"][i]["label"].get<int64_t>());
    }
    int64_t pos = 0;
    for (int64_t l : labels) pos += l;
    EXPECT_EQ(pos, want["positives"].get<int64_t>());
    EXPECT_EQ(2 * pos, ds.num_rows());  // balanced, as SOURCE.md states
  }
  const std::pair<const char*, const char*> source_md[] = {
      {"train", "the rock is destined to be the 21st century's new \" conan \""},
      {"validation", "compassionately explores the seemingly irreconcilable situation"},
      {"test", "lovingly photographed in the manner of a golden book sprung to life , stuart little 2"}};
  for (const auto& [split, prefix] : source_md)
    EXPECT_TRUE(dd[split].column_strings("text")[0].starts_with(prefix)) << split;
  EXPECT_EQ(dd["validation"].column_strings("text")[1], "the soundtrack alone is worth the price of admission .");
}

/// A Hub cache in a temp folder holding datasets--rotten_tomatoes at refs/main.
struct FakeHubCache {
  test::TempDir tmp;
  test::ScopedEnv cache{"HF_HUB_CACHE", (tmp.path / "hub").string()};
  test::ScopedEnv offline{"HF_HUB_OFFLINE", "1"};
  FakeHubCache() {
    fs::path repo = tmp.path / "hub" / "datasets--rotten_tomatoes";
    fs::create_directories(repo / "snapshots" / "0123abcd");
    for (const char* s : {"train", "validation", "test"})
      fs::copy_file(test::rotten_tomatoes_dir() / (std::string(s) + ".jsonl"),
                    repo / "snapshots" / "0123abcd" / (std::string(s) + ".jsonl"));
    tmp.write("hub/datasets--rotten_tomatoes/refs/main", "0123abcd\n");
    tmp.write("hub/datasets--rotten_tomatoes/snapshots/0123abcd/README.md", "# rotten_tomatoes\n");
  }
};

TEST(LoadDataset, RottenTomatoesFromHubId) {
  FakeHubCache hub;
  DatasetDict dd;
  auto [wall, cpu] = test::time_ms([&] { dd = load_dataset("rotten_tomatoes"); });
  std::cout << "[ timing ] load_dataset(\"rotten_tomatoes\") took " << wall << " ms wall, " << cpu << " ms CPU\n";
  expect_rotten_tomatoes(dd);
}

TEST(LoadDataset, RottenTomatoesFromFolder) { expect_rotten_tomatoes(load_dataset(test::rotten_tomatoes_dir())); }

TEST(LoadDataset, RottenTomatoesFromSeededUserCache) {
  const char* home = std::getenv("HOME");
  fs::path cache = fs::path(home ? home : "/") / ".cache" / "huggingface" / "hub";
  if (!fs::is_directory(cache / "datasets--rotten_tomatoes")) GTEST_SKIP() << "no seeded HF cache at " << cache;
  test::ScopedEnv env("HF_HUB_CACHE", cache.string());
  test::ScopedEnv offline("HF_HUB_OFFLINE", "1");
  expect_rotten_tomatoes(load_dataset("rotten_tomatoes"));
}

TEST(LoadDataset, JsonBuilderConcatenatesFilesOfASplit) {
  LoadDatasetOptions o;
  const auto rt = test::rotten_tomatoes_dir();
  o.data_files = {{"train", {(rt / "validation.jsonl").string(), (rt / "test.jsonl").string()}},
                  {"test", {(rt / "test.jsonl").string()}}};
  auto dd = load_dataset("json", o);
  EXPECT_EQ(dd.splits(), (std::vector<std::string>{"train", "test"}));
  EXPECT_EQ(dd["train"].num_rows(), 2132);
  EXPECT_EQ(dd["train"].column_strings("text")[1066], dd["test"].column_strings("text")[0]);
}

TEST(LoadDataset, TextBuilderOneRowPerLine) {
  const auto file = test::shared_dir() / "data" / "tinyshakespeare" / "validation.txt";
  std::ifstream in(file, std::ios::binary);
  std::string content((std::istreambuf_iterator<char>(in)), {});
  LoadDatasetOptions o;
  o.data_files = {{"validation", {file.string()}}};
  auto dd = load_dataset("text", o);
  const auto lines = dd["validation"].column_strings("text");
  EXPECT_EQ(int64_t(lines.size()), std::count(content.begin(), content.end(), '\n') + (content.back() != '\n'));
  EXPECT_EQ(content.substr(0, lines[0].size() + 1), lines[0] + "\n");
}

TEST(LoadDataset, CsvParquetAndJsonlRoundTrip) {
  test::TempDir tmp;
  auto original = load_file((test::rotten_tomatoes_dir() / "validation.jsonl").string());
  const auto& table = *original.table();
  {
    auto out = arrow::io::FileOutputStream::Open((tmp.path / "v.parquet").string()).ValueOrDie();
    ASSERT_TRUE(parquet::arrow::WriteTable(table, arrow::default_memory_pool(), out, 512).ok());
    ASSERT_TRUE(out->Close().ok());
  }
  {
    auto out = arrow::io::FileOutputStream::Open((tmp.path / "v.csv").string()).ValueOrDie();
    ASSERT_TRUE(arrow::csv::WriteCSV(table, arrow::csv::WriteOptions::Defaults(), out.get()).ok());
    ASSERT_TRUE(out->Close().ok());
  }
  for (const char* builder : {"parquet", "csv"}) {
    SCOPED_TRACE(builder);
    LoadDatasetOptions o;
    o.data_files = {{"validation", {(tmp.path / (std::string("v.") + builder)).string()}}};
    auto dd = load_dataset(builder, o);
    const auto& back = dd["validation"];
    EXPECT_EQ(back.column_names(), original.column_names());
    EXPECT_EQ(back.column_strings("text"), original.column_strings("text"));
    EXPECT_EQ(back.column_int64("label"), original.column_int64("label"));
  }
}

TEST(LoadDataset, LocalFileIsTrainAndFolderWithHfParquet) {
  auto dd = load_dataset((test::fixtures_dir() / "hf.parquet").string());
  EXPECT_EQ(dd.splits(), std::vector<std::string>{"train"});
  EXPECT_EQ(dd["train"].num_rows(), 20);
  // A folder as HF's push_to_hub lays it out: data/<split>-NNNNN-of-NNNNN.parquet.
  test::TempDir tmp;
  fs::create_directories(tmp.path / "data");
  for (const char* name : {"train-00000-of-00001.parquet", "test-00000-of-00001.parquet"})
    fs::copy_file(test::fixtures_dir() / "hf.parquet", tmp.path / "data" / name);
  auto folder = load_dataset(tmp.path.string());
  EXPECT_EQ(folder.splits(), (std::vector<std::string>{"train", "test"}));
  EXPECT_EQ(folder["test"].column_int_lists("input_ids"), dd["train"].column_int_lists("input_ids"));
}

struct ErrorCase {
  const char* name;
  std::function<void(const test::TempDir&)> call;
  std::vector<std::string> parts;
  bool format_error;  // FormatError (files) or InvalidArgument (the caller's input)
};

TEST(LoadDataset, Errors) {
  auto json = [](const test::TempDir& t, std::vector<std::string> files) {
    LoadDatasetOptions o;
    for (auto& f : files) f = (t.path / f).string();
    o.data_files = {{"train", files}};
    return load_dataset("json", o);
  };
  const ErrorCase cases[] = {
      {"schema_conflict", [&](const test::TempDir& t) { json(t, {"a.jsonl", "b.jsonl"}); },
       {"b.jsonl (text: string\nlabel: string)", "differs from the schema of", "a.jsonl"}, true},
      {"missing_file", [&](const test::TempDir& t) { json(t, {"nope.jsonl"}); }, {"nope.jsonl"}, true},
      {"malformed_line", [&](const test::TempDir& t) { load_dataset(t.path / "bad"); }, {"train.jsonl:2:"}, true},
      {"missing_path", [](const test::TempDir& t) { load_dataset((t.path / "x.csv").string()); },
       {"x.csv: no such file or folder"}, true},
      {"unknown_builder", [](const test::TempDir&) { load_dataset("xml", {{{"train", {"a.xml"}}}}); },
       {"unknown builder 'xml'", "json, csv, tsv, parquet, arrow, text"}, false},
      {"builder_without_files", [](const test::TempDir&) { load_dataset("csv"); }, {"needs options.data_files"}, false},
      {"unknown_hub_id", [](const test::TempDir&) { load_dataset("no_such_dataset_xyz"); },
       {"not a builder (json, csv", "no_such_dataset_xyz"}, false},
      {"unknown_split", [](const test::TempDir&) { load_dataset(test::rotten_tomatoes_dir())["dev"]; },
       {"unknown split 'dev'", "['train', 'validation', 'test']"}, false},
  };
  test::ScopedEnv cache("HF_HUB_CACHE", (fs::temp_directory_path() / "afinar_data_test_empty_hub").string());
  test::ScopedEnv offline("HF_HUB_OFFLINE", "1");
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    test::TempDir t;
    t.write("a.jsonl", "{\"text\": \"x\", \"label\": 1}\n");
    t.write("b.jsonl", "{\"text\": \"y\", \"label\": \"pos\"}\n");
    t.write("bad/train.jsonl", "{\"text\": \"x\", \"label\": 1}\n{\"text\": \"y\" \"label\": 0}\n");
    if (c.format_error) expect_error<FormatError>([&] { c.call(t); }, c.parts);
    else expect_error<InvalidArgument>([&] { c.call(t); }, c.parts);
  }
}

}  // namespace
}  // namespace afinar
