// Inputs libFuzzer found (fuzz/run.sh), kept as regression tests: each must be a clean afinar
// error naming the fault, never an escaped library exception or undefined behaviour.
#include <gtest/gtest.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "afinar/core/check.h"
#include "afinar/io/safetensors.h"
#include "afinar/models/bert/configuration_bert.h"
#include "afinar/models/generation.h"
#include "afinar/models/llama/configuration_llama.h"

namespace {

std::string with_header(const std::string& header) {
  std::string bytes(8, '\0');
  const uint64_t n = header.size();
  std::memcpy(bytes.data(), &n, 8);
  return bytes + header + std::string(16, '\0');
}

}  // namespace

// nlohmann throws out_of_range (not parse_error) for a number beyond double: it escaped the reader.
TEST(FuzzRegressions, SafetensorsHeaderNumberOverflowIsAFormatError) {
  const std::string b = with_header(R"({"a":{"dtype":"I64","shape":[2],"data_offsets":[0,281e3088]}})");
  try {
    afinar::io::parse_safetensors(b, "x.safetensors");
    FAIL() << "no error";
  } catch (const afinar::FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("x.safetensors: header is not valid JSON"), std::string::npos) << e.what();
  }
}

// get<int64_t>() on 1.2e118 casts a double out of range (undefined behaviour under UBSan).
TEST(FuzzRegressions, ConfigIntegerFieldsRefuseHugeAndFractionalFloats) {
  for (const char* v : {"1.2e118", "-1e30", "9.3e18", "3.5", "1e999"}) {
    nlohmann::json j =
        nlohmann::json::parse(std::string(R"({"intermediate_size": )") + (std::strcmp(v, "1e999") ? v : "1") + "}");
    if (!std::strcmp(v, "1e999")) j["intermediate_size"] = std::numeric_limits<double>::infinity();
    EXPECT_THROW(afinar::BertConfig::from_json(j), afinar::InvalidArgument) << v;
    EXPECT_THROW(afinar::LlamaConfig::from_json(j), afinar::InvalidArgument) << v;
  }
  // An integral float is an integer, as Python's int(768.0).
  EXPECT_EQ(afinar::BertConfig::from_json({{"intermediate_size", 768.0}}).intermediate_size, 768);
  EXPECT_THROW(afinar::GenerationConfig::from_json({{"num_beams", 1e300}}), afinar::InvalidArgument);
  try {
    afinar::BertConfig::from_json({{"hidden_size", 1e300}});
  } catch (const afinar::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("config.json: field 'hidden_size' must be an integer in range"),
              std::string::npos)
        << e.what();
  }
}
