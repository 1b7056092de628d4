// BERT as transformers' models/bert/modeling_bert.py (v5.23): same module names, same math.
#include "afinar/models/bert/modeling_bert.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "afinar/core/check.h"
#include "afinar/models/gpt2/modeling_gpt2.h"  // make_causal_attention_mask, causal_lm_loss

namespace afinar {

namespace nn = torch::nn;

namespace {
nn::LayerNorm layer_norm(const BertConfig& c) {
  return nn::LayerNorm(nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps));
}
}  // namespace

// ---------------------------------------------------------------------------------------------
// BertEmbeddings (modeling_bert.py: class BertEmbeddings)

BertEmbeddingsImpl::BertEmbeddingsImpl(const BertConfig& c) {
  auto word = nn::EmbeddingOptions(c.vocab_size, c.hidden_size);
  if (c.pad_token_id) word.padding_idx(*c.pad_token_id);  // no gradient flows into the padding row
  word_embeddings = register_module("word_embeddings", nn::Embedding(word));
  position_embeddings = register_module(
      "position_embeddings", nn::Embedding(nn::EmbeddingOptions(c.max_position_embeddings, c.hidden_size)));
  token_type_embeddings = register_module(
      "token_type_embeddings", nn::Embedding(nn::EmbeddingOptions(c.type_vocab_size, c.hidden_size)));
  LayerNorm = register_module("LayerNorm", layer_norm(c));
  dropout = register_module("dropout", nn::Dropout(c.hidden_dropout_prob));
  // (1, P); a buffer so that .to(device) moves it; not part of the saved weights (non-persistent in HF)
  position_ids = register_buffer("position_ids", torch::arange(c.max_position_embeddings).unsqueeze(0));
}

torch::Tensor BertEmbeddingsImpl::forward(const torch::Tensor& input_ids, torch::Tensor token_type_ids,
                                          torch::Tensor position_ids_in) {
  AFINAR_CHECK(input_ids.dim() == 2, "BertEmbeddings: input_ids must be (batch, seq_len), got shape ",
               input_ids.sizes());
  const int64_t B = input_ids.size(0), T = input_ids.size(1);
  const int64_t P = position_ids.size(1);
  if (!position_ids_in.defined()) {
    AFINAR_CHECK(T <= P, "BertEmbeddings: sequence length ", T, " exceeds max_position_embeddings ", P,
                 " (HINT: truncate the inputs to ", P, " tokens)");
    position_ids_in = position_ids.slice(1, 0, T);  // (1, T)
  }
  if (!token_type_ids.defined()) token_type_ids = torch::zeros({B, T}, input_ids.options());  // (B, T)
  torch::Tensor x = word_embeddings(input_ids) + token_type_embeddings(token_type_ids);     // (B, T, H)
  x = x + position_embeddings(position_ids_in);                                               // (B, T, H)
  return dropout(LayerNorm(x));
}

// ---------------------------------------------------------------------------------------------
// BertSelfAttention (modeling_bert.py: class BertSelfAttention, sdpa attention interface)

BertSelfAttentionImpl::BertSelfAttentionImpl(const BertConfig& c)
    : num_heads(c.num_attention_heads),
      head_size(c.hidden_size / c.num_attention_heads),
      dropout_p(c.attention_probs_dropout_prob) {
  query = register_module("query", nn::Linear(c.hidden_size, c.hidden_size));
  key = register_module("key", nn::Linear(c.hidden_size, c.hidden_size));
  value = register_module("value", nn::Linear(c.hidden_size, c.hidden_size));
}

torch::Tensor BertSelfAttentionImpl::forward(const torch::Tensor& hidden, const torch::Tensor& mask) {
  const int64_t B = hidden.size(0), T = hidden.size(1);
  auto heads = [&](const torch::Tensor& x) {  // (B, T, H) → (B, nh, T, hd)
    return x.view({B, T, num_heads, head_size}).transpose(1, 2);
  };
  torch::Tensor q = heads(query(hidden)), k = heads(key(hidden)), v = heads(value(hidden));
  const double scale = 1.0 / std::sqrt(static_cast<double>(head_size));
  const double p = is_training() ? dropout_p : 0.0;
  torch::Tensor out;  // (B, nh, T, hd)
  if (eager) {
    torch::Tensor scores = torch::matmul(q, k.transpose(2, 3)) * scale;  // (B, nh, T, T)
    if (mask.defined()) scores = scores + mask;
    torch::Tensor probs = torch::dropout(torch::softmax(scores, -1), p, is_training());
    out = torch::matmul(probs, v);
  } else {
    out = at::scaled_dot_product_attention(q, k, v, mask.defined() ? std::optional<torch::Tensor>(mask)
                                                                   : std::nullopt,
                                           p, /*is_causal=*/false, scale);
  }
  return out.transpose(1, 2).reshape({B, T, num_heads * head_size});  // (B, T, H)
}

