/// Character-wise normalizers: Lowercase, StripAccents and the Unicode forms NFD/NFKD/NFC/NFKC.
///
/// Decomposed characters align with the character they came from (as HF). For NFC/NFKC a
/// composed character aligns with the whole run it was composed from.
#pragma once
#include "afinar/tokenizers/normalizers/normalizer.h"

namespace afinar::tokenizers {

class Lowercase : public Normalizer {
 public:
  void normalize(NormalizedString& s) const override;
};

/// Removes combining marks (HF applies it after an NFD/NFKD normalizer).
class StripAccents : public Normalizer {
 public:
  void normalize(NormalizedString& s) const override;
};

enum class UnicodeForm { NFD, NFKD, NFC, NFKC };

class UnicodeNormalizer : public Normalizer {
 public:
  explicit UnicodeNormalizer(UnicodeForm form) : form_(form) {}
  void normalize(NormalizedString& s) const override;

 private:
  UnicodeForm form_;
};

/// Decomposes `s` canonically (compat: NFKD) and reorders combining marks, keeping alignments.
void decompose(NormalizedString& s, bool compat);

}  // namespace afinar::tokenizers
