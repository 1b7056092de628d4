// Folder → splits, following the patterns of HF datasets' data_files.py (fsspec ≥ 2023.12 forms).
#include "data_files.h"

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "afinar/core/check.h"
#include "readers.h"

namespace afinar::data {
namespace {

struct Keywords {
  const char* split;
  std::vector<std::string> words;
};
const std::vector<Keywords>& split_keywords() {
  static const std::vector<Keywords> k = {
      {"train", {"train", "training"}},
      {"validation", {"validation", "valid", "dev", "val"}},
      {"test", {"test", "testing", "eval", "evaluation"}},
  };
  return k;
}

const char* kSep = "[-._ 0-9]";  // HF's NON_WORDS_CHARS as a character class

/// HF's FILES_TO_IGNORE: metadata that sits beside the data.
bool ignored_name(const std::string& name) {
  static const std::set<std::string> names = {"README.md", "config.json", "dataset_info.json",
                                              "dataset_infos.json", "dummy_data.zip", "dataset_dict.json"};
  return names.count(name) > 0;
}

/// Data files under `dir` as sorted '/'-separated relative paths (fsspec's glob order).
std::vector<std::string> list_data_files(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::follow_directory_symlink, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    AFINAR_CHECK_FORMAT(!ec, dir.string(), ": cannot list: ", ec.message());
    const std::string name = it->path().filename().string();
    // Hidden files/folders and "__pycache__"-like folders are never data unless asked for by name.
    if (name.starts_with(".") || (it->is_directory(ec) && name.starts_with("__"))) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec) || ignored_name(name)) continue;  // follows symlinks (HF snapshots)
    if (builder_for_extension(it->path()).empty()) continue;
    out.push_back(it->path().lexically_relative(dir).generic_string());
  }
  AFINAR_CHECK_FORMAT(!ec, dir.string(), ": cannot list: ", ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

std::string basename(const std::string& rel) {
  auto pos = rel.rfind('/');
  return pos == std::string::npos ? rel : rel.substr(pos + 1);
}

/// The folder components of `rel` (all but the file name).
std::vector<std::string> folders(const std::string& rel) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t pos; (pos = rel.find('/', start)) != std::string::npos; start = pos + 1)
    out.push_back(rel.substr(start, pos - start));
  return out;
}

void append_unique(std::vector<fs::path>& files, const fs::path& f) {
  if (std::find(files.begin(), files.end(), f) == files.end()) files.push_back(f);
}

/// Rule 1: data/<split>-00000-of-00003*.*
SplitFiles sharded(const fs::path& dir, const std::vector<std::string>& files) {
  static const std::regex re(R"(^data/([^/]+)-[0-9]{5}-of-[0-9]{5}[^/]*\.[^/]*$)");
  static const std::regex split_re(R"(^\w+(\.\w+)*$)");
  std::map<std::string, std::vector<fs::path>> by_split;
  for (const auto& f : files) {
    std::smatch m;
    if (!std::regex_match(f, m, re)) continue;
    AFINAR_CHECK_FORMAT(std::regex_match(m[1].str(), split_re), dir.string(), ": split name '", m[1].str(),
                        "' of ", f, " must match ^\\w+(\\.\\w+)*$");
    by_split[m[1].str()].push_back(dir / f);
  }
  SplitFiles out;
  for (const auto& k : split_keywords()) {
    if (auto it = by_split.find(k.split); it != by_split.end()) {
      out.emplace_back(it->first, it->second);
      by_split.erase(it);
    }
  }
  for (auto& [split, fs_] : by_split) out.emplace_back(split, fs_);  // the rest, sorted by name
  return out;
}

/// Rules 2 and 3: one regex per (keyword, base pattern), tried in HF's order.
SplitFiles by_keyword(const fs::path& dir, const std::vector<std::string>& files, bool in_folder_name) {
  SplitFiles out;
  for (const auto& k : split_keywords()) {
    std::vector<fs::path> matched;
    for (const auto& w : k.words) {
      // Folder: {kw}, {kw}[sep]*, *[sep]{kw}, *[sep]{kw}[sep]*.  File: {kw}[sep]*, *[sep]{kw}[sep]*.
      const std::vector<std::string> patterns =
          in_folder_name ? std::vector<std::string>{w, w + kSep + ".*", ".*" + std::string(kSep) + w,
                                                    ".*" + std::string(kSep) + w + kSep + ".*"}
                         : std::vector<std::string>{w + kSep + ".*", ".*" + std::string(kSep) + w + kSep + ".*"};
      for (const auto& p : patterns) {
        const std::regex re(p);
        for (const auto& f : files) {
          bool hit = false;
          if (in_folder_name) {
            for (const auto& d : folders(f)) hit = hit || std::regex_match(d, re);
          } else {
            hit = std::regex_match(basename(f), re);
          }
          if (hit) append_unique(matched, dir / f);
        }
      }
    }
    if (!matched.empty()) out.emplace_back(k.split, std::move(matched));
  }
  return out;
}

}  // namespace

SplitFiles resolve_folder(const fs::path& dir) {
  const auto files = list_data_files(dir);
  AFINAR_CHECK_FORMAT(!files.empty(), dir.string(),
                      ": no data files (.jsonl, .json, .csv, .tsv, .parquet, .arrow, .txt) in this folder");
  if (auto s = sharded(dir, files); !s.empty()) return s;
  if (auto s = by_keyword(dir, files, true); !s.empty()) return s;
  if (auto s = by_keyword(dir, files, false); !s.empty()) return s;
  std::vector<fs::path> all;
  for (const auto& f : files) all.push_back(dir / f);
  return {{"train", all}};
}

std::string infer_builder(const SplitFiles& splits) {
  std::map<std::string, int> count;  // sorted: ties fall to the alphabetical first
  for (const auto& [split, files] : splits)
    for (const auto& f : files) ++count[builder_for_extension(f)];
  std::string best;
  int best_n = -1;
  for (const auto& [b, n] : count) {
    if (n > best_n || (n == best_n && b == "parquet" && best != "parquet")) best = b, best_n = n;
  }
  return best;
}

}  // namespace afinar::data
