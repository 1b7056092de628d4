#include "run_output.h"

#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "afinar/core/fs.h"

namespace afinar::cli {

void log_metrics(const std::string& split, const std::map<std::string, double>& metrics) {
  std::cout << "***** " << split << " metrics *****\n";
  size_t kw = 0;
  for (const auto& [k, v] : metrics) kw = std::max(kw, k.size());
  for (const auto& [k, v] : metrics) {
    char buf[64];
    if (k == "total_flos") std::snprintf(buf, sizeof buf, "%.0fGF", v / 1e9);
    else if (k.size() > 8 && k.compare(k.size() - 8, 8, "_runtime") == 0) {
      const int h = static_cast<int>(v / 3600), m = static_cast<int>(std::fmod(v, 3600) / 60);
      std::snprintf(buf, sizeof buf, "%d:%02d:%05.2f", h, m, std::fmod(v, 60.0));
    } else if (v == std::floor(v) && std::fabs(v) < 1e15 && k != "epoch") std::snprintf(buf, sizeof buf, "%.0f", v);
    else std::snprintf(buf, sizeof buf, "%.4f", v);
    std::printf("  %-*s = %10s\n", static_cast<int>(kw), k.c_str(), buf);
  }
  std::cout << std::flush;
}

void save_metrics(const std::filesystem::path& dir, const std::string& split, const std::map<std::string, double>& metrics) {
  nlohmann::json j(metrics);
  write_file_atomic(dir / (split + "_results.json"), j.dump(4) + "\n");
  nlohmann::json all = nlohmann::json::object();
  const auto all_path = dir / "all_results.json";
  if (std::filesystem::exists(all_path)) {
    try {
      all = nlohmann::json::parse(read_file(all_path));
    } catch (const nlohmann::json::exception&) {
      all = nlohmann::json::object();  // a file we did not write: replace it
    }
  }
  all.update(j);
  write_file_atomic(all_path, all.dump(4) + "\n");
}

}  // namespace afinar::cli
