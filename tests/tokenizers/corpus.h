// The acceptance corpus of tools/oracle/tokenizers_all_fixtures.py (same texts, same order) and
// its digest: crc32 << 32 | adler32 (zlib's definitions) over per-token little-endian
// (id, start, end, word_id) then the decoded text and 0xFF.
#pragma once
#include <array>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "afinar/tokenizers/encoding.h"
#include "fixture_util.h"

namespace afinar::test {

inline std::vector<std::string> acceptance_corpus() {
  std::vector<std::string> texts;
  std::string root = shared_dir() + "/data/";
  for (const char* split : {"train", "validation", "test"}) {
    std::ifstream in(root + "rotten_tomatoes/" + split + ".jsonl");
    for (std::string line; std::getline(in, line);) texts.push_back(nlohmann::json::parse(line)["text"]);
  }
  for (const char* split : {"train", "valid", "test"}) {
    std::ifstream in(root + "conll2003/" + split + ".txt");
    std::string sentence;
    bool any = false;
    auto flush = [&] {
      if (any) texts.push_back(sentence);
      sentence.clear();
      any = false;
    };
    for (std::string line; std::getline(in, line);) {
      bool blank = line.find_first_not_of(" \t\r\n\f\v") == std::string::npos;
      if (blank) {
        flush();
      } else if (line.rfind("-DOCSTART-", 0) != 0) {
        if (any) sentence += ' ';
        sentence += line.substr(0, line.find(' '));
        any = true;
      }
    }
    flush();
  }
  for (const char* lang : {"en", "de"}) {
    for (const char* split : {"train", "validation", "test"}) {
      std::ifstream in(root + "multi30k/" + split + ".jsonl");
      for (std::string line; std::getline(in, line);) texts.push_back(nlohmann::json::parse(line)[lang]);
    }
  }
  std::ifstream in(root + "tinyshakespeare/input.txt");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string all = ss.str();
  for (size_t pos = 0;;) {  // Python's str.split("\n")
    size_t nl = all.find('\n', pos);
    texts.push_back(all.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos));
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  return texts;
}

/// crc32 and adler32 of a byte stream, fed in pieces.
class Digest {
 public:
  void add(const void* data, size_t n) {
    static const std::array<uint32_t, 256> table = [] {
      std::array<uint32_t, 256> t{};
      for (uint32_t i = 0; i < 256; ++i) {
        uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        t[i] = c;
      }
      return t;
    }();
    auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < n; ++i) {
      crc_ = table[(crc_ ^ p[i]) & 0xFF] ^ (crc_ >> 8);
      a_ = (a_ + p[i]) % 65521;
      b_ = (b_ + a_) % 65521;
    }
  }
  void add_u32(uint32_t v) {
    unsigned char b[4] = {static_cast<unsigned char>(v), static_cast<unsigned char>(v >> 8),
                          static_cast<unsigned char>(v >> 16), static_cast<unsigned char>(v >> 24)};
    add(b, 4);
  }
  /// Tokens (id, start, end, word_id), then `decoded` and 0xFF.
  void add_encoding(const Encoding& e, const std::string& decoded) {
    for (size_t i = 0; i < e.size(); ++i) {
      add_u32(static_cast<uint32_t>(e.ids[i]));
      add_u32(e.offsets[i].first);
      add_u32(e.offsets[i].second);
      add_u32(static_cast<uint32_t>(e.word_ids[i]));
    }
    add(decoded.data(), decoded.size());
    unsigned char ff = 0xFF;
    add(&ff, 1);
  }
  std::string hex() const {
    uint64_t v = (static_cast<uint64_t>(~crc_) << 32) | (b_ << 16 | a_);
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
  }

 private:
  uint32_t crc_ = 0xFFFFFFFFu;
  uint32_t a_ = 1, b_ = 0;
};

}  // namespace afinar::test
