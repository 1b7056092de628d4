// JSON Lines reader: HF's inferred schema and rows as oracle, and errors that name line and key.
#include "../../src/data/readers.h"
#include "test_util.h"

namespace afinar::data {
namespace {

using test::expect_error;
using test::fixtures_dir;

TEST(JsonReader, MatchesHfSchemaAndRowsOnNestedTypes) {
  auto expected = test::read_json_file(fixtures_dir() / "nested_expected.json");
  auto table = read_json(fixtures_dir() / "nested.jsonl");
  EXPECT_EQ(test::schema_string(*table), expected["schema"].get<std::string>());
  auto rows = test::table_rows(*table);
  ASSERT_EQ(rows.size(), expected["rows"].size());
  for (size_t i = 0; i < rows.size(); ++i)
    EXPECT_EQ(nlohmann::json::parse(rows[i].dump()), expected["rows"][i]) << "row " << i;
}

struct InferCase {
  const char* name;
  const char* text;
  const char* schema;
  int64_t rows;
};

TEST(JsonReader, InfersTypes) {
  const InferCase cases[] = {
      {"int_then_float_widens", "{\"a\": 1}\n{\"a\": 2.5}\n", "a: double", 2},
      {"null_then_string", "{\"a\": null}\n{\"a\": \"x\"}\n", "a: string", 2},
      {"all_null", "{\"a\": null}\n", "a: null", 1},
      {"missing_key_is_null", "{\"a\": 1}\n{\"b\": true}\n", "a: int64\nb: bool", 2},
      {"blank_lines_and_crlf", "{\"a\": 1}\r\n\r\n  \n{\"a\": 2}\r\n", "a: int64", 2},
      {"no_final_newline", "{\"a\": \"x\"}", "a: string", 1},
      {"byte_order_mark", "\xEF\xBB\xBF{\"a\": 1}\n", "a: int64", 1},
      {"top_level_array", "[\n {\"a\": 1},\n {\"a\": 2}\n]\n", "a: int64", 2},
      {"empty_lists_then_ints", "{\"a\": []}\n{\"a\": [1]}\n", "a: list<item: int64>\n  child 0, item: int64", 2},
      {"nested_key_missing_is_null", "{\"m\": {\"x\": 1}}\n{\"m\": {\"y\": \"s\"}}\n",
       "m: struct<x: int64, y: string>\n  child 0, x: int64\n  child 1, y: string", 2},
      {"empty_file", "", "", 0},
  };
  for (const auto& c : cases) {
    auto t = parse_json_text(c.text, "mem.jsonl");
    EXPECT_EQ(test::schema_string(*t), c.schema) << c.name;
    EXPECT_EQ(t->num_rows(), c.rows) << c.name;
  }
}

struct ErrorCase {
  const char* name;
  const char* text;
  std::vector<std::string> parts;
};

TEST(JsonReader, ErrorsNameFileLineAndKey) {
  const ErrorCase cases[] = {
      {"syntax", "{\"a\": 1}\n{\"a\": 2}\n{\"a\": 3,, }\n", {"bad.jsonl:3:9: malformed JSON"}},
      {"truncated", "{\"a\": 1}\n{\"a\": \"unterminated}\n", {"bad.jsonl:2:", "malformed JSON"}},
      {"not_an_object", "{\"a\": 1}\n[1, 2]\n", {"bad.jsonl:2: expected a JSON object", "array"}},
      {"type_conflict", "{\"a\": 1}\n{\"a\": 2}\n{\"a\": \"x\"}\n",
       {"bad.jsonl:3: key 'a' changed type from int64", "to string"}},
      {"nested_conflict", "{\"m\": {\"k\": true}}\n{\"m\": {\"k\": 1}}\n", {"bad.jsonl:2: key 'm.k'", "bool"}},
      {"list_item_conflict", "{\"l\": [1, \"x\"]}\n", {"bad.jsonl:1: key 'l[]'"}},
      {"array_doc_syntax", "[\n {\"a\": 1},\n {\"a\" 2}\n]\n", {"bad.jsonl:3:", "malformed JSON"}},
      {"array_doc_not_object", "[1]", {"element 0 of the top-level array"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    expect_error<FormatError>([&] { parse_json_text(c.text, "bad.jsonl"); }, c.parts);
  }
}

TEST(JsonReader, MissingFileIsFormatError) {
  expect_error<FormatError>([] { read_json("/nonexistent/x.jsonl"); }, {"/nonexistent/x.jsonl"});
}

TEST(JsonReader, TenThousandLinesInMilliseconds) {
  std::string text;
  for (int i = 0; i < 10000; ++i)
    text += "{\"text\": \"a short movie review number " + std::to_string(i) + " .\", \"label\": " +
            std::to_string(i % 2) + "}\n";
  std::shared_ptr<arrow::Table> t;
  auto [wall, cpu] = test::time_ms([&] { t = parse_json_text(text, "mem.jsonl"); });
  EXPECT_EQ(t->num_rows(), 10000);
  EXPECT_LT(cpu, 500.0);  // loose bound for shared CI machines
  std::cout << "[ timing ] 10k JSON lines parsed in " << wall << " ms wall, " << cpu << " ms CPU\n";
}

}  // namespace
}  // namespace afinar::data
