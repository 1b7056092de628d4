/// RobertaProcessing: "<s> A </s>" and "<s> A </s> </s> B </s>", every type id 0; with
/// trim_offsets the offsets of each token leave out its leading/trailing spaces ("Ġ").
/// ByteLevelProcessing: only the offset trimming (GPT-2's post_processor).
#pragma once
#include "afinar/tokenizers/processors/processor.h"

namespace afinar::tokenizers {

/// HF's byte-level process_offsets: trims spaces (Ġ or whitespace) off each token's offsets; with
/// add_prefix_space the single added space of a first token stays.
void trim_byte_level_offsets(Encoding& e, bool add_prefix_space);

class RobertaProcessing : public PostProcessor {
 public:
  RobertaProcessing(std::string sep, int32_t sep_id, std::string cls, int32_t cls_id, bool trim_offsets,
                    bool add_prefix_space)
      : sep_(std::move(sep)), cls_(std::move(cls)), sep_id_(sep_id), cls_id_(cls_id), trim_(trim_offsets),
        add_prefix_space_(add_prefix_space) {}
  size_t added_tokens(bool is_pair) const override { return is_pair ? 4 : 2; }
  Encoding process(Encoding a, std::optional<Encoding> b, bool add_special_tokens) const override;
  bool uses_type_ids() const override { return false; }

 private:
  std::string sep_, cls_;
  int32_t sep_id_, cls_id_;
  bool trim_, add_prefix_space_;
};

class ByteLevelProcessing : public PostProcessor {
 public:
  ByteLevelProcessing(bool trim_offsets, bool add_prefix_space) : trim_(trim_offsets), add_prefix_space_(add_prefix_space) {}
  size_t added_tokens(bool) const override { return 0; }
  Encoding process(Encoding a, std::optional<Encoding> b, bool add_special_tokens) const override;
  bool uses_type_ids() const override { return false; }
  void adjust(Encoding& e) const override {
    if (trim_) trim_byte_level_offsets(e, add_prefix_space_);
  }

 private:
  bool trim_, add_prefix_space_;
};

/// Sequence: processors in turn. Every one but the last may only adjust offsets (ByteLevel),
/// which covers the files in use ([ByteLevel, TemplateProcessing]).
class ProcessorSequence : public PostProcessor {
 public:
  explicit ProcessorSequence(std::vector<std::shared_ptr<const PostProcessor>> parts);
  size_t added_tokens(bool is_pair) const override;
  Encoding process(Encoding a, std::optional<Encoding> b, bool add_special_tokens) const override;
  bool uses_type_ids() const override;
  void adjust(Encoding& e) const override;

 private:
  std::vector<std::shared_ptr<const PostProcessor>> parts_;
};

}  // namespace afinar::tokenizers
