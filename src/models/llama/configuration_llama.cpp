#include "afinar/models/llama/configuration_llama.h"

#include "../config_read.h"
#include "afinar/core/check.h"
#include "afinar/nn/activations.h"

namespace afinar {

bool LlamaConfig::qkv_bias() const {
  if (model_type == "qwen2") return true;
  if (model_type == "mistral") return false;
  return attention_bias;
}

bool LlamaConfig::o_proj_bias() const {
  return model_type == "llama" && attention_bias;
}

bool LlamaConfig::layer_is_sliding(int64_t i) const {
  if (model_type == "mistral") return sliding_window.has_value();
  if (model_type == "qwen2")
    return sliding_window && i < static_cast<int64_t>(layer_types.size()) && layer_types[i] == "sliding_attention";
  return false;
}

LlamaConfig LlamaConfig::from_json(const nlohmann::json& j) {
  using detail::read_field;
  AFINAR_CHECK(j.is_object(), "config.json must be a JSON object");
  LlamaConfig c;
  read_field(j, "model_type", c.model_type);
  // The defaults of each model_type's config class (transformers 5.23).
  std::optional<int64_t> kv_heads, head_dim;
  if (c.model_type == "qwen2") {
    c.vocab_size = 151936, c.intermediate_size = 22016, c.max_position_embeddings = 32768;
    c.bos_token_id = nullptr, c.eos_token_id = nullptr;
    c.sliding_window = 4096;
    kv_heads = 32;
  } else if (c.model_type == "mistral") {
    c.intermediate_size = 14336, c.max_position_embeddings = 4096 * 32;
    c.sliding_window = 4096;
    kv_heads = 8;
  } else {
    AFINAR_CHECK(c.model_type == "llama", "LlamaConfig: model_type '", c.model_type,
                 "' is not of the Llama family (llama, qwen2, mistral)");
  }
  read_field(j, "vocab_size", c.vocab_size);
  read_field(j, "hidden_size", c.hidden_size);
  read_field(j, "intermediate_size", c.intermediate_size);
  read_field(j, "num_hidden_layers", c.num_hidden_layers);
  read_field(j, "num_attention_heads", c.num_attention_heads);
  read_field(j, "num_key_value_heads", kv_heads);
  read_field(j, "head_dim", head_dim);
  read_field(j, "hidden_act", c.hidden_act);
  read_field(j, "max_position_embeddings", c.max_position_embeddings);
  read_field(j, "initializer_range", c.initializer_range);
  read_field(j, "rms_norm_eps", c.rms_norm_eps);
  read_field(j, "use_cache", c.use_cache);
  read_field(j, "pad_token_id", c.pad_token_id);
  if (j.contains("bos_token_id")) c.bos_token_id = j["bos_token_id"];
  if (j.contains("eos_token_id")) c.eos_token_id = j["eos_token_id"];
  read_field(j, "tie_word_embeddings", c.tie_word_embeddings);
  read_field(j, "attention_bias", c.attention_bias);
  read_field(j, "attention_dropout", c.attention_dropout);
  read_field(j, "mlp_bias", c.mlp_bias);
  read_field(j, "sliding_window", c.sliding_window);
  read_field(j, "use_sliding_window", c.use_sliding_window);
  read_field(j, "max_window_layers", c.max_window_layers);
  read_field(j, "layer_types", c.layer_types);
  read_field(j, "classifier_dropout", c.classifier_dropout);
  read_field(j, "attn_implementation", c.attn_implementation);
  read_field(j, "_attn_implementation", c.attn_implementation);
  read_field(j, "architectures", c.architectures);
  c.read_labels(j);
  c.num_key_value_heads = kv_heads.value_or(c.num_attention_heads);
  c.head_dim = head_dim.value_or(c.num_attention_heads > 0 ? c.hidden_size / c.num_attention_heads : 0);
  if (c.model_type == "qwen2") {  // Qwen2Config.__post_init__
    if (!c.use_sliding_window) c.sliding_window.reset();
    if (c.layer_types.empty()) {
      for (int64_t i = 0; i < c.num_hidden_layers; ++i)
        c.layer_types.push_back(c.sliding_window && i >= c.max_window_layers ? "sliding_attention" : "full_attention");
    }
  }

  // RoPE (modeling_rope_utils.py: convert_rope_params_to_dict, standardize_rope_params): rope_scaling
  // wins over rope_parameters; rope_theta (top level, else 10000) and rope_type ("type", else
  // "default") are filled in; scaled types get original_max_position_embeddings.
  nlohmann::json rope = nlohmann::json::object();
  if (auto it = j.find("rope_parameters"); it != j.end() && it->is_object()) rope = *it;
  if (auto it = j.find("rope_scaling"); it != j.end() && it->is_object() && !it->empty()) rope = *it;
  double theta = 10000.0;
  read_field(j, "rope_theta", theta);
  if (!rope.contains("rope_theta")) rope["rope_theta"] = theta;
  if (!rope.contains("rope_type")) rope["rope_type"] = rope.value("type", std::string("default"));
  AFINAR_CHECK(rope["rope_type"].is_string(), "config.json: rope_type must be a string, got ",
               rope["rope_type"].dump());
  const std::string type = rope["rope_type"];
  if ((type == "llama3" || type == "yarn" || type == "longrope") && !rope.contains("original_max_position_embeddings"))
    rope["original_max_position_embeddings"] = c.max_position_embeddings;
  c.rope_parameters = rope;

  c.extra = detail::unknown_fields(j, {"model_type",
                                       "vocab_size",
                                       "hidden_size",
                                       "intermediate_size",
                                       "num_hidden_layers",
                                       "num_attention_heads",
                                       "num_key_value_heads",
                                       "head_dim",
                                       "hidden_act",
                                       "max_position_embeddings",
                                       "initializer_range",
                                       "rms_norm_eps",
                                       "use_cache",
                                       "pad_token_id",
                                       "bos_token_id",
                                       "eos_token_id",
                                       "tie_word_embeddings",
                                       "rope_parameters",
                                       "rope_scaling",
                                       "rope_theta",
                                       "attention_bias",
                                       "attention_dropout",
                                       "mlp_bias",
                                       "sliding_window",
                                       "use_sliding_window",
                                       "max_window_layers",
                                       "layer_types",
                                       "classifier_dropout",
                                       "attn_implementation",
                                       "_attn_implementation",
                                       "id2label",
                                       "label2id",
                                       "num_labels",
                                       "problem_type",
                                       "architectures"});
  return c;
}

nlohmann::json LlamaConfig::to_json() const {
  nlohmann::json j = extra;
  j["model_type"] = model_type;
  if (!architectures.empty()) j["architectures"] = architectures;
  j["vocab_size"] = vocab_size;
  j["hidden_size"] = hidden_size;
  j["intermediate_size"] = intermediate_size;
  j["num_hidden_layers"] = num_hidden_layers;
  j["num_attention_heads"] = num_attention_heads;
  j["num_key_value_heads"] = num_key_value_heads;
  j["hidden_act"] = hidden_act;
  j["max_position_embeddings"] = max_position_embeddings;
  j["initializer_range"] = initializer_range;
  j["rms_norm_eps"] = rms_norm_eps;
  j["use_cache"] = use_cache;
  j["pad_token_id"] = detail::optional_json(pad_token_id);
  j["bos_token_id"] = bos_token_id;
  j["eos_token_id"] = eos_token_id;
  j["tie_word_embeddings"] = tie_word_embeddings;
  j["rope_parameters"] = rope_parameters;
  j["attention_dropout"] = attention_dropout;
  if (model_type != "qwen2") j["head_dim"] = head_dim;
  if (model_type == "llama") {
    j["attention_bias"] = attention_bias;
    j["mlp_bias"] = mlp_bias;
  }
  if (model_type == "mistral" || model_type == "qwen2") j["sliding_window"] = detail::optional_json(sliding_window);
  if (model_type == "qwen2") {
    j["use_sliding_window"] = use_sliding_window;
    j["max_window_layers"] = max_window_layers;
    j["layer_types"] = layer_types;
  }
  if (classifier_dropout) j["classifier_dropout"] = *classifier_dropout;
  write_labels(j);
  return j;
}

void LlamaConfig::validate() const {
  const char* cls = model_type == "qwen2" ? "Qwen2Config" : model_type == "mistral" ? "MistralConfig" : "LlamaConfig";
  AFINAR_CHECK(model_type == "llama" || model_type == "qwen2" || model_type == "mistral", cls, ": model_type '",
               model_type, "' is not of the Llama family (llama, qwen2, mistral)");
  AFINAR_CHECK(vocab_size > 0, cls, ": vocab_size must be positive, got ", vocab_size);
  AFINAR_CHECK(hidden_size > 0 && num_hidden_layers >= 0 && intermediate_size > 0, cls,
               ": hidden_size, intermediate_size must be positive and num_hidden_layers >= 0");
  AFINAR_CHECK(num_attention_heads > 0 && num_key_value_heads > 0 && num_attention_heads % num_key_value_heads == 0,
               cls, ": num_attention_heads (", num_attention_heads, ") must be a multiple of num_key_value_heads (",
               num_key_value_heads, ")");
  AFINAR_CHECK(head_dim > 0 && head_dim % 2 == 0, cls, ": head_dim must be positive and even, got ", head_dim);
  AFINAR_CHECK(max_position_embeddings > 0, cls, ": max_position_embeddings must be positive");
  AFINAR_CHECK(attention_dropout >= 0 && attention_dropout <= 1, cls, ": attention_dropout must be in [0, 1]");
  AFINAR_CHECK(!classifier_dropout || (*classifier_dropout >= 0 && *classifier_dropout <= 1), cls,
               ": classifier_dropout must be in [0, 1]");
  AFINAR_CHECK(!pad_token_id || (*pad_token_id >= 0 && *pad_token_id < vocab_size), cls, ": pad_token_id ",
               pad_token_id.value_or(0), " out of the vocabulary (", vocab_size, ")");
  AFINAR_CHECK(!sliding_window || *sliding_window > 0, cls, ": sliding_window must be positive");
  AFINAR_CHECK(attn_implementation == "sdpa" || attn_implementation == "eager", cls, ": attn_implementation '",
               attn_implementation, "' is not supported (sdpa, eager)");
  AFINAR_CHECK(is_supported_activation(hidden_act), cls, ": hidden_act '", hidden_act, "' is not supported (",
               supported_activations(), ")");
  const std::string type = rope_type();
  if (type != "default" && type != "linear" && type != "dynamic" && type != "llama3")
    AFINAR_NOT_IMPLEMENTED("rope_type ", type, " (supported: default, linear, dynamic, llama3)");
  AFINAR_CHECK(rope_parameters.value("rope_theta", 0.0) > 0, cls, ": rope_theta must be positive");
  if (type != "default")
    AFINAR_CHECK(rope_parameters.contains("factor") && rope_parameters["factor"].is_number() &&
                     rope_parameters["factor"].get<double>() >= 1.0,
                 cls, ": rope_type ", type, " needs a number 'factor' >= 1 in rope_parameters, got ",
                 rope_parameters.dump());
  if (type == "llama3")
    for (const char* k : {"low_freq_factor", "high_freq_factor", "original_max_position_embeddings"})
      AFINAR_CHECK(rope_parameters.contains(k) && rope_parameters[k].is_number(), cls,
                   ": rope_type llama3 needs a number '", k, "' in rope_parameters");
  if (rope_parameters.contains("partial_rotary_factor") && rope_parameters["partial_rotary_factor"] != 1.0)
    AFINAR_NOT_IMPLEMENTED("partial_rotary_factor ", rope_parameters["partial_rotary_factor"].dump());
  check_labels(cls);
}

}  // namespace afinar
