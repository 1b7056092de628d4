// Follows nltk/stem/porter.py (PorterStemmer, mode NLTK_EXTENSIONS) step by step; each function
// names the nltk method it mirrors. Words are code-point strings, like a Python str.
#include "afinar/metrics/porter_stemmer.h"

#include <array>
#include <span>
#include <utility>

namespace afinar {

namespace {

using Word = std::u32string;
using View = std::u32string_view;

// Bytes that are not UTF-8 become U+DC80..U+DCFF (Python's "surrogateescape"), which no valid
// UTF-8 decodes to, so encode() gives them back byte for byte.
constexpr char32_t kEscape = 0xDC00;

Word decode(std::string_view s) {
  static constexpr std::array<char32_t, 5> kMin = {0, 0, 0x80, 0x800, 0x10000};  // shortest form per length
  Word out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    const size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    char32_t cp = len == 1 ? b : len == 2 ? (b & 0x1Fu) : len == 3 ? (b & 0x0Fu) : (b & 0x07u);
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      ok = (c & 0xC0) == 0x80;
      cp = (cp << 6) | (c & 0x3Fu);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
    ok = ok && cp >= kMin[len] && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
    out.push_back(ok ? cp : kEscape + b);
    i += ok ? len : 1;
  }
  return out;
}

std::string encode(View w) {
  std::string out;
  out.reserve(w.size());
  for (char32_t c : w) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c >= kEscape + 0x80 && c <= kEscape + 0xFF) {
      out += static_cast<char>(c - kEscape);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

bool is_vowel(char32_t c) {
  return c == U'a' || c == U'e' || c == U'i' || c == U'o' || c == U'u';
}

// _is_consonant: 'y' is a consonant at the start of the word or after a vowel, a vowel after a
// consonant; resolved by walking back over the run of 'y's.
bool is_consonant(View w, size_t i) {
  bool negate = false;
  while (i > 0 && w[i] == U'y') {
    negate = !negate;
    --i;
  }
  return !is_vowel(w[i]) != negate;
}

// _measure: m in [C](VC){m}[V], i.e. the number of vowel -> consonant transitions.
int64_t measure(View w) {
  int64_t m = 0;
  bool prev_consonant = true;
  for (size_t i = 0; i < w.size(); ++i) {
    const bool consonant = !is_vowel(w[i]) && (w[i] != U'y' || i == 0 || !prev_consonant);
    if (i > 0 && !prev_consonant && consonant) ++m;
    prev_consonant = consonant;
  }
  return m;
}

bool contains_vowel(View w) {
  bool prev_consonant = true;
  for (size_t i = 0; i < w.size(); ++i) {
    prev_consonant = !is_vowel(w[i]) && (w[i] != U'y' || i == 0 || !prev_consonant);
    if (!prev_consonant) return true;
  }
  return false;
}

bool ends_double_consonant(View w) {
  return w.size() >= 2 && w.back() == w[w.size() - 2] && is_consonant(w, w.size() - 1);
}

// _ends_cvc (*o), with NLTK's extension that a 2-letter vowel-consonant word also counts.
bool ends_cvc(View w) {
  const size_t n = w.size();
  if (n >= 3 && is_consonant(w, n - 3) && !is_consonant(w, n - 2) && is_consonant(w, n - 1) && w.back() != U'w' &&
      w.back() != U'x' && w.back() != U'y')
    return true;
  return n == 2 && !is_consonant(w, 0) && is_consonant(w, 1);
}

// A rule's condition sees the stem left after removing the suffix and the word it was taken from.
using Condition = bool (*)(View stem, View word);

struct Rule {
  View suffix, replacement;
  Condition condition = nullptr;  // nullptr: unconditional
};

// _apply_rule_list: the first rule whose suffix matches decides; a failed condition stops the list.
// The suffix "*d" stands for "ends in a double consonant", and also matches a literal "*d" as nltk's does.
Word apply_rule_list(const Word& word, std::span<const Rule> rules) {
  for (const Rule& r : rules) {
    size_t cut = 0;
    if (r.suffix == U"*d" && ends_double_consonant(word)) {
      cut = 2;
    } else if (word.ends_with(r.suffix)) {
      cut = r.suffix.size();
    } else {
      continue;
    }
    const View stem = View(word).substr(0, word.size() - cut);
    if (r.condition != nullptr && !r.condition(stem, word)) return word;
    return Word(stem) + Word(r.replacement);
  }
  return word;
}

Word strip(const Word& w, size_t n) {
  return w.substr(0, w.size() - n);
}

bool m_gt_0(View stem, View) {
  return measure(stem) > 0;
}
bool m_gt_1(View stem, View) {
  return measure(stem) > 1;
}

Word step1a(const Word& w) {
  // NLTK: 'flies' -> 'fli' but 'dies' -> 'die'.
  if (w.size() == 4 && w.ends_with(U"ies")) return strip(w, 3) + U"ie";
  static constexpr Rule kRules[] = {{U"sses", U"ss"}, {U"ies", U"i"}, {U"ss", U"ss"}, {U"s", U""}};
  return apply_rule_list(w, kRules);
}

Word step1b(const Word& w) {
  // NLTK: 'spied' -> 'spi' but 'died' -> 'die'.
  if (w.ends_with(U"ied")) return strip(w, 3) + (w.size() == 4 ? U"ie" : U"i");
  if (w.ends_with(U"eed")) return measure(View(w).substr(0, w.size() - 3)) > 0 ? strip(w, 1) : w;
  Word stem;
  bool removed = false;
  for (View suffix : {View(U"ed"), View(U"ing")}) {
    if (w.ends_with(suffix)) {
      stem = strip(w, suffix.size());
      if (contains_vowel(stem)) {
        removed = true;
        break;
      }
    }
  }
  if (!removed) return w;
  // (*d and not (*L or *S or *Z)) -> single letter: the replacement is the stem's last letter.
  const Word last(1, stem.back());
  const Rule rules[] = {
      {U"at", U"ate"},
      {U"bl", U"ble"},
      {U"iz", U"ize"},
      {U"*d", last, [](View, View word) { return word.back() != U'l' && word.back() != U's' && word.back() != U'z'; }},
      {U"", U"e", [](View s, View) { return measure(s) == 1 && ends_cvc(s); }},
  };
  return apply_rule_list(stem, rules);
}

Word step1c(const Word& w) {
  // NLTK: y -> i after a consonant that is not the whole stem ('happy' -> 'happi', 'enjoy', 'by').
  static constexpr Rule kRules[] = {
      {U"y", U"i", [](View s, View) { return s.size() > 1 && is_consonant(s, s.size() - 1); }}};
  return apply_rule_list(w, kRules);
}

Word step2(const Word& w) {
  // NLTK applies ALLI -> AL first and runs the result through step 2 again.
  if (w.ends_with(U"alli") && measure(View(w).substr(0, w.size() - 4)) > 0) return step2(strip(w, 2));
  static constexpr Rule kRules[] = {
      {U"ational", U"ate", m_gt_0},
      {U"tional", U"tion", m_gt_0},
      {U"enci", U"ence", m_gt_0},
      {U"anci", U"ance", m_gt_0},
      {U"izer", U"ize", m_gt_0},
      {U"bli", U"ble", m_gt_0},
      {U"alli", U"al", m_gt_0},
      {U"entli", U"ent", m_gt_0},
      {U"eli", U"e", m_gt_0},
      {U"ousli", U"ous", m_gt_0},
      {U"ization", U"ize", m_gt_0},
      {U"ation", U"ate", m_gt_0},
      {U"ator", U"ate", m_gt_0},
      {U"alism", U"al", m_gt_0},
      {U"iveness", U"ive", m_gt_0},
      {U"fulness", U"ful", m_gt_0},
      {U"ousness", U"ous", m_gt_0},
      {U"aliti", U"al", m_gt_0},
      {U"iviti", U"ive", m_gt_0},
      {U"biliti", U"ble", m_gt_0},
      {U"fulli", U"ful", m_gt_0},
      // The 'l' of 'logi' stays with the stem, so 'geo', 'theo' count like 'archaeo'.
      {U"logi", U"log", [](View, View word) { return measure(word.substr(0, word.size() - 3)) > 0; }},
  };
  return apply_rule_list(w, kRules);
}

Word step3(const Word& w) {
  static constexpr Rule kRules[] = {
      {U"icate", U"ic", m_gt_0}, {U"ative", U"", m_gt_0}, {U"alize", U"al", m_gt_0}, {U"iciti", U"ic", m_gt_0},
      {U"ical", U"ic", m_gt_0},  {U"ful", U"", m_gt_0},   {U"ness", U"", m_gt_0},
  };
  return apply_rule_list(w, kRules);
}

Word step4(const Word& w) {
  static constexpr Rule kRules[] = {
      {U"al", U"", m_gt_1},
      {U"ance", U"", m_gt_1},
      {U"ence", U"", m_gt_1},
      {U"er", U"", m_gt_1},
      {U"ic", U"", m_gt_1},
      {U"able", U"", m_gt_1},
      {U"ible", U"", m_gt_1},
      {U"ant", U"", m_gt_1},
      {U"ement", U"", m_gt_1},
      {U"ment", U"", m_gt_1},
      {U"ent", U"", m_gt_1},
      {U"ion", U"", [](View s, View) { return measure(s) > 1 && (s.back() == U's' || s.back() == U't'); }},
      {U"ou", U"", m_gt_1},
      {U"ism", U"", m_gt_1},
      {U"ate", U"", m_gt_1},
      {U"iti", U"", m_gt_1},
      {U"ous", U"", m_gt_1},
      {U"ive", U"", m_gt_1},
      {U"ize", U"", m_gt_1},
  };
  return apply_rule_list(w, kRules);
}

Word step5a(const Word& w) {
  // Both (m>1) E -> and (m=1 and not *o) E -> are tried, so not a rule list.
  if (!w.ends_with(U'e')) return w;
  const Word stem = strip(w, 1);
  const int64_t m = measure(stem);
  return m > 1 || (m == 1 && !ends_cvc(stem)) ? stem : w;
}

Word step5b(const Word& w) {
  static constexpr Rule kRules[] = {
      {U"ll", U"l", [](View, View word) { return measure(word.substr(0, word.size() - 1)) > 1; }}};
  return apply_rule_list(w, kRules);
}

// NLTK's table of irregular forms: form -> stem, checked on the lowercased word before any step.
constexpr std::pair<View, View> kPool[] = {
    {U"sky", U"sky"},        {U"skies", U"sky"},       {U"dying", U"die"},        {U"lying", U"lie"},
    {U"tying", U"tie"},      {U"news", U"news"},       {U"innings", U"inning"},   {U"inning", U"inning"},
    {U"outings", U"outing"}, {U"outing", U"outing"},   {U"cannings", U"canning"}, {U"canning", U"canning"},
    {U"howe", U"howe"},      {U"proceed", U"proceed"}, {U"exceed", U"exceed"},    {U"succeed", U"succeed"},
};

}  // namespace

std::string porter_stem(std::string_view word) {
  Word w = decode(word);
  for (char32_t& c : w)
    if (c >= U'A' && c <= U'Z') c += U'a' - U'A';
  for (const auto& [form, stem] : kPool)
    if (w == form) return encode(stem);
  // Words of 1 or 2 characters are not stemmed.
  if (w.size() <= 2) return encode(w);
  return encode(step5b(step5a(step4(step3(step2(step1c(step1b(step1a(w)))))))));
}

}  // namespace afinar
