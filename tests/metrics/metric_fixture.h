// Shared by the metric tests: loads tests/fixtures/metrics/<name> (tools/oracle/metrics_fixtures.py).
#pragma once
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include "afinar_test_paths.h"

inline nlohmann::json load_metric_fixture(const std::string& name) {
  std::ifstream in(std::string(AFINAR_FIXTURES_DIR) + "/metrics/" + name);
  EXPECT_TRUE(in.good()) << name;
  return nlohmann::json::parse(in);
}
