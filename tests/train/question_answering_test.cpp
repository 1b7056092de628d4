// run_qa's prepare_train_features / prepare_validation_features against the oracle
// (tools/oracle/qa_fixtures.py, which runs run_qa's own functions with transformers'
// AutoTokenizer): 200 SQuAD questions + 10 unanswerable copies, MiniLM (WordPiece) and RoBERTa
// (byte-level BPE), max_seq_length 384 / stride 128 and 128 / 32 (many windows per question),
// padded and unpadded. Every feature's tokens, offsets, example and start/end positions agree.
#include "afinar/train/question_answering.h"

#include <arrow/api.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/data/load_dataset.h"
#include "afinar/hub/sha256.h"
#include "afinar/tokenizers/tokenizer.h"
#include "afinar_test_paths.h"
#include "qa_test_util.h"

namespace afinar {
namespace {

using nlohmann::json;

std::string digest(const std::vector<int32_t>& v) {
  return hub::sha256_hex(std::string_view(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(int32_t)))
      .substr(0, 16);
}

/// offset_mapping flattened per feature, -1 -1 for a null item (the fixture's form).
std::vector<std::vector<int32_t>> offsets(const Dataset& ds) {
  std::vector<std::vector<int32_t>> out;
  for (const auto& chunk : ds.column("offset_mapping")->chunks()) {
    const auto& outer = static_cast<const arrow::ListArray&>(*chunk);
    for (int64_t f = 0; f < outer.length(); ++f) {
      const auto slice = outer.value_slice(f);  // keeps the array alive
      const auto& pairs = static_cast<const arrow::ListArray&>(*slice);
      std::vector<int32_t> flat;
      for (int64_t k = 0; k < pairs.length(); ++k) {
        if (pairs.IsNull(k)) {
          flat.insert(flat.end(), {-1, -1});
          continue;
        }
        const auto item = pairs.value_slice(k);
        const auto& v = static_cast<const arrow::Int32Array&>(*item);
        EXPECT_EQ(v.length(), 2);
        flat.insert(flat.end(), {v.Value(0), v.Value(1)});
      }
      out.push_back(std::move(flat));
    }
  }
  return out;
}

class QuestionAnswering : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("afinar_qa_" + std::to_string(::getpid())));
    write_qa_examples(*dir_ / "examples.jsonl");
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }

  static Dataset examples() { return load_file((*dir_ / "examples.jsonl").string()); }
  static Tokenizer tokenizer(const std::string& name) { return shared_tokenizer(name); }
  static MapOptions cache() {
    MapOptions m;
    m.cache_dir = *dir_ / "cache";
    return m;
  }

  void check_case(const std::string& name) {
    SCOPED_TRACE(name);
    const json want = qa_fixture(name + ".json");
    const Tokenizer tok = tokenizer(want["tokenizer"]);
    EXPECT_EQ(tok.special_token_id("cls_token"), want["cls_token_id"].is_null()
                                                     ? std::nullopt
                                                     : std::optional<int32_t>(want["cls_token_id"].get<int32_t>()));
    EXPECT_EQ(tok.special_token_id("bos_token"), want["bos_token_id"].is_null()
                                                     ? std::nullopt
                                                     : std::optional<int32_t>(want["bos_token_id"].get<int32_t>()));
    EXPECT_EQ(tok.padding_side(), want["padding_side"].get<std::string>());
    QuestionAnsweringPreprocessing opt;
    opt.max_seq_length = want["max_seq_length"];
    opt.doc_stride = want["doc_stride"];
    opt.pad_to_max_length = want["pad_to_max_length"];
    const Dataset ex = examples();
    const Dataset train = prepare_train_features(ex, tok, opt, cache());
    const Dataset val = prepare_validation_features(ex, tok, opt, cache());
    EXPECT_EQ(train.column_names(), want["train_columns"].get<std::vector<std::string>>());
    EXPECT_EQ(val.column_names(), want["validation_columns"].get<std::vector<std::string>>());
    const auto lengths = want["lengths"].get<std::vector<size_t>>();
    ASSERT_EQ(size_t(val.num_rows()), lengths.size());
    ASSERT_EQ(size_t(train.num_rows()), lengths.size());

    EXPECT_EQ(train.column_int64("start_positions"), want["start_positions"].get<std::vector<int64_t>>());
    EXPECT_EQ(train.column_int64("end_positions"), want["end_positions"].get<std::vector<int64_t>>());
    EXPECT_EQ(train.column_int_lists("input_ids"), val.column_int_lists("input_ids"));
    const auto ids = ex.column_strings("id");
    const auto example_id = val.column_strings("example_id");
    const auto example_index = want["example_index"].get<std::vector<size_t>>();
    for (size_t f = 0; f < lengths.size(); ++f) EXPECT_EQ(example_id[f], ids[example_index[f]]) << "feature " << f;

    for (const auto& [column, digests] : want["digests"].items()) {
      const auto values = val.column_int_lists(column);
      const auto first = want["first"][column].get<std::vector<std::vector<int32_t>>>();
      for (size_t f = 0; f < first.size(); ++f) EXPECT_EQ(values[f], first[f]) << column << " feature " << f;
      for (size_t f = 0; f < lengths.size(); ++f) {
        EXPECT_EQ(values[f].size(), lengths[f]) << column << " feature " << f;
        EXPECT_EQ(digest(values[f]), digests[f].get<std::string>()) << column << " feature " << f;
      }
    }
    const auto offs = offsets(val);
    const auto first = want["first"]["offset_mapping"].get<std::vector<std::vector<int32_t>>>();
    for (size_t f = 0; f < first.size(); ++f) EXPECT_EQ(offs[f], first[f]) << "offset_mapping feature " << f;
    for (size_t f = 0; f < lengths.size(); ++f)
      EXPECT_EQ(digest(offs[f]), want["offset_digests"][f].get<std::string>()) << "offset_mapping feature " << f;
  }

  static fs::path* dir_;
};

