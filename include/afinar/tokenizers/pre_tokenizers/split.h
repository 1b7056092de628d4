/// Splitting pre-tokenizers of tokenizer.json:
///   Split{pattern, behavior, invert}: String (literal) or Regex (Oniguruma) pattern;
///   CharDelimiterSplit{delimiter}: removes the delimiter char;
///   Punctuation{behavior}: each punctuation char (ASCII or Unicode P*), default Isolated;
///   Digits{individual_digits}: digits isolated one by one, or as contiguous runs.
///   Split{" ", Removed}: "a b" → ["a", "b"];  Digits{false}: "ab123c" → ["ab", "123", "c"]
#pragma once
#include <memory>

#include "afinar/tokenizers/normalizers/simple_normalizers.h"
#include "afinar/tokenizers/pre_tokenizers/pre_tokenizer.h"

namespace afinar::tokenizers {

class SplitPreTokenizer : public PreTokenizer {
 public:
  SplitPreTokenizer(Pattern pattern, SplitBehavior behavior, bool invert)
      : pattern_(std::move(pattern)), behavior_(behavior), invert_(invert) {}
  void pre_tokenize(PreTokenizedString& s) const override;

 private:
  Pattern pattern_;
  SplitBehavior behavior_;
  bool invert_;
};

class CharDelimiterSplit : public PreTokenizer {
 public:
  explicit CharDelimiterSplit(char32_t delimiter) : delimiter_(delimiter) {}
  void pre_tokenize(PreTokenizedString& s) const override;

 private:
  char32_t delimiter_;
};

class Punctuation : public PreTokenizer {
 public:
  explicit Punctuation(SplitBehavior behavior) : behavior_(behavior) {}
  void pre_tokenize(PreTokenizedString& s) const override;

 private:
  SplitBehavior behavior_;
};

class Digits : public PreTokenizer {
 public:
  explicit Digits(bool individual_digits) : individual_(individual_digits) {}
  void pre_tokenize(PreTokenizedString& s) const override;

 private:
  bool individual_;
};

}  // namespace afinar::tokenizers
