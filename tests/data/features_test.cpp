// Features: HF's JSON, repr and Arrow schema for each case of features_expected.json (written by
// tools/oracle/data_fixtures.py with datasets 5.2), ClassLabel lookups, legacy JSON forms.
#include "afinar/data/features.h"

#include <arrow/api.h>

#include <nlohmann/json.hpp>

#include "afinar/core/check.h"
#include "test_util.h"

namespace afinar {
namespace {

using nlohmann::ordered_json;
using test::expect_error;

ordered_json load_cases() {
  std::ifstream in(test::fixtures_dir() / "features_expected.json");
  return ordered_json::parse(in);
}

TEST(Features, JsonReprAndSchemaMatchHf) {
  const auto cases = load_cases();
  for (const auto& [name, c] : cases.items()) {
    SCOPED_TRACE(name);
    Features f = Features::from_json(c["json"]);
    EXPECT_EQ(f.to_json(), c["json"]);
    EXPECT_EQ(f.repr(), c["repr"].get<std::string>());
    auto schema = f.arrow_schema();
    arrow::PrettyPrintOptions opts;
    opts.show_schema_metadata = false;
    std::string s;
    ASSERT_TRUE(arrow::PrettyPrint(*schema, opts, &s).ok());
    EXPECT_EQ(s, c["schema"].get<std::string>());
    // The metadata carries them back; without it, the inferred features have the same types.
    EXPECT_EQ(Features::from_arrow_schema(*schema), f);
    auto bare = Features::from_arrow_schema(*schema->RemoveMetadata());
    for (size_t i = 0; i < f.size(); ++i)
      EXPECT_TRUE(bare.fields()[i].second.arrow_type()->Equals(*f.fields()[i].second.arrow_type()));
  }
}

TEST(Features, ClassLabelLookups) {
  Feature label = Feature::class_label({"neg", "pos"});
  EXPECT_EQ(label.num_classes(), 2);
  EXPECT_EQ(label.str2int("pos"), 1);
  EXPECT_EQ(label.int2str(0), "neg");
  expect_error<InvalidArgument>([&] { label.str2int("neutral"); }, {"Invalid string class label neutral"});
  expect_error<InvalidArgument>([&] { label.int2str(2); }, {"Invalid integer class label 2"});
  expect_error<InvalidArgument>([&] { Feature::value("int128"); }, {"Value('int128'): unknown dtype"});
  expect_error<InvalidArgument>([&] { Feature::value("string").names(); }, {"Feature::names"});
  EXPECT_EQ(Feature::value("float").dtype(), "float32");
}

TEST(Features, ReadsLegacySequenceForms) {
  auto j = ordered_json::parse(R"({
    "x": {"feature": {"dtype": "int32", "_type": "Value"}, "length": -1, "_type": "Sequence"},
    "y": {"feature": {"a": {"dtype": "int32", "_type": "Value"}}, "_type": "Sequence"},
    "z": [{"dtype": "string", "_type": "Value"}]})");
  // HF 5.2: {'x': List(Value('int32')), 'y': {'a': List(Value('int32'))}, 'z': List(Value('string'))}
  EXPECT_EQ(Features::from_json(j).repr(),
            "{'x': List(Value('int32')), 'y': {'a': List(Value('int32'))}, 'z': List(Value('string'))}");
  expect_error<FormatError>([] { Features::from_json(ordered_json::parse(R"({"a": {"_type": "Video"}})")); },
                            {"feature type 'Video'"});
}

TEST(Features, MetadataDisagreeingWithTypesIsIgnored) {
  Features declared{{"label", Feature::class_label({"a", "b"})}};
  // The column holds strings: the declared ClassLabel (int64) cannot describe it.
  auto schema = arrow::schema({arrow::field("label", arrow::utf8())}, declared.arrow_metadata());
  EXPECT_EQ(Features::from_arrow_schema(*schema).repr(), "{'label': Value('string')}");
  // A feature type afinar does not read falls back to inference; the other columns keep theirs.
  auto md = arrow::key_value_metadata(
      {"huggingface"}, {R"({"info": {"features": {"img": {"_type": "Image"}, "y": {"names": ["a", "b"], "_type": "ClassLabel"}}}})"});
  auto s2 = arrow::schema({arrow::field("img", arrow::binary()), arrow::field("y", arrow::int64())}, md);
  EXPECT_EQ(Features::from_arrow_schema(*s2).repr(), "{'img': Value('binary'), 'y': ClassLabel(names=['a', 'b'])}");
}

}  // namespace
}  // namespace afinar
