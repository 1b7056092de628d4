// Dataset::map: batched, cached on (fingerprint, declared transform), atomic cache files, and
// the cache's list / size / prune / clean.
#include "afinar/data/map.h"

#include <arrow/api.h>
#include <sys/stat.h>

#include <stdexcept>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/data/load_dataset.h"
#include "test_util.h"

namespace afinar {
namespace {

using test::expect_error;

/// Adds n_words: list<int32> of word lengths, as a tokenizer would add input_ids.
std::shared_ptr<arrow::RecordBatch> word_lengths(const std::shared_ptr<arrow::RecordBatch>& b) {
  const auto& text = static_cast<const arrow::StringArray&>(*b->GetColumnByName("text"));
  arrow::ListBuilder lists(arrow::default_memory_pool(), std::make_shared<arrow::Int32Builder>());
  auto& items = static_cast<arrow::Int32Builder&>(*lists.value_builder());
  for (int64_t i = 0; i < text.length(); ++i) {
    EXPECT_TRUE(lists.Append().ok());
    std::string s(text.GetView(i));
    size_t start = 0;
    while (start < s.size()) {
      size_t end = s.find(' ', start);
      if (end == std::string::npos) end = s.size();
      if (end > start) {
        EXPECT_TRUE(items.Append(int32_t(end - start)).ok());
      }
      start = end + 1;
    }
  }
  auto arr = lists.Finish().ValueOrDie();
  return arrow::RecordBatch::Make(arrow::schema({arrow::field("input_ids", arr->type())}), b->num_rows(), {arr});
}

struct Fixture {
  test::TempDir tmp;
  Dataset data;
  MapOptions opts;
  Fixture() {
    tmp.write("train.jsonl", R"({"text": "a bb ccc", "label": 1}
{"text": "dddd", "label": 0}
{"text": "e ff", "label": 1}
)");
    data = load_file((tmp.path / "train.jsonl").string());
    opts.transform = "word_lengths";
    opts.transform_key = "v1";
    opts.batch_size = 2;
    opts.cache_dir = tmp.path / "cache";
  }
};

TEST(Map, BatchedAndServedFromCache) {
  Fixture f;
  int calls = 0;
  auto fn = [&](const std::shared_ptr<arrow::RecordBatch>& b) {
    ++calls;
    return word_lengths(b);
  };
  auto out = f.data.map(fn, f.opts);
  EXPECT_EQ(calls, 2);  // 3 rows in batches of 2
  EXPECT_EQ(out.column_names(), (std::vector<std::string>{"text", "label", "input_ids"}));
  EXPECT_EQ(out.column_int_lists("input_ids"), (std::vector<std::vector<int32_t>>{{1, 2, 3}, {4}, {1, 2}}));
  EXPECT_EQ(out.features()["input_ids"].repr(), "List(Value('int32'))");
  ASSERT_EQ(list_cache_files(f.opts.cache_dir).size(), 1u);
  EXPECT_EQ(out.origin(), list_cache_files(f.opts.cache_dir)[0].path.string());

  auto again = f.data.map(fn, f.opts);  // unchanged: served from the file
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(again.fingerprint(), out.fingerprint());
  EXPECT_EQ(again.column_int_lists("input_ids"), out.column_int_lists("input_ids"));

  f.opts.transform_key = "v2";  // e.g. another tokenizer hash: a new entry
  f.data.map(fn, f.opts);
  EXPECT_EQ(calls, 4);
  f.opts.load_from_cache_file = false;
  f.data.map(fn, f.opts);
  EXPECT_EQ(calls, 6);
  EXPECT_EQ(list_cache_files(f.opts.cache_dir).size(), 2u);
  EXPECT_GT(cache_size(f.opts.cache_dir), 0u);
  EXPECT_EQ(prune_cache(f.opts.cache_dir, 0), 2u);
  f.opts.load_from_cache_file = true;
  f.data.map(fn, f.opts);
  EXPECT_EQ(calls, 8);
  EXPECT_EQ(clean_cache(f.opts.cache_dir), 1u);
  EXPECT_TRUE(list_cache_files(f.opts.cache_dir).empty());
}

TEST(Map, WriterBatchSizeGathersOutputsIntoLargerBatches) {
  Fixture f;
  f.tmp.write("seven.jsonl",
              "{\"text\": \"a\"}\n{\"text\": \"b b\"}\n{\"text\": \"c\"}\n{\"text\": \"d d d\"}\n"
              "{\"text\": \"e\"}\n{\"text\": \"f f\"}\n{\"text\": \"g\"}\n");
  const Dataset seven = load_file((f.tmp.path / "seven.jsonl").string());
  int calls = 0;
  f.opts.writer_batch_size = 3;  // calls of 2 rows gathered into batches of at least 3: 4 + 3 rows
  auto out = seven.map(
      [&](const auto& b) {
        ++calls;
        return word_lengths(b);
      },
      f.opts);
  EXPECT_EQ(calls, 4);
  const auto col = out.column("input_ids");
  ASSERT_EQ(col->num_chunks(), 2);
  EXPECT_EQ(col->chunk(0)->length(), 4);
  EXPECT_EQ(col->chunk(1)->length(), 3);
  EXPECT_EQ(out.column_int_lists("input_ids"),
            (std::vector<std::vector<int32_t>>{{1}, {1, 1}, {1}, {1, 1, 1}, {1}, {1, 1}, {1}}));
  f.opts.writer_batch_size = 0;
  expect_error<InvalidArgument>([&] { seven.map(word_lengths, f.opts); }, {"writer_batch_size must be positive"});
}

TEST(Map, IterYieldsBatchesInOrderFromAMemoryMappedFile) {
  Fixture f;
  auto out = f.data.map(word_lengths, f.opts);  // served from the memory-mapped cache file
  std::vector<int64_t> sizes;
  std::vector<int64_t> labels;
  out.iter(2, [&](const std::shared_ptr<arrow::RecordBatch>& b) {
    sizes.push_back(b->num_rows());
    const auto& l = static_cast<const arrow::Int64Array&>(*b->GetColumnByName("label"));
    for (int64_t i = 0; i < l.length(); ++i) labels.push_back(l.Value(i));
  });
  EXPECT_EQ(sizes, (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(labels, (std::vector<int64_t>{1, 0, 1}));
  // Released pages are read again when touched: the data is unchanged.
  EXPECT_EQ(out.column_int_lists("input_ids"), (std::vector<std::vector<int32_t>>{{1, 2, 3}, {4}, {1, 2}}));
  expect_error<InvalidArgument>([&] { out.iter(0, [](const auto&) {}); }, {"batch_size must be positive"});
}

TEST(Map, FailureLeavesNoCacheFileAndSourceUntouched) {
  Fixture f;
  const auto before = read_file(f.tmp.path / "train.jsonl");
  int calls = 0;
  auto failing = [&](const std::shared_ptr<arrow::RecordBatch>& b) -> std::shared_ptr<arrow::RecordBatch> {
    if (++calls == 2) throw std::runtime_error("tokenizer crashed");
    return word_lengths(b);
  };
  EXPECT_THROW(f.data.map(failing, f.opts), std::runtime_error);
  EXPECT_TRUE(fs::is_empty(f.opts.cache_dir));  // neither a cache file nor a temp file
  EXPECT_EQ(read_file(f.tmp.path / "train.jsonl"), before);
  EXPECT_EQ(f.data.num_rows(), 3);
}

TEST(Map, RemoveColumnsAndRowCountRules) {
  Fixture f;
  f.opts.remove_columns = {"text"};
  auto out = f.data.map(word_lengths, f.opts);
  EXPECT_EQ(out.column_names(), (std::vector<std::string>{"label", "input_ids"}));
  MapOptions nocache;  // no declared transform: computed in memory, nothing written
  nocache.cache_dir = f.tmp.path / "none";
  auto mem = f.data.map(word_lengths, nocache);
  EXPECT_EQ(mem.num_rows(), 3);
  EXPECT_FALSE(fs::exists(nocache.cache_dir));
  Dataset in_memory(f.data.table());  // random fingerprint: mapped without a cache file
  MapOptions declared = f.opts;
  declared.remove_columns = {};
  declared.cache_dir = f.tmp.path / "mem";
  EXPECT_EQ(in_memory.map(word_lengths, declared).num_rows(), 3);
  EXPECT_EQ(in_memory.select({0}).map(word_lengths, declared).num_rows(), 1);
  EXPECT_FALSE(fs::exists(declared.cache_dir));
  // A declared filter keeps the lineage cacheable; an undeclared one does not.
  auto all_rows = [](const std::shared_ptr<arrow::RecordBatch>& b) {
    return std::vector<bool>(size_t(b->num_rows()), true);
  };
  f.data.filter(all_rows, 1000, "keep_all").map(word_lengths, declared);
  EXPECT_EQ(list_cache_files(declared.cache_dir).size(), 1u);
  f.data.filter(all_rows).map(word_lengths, declared);
  EXPECT_EQ(list_cache_files(declared.cache_dir).size(), 1u);
  auto one_row = [](const std::shared_ptr<arrow::RecordBatch>& b) { return word_lengths(b)->Slice(0, 1); };
  expect_error<InvalidArgument>([&] { f.data.map(one_row, nocache); }, {"returned 1 rows for 3 input rows"});
  expect_error<InvalidArgument>([&] { f.opts.remove_columns = {"nope"}, f.data.map(word_lengths, f.opts); },
                                {"'nope' not found"});
}

}  // namespace
}  // namespace afinar

namespace afinar {
namespace {

TEST(Map, SaveToDiskLinksTheWholeCacheFile) {
  // A cached map output saved whole shares the cache file's inode (no second write or fsync);
  // anything derived from it (here: select) is written out, and both load back equal.
  Fixture f;
  const Dataset mapped = f.data.map(word_lengths, f.opts);
  mapped.save_to_disk(f.tmp.path / "saved");
  struct stat cache_st {
  }, saved_st{};
  ASSERT_EQ(::stat(mapped.origin().c_str(), &cache_st), 0);
  ASSERT_EQ(::stat((f.tmp.path / "saved/data-00000-of-00001.arrow").c_str(), &saved_st), 0);
  EXPECT_EQ(saved_st.st_ino, cache_st.st_ino);
  EXPECT_EQ(saved_st.st_nlink, 2u);
  const Dataset back = Dataset::load_from_disk(f.tmp.path / "saved");
  EXPECT_TRUE(back.table()->Equals(*mapped.table()));
  EXPECT_EQ(back.features(), mapped.features());

  const Dataset some = mapped.select({2, 0});
  some.save_to_disk(f.tmp.path / "some");
  struct stat some_st {};
  ASSERT_EQ(::stat((f.tmp.path / "some/data-00000-of-00001.arrow").c_str(), &some_st), 0);
  EXPECT_NE(some_st.st_ino, cache_st.st_ino);
  EXPECT_EQ(Dataset::load_from_disk(f.tmp.path / "some").column_int_lists("input_ids"),
            (std::vector<std::vector<int32_t>>{{1, 2}, {1, 2, 3}}));
  // Cleaning the cache leaves the saved copy whole.
  fs::remove(mapped.origin());
  EXPECT_EQ(Dataset::load_from_disk(f.tmp.path / "saved").num_rows(), 3);
}

}  // namespace
}  // namespace afinar
