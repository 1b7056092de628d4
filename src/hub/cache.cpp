#include "afinar/hub/cache.h"

#include "afinar/hub/api.h"

#include <algorithm>
#include <cctype>
#include <fnmatch.h>

#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/hub/http.h"
#include "afinar/hub/sha256.h"

namespace afinar::hub {
namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

bool looks_like_repo_id(const std::string& s) {
  // owner/name or name; no path syntax.
  if (s.empty() || s.front() == '/' || s.front() == '.' || s.find("..") != std::string::npos) return false;
  return std::count(s.begin(), s.end(), '/') <= 1;
}

// A file name from the Hub must stay inside the snapshot folder.
void check_relative_name(const std::string& repo_id, const std::string& name) {
  fs::path p(name);
  bool ok = !name.empty() && p.is_relative();
  for (const auto& part : p) ok = ok && part != ".." && part != ".";
  AFINAR_CHECK_FORMAT(ok, repo_id, ": the Hub listed a file name that would escape the cache: '", name, "'");
}

/// The etag the Hub gives a file: x-linked-etag (an LFS file's SHA-256, sent before the redirect
/// to the storage) else etag; quotes and a weak "W/" prefix removed.
std::string file_etag(const std::map<std::string, std::string>& headers) {
  auto it = headers.find("x-linked-etag");
  if (it == headers.end()) it = headers.find("etag");
  if (it == headers.end()) return "";
  std::string e = it->second;
  if (e.rfind("W/", 0) == 0) e = e.substr(2);
  std::erase(e, '"');
  return e;
}

bool is_sha256_hex(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

/// Downloads one file into blobs/<etag> with `dest` a relative symlink to it, as huggingface_hub.
/// A SHA-256 etag is checked against the bytes; a mismatch (a corrupted transfer) fetches the
/// file again once, then fails.
void download_file(const std::string& url, const fs::path& dest, const fs::path& blobs) {
  for (int attempt = 0;; ++attempt) {
    DownloadResult r = http_download_resumable(url, dest);
    AFINAR_CHECK_FORMAT(r.status >= 200 && r.status < 300, url, ": HTTP ", r.status);
    const std::string etag = file_etag(r.headers);
    const std::string got = sha256_file(dest);
    if (is_sha256_hex(etag) && got != etag) {
      fs::remove(dest);
      AFINAR_CHECK_FORMAT(attempt == 0, url, ": SHA-256 mismatch after a second download: expected ", etag, ", got ",
                          got, "; HINT: check the network or the endpoint (", endpoint(), ")");
      continue;
    }
    const fs::path blob = blobs / (etag.empty() ? got : etag);
    if (fs::exists(blob)) fs::remove(dest);
    else fs::rename(dest, blob);
    fs::create_symlink(fs::relative(blob, dest.parent_path()), dest);
    return;
  }
}

bool allowed(const std::string& name, const std::vector<std::string>& patterns) {
  if (patterns.empty()) return true;
  for (const auto& p : patterns)
    if (::fnmatch(p.c_str(), name.c_str(), 0) == 0) return true;
  return false;
}

fs::path download_snapshot(const std::string& repo_id, RepoType type, const std::string& revision,
                           const std::vector<std::string>& allow_patterns = {}) {
  const std::string kind = type == RepoType::Model ? "models" : "datasets";
  const std::string api = endpoint() + "/api/" + kind + "/" + repo_id + "/revision/" + revision;
  HttpResponse r = http_get(api);
  AFINAR_CHECK(r.status != 404 && r.status != 401, repo_id, ": no such ", kind == "models" ? "model" : "dataset",
               " on ", endpoint(), " (HTTP ", r.status, "); a local folder path also works here");
  AFINAR_CHECK_FORMAT(r.status == 200, api, ": HTTP ", r.status);
  nlohmann::json info;
  try {
    info = nlohmann::json::parse(r.body);
  } catch (const std::exception& e) {
    throw FormatError(detail::concat(api, ": malformed JSON: ", e.what()));
  }
  AFINAR_CHECK_FORMAT(info.contains("sha") && info["sha"].is_string(), api, ": no 'sha' in the answer");
  const std::string sha = info["sha"];
  AFINAR_CHECK_FORMAT(!sha.empty() && std::all_of(sha.begin(), sha.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); }),
                      api, ": malformed revision sha '", sha, "'");
  fs::path folder = hub_cache_dir() / repo_folder_name(repo_id, type);
  fs::path snap = folder / "snapshots" / sha;
  fs::create_directories(folder / "blobs");
  const std::string prefix = type == RepoType::Model ? "" : "datasets/";
  for (const auto& s : info.value("siblings", nlohmann::json::array())) {
    const std::string name = s.value("rfilename", "");
    check_relative_name(repo_id, name);
    if (!allowed(name, allow_patterns)) continue;
    fs::path dest = snap / name;
    if (fs::exists(dest)) continue;  // follows the link: a dangling one is fetched again
    fs::create_directories(dest.parent_path());
    std::error_code ec;
    fs::remove(dest, ec);
    download_file(endpoint() + "/" + prefix + repo_id + "/resolve/" + sha + "/" + name, dest, folder / "blobs");
  }
  fs::create_directories(folder / "refs");
  if (revision != sha) write_file_atomic(folder / "refs" / revision, sha);
  fs::create_directories(snap);
  return snap;
}

}  // namespace

