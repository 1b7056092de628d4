// `afinar datasets info|convert|tokenize|cache` end to end through the built binary, and their
// answers to bad input (clear message naming file and line, non-zero exit, no output left).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "afinar/data/dataset.h"
#include "afinar/data/load_dataset.h"
#include "afinar/data/map.h"
#include "afinar/tokenizers/tokenizer.h"
#include "cli/cli_test_util.h"
#include "afinar_test_paths.h"

namespace fs = std::filesystem;
using afinar_test::run_afinar;
using afinar_test::TempDir;

namespace {

const std::string kRT = std::string(AFINAR_SHARED_DIR) + "/data/rotten_tomatoes";
const std::string kBert = std::string(AFINAR_SHARED_DIR) + "/tokenizers/bert-base-uncased";

void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

/// The JSON that `datasets info` prints (the output is that JSON only).
nlohmann::json info_json(const std::string& path) {
  auto r = run_afinar("datasets info " + path);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return nlohmann::json::parse(r.output);
}

}  // namespace

TEST(DatasetsCommand, InfoPrintsSplitsRowsAndFeatures) {
  TempDir tmp("afinar_ds_info");
  write(tmp.path / "a.jsonl", "{\"text\": \"x\", \"label\": 1}\n{\"text\": \"y\", \"label\": 0}\n");
  auto j = info_json((tmp.path / "a.jsonl").string());
  EXPECT_EQ(j["splits"]["train"]["num_rows"], 2);
  EXPECT_EQ(j["splits"]["train"]["features"]["text"]["dtype"], "string");
  EXPECT_EQ(j["splits"]["train"]["features"]["label"]["dtype"], "int64");

  auto rt = info_json(kRT);  // a folder with train/validation/test files
  EXPECT_EQ(rt["splits"]["train"]["num_rows"], 8530);
  EXPECT_EQ(rt["splits"]["validation"]["num_rows"], 1066);
  EXPECT_EQ(rt["splits"]["test"]["num_rows"], 1066);
}

TEST(DatasetsCommand, ConvertRoundTripsEveryFormat) {
  TempDir tmp("afinar_ds_convert");
  const fs::path in = tmp.path / "in.jsonl";
  write(in, "{\"text\": \"caf\\u00e9, \\\"quoted\\\"\", \"label\": 1}\n{\"text\": \"b\", \"label\": 0}\n");
  const auto expected = afinar::load_file(in.string());
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"parquet", "out.parquet"}, {"jsonl", "out.jsonl"}, {"csv", "out.csv"}, {"arrow", "out_arrow"}};
  for (const auto& [format, name] : cases) {
    const fs::path out = tmp.path / name;
    auto r = run_afinar("datasets convert " + in.string() + " " + out.string() + " --format " + format);
    ASSERT_EQ(r.exit_code, 0) << format << ": " << r.output;
    auto back = format == "arrow" ? afinar::Dataset::load_from_disk(out) : afinar::load_file(out.string());
    EXPECT_EQ(back.column_strings("text"), expected.column_strings("text")) << format;
    EXPECT_EQ(back.column_int64("label"), expected.column_int64("label")) << format;
  }
  // Several splits → a folder of <split>.<ext> files.
  auto r = run_afinar("datasets convert " + kRT + " " + (tmp.path / "rt").string() + " --format parquet");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* s : {"train", "validation", "test"}) EXPECT_TRUE(fs::exists(tmp.path / "rt" / (std::string(s) + ".parquet")));
  EXPECT_EQ(afinar::load_file((tmp.path / "rt" / "test.parquet").string()).num_rows(), 1066);
}

