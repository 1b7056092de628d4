#include "afinar/models/gpt2/configuration_gpt2.h"

#include "../config_read.h"
#include "afinar/core/check.h"
#include "afinar/nn/activations.h"

namespace afinar {

GPT2Config GPT2Config::from_json(const nlohmann::json& j) {
  using detail::read_field;
  AFINAR_CHECK(j.is_object(), "config.json must be a JSON object");
  GPT2Config c;
  // transformers' attribute_map aliases first, so that the canonical names win when both exist.
  read_field(j, "hidden_size", c.n_embd);
  read_field(j, "num_hidden_layers", c.n_layer);
  read_field(j, "num_attention_heads", c.n_head);
  read_field(j, "max_position_embeddings", c.n_positions);
  read_field(j, "vocab_size", c.vocab_size);
  read_field(j, "n_positions", c.n_positions);
  read_field(j, "n_embd", c.n_embd);
  read_field(j, "n_layer", c.n_layer);
  read_field(j, "n_head", c.n_head);
  read_field(j, "n_inner", c.n_inner);
  read_field(j, "activation_function", c.activation_function);
  read_field(j, "resid_pdrop", c.resid_pdrop);
  read_field(j, "embd_pdrop", c.embd_pdrop);
  read_field(j, "attn_pdrop", c.attn_pdrop);
  read_field(j, "layer_norm_epsilon", c.layer_norm_epsilon);
  read_field(j, "initializer_range", c.initializer_range);
  read_field(j, "scale_attn_weights", c.scale_attn_weights);
  read_field(j, "scale_attn_by_inverse_layer_idx", c.scale_attn_by_inverse_layer_idx);
  read_field(j, "reorder_and_upcast_attn", c.reorder_and_upcast_attn);
  read_field(j, "add_cross_attention", c.add_cross_attention);
  read_field(j, "use_cache", c.use_cache);
  read_field(j, "tie_word_embeddings", c.tie_word_embeddings);
  if (j.contains("bos_token_id")) c.bos_token_id = j["bos_token_id"];
  if (j.contains("eos_token_id")) c.eos_token_id = j["eos_token_id"];
  read_field(j, "pad_token_id", c.pad_token_id);
  read_field(j, "classifier_dropout", c.classifier_dropout);
  read_field(j, "attn_implementation", c.attn_implementation);
  read_field(j, "_attn_implementation", c.attn_implementation);
  read_field(j, "architectures", c.architectures);
  c.read_labels(j);
  c.extra = detail::unknown_fields(j, {"vocab_size",
                                       "n_positions",
                                       "n_embd",
                                       "n_layer",
                                       "n_head",
                                       "n_inner",
                                       "activation_function",
                                       "resid_pdrop",
                                       "embd_pdrop",
                                       "attn_pdrop",
                                       "layer_norm_epsilon",
                                       "initializer_range",
                                       "scale_attn_weights",
                                       "scale_attn_by_inverse_layer_idx",
                                       "reorder_and_upcast_attn",
                                       "add_cross_attention",
                                       "use_cache",
                                       "tie_word_embeddings",
                                       "bos_token_id",
                                       "eos_token_id",
                                       "pad_token_id",
                                       "classifier_dropout",
                                       "attn_implementation",
                                       "_attn_implementation",
                                       "hidden_size",
                                       "num_hidden_layers",
                                       "num_attention_heads",
                                       "max_position_embeddings",
                                       "id2label",
                                       "label2id",
                                       "num_labels",
                                       "problem_type",
                                       "architectures",
                                       "model_type"});
  return c;
}

nlohmann::json GPT2Config::to_json() const {
  nlohmann::json j = extra;
  j["model_type"] = "gpt2";
  if (!architectures.empty()) j["architectures"] = architectures;
  j["vocab_size"] = vocab_size;
  j["n_positions"] = n_positions;
  j["n_embd"] = n_embd;
  j["n_layer"] = n_layer;
  j["n_head"] = n_head;
  j["n_inner"] = detail::optional_json(n_inner);
  j["activation_function"] = activation_function;
  j["resid_pdrop"] = resid_pdrop;
  j["embd_pdrop"] = embd_pdrop;
  j["attn_pdrop"] = attn_pdrop;
  j["layer_norm_epsilon"] = layer_norm_epsilon;
  j["initializer_range"] = initializer_range;
  j["scale_attn_weights"] = scale_attn_weights;
  j["scale_attn_by_inverse_layer_idx"] = scale_attn_by_inverse_layer_idx;
  j["reorder_and_upcast_attn"] = reorder_and_upcast_attn;
  j["add_cross_attention"] = add_cross_attention;
  j["use_cache"] = use_cache;
  j["tie_word_embeddings"] = tie_word_embeddings;
  j["bos_token_id"] = bos_token_id;
  j["eos_token_id"] = eos_token_id;
  j["pad_token_id"] = detail::optional_json(pad_token_id);
  if (classifier_dropout) j["classifier_dropout"] = *classifier_dropout;
  write_labels(j);
  return j;
}

void GPT2Config::validate() const {
  AFINAR_CHECK(vocab_size > 0, "GPT2Config: vocab_size must be positive, got ", vocab_size);
  AFINAR_CHECK(n_embd > 0 && n_head > 0 && n_embd % n_head == 0, "GPT2Config: n_embd (", n_embd,
               ") must be a multiple of n_head (", n_head, ")");
  AFINAR_CHECK(n_layer >= 0, "GPT2Config: n_layer must be >= 0, got ", n_layer);
  AFINAR_CHECK(n_positions > 0, "GPT2Config: n_positions must be positive, got ", n_positions);
  AFINAR_CHECK(inner_dim() > 0, "GPT2Config: n_inner must be positive, got ", inner_dim());
  auto prob = [](double p) { return p >= 0.0 && p <= 1.0; };
  AFINAR_CHECK(prob(resid_pdrop) && prob(embd_pdrop) && prob(attn_pdrop),
               "GPT2Config: resid_pdrop, embd_pdrop and attn_pdrop must be in [0, 1], got ", resid_pdrop, ", ",
               embd_pdrop, ", ", attn_pdrop);
  AFINAR_CHECK(!classifier_dropout || prob(*classifier_dropout), "GPT2Config: classifier_dropout must be in [0, 1]");
  AFINAR_CHECK(!pad_token_id || (*pad_token_id >= 0 && *pad_token_id < vocab_size), "GPT2Config: pad_token_id ",
               pad_token_id.value_or(0), " out of the vocabulary (", vocab_size, ")");
  AFINAR_CHECK(!add_cross_attention,
               "GPT2Config: add_cross_attention (GPT-2 as a decoder of an encoder) is not "
               "supported");
  AFINAR_CHECK(attn_implementation == "sdpa" || attn_implementation == "eager", "GPT2Config: attn_implementation '",
               attn_implementation, "' is not supported (sdpa, eager)");
  AFINAR_CHECK(is_supported_activation(activation_function), "GPT2Config: activation_function '", activation_function,
               "' is not supported (", supported_activations(), ")");
  check_labels("GPT2Config");
}

}  // namespace afinar
