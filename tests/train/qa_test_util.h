// Shared by the question-answering tests: the oracle's examples (tools/oracle/qa_fixtures.py) —
// lines of ../shared/data/squad and their unanswerable copies — and its fixture files.
#pragma once
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "afinar/core/fs.h"
#include "afinar/tokenizers/tokenizer.h"
#include "afinar_test_paths.h"

namespace afinar {

inline nlohmann::json qa_fixture(const std::string& name) {
  return nlohmann::json::parse(read_file(fs::path(AFINAR_FIXTURES_DIR) / "train/qa" / name));
}

inline Tokenizer shared_tokenizer(const std::string& name) {
  return AutoTokenizer::from_pretrained((fs::path(AFINAR_SHARED_DIR) / "tokenizers" / name).string());
}

/// Writes the oracle's examples as JSON Lines to `file` (its folder is created).
inline void write_qa_examples(const fs::path& file) {
  using nlohmann::json;
  const json ex = qa_fixture("examples.json");
  std::map<std::string, std::vector<std::string>> lines;
  std::vector<nlohmann::ordered_json> rows;  // the files' key order
  for (const auto& r : ex["rows"]) {
    const std::string name = r[0];
    if (!lines.count(name)) {
      std::ifstream in(fs::path(AFINAR_SHARED_DIR) / "data/squad" / name);
      for (std::string l; std::getline(in, l);) lines[name].push_back(l);
    }
    rows.push_back(nlohmann::ordered_json::parse(lines[name].at(r[1].get<size_t>())));
  }
  for (int i = 0; i < ex["noans_rows"].get<int>(); ++i) {
    nlohmann::ordered_json r = rows[size_t(i)];
    r["id"] = r["id"].get<std::string>() + ex["noans_id_suffix"].get<std::string>();
    r["question"] = ex["noans_question_prefix"].get<std::string>() + r["question"].get<std::string>();
    r["answers"] = {{"text", json::array()}, {"answer_start", json::array()}};
    rows.push_back(r);
  }
  fs::create_directories(file.parent_path());
  std::ofstream out(file);
  for (const auto& r : rows) out << r.dump() << "\n";
}

}  // namespace afinar
