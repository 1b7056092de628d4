// The Hub's write API (repo creation, NDJSON commits, folder upload) as huggingface_hub's
// HfApi.create_repo / create_commit / upload_folder send it.
#include "afinar/hub/api.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/hub/http.h"
#include "afinar/hub/sha256.h"

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

namespace {

const std::vector<std::string> kLfsHeaders = {"Accept: application/vnd.git-lfs+json"};
constexpr const char* kLfsType = "application/vnd.git-lfs+json";

nlohmann::json parse_answer(const HttpResponse& r, const std::string& url) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  AFINAR_CHECK_FORMAT(j.is_object(), url, ": malformed answer: ", r.body.substr(0, 200));
  return j;
}

/// How the Hub wants each file: POST .../preupload/<rev> with the path, size and the first 512
/// bytes (base64), 256 files per request, as huggingface_hub's _fetch_upload_modes.
struct UploadMode {
  bool lfs = false;
  bool ignore = false;
  std::string oid;  ///< the content's sha256, for LFS files
};
std::vector<UploadMode> fetch_upload_modes(const std::string& repo_id, RepoType type,
                                           const std::vector<CommitOperationAdd>& additions,
                                           const std::string& revision, const std::string& token) {
  const std::string url = endpoint() + "/api/" + type_path(type) + "/" + repo_id + "/preupload/" + quote(revision);
  std::vector<UploadMode> modes(additions.size());
  for (size_t start = 0; start < additions.size(); start += 256) {
    const size_t end = std::min(additions.size(), start + 256);
    nlohmann::json files = nlohmann::json::array();
    for (size_t i = start; i < end; ++i)
      files.push_back({{"path", additions[i].path_in_repo},
                       {"sample", base64_encode(std::string_view(additions[i].content).substr(0, 512))},
                       {"size", additions[i].content.size()}});
    HttpResponse r = http_request("POST", url, nlohmann::json({{"files", files}}).dump(), "application/json", token);
    check_auth(r, "preupload(" + repo_id + ")");
    AFINAR_CHECK_FORMAT(r.status == 200, "preupload(", repo_id, "@", revision, "): HTTP ", r.status, ": ",
                        server_message(r));
    const auto j = parse_answer(r, url);
    AFINAR_CHECK_FORMAT(j.contains("files") && j["files"].is_array(), url, ": answer without a files list");
    for (const auto& f : j["files"]) {
      AFINAR_CHECK_FORMAT(f.is_object() && f.contains("path") && f["path"].is_string() && f.contains("uploadMode"), url,
                          ": malformed file entry ", f.dump().substr(0, 200));
      const std::string path = f["path"], mode = f.value("uploadMode", "");
      AFINAR_CHECK_FORMAT(mode == "lfs" || mode == "regular", url, ": uploadMode '", mode, "' for ", path);
      for (size_t i = start; i < end; ++i)
        if (additions[i].path_in_repo == path) {
          modes[i].lfs = mode == "lfs";
          modes[i].ignore = f.value("shouldIgnore", false);
        }
    }
  }
  return modes;
}

