// load_file's preparation into the datasets cache: block by block (tiny blocks here, so that
// every line or CSV block is its own batch) it gives the table one read of the whole file gives —
// schema inference, rows and errors — and a second load reads the same memory-mapped cache file.
#include <sys/stat.h>

#include "../../src/data/readers.h"
#include "afinar/data/load_dataset.h"
#include "test_util.h"

namespace afinar::data {
namespace {

using test::expect_error;

ino_t inode(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_ino;
}

/// The one file under `dir`/`builder` (the cache file), and that nothing else is there.
fs::path only_cache_file(const fs::path& dir, const std::string& builder) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir / builder)) files.push_back(e.path());
  EXPECT_EQ(files.size(), 1u) << "expected one cache file in " << (dir / builder);
  return files.empty() ? fs::path() : files.front();
}

void expect_same_table(const std::shared_ptr<arrow::Table>& got, const std::shared_ptr<arrow::Table>& want,
                       const std::string& what) {
  EXPECT_EQ(test::schema_string(*got), test::schema_string(*want)) << what;
  EXPECT_EQ(got->num_rows(), want->num_rows()) << what;
  EXPECT_TRUE(got->Equals(*want)) << what << "\ngot:\n" << got->ToString() << "\nwant:\n" << want->ToString();
}

TEST(Prepare, JsonBlocksGiveTheWholeFileSchemaAndRows) {
  const char* cases[] = {
      "{\"a\": 1}\n{\"a\": 2.5}\n",                                     // int then float: double
      "{\"a\": null}\n{\"a\": \"x\"}\n",                                // null then string
      "{\"a\": 1}\n{\"b\": true}\n{\"a\": 3, \"c\": [1]}\n",            // columns appear later
      "{\"a\": []}\n{\"a\": [1]}\n{\"a\": [2.5, null]}\n",              // list items widen
      "{\"m\": {\"x\": 1}}\n{\"m\": {\"y\": \"s\"}}\n{\"m\": null}\n",  // struct fields union
      "\xEF\xBB\xBF{\"a\": 1}\r\n\r\n  \n{\"a\": 2}",                   // BOM, CRLF, blank lines, no final newline
      "{\"t\": \"2020-01-01\"}\n{\"t\": \"x\"}\n",                      // Arrow's timestamps are strings here
      "[\n {\"a\": 1},\n {\"a\": 2}\n]\n",                              // a top-level array: read whole
      "{\"a\": 1}\n{\"a\": 2}\n",                                       // one schema: one pass
      "",                                                               // empty
  };
  int i = 0;
  for (const char* text : cases) {
    test::TempDir tmp;
    const auto file = tmp.write("in.jsonl", text);
    const auto got = prepare_file("json", file, {.cache_dir = tmp.path / "cache", .block_bytes = 8});
    expect_same_table(got, parse_json_text(text, file.string()), "case " + std::to_string(i++));
    only_cache_file(tmp.path / "cache", "json");  // and no temp file left
  }
}

TEST(Prepare, JsonErrorsNameTheLineOfTheFile) {
  struct Case {
    const char* text;
    std::vector<std::string> parts;
  };
  const Case cases[] = {
      {"{\"a\": 1}\n{\"a\": 2}\n{\"a\": 3,, }\n", {"bad.jsonl:3:9: malformed JSON"}},
      // Each block parses alone; together the key changes type (the whole-file message).
      {"{\"a\": 1}\n{\"b\": 2}\n{\"a\": \"x\"}\n",
       {"bad.jsonl:3: key 'a' changed type from int64 on earlier lines to string"}},
      {"{\"a\": 1}\n[1, 2]\n", {"bad.jsonl:2: expected a JSON object"}},
  };
  for (const auto& c : cases) {
    test::TempDir tmp;
    const auto file = tmp.write("bad.jsonl", c.text);
    expect_error<FormatError>([&] { prepare_file("json", file, {.cache_dir = tmp.path / "cache", .block_bytes = 8}); },
                              c.parts);
    // The whole-file reader says the same.
    expect_error<FormatError>([&] { read_json(file); }, c.parts);
    EXPECT_TRUE(fs::is_empty(tmp.path / "cache" / "json")) << "a failed preparation leaves no file";
  }
}

TEST(Prepare, CsvTypesAreInferredOverTheWholeFile) {
  struct Case {
    const char* name;
    std::string text;
  };
  std::string ints = "a,b\n";
  for (int i = 0; i < 200; ++i) ints += std::to_string(i) + ",x\n";
  const Case cases[] = {
      {"int_then_float", ints + "2.5,y\n"},
      {"int_then_string", ints + "abc,y\n"},
      {"null_then_int",
       [] {
         std::string t = "a,b\n";
         for (int i = 0; i < 20; ++i) t += ",1\n";
         return t + "5,4\n";
       }()},
      {"01_then_bool", "a\n1\n0\n1\n0\n1\n0\n1\n0\ntrue\n"},
      {"quoted_newlines", "a,b\n1,\"x\ny\"\n2,\"z\"\n"},
  };
  for (const auto& c : cases) {
    test::TempDir tmp;
    const auto file = tmp.write("in.csv", c.text);
    const auto got = prepare_file("csv", file, {.cache_dir = tmp.path / "cache", .block_bytes = 16});
    expect_same_table(got, read_csv(file), c.name);
  }
  test::TempDir tmp;
  const auto bad = tmp.write("bad.csv", "a,b\n1,2\n3,4\n5\n");
  expect_error<FormatError>([&] { prepare_file("csv", bad, {.cache_dir = tmp.path / "cache", .block_bytes = 8}); },
                            {"bad.csv:4: malformed CSV"});
  const auto tsv = tmp.write("in.tsv", "a\tb\n1\tx\n2\ty\n");
  expect_same_table(prepare_file("tsv", tsv, {.cache_dir = tmp.path / "cache"}), read_csv(tsv, '\t'), "tsv");
}

