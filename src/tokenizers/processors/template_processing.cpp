#include "afinar/tokenizers/processors/template_processing.h"

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
  out.ids.reserve(a.size() + (b ? b->size() : 0) + added_tokens(b.has_value()));
  for (const auto& p : tmpl) {
    if (p.is_sequence) {
      // The template's type id applies even without special tokens, as in HF.
      const Encoding& src = p.sequence == 0 ? a : *b;
      size_t from = out.size();
      append_encoding(out, src);
      for (size_t i = from; i < out.size(); ++i) out.type_ids[i] = p.type_id;
    } else if (add_special_tokens) {
      const auto& sp = specials_.at(p.special_id);
      for (size_t k = 0; k < sp.ids.size(); ++k) append_special(out, sp.ids[k], sp.tokens[k], p.type_id);
    }
  }
  return out;
}

}  // namespace afinar::tokenizers
