/// TemplateProcessing: templates of special tokens and sequences, as in tokenizer.json:
///   single: [CLS]:0 $A:0 [SEP]:0     pair: [CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1
/// A special token may stand for several ids ("special_tokens" map).
#pragma once
#include <map>
#include <vector>

#include "afinar/tokenizers/processors/processor.h"

namespace afinar::tokenizers {

struct TemplatePiece {
  bool is_sequence = false;
  int sequence = 0;        ///< 0 for $A, 1 for $B
  std::string special_id;  ///< key into the special tokens map
  int32_t type_id = 0;
};

struct TemplateSpecialToken {
  std::vector<int32_t> ids;
  std::vector<std::string> tokens;
};

class TemplateProcessing : public PostProcessor {
 public:
  TemplateProcessing(std::vector<TemplatePiece> single, std::vector<TemplatePiece> pair,
                     std::map<std::string, TemplateSpecialToken> specials);
  size_t added_tokens(bool is_pair) const override { return is_pair ? added_pair_ : added_single_; }
  Encoding process(Encoding a, std::optional<Encoding> b, bool add_special_tokens) const override;
  bool uses_type_ids() const override;

 private:
  std::vector<TemplatePiece> single_, pair_;
  std::map<std::string, TemplateSpecialToken> specials_;
  size_t added_single_ = 0, added_pair_ = 0;
  // The single template as specials around one $A ([CLS] $A [SEP] and the like): processed in
  // place, without building a second Encoding.
  struct Special {
    int32_t id;
    std::string token;
    int32_t type_id;
  };
  bool single_in_place_ = false;
  std::vector<Special> single_before_, single_after_;
  int32_t single_type_id_ = 0;
};

}  // namespace afinar::tokenizers