fs::path hub_cache_dir() {
  if (const char* c = std::getenv("HF_HUB_CACHE"); c && *c) return c;
  std::string home = env_or("HF_HOME", env_or("HOME", ".") + "/.cache/huggingface");
  return fs::path(home) / "hub";
}

bool offline() {
  std::string v = env_or("HF_HUB_OFFLINE", "");
  return v == "1" || v == "ON" || v == "YES" || v == "true" || v == "TRUE";
}

std::string endpoint() {
  std::string e = env_or("HF_ENDPOINT", "https://huggingface.co");
  while (!e.empty() && e.back() == '/') e.pop_back();
  return e;
}

std::string repo_folder_name(const std::string& repo_id, RepoType type) {
  std::string name = type == RepoType::Model ? "models--" : "datasets--";
  for (char c : repo_id) name += c == '/' ? std::string("--") : std::string(1, c);
  return name;
}

std::optional<fs::path> cached_snapshot(const std::string& repo_id, RepoType type, const std::string& revision) {
  fs::path folder = hub_cache_dir() / repo_folder_name(repo_id, type);
  std::string sha = revision;
  fs::path ref = folder / "refs" / revision;
  if (fs::is_regular_file(ref)) {
    sha = read_file(ref);
    while (!sha.empty() && std::isspace(static_cast<unsigned char>(sha.back()))) sha.pop_back();
  }
  fs::path snap = folder / "snapshots" / sha;
  if (fs::is_directory(snap)) return snap;
  return std::nullopt;
}

fs::path resolve_repo(const std::string& name_or_path, RepoType type, const std::string& revision) {
  if (fs::is_directory(name_or_path)) return fs::path(name_or_path);
  const char* what = type == RepoType::Model ? "model" : "dataset";
  AFINAR_CHECK(looks_like_repo_id(name_or_path), name_or_path, ": no such folder, and not a Hub ", what,
               " id (owner/name)");
  if (auto snap = cached_snapshot(name_or_path, type, revision)) return *snap;
  AFINAR_CHECK(!offline(), name_or_path, ": not a local folder and not in the Hugging Face cache (",
               (hub_cache_dir() / repo_folder_name(name_or_path, type)).string(),
               "), and HF_HUB_OFFLINE is set. HINT: run tools/setup.sh to seed the cache, or unset HF_HUB_OFFLINE");
  return download_snapshot(name_or_path, type, revision);
}

fs::path snapshot_download(const std::string& repo_id, RepoType type, const std::string& revision,
                           const std::vector<std::string>& allow_patterns) {
  const char* what = type == RepoType::Model ? "model" : "dataset";
  AFINAR_CHECK(looks_like_repo_id(repo_id), repo_id, ": not a Hub ", what, " id (owner/name)");
  if (offline()) {
    auto snap = cached_snapshot(repo_id, type, revision);
    AFINAR_CHECK(snap.has_value(), repo_id, ": HF_HUB_OFFLINE is set and the ", what, " is not in the cache (",
                 (hub_cache_dir() / repo_folder_name(repo_id, type)).string(), ")");
    return *snap;
  }
  return download_snapshot(repo_id, type, revision, allow_patterns);
}

}  // namespace afinar::hub
