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

  Examples run(bool label_all_tokens, const std::vector<std::string>& labels) {
    Tokenizer tok =
        Tokenizer::from_file(std::string(AFINAR_SHARED_DIR) + "/tokenizers/bert-base-uncased/tokenizer.json");
    TokenClassificationPreprocessing opt;
    opt.max_seq_length = 24;
    opt.label_all_tokens = label_all_tokens;
    return preprocess_token_classification(load_file(file_.string()), "train", tok, opt, labels, true);
  }

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
    Examples ex = run(all, labels);
    ASSERT_EQ(ex.size(), want_["tokens"].size());
    const auto& want_labels = want_[all ? "labels_all" : "labels_first"];
    for (size_t i = 0; i < ex.size(); ++i) {
      EXPECT_EQ(ex.sequences["input_ids"][i], want_["input_ids"][i].get<std::vector<int32_t>>()) << "row " << i;
      EXPECT_EQ(ex.sequences["labels"][i], want_labels[i].get<std::vector<int32_t>>()) << "row " << i << " all=" << all;
    }
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

}  // namespace
}  // namespace afinar
