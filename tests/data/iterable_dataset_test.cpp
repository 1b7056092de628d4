// IterableDataset: lazy readers per format, batch re-blocking, map/filter/take/skip/shuffle, and
// errors that name the file and line of a malformed block.
#include "afinar/data/iterable_dataset.h"

#include <arrow/api.h>

#include <algorithm>
#include <numeric>

#include "afinar/core/check.h"
#include "test_util.h"

namespace afinar {
namespace {

namespace fs = std::filesystem;
using test::expect_error;
using Batch = std::shared_ptr<arrow::RecordBatch>;

/// 25 rows {"i": k, "text": "row k"}.
fs::path write_rows(const test::TempDir& tmp) {
  std::string s;
  for (int k = 0; k < 25; ++k) s += "{\"i\": " + std::to_string(k) + ", \"text\": \"row " + std::to_string(k) + "\"}\n";
  return tmp.write("rows.jsonl", s);
}

std::vector<int64_t> column_i(const IterableDataset& ds, int64_t batch_size = 4, std::vector<int64_t>* sizes = nullptr) {
  std::vector<int64_t> out;
  ds.iter(batch_size, [&](const Batch& b) {
    if (sizes) sizes->push_back(b->num_rows());
    const auto& a = static_cast<const arrow::Int64Array&>(*b->GetColumnByName("i"));
    for (int64_t r = 0; r < a.length(); ++r) out.push_back(a.Value(r));
  });
  return out;
}

std::vector<int64_t> range(int64_t from, int64_t to) {
  std::vector<int64_t> v(size_t(to - from));
  std::iota(v.begin(), v.end(), from);
  return v;
}

TEST(IterableDataset, ReadsEveryFormatLazilyInBlocks) {
  test::TempDir tmp;
  const fs::path jsonl = write_rows(tmp);
  const Dataset full = load_file(jsonl.string());
  full.to_parquet(tmp.path / "rows.parquet");
  full.to_csv(tmp.path / "rows.csv");
  full.save_to_disk(tmp.path / "saved");
  const std::vector<fs::path> files = {jsonl, tmp.path / "rows.parquet", tmp.path / "rows.csv",
                                       tmp.path / "saved" / "data-00000-of-00001.arrow"};
  for (const auto& f : files) {
    std::vector<int64_t> sizes;
    EXPECT_EQ(column_i(IterableDataset::from_files({f}, 7), 10, &sizes), range(0, 25)) << f;
    EXPECT_EQ(sizes, (std::vector<int64_t>{10, 10, 5})) << f;
  }
  // Several files follow each other; load_iterable_dataset resolves splits as load_dataset.
  EXPECT_EQ(column_i(IterableDataset::from_files({jsonl, tmp.path / "rows.parquet"}, 7)).size(), 50u);
  auto streams = load_iterable_dataset(jsonl.string());
  ASSERT_EQ(streams.count("train"), 1u);
  EXPECT_EQ(column_i(streams.at("train")), range(0, 25));

  tmp.write("lines.txt", "a\n\nb\r\nc");
  std::vector<std::string> lines;
  IterableDataset::from_files({tmp.path / "lines.txt"}, 2).iter(10, [&](const Batch& b) {
    const auto& t = static_cast<const arrow::StringArray&>(*b->GetColumnByName("text"));
    for (int64_t r = 0; r < t.length(); ++r) lines.emplace_back(t.GetView(r));
  });
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "", "b", "c"}));
  EXPECT_EQ(IterableDataset::from_dataset(full, 3).to_dataset().column_int64("i"), range(0, 25));
}

TEST(IterableDataset, TransformsAreLazyAndComposable) {
  test::TempDir tmp;
  const auto ds = IterableDataset::from_files({write_rows(tmp)}, 6);
  EXPECT_EQ(column_i(ds.skip(3).take(5)), range(3, 8));
  EXPECT_EQ(column_i(ds.take(0)), std::vector<int64_t>{});
  EXPECT_EQ(column_i(ds.skip(30)), std::vector<int64_t>{});

  auto even = ds.filter([](const Batch& b) {
    const auto& a = static_cast<const arrow::Int64Array&>(*b->GetColumnByName("i"));
    std::vector<bool> keep;
    for (int64_t r = 0; r < a.length(); ++r) keep.push_back(a.Value(r) % 2 == 0);
    return keep;
  });
  EXPECT_EQ(column_i(even).size(), 13u);
  EXPECT_EQ(column_i(even).back(), 24);

  auto doubled = ds.map([](const Batch& b) {
    const auto& a = static_cast<const arrow::Int64Array&>(*b->GetColumnByName("i"));
    arrow::Int64Builder out;
    for (int64_t r = 0; r < a.length(); ++r) EXPECT_TRUE(out.Append(a.Value(r) * 2).ok());
    auto arr = out.Finish().ValueOrDie();
    return arrow::RecordBatch::Make(arrow::schema({arrow::field("i", arrow::int64())}), b->num_rows(), {arr});
  });
  EXPECT_EQ(column_i(doubled.take(3)), (std::vector<int64_t>{0, 2, 4}));

  const auto a = column_i(ds.shuffle(42, 8)), b = column_i(ds.shuffle(42, 8)), c = column_i(ds.shuffle(7, 8));
  EXPECT_EQ(a, b);  // seeded
  EXPECT_NE(a, c);
  EXPECT_NE(a, range(0, 25));
  auto sorted = a;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, range(0, 25));  // a permutation: nothing lost or repeated
}

TEST(IterableDataset, ErrorsNameTheFileAndLine) {
  test::TempDir tmp;
  std::string s;
  for (int k = 1; k <= 20; ++k) s += k == 12 ? "{\"i\": oops}\n" : "{\"i\": " + std::to_string(k) + "}\n";
  const fs::path bad = tmp.write("bad.jsonl", s);
  const auto ds = IterableDataset::from_files({bad}, 5);
  EXPECT_EQ(column_i(ds.take(10)).size(), 10u);  // lazy: the bad line is not read yet
  expect_error<FormatError>([&] { column_i(ds); }, {"bad.jsonl:12"});
  expect_error<FormatError>([&] { column_i(IterableDataset::from_files({tmp.path / "none.jsonl"})); },
                            {"none.jsonl: no such file"});
  expect_error<InvalidArgument>([&] { ds.shuffle(1, 0); }, {"buffer_size must be positive"});
}

}  // namespace
}  // namespace afinar
