#include "afinar/tokenizers/processors/template_processing.h"

#include <algorithm>

#include "afinar/core/check.h"

namespace afinar::tokenizers {

TemplateProcessing::TemplateProcessing(std::vector<TemplatePiece> single, std::vector<TemplatePiece> pair,
                                       std::map<std::string, TemplateSpecialToken> specials)
    : single_(std::move(single)), pair_(std::move(pair)), specials_(std::move(specials)) {
  auto count = [&](const std::vector<TemplatePiece>& t) {
    size_t n = 0;
    for (const auto& p : t) {
      if (p.is_sequence) continue;
      auto it = specials_.find(p.special_id);
      AFINAR_CHECK_FORMAT(it != specials_.end(), "TemplateProcessing: special token \"", p.special_id,
                          "\" is used in a template but missing from special_tokens");
      n += it->second.ids.size();
    }
    return n;
  };
  added_single_ = count(single_);
  added_pair_ = count(pair_);
  size_t sequences = 0;
  for (const auto& p : single_) sequences += p.is_sequence;
  if (sequences == 1 && single_.size() > 0) {
    single_in_place_ = true;
    bool after = false;
    for (const auto& p : single_) {
      if (p.is_sequence) {
        single_in_place_ = single_in_place_ && p.sequence == 0;
        single_type_id_ = p.type_id;
        after = true;
        continue;
      }
      const auto& sp = specials_.at(p.special_id);
      for (size_t k = 0; k < sp.ids.size(); ++k)
        (after ? single_after_ : single_before_).push_back(Special{sp.ids[k], sp.tokens[k], p.type_id});
    }
  }
}

bool TemplateProcessing::uses_type_ids() const {
  for (const auto& p : pair_)
    if (p.type_id != 0) return true;
  return false;
}

Encoding TemplateProcessing::process(Encoding a, std::optional<Encoding> b, bool add_special_tokens) const {
  if (!b && single_in_place_) {
    std::fill(a.type_ids.begin(), a.type_ids.end(), single_type_id_);
    if (!add_special_tokens) return a;
    const size_t n = single_before_.size();
    if (n > 0) {  // [n specials] + a: one shift of each column
      auto front = [&](auto& v, auto value_of) {
        v.insert(v.begin(), n, value_of(single_before_[0]));
        for (size_t k = 1; k < n; ++k) v[k] = value_of(single_before_[k]);
      };
      front(a.ids, [](const Special& s) { return s.id; });
      front(a.type_ids, [](const Special& s) { return s.type_id; });
      front(a.tokens, [](const Special& s) { return s.token; });
      front(a.offsets, [](const Special&) { return std::pair<uint32_t, uint32_t>{0, 0}; });
      front(a.word_ids, [](const Special&) { return int32_t{-1}; });
      front(a.sequence_ids, [](const Special&) { return int32_t{-1}; });
      front(a.special_tokens_mask, [](const Special&) { return int8_t{1}; });
      front(a.attention_mask, [](const Special&) { return int8_t{1}; });
    }
    for (const auto& s : single_after_) append_special(a, s.id, s.token, s.type_id);
    return a;
  }
  const auto& tmpl = b ? pair_ : single_;
  Encoding out;
  const size_t total = a.size() + (b ? b->size() : 0) + (add_special_tokens ? added_tokens(b.has_value()) : 0);
  out.ids.reserve(total), out.type_ids.reserve(total), out.tokens.reserve(total), out.offsets.reserve(total);
  out.word_ids.reserve(total), out.sequence_ids.reserve(total), out.special_tokens_mask.reserve(total);
  out.attention_mask.reserve(total);
  for (size_t i = 0; i < tmpl.size(); ++i) {
    const auto& p = tmpl[i];
    if (p.is_sequence) {
      // The template's type id applies even without special tokens, as in HF.
      Encoding& src = p.sequence == 0 ? a : *b;
      size_t from = out.size();
      // The sequence's last use in the template can give its token strings away.
      bool last = std::none_of(tmpl.begin() + std::ptrdiff_t(i) + 1, tmpl.end(),
                               [&](const TemplatePiece& q) { return q.is_sequence && q.sequence == p.sequence; });
      if (last)
        append_encoding(out, std::move(src));
      else
        append_encoding(out, src);
      for (size_t t = from; t < out.size(); ++t) out.type_ids[t] = p.type_id;
    } else if (add_special_tokens) {
      const auto& sp = specials_.at(p.special_id);
      for (size_t k = 0; k < sp.ids.size(); ++k) append_special(out, sp.ids[k], sp.tokens[k], p.type_id);
    }
  }
  return out;
}

}  // namespace afinar::tokenizers
