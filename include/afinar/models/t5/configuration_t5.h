/// T5Config: transformers' T5Config (v5.23), same field names and defaults. Fields afinar does not
/// know are kept in `extra` so that a loaded config.json saves back with them.
///
///   auto cfg = afinar::T5Config::from_json(nlohmann::json::parse(read_file("config.json")));
///   cfg.validate();
///   cfg.is_gated_act();   // true for "gated-gelu" (T5 v1.1, flan-t5)
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "afinar/models/config_labels.h"

namespace afinar {

/// The label fields (id2label, num_labels, problem_type) are ConfigLabels'; transformers' default is
/// 2 labels, and T5 writes id2label/label2id to config.json only when they differ from it.
struct T5Config : ConfigLabels {
  int64_t vocab_size = 32128;
  int64_t d_model = 512;
  int64_t d_kv = 64;
  int64_t d_ff = 2048;
  int64_t num_layers = 6;
  std::optional<int64_t> num_decoder_layers;  ///< unset = num_layers
  int64_t num_heads = 8;
  int64_t relative_attention_num_buckets = 32;
  int64_t relative_attention_max_distance = 128;
  double dropout_rate = 0.1;
  double layer_norm_epsilon = 1e-6;
  double initializer_factor = 1.0;
  std::string feed_forward_proj = "relu";  ///< "{act}" or "gated-{act}"; "gated-gelu" uses gelu_new
  double classifier_dropout = 0.0;
  bool use_cache = true;
  std::optional<int64_t> pad_token_id = 0;
  nlohmann::json eos_token_id = 1;                ///< int, list of ints, or null
  std::optional<int64_t> decoder_start_token_id;  ///< T5 checkpoints set it to pad_token_id (0)
  /// As config.json says. transformers 5.23 always ties lm_head to `shared` unless the checkpoint
  /// holds an lm_head.weight of its own; this flag only decides `scale_decoder_outputs`.
  bool tie_word_embeddings = true;
  /// Rescale the decoder output by d_model**-0.5 before lm_head; unset = tie_word_embeddings.
  std::optional<bool> scale_decoder_outputs;

  std::vector<std::string> architectures;
  nlohmann::json extra = nlohmann::json::object();  ///< unknown config.json fields, kept verbatim

  int64_t decoder_layers() const { return num_decoder_layers.value_or(num_layers); }
  bool is_gated_act() const;
  /// The activation of the feed-forward block: the part after "gated-", "gelu_new" for "gated-gelu".
  std::string dense_act_fn() const;
  /// The single eos id (T5ForSequenceClassification pools at it); throws when eos_token_id is a list.
  int64_t eos_id() const;
  bool scales_decoder_outputs() const { return scale_decoder_outputs.value_or(tie_word_embeddings); }

  /// Reads a config.json object; throws InvalidArgument on a field of the wrong type.
  static T5Config from_json(const nlohmann::json& j);
  /// All fields (known and extra) as transformers 5.23 writes them (model_type "t5").
  nlohmann::json to_json() const;
  /// Throws InvalidArgument naming the first inconsistent or unsupported field.
  void validate() const;
};

}  // namespace afinar
