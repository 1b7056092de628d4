// The CoNLL builder on the CoNLL-2003 files HF's conll2003 used (../shared/data/conll2003),
// against HF's features and rows (fixtures/data/conll2003_expected.json, made by
// tools/oracle/data_media_fixtures.py), and HF's split slicing (ReadInstruction).
#include <arrow/api.h>

#include "afinar/core/check.h"
#include "afinar/data/load_dataset.h"
#include "test_util.h"

namespace afinar {
namespace {

using test::expect_error;

const nlohmann::json& expected() {
  static const auto j = test::read_json_file(test::fixtures_dir() / "conll2003_expected.json");
  return j;
}

const DatasetDict& conll() {
  static const DatasetDict dd = [] {
    LoadDatasetOptions o;
    o.data_dir = (test::shared_dir() / "data/conll2003").string();
    return load_dataset("conll", o);
  }();
  return dd;
}

TEST(Conll, FeaturesAndRowsAsHf) {
  const auto& dd = conll();
  EXPECT_EQ(dd.splits(), (std::vector<std::string>{"train", "validation", "test"}));
  EXPECT_EQ(nlohmann::json::parse(dd["train"].features().to_json().dump()), expected()["features"]);
  EXPECT_EQ(dd["train"].features().repr(), expected()["repr"].get<std::string>());
  EXPECT_EQ(dd["train"].features()["ner_tags"].feature().int2str(1), "B-PER");
  for (const auto& split : dd.splits()) {
    SCOPED_TRACE(split);
    const auto& ds = dd[split];
    const auto& e = expected()["splits"][split];
    ASSERT_EQ(ds.num_rows(), e["num_rows"].get<int64_t>());
    const auto rows = nlohmann::json(test::table_rows(*ds.table()->Slice(0, 2)));
    for (const auto& col : ds.column_names())
      for (int r = 0; r < 2; ++r) EXPECT_EQ(rows[r][col], e["first"][col][r]) << col;
    EXPECT_EQ(nlohmann::json(test::table_rows(*ds.table()->Slice(ds.num_rows() - 1, 1)))[0], e["last"]);
    int64_t tokens = 0;
    for (const auto& t : ds.column_int_lists("ner_tags")) tokens += int64_t(t.size());
    EXPECT_EQ(tokens, e["num_tokens"].get<int64_t>());
    for (const char* col : {"pos_tags", "chunk_tags", "ner_tags"}) {
      std::vector<int64_t> hist;
      for (const auto& row : ds.column_int_lists(col))
        for (int32_t id : row) {
          if (size_t(id) >= hist.size()) hist.resize(size_t(id) + 1);
          ++hist[size_t(id)];
        }
      EXPECT_EQ(nlohmann::json(hist), e["histograms"][col]) << col;
    }
  }
}

TEST(Conll, SplitSlicingAsReadInstruction) {
  LoadDatasetOptions o;
  o.data_dir = (test::shared_dir() / "data/conll2003").string();
  for (const auto& [spec, e] : expected()["slices"].items()) {
    SCOPED_TRACE(spec);
    Dataset ds = select_split(conll(), spec);
    ASSERT_EQ(ds.num_rows(), e["num_rows"].get<int64_t>());
    const auto toks = nlohmann::json(test::table_rows(*ds.table()));
    EXPECT_EQ(toks.front()["tokens"], e["first_tokens"]);
    EXPECT_EQ(toks.back()["tokens"], e["last_tokens"]);
  }
  EXPECT_EQ(load_dataset_split("conll", "test[100:200]", o).num_rows(), 100);
  expect_error<InvalidArgument>([&] { select_split(conll(), "validation[:-3250]"); },
                                {expected()["empty_slice_error"].get<std::string>()});
  expect_error<InvalidArgument>([&] { select_split(conll(), "dev[:5]"); }, {"Unknown split \"dev\"", "train"});
  expect_error<InvalidArgument>([&] { select_split(conll(), "train[1%:5]"); }, {"same unit"});
  expect_error<InvalidArgument>([&] { select_split(conll(), "train[:5](closest)"); },
                                {"forbidden to specify rounding"});
  expect_error<InvalidArgument>([&] { select_split(conll(), "train[a:]"); }, {"Unrecognized split format"});
}

TEST(Conll, BadLinesNameFileAndLine) {
  test::TempDir tmp;
  tmp.write("train.txt", "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ\n");
  tmp.write("test.txt", "EU NNP B-NP B-ORG\nx NNP B-NP B-FOO\n");
  LoadDatasetOptions o;
  o.data_files = {{"train", {(tmp.path / "train.txt").string()}}};
  expect_error<FormatError>([&] { load_dataset("conll", o); }, {"train.txt:4:", "expected 4"});
  o.data_files = {{"train", {(tmp.path / "test.txt").string()}}};
  expect_error<FormatError>([&] { load_dataset("conll", o); }, {"test.txt:2:", "'B-FOO'", "ner_tags"});
}

}  // namespace
}  // namespace afinar
