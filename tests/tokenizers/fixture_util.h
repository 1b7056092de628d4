// Shared helpers of the tokenizers tests: fixture paths, golden-file comparison, the digest
// that tools/oracle/tokenizers_fixtures.py computes.
#pragma once
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "afinar/core/check.h"
#include "afinar/tokenizers/tokenizer.h"
#include "afinar_test_paths.h"

namespace afinar::test {

inline std::string shared_dir() { return AFINAR_SHARED_DIR; }
inline std::string tok_dir(const std::string& name) { return shared_dir() + "/tokenizers/" + name; }
inline std::string minilm_json() { return tok_dir("sentence-transformers__all-MiniLM-L6-v2") + "/tokenizer.json"; }
inline std::string bert_uncased_json() { return tok_dir("bert-base-uncased") + "/tokenizer.json"; }

inline nlohmann::json load_fixture(const std::string& name) {
  std::ifstream in(std::string(AFINAR_FIXTURES_DIR) + "/tokenizers/" + name);
  EXPECT_TRUE(in.good()) << "missing fixture " << name << "; HINT: run tools/oracle/tokenizers_fixtures.py";
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

/// FNV-1a 64 over (id, start, end, word_id) per token, little-endian 4-byte fields.
inline std::string digest(const Encoding& e) {
  uint64_t h = 0xCBF29CE484222325ull;
  auto mix = [&](uint32_t v) {
    for (int k = 0; k < 4; ++k) {
      h ^= (v >> (8 * k)) & 0xFF;
      h *= 0x100000001B3ull;
    }
  };
  for (size_t i = 0; i < e.size(); ++i) {
    mix(static_cast<uint32_t>(e.ids[i]));
    mix(e.offsets[i].first);
    mix(e.offsets[i].second);
    mix(static_cast<uint32_t>(e.word_ids[i]));
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

inline std::vector<std::vector<uint32_t>> offsets_of(const Encoding& e) {
  std::vector<std::vector<uint32_t>> o;
  for (auto [a, b] : e.offsets) o.push_back({a, b});
  return o;
}

/// Compares every field the fixture has; `what` names the case in failures.
inline void expect_matches(const nlohmann::json& want, const Encoding& got, const std::string& what) {
  auto i8 = [](const std::vector<int8_t>& v) { return std::vector<int>(v.begin(), v.end()); };
  EXPECT_EQ(want["ids"].get<std::vector<int32_t>>(), got.ids) << what;
  EXPECT_EQ(want["offsets"].get<std::vector<std::vector<uint32_t>>>(), offsets_of(got)) << what;
  EXPECT_EQ(want["word_ids"].get<std::vector<int32_t>>(), got.word_ids) << what;
  if (want.contains("type_ids")) {
    EXPECT_EQ(want["type_ids"].get<std::vector<int32_t>>(), got.type_ids) << what;
  }
  if (want.contains("sequence_ids")) {
    EXPECT_EQ(want["sequence_ids"].get<std::vector<int32_t>>(), got.sequence_ids) << what;
  }
  if (want.contains("special_tokens_mask")) {
    EXPECT_EQ(want["special_tokens_mask"].get<std::vector<int>>(), i8(got.special_tokens_mask)) << what;
  }
  if (want.contains("attention_mask")) {
    EXPECT_EQ(want["attention_mask"].get<std::vector<int>>(), i8(got.attention_mask)) << what;
  }
  if (want.contains("tokens")) {
    EXPECT_EQ(want["tokens"].get<std::vector<std::string>>(), got.tokens) << what;
  }
}

}  // namespace afinar::test
