// A loopback Hugging Face Hub for tests: an HTTP/1.1 server on 127.0.0.1 (ephemeral port) that
// serves a folder of repos, <root>/{models,datasets}/<repo_id>/<files>, through the endpoints
// afinar's Hub client uses:
//   GET  /api/{models|datasets}/<id>/revision/<rev>  → {"sha": ..., "siblings": [{"rfilename"}]}
//   GET  /{datasets/}<id>/resolve/<sha>/<file>       → the bytes, with ETag/X-Linked-Etag = SHA-256,
//                                                      Range: bytes=N- answered with 206
//   POST /api/repos/create {"name","organization","type","private"} → {"url"}, 409 if it exists
//   POST /api/{models|datasets}/<id>/branch/<b>       → 200 (branches are not modelled: one tree)
//   POST /api/{models|datasets}/<id>/preupload/<rev> {"files": [{path, sample, size}]} → uploadMode
//        "lfs" for files above the LFS threshold (10 MiB) or whose sample holds a NUL byte, else
//        "regular" (the Hub's rule of thumb; its .gitattributes patterns are not modelled)
//   POST /{datasets/}<id>.git/info/lfs/objects/batch  → per object: no actions when stored, else
//        upload (basic PUT, or multipart: chunk_size + numbered part URLs above the multipart
//        threshold) and verify actions pointing at /lfs-storage/<oid> and /lfs-verify/<oid>
//   PUT  /lfs-storage/<oid>[/part/<n>]                → stored (checked against the sha256 oid);
//        POST /lfs-storage/<oid> {"oid","parts"} completes a multipart upload. Presigned in the
//        real Hub, so these need no token.
//   POST /api/{models|datasets}/<id>/commit/<rev>     NDJSON header/file(base64)/lfsFile/deletedFile
//        lines → {"commitUrl","commitOid"}; validated and staged whole, then applied, so a rejected
//        or failed commit changes nothing; each commit gives the repo a new sha.
// It counts requests, can cut or corrupt the first download of a file (to test resume and
// verification), fail the next commit, and require a token. Started by the constructor, stopped
// by the destructor.
#pragma once
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "afinar/hub/sha256.h"

