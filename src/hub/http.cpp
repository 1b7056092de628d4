#include "afinar/hub/http.h"

#define CURL_DISABLE_TYPECHECK  // calls go through the function pointers below
#include <curl/curl.h>
#include <dlfcn.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "afinar/core/check.h"

namespace afinar::hub {
namespace {

// libcurl is opened on the first request, not linked: with its TLS, Kerberos and LDAP
// dependencies it is ~25 shared libraries and ~10 ms of every start of `afinar`, which most
// commands (local datasets, tokenize, train on local files) never use.
struct Curl {
  CURLcode (*global_init)(long);
  void (*global_cleanup)();
  CURL* (*easy_init)();
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_perform)(CURL*);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  void (*easy_cleanup)(CURL*);
  const char* (*easy_strerror)(CURLcode);
  curl_slist* (*slist_append)(curl_slist*, const char*);
  void (*slist_free_all)(curl_slist*);
};

const Curl& lib() {
  static const Curl api = [] {
    void* h = ::dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) {
      const char* why = ::dlerror();
      throw FormatError(detail::concat("cannot load libcurl.so.4, needed for the Hub (", why ? why : "?",
                                       "); HINT: install libcurl4 (Debian) or work offline with local files"));
    }
    auto sym = [&](const char* name) {
      void* p = ::dlsym(h, name);
      AFINAR_CHECK_FORMAT(p != nullptr, "libcurl.so.4 lacks ", name);
      return p;
    };
    Curl c{};
    c.global_init = reinterpret_cast<decltype(c.global_init)>(sym("curl_global_init"));
    c.global_cleanup = reinterpret_cast<decltype(c.global_cleanup)>(sym("curl_global_cleanup"));
    c.easy_init = reinterpret_cast<decltype(c.easy_init)>(sym("curl_easy_init"));
    c.easy_setopt = reinterpret_cast<decltype(c.easy_setopt)>(sym("curl_easy_setopt"));
    c.easy_perform = reinterpret_cast<decltype(c.easy_perform)>(sym("curl_easy_perform"));
    c.easy_getinfo = reinterpret_cast<decltype(c.easy_getinfo)>(sym("curl_easy_getinfo"));
    c.easy_cleanup = reinterpret_cast<decltype(c.easy_cleanup)>(sym("curl_easy_cleanup"));
    c.easy_strerror = reinterpret_cast<decltype(c.easy_strerror)>(sym("curl_easy_strerror"));
    c.slist_append = reinterpret_cast<decltype(c.slist_append)>(sym("curl_slist_append"));
    c.slist_free_all = reinterpret_cast<decltype(c.slist_free_all)>(sym("curl_slist_free_all"));
    return c;
  }();
  return api;
}

struct CurlGlobal {
  CurlGlobal() { lib().global_init(CURL_GLOBAL_DEFAULT); }
  ~CurlGlobal() { lib().global_cleanup(); }
};

size_t write_string(char* ptr, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(ptr, size * n);
  return size * n;
}
size_t write_file(char* ptr, size_t size, size_t n, void* user) {
  return std::fwrite(ptr, size, n, static_cast<FILE*>(user)) * size;
}
size_t on_header(char* ptr, size_t size, size_t n, void* user) {
  std::string line(ptr, size * n);
  if (line.rfind("HTTP/", 0) == 0) {  // a status line (one per response when redirects are followed)
    auto sp = line.find(' ');
    (*static_cast<std::map<std::string, std::string>*>(user))[":status"] =
        sp == std::string::npos ? "" : line.substr(sp + 1, 3);
    return size * n;
  }
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string k = line.substr(0, colon), v = line.substr(colon + 1);
    for (auto& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    while (!v.empty() && (v.front() == ' ')) v.erase(v.begin());
    while (!v.empty() && (v.back() == '\r' || v.back() == '\n')) v.pop_back();
    (*static_cast<std::map<std::string, std::string>*>(user))[k] = v;
  }
  return size * n;
}

// One request; `sink` receives the body. Returns the curl code, fills status/headers.
// `range_from` > 0 asks for the bytes from that offset on.
CURLcode perform(const std::string& url, curl_write_callback sink, void* sink_arg, HttpResponse& r,
                 long long range_from = 0) {
  static CurlGlobal global;
  CURL* c = lib().easy_init();
  AFINAR_CHECK_FORMAT(c != nullptr, "curl_easy_init failed");
  curl_slist* hdrs = nullptr;
  if (const char* tok = std::getenv("HF_TOKEN"); tok && *tok)
    hdrs = lib().slist_append(hdrs, (std::string("Authorization: Bearer ") + tok).c_str());
  hdrs = lib().slist_append(hdrs, "User-Agent: afinar/0.1");
  if (range_from > 0) hdrs = lib().slist_append(hdrs, ("Range: bytes=" + std::to_string(range_from) + "-").c_str());
  lib().easy_setopt(c, CURLOPT_URL, url.c_str());
  lib().easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
  lib().easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  lib().easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
  lib().easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
  lib().easy_setopt(c, CURLOPT_WRITEDATA, sink_arg);
  lib().easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  lib().easy_setopt(c, CURLOPT_HEADERDATA, &r.headers);
  CURLcode rc = lib().easy_perform(c);
  lib().easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  lib().slist_free_all(hdrs);
  lib().easy_cleanup(c);
  return rc;
}

}  // namespace

HttpResponse http_get(const std::string& url) {
  std::string err;
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(200 << attempt));
    HttpResponse r;
    CURLcode rc = perform(url, write_string, &r.body, r);
    if (rc == CURLE_OK && r.status < 500) return r;
    err = rc != CURLE_OK ? lib().easy_strerror(rc) : "HTTP " + std::to_string(r.status);
  }
  throw FormatError(detail::concat(url, ": request failed after 3 tries: ", err));
}

