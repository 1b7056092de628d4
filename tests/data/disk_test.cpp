// save_to_disk / load_from_disk in HF's format: reads the DatasetDict that HF wrote
// (fixtures/data/hf_saved_dict), round-trips it, and, when AFINAR_PYTHON names a Python with
// datasets, has HF load what afinar saved.
#include <arrow/api.h>

#include <cstdlib>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/data/dataset.h"
#include "test_util.h"

namespace afinar {
namespace {

using test::expect_error;

const nlohmann::json& saved_expected() {
  static const auto j = test::read_json_file(test::fixtures_dir() / "transforms_expected.json")["saved_dict"];
  return j;
}

TEST(Disk, LoadsWhatHfSaved) {
  auto dd = DatasetDict::load_from_disk(test::fixtures_dir() / "hf_saved_dict");
  EXPECT_EQ(dd.splits(), (std::vector<std::string>{"train", "test"}));
  const auto& train = dd["train"];
  EXPECT_EQ(train.features().repr(), saved_expected()["features_repr"].get<std::string>());
  EXPECT_EQ(nlohmann::json(test::table_rows(*train.table())), saved_expected()["rows"]);
  EXPECT_EQ(dd["test"].num_rows(), 1);
  auto state = test::read_json_file(test::fixtures_dir() / "hf_saved_dict/train/state.json");
  EXPECT_EQ(train.fingerprint(), state["_fingerprint"].get<std::string>());
}

TEST(Disk, RoundTripKeepsFeaturesRowsAndShards) {
  test::TempDir tmp;
  auto dd = DatasetDict::load_from_disk(test::fixtures_dir() / "hf_saved_dict");
  dd.save_to_disk(tmp.path / "dd");
  EXPECT_EQ(read_file(tmp.path / "dd/dataset_dict.json"), R"({"splits":["train","test"]})");
  auto back = DatasetDict::load_from_disk(tmp.path / "dd");
  EXPECT_EQ(back["train"].features(), dd["train"].features());
  EXPECT_EQ(test::table_rows(*back["train"].table()), test::table_rows(*dd["train"].table()));

  dd["train"].save_to_disk(tmp.path / "sharded", 2);  // HF's contiguous shards: 2 rows + 1 row
  EXPECT_TRUE(fs::exists(tmp.path / "sharded/data-00000-of-00002.arrow"));
  EXPECT_TRUE(fs::exists(tmp.path / "sharded/data-00001-of-00002.arrow"));
  auto sharded = Dataset::load_from_disk(tmp.path / "sharded");
  EXPECT_EQ(test::table_rows(*sharded.table()), test::table_rows(*dd["train"].table()));
  EXPECT_EQ(sharded.fingerprint(), dd["train"].fingerprint());

  expect_error<FormatError>([&] { Dataset::load_from_disk(tmp.path / "dd"); }, {"DatasetDict::load_from_disk"});
  expect_error<FormatError>([&] { DatasetDict::load_from_disk(tmp.path / "sharded"); }, {"no dataset_dict.json"});
  expect_error<InvalidArgument>([&] { dd["train"].save_to_disk(tmp.path / "x", 4); }, {"num_shards=4"});
}

TEST(Disk, PythonLoadsWhatAfinarSaved) {
  const char* py = std::getenv("AFINAR_PYTHON");
  if (!py || !*py) GTEST_SKIP() << "AFINAR_PYTHON not set";
  test::TempDir tmp;
  auto dd = DatasetDict::load_from_disk(test::fixtures_dir() / "hf_saved_dict");
  dd.save_to_disk(tmp.path / "dd");
  const fs::path out = tmp.path / "out.json";
  const std::string script =
      "import datasets, json, sys\n"
      "dd = datasets.load_from_disk(sys.argv[1])\n"
      "json.dump({'splits': list(dd), 'features': repr(dd['train'].features), 'rows': dd['train'].to_list()},"
      " open(sys.argv[2], 'w'))\n";
  tmp.write("check.py", script);
  const std::string cmd = std::string(py) + " " + (tmp.path / "check.py").string() + " " + (tmp.path / "dd").string() +
                          " " + out.string() + " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  auto got = test::read_json_file(out);
  EXPECT_EQ(got["splits"], nlohmann::json({"train", "test"}));
  EXPECT_EQ(got["features"], saved_expected()["features_repr"]);
  EXPECT_EQ(got["rows"], saved_expected()["rows"]);
}

}  // namespace
}  // namespace afinar