TEST(Prepare, TextLinesAcrossBlocks) {
  // "\r\n" split by a block boundary is one line end; "\r" alone is one too.
  const std::string text = "one\r\ntwo\rthree\n\nfour\r\n\r\nfive";
  for (size_t block : {size_t(1), size_t(4), size_t(5), size_t(1 << 20)}) {
    test::TempDir tmp;
    const auto file = tmp.write("in.txt", text);
    expect_same_table(prepare_file("text", file, {.cache_dir = tmp.path / "cache", .block_bytes = block}),
                      read_text(file), "block " + std::to_string(block));
  }
}

TEST(Prepare, ParquetKeepsTheFeatures) {
  test::TempDir tmp;
  tmp.write("in.jsonl", "{\"text\": \"a\", \"label\": \"pos\"}\n{\"text\": \"b\", \"label\": \"neg\"}\n");
  const Dataset ds = load_file((tmp.path / "in.jsonl").string()).class_encode_column("label");
  ds.to_parquet(tmp.path / "in.parquet");
  const auto got = prepare_file("parquet", tmp.path / "in.parquet", {.cache_dir = tmp.path / "cache"});
  expect_same_table(got, read_parquet(tmp.path / "in.parquet"), "parquet");
  EXPECT_EQ(Dataset(got).features()["label"].repr(), "ClassLabel(names=['neg', 'pos'])");
}

TEST(Prepare, SecondLoadReadsTheSameMemoryMappedFile) {
  test::TempDir tmp;
  const auto file = tmp.write("train.jsonl", "{\"text\": \"a\", \"label\": 1}\n{\"text\": \"b\", \"label\": 0}\n");
  const PrepareOptions o{.cache_dir = tmp.path / "cache"};
  const auto first = prepare_file("json", file, o);
  const fs::path cached = only_cache_file(tmp.path / "cache", "json");
  EXPECT_TRUE(cached.filename().string().starts_with("json-")) << cached;
  EXPECT_EQ(cached.extension(), ".arrow");
  const auto ino = inode(cached);
  const auto again = prepare_file("json", file, o);
  EXPECT_EQ(inode(only_cache_file(tmp.path / "cache", "json")), ino);  // read, not written again
  expect_same_table(again, first, "again");
  for (const auto& buf : again->column(0)->chunk(0)->data()->buffers)
    if (buf) {
      EXPECT_FALSE(buf->is_mutable()) << "not memory-mapped";
    }

  // Rewritten at once with the same size (the mtime may not tick): a new entry, the new rows.
  tmp.write("train.jsonl", "{\"text\": \"c\", \"label\": 1}\n{\"text\": \"d\", \"label\": 0}\n");
  const auto changed = prepare_file("json", file, o);
  EXPECT_EQ(changed->GetColumnByName("text")->GetScalar(0).ValueOrDie()->ToString(), "c");
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(tmp.path / "cache" / "json")) n += e.is_regular_file();
  EXPECT_EQ(n, 2u);

  // Arrow files are read in place, without a copy.
  Dataset(first).save_to_disk(tmp.path / "saved");
  fs::path arrow_file;
  for (const auto& e : fs::directory_iterator(tmp.path / "saved"))
    if (e.path().extension() == ".arrow") arrow_file = e.path();
  expect_same_table(prepare_file("arrow", arrow_file, o), first, "arrow");
  EXPECT_FALSE(fs::exists(tmp.path / "cache" / "arrow"));
}

TEST(Prepare, LoadFileAndLoadDatasetGoThroughTheCache) {
  test::TempDir tmp;
  const auto file = tmp.write("train.jsonl", "{\"text\": \"a\", \"label\": 1}\n");
  const auto cache = fs::path(std::getenv("HF_DATASETS_CACHE"));
  const Dataset ds = load_file(file.string());
  EXPECT_EQ(ds.origin(), file.string());  // errors still name the user's file
  bool found = false;
  for (const auto& e : fs::directory_iterator(cache / "json")) found = found || e.path().extension() == ".arrow";
  EXPECT_TRUE(found);
  LoadDatasetOptions o;
  o.data_files = {{"train", {file.string()}}};
  o.cache_dir = (tmp.path / "own").string();
  const DatasetDict dd = load_dataset("json", o);
  EXPECT_EQ(dd["train"].fingerprint(), ds.fingerprint());  // the file's, not the cache file's
  EXPECT_FALSE(fs::is_empty(tmp.path / "own" / "json"));
}

}  // namespace
}  // namespace afinar::data
