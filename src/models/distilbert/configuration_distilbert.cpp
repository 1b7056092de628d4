#include "afinar/models/distilbert/configuration_distilbert.h"

#include <algorithm>

#include "../config_read.h"
#include "afinar/core/check.h"
#include "afinar/nn/activations.h"

namespace afinar {

namespace {

using detail::read_field;

// Fields this struct owns; everything else goes to `extra`.
const char* const kKnown[] = {"vocab_size",
                              "max_position_embeddings",
                              "sinusoidal_pos_embds",
                              "n_layers",
                              "n_heads",
                              "dim",
                              "hidden_dim",
                              "dropout",
                              "attention_dropout",
                              "activation",
                              "initializer_range",
                              "qa_dropout",
                              "seq_classif_dropout",
                              "pad_token_id",
                              "id2label",
                              "label2id",
                              "num_labels",
                              "problem_type",
                              "architectures",
                              "model_type"};

}  // namespace

DistilBertConfig DistilBertConfig::from_json(const nlohmann::json& j) {
  AFINAR_CHECK(j.is_object(), "config.json must be a JSON object");
  DistilBertConfig c;
  read_field(j, "vocab_size", c.vocab_size);
  read_field(j, "max_position_embeddings", c.max_position_embeddings);
  read_field(j, "sinusoidal_pos_embds", c.sinusoidal_pos_embds);
  read_field(j, "n_layers", c.n_layers);
  read_field(j, "n_heads", c.n_heads);
  read_field(j, "dim", c.dim);
  read_field(j, "hidden_dim", c.hidden_dim);
  read_field(j, "dropout", c.dropout);
  read_field(j, "attention_dropout", c.attention_dropout);
  read_field(j, "activation", c.activation);
  read_field(j, "initializer_range", c.initializer_range);
  read_field(j, "qa_dropout", c.qa_dropout);
  read_field(j, "seq_classif_dropout", c.seq_classif_dropout);
  read_field(j, "architectures", c.architectures);
  if (auto it = j.find("pad_token_id"); it != j.end()) {
    if (it->is_null())
      c.pad_token_id.reset();
    else {
      int64_t v = 0;
      read_field(j, "pad_token_id", v);
      c.pad_token_id = v;
    }
  }
  c.read_labels(j);
  for (const auto& [k, v] : j.items())
    if (std::find(std::begin(kKnown), std::end(kKnown), k) == std::end(kKnown)) c.extra[k] = v;
  return c;
}

nlohmann::json DistilBertConfig::to_json() const {
  nlohmann::json j = extra;
  j["model_type"] = "distilbert";
  if (!architectures.empty()) j["architectures"] = architectures;
  j["vocab_size"] = vocab_size;
  j["max_position_embeddings"] = max_position_embeddings;
  j["sinusoidal_pos_embds"] = sinusoidal_pos_embds;
  j["n_layers"] = n_layers;
  j["n_heads"] = n_heads;
  j["dim"] = dim;
  j["hidden_dim"] = hidden_dim;
  j["dropout"] = dropout;
  j["attention_dropout"] = attention_dropout;
  j["activation"] = activation;
  j["initializer_range"] = initializer_range;
  j["qa_dropout"] = qa_dropout;
  j["seq_classif_dropout"] = seq_classif_dropout;
  j["pad_token_id"] = pad_token_id ? nlohmann::json(*pad_token_id) : nlohmann::json(nullptr);
  write_labels(j);
  return j;
}

void DistilBertConfig::validate() const {
  AFINAR_CHECK(vocab_size > 0, "DistilBertConfig: vocab_size must be positive, got ", vocab_size);
  AFINAR_CHECK(dim > 0 && n_heads > 0 && dim % n_heads == 0, "DistilBertConfig: dim (", dim,
               ") must be a multiple of n_heads (", n_heads, ")");
  AFINAR_CHECK(n_layers >= 0, "DistilBertConfig: n_layers must be >= 0, got ", n_layers);
  AFINAR_CHECK(hidden_dim > 0, "DistilBertConfig: hidden_dim must be positive, got ", hidden_dim);
  AFINAR_CHECK(max_position_embeddings > 0, "DistilBertConfig: max_position_embeddings must be positive, got ",
               max_position_embeddings);
  auto prob = [](double p) { return p >= 0.0 && p <= 1.0; };
  AFINAR_CHECK(prob(dropout) && prob(attention_dropout) && prob(qa_dropout) && prob(seq_classif_dropout),
               "DistilBertConfig: dropout probabilities must be in [0, 1], got dropout ", dropout,
               ", attention_dropout ", attention_dropout, ", qa_dropout ", qa_dropout, ", seq_classif_dropout ",
               seq_classif_dropout);
  AFINAR_CHECK(!pad_token_id || (*pad_token_id >= 0 && *pad_token_id < vocab_size), "DistilBertConfig: pad_token_id ",
               pad_token_id.value_or(0), " out of the vocabulary (", vocab_size, ")");
  AFINAR_CHECK(is_supported_activation(activation), "DistilBertConfig: activation '", activation,
               "' is not supported (", supported_activations(), ")");
  if (sinusoidal_pos_embds)
    AFINAR_NOT_IMPLEMENTED("DistilBertConfig: sinusoidal_pos_embds = true (frozen sinusoidal positions)");
  check_labels("DistilBertConfig");
}

}  // namespace afinar