// ---------------------------------------------------------------------------------------------
// BertSelfOutput, BertAttention, BertIntermediate, BertOutput, BertLayer, BertEncoder, BertPooler

BertSelfOutputImpl::BertSelfOutputImpl(const BertConfig& c) {
  dense = register_module("dense", nn::Linear(c.hidden_size, c.hidden_size));
  LayerNorm = register_module("LayerNorm", layer_norm(c));
  dropout = register_module("dropout", nn::Dropout(c.hidden_dropout_prob));
}

torch::Tensor BertSelfOutputImpl::forward(const torch::Tensor& hidden, const torch::Tensor& input) {
  return LayerNorm(dropout(dense(hidden)) + input);  // (B, T, H)
}

BertAttentionImpl::BertAttentionImpl(const BertConfig& c) {
  self = register_module("self", BertSelfAttention(c));
  output = register_module("output", BertSelfOutput(c));
}

torch::Tensor BertAttentionImpl::forward(const torch::Tensor& hidden, const torch::Tensor& mask) {
  return output(self(hidden, mask), hidden);  // (B, T, H)
}

BertIntermediateImpl::BertIntermediateImpl(const BertConfig& c) : act(c.hidden_act) {
  dense = register_module("dense", nn::Linear(c.hidden_size, c.intermediate_size));
}

torch::Tensor bert_activation(const torch::Tensor& x, const std::string& act) {
  if (act == "gelu") return torch::gelu(x);  // exact, erf-based
  if (act == "gelu_pytorch_tanh") return torch::gelu(x, "tanh");
  if (act == "gelu_new") {  // transformers' NewGELUActivation, written out as it is there
    const double c = std::sqrt(2.0 / M_PI);
    return 0.5 * x * (1.0 + torch::tanh(c * (x + 0.044715 * torch::pow(x, 3.0))));
  }
  if (act == "relu") return torch::relu(x);
  if (act == "silu" || act == "swish") return torch::silu(x);
  throw InvalidArgument(detail::concat("unsupported hidden_act '", act, "'"));
}

torch::Tensor BertIntermediateImpl::forward(const torch::Tensor& hidden) {
  return bert_activation(dense(hidden), act);  // (B, T, I)
}

BertOutputImpl::BertOutputImpl(const BertConfig& c) {
  dense = register_module("dense", nn::Linear(c.intermediate_size, c.hidden_size));
  LayerNorm = register_module("LayerNorm", layer_norm(c));
  dropout = register_module("dropout", nn::Dropout(c.hidden_dropout_prob));
}

torch::Tensor BertOutputImpl::forward(const torch::Tensor& hidden, const torch::Tensor& input) {
  return LayerNorm(dropout(dense(hidden)) + input);  // (B, T, H)
}

BertLayerImpl::BertLayerImpl(const BertConfig& c) {
  attention = register_module("attention", BertAttention(c));
  intermediate = register_module("intermediate", BertIntermediate(c));
  output = register_module("output", BertOutput(c));
}

torch::Tensor BertLayerImpl::forward(const torch::Tensor& hidden, const torch::Tensor& mask) {
  torch::Tensor a = attention(hidden, mask);  // (B, T, H)
  return output(intermediate(a), a);           // (B, T, H)
}

BertEncoderImpl::BertEncoderImpl(const BertConfig& c) {
  layer = register_module("layer", nn::ModuleList());
  for (int64_t i = 0; i < c.num_hidden_layers; ++i) layer->push_back(BertLayer(c));
}

torch::Tensor BertEncoderImpl::forward(torch::Tensor hidden, const torch::Tensor& mask) {
  const bool ckpt = checkpointing_active(*this);
  for (const auto& m : *layer) {
    auto l = std::dynamic_pointer_cast<BertLayerImpl>(m);
    if (!ckpt) {
      hidden = l->forward(hidden, mask);  // (B, T, H)
      continue;
    }
    // The mask needs no gradient: captured; the hidden state is the input.
    hidden = checkpoint(
        [l, mask](const std::vector<torch::Tensor>& x) { return std::vector<torch::Tensor>{l->forward(x[0], mask)}; },
        {hidden})[0];  // (B, T, H)
  }
  return hidden;
}

BertPoolerImpl::BertPoolerImpl(const BertConfig& c) {
  dense = register_module("dense", nn::Linear(c.hidden_size, c.hidden_size));
}

