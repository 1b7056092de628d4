#include "afinar/models/bart/configuration_bart.h"

#include "../config_read.h"
#include "afinar/core/check.h"
#include "afinar/nn/activations.h"

namespace afinar {

int64_t BartConfig::eos_id() const {
  return detail::single_token_id(eos_token_id, "BartConfig", "eos_token_id");
}

BartConfig BartConfig::from_json(const nlohmann::json& j) {
  AFINAR_CHECK(j.is_object(), "config.json must be a JSON object");
  using detail::read_field;
  BartConfig c;
  read_field(j, "vocab_size", c.vocab_size);
  read_field(j, "max_position_embeddings", c.max_position_embeddings);
  read_field(j, "encoder_layers", c.encoder_layers);
  read_field(j, "encoder_ffn_dim", c.encoder_ffn_dim);
  read_field(j, "encoder_attention_heads", c.encoder_attention_heads);
  read_field(j, "decoder_layers", c.decoder_layers);
  read_field(j, "decoder_ffn_dim", c.decoder_ffn_dim);
  read_field(j, "decoder_attention_heads", c.decoder_attention_heads);
  read_field(j, "encoder_layerdrop", c.encoder_layerdrop);
  read_field(j, "decoder_layerdrop", c.decoder_layerdrop);
  read_field(j, "activation_function", c.activation_function);
  read_field(j, "d_model", c.d_model);
  read_field(j, "dropout", c.dropout);
  read_field(j, "attention_dropout", c.attention_dropout);
  read_field(j, "activation_dropout", c.activation_dropout);
  read_field(j, "init_std", c.init_std);
  read_field(j, "classifier_dropout", c.classifier_dropout);
  read_field(j, "scale_embedding", c.scale_embedding);
  read_field(j, "use_cache", c.use_cache);
  read_field(j, "pad_token_id", c.pad_token_id);
  read_field(j, "bos_token_id", c.bos_token_id);
  if (auto it = j.find("eos_token_id"); it != j.end()) c.eos_token_id = *it;
  read_field(j, "decoder_start_token_id", c.decoder_start_token_id);
  if (auto it = j.find("forced_eos_token_id"); it != j.end()) c.forced_eos_token_id = *it;
  read_field(j, "tie_word_embeddings", c.tie_word_embeddings);
  read_field(j, "architectures", c.architectures);
  c.read_labels(j);
  c.extra = detail::unknown_fields(j, {"vocab_size",
                                       "max_position_embeddings",
                                       "encoder_layers",
                                       "encoder_ffn_dim",
                                       "encoder_attention_heads",
                                       "decoder_layers",
                                       "decoder_ffn_dim",
                                       "decoder_attention_heads",
                                       "encoder_layerdrop",
                                       "decoder_layerdrop",
                                       "activation_function",
                                       "d_model",
                                       "dropout",
                                       "attention_dropout",
                                       "activation_dropout",
                                       "init_std",
                                       "classifier_dropout",
                                       "scale_embedding",
                                       "use_cache",
                                       "pad_token_id",
                                       "bos_token_id",
                                       "eos_token_id",
                                       "decoder_start_token_id",
                                       "forced_eos_token_id",
                                       "tie_word_embeddings",
                                       "problem_type",
                                       "architectures",
                                       "id2label",
                                       "label2id",
                                       "num_labels",
                                       "model_type"});
  return c;
}

nlohmann::json BartConfig::to_json() const {
  nlohmann::json j = extra;
  j["model_type"] = "bart";
  j["vocab_size"] = vocab_size;
  j["max_position_embeddings"] = max_position_embeddings;
  j["encoder_layers"] = encoder_layers;
  j["encoder_ffn_dim"] = encoder_ffn_dim;
  j["encoder_attention_heads"] = encoder_attention_heads;
  j["decoder_layers"] = decoder_layers;
  j["decoder_ffn_dim"] = decoder_ffn_dim;
  j["decoder_attention_heads"] = decoder_attention_heads;
  j["encoder_layerdrop"] = encoder_layerdrop;
  j["decoder_layerdrop"] = decoder_layerdrop;
  j["activation_function"] = activation_function;
  j["d_model"] = d_model;
  j["dropout"] = dropout;
  j["attention_dropout"] = attention_dropout;
  j["activation_dropout"] = activation_dropout;
  j["init_std"] = init_std;
  j["classifier_dropout"] = classifier_dropout;
  j["scale_embedding"] = scale_embedding;
  j["use_cache"] = use_cache;
  j["pad_token_id"] = detail::optional_json(pad_token_id);
  j["bos_token_id"] = detail::optional_json(bos_token_id);
  j["eos_token_id"] = eos_token_id;
  j["decoder_start_token_id"] = detail::optional_json(decoder_start_token_id);
  j["forced_eos_token_id"] = forced_eos_token_id;
  j["tie_word_embeddings"] = tie_word_embeddings;
  j["is_encoder_decoder"] = true;
  write_labels(j);
  if (!architectures.empty()) j["architectures"] = architectures;
  return j;
}

void BartConfig::validate() const {
  AFINAR_CHECK(vocab_size > 0 && d_model > 0 && max_position_embeddings > 0,
               "BartConfig: vocab_size, d_model and max_position_embeddings must be positive");
  AFINAR_CHECK(encoder_attention_heads > 0 && d_model % encoder_attention_heads == 0, "BartConfig: d_model (", d_model,
               ") must be a multiple of encoder_attention_heads (", encoder_attention_heads, ")");
  AFINAR_CHECK(decoder_attention_heads > 0 && d_model % decoder_attention_heads == 0, "BartConfig: d_model (", d_model,
               ") must be a multiple of decoder_attention_heads (", decoder_attention_heads, ")");
  AFINAR_CHECK(encoder_layers >= 0 && decoder_layers >= 0, "BartConfig: layer counts must not be negative");
  AFINAR_CHECK(is_supported_activation(activation_function), "BartConfig: activation_function '", activation_function,
               "' is not supported (", supported_activations(), ")");
  check_labels("BartConfig");
  AFINAR_CHECK(dropout >= 0 && dropout < 1, "BartConfig: dropout must be in [0, 1), got ", dropout);
}

}  // namespace afinar
