// to_parquet / to_csv / to_json: read back by afinar's readers (and by HF when AFINAR_PYTHON is set).
#include <arrow/api.h>

#include <cstdlib>

#include "afinar/core/fs.h"
#include "afinar/data/dataset.h"
#include "afinar/data/load_dataset.h"
#include "test_util.h"

namespace afinar {
namespace {

Dataset saved_train() { return DatasetDict::load_from_disk(test::fixtures_dir() / "hf_saved_dict")["train"]; }

TEST(Export, ParquetKeepsFeatures) {
  test::TempDir tmp;
  auto d = saved_train();
  d.to_parquet(tmp.path / "out.parquet");
  auto back = load_file((tmp.path / "out.parquet").string());
  EXPECT_EQ(back.features(), d.features());  // the "huggingface" metadata travels in the file
  EXPECT_EQ(test::table_rows(*back.table()), test::table_rows(*d.table()));
}

TEST(Export, JsonLinesReadBack) {
  test::TempDir tmp;
  auto d = saved_train();
  d.to_json(tmp.path / "out.jsonl");
  EXPECT_EQ(read_file(tmp.path / "out.jsonl").substr(0, 40), R"({"text": "a", "label": 0, "ids": [1, 2],)");
  auto back = load_file((tmp.path / "out.jsonl").string());
  auto rows = nlohmann::json(test::table_rows(*back.table()));
  auto want = test::read_json_file(test::fixtures_dir() / "transforms_expected.json")["saved_dict"]["rows"];
  EXPECT_EQ(rows, want);
  EXPECT_FALSE(fs::exists(tmp.path / ("out.jsonl.tmp." + std::to_string(::getpid()))));
}

TEST(Export, CsvReadBack) {
  test::TempDir tmp;
  auto d = saved_train().select_columns({"text", "label"});
  d.to_csv(tmp.path / "out.csv");
  EXPECT_EQ(read_file(tmp.path / "out.csv").substr(0, 20), "\"text\",\"label\"\n\"a\",0");
  auto back = load_file((tmp.path / "out.csv").string());
  EXPECT_EQ(back.column_strings("text"), d.column_strings("text"));
  EXPECT_EQ(back.column_int64("label"), d.column_int64("label"));
}

TEST(Export, PythonReadsExports) {
  const char* py = std::getenv("AFINAR_PYTHON");
  if (!py || !*py) GTEST_SKIP() << "AFINAR_PYTHON not set";
  test::TempDir tmp;
  auto d = saved_train();
  d.to_parquet(tmp.path / "out.parquet");
  d.to_json(tmp.path / "out.jsonl");
  tmp.write("check.py",
            "import datasets, json, sys\n"
            "p = datasets.Dataset.from_parquet(sys.argv[1])\n"
            "j = datasets.Dataset.from_json(sys.argv[2])\n"
            "json.dump({'features': repr(p.features), 'rows': p.to_list(), 'json_rows': j.to_list()}, open(sys.argv[3], 'w'))\n");
  const std::string cmd = std::string(py) + " " + (tmp.path / "check.py").string() + " " +
                          (tmp.path / "out.parquet").string() + " " + (tmp.path / "out.jsonl").string() + " " +
                          (tmp.path / "got.json").string() + " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  auto got = test::read_json_file(tmp.path / "got.json");
  auto want = test::read_json_file(test::fixtures_dir() / "transforms_expected.json")["saved_dict"];
  EXPECT_EQ(got["features"], want["features_repr"]);
  EXPECT_EQ(got["rows"], want["rows"]);
  EXPECT_EQ(got["json_rows"], want["rows"]);
}

}  // namespace
}  // namespace afinar
