/// A minimal HTTP GET over libcurl, for the Hub client.
#pragma once
#include <filesystem>
#include <map>
#include <string>

namespace afinar::hub {

struct HttpResponse {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  ///< lower-case names
};

/// GET `url` into memory. Sends `Authorization: Bearer $HF_TOKEN` when set. Retries transport
/// errors and 5xx with backoff (3 tries). Throws FormatError naming the url on transport failure.
HttpResponse http_get(const std::string& url);

/// GET `url` into `dest` (written to dest.incomplete, then renamed). Returns the HTTP status;
/// on a non-2xx status nothing is left behind.
long http_download(const std::string& url, const std::filesystem::path& dest);

}  // namespace afinar::hub
