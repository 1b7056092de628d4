#include "afinar/tokenizers/regex.h"

#include <algorithm>
#include <mutex>

#include <oniguruma.h>

#include "afinar/core/check.h"

namespace afinar::tokenizers {

struct Regex::Impl {
  regex_t* re = nullptr;
};

namespace {

void init_onig() {
  static std::once_flag once;
  std::call_once(once, [] {
    OnigEncoding encs[] = {ONIG_ENCODING_UTF8};
    onig_initialize(encs, 1);
  });
}

// One region per thread: searches share the compiled regex, never the region.
OnigRegion* thread_region() {
  thread_local std::unique_ptr<OnigRegion, void (*)(OnigRegion*)> region(
      onig_region_new(), [](OnigRegion* r) { onig_region_free(r, 1); });
  return region.get();
}

}  // namespace

Regex::Regex(const std::string& pattern) : impl_(std::make_unique<Impl>()), pattern_(pattern) {
  init_onig();
  OnigErrorInfo info;
  auto* p = reinterpret_cast<const OnigUChar*>(pattern.data());
  int rc = onig_new(&impl_->re, p, p + pattern.size(), ONIG_OPTION_NONE, ONIG_ENCODING_UTF8,
                    ONIG_SYNTAX_DEFAULT, &info);
  if (rc != ONIG_NORMAL) {
    OnigUChar msg[ONIG_MAX_ERROR_MESSAGE_LEN];
    onig_error_code_to_str(msg, rc, &info);
    throw InvalidArgument(detail::concat("bad regex \"", pattern, "\": ", reinterpret_cast<char*>(msg)));
  }
}

Regex::~Regex() {
  if (impl_ && impl_->re) onig_free(impl_->re);
}

std::string Regex::escape(std::string_view literal) {
  // The characters Rust's regex::escape escapes (HF builds String patterns with it).
  std::string out;
  for (char c : literal) {
    if (std::string_view("\\.+*?()|[]{}^$#&-~").find(c) != std::string_view::npos) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

// As the onig crate's find_iter: an empty match right after the previous match is skipped by
// advancing one character.
void Regex::find_matches(std::string_view text, std::vector<PatternMatch>& out) const {
  if (text.empty()) {
    out.push_back({0, 0, false});
    return;
  }
  auto* begin = reinterpret_cast<const OnigUChar*>(text.data());
  const OnigUChar* end = begin + text.size();
  OnigRegion* region = thread_region();
  size_t pos = 0, prev = 0;
  long last_match_end = -1;
  while (pos <= text.size()) {
    onig_region_clear(region);
    int r = onig_search(impl_->re, begin, end, begin + pos, end, region, ONIG_OPTION_NONE);
    if (r == ONIG_MISMATCH) break;
    AFINAR_CHECK(r >= 0, "regex search failed for \"", pattern_, "\" (code ", r, ")");
    auto s = static_cast<size_t>(region->beg[0]), e = static_cast<size_t>(region->end[0]);
    if (s == e && last_match_end == static_cast<long>(e)) {
      if (pos >= text.size()) break;
      size_t i = pos;
      next_char(text, i);
      pos = i;
      continue;
    }
    pos = e;
    last_match_end = static_cast<long>(e);
    if (prev != s) out.push_back({static_cast<uint32_t>(prev), static_cast<uint32_t>(s), false});
    out.push_back({static_cast<uint32_t>(s), static_cast<uint32_t>(e), true});
    prev = e;
  }
  if (prev != text.size()) out.push_back({static_cast<uint32_t>(prev), static_cast<uint32_t>(text.size()), false});
}

SplitBehavior parse_split_behavior(const std::string& s) {
  if (s == "Removed") return SplitBehavior::Removed;
  if (s == "Isolated") return SplitBehavior::Isolated;
  if (s == "MergedWithPrevious") return SplitBehavior::MergedWithPrevious;
  if (s == "MergedWithNext") return SplitBehavior::MergedWithNext;
  if (s == "Contiguous") return SplitBehavior::Contiguous;
  throw InvalidArgument(detail::concat("split behavior \"", s,
                                       "\" is not one of Removed, Isolated, MergedWithPrevious, MergedWithNext, "
                                       "Contiguous"));
}

void apply_behavior(std::vector<PatternMatch>& m, SplitBehavior behavior) {
  std::vector<PatternMatch> acc;
  acc.reserve(m.size());
  bool previous_match = false;
  switch (behavior) {
    case SplitBehavior::Removed:
      return;
    case SplitBehavior::Isolated:
      for (auto& p : m) p.is_match = false;
      return;
    case SplitBehavior::Contiguous:
      for (const auto& p : m) {
        if (p.is_match == previous_match && !acc.empty())
          acc.back().end = p.end;
        else
          acc.push_back({p.start, p.end, false});
        previous_match = p.is_match;
      }
      break;
    case SplitBehavior::MergedWithPrevious:
      for (const auto& p : m) {
        if (p.is_match && !previous_match && !acc.empty())
          acc.back().end = p.end;
        else
          acc.push_back({p.start, p.end, false});
        previous_match = p.is_match;
      }
      break;
    case SplitBehavior::MergedWithNext:
      for (auto it = m.rbegin(); it != m.rend(); ++it) {
        if (it->is_match && !previous_match && !acc.empty())
          acc.back().start = it->start;
        else
          acc.push_back({it->start, it->end, false});
        previous_match = it->is_match;
      }
      std::reverse(acc.begin(), acc.end());
      break;
  }
  m.swap(acc);
}

}  // namespace afinar::tokenizers
