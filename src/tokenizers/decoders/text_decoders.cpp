// BPEDecoder, Strip, Replace and CTC: per-token text edits.
#include "afinar/tokenizers/decoders/decoders.h"
#include "afinar/tokenizers/decoders/wordpiece.h"
#include "afinar/tokenizers/unicode.h"

namespace afinar::tokenizers {

namespace {
void replace_all(std::string& s, std::string_view from, std::string_view to) {
  if (from.empty()) return;
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
    s.replace(pos, from.size(), to);
}
}  // namespace

std::vector<std::string> BPEDecoder::decode_chain(std::vector<std::string> tokens) const {
  for (size_t i = 0; i < tokens.size(); ++i) replace_all(tokens[i], suffix_, i + 1 == tokens.size() ? "" : " ");
  return tokens;
}

std::vector<std::string> StripDecoder::decode_chain(std::vector<std::string> tokens) const {
  for (auto& t : tokens) {
    std::vector<std::pair<size_t, char32_t>> chars;  // (byte start, char)
    for (size_t k = 0; k < t.size();) {
      size_t b = k;
      chars.emplace_back(b, next_char(t, k));
    }
    size_t start_cut = 0, stop_cut = chars.size();
    for (size_t i = 0; i < std::min(start_, chars.size()) && chars[i].second == content_; ++i) start_cut = i + 1;
    for (size_t i = 0; i < stop_ && i < chars.size(); ++i) {
      size_t index = chars.size() - i - 1;
      if (chars[index].second != content_) break;
      stop_cut = index;
    }
    if (stop_cut <= start_cut) {
      t.clear();
      continue;
    }
    size_t b = chars[start_cut].first, e = stop_cut < chars.size() ? chars[stop_cut].first : t.size();
    t = t.substr(b, e - b);
  }
  return tokens;
}

std::vector<std::string> ReplaceDecoder::decode_chain(std::vector<std::string> tokens) const {
  std::vector<PatternMatch> m;
  for (auto& t : tokens) {
    m.clear();
    pattern_.find_matches(t, m);
    std::string out;
    for (const auto& p : m) {
      if (p.is_match)
        out += content_;
      else
        out.append(t, p.start, p.end - p.start);
    }
    t = std::move(out);
  }
  return tokens;
}

std::vector<std::string> CTCDecoder::decode_chain(std::vector<std::string> tokens) const {
  std::vector<std::string> out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i > 0 && tokens[i] == tokens[i - 1]) continue;  // dedup consecutive repeats
    std::string t = tokens[i];
    replace_all(t, pad_, "");
    if (cleanup_) {
      t = wordpiece_cleanup(std::move(t));
      replace_all(t, delimiter_, " ");
    }
    if (!t.empty()) out.push_back(std::move(t));
  }
  return out;
}

}  // namespace afinar::tokenizers
