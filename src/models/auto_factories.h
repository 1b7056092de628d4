// Internal to src/models: the AutoModel factory of every model family × head, defined in the
// family's folder (src/models/<family>/auto_<family>.cpp) and listed in auto.cpp's registry.
// A factory builds the model from config.json (`config`, with from_pretrained's overrides
// applied), loads the checkpoint in `dir`, and names `source` in its messages.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "afinar/core/fs.h"
#include "afinar/models/modeling.h"

namespace afinar::detail {

#define AFINAR_MODEL_FACTORY(name)                                                                   \
  PreTrainedModel name(const nlohmann::json& config, const fs::path& dir, const std::string& source, \
                       const FromPretrainedOptions& opt)

// BERT (src/models/bert/auto_bert.cpp)
AFINAR_MODEL_FACTORY(bert_for_sequence_classification);
AFINAR_MODEL_FACTORY(bert_for_token_classification);
AFINAR_MODEL_FACTORY(bert_for_masked_lm);
AFINAR_MODEL_FACTORY(bert_for_question_answering);
AFINAR_MODEL_FACTORY(bert_lm_head_model);  // needs is_decoder: true
// RoBERTa (src/models/roberta/auto_roberta.cpp)
AFINAR_MODEL_FACTORY(roberta_for_sequence_classification);
AFINAR_MODEL_FACTORY(roberta_for_token_classification);
AFINAR_MODEL_FACTORY(roberta_for_masked_lm);
AFINAR_MODEL_FACTORY(roberta_for_question_answering);
AFINAR_MODEL_FACTORY(roberta_for_causal_lm);  // needs is_decoder: true
// DistilBERT (src/models/distilbert/auto_distilbert.cpp)
AFINAR_MODEL_FACTORY(distilbert_for_sequence_classification);
AFINAR_MODEL_FACTORY(distilbert_for_token_classification);
AFINAR_MODEL_FACTORY(distilbert_for_masked_lm);
AFINAR_MODEL_FACTORY(distilbert_for_question_answering);
// Decoders: GPT-2, Llama family (src/models/gpt2/, src/models/llama/)
AFINAR_MODEL_FACTORY(gpt2_lm_head_model);
AFINAR_MODEL_FACTORY(gpt2_for_sequence_classification);
AFINAR_MODEL_FACTORY(gpt2_for_token_classification);
AFINAR_MODEL_FACTORY(gpt2_for_question_answering);
AFINAR_MODEL_FACTORY(llama_for_causal_lm);  // also model_type qwen2 and mistral
AFINAR_MODEL_FACTORY(llama_for_sequence_classification);
AFINAR_MODEL_FACTORY(llama_for_token_classification);
AFINAR_MODEL_FACTORY(llama_for_question_answering);
// Encoder-decoders: T5, BART (src/models/t5/, src/models/bart/)
AFINAR_MODEL_FACTORY(t5_for_conditional_generation);
AFINAR_MODEL_FACTORY(t5_for_sequence_classification);
AFINAR_MODEL_FACTORY(t5_for_token_classification);
AFINAR_MODEL_FACTORY(t5_for_question_answering);
AFINAR_MODEL_FACTORY(bart_for_conditional_generation);
AFINAR_MODEL_FACTORY(bart_for_sequence_classification);
AFINAR_MODEL_FACTORY(bart_for_question_answering);
AFINAR_MODEL_FACTORY(bart_for_causal_lm);

}  // namespace afinar::detail