HttpResponse http_request(const std::string& method, const std::string& url, const std::string& body,
                          const std::string& content_type, const std::string& token) {
  return http_request(method, url, body, content_type, token, {}, true);
}

HttpResponse http_request(const std::string& method, const std::string& url, const std::string& body,
                          const std::string& content_type, const std::string& token,
                          const std::vector<std::string>& extra_headers, bool authorize) {
  static CurlGlobal global;
  std::string err;
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(200 << attempt));
    CURL* c = lib().easy_init();
    AFINAR_CHECK_FORMAT(c != nullptr, "curl_easy_init failed");
    curl_slist* hdrs = nullptr;
    std::string tok = token;
    if (tok.empty())
      if (const char* t = std::getenv("HF_TOKEN"); t && *t) tok = t;
    if (!tok.empty() && authorize) hdrs = lib().slist_append(hdrs, ("Authorization: Bearer " + tok).c_str());
    hdrs = lib().slist_append(hdrs, "User-Agent: afinar/0.1");
    hdrs = lib().slist_append(hdrs, ("Content-Type: " + content_type).c_str());
    for (const auto& h : extra_headers) hdrs = lib().slist_append(hdrs, h.c_str());
    hdrs = lib().slist_append(hdrs, "Expect:");  // no 100-continue round trip
    HttpResponse r;
    lib().easy_setopt(c, CURLOPT_URL, url.c_str());
    lib().easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
    lib().easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    lib().easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    lib().easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    lib().easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    lib().easy_setopt(c, CURLOPT_WRITEFUNCTION, write_string);
    lib().easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
    lib().easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    lib().easy_setopt(c, CURLOPT_HEADERDATA, &r.headers);
    CURLcode rc = lib().easy_perform(c);
    lib().easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    lib().slist_free_all(hdrs);
    lib().easy_cleanup(c);
    if (rc == CURLE_OK && r.status < 500) return r;
    err = rc != CURLE_OK ? lib().easy_strerror(rc) : "HTTP " + std::to_string(r.status);
  }
  throw FormatError(detail::concat(method, " ", url, ": request failed after 3 tries: ", err));
}

namespace {

/// Streams a 200/206 body into the partial file (opened on the first byte: appended to for a
/// 206, truncated for a 200); an error page's body is dropped.
struct PartSink {
  const std::filesystem::path* part = nullptr;
  HttpResponse* r = nullptr;
  FILE* f = nullptr;
};

size_t write_part(char* ptr, size_t size, size_t n, void* user) {
  auto* s = static_cast<PartSink*>(user);
  if (s->f == nullptr) {
    const long status = std::atol(s->r->headers[":status"].c_str());
    if (status != 200 && status != 206) return size * n;
    s->f = std::fopen(s->part->c_str(), status == 206 ? "ab" : "wb");
    if (s->f == nullptr) return 0;  // curl reports a write error
  }
  return std::fwrite(ptr, size, n, s->f) * size;
}

}  // namespace

DownloadResult http_download_resumable(const std::string& url, const std::filesystem::path& dest) {
  namespace fs = std::filesystem;
  fs::path part = dest;
  part += ".incomplete";
  std::string err;
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100 << attempt));
    std::error_code ec;
    const long long have = fs::is_regular_file(part, ec) ? static_cast<long long>(fs::file_size(part, ec)) : 0;
    HttpResponse r;
    PartSink sink{&part, &r, nullptr};
    CURLcode rc = perform(url, reinterpret_cast<curl_write_callback>(write_part), &sink, r, have);
    if (sink.f != nullptr) std::fclose(sink.f);
    if (rc == CURLE_OK && r.status == 200 && sink.f == nullptr) {
      std::FILE* f = std::fopen(part.c_str(), "wb");  // an empty file
      AFINAR_CHECK_FORMAT(f != nullptr, part.string(), ": cannot create file");
      std::fclose(f);
    }
    // 416: the range starts at the end, i.e. the partial file was already complete.
    if (rc == CURLE_OK && (r.status == 200 || r.status == 206 || (r.status == 416 && have > 0))) {
      fs::rename(part, dest);
      return {r.status == 416 ? 200 : r.status, r.headers};
    }
    if (rc == CURLE_OK && r.status < 500) {
      fs::remove(part, ec);
      return {r.status, r.headers};
    }
    err = rc != CURLE_OK ? lib().easy_strerror(rc) : "HTTP " + std::to_string(r.status);
  }
  throw FormatError(detail::concat(url, ": download failed after 3 tries: ", err, " (the partial file ",
                                   part.string(), " is kept; a later call resumes it)"));
}

long http_download(const std::string& url, const std::filesystem::path& dest) {
  std::filesystem::path part = dest;
  part += ".incomplete";
  std::string err;
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(200 << attempt));
    FILE* f = std::fopen(part.c_str(), "wb");
    AFINAR_CHECK_FORMAT(f != nullptr, part.string(), ": cannot create file");
    HttpResponse r;
    CURLcode rc = perform(url, reinterpret_cast<curl_write_callback>(write_file), f, r);
    std::fclose(f);
    if (rc == CURLE_OK && r.status >= 200 && r.status < 300) {
      std::filesystem::rename(part, dest);
      return r.status;
    }
    std::filesystem::remove(part);
    if (rc == CURLE_OK && r.status < 500) return r.status;
    err = rc != CURLE_OK ? lib().easy_strerror(rc) : "HTTP " + std::to_string(r.status);
  }
  throw FormatError(detail::concat(url, ": download failed after 3 tries: ", err));
}

}  // namespace afinar::hub
