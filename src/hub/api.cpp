// The Hub's write API (repo creation, NDJSON commits, folder upload) as huggingface_hub's
// HfApi.create_repo / create_commit / upload_folder send it.
#include "afinar/hub/api.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/hub/http.h"

namespace afinar::hub {
namespace {

const char* type_path(RepoType type) {
  return type == RepoType::Model ? "models" : "datasets";
}

/// Percent-encodes a revision for a URL path segment ("refs/pr/1" → "refs%2Fpr%2F1"), as quote(safe="").
std::string quote(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += char(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

/// The server's message in an error answer ({"error": "..."}), else the body.
std::string server_message(const HttpResponse& r) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_string()) return j["error"].get<std::string>();
  return r.body.substr(0, 200);
}

void check_auth(const HttpResponse& r, const std::string& what) {
  AFINAR_CHECK(r.status != 401 && r.status != 403, what, ": HTTP ", r.status, " (", server_message(r),
               "); HINT: pass a token with write access or set HF_TOKEN");
}

}  // namespace

std::string base64_encode(std::string_view data) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const uint32_t v = uint32_t(uint8_t(data[i])) << 16 | uint32_t(uint8_t(data[i + 1])) << 8 | uint8_t(data[i + 2]);
    out += t[v >> 18], out += t[(v >> 12) & 63], out += t[(v >> 6) & 63], out += t[v & 63];
  }
  if (i < data.size()) {
    uint32_t v = uint32_t(uint8_t(data[i])) << 16;
    if (i + 1 < data.size()) v |= uint32_t(uint8_t(data[i + 1])) << 8;
    out += t[v >> 18], out += t[(v >> 12) & 63];
    out += i + 1 < data.size() ? t[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string create_repo(const std::string& repo_id, RepoType type, bool private_repo, const std::string& token,
                        bool exist_ok) {
  const auto slash = repo_id.find('/');
  nlohmann::ordered_json body = {{"name", slash == std::string::npos ? repo_id : repo_id.substr(slash + 1)}};
  if (slash != std::string::npos) body["organization"] = repo_id.substr(0, slash);
  body["private"] = private_repo;
  if (type == RepoType::Dataset) body["type"] = "dataset";
  const std::string url = endpoint() + "/api/repos/create";
  HttpResponse r = http_request("POST", url, body.dump(), "application/json", token);
  check_auth(r, "create_repo(" + repo_id + ")");
  if (r.status == 409 && exist_ok) return endpoint() + "/" + (type == RepoType::Dataset ? "datasets/" : "") + repo_id;
  AFINAR_CHECK_FORMAT(r.status == 200 || r.status == 201, "create_repo(", repo_id, "): HTTP ", r.status, ": ",
                      server_message(r));
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  return j.is_object() && j.contains("url") ? j["url"].get<std::string>() : endpoint() + "/" + repo_id;
}

void create_branch(const std::string& repo_id, RepoType type, const std::string& branch, const std::string& token) {
  const std::string url = endpoint() + "/api/" + type_path(type) + "/" + repo_id + "/branch/" + quote(branch);
  HttpResponse r = http_request("POST", url, "{}", "application/json", token);
  check_auth(r, "create_branch(" + repo_id + ", " + branch + ")");
  AFINAR_CHECK_FORMAT(r.status == 200 || r.status == 409, "create_branch(", repo_id, ", ", branch, "): HTTP ", r.status,
                      ": ", server_message(r));
}

CommitInfo create_commit(const std::string& repo_id, RepoType type, const std::vector<CommitOperationAdd>& additions,
                         const std::vector<std::string>& deletions, const std::string& commit_message,
                         const std::string& revision, const std::string& token) {
  AFINAR_CHECK(!commit_message.empty(), "create_commit: `commit_message` can't be empty, please pass a value.");
  size_t total = 0;
  for (const auto& a : additions) total += a.content.size();
  AFINAR_CHECK(total <= (size_t(50) << 20), "create_commit(", repo_id, "): not implemented: ", total,
               " bytes inline; commits above 50 MB need the Hub's LFS upload");
  // NDJSON, as huggingface_hub's _prepare_commit_payload: header, then files, then deletions.
  std::string body =
      nlohmann::json({{"key", "header"}, {"value", {{"summary", commit_message}, {"description", ""}}}}).dump() + "\n";
  for (const auto& a : additions)
    body += nlohmann::json(
                {{"key", "file"},
                 {"value", {{"content", base64_encode(a.content)}, {"path", a.path_in_repo}, {"encoding", "base64"}}}})
                .dump() +
            "\n";
  for (const auto& d : deletions)
    body += nlohmann::json({{"key", "deletedFile"}, {"value", {{"path", d}}}}).dump() + "\n";
  const std::string url = endpoint() + "/api/" + type_path(type) + "/" + repo_id + "/commit/" + quote(revision);
  HttpResponse r = http_request("POST", url, body, "application/x-ndjson", token);
  check_auth(r, "create_commit(" + repo_id + ")");
  AFINAR_CHECK_FORMAT(r.status == 200 || r.status == 201, "create_commit(", repo_id, "@", revision, "): HTTP ",
                      r.status, ": ", server_message(r));
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  AFINAR_CHECK_FORMAT(j.is_object(), url, ": malformed answer: ", r.body.substr(0, 200));
  return {j.value("commitUrl", ""), j.value("commitOid", "")};
}

CommitInfo upload_folder(const std::string& repo_id, RepoType type, const fs::path& path,
                         const std::string& path_in_repo, const std::string& commit_message,
                         const std::string& revision, const std::string& token) {
  std::error_code ec;
  AFINAR_CHECK(fs::exists(path, ec), "upload: ", path.string(), ": no such file or folder");
  std::string prefix = path_in_repo;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  if (!prefix.empty()) prefix += "/";
  std::vector<CommitOperationAdd> adds;
  if (fs::is_regular_file(path)) {
    adds.push_back({path_in_repo.empty() ? path.filename().string() : path_in_repo, read_file(path)});
  } else {
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(path); it != fs::recursive_directory_iterator(); ++it) {
      const std::string rel = fs::relative(it->path(), path).generic_string();
      if (rel == ".git" || rel == ".cache") {
        it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file()) files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) adds.push_back({prefix + fs::relative(f, path).generic_string(), read_file(f)});
  }
  AFINAR_CHECK(!adds.empty(), "upload: ", path.string(), " holds no files");
  const std::string msg = commit_message.empty()
                              ? (fs::is_regular_file(path) ? "Upload " + adds[0].path_in_repo + " with afinar"
                                                           : std::string("Upload folder using afinar"))
                              : commit_message;
  return create_commit(repo_id, type, adds, {}, msg, revision, token);
}

std::vector<std::string> list_repo_files(const std::string& repo_id, RepoType type, const std::string& revision,
                                         const std::string& token) {
  (void)token;  // http_get sends $HF_TOKEN
  const std::string url = endpoint() + "/api/" + type_path(type) + "/" + repo_id + "/revision/" + quote(revision);
  HttpResponse r = http_get(url);
  if (r.status == 404) return {};
  check_auth(r, "list_repo_files(" + repo_id + ")");
  AFINAR_CHECK_FORMAT(r.status == 200, url, ": HTTP ", r.status);
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  AFINAR_CHECK_FORMAT(j.is_object(), url, ": malformed JSON");
  std::vector<std::string> out;
  for (const auto& s : j.value("siblings", nlohmann::json::array())) out.push_back(s.value("rfilename", ""));
  return out;
}

}  // namespace afinar::hub