/// One LFS object to the storage the batch answer names: one PUT (basic), or `chunk_size` parts
/// to the numbered URLs of the header then the completion POST (multipart); then the verify
/// POST when asked. Storage URLs get no Hub token (they are presigned), as huggingface_hub.
void lfs_upload(const std::string& path, const std::string& content, const std::string& oid,
                const nlohmann::json& actions, const std::string& token) {
  const auto& upload = actions.at("upload");
  AFINAR_CHECK_FORMAT(upload.is_object() && upload.contains("href") && upload["href"].is_string(),
                      "LFS batch: malformed upload action for ", path);
  const std::string href = upload["href"];
  const nlohmann::json header = upload.value("header", nlohmann::json::object());
  if (header.contains("chunk_size")) {
    const auto& cs = header["chunk_size"];
    size_t chunk = 0;
    if (cs.is_number_unsigned() || cs.is_number_integer())
      chunk = cs.get<size_t>();
    else if (cs.is_string())
      chunk = size_t(std::stoull(cs.get<std::string>()));
    AFINAR_CHECK_FORMAT(chunk > 0, "LFS batch: chunk_size must be a positive integer for ", path);
    std::vector<std::pair<int, std::string>> parts;
    for (const auto& [k, v] : header.items())
      if (!k.empty() && std::all_of(k.begin(), k.end(), [](unsigned char ch) { return std::isdigit(ch) != 0; }) &&
          v.is_string())
        parts.emplace_back(std::stoi(k), v);
    std::sort(parts.begin(), parts.end());
    const size_t expected = (content.size() + chunk - 1) / chunk;
    AFINAR_CHECK_FORMAT(parts.size() == expected, "LFS batch: ", parts.size(), " part URLs for ", path, " (",
                        content.size(), " bytes in chunks of ", chunk, " need ", expected, ")");
    nlohmann::json done = nlohmann::json::array();
    for (size_t i = 0; i < parts.size(); ++i) {
      HttpResponse r = http_request("PUT", parts[i].second, content.substr(i * chunk, chunk),
                                    "application/octet-stream", "", {}, /*authorize=*/false);
      AFINAR_CHECK_FORMAT(r.status / 100 == 2, "LFS upload of ", path, " part ", i + 1, ": HTTP ", r.status, ": ",
                          server_message(r));
      AFINAR_CHECK_FORMAT(r.headers.count("etag"), "LFS upload of ", path, " part ", i + 1, ": no ETag in the answer");
      done.push_back({{"partNumber", i + 1}, {"etag", r.headers["etag"]}});
    }
    HttpResponse r = http_request("POST", href, nlohmann::json({{"oid", oid}, {"parts", done}}).dump(), kLfsType, "",
                                  kLfsHeaders, /*authorize=*/false);
    AFINAR_CHECK_FORMAT(r.status / 100 == 2, "LFS upload of ", path, ": completing ", parts.size(), " parts: HTTP ",
                        r.status, ": ", server_message(r));
  } else {
    HttpResponse r = http_request("PUT", href, content, "application/octet-stream", "", {}, /*authorize=*/false);
    AFINAR_CHECK_FORMAT(r.status / 100 == 2, "LFS upload of ", path, ": HTTP ", r.status, ": ", server_message(r));
  }
  if (actions.contains("verify")) {
    const auto& verify = actions["verify"];
    AFINAR_CHECK_FORMAT(verify.is_object() && verify.contains("href") && verify["href"].is_string(),
                        "LFS batch: malformed verify action for ", path);
    HttpResponse r =
        http_request("POST", verify["href"].get<std::string>(),
                     nlohmann::json({{"oid", oid}, {"size", content.size()}}).dump(), kLfsType, token, kLfsHeaders);
    check_auth(r, "LFS verify of " + path);
    AFINAR_CHECK_FORMAT(r.status / 100 == 2, "LFS verify of ", path, ": HTTP ", r.status, ": ", server_message(r));
  }
}

/// The LFS batch API (POST <repo>.git/info/lfs/objects/batch, operation "upload", transfers
/// basic and multipart, sha256 oids) for the files preupload marked lfs; objects the Hub already
/// holds come back without actions and are not sent again.
void upload_lfs_files(const std::string& repo_id, RepoType type, const std::vector<const CommitOperationAdd*>& files,
                      const std::vector<std::string>& oids, const std::string& revision, const std::string& token) {
  const std::string url =
      endpoint() + "/" + (type == RepoType::Dataset ? "datasets/" : "") + repo_id + ".git/info/lfs/objects/batch";
  for (size_t start = 0; start < files.size(); start += 256) {
    const size_t end = std::min(files.size(), start + 256);
    nlohmann::json objects = nlohmann::json::array();
    for (size_t i = start; i < end; ++i) objects.push_back({{"oid", oids[i]}, {"size", files[i]->content.size()}});
    const nlohmann::json payload = {{"operation", "upload"},
                                    {"transfers", {"basic", "multipart"}},
                                    {"objects", objects},
                                    {"hash_algo", "sha256"},
                                    {"ref", {{"name", revision}}}};
    HttpResponse r = http_request("POST", url, payload.dump(), kLfsType, token, kLfsHeaders);
    check_auth(r, "LFS batch(" + repo_id + ")");
    AFINAR_CHECK_FORMAT(r.status == 200, "LFS batch(", repo_id, "): HTTP ", r.status, ": ", server_message(r));
    const auto j = parse_answer(r, url);
    AFINAR_CHECK_FORMAT(j.contains("objects") && j["objects"].is_array(), url, ": answer without objects");
    for (const auto& o : j["objects"]) {
      AFINAR_CHECK_FORMAT(o.is_object() && o.contains("oid") && o["oid"].is_string(), url, ": malformed object");
      size_t i = start;
      while (i < end && oids[i] != o["oid"].get<std::string>()) ++i;
      AFINAR_CHECK_FORMAT(i < end, url, ": answer names an object not asked for: ", o["oid"].get<std::string>());
      if (o.contains("error")) {
        const auto& e = o["error"];
        throw FormatError(detail::concat("LFS batch refused ", files[i]->path_in_repo, ": ",
                                         e.is_object() ? e.value("message", e.dump()) : e.dump(), " (code ",
                                         e.is_object() ? e.value("code", 0) : 0, ")"));
      }
      if (o.contains("actions") && o["actions"].is_object() && o["actions"].contains("upload"))
        lfs_upload(files[i]->path_in_repo, files[i]->content, oids[i], o["actions"], token);
    }
  }
}

}  // namespace

