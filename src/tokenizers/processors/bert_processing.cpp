#include "afinar/tokenizers/processors/bert_processing.h"

namespace afinar::tokenizers {

Encoding BertProcessing::process(Encoding a, std::optional<Encoding> b, bool add_special_tokens) const {
  if (!add_special_tokens) return default_process(std::move(a), std::move(b));
  Encoding out;
  out.ids.reserve(a.size() + (b ? b->size() : 0) + 3);
  append_special(out, cls_id_, cls_, 0);
  append_encoding(out, a);
  append_special(out, sep_id_, sep_, 0);
  if (b) {
    size_t from = out.size();
    append_encoding(out, *b);
    append_special(out, sep_id_, sep_, 1);
    for (size_t i = from; i < out.size(); ++i) out.type_ids[i] = 1;
  }
  return out;
}

}  // namespace afinar::tokenizers
