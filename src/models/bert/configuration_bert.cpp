#include "afinar/models/bert/configuration_bert.h"

#include <algorithm>

#include "../gpt2/config_read.h"
#include "afinar/core/check.h"

namespace afinar {

namespace {

using detail::read_field;

// Fields this struct owns; everything else goes to `extra`.
const char* const kKnown[] = {
    "vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
    "hidden_act", "hidden_dropout_prob", "attention_probs_dropout_prob", "max_position_embeddings",
    "type_vocab_size", "initializer_range", "layer_norm_eps", "pad_token_id",
    "position_embedding_type", "classifier_dropout", "is_decoder", "add_cross_attention", "use_cache",
    "id2label", "label2id", "num_labels", "problem_type", "architectures", "model_type"};

}  // namespace

void BertConfig::set_num_labels(int64_t n) {
  AFINAR_CHECK(n > 0, "num_labels must be positive, got ", n);
  if (n == num_labels()) return;
  id2label.clear();
  for (int64_t i = 0; i < n; ++i) id2label.push_back("LABEL_" + std::to_string(i));
}

BertConfig BertConfig::from_json(const nlohmann::json& j) {
  AFINAR_CHECK(j.is_object(), "config.json must be a JSON object");
  BertConfig c;
  read_field(j, "vocab_size", c.vocab_size);
  read_field(j, "hidden_size", c.hidden_size);
  read_field(j, "num_hidden_layers", c.num_hidden_layers);
  read_field(j, "num_attention_heads", c.num_attention_heads);
  read_field(j, "intermediate_size", c.intermediate_size);
  read_field(j, "hidden_act", c.hidden_act);
  read_field(j, "hidden_dropout_prob", c.hidden_dropout_prob);
  read_field(j, "attention_probs_dropout_prob", c.attention_probs_dropout_prob);
  read_field(j, "max_position_embeddings", c.max_position_embeddings);
  read_field(j, "type_vocab_size", c.type_vocab_size);
  read_field(j, "initializer_range", c.initializer_range);
  read_field(j, "layer_norm_eps", c.layer_norm_eps);
  read_field(j, "pad_token_id", c.pad_token_id);
  read_field(j, "position_embedding_type", c.position_embedding_type);
  read_field(j, "classifier_dropout", c.classifier_dropout);
  read_field(j, "is_decoder", c.is_decoder);
  read_field(j, "add_cross_attention", c.add_cross_attention);
  read_field(j, "use_cache", c.use_cache);
  read_field(j, "problem_type", c.problem_type);
  read_field(j, "architectures", c.architectures);
  if (j.contains("pad_token_id") && j["pad_token_id"].is_null()) c.pad_token_id.reset();

  // id2label is {"0": "NEG", "1": "POS"}; it decides num_labels, as in transformers.
  if (auto it = j.find("id2label"); it != j.end() && it->is_object() && !it->empty()) {
    std::vector<std::string> labels(it->size());
    for (const auto& [k, v] : it->items()) {
      size_t i = 0;
      try {
        i = std::stoul(k);
      } catch (const std::exception&) {
        throw InvalidArgument(detail::concat("config.json: id2label key '", k, "' is not an index"));
      }
      AFINAR_CHECK(i < labels.size() && v.is_string(), "config.json: id2label must map 0..",
                   labels.size() - 1, " to names, got key '", k, "' → ", v.dump());
      labels[i] = v.get<std::string>();
    }
    c.id2label = std::move(labels);
  } else if (auto n = j.find("num_labels"); n != j.end() && n->is_number_integer()) {
    c.set_num_labels(n->get<int64_t>());
  }
  for (const auto& [k, v] : j.items()) {
    if (std::find(std::begin(kKnown), std::end(kKnown), k) == std::end(kKnown)) c.extra[k] = v;
  }
  return c;
}

nlohmann::json BertConfig::to_json() const {
  nlohmann::json j = extra;
  j["model_type"] = "bert";
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
  j["pad_token_id"] = pad_token_id ? nlohmann::json(*pad_token_id) : nlohmann::json(nullptr);
  j["position_embedding_type"] = position_embedding_type;
  j["classifier_dropout"] = classifier_dropout ? nlohmann::json(*classifier_dropout) : nlohmann::json(nullptr);
  j["is_decoder"] = is_decoder;
  j["add_cross_attention"] = add_cross_attention;
  j["use_cache"] = use_cache;
  nlohmann::json id2 = nlohmann::json::object(), l2id = nlohmann::json::object();
  for (size_t i = 0; i < id2label.size(); ++i) {
    id2[std::to_string(i)] = id2label[i];
    l2id[id2label[i]] = i;
  }
  j["id2label"] = id2;
  j["label2id"] = l2id;
  if (!problem_type.empty()) j["problem_type"] = problem_type;
  return j;
}

void BertConfig::validate() const {
  AFINAR_CHECK(vocab_size > 0, "BertConfig: vocab_size must be positive, got ", vocab_size);
  AFINAR_CHECK(hidden_size > 0 && num_attention_heads > 0 && hidden_size % num_attention_heads == 0,
               "BertConfig: hidden_size (", hidden_size, ") must be a multiple of num_attention_heads (",
               num_attention_heads, ")");
  AFINAR_CHECK(num_hidden_layers >= 0, "BertConfig: num_hidden_layers must be >= 0, got ", num_hidden_layers);
  AFINAR_CHECK(intermediate_size > 0, "BertConfig: intermediate_size must be positive, got ", intermediate_size);
  AFINAR_CHECK(max_position_embeddings > 0, "BertConfig: max_position_embeddings must be positive, got ",
               max_position_embeddings);
  AFINAR_CHECK(type_vocab_size > 0, "BertConfig: type_vocab_size must be positive, got ", type_vocab_size);
  auto prob = [](double p) { return p >= 0.0 && p <= 1.0; };
  AFINAR_CHECK(prob(hidden_dropout_prob), "BertConfig: hidden_dropout_prob must be in [0, 1], got ",
               hidden_dropout_prob);
  AFINAR_CHECK(prob(attention_probs_dropout_prob),
               "BertConfig: attention_probs_dropout_prob must be in [0, 1], got ", attention_probs_dropout_prob);
  AFINAR_CHECK(!classifier_dropout || prob(*classifier_dropout),
               "BertConfig: classifier_dropout must be in [0, 1], got ", classifier_dropout.value_or(0));
  AFINAR_CHECK(!pad_token_id || (*pad_token_id >= 0 && *pad_token_id < vocab_size),
               "BertConfig: pad_token_id ", pad_token_id.value_or(0), " out of the vocabulary (", vocab_size, ")");
  static const char* const acts[] = {"gelu", "gelu_new", "gelu_pytorch_tanh", "relu", "silu", "swish"};
  AFINAR_CHECK(std::find(std::begin(acts), std::end(acts), hidden_act) != std::end(acts),
               "BertConfig: hidden_act '", hidden_act,
               "' is not supported (gelu, gelu_new, gelu_pytorch_tanh, relu, silu, swish)");
  AFINAR_CHECK(position_embedding_type == "absolute", "BertConfig: position_embedding_type '",
               position_embedding_type, "' is not supported (absolute)");
  AFINAR_CHECK(!is_decoder && !add_cross_attention,
               "BertConfig: decoder BERT (is_decoder/add_cross_attention) is not supported by this head "
               "(HINT: is_decoder is for the causal-LM head, AutoModelForCausalLM; add_cross_attention is not "
               "supported)");
  AFINAR_CHECK(num_labels() > 0, "BertConfig: num_labels must be positive");
  AFINAR_CHECK(problem_type.empty() || problem_type == "regression" ||
                   problem_type == "single_label_classification" ||
                   problem_type == "multi_label_classification",
               "BertConfig: problem_type '", problem_type,
               "' must be regression, single_label_classification or multi_label_classification");
}

}  // namespace afinar
