// generate() against transformers' model.generate: greedy and beam search on the tiny T5, BART,
// GPT-2 and Llama checkpoints (tools/oracle/models_seq2seq_fixtures.py → generate_expected.json).
#include "afinar/models/generation.h"

#include <gtest/gtest.h>

#include <map>

#include "seq2seq_test_util.h"

namespace afinar {
namespace {

using namespace seq2seq_test;

torch::Tensor long_tensor(const nlohmann::json& rows) {
  std::vector<int64_t> flat;
  for (const auto& r : rows)
    for (const auto& v : r) flat.push_back(v.get<int64_t>());
  return torch::tensor(flat, torch::kLong).view({static_cast<int64_t>(rows.size()), -1});
}

/// The model of a fixture (cached): Seq2SeqLM for t5/bart, CausalLM otherwise; null when this build
/// does not know the model type yet.
PreTrainedModel model_of(const std::string& name) {
  static std::map<std::string, PreTrainedModel> cache;
  if (auto it = cache.find(name); it != cache.end()) return it->second;
  const std::string dir = (kFixtures / name).string();
  PreTrainedModel m;
  try {
    m = name.find("t5") != std::string::npos || name.find("bart") != std::string::npos
            ? AutoModelForSeq2SeqLM::from_pretrained(dir)
            : AutoModelForCausalLM::from_pretrained(dir);
  } catch (const InvalidArgument& e) {
    if (std::string(e.what()).find("is not supported by") == std::string::npos) throw;
  }
  return cache[name] = m;
}

const nlohmann::json& cases() {
  static const nlohmann::json all = nlohmann::json::parse(read_file(kFixtures / "generate_expected.json"));
  return all;
}

TEST(Generate, MatchesTransformersTokenForToken) {
  std::map<std::string, int> checked, skipped;
  for (const auto& row : cases()) {
    const std::string name = row["model"];
    PreTrainedModel model = model_of(name);
    if (!model) {
      ++skipped[name];
      continue;
    }
    // The model's generation_config.json, then generate()'s keyword arguments on top (as transformers).
    nlohmann::json j = GenerationConfig::from_pretrained((kFixtures / name).string()).to_json();
    for (const auto& [k, v] : row["kwargs"].items()) j[k] = v;
    GenerationConfig cfg = GenerationConfig::from_json(j);
    ModelInputs in;
    in.input_ids = long_tensor(row["input_ids"]);
    in.attention_mask = long_tensor(row["attention_mask"]);
    torch::Tensor got = generate(*model, in, cfg);
    torch::Tensor want = long_tensor(row["output"]);
    EXPECT_TRUE(got.sizes() == want.sizes() && torch::equal(got, want))
        << name << " " << row["kwargs"].dump() << "\n got:\n"
        << got << "\n want:\n"
        << want;
    ++checked[name];
  }
  for (const auto& [name, n] : checked) std::cout << name << ": " << n << " generate() settings match transformers\n";
  for (const auto& [name, n] : skipped) std::cout << name << ": " << n << " settings skipped (model type not built)\n";
  EXPECT_GE(checked["tiny_t5"] + checked["tiny_t5_gated"] + checked["tiny_bart"], 27);
}

TEST(Generate, ConfigFromFilesAndDefaults) {
  GenerationConfig bart = GenerationConfig::from_pretrained((kFixtures / "tiny_bart").string());
  EXPECT_EQ(bart.forced_eos_token_id, std::vector<int64_t>{2});
  EXPECT_EQ(bart.decoder_start_token_id.value_or(-1), 2);
  EXPECT_EQ(bart.pad_token_id.value_or(-1), 1);
  EXPECT_EQ(bart.num_beams, 1);
  EXPECT_FALSE(bart.max_length);
  // From config.json alone (no generation_config.json): the generation fields of the model config.
  GenerationConfig t5 =
      GenerationConfig::from_model_config(nlohmann::json::parse(read_file(kFixtures / "tiny_t5" / "config.json")));
  EXPECT_EQ(t5.eos_token_id, std::vector<int64_t>{1});
  EXPECT_EQ(t5.decoder_start_token_id.value_or(-1), 0);
  GenerationConfig g = GenerationConfig::from_json(
      {{"eos_token_id", {3, 4}}, {"early_stopping", "never"}, {"length_penalty", 2}, {"top_k", 5}});
  EXPECT_EQ(g.eos_token_id, (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(g.early_stopping, GenerationConfig::EarlyStopping::Never);
  EXPECT_EQ(g.length_penalty, 2.0);
  EXPECT_EQ(GenerationConfig::from_json(g.to_json()).to_json(), g.to_json());
  EXPECT_THROW(GenerationConfig::from_json({{"early_stopping", "sometimes"}}), InvalidArgument);
  EXPECT_THROW(GenerationConfig::from_json({{"eos_token_id", "x"}}), InvalidArgument);
}

TEST(Generate, UnsupportedSettingsSayNotImplemented) {
  PreTrainedModel model = model_of("tiny_t5");
  ModelInputs in;
  in.input_ids = torch::tensor({{5, 6, 7}}, torch::kLong);
  GenerationConfig cfg = GenerationConfig::from_pretrained((kFixtures / "tiny_t5").string());
  cfg.do_sample = true;
  try {
    generate(*model, in, cfg);
    FAIL() << "expected NotImplemented";
  } catch (const NotImplemented& e) {
    EXPECT_NE(std::string(e.what()).find("not implemented: generate: sampling"), std::string::npos) << e.what();
  }
  cfg.do_sample = false;
  cfg.num_return_sequences = 2;  // greedy returns one sequence
  EXPECT_THROW(generate(*model, in, cfg), InvalidArgument);
  cfg.num_return_sequences = 1;
  cfg.max_length = 1;  // the decoder prompt (start token) is already that long
  EXPECT_THROW(generate(*model, in, cfg), InvalidArgument);
  cfg.max_length.reset();
  cfg.decoder_start_token_id.reset();
  EXPECT_THROW(generate(*model, in, cfg), InvalidArgument);  // no decoder start, no bos
}

TEST(Generate, DefaultLengthIsTwentyNewTokens) {
  PreTrainedModel model = model_of("tiny_t5");
  ModelInputs in;
  in.input_ids = torch::tensor({{5, 6, 7}}, torch::kLong);
  GenerationConfig cfg = GenerationConfig::from_pretrained((kFixtures / "tiny_t5").string());
  cfg.eos_token_id.clear();                          // never stops early
  EXPECT_EQ(generate(*model, in, cfg).size(1), 21);  // decoder start + 20
}

}  // namespace
}  // namespace afinar
