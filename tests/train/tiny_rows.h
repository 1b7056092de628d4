// Tiny tokenized training rows for Trainer tests on tiny_bert (vocabulary 99): row i holds
// lengths[i] tokens ([CLS] = 2, then ids in [5, 95)), all attended, label i % 3.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "afinar/collators/examples.h"

namespace afinar_test {

inline afinar::Examples tiny_rows(const std::vector<int64_t>& lengths) {
  afinar::Examples e;
  std::map<std::string, std::vector<std::vector<int32_t>>> rows;
  std::vector<int64_t> labels;
  for (int64_t i = 0; i < static_cast<int64_t>(lengths.size()); ++i) {
    std::vector<int32_t> row = {2};
    for (int64_t t = 1; t < lengths[i]; ++t) row.push_back(static_cast<int32_t>(5 + (i * 11 + t * 7) % 90));
    rows["attention_mask"].emplace_back(row.size(), 1);
    rows["input_ids"].push_back(std::move(row));
    labels.push_back(i % 3);
  }
  e.labels["label"] = labels;
  e.sequences = afinar::Examples::from_rows(rows).sequences;
  return e;
}

}  // namespace afinar_test
