// Shared by the tests that run every family × head: tiny random models built in C++ (vocab 99,
// hidden 32, 2 layers, 4 heads, as transformers' tests), and batches for them.
#pragma once
#include <torch/torch.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "afinar/models/bart/modeling_bart.h"
#include "afinar/models/bert/modeling_bert.h"
#include "afinar/models/distilbert/modeling_distilbert.h"
#include "afinar/models/gpt2/modeling_gpt2.h"
#include "afinar/models/llama/modeling_llama.h"
#include "afinar/models/modeling.h"
#include "afinar/models/roberta/modeling_roberta.h"
#include "afinar/models/t5/modeling_t5.h"

namespace afinar::tiny {

enum class Kind { kSequence, kToken, kMaskedLM, kCausalLM, kQuestionAnswering, kSeq2SeqLM };

struct TinyHead {
  std::string name;  ///< the architecture, e.g. "BertForSequenceClassification"
  Kind kind;
  std::function<PreTrainedModel()> make;
  int64_t pad_id;                 ///< config.pad_token_id: what batches pad input_ids with
  std::optional<int64_t> eos_id;  ///< every row ends with it (BART/T5 pool at the last eos)
  bool packable;                  ///< takes packed rows (cu_seq_lens / seq_idx)
  int64_t first_id = 3;           ///< real tokens are drawn from [first_id, 99): never a special id
};

inline std::ostream& operator<<(std::ostream& os, const TinyHead& h) {
  return os << h.name;
}

/// BertConfig / RobertaConfig (the same fields, BertStyleConfig) at the tiny size.
template <typename Config>
Config bert_style_config(int64_t num_labels, bool decoder) {
  Config c;
  c.vocab_size = 99, c.hidden_size = 32, c.num_hidden_layers = 2, c.num_attention_heads = 4;
  c.intermediate_size = 37, c.max_position_embeddings = 64;
  c.is_decoder = decoder;
  c.set_num_labels(num_labels);
  return c;
}

inline BertConfig bert_config(int64_t num_labels, bool decoder = false) {
  return bert_style_config<BertConfig>(num_labels, decoder);
}

inline RobertaConfig roberta_config(int64_t num_labels, bool decoder = false) {
  return bert_style_config<RobertaConfig>(num_labels, decoder);
}

inline DistilBertConfig distilbert_config(int64_t num_labels) {
  DistilBertConfig c;
  c.vocab_size = 99, c.dim = 32, c.n_layers = 2, c.n_heads = 4, c.hidden_dim = 37, c.max_position_embeddings = 64;
  c.set_num_labels(num_labels);
  return c;
}

inline GPT2Config gpt2_config(int64_t num_labels) {
  GPT2Config c;
  c.vocab_size = 99, c.n_embd = 32, c.n_layer = 2, c.n_head = 4, c.n_positions = 64;
  c.pad_token_id = 0;
  c.set_num_labels(num_labels);
  return c;
}

inline LlamaConfig llama_config(int64_t num_labels, const std::string& model_type = "llama") {
  LlamaConfig c;
  c.model_type = model_type;
  c.vocab_size = 99, c.hidden_size = 32, c.intermediate_size = 37, c.num_hidden_layers = 2;
  c.num_attention_heads = 4, c.num_key_value_heads = 2, c.head_dim = 8, c.max_position_embeddings = 64;
  c.pad_token_id = 0;
  if (model_type == "mistral") c.sliding_window = 3;  // shorter than the rows: the window is active
  c.set_num_labels(num_labels);
  return c;
}

inline T5Config t5_config(int64_t num_labels) {
  T5Config c;
  c.vocab_size = 99, c.d_model = 32, c.d_kv = 8, c.d_ff = 37, c.num_layers = 2, c.num_heads = 4;
  c.relative_attention_num_buckets = 8, c.relative_attention_max_distance = 20;
  c.decoder_start_token_id = 0;
  c.set_num_labels(num_labels);
  return c;
}

inline BartConfig bart_config(int64_t num_labels) {
  BartConfig c;
  c.vocab_size = 99, c.d_model = 32, c.encoder_layers = 2, c.decoder_layers = 2, c.encoder_attention_heads = 4;
  c.decoder_attention_heads = 4, c.encoder_ffn_dim = 37, c.decoder_ffn_dim = 37, c.max_position_embeddings = 64;
  c.set_num_labels(num_labels);
  return c;
}

template <typename Impl, typename Config>
std::function<PreTrainedModel()> maker(Config c) {
  return [c] {
    PreTrainedModel m = std::make_shared<Impl>(c);
    m->eval();  // dropout off: every comparison is deterministic
    return m;
  };
}

/// Every family × head afinar has: name, kind, model, pad id, eos id, takes packed rows, first real id.
inline const std::vector<TinyHead>& all_heads() {
  constexpr Kind kSeq = Kind::kSequence, kTok = Kind::kToken, kMlm = Kind::kMaskedLM, kClm = Kind::kCausalLM,
                 kQa = Kind::kQuestionAnswering, kS2s = Kind::kSeq2SeqLM;
  // clang-format off
  static const std::vector<TinyHead> heads = {
      {"BertForSequenceClassification", kSeq, maker<BertForSequenceClassificationImpl>(bert_config(3)), 0, {}, false},
      {"BertForTokenClassification", kTok, maker<BertForTokenClassificationImpl>(bert_config(5)), 0, {}, true},
      {"BertForMaskedLM", kMlm, maker<BertForMaskedLMImpl>(bert_config(2)), 0, {}, true},
      {"BertForQuestionAnswering", kQa, maker<BertForQuestionAnsweringImpl>(bert_config(2)), 0, {}, false},
      {"BertLMHeadModel", kClm, maker<BertLMHeadModelImpl>(bert_config(2, true)), 0, {}, true},
      {"RobertaForSequenceClassification", kSeq, maker<RobertaForSequenceClassificationImpl>(roberta_config(3)), 1,
       {}, false},
      {"RobertaForTokenClassification", kTok, maker<RobertaForTokenClassificationImpl>(roberta_config(5)), 1, {}, true},
      {"RobertaForMaskedLM", kMlm, maker<RobertaForMaskedLMImpl>(roberta_config(2)), 1, {}, true},
      {"RobertaForQuestionAnswering", kQa, maker<RobertaForQuestionAnsweringImpl>(roberta_config(2)), 1, {}, false},
      {"RobertaForCausalLM", kClm, maker<RobertaForCausalLMImpl>(roberta_config(2, true)), 1, {}, true},
      {"DistilBertForSequenceClassification", kSeq,
       maker<DistilBertForSequenceClassificationImpl>(distilbert_config(3)), 0, {}, false},
      {"DistilBertForTokenClassification", kTok, maker<DistilBertForTokenClassificationImpl>(distilbert_config(5)), 0,
       {}, true},
      {"DistilBertForMaskedLM", kMlm, maker<DistilBertForMaskedLMImpl>(distilbert_config(2)), 0, {}, true},
      {"DistilBertForQuestionAnswering", kQa, maker<DistilBertForQuestionAnsweringImpl>(distilbert_config(2)), 0, {},
       false},
      {"GPT2LMHeadModel", kClm, maker<GPT2LMHeadModelImpl>(gpt2_config(2)), 0, {}, true},
      {"GPT2ForSequenceClassification", kSeq, maker<GPT2ForSequenceClassificationImpl>(gpt2_config(3)), 0, {}, false},
      {"GPT2ForTokenClassification", kTok, maker<GPT2ForTokenClassificationImpl>(gpt2_config(5)), 0, {}, true},
      {"GPT2ForQuestionAnswering", kQa, maker<GPT2ForQuestionAnsweringImpl>(gpt2_config(2)), 0, {}, false},
      {"LlamaForCausalLM", kClm, maker<LlamaForCausalLMImpl>(llama_config(2)), 0, {}, true},
      {"LlamaForSequenceClassification", kSeq, maker<LlamaForSequenceClassificationImpl>(llama_config(3)), 0, {},
       false},
      {"LlamaForTokenClassification", kTok, maker<LlamaForTokenClassificationImpl>(llama_config(5)), 0, {}, true},
      {"LlamaForQuestionAnswering", kQa, maker<LlamaForQuestionAnsweringImpl>(llama_config(2)), 0, {}, false},
      {"MistralForCausalLM", kClm, maker<LlamaForCausalLMImpl>(llama_config(2, "mistral")), 0, {}, true},
      {"T5ForConditionalGeneration", kS2s, maker<T5ForConditionalGenerationImpl>(t5_config(2)), 0, 1, false, 2},
      {"T5ForSequenceClassification", kSeq, maker<T5ForSequenceClassificationImpl>(t5_config(3)), 0, 1, false, 2},
      {"T5ForTokenClassification", kTok, maker<T5ForTokenClassificationImpl>(t5_config(5)), 0, 1, false, 2},
      {"T5ForQuestionAnswering", kQa, maker<T5ForQuestionAnsweringImpl>(t5_config(2)), 0, 1, false, 2},
      {"BartForConditionalGeneration", kS2s, maker<BartForConditionalGenerationImpl>(bart_config(3)), 1, 2, false},
      {"BartForSequenceClassification", kSeq, maker<BartForSequenceClassificationImpl>(bart_config(3)), 1, 2, false},
      {"BartForQuestionAnswering", kQa, maker<BartForQuestionAnsweringImpl>(bart_config(2)), 1, 2, false},
      {"BartForCausalLM", kClm, maker<BartForCausalLMImpl>(bart_config(3)), 1, 2, false},
  };
  // clang-format on
  return heads;
}

/// A right-padded batch: rows of `lengths` real tokens (random ids in [first_id, 99), the last one
/// eos_id when set), padded with pad_id, attention_mask 0 there; labels of the head's kind (-100 at
/// padding; masked LM: 2 masked tokens per row; seq2seq: `label_lengths` tokens, -100 after).
inline ModelInputs padded_batch(const TinyHead& h, const std::vector<int64_t>& lengths,
                                const std::vector<int64_t>& label_lengths, uint64_t seed = 7) {
  torch::manual_seed(seed);
  const int64_t B = static_cast<int64_t>(lengths.size());
  const int64_t T = *std::max_element(lengths.begin(), lengths.end());
  ModelInputs in;
  in.input_ids = torch::randint(h.first_id, 99, {B, T}, torch::kLong);
  in.attention_mask = torch::ones({B, T}, torch::kLong);
  for (int64_t r = 0; r < B; ++r) {
    const int64_t L = lengths[r];
    if (h.eos_id) in.input_ids[r][L - 1] = *h.eos_id;
    in.input_ids.select(0, r).slice(0, L).fill_(h.pad_id);
    in.attention_mask.select(0, r).slice(0, L).fill_(0);
  }
  auto pad_labels = [&](torch::Tensor labels) { return labels.masked_fill(in.attention_mask == 0, -100); };
  switch (h.kind) {
    case Kind::kSequence:
      in.labels = torch::randint(0, 3, {B}, torch::kLong);
      break;
    case Kind::kToken:
      in.labels = pad_labels(torch::randint(0, 5, {B, T}, torch::kLong));
      break;
    case Kind::kCausalLM:
      in.labels = pad_labels(in.input_ids.clone());
      break;
    case Kind::kMaskedLM: {
      torch::Tensor labels = torch::full({B, T}, -100, torch::kLong);
      for (int64_t r = 0; r < B; ++r)
        for (int64_t t : {int64_t{0}, lengths[r] - 1}) labels[r][t] = in.input_ids[r][t];
      in.labels = labels;
      break;
    }
    case Kind::kQuestionAnswering: {
      std::vector<int64_t> s, e;
      for (int64_t r = 0; r < B; ++r) s.push_back(r % lengths[r]), e.push_back(lengths[r] - 1);
      in.start_positions = torch::tensor(s, torch::kLong);
      in.end_positions = torch::tensor(e, torch::kLong);
      break;
    }
    case Kind::kSeq2SeqLM: {
      const int64_t Td = *std::max_element(label_lengths.begin(), label_lengths.end());
      torch::Tensor labels = torch::randint(h.first_id, 99, {B, Td}, torch::kLong);
      for (int64_t r = 0; r < B; ++r) labels.select(0, r).slice(0, label_lengths[r]).fill_(-100);
      in.labels = labels;
      break;
    }
  }
  return in;
}

/// Row r of a padded batch, unpadded: its real tokens (and real labels) only, as if run alone.
inline ModelInputs row_alone(const ModelInputs& in, int64_t r, int64_t length, int64_t label_length) {
  ModelInputs one;
  one.input_ids = in.input_ids.slice(0, r, r + 1).slice(1, 0, length);
  one.attention_mask = torch::ones_like(one.input_ids);
  if (in.labels.defined())
    one.labels =
        in.labels.dim() == 1 ? in.labels.slice(0, r, r + 1) : in.labels.slice(0, r, r + 1).slice(1, 0, label_length);
  if (in.start_positions.defined()) {
    one.start_positions = in.start_positions.slice(0, r, r + 1);
    one.end_positions = in.end_positions.slice(0, r, r + 1);
  }
  return one;
}

/// Rows [begin, end) of a batch (every per-row input sliced), e.g. a micro-batch of gradient accumulation.
inline ModelInputs rows(const ModelInputs& in, int64_t begin, int64_t end) {
  auto cut = [&](const torch::Tensor& t) { return t.defined() ? t.slice(0, begin, end) : t; };
  ModelInputs out = in;
  out.input_ids = cut(in.input_ids);
  out.attention_mask = cut(in.attention_mask);
  out.token_type_ids = cut(in.token_type_ids);
  out.labels = cut(in.labels);
  out.start_positions = cut(in.start_positions);
  out.end_positions = cut(in.end_positions);
  out.decoder_input_ids = cut(in.decoder_input_ids);
  out.decoder_attention_mask = cut(in.decoder_attention_mask);
  return out;
}

}  // namespace afinar::tiny
