// Transforms against HF datasets 5.2 on rotten_tomatoes (transforms_expected.json, written by
// tools/oracle/data_fixtures.py): shuffle and train_test_split orders, sort, class_encode_column,
// unique; and the semantics of renames, casts, flatten, filter and concatenate_datasets.
#include <arrow/api.h>
#include <arrow/json/from_string.h>

#include "afinar/core/check.h"
#include "afinar/data/dataset.h"
#include "afinar/data/load_dataset.h"
#include "test_util.h"

namespace afinar {
namespace {

using test::expect_error;

const DatasetDict& rotten() {
  static const DatasetDict dd = load_dataset(test::rotten_tomatoes_dir().string());
  return dd;
}
const nlohmann::json& expected() {
  static const auto j = test::read_json_file(test::fixtures_dir() / "transforms_expected.json");
  return j;
}
std::vector<std::string> head(const Dataset& d, size_t n) {
  auto all = d.column_strings("text");
  all.resize(std::min(n, all.size()));
  return all;
}

TEST(Transforms, ShuffleAndSplitMatchHf) {
  const auto& e = expected();
  const Dataset& train = rotten()["train"];
  auto sh = train.shuffle(42);
  EXPECT_EQ(head(sh, 5), e["shuffle_42_first_texts"].get<std::vector<std::string>>());
  EXPECT_EQ(sh.fingerprint(), train.shuffle(42).fingerprint());
  EXPECT_NE(sh.fingerprint(), train.shuffle(43).fingerprint());
  auto split = train.train_test_split(0.1, 7);
  for (const char* s : {"train", "test"}) {
    EXPECT_EQ(split[s].num_rows(), e["split"][s]["num_rows"].get<int64_t>());
    EXPECT_EQ(head(split[s], 3), e["split"][s]["first_texts"].get<std::vector<std::string>>());
  }
  auto by_count = train.train_test_split(int64_t(100), 1);
  EXPECT_EQ(by_count["test"].num_rows(), 100);
  expect_error<InvalidArgument>([&] { train.train_test_split(1.5, 0); }, {"test_size=1.5"});
}

TEST(Transforms, SortClassEncodeUniqueMatchHf) {
  const auto& e = expected();
  const Dataset& val = rotten()["validation"];
  EXPECT_EQ(head(val.sort("text"), 3), e["sort_first_texts"].get<std::vector<std::string>>());
  auto desc = val.sort("text", true).column_strings("text");
  EXPECT_EQ(std::vector<std::string>(desc.end() - 3, desc.end()), e["sort_desc_last_texts"].get<std::vector<std::string>>());
  auto enc = val.class_encode_column("label");
  EXPECT_EQ(enc.features()["label"].repr(), e["class_encode"]["repr"].get<std::string>());
  auto labels = enc.column_int64("label");
  EXPECT_EQ(std::vector<int64_t>(labels.begin(), labels.begin() + 5), e["class_encode"]["first"].get<std::vector<int64_t>>());
  auto uniq = val.unique("label");
  ASSERT_EQ(uniq->length(), 2);
  EXPECT_EQ(uniq->ToString(), arrow::json::ArrayFromJSONString(arrow::int64(), e["unique_labels"].dump()).ValueOrDie()->ToString());

  arrow::StringBuilder b;
  ASSERT_TRUE(b.AppendValues({"b", "a", "c", "a"}).ok());
  ASSERT_TRUE(b.AppendNull().ok());
  Dataset words(arrow::Table::Make(arrow::schema({arrow::field("w", arrow::utf8())}), {b.Finish().ValueOrDie()}));
  auto w = words.class_encode_column("w");
  EXPECT_EQ(w.features()["w"].repr(), e["class_encode_strings"]["repr"].get<std::string>());
  nlohmann::json values = test::table_rows(*w.table());
  nlohmann::json want = nlohmann::json::array();
  for (const auto& v : e["class_encode_strings"]["values"]) want.push_back({{"w", v}});
  EXPECT_EQ(values, want);
}

Dataset small() {
  auto t = arrow::Table::Make(
      arrow::schema({arrow::field("text", arrow::utf8()), arrow::field("label", arrow::utf8()),
                     arrow::field("meta", arrow::struct_({arrow::field("lang", arrow::utf8()),
                                                          arrow::field("n", arrow::int64())}))}),
      {arrow::json::ArrayFromJSONString(arrow::utf8(), R"(["x", "y", "z"])").ValueOrDie(),
       arrow::json::ArrayFromJSONString(arrow::utf8(), R"(["pos", "neg", "pos"])").ValueOrDie(),
       arrow::json::ArrayFromJSONString(arrow::struct_({arrow::field("lang", arrow::utf8()), arrow::field("n", arrow::int64())}),
                                  R"([{"lang": "en", "n": 1}, {"lang": "de", "n": 2}, {"lang": "fr", "n": 3}])")
           .ValueOrDie()});
  return Dataset(t, "small");
}

TEST(Transforms, RenameCastFlatten) {
  auto d = small().cast_column("label", Feature::class_label({"neg", "pos"}));
  EXPECT_EQ(d.column_int64("label"), (std::vector<int64_t>{1, 0, 1}));
  EXPECT_EQ(d.features()["label"].repr(), "ClassLabel(names=['neg', 'pos'])");
  auto r = d.rename_column("label", "labels");
  EXPECT_EQ(r.column_names(), (std::vector<std::string>{"text", "labels", "meta"}));
  EXPECT_EQ(r.features()["labels"].names(), (std::vector<std::string>{"neg", "pos"}));  // feature follows
  auto flat = r.flatten();
  EXPECT_EQ(flat.column_names(), (std::vector<std::string>{"text", "labels", "meta.lang", "meta.n"}));
  EXPECT_EQ(flat.features().repr(),
            "{'text': Value('string'), 'labels': ClassLabel(names=['neg', 'pos']), 'meta.lang': Value('string'), "
            "'meta.n': Value('int64')}");
  auto f32 = flat.cast_column("meta.n", Feature::value("float32"));
  EXPECT_EQ(f32.table()->schema()->GetFieldByName("meta.n")->type()->ToString(), "float");
  EXPECT_EQ(flat.select_columns({"meta.n", "text"}).column_names(), (std::vector<std::string>{"meta.n", "text"}));
  expect_error<InvalidArgument>([&] { small().cast_column("label", Feature::class_label({"neg"})); },
                                {"Invalid string class label pos"});
  expect_error<InvalidArgument>([&] { small().rename_columns({{"text", "label"}}); }, {"'label' would appear twice"});
  expect_error<InvalidArgument>([&] { small().rename_column("nope", "x"); }, {"'nope' not found"});
}

TEST(Transforms, FilterAndConcatenate) {
  auto d = small();
  auto kept = d.filter(
      [](const std::shared_ptr<arrow::RecordBatch>& b) {
        const auto& labels = static_cast<const arrow::StringArray&>(*b->GetColumnByName("label"));
        std::vector<bool> m;
        for (int64_t i = 0; i < b->num_rows(); ++i) m.push_back(labels.GetView(i) == "pos");
        return m;
      },
      /*batch_size=*/2);
  EXPECT_EQ(kept.column_strings("text"), (std::vector<std::string>{"x", "z"}));
  auto both = concatenate_datasets({d, kept});
  EXPECT_EQ(both.num_rows(), 5);
  EXPECT_EQ(both.column_strings("text"), (std::vector<std::string>{"x", "y", "z", "x", "z"}));
  expect_error<InvalidArgument>([&] { concatenate_datasets({d, d.cast_column("label", Feature::class_label({"neg", "pos"}))}); },
                                {"features of dataset 1"});
}

TEST(Transforms, DatasetDictAppliesPerSplit) {
  DatasetDict dd;
  dd.set("train", small());
  dd.set("test", small().select({1}));  // only "neg": the names still come from both splits
  auto enc = dd.class_encode_column("label");
  EXPECT_EQ(enc["test"].features()["label"].repr(), "ClassLabel(names=['neg', 'pos'])");
  EXPECT_EQ(enc["test"].column_int64("label"), (std::vector<int64_t>{0}));
  EXPECT_EQ(enc["train"].column_int64("label"), (std::vector<int64_t>{1, 0, 1}));
  auto r = dd.rename_column("text", "sentence").remove_columns({"meta"}).shuffle(0);
  EXPECT_EQ(r.splits(), (std::vector<std::string>{"train", "test"}));
  EXPECT_EQ(r["train"].column_names(), (std::vector<std::string>{"sentence", "label"}));
  EXPECT_EQ(r["train"].num_rows(), 3);
  auto flags = DatasetDict();
  flags.set("a", Dataset(arrow::Table::Make(arrow::schema({arrow::field("f", arrow::boolean())}),
                                            {arrow::json::ArrayFromJSONString(arrow::boolean(), "[true, false]").ValueOrDie()})));
  EXPECT_EQ(flags.class_encode_column("f")["a"].features()["f"].repr(), "ClassLabel(names=['False', 'True'])");
}

}  // namespace
}  // namespace afinar
