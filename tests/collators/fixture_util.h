// Shared by the collator tests: golden fixtures (tools/oracle/collators_fixtures.py) → Examples,
// and tensors → JSON so a whole batch compares exactly against transformers' output.
#pragma once
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "afinar/collators/data_collator.h"
#include "afinar_test_paths.h"

namespace afinar::testing {

inline nlohmann::json load_fixture(const std::string& name) {
  std::ifstream in(std::string(AFINAR_FIXTURES_DIR) + "/collators/" + name);
  EXPECT_TRUE(in.good()) << name;
  return nlohmann::json::parse(in);
}

/// Lists of ints become token-level columns, ints example-level columns.
inline Examples to_examples(const nlohmann::json& features) {
  std::map<std::string, std::vector<std::vector<int32_t>>> sequences;
  std::map<std::string, std::vector<int64_t>> labels;
  for (const auto& row : features)
    for (const auto& [k, v] : row.items()) {
      if (v.is_array())
        sequences[k].push_back(v.get<std::vector<int32_t>>());
      else
        labels[k].push_back(v.get<int64_t>());
    }
  return Examples::from_rows(sequences, std::move(labels));
}

inline nlohmann::json to_json(const torch::Tensor& t) {
  if (t.dim() == 0) return t.is_floating_point() ? nlohmann::json(t.item<double>()) : nlohmann::json(t.item<int64_t>());
  auto j = nlohmann::json::array();
  for (int64_t i = 0; i < t.size(0); ++i) j.push_back(to_json(t[i]));
  return j;
}

/// Every key of transformers' batch is present with the same values (and nothing else).
inline void expect_batch_eq(const Batch& got, const nlohmann::json& want) {
  for (const auto& [k, v] : want.items()) {
    ASSERT_TRUE(got.count(k)) << "missing " << k;
    EXPECT_EQ(to_json(got.at(k)), v) << k;
  }
  EXPECT_EQ(got.size(), want.size());
}

inline std::vector<int64_t> all_rows(const nlohmann::json& features) {
  std::vector<int64_t> rows(features.size());
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<int64_t>(i);
  return rows;
}

}  // namespace afinar::testing