namespace afinar::test {

class HubEmulator {
 public:
  explicit HubEmulator(std::filesystem::path root) : root_(std::move(root)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("HubEmulator: socket() failed");
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;  // ephemeral
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 16) != 0)
      throw std::runtime_error("HubEmulator: cannot listen on 127.0.0.1");
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~HubEmulator() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    if (thread_.joinable()) thread_.join();
  }
  HubEmulator(const HubEmulator&) = delete;
  HubEmulator& operator=(const HubEmulator&) = delete;

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_; }
  /// Paths of the requests, with " range=N" for range requests and " auth=..." when sent.
  std::vector<std::string> log() const {
    std::lock_guard<std::mutex> lock(mu_);
    return log_;
  }
  /// The first GET of `file` sends only `bytes` of the body, then closes the connection.
  void cut_first_download(const std::string& file, size_t bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    cut_[file] = bytes;
  }
  /// The first GET of `file` sends altered bytes (the etag still names the right content).
  void corrupt_first_download(const std::string& file) {
    std::lock_guard<std::mutex> lock(mu_);
    corrupt_.insert(file);
  }
  /// Lists `name` among the siblings of every repo (to test names that would escape the cache).
  void add_listed_name(const std::string& name) {
    std::lock_guard<std::mutex> lock(mu_);
    extra_.push_back(name);
  }
  /// The commit sha the emulator gives a repo before any commit.
  static std::string sha_of(const std::string& repo_id) { return hub::sha256_hex(repo_id).substr(0, 40); }
  /// The next commit is staged, then answered with `status` and not applied.
  void fail_next_commit(int status) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_commit_ = status;
  }
  /// Requests without `Authorization: Bearer <token>` get 401.
  void require_token(const std::string& token) {
    std::lock_guard<std::mutex> lock(mu_);
    token_ = token;
  }
  /// The NDJSON bodies of the commits received, in order.
  std::vector<std::string> commit_bodies() const {
    std::lock_guard<std::mutex> lock(mu_);
    return commits_;
  }
  /// Files above `bytes` go through LFS (preupload's answer); multipart above `multipart_bytes`
  /// in parts of `chunk` bytes.
  void set_lfs(size_t bytes, size_t multipart_bytes, size_t chunk) {
    std::lock_guard<std::mutex> lock(mu_);
    lfs_threshold_ = bytes, multipart_threshold_ = multipart_bytes, chunk_ = chunk;
  }
  /// The next LFS batch answers every object with an error.
  void refuse_next_lfs_batch() {
    std::lock_guard<std::mutex> lock(mu_);
    refuse_batch_ = true;
  }
  /// LFS objects stored (sha256 → size).
  std::map<std::string, size_t> lfs_objects() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::map<std::string, size_t> out;
    for (const auto& [oid, bytes] : lfs_) out[oid] = bytes.size();
    return out;
  }
  /// The JSON bodies of the repo creations received.
  std::vector<nlohmann::json> created() const {
    std::lock_guard<std::mutex> lock(mu_);
    return created_;
  }

 private:
  void serve() {
    while (!stop_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) {
        if (stop_) return;
        continue;
      }
      handle(c);
      ::close(c);
    }
  }

  static void send_all(int c, const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
      ssize_t n = ::send(c, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return;
      off += size_t(n);
    }
  }

  static void respond(int c, int status, const std::string& reason, const std::string& body,
                      const std::map<std::string, std::string>& headers = {}, size_t send_bytes = std::string::npos) {
    std::ostringstream os;
    os << "HTTP/1.1 " << status << " " << reason << "\r\nContent-Length: " << body.size() << "\r\nConnection: close\r\n";
    for (const auto& [k, v] : headers) os << k << ": " << v << "\r\n";
    os << "\r\n";
    send_all(c, os.str() + body.substr(0, std::min(send_bytes, body.size())));
  }

  void handle(int c) {
    std::string req;
    char buf[4096];
    while (req.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) return;
      req.append(buf, size_t(n));
    }
    ++requests_;
    const size_t header_end = req.find("\r\n\r\n") + 4;
    std::istringstream in(req.substr(0, header_end));
    std::string method, path, line;
    in >> method >> path;
    std::getline(in, line);
    long long range_from = -1;
    size_t content_length = 0;
    std::string auth;
    while (std::getline(in, line) && line != "\r") {
      std::string lower = line;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return char(std::tolower(ch)); });
      if (lower.rfind("range: bytes=", 0) == 0) range_from = std::stoll(line.substr(13));
      if (lower.rfind("authorization: ", 0) == 0) auth = line.substr(15, line.size() - 16);
      if (lower.rfind("content-length: ", 0) == 0) content_length = std::stoull(line.substr(16));
    }
    std::string req_body = req.substr(header_end);
    while (req_body.size() < content_length) {
      ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) return;
      req_body.append(buf, size_t(n));
    }
    std::string token;
    {
      std::lock_guard<std::mutex> lock(mu_);
      log_.push_back((method == "GET" ? "" : method + " ") + path +
                     (range_from >= 0 ? " range=" + std::to_string(range_from) : "") + (auth.empty() ? "" : " auth=" + auth));
      token = token_;
    }
    const bool storage = path.rfind("/lfs-storage/", 0) == 0;  // presigned in the real Hub
    if (!storage && !token.empty() && auth != "Bearer " + token)
      return respond(c, 401, "Unauthorized", R"({"error":"Invalid credentials"})");
    if (method == "PUT" && storage) return put_storage(c, path.substr(13), req_body);
    if (method == "POST") return post(c, path, req_body);
    if (method != "GET") return respond(c, 405, "Method Not Allowed", "");
    if (path.rfind("/api/", 0) == 0) return api(c, path);
    const auto r = path.find("/resolve/");
    if (r == std::string::npos) return respond(c, 404, "Not Found", "");
    std::string id = path.substr(1, r - 1), kind = "models";
    if (id.rfind("datasets/", 0) == 0) kind = "datasets", id = id.substr(9);
    const std::string rest = path.substr(r + 9);  // <sha>/<file>
    const std::string file = rest.substr(rest.find('/') + 1);
    const auto p = root_ / kind / id / file;
    if (file.find("..") != std::string::npos || !std::filesystem::is_regular_file(p))
      return respond(c, 404, "Not Found", "Entry not found");
    std::ifstream f(p, std::ios::binary);
    std::string body((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    const std::string etag = "\"" + hub::sha256_hex(body) + "\"";
    std::map<std::string, std::string> h = {{"ETag", etag}, {"X-Linked-Etag", etag}, {"Accept-Ranges", "bytes"}};
    size_t cut = std::string::npos;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (auto it = cut_.find(file); it != cut_.end()) cut = it->second, cut_.erase(it);
      if (corrupt_.erase(file) && !body.empty()) body[body.size() / 2] ^= 0x20;
    }
    if (range_from > 0) {
      if (size_t(range_from) >= body.size()) return respond(c, 416, "Range Not Satisfiable", "");
      h["Content-Range"] = "bytes " + std::to_string(range_from) + "-" + std::to_string(body.size() - 1) + "/" +
                           std::to_string(body.size());
      return respond(c, 206, "Partial Content", body.substr(size_t(range_from)), h, cut);
    }
    respond(c, 200, "OK", body, h, cut);
  }

  void api(int c, const std::string& path) {
    // /api/<kind>/<id>/revision/<rev>
    const std::string rest = path.substr(5);
    const auto slash = rest.find('/');
    const auto rev = rest.find("/revision/");
    if (slash == std::string::npos || rev == std::string::npos) return respond(c, 404, "Not Found", "");
    const std::string kind = rest.substr(0, slash), id = rest.substr(slash + 1, rev - slash - 1);
    const auto dir = root_ / kind / id;
    if (!std::filesystem::is_directory(dir)) return respond(c, 404, "Not Found", R"({"error":"Repository not found"})");
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
      if (e.is_regular_file()) names.push_back(std::filesystem::relative(e.path(), dir).generic_string());
    std::sort(names.begin(), names.end());
    {
      std::lock_guard<std::mutex> lock(mu_);
      names.insert(names.end(), extra_.begin(), extra_.end());
    }
    nlohmann::json j = {{"id", id}, {"sha", current_sha(id)}, {"siblings", nlohmann::json::array()}};
    for (const auto& n : names) j["siblings"].push_back({{"rfilename", n}});
    respond(c, 200, "OK", j.dump(), {{"Content-Type", "application/json"}});
  }

  std::string current_sha(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    const int n = commit_count_[id];
    return n == 0 ? sha_of(id) : hub::sha256_hex(id + "@" + std::to_string(n)).substr(0, 40);
  }

  static std::string base64_decode(const std::string& in, bool& ok) {
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    ok = in.size() % 4 == 0;
    for (char ch : in) {
      if (ch == '=') break;
      const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
      const char* p = std::strchr(t, ch);
      if (p == nullptr || ch == 0) return ok = false, "";
      acc = acc << 6 | uint32_t(p - t);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out += char((acc >> bits) & 0xFF);
      }
    }
    return out;
  }

  /// PUT /lfs-storage/<oid> (whole object) or /lfs-storage/<oid>/part/<n>.
  void put_storage(int c, const std::string& rest, const std::string& body) {
    const auto part = rest.find("/part/");
    std::lock_guard<std::mutex> lock(mu_);
    if (part != std::string::npos) {
      const int n = std::atoi(rest.c_str() + part + 6);
      parts_[rest.substr(0, part)][n] = body;
      return respond(c, 200, "OK", "", {{"ETag", "\"etag-" + std::to_string(n) + "\""}});
    }
    if (hub::sha256_hex(body) != rest) return respond(c, 400, "Bad Request", R"({"error":"sha256 mismatch"})");
    lfs_[rest] = body;
    respond(c, 200, "OK", "");
  }

  void lfs_batch(int c, const std::string& body) {
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (!j.is_object() || j.value("operation", "") != "upload" || !j.contains("objects") || !j["objects"].is_array() ||
        j.value("hash_algo", "") != "sha256")
      return respond(c, 422, "Unprocessable", R"({"message":"bad LFS batch request"})");
    std::lock_guard<std::mutex> lock(mu_);
    nlohmann::json objects = nlohmann::json::array();
    for (const auto& o : j["objects"]) {
      const std::string oid = o.value("oid", "");
      const size_t size = o.value("size", size_t{0});
      nlohmann::json out = {{"oid", oid}, {"size", size}};
      if (refuse_batch_) {
        out["error"] = {{"code", 422}, {"message", "object refused (emulated)"}};
      } else if (!lfs_.count(oid)) {
        nlohmann::json upload = {{"href", endpoint() + "/lfs-storage/" + oid}};
        if (size > multipart_threshold_) {
          nlohmann::json header = {{"chunk_size", std::to_string(chunk_)}};
          for (size_t k = 1; (k - 1) * chunk_ < size; ++k)
            header[std::to_string(k)] = endpoint() + "/lfs-storage/" + oid + "/part/" + std::to_string(k);
          upload["header"] = header;
        }
        out["actions"] = {{"upload", upload}, {"verify", {{"href", endpoint() + "/lfs-verify/" + oid}}}};
      }
      objects.push_back(out);
    }
    refuse_batch_ = false;
    respond(c, 200, "OK", nlohmann::json({{"transfer", "basic"}, {"objects", objects}}).dump(),
            {{"Content-Type", "application/vnd.git-lfs+json"}});
  }

  void post(int c, const std::string& path, const std::string& body) {
    namespace fs = std::filesystem;
    if (path.rfind("/lfs-storage/", 0) == 0) {  // completes a multipart upload
      const std::string oid = path.substr(13);
      auto j = nlohmann::json::parse(body, nullptr, false);
      std::lock_guard<std::mutex> lock(mu_);
      std::string whole;
      int expected = 1;
      if (!j.is_object() || j.value("oid", "") != oid || !j.contains("parts"))
        return respond(c, 400, "Bad Request", R"({"error":"bad completion"})");
      for (const auto& p : j["parts"]) {
        const int n = p.value("partNumber", 0);
        if (n != expected++ || p.value("etag", "") != "\"etag-" + std::to_string(n) + "\"" || !parts_[oid].count(n))
          return respond(c, 400, "Bad Request", R"({"error":"parts out of order or unknown etag"})");
        whole += parts_[oid][n];
      }
      parts_.erase(oid);
      if (hub::sha256_hex(whole) != oid) return respond(c, 400, "Bad Request", R"({"error":"sha256 mismatch"})");
      lfs_[oid] = whole;
      return respond(c, 200, "OK", "{}");
    }
    if (path.rfind("/lfs-verify/", 0) == 0) {
      auto j = nlohmann::json::parse(body, nullptr, false);
      std::lock_guard<std::mutex> lock(mu_);
      auto it = lfs_.find(path.substr(12));
      const bool ok = j.is_object() && it != lfs_.end() && j.value("oid", "") == it->first &&
                      j.value("size", size_t{0}) == it->second.size();
      return ok ? respond(c, 200, "OK", "{}") : respond(c, 404, "Not Found", R"({"error":"object not stored"})");
    }
    if (path.size() > 30 && path.compare(path.size() - 27, 27, ".git/info/lfs/objects/batch") == 0)
      return lfs_batch(c, body);
    if (path.find("/preupload/") != std::string::npos) {
      auto j = nlohmann::json::parse(body, nullptr, false);
      if (!j.is_object() || !j.contains("files") || !j["files"].is_array())
        return respond(c, 400, "Bad Request", R"({"error":"bad preupload body"})");
      nlohmann::json files = nlohmann::json::array();
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& f : j["files"]) {
        bool ok = true;
        const std::string sample = base64_decode(f.value("sample", ""), ok);
        const bool lfs = f.value("size", size_t{0}) > lfs_threshold_ || sample.find('\0') != std::string::npos;
        files.push_back(
            {{"path", f.value("path", "")}, {"uploadMode", lfs ? "lfs" : "regular"}, {"shouldIgnore", false}});
      }
      return respond(c, 200, "OK", nlohmann::json({{"files", files}}).dump(), {{"Content-Type", "application/json"}});
    }
    if (path == "/api/repos/create") {
      auto j = nlohmann::json::parse(body, nullptr, false);
      if (!j.is_object() || !j.contains("name")) return respond(c, 400, "Bad Request", R"({"error":"bad body"})");
      {
        std::lock_guard<std::mutex> lock(mu_);
        created_.push_back(j);
      }
      const std::string kind = j.value("type", "model") == "dataset" ? "datasets" : "models";
      const std::string id = (j.contains("organization") ? j["organization"].get<std::string>() + "/" : "") +
                             j["name"].get<std::string>();
      const auto dir = root_ / kind / id;
      if (fs::is_directory(dir)) return respond(c, 409, "Conflict", R"({"error":"You already created this repo"})");
      fs::create_directories(dir);
      return respond(c, 200, "OK", nlohmann::json({{"url", endpoint() + "/" + (kind == "datasets" ? "datasets/" : "") + id}}).dump());
    }
    // /api/<kind>/<id>/{commit|branch}/<rev>
    const std::string rest = path.rfind("/api/", 0) == 0 ? path.substr(5) : "";
    const auto slash = rest.find('/');
    const auto cpos = rest.find("/commit/"), bpos = rest.find("/branch/");
    if (slash == std::string::npos || (cpos == std::string::npos && bpos == std::string::npos))
      return respond(c, 404, "Not Found", "");
    const std::string kind = rest.substr(0, slash);
    const std::string id = rest.substr(slash + 1, (cpos != std::string::npos ? cpos : bpos) - slash - 1);
    const auto dir = root_ / kind / id;
    if (!fs::is_directory(dir)) return respond(c, 404, "Not Found", R"({"error":"Repository not found"})");
    if (cpos == std::string::npos) return respond(c, 200, "OK", "{}");
    {
      std::lock_guard<std::mutex> lock(mu_);
      commits_.push_back(body);
    }
    // Validate and stage every line before touching the repo.
    std::map<std::string, std::string> adds;
    std::vector<std::string> dels;
    bool header = false;
    std::istringstream lines(body);
    std::string l;
    while (std::getline(lines, l)) {
      if (l.empty()) continue;
      auto j = nlohmann::json::parse(l, nullptr, false);
      if (!j.is_object() || !j.contains("key") || !j.contains("value"))
        return respond(c, 400, "Bad Request", R"({"error":"malformed NDJSON line"})");
      const std::string key = j["key"];
      const auto& v = j["value"];
      if (key == "header") {
        header = v.contains("summary") && v["summary"].is_string() && !v["summary"].get<std::string>().empty();
        continue;
      }
      const std::string p = v.value("path", "");
      if (p.empty() || p.front() == '/' || p.find("..") != std::string::npos)
        return respond(c, 400, "Bad Request", R"({"error":"invalid path in commit"})");
      if (key == "file") {
        bool ok = v.value("encoding", "") == "base64";
        std::string bytes = base64_decode(v.value("content", ""), ok);
        if (!ok) return respond(c, 400, "Bad Request", R"({"error":"invalid base64 content"})");
        adds[p] = std::move(bytes);
      } else if (key == "lfsFile") {
        std::lock_guard<std::mutex> lock(mu_);
        auto it = lfs_.find(v.value("oid", ""));
        if (v.value("algo", "") != "sha256" || it == lfs_.end() || it->second.size() != v.value("size", size_t{0}))
          return respond(c, 400, "Bad Request", R"({"error":"lfsFile names an object not uploaded"})");
        adds[p] = it->second;
      } else if (key == "deletedFile") {
        dels.push_back(p);
      } else {
        return respond(c, 400, "Bad Request", R"({"error":"unknown key"})");
      }
    }
    if (!header) return respond(c, 400, "Bad Request", R"({"error":"missing commit header"})");
    int fail = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      std::swap(fail, fail_commit_);
    }
    if (fail) return respond(c, fail, "Failed", R"x({"error":"commit failed (emulated)"})x");
    for (const auto& d : dels) fs::remove(dir / d);
    for (const auto& [p, bytes] : adds) {
      fs::create_directories((dir / p).parent_path());
      std::ofstream(dir / p, std::ios::binary) << bytes;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++commit_count_[id];
    }
    const std::string sha = current_sha(id);
    respond(c, 200, "OK", nlohmann::json({{"commitUrl", endpoint() + "/" + id + "/commit/" + sha}, {"commitOid", sha}}).dump(),
            {{"Content-Type", "application/json"}});
  }

  std::filesystem::path root_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<std::string> log_, extra_;
  std::map<std::string, size_t> cut_;
  std::set<std::string> corrupt_;
  std::map<std::string, int> commit_count_;
  int fail_commit_ = 0;
  std::string token_;
  std::vector<std::string> commits_;
  std::vector<nlohmann::json> created_;
  size_t lfs_threshold_ = size_t(10) << 20, multipart_threshold_ = size_t(20) << 20, chunk_ = size_t(8) << 20;
  bool refuse_batch_ = false;
  std::map<std::string, std::string> lfs_;                   // sha256 → bytes
  std::map<std::string, std::map<int, std::string>> parts_;  // multipart uploads in progress
};

}  // namespace afinar::test
