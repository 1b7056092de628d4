/// Runs normalizers one after another.
#pragma once
#include <vector>

#include "afinar/tokenizers/normalizers/normalizer.h"

namespace afinar::tokenizers {

class NormalizerSequence : public Normalizer {
 public:
  explicit NormalizerSequence(std::vector<std::shared_ptr<const Normalizer>> parts) : parts_(std::move(parts)) {}
  void normalize(NormalizedString& s) const override {
    for (const auto& p : parts_) p->normalize(s);
  }

 private:
  std::vector<std::shared_ptr<const Normalizer>> parts_;
};

}  // namespace afinar::tokenizers
