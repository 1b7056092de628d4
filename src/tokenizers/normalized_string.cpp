#include "afinar/tokenizers/normalized_string.h"

namespace afinar::tokenizers {

void NormalizedString::reset(std::string_view original, uint32_t begin, uint32_t end) {
  normalized_.assign(original.data() + begin, end - begin);
  align_.resize(end - begin);
  if (is_ascii(normalized_)) {
    for (uint32_t k = begin; k < end; ++k) align_[k - begin] = Range{k, k + 1};
    return;
  }
  // Every byte of a character aligns with the whole character, as in HF.
  size_t i = begin;
  while (i < end) {
    size_t s = i;
    next_char(original, i);
    for (size_t k = s; k < i; ++k) align_[k - begin] = Range{static_cast<uint32_t>(s), static_cast<uint32_t>(i)};
  }
}

void NormalizedString::transform(const std::vector<std::pair<char32_t, int>>& dest, size_t initial_offset) {
  begin_rebuild();
  size_t offset = 0;
  auto skip_chars = [&](size_t n) {
    for (size_t k = 0; k < n && offset < normalized_.size(); ++k) next_char(normalized_, offset);
  };
  skip_chars(initial_offset);
  for (auto [c, change] : dest) {
    Range r{0, 0};
    if (change > 0) {
      if (offset > 0) r = align_[offset - 1];
    } else if (offset < align_.size()) {
      r = align_[offset];
    }
    if (change <= 0) skip_chars(1);
    if (change < 0) skip_chars(static_cast<size_t>(-change));
    emit(c, r);
  }
  commit();
}

void PreTokenizedString::append(const NormalizedString& s, uint32_t begin, uint32_t end, int32_t token_id) {
  if (end <= begin) return;
  auto start = static_cast<uint32_t>(text.size());
  text.append(s.get(), begin, end - begin);
  align.insert(align.end(), s.alignments().begin() + begin, s.alignments().begin() + end);
  splits.push_back(Split{start, static_cast<uint32_t>(text.size()), token_id});
}

void PreTokenizedString::append_original(std::string_view original, uint32_t begin, uint32_t end,
                                         int32_t token_id) {
  if (end <= begin) return;
  auto start = static_cast<uint32_t>(text.size());
  text.append(original.data() + begin, end - begin);
  size_t i = begin;
  while (i < end) {
    size_t s = i;
    next_char(original, i);
    align.insert(align.end(), i - s, Range{static_cast<uint32_t>(s), static_cast<uint32_t>(i)});
  }
  splits.push_back(Split{start, static_cast<uint32_t>(text.size()), token_id});
}

}  // namespace afinar::tokenizers
