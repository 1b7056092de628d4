#include "afinar/tokenizers/added_vocabulary.h"

#include <algorithm>

#include "afinar/tokenizers/normalizers/normalizer.h"

namespace afinar::tokenizers {

AddedVocabulary::AddedVocabulary(std::vector<AddedToken> tokens, const Normalizer* normalizer)
    : tokens_(std::move(tokens)) {
  for (size_t i = 0; i < tokens_.size(); ++i) {
    const AddedToken& t = tokens_[i];
    by_id_[t.id] = i;
    if (t.content.empty()) continue;
    std::string pattern = t.content;
    if (t.normalized && normalizer) {  // matched against normalized text, so normalize it too
      NormalizedString ns;
      ns.reset(pattern, 0, static_cast<uint32_t>(pattern.size()));
      normalizer->normalize(ns);
      pattern = ns.get();
      if (pattern.empty()) continue;
    }
    Matcher& m = t.normalized ? normalized_ : raw_;
    m.first_byte[static_cast<unsigned char>(pattern[0])] = true;
    m.patterns.emplace_back(std::move(pattern), i);
  }
  // Longest first, so the first pattern that matches at a position is the longest one.
  for (Matcher* m : {&raw_, &normalized_})
    std::stable_sort(m->patterns.begin(), m->patterns.end(),
                     [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

std::optional<int32_t> AddedVocabulary::token_to_id(std::string_view t) const {
  for (const auto& tok : tokens_)
    if (tok.content == t) return tok.id;
  return std::nullopt;
}

const std::string* AddedVocabulary::id_to_token(int32_t id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &tokens_[it->second].content;
}

bool AddedVocabulary::is_special(int32_t id) const {
  auto it = by_id_.find(id);
  return it != by_id_.end() && tokens_[it->second].special;
}

namespace {
bool word_char_at_boundary(std::string_view text, size_t pos, bool before) {
  // Whether the character just before (or at) `pos` is a word character (for single_word).
  if (before) {
    if (pos == 0) return false;
    size_t i = pos - 1;
    while (i > 0 && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) --i;
    size_t j = i;
    return is_word_char(next_char(text, j));
  }
  if (pos >= text.size()) return false;
  return is_word_char(next_char(text, pos));
}
}  // namespace

void AddedVocabulary::find(const Matcher& m, std::string_view text, std::vector<AddedMatch>& out) const {
  if (m.patterns.empty()) return;
  size_t pos = 0;
  while (pos < text.size()) {
    if (!m.first_byte[static_cast<unsigned char>(text[pos])]) {
      ++pos;
      continue;
    }
    const std::pair<std::string, size_t>* hit = nullptr;
    for (const auto& p : m.patterns) {
      if (text.compare(pos, p.first.size(), p.first) != 0) continue;
      const AddedToken& t = tokens_[p.second];
      if (t.single_word && (word_char_at_boundary(text, pos, true) ||
                            word_char_at_boundary(text, pos + p.first.size(), false)))
        continue;
      hit = &p;
      break;
    }
    if (!hit) {
      ++pos;
      continue;
    }
    const AddedToken& t = tokens_[hit->second];
    size_t start = pos, end = pos + hit->first.size();
    if (t.lstrip) {
      size_t floor = out.empty() ? 0 : out.back().end;
      while (start > floor) {
        size_t i = start - 1;
        while (i > floor && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) --i;
        size_t j = i;
        if (!is_whitespace(next_char(text, j))) break;
        start = i;
      }
    }
    if (t.rstrip) {
      while (end < text.size()) {
        size_t j = end;
        if (!is_whitespace(next_char(text, j))) break;
        end = j;
      }
    }
    out.push_back(AddedMatch{static_cast<uint32_t>(start), static_cast<uint32_t>(end), t.id});
    pos = end;
  }
}

}  // namespace afinar::tokenizers
