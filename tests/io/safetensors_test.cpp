#include "afinar/io/safetensors.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar_test_paths.h"

namespace afinar::io {
namespace {

fs::path temp_dir() {
  fs::path d = fs::temp_directory_path() / ("afinar_safetensors_test_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

std::string with_header(const std::string& json, const std::string& data) {
  uint64_t n = json.size();
  std::string out(reinterpret_cast<const char*>(&n), 8);
  return out + json + data;
}

TEST(Safetensors, RoundTripEveryDtype) {
  torch::manual_seed(0);
  TensorMap in;
  in["f32"] = torch::randn({3, 4});
  in["f16"] = torch::randn({5}).to(torch::kHalf);
  in["bf16"] = torch::randn({2, 3}).to(torch::kBFloat16);
  in["f64"] = torch::randn({2, 2, 2}, torch::kDouble);
  in["i64"] = torch::randint(-1000, 1000, {7}, torch::kLong);
  in["i32"] = torch::randint(-1000, 1000, {3}, torch::kInt);
  in["i16"] = torch::randint(-1000, 1000, {3}, torch::kShort);
  in["i8"] = torch::randint(-100, 100, {3}, torch::kChar);
  in["u8"] = torch::randint(0, 255, {3}, torch::kByte);
  in["bool"] = torch::randint(0, 2, {4}).to(torch::kBool);
  in["scalar"] = torch::tensor(3.5f).reshape({});
  in["empty"] = torch::zeros({0, 3});
  in["strided"] = torch::arange(12, torch::kFloat).reshape({3, 4}).t();  // not contiguous
  fs::path p = temp_dir() / "all.safetensors";
  save_safetensors(p, in);
  Metadata meta;
  TensorMap out = load_safetensors(p, &meta);
  EXPECT_EQ(meta.at("format"), "pt");
  ASSERT_EQ(out.size(), in.size());
  for (const auto& [name, t] : in) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(out.count(name));
    EXPECT_EQ(out[name].scalar_type(), t.scalar_type());
    EXPECT_EQ(out[name].sizes(), t.sizes());
    EXPECT_TRUE(torch::equal(out[name], t));
  }
  // The header is padded with spaces to a multiple of 8, as the Python library writes it.
  std::string bytes = read_file(p);
  uint64_t n;
  std::memcpy(&n, bytes.data(), 8);
  EXPECT_EQ(n % 8, 0u);
  EXPECT_EQ(bytes.substr(8, 31), R"({"__metadata__":{"format":"pt"})");
}

TEST(Safetensors, ReadsFileWrittenByPython) {
  TensorMap w = load_safetensors(fs::path(AFINAR_FIXTURES_DIR) / "models/tiny_bert/model.safetensors");
  ASSERT_TRUE(w.count("bert.embeddings.word_embeddings.weight"));
  EXPECT_EQ(w["bert.embeddings.word_embeddings.weight"].sizes(), (std::vector<int64_t>{99, 32}));
  EXPECT_EQ(w["classifier.weight"].sizes(), (std::vector<int64_t>{3, 32}));
  // Our bytes for the same tensors load back identical.
  TensorMap again = parse_safetensors(serialize_safetensors(w), "memory");
  for (const auto& [k, v] : w) EXPECT_TRUE(torch::equal(again.at(k), v)) << k;
}

struct Malformed {
  const char* name;
  std::string bytes;
  const char* expected;  // part of the message
};

class SafetensorsMalformed : public ::testing::TestWithParam<Malformed> {};

TEST_P(SafetensorsMalformed, ThrowsFormatErrorNamingFileAndFault) {
  const Malformed& m = GetParam();
  fs::path p = temp_dir() / (std::string(m.name) + ".safetensors");
  write_file_atomic(p, m.bytes);
  try {
    load_safetensors(p);
    FAIL() << "no error for " << m.name;
  } catch (const FormatError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find(p.string()), std::string::npos) << what;
    EXPECT_NE(what.find(m.expected), std::string::npos) << what;
  }
}

std::string huge_length() {
  uint64_t n = uint64_t(1) << 62;
  return std::string(reinterpret_cast<const char*>(&n), 8) + "{}";
}

const std::string k8(8, '\0');

INSTANTIATE_TEST_SUITE_P(
    Headers, SafetensorsMalformed,
    ::testing::Values(
        Malformed{"empty", "", "too short"},
        Malformed{"truncated_length", "abc", "too short"},
        Malformed{"huge_header_length", huge_length(), "exceeds the limit"},
        Malformed{"header_past_end", with_header(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", "")
                                         .substr(0, 20),
                  "exceeds the file size"},
        Malformed{"bad_json", with_header(R"({"a": {"dtype": "F32",)", ""), "not valid JSON"},
        Malformed{"not_object", with_header("[1, 2]", ""), "does not start with '{'"},
        Malformed{"non_utf8_name", with_header("{\"\xff\xfe\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                                               std::string(4, '\0')),
                  "not valid UTF-8"},
        Malformed{"offsets_past_end",
                  with_header(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", k8), "past the end"},
        Malformed{"truncated_data",
                  with_header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", "1234"), "past the end"},
        Malformed{"overlap",
                  with_header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                              R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                              std::string(12, '\0')),
                  "overlap"},
        Malformed{"size_mismatch",
                  with_header(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", k8), "needs 12"},
        Malformed{"huge_shape",
                  with_header(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,8]}})", k8),
                  "too large"},
        Malformed{"negative_dim",
                  with_header(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,8]}})", k8),
                  "non-negative integer"},
        Malformed{"end_before_begin",
                  with_header(R"({"a":{"dtype":"U8","shape":[0],"data_offsets":[8,0]}})", k8), "end before begin"},
        Malformed{"unknown_dtype",
                  with_header(R"({"a":{"dtype":"F8_E4M3","shape":[8],"data_offsets":[0,8]}})", k8),
                  "unsupported dtype"},
        Malformed{"missing_offsets", with_header(R"({"a":{"dtype":"F32","shape":[2]}})", k8), "data_offsets"},
        Malformed{"bad_metadata", with_header(R"({"__metadata__":{"format":1}})", ""), "__metadata__"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Safetensors, MissingFileNamesIt) {
  try {
    load_safetensors("/nonexistent/model.safetensors");
    FAIL();
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/model.safetensors"), std::string::npos);
  }
}

TEST(Safetensors, ShardedCheckpoint) {
  fs::path d = temp_dir() / "sharded";
  fs::create_directories(d);
  save_safetensors(d / "model-00001-of-00002.safetensors", {{"a", torch::ones({2})}});
  save_safetensors(d / "model-00002-of-00002.safetensors", {{"b", torch::zeros({3})}});
  write_file_atomic(d / "model.safetensors.index.json",
                    R"({"metadata": {}, "weight_map": {"a": "model-00001-of-00002.safetensors",)"
                    R"( "b": "model-00002-of-00002.safetensors"}})");
  TensorMap w = load_checkpoint_weights(d);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_TRUE(torch::equal(w["b"], torch::zeros({3})));
  EXPECT_THROW(load_checkpoint_weights(temp_dir() / "nowhere"), FormatError);
}

}  // namespace
}  // namespace afinar::io
