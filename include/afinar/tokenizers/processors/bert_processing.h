/// BertProcessing: "[CLS] A [SEP]" and "[CLS] A [SEP] B [SEP]", type id 1 for "B [SEP]".
#pragma once
#include "afinar/tokenizers/processors/processor.h"

namespace afinar::tokenizers {

class BertProcessing : public PostProcessor {
 public:
  BertProcessing(std::string sep, int32_t sep_id, std::string cls, int32_t cls_id)
      : sep_(std::move(sep)), cls_(std::move(cls)), sep_id_(sep_id), cls_id_(cls_id) {}
  size_t added_tokens(bool is_pair) const override { return is_pair ? 3 : 2; }
  Encoding process(Encoding a, std::optional<Encoding> b, bool add_special_tokens) const override;
  bool uses_type_ids() const override { return true; }

 private:
  std::string sep_, cls_;
  int32_t sep_id_, cls_id_;
};

}  // namespace afinar::tokenizers