CommitInfo create_commit(const std::string& repo_id, RepoType type, const std::vector<CommitOperationAdd>& additions,
                         const std::vector<std::string>& deletions, const std::string& commit_message,
                         const std::string& revision, const std::string& token) {
  AFINAR_CHECK(!commit_message.empty(), "create_commit: `commit_message` can't be empty, please pass a value.");
  // As huggingface_hub's create_commit: preupload decides regular (inline base64) or LFS per file;
  // LFS files go to storage first and the commit names them by sha256.
  std::vector<UploadMode> modes =
      additions.empty() ? std::vector<UploadMode>{} : fetch_upload_modes(repo_id, type, additions, revision, token);
  std::vector<const CommitOperationAdd*> lfs_files;
  std::vector<std::string> lfs_oids;
  for (size_t i = 0; i < additions.size(); ++i)
    if (modes[i].lfs && !modes[i].ignore) {
      modes[i].oid = sha256_hex(additions[i].content);
      lfs_files.push_back(&additions[i]);
      lfs_oids.push_back(modes[i].oid);
    }
  if (!lfs_files.empty()) upload_lfs_files(repo_id, type, lfs_files, lfs_oids, revision, token);

  // NDJSON, as huggingface_hub's _prepare_commit_payload: header, then files, then deletions.
  std::string body =
      nlohmann::json({{"key", "header"}, {"value", {{"summary", commit_message}, {"description", ""}}}}).dump() + "\n";
  for (size_t i = 0; i < additions.size(); ++i) {
    const auto& a = additions[i];
    if (modes[i].ignore) continue;  // the repo's .gitignore names it: huggingface_hub skips it too
    if (modes[i].lfs) {
      body += nlohmann::json(
                  {{"key", "lfsFile"},
                   {"value",
                    {{"path", a.path_in_repo}, {"algo", "sha256"}, {"oid", modes[i].oid}, {"size", a.content.size()}}}})
                  .dump() +
              "\n";
    } else {
      body +=
          nlohmann::json(
              {{"key", "file"},
               {"value", {{"content", base64_encode(a.content)}, {"path", a.path_in_repo}, {"encoding", "base64"}}}})
              .dump() +
          "\n";
    }
  }
  for (const auto& d : deletions)
    body += nlohmann::json({{"key", "deletedFile"}, {"value", {{"path", d}}}}).dump() + "\n";
  const std::string url = endpoint() + "/api/" + type_path(type) + "/" + repo_id + "/commit/" + quote(revision);
  HttpResponse r = http_request("POST", url, body, "application/x-ndjson", token);
  check_auth(r, "create_commit(" + repo_id + ")");
  AFINAR_CHECK_FORMAT(r.status == 200 || r.status == 201, "create_commit(", repo_id, "@", revision, "): HTTP ",
                      r.status, ": ", server_message(r));
  const auto j = parse_answer(r, url);
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