TEST(DatasetsCommand, BadInputFailsClearlyAndLeavesNothing) {
  TempDir tmp("afinar_ds_bad");
  write(tmp.path / "bad.jsonl", "{\"text\": \"ok\"}\n{\"text\": oops}\n");
  write(tmp.path / "bad.csv", "text,label\na,1\nb,2,3\n");
  struct Case {
    std::string args, expect;
  };
  const fs::path out = tmp.path / "out.parquet";
  const std::vector<Case> cases = {
      {"convert " + (tmp.path / "bad.jsonl").string() + " " + out.string() + " --format parquet", "bad.jsonl:2"},
      {"convert " + (tmp.path / "bad.csv").string() + " " + out.string() + " --format parquet", "bad.csv:3"},
      {"convert " + (tmp.path / "bad.csv").string() + " " + out.string() + " --format xml", "unknown --format 'xml'"},
      {"convert " + (tmp.path / "missing.jsonl").string() + " " + out.string() + " --format jsonl", "missing.jsonl"},
      {"info " + (tmp.path / "missing.jsonl").string(), "missing.jsonl: no such file"},
      {"tokenize --tokenizer " + kBert + " --input " + (tmp.path / "bad.jsonl").string() + " --output_dir " +
           out.string(), "bad.jsonl:2"},
      {"tokenize --tokenizer " + kBert + " --input " + kRT + "/test.jsonl --text_column label --output_dir " +
           out.string(), "not a string column"},
  };
  for (const auto& c : cases) {
    auto r = run_afinar("datasets " + c.args);
    EXPECT_NE(r.exit_code, 0) << c.args;
    EXPECT_NE(r.output.find(c.expect), std::string::npos) << c.args << "\n" << r.output;
    EXPECT_FALSE(fs::exists(out)) << c.args;
  }
  std::vector<fs::path> left;
  for (const auto& e : fs::directory_iterator(tmp.path)) left.push_back(e.path().filename());
  EXPECT_EQ(left.size(), 2u) << "temp files left behind";
  EXPECT_NE(run_afinar("datasets").exit_code, 0);
  EXPECT_NE(run_afinar("datasets cache purge").exit_code, 0);
}

TEST(DatasetsCommand, TokenizeWritesSaveToDiskAndIsCached) {
  TempDir tmp("afinar_ds_tok");
  const fs::path cache = tmp.path / "cache";
  std::ofstream(tmp.path / "in.jsonl") << "{\"text\": \"Hello, world!\", \"label\": 1}\n"
                                       << "{\"text\": \"naïve café, a rather long sentence\", \"label\": 0}\n";
  const std::string base = "datasets tokenize --tokenizer " + kBert + " --input " + (tmp.path / "in.jsonl").string() +
                           " --cache_dir " + cache.string() + " --max_length 8 --output_dir ";
  auto r = run_afinar(base + (tmp.path / "tok1").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("tokenized into"), std::string::npos) << r.output;

  auto ds = afinar::Dataset::load_from_disk(tmp.path / "tok1");
  EXPECT_EQ(ds.column_names(), (std::vector<std::string>{"text", "label", "input_ids", "token_type_ids", "attention_mask"}));
  auto tok = afinar::AutoTokenizer::from_pretrained(kBert);
  afinar::EncodeOptions opt;
  opt.truncation = true;
  opt.max_length = 8;
  auto ids = ds.column_int_lists("input_ids");
  EXPECT_EQ(ids[0], tok.encode("Hello, world!", opt).ids);
  EXPECT_EQ(ids[1], tok.encode("naïve café, a rather long sentence", opt).ids);
  EXPECT_EQ(ids[1].size(), 8u);
  EXPECT_EQ(ds.features()["input_ids"].repr(), "List(Value('int32'))");

  // Unchanged: served from the cache, same output. Another option: a new cache file.
  r = run_afinar(base + (tmp.path / "tok2").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("served from the map cache"), std::string::npos) << r.output;
  EXPECT_EQ(afinar::Dataset::load_from_disk(tmp.path / "tok2").column_int_lists("input_ids"), ids);
  auto l = run_afinar("datasets cache list --cache_dir " + cache.string());
  EXPECT_NE(l.output.find("1 cache files"), std::string::npos) << l.output;
  r = run_afinar("datasets tokenize --tokenizer " + kBert + "/tokenizer.json --input " + (tmp.path / "in.jsonl").string() +
                 " --cache_dir " + cache.string() + " --output_dir " + (tmp.path / "tok3").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("tokenized into"), std::string::npos) << r.output;
  l = run_afinar("datasets cache list --cache_dir " + cache.string());
  EXPECT_NE(l.output.find("2 cache files"), std::string::npos) << l.output;
  l = run_afinar("datasets cache clean --cache_dir " + cache.string());
  EXPECT_EQ(l.exit_code, 0);
  EXPECT_NE(l.output.find("removed 2 cache files"), std::string::npos) << l.output;
  EXPECT_TRUE(afinar::list_cache_files(cache).empty());
}
