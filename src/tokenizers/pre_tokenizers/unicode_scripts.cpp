#include "afinar/tokenizers/pre_tokenizers/unicode_scripts.h"

#include <algorithm>
#include <iterator>

namespace afinar::tokenizers {

namespace {

struct ScriptRange {
  char32_t first, last;
  uint8_t script;
};

#include "unicode_scripts_table.inc"

int raw_script(char32_t c) {
  // First range ending at or after c; c has a script when that range also starts at or before it.
  auto it = std::lower_bound(std::begin(kScriptRanges), std::end(kScriptRanges), c,
                             [](const ScriptRange& r, char32_t v) { return r.last < v; });
  if (it == std::end(kScriptRanges) || it->first > c) return kNoScript;
  return it->script;
}

}  // namespace

// HF's fixed_script (from sentencepiece's IsValidSentencePiece): U+30FC (prolonged sound mark,
// Common in Scripts.txt) and the kana count as Han; only U+0020 among spaces is scriptless.
int unicode_script(char32_t c) {
  if (c == 0x30FC) return kScriptHan;
  if (c == U' ') return kNoScript;
  int s = raw_script(c);
  if (s == kScriptHiragana || s == kScriptKatakana) return kScriptHan;
  return s;
}

// A split starts at every character whose script differs from the last scripted character before
// it; scriptless characters neither start a split nor reset the last script. As in HF, the first
// split starts at the first scripted character: scriptless characters before it are dropped.
void UnicodeScripts::pre_tokenize(PreTokenizedString& s) const {
  s.split([](std::string_view word, auto push) {
    int last = kNoScript;
    uint32_t start = 0;
    size_t i = 0;
    while (i < word.size()) {
      auto b = static_cast<uint32_t>(i);
      int script = unicode_script(next_char(word, i));
      if (script == kNoScript || script == last) continue;
      if (last != kNoScript) push(start, b);
      start = b;
      last = script;
    }
    if (last != kNoScript) push(start, static_cast<uint32_t>(word.size()));
  });
}

}  // namespace afinar::tokenizers
