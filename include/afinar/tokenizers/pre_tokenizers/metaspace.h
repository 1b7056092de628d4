/// Metaspace (sentencepiece): spaces become `replacement` (▁), a ▁ is prepended per
/// `prepend_scheme` (always | first | never; old files' add_prefix_space true = always), and with
/// `split` the text splits before each ▁.
///   "Hey friend" → ["▁Hey", "▁friend"]
#pragma once
#include <string>

#include "afinar/tokenizers/pre_tokenizers/pre_tokenizer.h"

namespace afinar::tokenizers {

enum class PrependScheme { Always, First, Never };
/// "always" | "first" | "never" (InvalidArgument otherwise).
PrependScheme parse_prepend_scheme(const std::string& s);

class Metaspace : public PreTokenizer {
 public:
  Metaspace(char32_t replacement, PrependScheme scheme, bool split);
  void pre_tokenize(PreTokenizedString& s) const override;

 private:
  char32_t replacement_;
  std::string rep_utf8_;
  PrependScheme scheme_;
  bool split_;
};

}  // namespace afinar::tokenizers
