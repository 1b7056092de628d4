// CSV / Parquet / Arrow IPC / text readers: round trips, files written by HF datasets, errors.
#include "../../src/data/readers.h"

#include <arrow/io/api.h>
#include <arrow/ipc/api.h>
#include <parquet/arrow/writer.h>

#include "test_util.h"

namespace afinar::data {
namespace {

using test::expect_error;
using test::fixtures_dir;

std::shared_ptr<arrow::Table> sample_table() {
  arrow::StringBuilder text;
  arrow::Int64Builder label;
  arrow::ListBuilder ids(arrow::default_memory_pool(), std::make_shared<arrow::Int32Builder>());
  auto& items = static_cast<arrow::Int32Builder&>(*ids.value_builder());
  const std::vector<std::pair<std::string, int64_t>> rows = {{"good , fun", 1}, {"caf\xC3\xA9 \"q\"", 0}, {"", 1}};
  for (const auto& [t, l] : rows) {
    EXPECT_TRUE(text.Append(t).ok());
    EXPECT_TRUE(label.Append(l).ok());
    EXPECT_TRUE(ids.Append().ok());
    EXPECT_TRUE(items.AppendValues({int32_t(t.size()), 7}).ok());
  }
  auto schema = arrow::schema({arrow::field("text", arrow::utf8()), arrow::field("label", arrow::int64()),
                               arrow::field("input_ids", arrow::list(arrow::int32()))});
  return arrow::Table::Make(schema, {text.Finish().ValueOrDie(), label.Finish().ValueOrDie(), ids.Finish().ValueOrDie()});
}

TEST(Readers, ParquetRoundTripFromCpp) {
  test::TempDir tmp;
  auto table = sample_table();
  auto path = tmp.path / "rt.parquet";
  auto out = arrow::io::FileOutputStream::Open(path.string()).ValueOrDie();
  ASSERT_TRUE(parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), out, 1024).ok());
  ASSERT_TRUE(out->Close().ok());
  auto back = read_parquet(path);
  EXPECT_TRUE(back->Equals(*table)) << back->ToString();
}

TEST(Readers, ArrowIpcFileRoundTripFromCpp) {
  test::TempDir tmp;
  auto table = sample_table();
  auto path = tmp.path / "rt.arrow";
  auto out = arrow::io::FileOutputStream::Open(path.string()).ValueOrDie();
  auto writer = arrow::ipc::MakeFileWriter(out, table->schema()).ValueOrDie();
  ASSERT_TRUE(writer->WriteTable(*table).ok());
  ASSERT_TRUE(writer->Close().ok());
  ASSERT_TRUE(out->Close().ok());
  EXPECT_TRUE(read_arrow_ipc(path)->Equals(*table));
}

TEST(Readers, FilesWrittenByHfDatasets) {
  auto expected = test::read_json_file(fixtures_dir() / "hf_rows.json");
  auto oracle = test::read_json_file(fixtures_dir() / "expected.json");  // pyarrow's schemas
  for (const char* name : {"hf.parquet", "hf_save_to_disk.arrow"}) {
    SCOPED_TRACE(name);
    auto t = read_with_builder(builder_for_extension(name), fixtures_dir() / name);
    EXPECT_EQ(test::schema_string(*t), oracle[std::string(name) + "_schema"].get<std::string>());
    EXPECT_EQ(nlohmann::json::parse(test::table_rows(*t).dump()), expected);
  }
}

TEST(Readers, CsvTypesAndQuoting) {
  test::TempDir tmp;
  auto path = tmp.write("a.csv", "text,label,score\n\"hello, world\",1,0.5\n\"multi\nline\",0,2\nplain,1,\n");
  auto t = read_csv(path);
  EXPECT_EQ(t->schema()->ToString(), "text: string\nlabel: int64\nscore: double");
  auto rows = nlohmann::json::parse(test::table_rows(*t).dump());
  EXPECT_EQ(rows, nlohmann::json::parse(R"([{"text":"hello, world","label":1,"score":0.5},
      {"text":"multi\nline","label":0,"score":2.0},{"text":"plain","label":1,"score":null}])"));
  auto tsv = read_with_builder("tsv", tmp.write("b.tsv", "a\tb\nx y\t3\n"));
  EXPECT_EQ(tsv->schema()->ToString(), "a: string\nb: int64");
}

TEST(Readers, CsvErrorsNameFileAndLine) {
  test::TempDir tmp;
  auto path = tmp.write("bad.csv", "a,b\n1,2\n3,4\n5,6,7\n");
  expect_error<FormatError>([&] { read_csv(path); }, {path.string() + ":4: malformed CSV", "Expected 2 columns, got 3"});
  expect_error<FormatError>([&] { read_csv(tmp.path / "missing.csv"); }, {"missing.csv: no such file"});
}

TEST(Readers, TextUsesUniversalNewlines) {
  test::TempDir tmp;
  struct Case {
    const char* content;
    std::vector<std::string> lines;
  };
  const Case cases[] = {
      {"a\nb\n", {"a", "b"}},
      {"a\r\nb\rc", {"a", "b", "c"}},
      {"a\n\nb\n\n", {"a", "", "b", ""}},
      {"", {}},
  };
  for (const auto& c : cases) {
    auto t = read_text(tmp.write("t.txt", c.content));
    ASSERT_EQ(t->num_columns(), 1);
    EXPECT_EQ(t->field(0)->name(), "text");
    auto rows = test::table_rows(*t);
    std::vector<std::string> got;
    for (const auto& r : rows) got.push_back(r["text"].get<std::string>());
    EXPECT_EQ(got, c.lines) << c.content;
  }
}

TEST(Readers, NotAParquetOrArrowFile) {
  test::TempDir tmp;
  auto p = tmp.write("x.parquet", "not parquet at all");
  expect_error<FormatError>([&] { read_parquet(p); }, {p.string()});
  auto a = tmp.write("x.arrow", "not arrow at all");
  expect_error<FormatError>([&] { read_arrow_ipc(a); }, {a.string(), "neither an Arrow IPC file nor"});
}

TEST(Readers, BuilderForExtension) {
  const std::pair<const char*, const char*> cases[] = {
      {"a.jsonl", "json"}, {"a.JSON", "json"}, {"a.csv", "csv"},         {"a.tsv", "tsv"},
      {"x/a.parquet", "parquet"}, {"a.arrow", "arrow"}, {"a.txt", "text"}, {"README.md", ""}, {"noext", ""}};
  for (const auto& [file, builder] : cases) EXPECT_EQ(builder_for_extension(file), builder) << file;
}

}  // namespace
}  // namespace afinar::data
