#include "afinar/models/t5/configuration_t5.h"

#include "../config_read.h"
#include "afinar/core/check.h"
#include "afinar/nn/activations.h"

namespace afinar {

bool T5Config::is_gated_act() const {
  return feed_forward_proj.rfind("gated-", 0) == 0;
}

std::string T5Config::dense_act_fn() const {
  if (feed_forward_proj == "gated-gelu") return "gelu_new";  // as transformers' T5Config
  return is_gated_act() ? feed_forward_proj.substr(6) : feed_forward_proj;
}

int64_t T5Config::eos_id() const {
  return detail::single_token_id(eos_token_id, "T5Config", "eos_token_id");
}

T5Config T5Config::from_json(const nlohmann::json& j) {
  AFINAR_CHECK(j.is_object(), "config.json must be a JSON object");
  using detail::read_field;
  T5Config c;
  read_field(j, "vocab_size", c.vocab_size);
  read_field(j, "d_model", c.d_model);
  read_field(j, "d_kv", c.d_kv);
  read_field(j, "d_ff", c.d_ff);
  read_field(j, "num_layers", c.num_layers);
  read_field(j, "num_decoder_layers", c.num_decoder_layers);
  read_field(j, "num_heads", c.num_heads);
  read_field(j, "relative_attention_num_buckets", c.relative_attention_num_buckets);
  read_field(j, "relative_attention_max_distance", c.relative_attention_max_distance);
  read_field(j, "dropout_rate", c.dropout_rate);
  read_field(j, "layer_norm_epsilon", c.layer_norm_epsilon);
  read_field(j, "initializer_factor", c.initializer_factor);
  read_field(j, "feed_forward_proj", c.feed_forward_proj);
  read_field(j, "classifier_dropout", c.classifier_dropout);
  read_field(j, "use_cache", c.use_cache);
  read_field(j, "pad_token_id", c.pad_token_id);
  if (auto it = j.find("eos_token_id"); it != j.end()) c.eos_token_id = *it;
  read_field(j, "decoder_start_token_id", c.decoder_start_token_id);
  read_field(j, "tie_word_embeddings", c.tie_word_embeddings);
  read_field(j, "scale_decoder_outputs", c.scale_decoder_outputs);
  read_field(j, "architectures", c.architectures);
  c.read_labels(j);
  // dense_act_fn / is_gated_act are derived from feed_forward_proj (as transformers does).
  c.extra = detail::unknown_fields(j, {"vocab_size",
                                       "d_model",
                                       "d_kv",
                                       "d_ff",
                                       "num_layers",
                                       "num_decoder_layers",
                                       "num_heads",
                                       "relative_attention_num_buckets",
                                       "relative_attention_max_distance",
                                       "dropout_rate",
                                       "layer_norm_epsilon",
                                       "initializer_factor",
                                       "feed_forward_proj",
                                       "classifier_dropout",
                                       "use_cache",
                                       "pad_token_id",
                                       "eos_token_id",
                                       "decoder_start_token_id",
                                       "tie_word_embeddings",
                                       "scale_decoder_outputs",
                                       "architectures",
                                       "id2label",
                                       "label2id",
                                       "num_labels",
                                       "problem_type",
                                       "model_type",
                                       "dense_act_fn",
                                       "is_gated_act"});
  return c;
}

nlohmann::json T5Config::to_json() const {
  nlohmann::json j = extra;
  j["model_type"] = "t5";
  j["vocab_size"] = vocab_size;
  j["d_model"] = d_model;
  j["d_kv"] = d_kv;
  j["d_ff"] = d_ff;
  j["num_layers"] = num_layers;
  j["num_decoder_layers"] = decoder_layers();
  j["num_heads"] = num_heads;
  j["relative_attention_num_buckets"] = relative_attention_num_buckets;
  j["relative_attention_max_distance"] = relative_attention_max_distance;
  j["dropout_rate"] = dropout_rate;
  j["layer_norm_epsilon"] = layer_norm_epsilon;
  j["initializer_factor"] = initializer_factor;
  j["feed_forward_proj"] = feed_forward_proj;
  j["dense_act_fn"] = dense_act_fn();
  j["is_gated_act"] = is_gated_act();
  j["classifier_dropout"] = classifier_dropout;
  j["use_cache"] = use_cache;
  j["pad_token_id"] = detail::optional_json(pad_token_id);
  j["eos_token_id"] = eos_token_id;
  if (decoder_start_token_id) j["decoder_start_token_id"] = *decoder_start_token_id;
  // transformers 5.23 writes tie_word_embeddings: true and keeps the scaling in its own field.
  j["tie_word_embeddings"] = true;
  j["scale_decoder_outputs"] = scales_decoder_outputs();
  j["is_encoder_decoder"] = true;
  // As transformers: the labels only when they are not the default two (or a problem_type is set).
  if (id2label != default_labels(2) || !problem_type.empty()) write_labels(j);
  if (!architectures.empty()) j["architectures"] = architectures;
  return j;
}

void T5Config::validate() const {
  AFINAR_CHECK(vocab_size > 0 && d_model > 0 && d_kv > 0 && d_ff > 0 && num_heads > 0,
               "T5Config: vocab_size, d_model, d_kv, d_ff and num_heads must be positive");
  AFINAR_CHECK(num_layers >= 0 && decoder_layers() >= 0, "T5Config: layer counts must not be negative");
  AFINAR_CHECK(relative_attention_num_buckets >= 2 && relative_attention_max_distance > 0,
               "T5Config: relative_attention_num_buckets must be >= 2, got ", relative_attention_num_buckets);
  const std::string act = dense_act_fn();
  AFINAR_CHECK(feed_forward_proj.find('-') == std::string::npos || is_gated_act(), "T5Config: feed_forward_proj '",
               feed_forward_proj, "' must be '{ACT_FN}' or 'gated-{ACT_FN}' (e.g. relu, gated-gelu)");
  AFINAR_CHECK(is_supported_activation(act), "T5Config: unsupported activation '", act, "' (", supported_activations(),
               ")");
  check_labels("T5Config");
  AFINAR_CHECK(dropout_rate >= 0 && dropout_rate < 1, "T5Config: dropout_rate must be in [0, 1), got ", dropout_rate);
}

}  // namespace afinar
