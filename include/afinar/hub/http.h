/// A minimal HTTP GET over libcurl, for the Hub client.
#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace afinar::hub {

struct HttpResponse {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  ///< lower-case names
};

/// GET `url` into memory. Sends `Authorization: Bearer $HF_TOKEN` when set. Retries transport
/// errors and 5xx with backoff (3 tries). Throws FormatError naming the url on transport failure.
HttpResponse http_get(const std::string& url);

/// A request with a body (POST/PUT/DELETE...), for the Hub's write API. Sends `Authorization:
/// Bearer <token>` with `token`, else $HF_TOKEN when set. Transport errors and 5xx are retried
/// (3 tries, the same body each time); other statuses are returned as they are. Throws
/// FormatError naming the url on transport failure.
HttpResponse http_request(const std::string& method, const std::string& url, const std::string& body,
                          const std::string& content_type, const std::string& token = "");

/// The same with `extra_headers` ("Name: value" lines), and without any Authorization header
/// when `authorize` is false (LFS storage URLs are presigned: a Hub token must not go there).
HttpResponse http_request(const std::string& method, const std::string& url, const std::string& body,
                          const std::string& content_type, const std::string& token,
                          const std::vector<std::string>& extra_headers, bool authorize = true);

/// GET `url` into `dest` (written to dest.incomplete, then renamed). Returns the HTTP status;
/// on a non-2xx status nothing is left behind.
long http_download(const std::string& url, const std::filesystem::path& dest);

struct DownloadResult {
  long status = 0;
  std::map<std::string, std::string> headers;  ///< lower-case names, of every response on the way
};

/// As http_download, and resumable: bytes already in dest.incomplete (a download cut by a
/// transport error, here or in an earlier run) are kept and the rest is asked for with
/// `Range: bytes=N-`; a server that answers 200 instead of 206 restarts the file. Transport
/// errors are retried (3 tries, each resuming); the partial file stays for a later resume.
DownloadResult http_download_resumable(const std::string& url, const std::filesystem::path& dest);

}  // namespace afinar::hub
