// Sharded save_pretrained: the size parser, the greedy split, and the layout against what
// transformers writes for the same checkpoint and max_shard_size (golden index files from
// tools/oracle/sharded_save_fixtures.py), stale-shard clean-up, and loading both afinar's and
// transformers' shards back.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <set>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/io/safetensors.h"
#include "afinar/models/modeling.h"
#include "afinar_test_paths.h"

namespace afinar::io {
namespace {

const fs::path kModels = fs::path(AFINAR_FIXTURES_DIR) / "models";

struct TempFolder {
  fs::path path;
  explicit TempFolder(const std::string& name)
      : path(fs::temp_directory_path() / ("afinar_sharded_" + name + "_" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempFolder() { fs::remove_all(path); }
};

std::set<std::string> files_in(const fs::path& d) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(d)) out.insert(e.path().filename().string());
  return out;
}

/// tiny_gpt2_lm as a causal LM, the others (BERT) with their token-classification head.
PreTrainedModel load(const std::string& name, const fs::path& folder) {
  return name == "tiny_gpt2_lm" ? AutoModelForCausalLM::from_pretrained(folder.string())
                                : AutoModelForTokenClassification::from_pretrained(folder.string());
}
PreTrainedModel load(const std::string& name) {
  return load(name, kModels / name);
}

void expect_same_weights(const PreTrainedModel& a, const PreTrainedModel& b) {
  auto pb = b->named_parameters(true);
  ASSERT_EQ(a->named_parameters(true).size(), pb.size());
  for (const auto& p : a->named_parameters(true)) {
    ASSERT_NE(pb.find(p.key()), nullptr) << p.key();
    EXPECT_TRUE(torch::equal(p.value(), *pb.find(p.key()))) << p.key();
  }
}

TEST(ParseSizeToInt, DecimalUnitsAsHuggingfaceHub) {
  EXPECT_EQ(parse_size_to_int("5GB"), 5'000'000'000u);
  EXPECT_EQ(parse_size_to_int("50GB"), 50'000'000'000u);
  EXPECT_EQ(parse_size_to_int("200MB"), 200'000'000u);
  EXPECT_EQ(parse_size_to_int("1.5kb"), 1500u);
  EXPECT_EQ(parse_size_to_int(" 5 GB "), 5'000'000'000u);
  EXPECT_EQ(parse_size_to_int("0.1MB"), 100'000u);  // int(0.1 * 10**6) in Python
  EXPECT_EQ(parse_size_to_int("2TB"), 2'000'000'000'000u);
  EXPECT_EQ(parse_size_to_int("1000"), 1000u);  // an int max_shard_size: bytes
  for (const char* bad : {"", "5GiB", "5 gigabytes", "GB", "abcMB", "-1MB", "1e999MB"})
    EXPECT_THROW(parse_size_to_int(bad), InvalidArgument) << bad;
}

TEST(SplitStateDict, GreedyInOrderOversizedAloneTiedWithFirst) {
  // 4-byte, 4-byte, 12-byte (over the 10-byte limit), 4-byte float32 tensors; e shares a's storage.
  torch::Tensor a = torch::zeros({1}), b = torch::zeros({1}), c = torch::zeros({3}), d = torch::zeros({1});
  OrderedTensors sd{{"a", a}, {"b", b}, {"c", c}, {"e", a}, {"d", d}};
  StateDictSplit s = split_state_dict_into_shards(sd, 10);
  ASSERT_EQ(s.filename_to_tensors.size(), 3u);
  EXPECT_EQ(s.filename_to_tensors[0].first, "model-00001-of-00003.safetensors");
  EXPECT_EQ(s.filename_to_tensors[0].second, (std::vector<std::string>{"c"}));
  EXPECT_EQ(s.filename_to_tensors[1].second, (std::vector<std::string>{"a", "b", "e"}));
  EXPECT_EQ(s.filename_to_tensors[2].second, (std::vector<std::string>{"d"}));
  EXPECT_EQ(s.total_size, 24u);  // e counted once, with a
  EXPECT_EQ(s.tensor_to_filename.at("e"), "model-00002-of-00003.safetensors");

  StateDictSplit one = split_state_dict_into_shards(sd, 1000);
  EXPECT_FALSE(one.is_sharded());
  EXPECT_EQ(one.filename_to_tensors.at(0).first, "model.safetensors");
  EXPECT_EQ(one.filename_to_tensors.at(0).second.size(), 5u);
}

// afinar's save_pretrained(max_shard_size) writes the layout transformers writes: file names,
// weight_map, total_size and total_parameters; the shards load back to the same weights.
TEST(ShardedSave, LayoutEqualsTransformers) {
  for (const std::string name : {"tiny_bert_token", "tiny_gpt2_lm"}) {
    PreTrainedModel model = load(name);
    for (const std::string size : {"20KB", "5KB", "1MB"}) {
      SCOPED_TRACE(name + " " + size);
      TempFolder tmp(name + size);
      model->save_pretrained(tmp.path, size);
      const auto golden = nlohmann::json::parse(read_file(kModels / "sharded" / (name + "_" + size + ".index.json")));
      if (golden.value("single_file", false)) {
        EXPECT_EQ(files_in(tmp.path), (std::set<std::string>{"config.json", "model.safetensors"}));
      } else {
        const std::string index_text = read_file(tmp.path / "model.safetensors.index.json");
        EXPECT_EQ(nlohmann::json::parse(index_text), golden);
        EXPECT_EQ(index_text, read_file(kModels / "sharded" / (name + "_" + size + ".index.json")));
        std::set<std::string> expected{"config.json", "model.safetensors.index.json"};
        for (const auto& [_, file] : golden["weight_map"].items()) expected.insert(file.get<std::string>());
        EXPECT_EQ(files_in(tmp.path), expected);
      }
      expect_same_weights(model, load(name, tmp.path));
    }
  }
}

// A second save into the same folder leaves only its own weight files: transformers removes the
// model-*-of-* shards it does not rewrite; afinar also removes a stale model.safetensors / index.
TEST(ShardedSave, StaleWeightFilesRemoved) {
  PreTrainedModel model = load("tiny_bert_token");
  TempFolder tmp("stale");
  write_file_atomic(tmp.path / "model-00009-of-00012.bin", "old");  // transformers removes these too
  write_file_atomic(tmp.path / "tokenizer.json", "{}");             // not a weight file: kept
  model->save_pretrained(tmp.path, "1MB");
  EXPECT_EQ(files_in(tmp.path), (std::set<std::string>{"config.json", "model.safetensors", "tokenizer.json"}));
  model->save_pretrained(tmp.path, "5KB");
  auto files = files_in(tmp.path);
  EXPECT_FALSE(files.count("model.safetensors"));
  EXPECT_TRUE(files.count("model-00013-of-00013.safetensors"));
  model->save_pretrained(tmp.path, "20KB");
  EXPECT_EQ(
      files_in(tmp.path),
      (std::set<std::string>{"config.json", "model-00001-of-00004.safetensors", "model-00002-of-00004.safetensors",
                             "model-00003-of-00004.safetensors", "model-00004-of-00004.safetensors",
                             "model.safetensors.index.json", "tokenizer.json"}));
  expect_same_weights(model, load("tiny_bert_token", tmp.path));
  model->save_pretrained(tmp.path);  // default 50GB: one file again
  EXPECT_EQ(files_in(tmp.path), (std::set<std::string>{"config.json", "model.safetensors", "tokenizer.json"}));
}

// A checkpoint transformers sharded itself (save_pretrained(max_shard_size="20KB")) loads to the
// same weights as the single-file one.
TEST(ShardedSave, LoadsTransformersShards) {
  const fs::path hf = kModels / "sharded" / "tiny_bert_token_sharded";
  ASSERT_TRUE(fs::exists(hf / "model-00004-of-00004.safetensors"));
  ASSERT_FALSE(fs::exists(hf / "model.safetensors"));
  expect_same_weights(load("tiny_bert_token"), load("tiny_bert_token", hf));
  EXPECT_EQ(load_checkpoint_weights(hf).size(), load_checkpoint_weights(kModels / "tiny_bert_token").size());
}

}  // namespace
}  // namespace afinar::io
