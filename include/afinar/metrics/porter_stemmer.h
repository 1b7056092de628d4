/// nltk's Porter stemmer, PorterStemmer().stem(word): the default NLTK_EXTENSIONS mode with
/// to_lowercase=True, which is what rouge_score's DefaultTokenizer(use_stemmer=True) runs on every
/// token longer than 3 characters. It follows nltk exactly, including its departures from Porter's
/// paper: the pool of irregular forms (skies -> sky, dying -> die, news, proceed, ...), words of at
/// most 2 characters returned as they are, "ies"/"ied" on 4-letter words (dies -> die), y -> i only
/// after a consonant, "alli" before "bli", and the "fulli" / "logi" rules.
///
///   afinar::porter_stem("generously");   // "gener"
///   afinar::porter_stem("Skies");        // "sky"
///
/// Input is read as UTF-8 and the algorithm runs on code points, as nltk does on a Python str;
/// only 'a', 'e', 'i', 'o', 'u' are vowels, so every other code point (digits, punctuation,
/// non-ASCII letters) counts as a consonant, exactly as in nltk. Where afinar differs: only ASCII
/// A-Z is lowercased (Python's str.lower() also lowercases non-ASCII letters, so "CAFÉS" gives
/// "cafÉ" here and "café" in nltk), and bytes that are not valid UTF-8 are each one consonant and
/// come back unchanged. rouge_score's tokenizer only ever passes [a-z0-9]+ tokens, where the two
/// agree.
#pragma once
#include <string>
#include <string_view>

namespace afinar {

/// The stem of `word` (nltk.stem.porter.PorterStemmer().stem(word)).
std::string porter_stem(std::string_view word);

}  // namespace afinar
