// Examples over Arrow columns: rows are spans into the Arrow buffers (no copy), over chunks,
// slices, large lists and memory-mapped map cache files; other integer lists are converted once;
// nulls are refused by row; head() and from_rows.
#include "afinar/collators/examples.h"

#include <arrow/api.h>
#include <arrow/json/from_string.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "afinar/core/check.h"
#include "afinar/data/arrow_columns.h"
#include "afinar/data/dataset.h"
#include "afinar/data/map.h"

namespace afinar {
namespace {

std::shared_ptr<arrow::Array> from_json(const std::shared_ptr<arrow::DataType>& type, const std::string& json) {
  return arrow::json::ArrayFromJSONString(type, json).ValueOrDie();
}

std::shared_ptr<arrow::Array> int32_lists(const std::vector<std::vector<int32_t>>& rows) {
  Int32ListBuilder b;
  for (const auto& r : rows) b.append(r);
  return b.finish();
}

std::vector<std::vector<int32_t>> all_rows(const SequenceColumn& c) {
  std::vector<std::vector<int32_t>> out;
  for (size_t i = 0; i < c.size(); ++i) out.push_back(c.row(i));
  return out;
}

TEST(SequenceColumn, RowsAreSpansIntoTheArrowBuffers) {
  auto a = int32_lists({{1, 2, 3}, {}, {4}});
  auto b = int32_lists({{5, 6}, {7, 8, 9}});
  const auto col = SequenceColumn::from_arrow(std::make_shared<arrow::ChunkedArray>(arrow::ArrayVector{a, b}), "ids");
  ASSERT_EQ(col.size(), 5u);
  EXPECT_EQ(all_rows(col), (std::vector<std::vector<int32_t>>{{1, 2, 3}, {}, {4}, {5, 6}, {7, 8, 9}}));
  // No copy: row 3 starts at the second chunk's first value.
  const auto& values = static_cast<const arrow::ListArray&>(*b).values();
  EXPECT_EQ(col[3].data(), values->data()->GetValues<int32_t>(1));
  EXPECT_THROW(col.at(5), std::out_of_range);
  EXPECT_EQ(all_rows(col.head(4)), (std::vector<std::vector<int32_t>>{{1, 2, 3}, {}, {4}, {5, 6}}));
  EXPECT_EQ(col.head(0).size(), 0u);
  EXPECT_EQ(col.head(9).size(), 5u);
}

TEST(SequenceColumn, SlicesLargeListsAndOtherIntegerTypes) {
  auto a = int32_lists({{1}, {2, 3}, {4, 5, 6}, {7}});
  auto sliced = a->Slice(1, 2);  // offsets and values both shifted
  EXPECT_EQ(all_rows(SequenceColumn::from_arrow(std::make_shared<arrow::ChunkedArray>(sliced), "x")),
            (std::vector<std::vector<int32_t>>{{2, 3}, {4, 5, 6}}));
  auto large = from_json(arrow::large_list(arrow::int32()), "[[8, 9], [10]]");
  EXPECT_EQ(all_rows(SequenceColumn::from_arrow(std::make_shared<arrow::ChunkedArray>(large), "x")),
            (std::vector<std::vector<int32_t>>{{8, 9}, {10}}));
  auto int64s = from_json(arrow::list(arrow::int64()), "[[1, 2], [3]]");
  EXPECT_EQ(all_rows(SequenceColumn::from_arrow(std::make_shared<arrow::ChunkedArray>(int64s), "x")),
            (std::vector<std::vector<int32_t>>{{1, 2}, {3}}));
  auto too_big = from_json(arrow::list(arrow::int64()), "[[1], [4294967296]]");
  EXPECT_THROW(SequenceColumn::from_arrow(std::make_shared<arrow::ChunkedArray>(too_big), "x"), FormatError);
}

TEST(SequenceColumn, NullsAndWrongTypesAreRefusedByName) {
  auto nulls = from_json(arrow::list(arrow::int32()), "[[1], null, [2]]");
  try {
    SequenceColumn::from_arrow(std::make_shared<arrow::ChunkedArray>(nulls), "input_ids");
    FAIL() << "expected an error";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("column 'input_ids' is null or holds a null item at row 1"), std::string::npos)
        << e.what();
  }
  auto items = from_json(arrow::list(arrow::int32()), "[[1], [2, null]]");
  EXPECT_THROW(SequenceColumn::from_arrow(std::make_shared<arrow::ChunkedArray>(items), "x"), InvalidArgument);
  auto floats = from_json(arrow::list(arrow::float64()), "[[1.5]]");
  EXPECT_THROW(SequenceColumn::from_arrow(std::make_shared<arrow::ChunkedArray>(floats), "x"), InvalidArgument);
}

TEST(Examples, FromDatasetViewsAMemoryMappedCacheFile) {
  const auto dir = std::filesystem::temp_directory_path() / ("afinar_examples_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto text = from_json(arrow::utf8(), R"(["a b", "c", "d e f"])");
  auto label = from_json(arrow::int64(), "[1, 0, 1]");
  auto score = from_json(arrow::float64(), "[0.5, 1.5, 2.5]");
  const Dataset raw(
      arrow::Table::Make(arrow::schema({arrow::field("text", arrow::utf8()), arrow::field("label", arrow::int64()),
                                        arrow::field("score", arrow::float64())}),
                         {text, label, score}),
      "mem", "0123456789abcdef");  // a fixed fingerprint: cached like a file's
  MapOptions o;
  o.transform = "word_counts";
  o.cache_dir = dir;
  const Dataset mapped = raw.map(
      [](const std::shared_ptr<arrow::RecordBatch>& b) {
        std::vector<std::vector<int32_t>> rows;
        for (auto t : batch_strings(*b, "text", 0)) rows.push_back(std::vector<int32_t>(size_t(1 + t.size() / 2), 7));
        return arrow::RecordBatch::Make(arrow::schema({arrow::field("input_ids", arrow::list(arrow::int32()))}),
                                        b->num_rows(), {int32_lists(rows)});
      },
      o);
  const Examples f = Examples::from_dataset(mapped, {"input_ids", "label", "score", "missing"});
  EXPECT_EQ(f.size(), 3u);
  EXPECT_EQ(f.length(2), 3u);
  EXPECT_EQ(f.labels.at("label").to_vector(), (std::vector<int64_t>{1, 0, 1}));
  EXPECT_EQ(f.float_labels.at("score"), (std::vector<float>{0.5f, 1.5f, 2.5f}));
  EXPECT_EQ(f.sequences.count("text"), 0u);
  // The rows point into the file's memory map (immutable buffers), not into a copy.
  const auto& chunk = static_cast<const arrow::ListArray&>(*mapped.column("input_ids")->chunk(0));
  EXPECT_FALSE(chunk.values()->data()->buffers[1]->is_mutable());
  EXPECT_EQ(f.sequences.at("input_ids")[0].data(), chunk.values()->data()->GetValues<int32_t>(1));
  const Examples h = f.head(2);
  EXPECT_EQ(h.size(), 2u);
  EXPECT_EQ(h.labels.at("label").to_vector(), (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(Examples::from_dataset(mapped).sequences.size(), 1u);
  std::filesystem::remove_all(dir);
}

// int64 labels are read in place across chunks (a sliced chunk keeps its offset); other integer
// types and bools are converted; a null is refused by name.
TEST(IntColumn, ViewsInt64ChunksAndConvertsOtherTypes) {
  auto a = from_json(arrow::int64(), "[9, 1, 2]")->Slice(1);  // [1, 2], offset 1
  auto b = from_json(arrow::int64(), "[3, 4, 5]");
  auto chunked = std::make_shared<arrow::ChunkedArray>(arrow::ArrayVector{a, b});
  const Dataset ds(arrow::Table::Make(arrow::schema({arrow::field("label", arrow::int64())}), {chunked}), "mem");
  const IntColumn c = IntColumn::from_dataset(ds, "label");
  EXPECT_EQ(c.size(), 5u);
  EXPECT_EQ(c.to_vector(), (std::vector<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(c[3], 4);
  EXPECT_EQ(c.head(3).to_vector(), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(c.head(1).size(), 1u);
  EXPECT_THROW(c.at(5), std::out_of_range);

  const Dataset small(
      arrow::Table::Make(arrow::schema({arrow::field("flag", arrow::boolean()), arrow::field("n", arrow::int8())}),
                         {from_json(arrow::boolean(), "[true, false]"), from_json(arrow::int8(), "[-3, 7]")}),
      "mem");
  EXPECT_EQ(IntColumn::from_dataset(small, "flag").to_vector(), (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(IntColumn::from_dataset(small, "n").to_vector(), (std::vector<int64_t>{-3, 7}));
  const Dataset nulls(arrow::Table::Make(arrow::schema({arrow::field("label", arrow::int64())}),
                                         {from_json(arrow::int64(), "[1, null]")}),
                      "mem");
  try {
    IntColumn::from_dataset(nulls, "label");
    ADD_FAILURE() << "a null label was accepted";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("label"), std::string::npos) << e.what();
  }
  const IntColumn given = std::vector<int64_t>{4, 5};
  EXPECT_EQ(given.head(1).to_vector(), (std::vector<int64_t>{4}));
}

TEST(Examples, FromRows) {
  const auto f = Examples::from_rows({{"input_ids", {{101, 7, 102}, {101, 102}}}}, {{"label", {1, 0}}});
  EXPECT_EQ(f.size(), 2u);
  EXPECT_EQ(f.length(0), 3u);
  EXPECT_EQ(f.sequences.at("input_ids").row(1), (std::vector<int32_t>{101, 102}));
  EXPECT_THROW(Examples::from_rows({}, {{"label", {1}}}).length(0), InvalidArgument);
}

}  // namespace
}  // namespace afinar
