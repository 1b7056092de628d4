/// UnicodeScripts (HF's pre_tokenizers.UnicodeScripts): splits where the Unicode script changes.
/// Hiragana, Katakana and U+30FC count as Han; spaces and characters without a script never split
/// and stay with the run before them.
///   "どこで生れ。Yes"      → ["どこで生れ", "。", "Yes"]
///   "Apples are りんご 林檎" → ["Apples are ", "りんご 林檎"]
#pragma once
#include <cstdint>

#include "afinar/tokenizers/pre_tokenizers/pre_tokenizer.h"

namespace afinar::tokenizers {

/// Script index of a codepoint after UnicodeScripts' folding (see unicode_scripts_table.inc),
/// or kNoScript for spaces and characters without a script.
inline constexpr int kNoScript = -1;
int unicode_script(char32_t c);

class UnicodeScripts : public PreTokenizer {
 public:
  void pre_tokenize(PreTokenizedString& s) const override;
};

}  // namespace afinar::tokenizers
