// AutoModelFor{SequenceClassification,TokenClassification,MaskedLM,CausalLM,Seq2SeqLM,
// QuestionAnswering}: config.json's model_type → the model class of that head, registered
// explicitly in one table (no static self-registration). The factories live with their family.
#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/hub/cache.h"
#include "afinar/models/modeling.h"
#include "auto_factories.h"

namespace afinar {

namespace {

using namespace detail;  // the factories

using Factory = PreTrainedModel (*)(const nlohmann::json&, const fs::path&, const std::string&,
                                    const FromPretrainedOptions&);
enum class Task { SequenceClassification, TokenClassification, MaskedLM, QuestionAnswering, CausalLM, Seq2SeqLM };

/// One row per model_type: its factory per task (nullptr = that head does not exist for it).
struct Registered {
  const char* model_type;
  Factory for_sequence_classification;
  Factory for_token_classification;
  Factory for_masked_lm;
  Factory for_question_answering;
  Factory for_causal_lm = nullptr;
  Factory for_seq2seq_lm = nullptr;

  Factory factory(Task t) const {
    switch (t) {
      case Task::SequenceClassification:
        return for_sequence_classification;
      case Task::TokenClassification:
        return for_token_classification;
      case Task::MaskedLM:
        return for_masked_lm;
      case Task::QuestionAnswering:
        return for_question_answering;
      case Task::CausalLM:
        return for_causal_lm;
      case Task::Seq2SeqLM:
        return for_seq2seq_lm;
    }
    return nullptr;
  }
};

const std::vector<Registered>& registry() {
  static const std::vector<Registered> models = {
      {"bert", &bert_for_sequence_classification, &bert_for_token_classification, &bert_for_masked_lm,
       &bert_for_question_answering, &bert_lm_head_model},
      {"roberta", &roberta_for_sequence_classification, &roberta_for_token_classification, &roberta_for_masked_lm,
       &roberta_for_question_answering, &roberta_for_causal_lm},
      {"distilbert", &distilbert_for_sequence_classification, &distilbert_for_token_classification,
       &distilbert_for_masked_lm, &distilbert_for_question_answering},
      // Decoders (GPT-2, the Llama family) — rows here.
      {"gpt2", &gpt2_for_sequence_classification, &gpt2_for_token_classification, nullptr, &gpt2_for_question_answering,
       &gpt2_lm_head_model},
      // The Llama family: one implementation, the config fields differ.
      {"llama", &llama_for_sequence_classification, &llama_for_token_classification, nullptr,
       &llama_for_question_answering, &llama_for_causal_lm},
      {"qwen2", &llama_for_sequence_classification, &llama_for_token_classification, nullptr,
       &llama_for_question_answering, &llama_for_causal_lm},
      {"mistral", &llama_for_sequence_classification, &llama_for_token_classification, nullptr,
       &llama_for_question_answering, &llama_for_causal_lm},
      // Encoder-decoders (T5, BART) — rows here.
      {"t5", &t5_for_sequence_classification, &t5_for_token_classification, nullptr, &t5_for_question_answering,
       nullptr, &t5_for_conditional_generation},
      {"bart", &bart_for_sequence_classification, nullptr, nullptr, &bart_for_question_answering, &bart_for_causal_lm,
       &bart_for_conditional_generation},
  };
  return models;
}

PreTrainedModel auto_from_pretrained(Task task, const char* auto_class, const std::string& name_or_path,
                                     const FromPretrainedOptions& opt) {
  fs::path dir = hub::resolve_repo(name_or_path, hub::RepoType::Model, opt.revision);
  fs::path config_path = dir / "config.json";
  nlohmann::json config;
  try {
    config = nlohmann::json::parse(read_file(config_path));
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(detail::concat(config_path.string(), ": not valid JSON: ", e.what()));
  }
  AFINAR_CHECK_FORMAT(config.is_object() && config.contains("model_type") && config["model_type"].is_string(),
                      config_path.string(), ": missing string field 'model_type'");
  const std::string type = config["model_type"].get<std::string>();
  AFINAR_CHECK(opt.config_overrides.is_object(), "from_pretrained: config_overrides must be a JSON object");
  for (const auto& [k, v] : opt.config_overrides.items()) config[k] = v;
  std::string known;
  for (const auto& r : registry()) {
    if (Factory f = r.factory(task)) {
      if (type == r.model_type) return f(config, dir, name_or_path, opt);
      known += (known.empty() ? "" : ", ") + std::string(r.model_type);
    }
  }
  throw InvalidArgument(detail::concat(config_path.string(), ": model_type '", type, "' is not supported by ",
                                       auto_class, " (known: ", known, ")"));
}

}  // namespace

std::vector<std::string> known_model_types() {
  std::vector<std::string> out;
  for (const auto& r : registry()) out.push_back(r.model_type);
  return out;
}

PreTrainedModel AutoModelForSequenceClassification::from_pretrained(const std::string& name_or_path,
                                                                    const FromPretrainedOptions& opt) {
  return auto_from_pretrained(Task::SequenceClassification, "AutoModelForSequenceClassification", name_or_path, opt);
}

PreTrainedModel AutoModelForTokenClassification::from_pretrained(const std::string& name_or_path,
                                                                 const FromPretrainedOptions& opt) {
  return auto_from_pretrained(Task::TokenClassification, "AutoModelForTokenClassification", name_or_path, opt);
}

PreTrainedModel AutoModelForMaskedLM::from_pretrained(const std::string& name_or_path,
                                                      const FromPretrainedOptions& opt) {
  return auto_from_pretrained(Task::MaskedLM, "AutoModelForMaskedLM", name_or_path, opt);
}

PreTrainedModel AutoModelForQuestionAnswering::from_pretrained(const std::string& name_or_path,
                                                               const FromPretrainedOptions& opt) {
  return auto_from_pretrained(Task::QuestionAnswering, "AutoModelForQuestionAnswering", name_or_path, opt);
}

PreTrainedModel AutoModelForCausalLM::from_pretrained(const std::string& name_or_path,
                                                      const FromPretrainedOptions& opt) {
  return auto_from_pretrained(Task::CausalLM, "AutoModelForCausalLM", name_or_path, opt);
}

PreTrainedModel AutoModelForSeq2SeqLM::from_pretrained(const std::string& name_or_path,
                                                       const FromPretrainedOptions& opt) {
  return auto_from_pretrained(Task::Seq2SeqLM, "AutoModelForSeq2SeqLM", name_or_path, opt);
}

}  // namespace afinar
