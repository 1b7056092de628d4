/// BERT's normalizer: drop control characters and map whitespace to ' ' (clean_text), pad CJK
/// ideographs with spaces, strip accents (NFD then drop marks; null follows lowercase), lowercase.
#pragma once
#include <optional>

#include "afinar/tokenizers/normalizers/normalizer.h"

namespace afinar::tokenizers {

struct BertNormalizerOptions {
  bool clean_text = true;
  bool handle_chinese_chars = true;
  std::optional<bool> strip_accents;  ///< unset: same as lowercase (HF)
  bool lowercase = true;
};

class BertNormalizer : public Normalizer {
 public:
  explicit BertNormalizer(BertNormalizerOptions o) : o_(o), strip_(o.strip_accents.value_or(o.lowercase)) {}
  void normalize(NormalizedString& s) const override;

 private:
  BertNormalizerOptions o_;
  bool strip_;
};

}  // namespace afinar::tokenizers
