// Python reprs of strings and lists of strings, so that afinar prints what HF datasets prints.
#pragma once
#include <cstdio>
#include <string>
#include <vector>

namespace afinar::data {

/// Python's repr() of a str: single quotes unless the text holds ' and no ", escapes as Python.
inline std::string python_repr(const std::string& s) {
  const bool dq = s.find('\'') != std::string::npos && s.find('"') == std::string::npos;
  const char q = dq ? '"' : '\'';
  std::string out(1, q);
  for (unsigned char c : s) {
    if (c == static_cast<unsigned char>(q) || c == '\\') out += '\\', out += char(c);
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += char(c);
    }
  }
  return out + q;
}

inline std::string python_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + python_repr(items[i]);
  return out + "]";
}

}  // namespace afinar::data