torch::Tensor BertPoolerImpl::forward(const torch::Tensor& hidden) {
  return torch::tanh(dense(hidden.select(1, 0)));  // (B, H): the first ([CLS]) token
}

// ---------------------------------------------------------------------------------------------
// BertModel

torch::Tensor bert_extended_attention_mask(const torch::Tensor& attention_mask, torch::ScalarType dtype) {
  if (!attention_mask.defined()) return {};
  AFINAR_CHECK(attention_mask.dim() == 2, "attention_mask must be (batch, seq_len), got shape ",
               attention_mask.sizes());
  if (attention_mask.all().item<bool>()) return {};  // no padding: no mask, as transformers' sdpa path
  torch::Tensor keep = attention_mask.to(torch::kBool).unsqueeze(1).unsqueeze(2);  // (B, 1, 1, T)
  double lowest = 0;  // transformers uses torch.finfo(dtype).min, not -inf: no NaN on empty rows
  switch (dtype) {
    case torch::kFloat: lowest = std::numeric_limits<float>::lowest(); break;
    case torch::kDouble: lowest = std::numeric_limits<double>::lowest(); break;
    case torch::kHalf: lowest = -65504.0; break;
    case torch::kBFloat16: lowest = -3.3895313892515355e38; break;
    default: throw InvalidArgument(detail::concat("attention mask: unsupported hidden dtype ", dtype));
  }
  return torch::zeros(keep.sizes(), keep.options().dtype(dtype)).masked_fill_(keep.logical_not(), lowest);
}

torch::Tensor bert_causal_attention_mask(const torch::Tensor& attention_mask, int64_t batch, int64_t length,
                                         torch::ScalarType dtype, torch::Device device) {
  // The additive form of transformers' create_causal_mask (0 / finfo.min), materialised even without
  // padding: BertSelfAttention takes one mask tensor.
  return make_causal_attention_mask(attention_mask, batch, length, dtype, device, /*eager=*/true).mask;
}

BertModelImpl::BertModelImpl(const BertConfig& c, bool add_pooling_layer) : config(c) {
  BertConfig checked = c;  // is_decoder (causal self-attention) is BertModel's to honour; the heads decide
  checked.is_decoder = false;
  checked.validate();
  embeddings = register_module("embeddings", BertEmbeddings(c));
  encoder = register_module("encoder", BertEncoder(c));
  if (add_pooling_layer) pooler = register_module("pooler", BertPooler(c));
}

BertModelOutputs BertModelImpl::forward(const ModelInputs& in) {
  AFINAR_CHECK(in.input_ids.defined(), "BertModel: input_ids is required");
  torch::Tensor x = embeddings(in.input_ids, in.token_type_ids, in.position_ids);  // (B, T, H)
  torch::Tensor mask = config.is_decoder
                           ? bert_causal_attention_mask(in.attention_mask, x.size(0), x.size(1), x.scalar_type(),
                                                        x.device())  // (B, 1, T, T)
                           : bert_extended_attention_mask(in.attention_mask, x.scalar_type());
  BertModelOutputs out;
  out.last_hidden_state = encoder(x, mask);  // (B, T, H)
  if (pooler) out.pooler_output = pooler(out.last_hidden_state);  // (B, H)
  return out;
}

// ---------------------------------------------------------------------------------------------
// Weight init (BertPreTrainedModel._init_weights)

