#include "afinar/tokenizers/processors/roberta_processing.h"

#include <algorithm>

#include "afinar/core/check.h"
#include "afinar/tokenizers/unicode.h"

namespace afinar::tokenizers {

void trim_byte_level_offsets(Encoding& e, bool add_prefix_space) {
  auto is_space = [](char32_t c) { return c == 0x120 || is_whitespace(c); };  // U+0120 'Ġ' is byte ' '
  for (size_t i = 0; i < e.size(); ++i) {
    const std::string& tok = e.tokens[i];
    std::vector<char32_t> chars;
    for (size_t k = 0; k < tok.size();) chars.push_back(next_char(tok, k));
    size_t lead = 0, trail = 0;
    while (lead < chars.size() && is_space(chars[lead])) ++lead;
    while (trail < chars.size() && is_space(chars[chars.size() - 1 - trail])) ++trail;
    auto& [start, end] = e.offsets[i];
    if (lead > 0) {
      bool is_first = i == 0 || start == 0;
      if (is_first && add_prefix_space && lead == 1) lead = 0;
      start = std::min(start + static_cast<uint32_t>(lead), end);
    }
    if (trail > 0 && end >= trail) end = std::max(end - static_cast<uint32_t>(trail), start);
  }
}

Encoding RobertaProcessing::process(Encoding a, std::optional<Encoding> b, bool add_special_tokens) const {
  if (trim_) {
    trim_byte_level_offsets(a, add_prefix_space_);
    if (b) trim_byte_level_offsets(*b, add_prefix_space_);
  }
  std::fill(a.type_ids.begin(), a.type_ids.end(), 0);
  if (b) std::fill(b->type_ids.begin(), b->type_ids.end(), 0);
  if (!add_special_tokens) return default_process(std::move(a), std::move(b));
  Encoding out;
  out.ids.reserve(a.size() + (b ? b->size() : 0) + 4);
  append_special(out, cls_id_, cls_, 0);
  append_encoding(out, a);
  append_special(out, sep_id_, sep_, 0);
  if (b) {
    append_special(out, sep_id_, sep_, 0);
    append_encoding(out, *b);
    append_special(out, sep_id_, sep_, 0);
  }
  return out;
}

Encoding ByteLevelProcessing::process(Encoding a, std::optional<Encoding> b, bool) const {
  adjust(a);
  if (b) adjust(*b);
  return default_process(std::move(a), std::move(b));
}

ProcessorSequence::ProcessorSequence(std::vector<std::shared_ptr<const PostProcessor>> parts) : parts_(std::move(parts)) {
  for (size_t i = 0; i + 1 < parts_.size(); ++i)
    if (parts_[i]->added_tokens(false) || parts_[i]->added_tokens(true) ||
        !dynamic_cast<const ByteLevelProcessing*>(parts_[i].get()))
      AFINAR_NOT_IMPLEMENTED("a post_processor Sequence whose non-last parts are not ByteLevel");
}

size_t ProcessorSequence::added_tokens(bool is_pair) const {
  size_t n = 0;
  for (const auto& p : parts_) n += p->added_tokens(is_pair);
  return n;
}

bool ProcessorSequence::uses_type_ids() const {
  for (const auto& p : parts_)
    if (p->uses_type_ids()) return true;
  return false;
}

void ProcessorSequence::adjust(Encoding& e) const {
  for (const auto& p : parts_) p->adjust(e);
}

Encoding ProcessorSequence::process(Encoding a, std::optional<Encoding> b, bool add_special_tokens) const {
  if (parts_.empty()) return default_process(std::move(a), std::move(b));
  for (size_t i = 0; i + 1 < parts_.size(); ++i) {
    parts_[i]->adjust(a);
    if (b) parts_[i]->adjust(*b);
  }
  return parts_.back()->process(std::move(a), std::move(b), add_special_tokens);
}

}  // namespace afinar::tokenizers
