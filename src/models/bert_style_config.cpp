// The BertConfig / RobertaConfig fields (transformers' configuration_bert.py and
// configuration_roberta.py define the same list).
#include "afinar/models/bert_style_config.h"

#include <algorithm>

#include "afinar/core/check.h"
#include "afinar/nn/activations.h"
#include "afinar/nn/bert_encoder.h"
#include "config_read.h"

namespace afinar {

namespace {

using detail::read_field;

// Fields this struct owns; everything else goes to `extra`.
const char* const kKnown[] = {"vocab_size",
                              "hidden_size",
                              "num_hidden_layers",
                              "num_attention_heads",
                              "intermediate_size",
                              "hidden_act",
                              "hidden_dropout_prob",
                              "attention_probs_dropout_prob",
                              "max_position_embeddings",
                              "type_vocab_size",
                              "initializer_range",
                              "layer_norm_eps",
                              "pad_token_id",
                              "position_embedding_type",
                              "classifier_dropout",
                              "is_decoder",
                              "add_cross_attention",
                              "use_cache",
                              "id2label",
                              "label2id",
                              "num_labels",
                              "problem_type",
                              "architectures",
                              "model_type"};

}  // namespace

void BertStyleConfig::read_fields(const nlohmann::json& j) {
  AFINAR_CHECK(j.is_object(), "config.json must be a JSON object");
  read_field(j, "vocab_size", vocab_size);
  read_field(j, "hidden_size", hidden_size);
  read_field(j, "num_hidden_layers", num_hidden_layers);
  read_field(j, "num_attention_heads", num_attention_heads);
  read_field(j, "intermediate_size", intermediate_size);
  read_field(j, "hidden_act", hidden_act);
  read_field(j, "hidden_dropout_prob", hidden_dropout_prob);
  read_field(j, "attention_probs_dropout_prob", attention_probs_dropout_prob);
  read_field(j, "max_position_embeddings", max_position_embeddings);
  read_field(j, "type_vocab_size", type_vocab_size);
  read_field(j, "initializer_range", initializer_range);
  read_field(j, "layer_norm_eps", layer_norm_eps);
  read_field(j, "pad_token_id", pad_token_id);
  read_field(j, "position_embedding_type", position_embedding_type);
  read_field(j, "classifier_dropout", classifier_dropout);
  read_field(j, "is_decoder", is_decoder);
  read_field(j, "add_cross_attention", add_cross_attention);
  read_field(j, "use_cache", use_cache);
  read_field(j, "architectures", architectures);
  read_labels(j);
  for (const auto& [k, v] : j.items())
    if (std::find(std::begin(kKnown), std::end(kKnown), k) == std::end(kKnown)) extra[k] = v;
}

nlohmann::json BertStyleConfig::fields_json(const char* model_type) const {
  nlohmann::json j = extra;
  j["model_type"] = model_type;
  if (!architectures.empty()) j["architectures"] = architectures;
  j["vocab_size"] = vocab_size;
  j["hidden_size"] = hidden_size;
  j["num_hidden_layers"] = num_hidden_layers;
  j["num_attention_heads"] = num_attention_heads;
  j["intermediate_size"] = intermediate_size;
  j["hidden_act"] = hidden_act;
  j["hidden_dropout_prob"] = hidden_dropout_prob;
  j["attention_probs_dropout_prob"] = attention_probs_dropout_prob;
  j["max_position_embeddings"] = max_position_embeddings;
  j["type_vocab_size"] = type_vocab_size;
  j["initializer_range"] = initializer_range;
  j["layer_norm_eps"] = layer_norm_eps;
  j["pad_token_id"] = detail::optional_json(pad_token_id);
  j["position_embedding_type"] = position_embedding_type;
  j["classifier_dropout"] = detail::optional_json(classifier_dropout);
  j["is_decoder"] = is_decoder;
  j["add_cross_attention"] = add_cross_attention;
  j["use_cache"] = use_cache;
  write_labels(j);
  return j;
}

void BertStyleConfig::check_fields(const char* config) const {
  AFINAR_CHECK(vocab_size > 0, config, ": vocab_size must be positive, got ", vocab_size);
  AFINAR_CHECK(hidden_size > 0 && num_attention_heads > 0 && hidden_size % num_attention_heads == 0, config,
               ": hidden_size (", hidden_size, ") must be a multiple of num_attention_heads (", num_attention_heads,
               ")");
  AFINAR_CHECK(num_hidden_layers >= 0, config, ": num_hidden_layers must be >= 0, got ", num_hidden_layers);
  AFINAR_CHECK(intermediate_size > 0, config, ": intermediate_size must be positive, got ", intermediate_size);
  AFINAR_CHECK(max_position_embeddings > 0, config, ": max_position_embeddings must be positive, got ",
               max_position_embeddings);
  AFINAR_CHECK(type_vocab_size > 0, config, ": type_vocab_size must be positive, got ", type_vocab_size);
  auto prob = [](double p) { return p >= 0.0 && p <= 1.0; };
  AFINAR_CHECK(prob(hidden_dropout_prob), config, ": hidden_dropout_prob must be in [0, 1], got ", hidden_dropout_prob);
  AFINAR_CHECK(prob(attention_probs_dropout_prob), config, ": attention_probs_dropout_prob must be in [0, 1], got ",
               attention_probs_dropout_prob);
  AFINAR_CHECK(!classifier_dropout || prob(*classifier_dropout), config, ": classifier_dropout must be in [0, 1], got ",
               classifier_dropout.value_or(0));
  AFINAR_CHECK(!pad_token_id || (*pad_token_id >= 0 && *pad_token_id < vocab_size), config, ": pad_token_id ",
               pad_token_id.value_or(0), " out of the vocabulary (", vocab_size, ")");
  AFINAR_CHECK(is_supported_activation(hidden_act), config, ": hidden_act '", hidden_act, "' is not supported (",
               supported_activations(), ")");
  AFINAR_CHECK(position_embedding_type == "absolute", config, ": position_embedding_type '", position_embedding_type,
               "' is not supported (absolute)");
  AFINAR_CHECK(!is_decoder && !add_cross_attention, config,
               ": decoder BERT (is_decoder/add_cross_attention) is not supported by this head "
               "(HINT: is_decoder is for the causal-LM head, AutoModelForCausalLM; add_cross_attention is not "
               "supported)");
  check_labels(config);
}

BertEncoderOptions BertStyleConfig::encoder_options() const {
  BertEncoderOptions o;
  o.hidden_size = hidden_size;
  o.num_attention_heads = num_attention_heads;
  o.intermediate_size = intermediate_size;
  o.num_hidden_layers = num_hidden_layers;
  o.hidden_act = hidden_act;
  o.hidden_dropout_prob = hidden_dropout_prob;
  o.attention_probs_dropout_prob = attention_probs_dropout_prob;
  o.layer_norm_eps = layer_norm_eps;
  return o;
}

}  // namespace afinar