void bert_init_weights(nn::Module& module, const BertConfig& c, const std::vector<std::string>* only) {
  torch::NoGradGuard no_grad;
  auto wanted = [&](const std::string& name) {
    return !only || std::find(only->begin(), only->end(), name) != only->end();
  };
  auto join = [](const std::string& prefix, const char* leaf) {
    return prefix.empty() ? std::string(leaf) : prefix + "." + leaf;
  };
  // include_self=false: this runs inside constructors, before the module is owned by a shared_ptr.
  std::vector<std::pair<std::string, nn::Module*>> modules = {{"", &module}};
  for (const auto& item : module.named_modules("", /*include_self=*/false))
    modules.emplace_back(item.key(), item.value().get());
  for (const auto& [prefix, m] : modules) {
    if (auto* lin = dynamic_cast<nn::LinearImpl*>(m)) {
      if (wanted(join(prefix, "weight"))) lin->weight.normal_(0.0, c.initializer_range);
      if (lin->bias.defined() && wanted(join(prefix, "bias"))) lin->bias.zero_();
    } else if (auto* emb = dynamic_cast<nn::EmbeddingImpl*>(m)) {
      if (wanted(join(prefix, "weight"))) {
        emb->weight.normal_(0.0, c.initializer_range);
        if (auto pad = emb->options.padding_idx()) emb->weight[*pad].zero_();
      }
    } else if (auto* ln = dynamic_cast<nn::LayerNormImpl*>(m)) {
      if (wanted(join(prefix, "weight"))) ln->weight.fill_(1.0);
      if (wanted(join(prefix, "bias"))) ln->bias.zero_();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// BertForSequenceClassification

BertForSequenceClassificationImpl::BertForSequenceClassificationImpl(const BertConfig& c) : config(c) {
  config.validate();
  bert = register_module("bert", BertModel(c));
  dropout = register_module("dropout", nn::Dropout(c.classifier_dropout.value_or(c.hidden_dropout_prob)));
  classifier = register_module("classifier", nn::Linear(c.hidden_size, c.num_labels()));
  bert_init_weights(*this, config);
}

ModelOutputs BertForSequenceClassificationImpl::forward(const ModelInputs& in) {
  BertModelOutputs base = bert(in);
  ModelOutputs out;
  out.last_hidden_state = base.last_hidden_state;               // (B, T, H)
  out.logits = classifier(dropout(base.pooler_output));         // (B, num_labels)
  if (in.labels.defined()) {
    if (config.problem_type.empty())  // decided once, from the first labels seen (as transformers)
      config.problem_type = infer_problem_type(config.num_labels(), in.labels);
    out.loss = sequence_classification_loss(out.logits, in.labels, config.problem_type);
  }
  return out;
}

nlohmann::json bert_config_json(const BertConfig& config, const char* arch, torch::ScalarType dtype) {
  nlohmann::json j = config.to_json();
  j["architectures"] = {arch};
  j.erase("torch_dtype");  // transformers ≥ 4.56 writes "dtype"
  j["dtype"] = torch_dtype_name(dtype);
  j["transformers_version"] = kTransformersVersion;
  return j;
}

nlohmann::json BertForSequenceClassificationImpl::config_json() const {
  return bert_config_json(config, "BertForSequenceClassification", classifier->weight.scalar_type());
}

// ---------------------------------------------------------------------------------------------
// BertForTokenClassification

BertForTokenClassificationImpl::BertForTokenClassificationImpl(const BertConfig& c) : config(c) {
  config.validate();
  bert = register_module("bert", BertModel(c, /*add_pooling_layer=*/false));
  dropout = register_module("dropout", nn::Dropout(c.classifier_dropout.value_or(c.hidden_dropout_prob)));
  classifier = register_module("classifier", nn::Linear(c.hidden_size, c.num_labels()));
  bert_init_weights(*this, config);
}

ModelOutputs BertForTokenClassificationImpl::forward(const ModelInputs& in) {
  ModelOutputs out;
  out.last_hidden_state = bert(in).last_hidden_state;         // (B, T, H)
  out.logits = classifier(dropout(out.last_hidden_state));     // (B, T, num_labels)
  if (in.labels.defined()) out.loss = token_classification_loss(out.logits, in.labels);
  return out;
}

nlohmann::json BertForTokenClassificationImpl::config_json() const {
  return bert_config_json(config, "BertForTokenClassification", classifier->weight.scalar_type());
}

// ---------------------------------------------------------------------------------------------
// BertForMaskedLM (BertPredictionHeadTransform, BertLMPredictionHead, BertOnlyMLMHead)

BertPredictionHeadTransformImpl::BertPredictionHeadTransformImpl(const BertConfig& c) : act(c.hidden_act) {
  dense = register_module("dense", nn::Linear(c.hidden_size, c.hidden_size));
  LayerNorm = register_module("LayerNorm", layer_norm(c));
}

torch::Tensor BertPredictionHeadTransformImpl::forward(const torch::Tensor& hidden) {
  return LayerNorm(bert_activation(dense(hidden), act));  // (B, T, H)
}

BertLMPredictionHeadImpl::BertLMPredictionHeadImpl(const BertConfig& c) {
  transform = register_module("transform", BertPredictionHeadTransform(c));
  bias = register_parameter("bias", torch::zeros({c.vocab_size}));  // as transformers' _init_weights
}

torch::Tensor BertLMPredictionHeadImpl::forward(const torch::Tensor& hidden, const torch::Tensor& decoder_weight) {
  return torch::nn::functional::linear(transform(hidden), decoder_weight, bias);  // (B, T, V)
}

BertOnlyMLMHeadImpl::BertOnlyMLMHeadImpl(const BertConfig& c) {
  predictions = register_module("predictions", BertLMPredictionHead(c));
}

torch::Tensor BertOnlyMLMHeadImpl::forward(const torch::Tensor& hidden, const torch::Tensor& decoder_weight) {
  return predictions(hidden, decoder_weight);
}

BertForMaskedLMImpl::BertForMaskedLMImpl(const BertConfig& c) : config(c) {
  config.validate();
  auto tie = c.extra.find("tie_word_embeddings");
  AFINAR_CHECK(tie == c.extra.end() || !tie->is_boolean() || tie->get<bool>(),
               "BertForMaskedLM: tie_word_embeddings = false (an untied decoder) is not supported");
  bert = register_module("bert", BertModel(c, /*add_pooling_layer=*/false));
  cls = register_module("cls", BertOnlyMLMHead(c));
  bert_init_weights(*this, config);
}

ModelOutputs BertForMaskedLMImpl::forward(const ModelInputs& in) {
  ModelOutputs out;
  out.last_hidden_state = bert(in).last_hidden_state;  // (B, T, H)
  // The tied decoder: read the embedding parameter at each call, so that loading, .to() and
  // optimizer updates of it are seen here.
  out.logits = cls(out.last_hidden_state, bert->embeddings->word_embeddings->weight);  // (B, T, V)
  if (in.labels.defined()) out.loss = token_classification_loss(out.logits, in.labels);
  return out;
}

nlohmann::json BertForMaskedLMImpl::config_json() const {
  nlohmann::json j = bert_config_json(config, "BertForMaskedLM", cls->predictions->bias.scalar_type());
  j["tie_word_embeddings"] = true;
  return j;
}

// ---------------------------------------------------------------------------------------------
// BertForQuestionAnswering

BertForQuestionAnsweringImpl::BertForQuestionAnsweringImpl(const BertConfig& c) : config(c) {
  config.validate();
  AFINAR_CHECK(c.num_labels() == 2, "BertForQuestionAnswering: num_labels must be 2 (start, end), got ",
               c.num_labels());
  bert = register_module("bert", BertModel(c, /*add_pooling_layer=*/false));
  qa_outputs = register_module("qa_outputs", nn::Linear(c.hidden_size, c.num_labels()));
  bert_init_weights(*this, config);
}

ModelOutputs BertForQuestionAnsweringImpl::forward(const ModelInputs& in) {
  ModelOutputs out;
  out.last_hidden_state = bert(in).last_hidden_state;                 // (B, T, H)
  question_answering_outputs(qa_outputs(out.last_hidden_state), in, out);  // (B, T, 2) → start/end (B, T)
  return out;
}

nlohmann::json BertForQuestionAnsweringImpl::config_json() const {
  return bert_config_json(config, "BertForQuestionAnswering", qa_outputs->weight.scalar_type());
}

// ---------------------------------------------------------------------------------------------
// BertLMHeadModel (BertModel with is_decoder: causal self-attention; BertForMaskedLM's tied head)

BertLMHeadModelImpl::BertLMHeadModelImpl(const BertConfig& c) : config(c) {
  AFINAR_CHECK(c.is_decoder,
               "BertLMHeadModel: config.is_decoder is false: the self-attention would see later tokens "
               "(transformers only warns \"If you want to use `BertLMHeadModel` as a standalone, add "
               "`is_decoder=True.`\") (HINT: set \"is_decoder\": true in config.json, or pass "
               "config_overrides {\"is_decoder\": true} to from_pretrained)");
  BertConfig checked = c;
  checked.is_decoder = false;
  checked.validate();  // everything but is_decoder, as every BERT head
  auto tie = c.extra.find("tie_word_embeddings");
  AFINAR_CHECK(tie == c.extra.end() || !tie->is_boolean() || tie->get<bool>(),
               "BertLMHeadModel: tie_word_embeddings = false (an untied decoder) is not supported");
  bert = register_module("bert", BertModel(c, /*add_pooling_layer=*/false));
  cls = register_module("cls", BertOnlyMLMHead(c));
  bert_init_weights(*this, config);
}

ModelOutputs BertLMHeadModelImpl::forward(const ModelInputs& in) {
  ModelOutputs out;
  out.last_hidden_state = bert(in).last_hidden_state;                                  // (B, T, H)
  out.logits = cls(out.last_hidden_state, bert->embeddings->word_embeddings->weight);  // (B, T, V)
  if (in.labels.defined()) out.loss = causal_lm_loss(out.logits, in.labels);
  return out;
}

nlohmann::json BertLMHeadModelImpl::config_json() const {
  nlohmann::json j = bert_config_json(config, "BertLMHeadModel", cls->predictions->bias.scalar_type());
  j["tie_word_embeddings"] = true;
  return j;
}

}  // namespace afinar