fs::path* QuestionAnswering::dir_ = nullptr;

TEST_F(QuestionAnswering, MiniLM384MatchesRunQa) {
  check_case("minilm_384");
}
TEST_F(QuestionAnswering, MiniLM128PaddedMatchesRunQa) {
  check_case("minilm_128");
}
TEST_F(QuestionAnswering, Roberta384MatchesRunQa) {
  check_case("roberta_384");
}
TEST_F(QuestionAnswering, Roberta128MatchesRunQa) {
  check_case("roberta_128");
}

TEST_F(QuestionAnswering, SecondRunIsServedFromTheMapCache) {
  const Tokenizer tok = tokenizer("sentence-transformers__all-MiniLM-L6-v2");
  QuestionAnsweringPreprocessing opt;
  opt.max_seq_length = 128;
  opt.doc_stride = 32;
  MapOptions m = cache();
  m.cache_dir = *dir_ / "cache_reuse";
  const Dataset ex = examples();
  const Dataset first = prepare_train_features(ex, tok, opt, m);
  const auto files = list_cache_files(m.cache_dir);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(first.origin(), files[0].path.string());
  const Dataset again = prepare_train_features(ex, tok, opt, m);
  EXPECT_EQ(again.origin(), first.origin());
  EXPECT_EQ(again.column_int64("start_positions"), first.column_int64("start_positions"));
  EXPECT_EQ(list_cache_files(m.cache_dir).size(), 1u);
  // Any option, the tokenizer, or the other transform is a new entry.
  opt.doc_stride = 48;
  EXPECT_NE(prepare_train_features(ex, tok, opt, m).origin(), first.origin());
  EXPECT_NE(prepare_train_features(ex, tokenizer("roberta-base"), opt, m).origin(), first.origin());
  EXPECT_NE(prepare_validation_features(ex, tok, opt, m).origin(), first.origin());
  EXPECT_EQ(list_cache_files(m.cache_dir).size(), 4u);
}

TEST_F(QuestionAnswering, RefusesLeftPaddingMissingColumnsAndOverlongQuestions) {
  const Tokenizer tok = tokenizer("sentence-transformers__all-MiniLM-L6-v2");
  const Dataset ex = examples();
  QuestionAnsweringPreprocessing opt;
  opt.answer_column_name = "responses";
  EXPECT_THROW(prepare_train_features(ex, tok, opt, cache()), InvalidArgument);
  EXPECT_NO_THROW(prepare_validation_features(ex.select({0, 1}), tok, opt, cache()));  // needs no answers
  opt = {};
  opt.question_column_name = "query";
  EXPECT_THROW(prepare_validation_features(ex, tok, opt, cache()), InvalidArgument);
  opt = {};
  opt.max_seq_length = 12;  // the question alone takes more
  opt.doc_stride = 2;
  try {
    prepare_train_features(ex, tok, opt, cache());
    FAIL() << "expected an error";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("--max_seq_length"), std::string::npos) << e.what();
  }
  // A tokenizer that pads on the left (run_qa then puts the context first).
  tok.save_pretrained(*dir_ / "left");
  json config = json::parse(read_file(*dir_ / "left/tokenizer_config.json"));
  config["padding_side"] = "left";
  write_file_atomic(*dir_ / "left/tokenizer_config.json", config.dump());
  EXPECT_THROW(prepare_train_features(ex, AutoTokenizer::from_pretrained((*dir_ / "left").string()), {}, cache()),
               NotImplemented);
}

}  // namespace
}  // namespace afinar
