/// Small normalizers of tokenizer.json: Strip, Prepend, Replace and ByteLevel.
///   Strip{left, right}: "  hi  " → "hi"
///   Prepend{"▁"}:       "hi" → "▁hi" (nothing on an empty text)
///   Replace{" ", "▁"}:  "a b" → "a▁b" (String patterns are literal, Regex ones Oniguruma)
///   ByteLevel:          "é" → "Ã©" (each UTF-8 byte as GPT-2's printable char)
#pragma once
#include <memory>
#include <string>

#include "afinar/tokenizers/normalizers/normalizer.h"
#include "afinar/tokenizers/regex.h"

namespace afinar::tokenizers {

class Strip : public Normalizer {
 public:
  Strip(bool left, bool right) : left_(left), right_(right) {}
  void normalize(NormalizedString& s) const override;

 private:
  bool left_, right_;
};

class Prepend : public Normalizer {
 public:
  explicit Prepend(std::string prepend) : prepend_(std::move(prepend)) {}
  void normalize(NormalizedString& s) const override;

 private:
  std::string prepend_;
};

/// A String or Regex pattern, as tokenizer.json's {"String": …} / {"Regex": …}.
class Pattern {
 public:
  static Pattern literal(std::string s);
  static Pattern regex(const std::string& re);
  void find_matches(std::string_view text, std::vector<PatternMatch>& out) const;

 private:
  std::string literal_;
  std::shared_ptr<const Regex> regex_;
};

class Replace : public Normalizer {
 public:
  Replace(Pattern pattern, std::string content) : pattern_(std::move(pattern)), content_(std::move(content)) {}
  void normalize(NormalizedString& s) const override;

 private:
  Pattern pattern_;
  std::string content_;
};

class ByteLevelNormalizer : public Normalizer {
 public:
  void normalize(NormalizedString& s) const override;
};

}  // namespace afinar::tokenizers
