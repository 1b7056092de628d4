// run_translation's preprocessing vs transformers (tools/oracle/translation_fixtures.py): multi30k
// en→de with the t5-small tokenizer, source prefix, truncation, dynamic and max-length padding.
#include "afinar/train/translation.h"

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

class Translation : public ::testing::Test {
 protected:
  void SetUp() override {
    want_ = nlohmann::json::parse(read_file(fs::path(AFINAR_FIXTURES_DIR) / "train/translation.json"));
    flat_ = fs::temp_directory_path() / ("afinar_mt_flat_" + std::to_string(::getpid()) + ".jsonl");
    nested_ = fs::temp_directory_path() / ("afinar_mt_nested_" + std::to_string(::getpid()) + ".jsonl");
    std::ofstream a(flat_), b(nested_);
    for (const auto& r : want_["rows"]) {
      a << r.dump() << "\n";
      b << nlohmann::json{{"translation", r}}.dump() << "\n";
    }
  }
  void TearDown() override {
    fs::remove(flat_);
    fs::remove(nested_);
  }
  TranslationPreprocessing options(bool padded) const {
    TranslationPreprocessing o;
    o.source_lang = "en";
    o.target_lang = "de";
    o.source_prefix = want_["prefix"].get<std::string>();
    o.max_source_length = 24;
    o.max_target_length = 20;
    o.pad_to_max_length = padded;
    return o;
  }

  testing::ScopedDatasetsCache cache_;
  nlohmann::json want_;
  fs::path flat_, nested_;
};

TEST_F(Translation, MatchesRunTranslationFlatAndNested) {
  Tokenizer tok = AutoTokenizer::from_pretrained(std::string(AFINAR_SHARED_DIR) + "/tokenizers/t5-small");
  for (const auto& file : {flat_, nested_}) {
    for (bool padded : {false, true}) {
      const Dataset ds = preprocess_translation(load_file(file.string()), "train", tok, options(padded), true);
      const auto& w = want_[padded ? "padded" : "dynamic"];
      for (const char* col : {"input_ids", "attention_mask", "labels"})
        EXPECT_EQ(ds.column_int_lists(col), w[col].get<std::vector<std::vector<int32_t>>>())
            << col << " padded=" << padded << " " << file;
    }
  }
}

TEST_F(Translation, MissingLanguageIsNamed) {
  Tokenizer tok = AutoTokenizer::from_pretrained(std::string(AFINAR_SHARED_DIR) + "/tokenizers/t5-small");
  auto o = options(false);
  o.source_lang = "fr";
  try {
    preprocess_translation(load_file(flat_.string()), "train", tok, o, true);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("no 'fr' column"), std::string::npos) << e.what();
  }
}

TEST_F(Translation, SecondRunIsServedFromTheCacheAndTheSourceAloneWorks) {
  Tokenizer tok = AutoTokenizer::from_pretrained(std::string(AFINAR_SHARED_DIR) + "/tokenizers/t5-small");
  const Dataset first = preprocess_translation(load_file(flat_.string()), "train", tok, options(false), true);
  const auto inode = testing::inode_of(first.origin());
  const Dataset second = preprocess_translation(load_file(flat_.string()), "train", tok, options(false), true);
  testing::expect_served_from_cache(first, second, cache_);
  EXPECT_EQ(testing::inode_of(second.origin()), inode);
  auto o = options(false);
  o.source_prefix = "";
  preprocess_translation(load_file(flat_.string()), "train", tok, o, true);
  EXPECT_EQ(cache_.map_files().size(), 2u);
  // No target language in the file: source features only, unless targets are required.
  o.target_lang = "fr";
  const Dataset src = preprocess_translation(load_file(flat_.string()), "test", tok, o, false);
  EXPECT_EQ(src.column_names(), (std::vector<std::string>{"input_ids", "attention_mask"}));
  EXPECT_THROW(preprocess_translation(load_file(flat_.string()), "train", tok, o, true), InvalidArgument);
  EXPECT_EQ(translation_pairs(load_file(nested_.string()), options(false)).second,
            translation_pairs(load_file(flat_.string()), options(false)).second);
}

}  // namespace
}  // namespace afinar
