// A seeded tiny T5 for the seq2seq command tests (translation, summarization, predict).
#pragma once
#include <torch/torch.h>

#include <filesystem>

#include "afinar/models/t5/modeling_t5.h"
#include "afinar_test_paths.h"

namespace afinar_test {

/// d_model 32, 2 layers, t5-small's vocabulary and tokenizer (tokenizer.json,
/// tokenizer_config.json from ../shared/tokenizers/t5-small), written to `dir`; seeded with 0.
inline std::filesystem::path write_tiny_t5(const std::filesystem::path& dir, double dropout_rate = 0.1) {
  auto cfg = afinar::T5Config::from_json({{"d_model", 32},
                                          {"d_kv", 8},
                                          {"d_ff", 64},
                                          {"num_layers", 2},
                                          {"num_heads", 4},
                                          {"dropout_rate", dropout_rate},
                                          {"vocab_size", 32128},
                                          {"decoder_start_token_id", 0},
                                          {"pad_token_id", 0},
                                          {"eos_token_id", 1}});
  torch::manual_seed(0);
  afinar::T5ForConditionalGenerationImpl m(cfg);
  m.save_pretrained(dir);
  for (const char* f : {"tokenizer.json", "tokenizer_config.json"})
    std::filesystem::copy_file(std::string(AFINAR_SHARED_DIR) + "/tokenizers/t5-small/" + f, dir / f);
  return dir;
}

}  // namespace afinar_test
