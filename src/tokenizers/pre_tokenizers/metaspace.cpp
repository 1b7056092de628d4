#include "afinar/tokenizers/pre_tokenizers/metaspace.h"

#include "afinar/core/check.h"

namespace afinar::tokenizers {

PrependScheme parse_prepend_scheme(const std::string& s) {
  if (s == "always") return PrependScheme::Always;
  if (s == "first") return PrependScheme::First;
  if (s == "never") return PrependScheme::Never;
  throw InvalidArgument("prepend_scheme must be always, first or never, got \"" + s + "\"");
}

Metaspace::Metaspace(char32_t replacement, PrependScheme scheme, bool split)
    : replacement_(replacement), scheme_(scheme), split_(split) {
  char buf[4];
  rep_utf8_.assign(buf, append_utf8(replacement, buf));
}

void Metaspace::pre_tokenize(PreTokenizedString& s) const {
  s.transform([&](std::string_view word, PreTokenizedString::Writer& w) {
    // HF replaces spaces first, then prepends unless the word now starts with the replacement.
    bool starts = word[0] == ' ' || word.compare(0, rep_utf8_.size(), rep_utf8_) == 0;
    bool prepend = scheme_ == PrependScheme::Always || (scheme_ == PrependScheme::First && w.source(0).start == 0);
    if (prepend && !starts) w.emit_utf8(rep_utf8_, 0);
    uint32_t run = 0;
    for (uint32_t k = 0; k < word.size(); ++k) {
      if (word[k] != ' ') continue;
      w.copy(run, k);
      w.emit_utf8(rep_utf8_, k);
      run = k + 1;
    }
    w.copy(run, static_cast<uint32_t>(word.size()));
  });
  if (split_) {
    char32_t rep = replacement_;
    split_by(
        s, [rep](std::string_view word, auto& out) { find_char_matches(word, [rep](char32_t c) { return c == rep; }, out); },
        SplitBehavior::MergedWithNext);
  }
}

}  // namespace afinar::tokenizers
