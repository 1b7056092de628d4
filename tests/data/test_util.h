// Helpers shared by the data tests: a temp folder, file writers, the HF oracle fixtures, and
// Arrow tables as JSON rows (to compare with rows that HF datasets wrote as JSON).
#pragma once
#include <arrow/api.h>
#include <arrow/pretty_print.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "afinar_test_paths.h"

namespace afinar::test {

namespace fs = std::filesystem;

inline fs::path shared_dir() {
  return fs::path(AFINAR_SHARED_DIR);
}
inline fs::path fixtures_dir() {
  return fs::path(AFINAR_FIXTURES_DIR) / "data";
}
inline fs::path rotten_tomatoes_dir() {
  return shared_dir() / "data" / "rotten_tomatoes";
}

/// A fresh folder under the system temp dir, removed with everything in it.
struct TempDir {
  fs::path path;
  TempDir() {
    static std::atomic<int> counter{0};
    path = fs::temp_directory_path() /
           ("afinar_data_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path write(const std::string& rel, const std::string& content) const {
    fs::path p = path / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
};

/// The data tests prepare their files (load_file, load_dataset) and map them into a datasets
/// cache of this process, removed at exit: no test file's cache lands in the user's.
struct IsolatedDatasetsCache {
  fs::path path = fs::temp_directory_path() / ("afinar_data_tests_cache_" + std::to_string(::getpid()));
  IsolatedDatasetsCache() { setenv("HF_DATASETS_CACHE", path.c_str(), 1); }
  ~IsolatedDatasetsCache() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};
inline const IsolatedDatasetsCache isolated_datasets_cache;

/// Sets an environment variable for the scope of a test and restores the old value.
struct ScopedEnv {
  std::string name;
  std::optional<std::string> old;
  ScopedEnv(std::string n, const std::string& value) : name(std::move(n)) {
    if (const char* v = std::getenv(name.c_str())) old = v;
    setenv(name.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old)
      setenv(name.c_str(), old->c_str(), 1);
    else
      unsetenv(name.c_str());
  }
};

/// The schema as pyarrow's Schema.to_string(show_schema_metadata=False) prints it.
inline std::string schema_string(const arrow::Table& t) {
  arrow::PrettyPrintOptions opts;
  opts.show_schema_metadata = false;
  opts.show_field_metadata = false;
  std::string out;
  EXPECT_TRUE(arrow::PrettyPrint(*t.schema(), opts, &out).ok());
  return out;
}

inline nlohmann::json read_json_file(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

/// One Arrow value as the JSON HF's to_list() would give.
inline nlohmann::json scalar_to_json(const arrow::Scalar& s) {
  using nlohmann::json;
  if (!s.is_valid) return nullptr;
  switch (s.type->id()) {
    case arrow::Type::BOOL:
      return static_cast<const arrow::BooleanScalar&>(s).value;
    case arrow::Type::INT32:
      return static_cast<const arrow::Int32Scalar&>(s).value;
    case arrow::Type::INT64:
      return static_cast<const arrow::Int64Scalar&>(s).value;
    case arrow::Type::DOUBLE:
      return static_cast<const arrow::DoubleScalar&>(s).value;
    case arrow::Type::FLOAT:
      return double(static_cast<const arrow::FloatScalar&>(s).value);
    case arrow::Type::STRING:
      return std::string(static_cast<const arrow::StringScalar&>(s).view());
    case arrow::Type::LARGE_STRING:
      return std::string(static_cast<const arrow::LargeStringScalar&>(s).view());
    case arrow::Type::LIST:
    case arrow::Type::LARGE_LIST: {
      const auto& list = static_cast<const arrow::BaseListScalar&>(s);
      json out = json::array();
      for (int64_t i = 0; i < list.value->length(); ++i)
        out.push_back(scalar_to_json(*list.value->GetScalar(i).ValueOrDie()));
      return out;
    }
    case arrow::Type::STRUCT: {
      const auto& st = static_cast<const arrow::StructScalar&>(s);
      json out = json::object();
      for (int i = 0; i < s.type->num_fields(); ++i)
        out[s.type->field(i)->name()] = scalar_to_json(*st.value[size_t(i)]);
      return out;
    }
    default:
      ADD_FAILURE() << "scalar_to_json: unhandled type " << s.type->ToString();
      return nullptr;
  }
}

/// The table's rows as a JSON array of objects (column order kept in each object's keys).
inline nlohmann::ordered_json table_rows(const arrow::Table& t) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (int64_t r = 0; r < t.num_rows(); ++r) {
    nlohmann::ordered_json row = nlohmann::ordered_json::object();
    for (int c = 0; c < t.num_columns(); ++c)
      row[t.field(c)->name()] = scalar_to_json(*t.column(c)->GetScalar(r).ValueOrDie());
    rows.push_back(row);
  }
  return rows;
}

/// Wall and CPU milliseconds of `fn` (CPU time stays meaningful on a loaded machine).
template <typename Fn>
std::pair<double, double> time_ms(Fn fn) {
  auto cpu = [] {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
  };
  auto w0 = std::chrono::steady_clock::now();
  double c0 = cpu();
  fn();
  double c1 = cpu();
  return {std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - w0).count(), c1 - c0};
}

/// Runs `fn`, expecting exception E whose message holds every string in `parts`.
template <typename E, typename Fn>
void expect_error(Fn fn, const std::vector<std::string>& parts) {
  try {
    fn();
    ADD_FAILURE() << "expected an exception holding '" << (parts.empty() ? "" : parts[0]) << "'";
  } catch (const E& e) {
    for (const auto& p : parts)
      EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << "'" << p << "' not in: " << e.what();
  }
}

}  // namespace afinar::test
