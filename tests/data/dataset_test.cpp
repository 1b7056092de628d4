// Dataset / DatasetDict: HF reprs (oracle: expected.json), typed column reads, select/add/remove.
#include "afinar/data/dataset.h"

#include <functional>

#include "afinar/core/check.h"
#include "test_util.h"

namespace afinar {
namespace {

using test::expect_error;

std::shared_ptr<arrow::Array> ints(const std::shared_ptr<arrow::DataType>& type, const std::vector<int64_t>& v) {
  auto b = arrow::MakeBuilder(type).ValueOrDie();
  for (int64_t x : v) {
    auto s = arrow::MakeScalar(arrow::int64(), x).ValueOrDie()->CastTo(type).ValueOrDie();
    EXPECT_TRUE(b->AppendScalar(*s).ok());
  }
  return b->Finish().ValueOrDie();
}

/// text: string, label: int8, flag: bool, ids: list<int64>
Dataset sample() {
  arrow::StringBuilder text;
  EXPECT_TRUE(text.AppendValues({"a", "b", "c", "d"}).ok());
  arrow::BooleanBuilder flag;
  EXPECT_TRUE(flag.AppendValues(std::vector<bool>{true, false, true, true}).ok());
  arrow::ListBuilder ids(arrow::default_memory_pool(), std::make_shared<arrow::Int64Builder>());
  auto& items = static_cast<arrow::Int64Builder&>(*ids.value_builder());
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(ids.Append().ok());
    for (int j = 0; j < i; ++j) EXPECT_TRUE(items.Append(10 * i + j).ok());
  }
  auto schema = arrow::schema({arrow::field("text", arrow::utf8()), arrow::field("label", arrow::int8()),
                               arrow::field("flag", arrow::boolean()), arrow::field("ids", arrow::list(arrow::int64()))});
  auto table = arrow::Table::Make(schema, {text.Finish().ValueOrDie(), ints(arrow::int8(), {1, 0, -1, 1}),
                                           flag.Finish().ValueOrDie(), ids.Finish().ValueOrDie()});
  return Dataset(table, "sample.jsonl");
}

TEST(Dataset, ReprMatchesHfForAwkwardNames) {
  auto expected = test::read_json_file(test::fixtures_dir() / "expected.json");
  arrow::FieldVector fields;
  arrow::ArrayVector cols;
  for (const auto& n : expected["odd_names"]) {
    fields.push_back(arrow::field(n.get<std::string>(), arrow::int64()));
    cols.push_back(ints(arrow::int64(), {1}));
  }
  Dataset ds(arrow::Table::Make(arrow::schema(fields), cols));
  EXPECT_EQ(ds.repr(), expected["odd_names_repr"].get<std::string>());
  EXPECT_EQ(DatasetDict().repr(), expected["empty_dict_repr"].get<std::string>());
}

TEST(Dataset, ReprOfDatasetDict) {
  DatasetDict dd;
  dd.set("train", sample());
  dd.set("test", sample().select({0}));
  const std::string inner = "Dataset({\n    features: ['text', 'label', 'flag', 'ids'],\n    num_rows: ";
  EXPECT_EQ(sample().repr(), inner + "4\n})");
  std::ostringstream os;
  os << dd;
  EXPECT_EQ(os.str(),
            "DatasetDict({\n    train: Dataset({\n        features: ['text', 'label', 'flag', 'ids'],\n        num_rows: 4\n"
            "    })\n    test: Dataset({\n        features: ['text', 'label', 'flag', 'ids'],\n        num_rows: 1\n    })\n})");
  EXPECT_EQ(dd.splits(), (std::vector<std::string>{"train", "test"}));
}

TEST(Dataset, TypedReads) {
  auto ds = sample();
  EXPECT_EQ(ds.column_strings("text"), (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(ds.column_int64("label"), (std::vector<int64_t>{1, 0, -1, 1}));
  EXPECT_EQ(ds.column_int64("flag"), (std::vector<int64_t>{1, 0, 1, 1}));
  EXPECT_EQ(ds.column_int_lists("ids"), (std::vector<std::vector<int32_t>>{{}, {10}, {20, 21}, {30, 31, 32}}));
  // Every integer width reads as int64.
  for (const auto& type : {arrow::int16(), arrow::int32(), arrow::uint8(), arrow::uint32(), arrow::uint64()}) {
    Dataset d(arrow::Table::Make(arrow::schema({arrow::field("x", type)}), {ints(type, {3, 0, 7})}));
    EXPECT_EQ(d.column_int64("x"), (std::vector<int64_t>{3, 0, 7})) << type->ToString();
  }
}

struct ErrorCase {
  const char* name;
  std::function<void(const Dataset&)> call;
  std::vector<std::string> parts;
};

TEST(Dataset, ColumnErrorsNameColumnOriginAndTypes) {
  const ErrorCase cases[] = {
      {"missing", [](const Dataset& d) { d.column_strings("labels"); },
       {"column 'labels' not found in sample.jsonl", "['text', 'label', 'flag', 'ids']"}},
      {"string_of_int", [](const Dataset& d) { d.column_strings("label"); }, {"'label' has type int8", "string"}},
      {"int_of_string", [](const Dataset& d) { d.column_int64("text"); }, {"'text' has type string"}},
      {"lists_of_string", [](const Dataset& d) { d.column_int_lists("text"); }, {"'text' has type string", "list<int>"}},
      {"remove_missing", [](const Dataset& d) { d.remove_columns({"text", "nope"}); }, {"'nope' not found"}},
      {"add_existing", [](const Dataset& d) { d.add_column_int_lists("ids", {{}, {}, {}, {}}); }, {"'ids' already exists"}},
      {"add_wrong_rows", [](const Dataset& d) { d.add_column_int_lists("x", {{1}}); }, {"got 1 rows", "has 4"}},
      {"select_out_of_range", [](const Dataset& d) { d.select({0, 4}); }, {"index 4 out of range for 4 rows"}},
  };
  auto ds = sample();
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    expect_error<InvalidArgument>([&] { c.call(ds); }, c.parts);
  }
}

TEST(Dataset, NullsAreReportedWithTheirRow) {
  arrow::StringBuilder b;
  ASSERT_TRUE(b.Append("x").ok());
  ASSERT_TRUE(b.AppendNull().ok());
  Dataset d(arrow::Table::Make(arrow::schema({arrow::field("text", arrow::utf8())}), {b.Finish().ValueOrDie()}));
  expect_error<InvalidArgument>([&] { d.column_strings("text"); }, {"'text' is null at row 1"});
}

TEST(Dataset, SelectAddRemove) {
  auto ds = sample();
  auto sel = ds.select({3, 1, 1});
  EXPECT_EQ(sel.num_rows(), 3);
  EXPECT_EQ(sel.column_strings("text"), (std::vector<std::string>{"d", "b", "b"}));
  EXPECT_EQ(sel.origin(), "sample.jsonl");
  EXPECT_EQ(ds.select({}).num_rows(), 0);

  auto added = ds.add_column_int_lists("input_ids", {{101, 102}, {}, {7}, {1, 2, 3}});
  EXPECT_EQ(added.column_names(), (std::vector<std::string>{"text", "label", "flag", "ids", "input_ids"}));
  EXPECT_EQ(added.column_int_lists("input_ids"), (std::vector<std::vector<int32_t>>{{101, 102}, {}, {7}, {1, 2, 3}}));
  EXPECT_EQ(added.table()->schema()->field(4)->type()->ToString(), "list<item: int32>");
  EXPECT_FALSE(ds.has_column("input_ids"));  // the source is unchanged

  auto removed = added.remove_columns({"text", "ids"});
  EXPECT_EQ(removed.column_names(), (std::vector<std::string>{"label", "flag", "input_ids"}));
  EXPECT_EQ(removed.num_rows(), 4);
}

TEST(DatasetDict, UnknownSplitListsSplits) {
  DatasetDict dd;
  dd.set("train", sample());
  dd.set("validation", sample());
  dd.set("train", sample().select({0}));  // replaces in place, keeps the order
  EXPECT_EQ(dd.size(), 2u);
  EXPECT_EQ(dd["train"].num_rows(), 1);
  EXPECT_TRUE(dd.contains("validation"));
  expect_error<InvalidArgument>([&] { dd["test"]; }, {"unknown split 'test'", "['train', 'validation']"});
}

TEST(Dataset, DefaultConstructedIsEmpty) {
  Dataset d;
  EXPECT_EQ(d.num_rows(), 0);
  EXPECT_TRUE(d.column_names().empty());
  EXPECT_EQ(d.repr(), "Dataset({\n    features: [],\n    num_rows: 0\n})");
}

}  // namespace
}  // namespace afinar
