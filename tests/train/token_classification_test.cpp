// run_ner's preprocessing vs transformers (tools/oracle/token_classification_fixtures.py): the
// first CoNLL-2003 sentences, words → sub-tokens (bert-base-uncased, max_length 24) with labels on
// the first sub-token (or on all, B- → I-), -100 elsewhere.
#include "afinar/train/token_classification.h"

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

class TokenClassification : public ::testing::Test {
 protected:
  void SetUp() override {
    want_ = nlohmann::json::parse(read_file(fs::path(AFINAR_FIXTURES_DIR) / "train/ner_align.json"));
    file_ = fs::temp_directory_path() / ("afinar_ner_" + std::to_string(::getpid()) + ".jsonl");
    std::ofstream out(file_);
    for (size_t i = 0; i < want_["tokens"].size(); ++i)
      out << nlohmann::json{{"tokens", want_["tokens"][i]}, {"ner_tags", want_["ner_tags"][i]}}.dump() << "\n";
  }
  void TearDown() override { fs::remove(file_); }

  Dataset run(bool label_all_tokens, const std::vector<std::string>& labels) {
    Tokenizer tok =
        Tokenizer::from_file(std::string(AFINAR_SHARED_DIR) + "/tokenizers/bert-base-uncased/tokenizer.json");
    TokenClassificationPreprocessing opt;
    opt.max_seq_length = 24;
    opt.label_all_tokens = label_all_tokens;
    return preprocess_token_classification(load_file(file_.string()), "train", tok, opt, labels, true);
  }

  testing::ScopedDatasetsCache cache_;
  nlohmann::json want_;
  fs::path file_;
};

TEST_F(TokenClassification, LabelListAndBToI) {
  auto labels = get_token_label_list(load_file(file_.string()), "ner_tags");
  EXPECT_EQ(labels, want_["label_list"].get<std::vector<std::string>>());
  EXPECT_EQ(b_to_i_labels(labels), want_["b_to_i_label"].get<std::vector<int64_t>>());
}

TEST_F(TokenClassification, AlignsLabelsAsRunNer) {
  const auto labels = want_["label_list"].get<std::vector<std::string>>();
  for (bool all : {false, true}) {
    const Dataset ds = run(all, labels);
    ASSERT_EQ(ds.num_rows(), static_cast<int64_t>(want_["tokens"].size()));
    const auto ids = ds.column_int_lists("input_ids"), got = ds.column_int_lists("labels");
    const auto& want_labels = want_[all ? "labels_all" : "labels_first"];
    for (size_t i = 0; i < ids.size(); ++i) {
      EXPECT_EQ(ids[i], want_["input_ids"][i].get<std::vector<int32_t>>()) << "row " << i;
      EXPECT_EQ(got[i], want_labels[i].get<std::vector<int32_t>>()) << "row " << i << " all=" << all;
    }
    // The collators read the same rows in place.
    const Examples ex = Examples::from_dataset(ds);
    EXPECT_EQ(ex.sequences.at("labels").row(0), want_labels[0].get<std::vector<int32_t>>());
  }
}

TEST_F(TokenClassification, UnknownLabelNamesRowAndValue) {
  try {
    run(false, {"O", "B-PER"});
    FAIL() << "expected an error";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("row 0: label 'B-ORG'"), std::string::npos) << e.what();
  }
}

TEST_F(TokenClassification, SecondRunIsServedFromTheCacheAndOptionsAreKeyed) {
  const auto labels = want_["label_list"].get<std::vector<std::string>>();
  const Dataset first = run(false, labels);
  ASSERT_EQ(cache_.map_files().size(), 1u);
  const auto inode = testing::inode_of(first.origin());
  const Dataset second = run(false, labels);
  testing::expect_served_from_cache(first, second, cache_);
  EXPECT_EQ(testing::inode_of(second.origin()), inode);
  run(true, labels);  // label_all_tokens changes the labels: another entry
  EXPECT_EQ(cache_.map_files().size(), 2u);
}

TEST_F(TokenClassification, ClassLabelIdsAndTheirErrors) {
  // Integer labels name the label by position; one past the list is refused with its row.
  const fs::path ids = cache_.path / "ids.jsonl";
  fs::create_directories(cache_.path);
  {
    std::ofstream out(ids);
    out << R"({"tokens": ["EU", "rejects"], "ner_tags": [3, 0]})"
        << "\n"
        << R"({"tokens": ["German"], "ner_tags": [9]})"
        << "\n";
  }
  Tokenizer tok = Tokenizer::from_file(std::string(AFINAR_SHARED_DIR) + "/tokenizers/bert-base-uncased/tokenizer.json");
  TokenClassificationPreprocessing opt;
  const std::vector<std::string> names = {"O", "B-PER", "I-PER", "B-ORG"};
  EXPECT_EQ(get_token_label_list(load_file(ids.string()), "ner_tags"), (std::vector<std::string>{"0", "3", "9"}));
  try {
    preprocess_token_classification(load_file(ids.string()), "validation", tok, opt, names, true);
    FAIL() << "expected an error";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("validation split ("), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("row 1: label '9' is not one of the model's 4 labels"), std::string::npos)
        << e.what();
  }
  const Dataset ok =
      preprocess_token_classification(load_file(ids.string()).select({0}), "validation", tok, opt, names, true);
  EXPECT_EQ(ok.column_int_lists("labels")[0], (std::vector<int32_t>{-100, 3, 0, -100}));
}

}  // namespace
}  // namespace afinar
