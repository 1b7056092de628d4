// run_classification's preprocessing through Dataset::map: rows equal the tokenizer's own
// encodings, labels mapped through the label list, errors name split/row/value, and the second
// run of the same preprocessing is served from the memory-mapped map cache file.
#include "afinar/train/text_classification.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/data/load_dataset.h"
#include "afinar/tokenizers/tokenizer.h"
#include "afinar_test_paths.h"
#include "preprocess_test_util.h"

namespace afinar {
namespace {

using testing::ScopedDatasetsCache;

Tokenizer tokenizer(const std::string& name) {
  return AutoTokenizer::from_pretrained(std::string(AFINAR_SHARED_DIR) + "/tokenizers/" + name);
}

/// The first `n` rows of rotten_tomatoes' train split (labels 0/1), with label 7 at `bad_row`.
fs::path write_rows(const fs::path& dir, size_t n, int64_t bad_row = -1) {
  std::ifstream in(std::string(AFINAR_SHARED_DIR) + "/data/rotten_tomatoes/train.jsonl");
  std::vector<nlohmann::json> rows;
  for (std::string line; rows.size() < 4265 && std::getline(in, line);) rows.push_back(nlohmann::json::parse(line));
  const fs::path file = dir / "train.jsonl";
  fs::create_directories(dir);
  std::ofstream out(file);
  for (size_t i = 0; i < n; ++i) {
    // Both classes: the file's first half is positive, its second negative.
    nlohmann::json r = rows[(i * 37) % rows.size()];
    r["label"] = static_cast<int64_t>(i) == bad_row ? 7 : static_cast<int64_t>(i % 2);
    out << r.dump() << "\n";
  }
  return file;
}

TEST(TextClassification, RowsAreTheTokenizersEncodingsAndLabelIds) {
  ScopedDatasetsCache cache;
  const Dataset raw = load_file(write_rows(cache.path / "data", 1500).string());
  const Tokenizer tok = tokenizer("sentence-transformers__all-MiniLM-L6-v2");
  ClassificationPreprocessing opt;
  opt.max_seq_length = 16;
  const std::vector<int64_t> labels = get_label_list(raw, "label");
  EXPECT_EQ(labels, (std::vector<int64_t>{0, 1}));
  const Dataset out = preprocess_classification(raw, "train", tok, opt, labels, true);
  EXPECT_EQ(out.column_names(), (std::vector<std::string>{"input_ids", "token_type_ids", "attention_mask", "label"}));
  ASSERT_EQ(out.num_rows(), 1500);
  EncodeOptions eo;
  eo.truncation = true;
  eo.max_length = 16;
  const auto want = tok.encode_batch(raw.column_strings("text"), eo);
  const auto ids = out.column_int_lists("input_ids"), types = out.column_int_lists("token_type_ids"),
             mask = out.column_int_lists("attention_mask");
  const auto label = out.column_int64("label"), raw_label = raw.column_int64("label");
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(ids[i], want[i].ids) << "row " << i;
    ASSERT_EQ(types[i], want[i].type_ids) << "row " << i;
    ASSERT_EQ(mask[i], std::vector<int32_t>(want[i].attention_mask.begin(), want[i].attention_mask.end()));
    ASSERT_EQ(label[i], raw_label[i]);
  }
  // Label values map to their position in the label list.
  const auto shifted = preprocess_classification(raw, "train", tok, opt, {-1, 0, 1}, true).column_int64("label");
  for (size_t i = 0; i < shifted.size(); ++i) ASSERT_EQ(shifted[i], raw_label[i] + 1) << "row " << i;
}

TEST(TextClassification, SecondRunIsServedFromTheMemoryMappedCache) {
  ScopedDatasetsCache cache;
  const Dataset raw = load_file(write_rows(cache.path / "data", 1200).string());
  const Tokenizer tok = tokenizer("sentence-transformers__all-MiniLM-L6-v2");
  ClassificationPreprocessing opt;
  const Dataset first = preprocess_classification(raw, "train", tok, opt, {0, 1}, true);
  ASSERT_EQ(cache.map_files().size(), 1u);
  EXPECT_EQ(first.origin(), cache.map_files()[0].path.string());
  const auto inode = testing::inode_of(first.origin());
  // Loaded again, as a second run does: the file's fingerprint is unchanged.
  const Dataset second = preprocess_classification(load_file((cache.path / "data" / "train.jsonl").string()), "train",
                                                   tok, opt, {0, 1}, true);
  testing::expect_served_from_cache(first, second, cache);
  EXPECT_EQ(testing::inode_of(second.origin()), inode);  // read, not written again
  EXPECT_EQ(cache.map_files().size(), 1u);
  EXPECT_EQ(second.column_int_lists("input_ids"), first.column_int_lists("input_ids"));

  // Every option and the tokenizer are part of the key: each change is a new file.
  opt.max_seq_length = 32;
  preprocess_classification(raw, "train", tok, opt, {0, 1}, true);
  EXPECT_EQ(cache.map_files().size(), 2u);
  preprocess_classification(raw, "train", tok, opt, {0, 1, 2}, true);
  EXPECT_EQ(cache.map_files().size(), 3u);
  preprocess_classification(raw, "train", tokenizer("bert-base-uncased"), opt, {0, 1, 2}, true);
  EXPECT_EQ(cache.map_files().size(), 4u);
  EXPECT_NE(tokenizer("bert-base-uncased").fingerprint(), tok.fingerprint());
  EXPECT_EQ(tokenizer("sentence-transformers__all-MiniLM-L6-v2").fingerprint(), tok.fingerprint());
}

TEST(TextClassification, InMemoryDataIsMappedWithoutACacheFile) {
  ScopedDatasetsCache cache;
  const Tokenizer tok = tokenizer("bert-base-uncased");
  ClassificationPreprocessing opt;
  const Dataset out = preprocess_classification(testing::text_dataset({"a b", "c"}), "test", tok, opt, {0, 1}, false);
  EXPECT_EQ(out.column_names(), (std::vector<std::string>{"input_ids", "token_type_ids", "attention_mask"}));
  EXPECT_EQ(out.num_rows(), 2);
  EXPECT_TRUE(cache.map_files().empty());
}

TEST(TextClassification, ErrorsNameSplitRowAndValue) {
  ScopedDatasetsCache cache;
  const Tokenizer tok = tokenizer("bert-base-uncased");
  ClassificationPreprocessing opt;
  // Row 1234 is in the second map batch: the row is counted over the whole split.
  const Dataset raw = load_file(write_rows(cache.path / "data", 1300, 1234).string());
  try {
    preprocess_classification(raw, "train", tok, opt, {0, 1}, true);
    FAIL() << "expected an error";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("train split ("), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("row 1234: label 7 is out of range"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(cache.map_files().empty());  // a failed map leaves no cache file
  opt.text_column_names = {"label"};
  try {
    preprocess_classification(raw, "train", tok, opt, {0, 1, 7}, true);
    FAIL() << "expected an error";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("column 'label' has type int64, expected string"), std::string::npos)
        << e.what();
  }
  opt.text_column_names = {"sentence"};
  try {
    preprocess_classification(raw, "train", tok, opt, {0, 1}, true);
    FAIL() << "expected an error";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("no text column 'sentence'; columns found: label, text"), std::string::npos)
        << e.what();
  }
}

TEST(TextClassification, LabelListIsSortedAndUniqueOverChunks) {
  arrow::Int64Builder a, b;
  ASSERT_TRUE(a.AppendValues({3, 1, 3}).ok());
  ASSERT_TRUE(b.AppendValues({0, 1}).ok());
  ASSERT_TRUE(b.AppendNull().ok());
  auto chunks = std::make_shared<arrow::ChunkedArray>(arrow::ArrayVector{*a.Finish(), *b.Finish()});
  const Dataset ds(arrow::Table::Make(arrow::schema({arrow::field("label", arrow::int64())}), {chunks}));
  try {
    get_label_list(ds, "label");
    FAIL() << "expected an error";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("column 'label' is null at row 5"), std::string::npos) << e.what();
  }
  const Dataset head(ds.table()->Slice(0, 5));
  EXPECT_EQ(get_label_list(head, "label"), (std::vector<int64_t>{0, 1, 3}));
  EXPECT_THROW(get_label_list(head, "text"), InvalidArgument);
}

}  // namespace
}  // namespace afinar
