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
}

bool TemplateProcessing::uses_type_ids() const {
  for (const auto& p : pair_)
    if (p.type_id != 0) return true;
  return false;
}

Encoding TemplateProcessing::process(Encoding a, std::optional<Encoding> b, bool add_special_tokens) const {
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
      if (last) append_encoding(out, std::move(src));
      else append_encoding(out, src);
      for (size_t t = from; t < out.size(); ++t) out.type_ids[t] = p.type_id;
    } else if (add_special_tokens) {
      const auto& sp = specials_.at(p.special_id);
      for (size_t k = 0; k < sp.ids.size(); ++k) append_special(out, sp.ids[k], sp.tokens[k], p.type_id);
    }
  }
  return out;
}

}  // namespace afinar::tokenizers
