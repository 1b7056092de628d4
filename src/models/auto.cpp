// AutoModelFor{SequenceClassification,TokenClassification,MaskedLM,QuestionAnswering}: config.json's
// model_type → the model class of that head, registered explicitly in one table (no static
// self-registration).
#include <iostream>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/hub/cache.h"
#include "afinar/io/safetensors.h"
#include "afinar/models/bert/modeling_bert.h"
#include "afinar/models/distilbert/modeling_distilbert.h"
#include "afinar/models/modeling.h"
#include "afinar/models/roberta/modeling_roberta.h"

namespace afinar {

namespace {

/// Restores the global CPU generator on scope exit: building a model draws random initial
/// weights that loading then overwrites; restoring the state makes the head init draw exactly
/// what transformers draws after torch.manual_seed (it initialises only the missing tensors).
class CpuRngStateGuard {
 public:
  CpuRngStateGuard() : gen_(at::detail::getDefaultCPUGenerator()) {
    std::lock_guard<std::mutex> lock(gen_.mutex());
    state_ = gen_.get_state();
  }
  ~CpuRngStateGuard() {
    std::lock_guard<std::mutex> lock(gen_.mutex());
    gen_.set_state(state_);
  }

 private:
  at::Generator gen_;
  torch::Tensor state_;
};

void warn_load_report(const LoadReport& r, const std::string& arch, const std::string& source) {
  auto list = [](const std::vector<std::string>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", '" : "'") + v[i] + "'";
    return s + "]";
  };
  if (!r.unexpected.empty())
    std::cerr << "Some weights of the model checkpoint at " << source << " were not used when initializing "
              << arch << ": " << list(r.unexpected) << "\n- This IS expected if you are initializing " << arch
              << " from the checkpoint of a model trained on another task or with another architecture.\n";
  if (!r.missing.empty())
    std::cerr << "Some weights of " << arch << " were not initialized from the model checkpoint at " << source
              << " and are newly initialized: " << list(r.missing)
              << "\nYou should probably TRAIN this model on a down-stream task to be able to use it for "
                 "predictions and inference.\n";
}

/// Initialises the parameters named in `missing` as the architecture's _init_weights does.
void init_missing(torch::nn::Module& m, const BertConfig& c, const std::vector<std::string>& missing) {
  bert_init_weights(m, c, &missing);  // RobertaConfig too: same rule
}
void init_missing(torch::nn::Module& m, const DistilBertConfig& c, const std::vector<std::string>& missing) {
  distilbert_init_weights(m, c, &missing);
}

/// num_labels / id2label / problem_type of from_pretrained's options applied to a config.
template <typename Config>
void apply_label_options(Config& cfg, const FromPretrainedOptions& opt) {
  if (!opt.id2label.empty()) {
    AFINAR_CHECK(!opt.num_labels || *opt.num_labels == static_cast<int64_t>(opt.id2label.size()), "num_labels (",
                 opt.num_labels.value_or(0), ") disagrees with id2label (", opt.id2label.size(), " names)");
    cfg.id2label = opt.id2label;
  } else if (opt.num_labels) {
    cfg.set_num_labels(*opt.num_labels);
  }
  if (!opt.problem_type.empty()) cfg.problem_type = opt.problem_type;
}

/// Builds `Model` from config.json, loads the checkpoint tensors into it, initialises what the
/// checkpoint lacks as transformers does, and warns about missing and unused tensors.
/// `adapt` may edit the checkpoint tensors first (legacy names of one head).
template <typename Model, typename Config>
PreTrainedModel load_model(const nlohmann::json& config_json, const fs::path& dir, const std::string& source,
                           const FromPretrainedOptions& opt, const char* arch, const char* base_model_prefix,
                           void (*adapt)(io::TensorMap&) = nullptr) {
  Config cfg = Config::from_json(config_json);
  apply_label_options(cfg, opt);
  cfg.validate();

  io::TensorMap weights = io::load_checkpoint_weights(dir);
  if (adapt) adapt(weights);
  std::shared_ptr<Model> model;
  {
    CpuRngStateGuard keep_rng;
    model = std::make_shared<Model>(cfg);
  }
  LoadReport report = load_pretrained_weights(*model, std::move(weights), base_model_prefix, source);
  init_missing(*model, cfg, report.missing);
  warn_load_report(report, arch, source);
  model->eval();
  return model;
}

/// Older BERT MLM checkpoints also store the tied decoder: its weight is the word embeddings
/// (dropped), its bias is cls.predictions.bias.
void drop_tied_bert_decoder(io::TensorMap& w) {
  w.erase("cls.predictions.decoder.weight");
  auto bias = w.find("cls.predictions.decoder.bias");
  if (bias == w.end()) return;
  if (!w.count("cls.predictions.bias")) w["cls.predictions.bias"] = bias->second;
  w.erase(bias);
}

PreTrainedModel bert_for_sequence_classification(const nlohmann::json& j, const fs::path& dir,
                                                 const std::string& source, const FromPretrainedOptions& opt) {
  return load_model<BertForSequenceClassificationImpl, BertConfig>(j, dir, source, opt,
                                                                   "BertForSequenceClassification", "bert");
}
PreTrainedModel bert_for_token_classification(const nlohmann::json& j, const fs::path& dir,
                                              const std::string& source, const FromPretrainedOptions& opt) {
  return load_model<BertForTokenClassificationImpl, BertConfig>(j, dir, source, opt, "BertForTokenClassification",
                                                                "bert");
}
PreTrainedModel bert_for_masked_lm(const nlohmann::json& j, const fs::path& dir, const std::string& source,
                                   const FromPretrainedOptions& opt) {
  return load_model<BertForMaskedLMImpl, BertConfig>(j, dir, source, opt, "BertForMaskedLM", "bert",
                                                     &drop_tied_bert_decoder);
}
PreTrainedModel bert_for_question_answering(const nlohmann::json& j, const fs::path& dir,
                                            const std::string& source, const FromPretrainedOptions& opt) {
  return load_model<BertForQuestionAnsweringImpl, BertConfig>(j, dir, source, opt, "BertForQuestionAnswering",
                                                              "bert");
}

PreTrainedModel roberta_for_sequence_classification(const nlohmann::json& j, const fs::path& dir,
                                                    const std::string& source, const FromPretrainedOptions& opt) {
  return load_model<RobertaForSequenceClassificationImpl, RobertaConfig>(
      j, dir, source, opt, "RobertaForSequenceClassification", "roberta");
}
PreTrainedModel roberta_for_token_classification(const nlohmann::json& j, const fs::path& dir,
                                                 const std::string& source, const FromPretrainedOptions& opt) {
  return load_model<RobertaForTokenClassificationImpl, RobertaConfig>(j, dir, source, opt,
                                                                      "RobertaForTokenClassification", "roberta");
}

PreTrainedModel distilbert_for_sequence_classification(const nlohmann::json& j, const fs::path& dir,
                                                       const std::string& source, const FromPretrainedOptions& opt) {
  return load_model<DistilBertForSequenceClassificationImpl, DistilBertConfig>(
      j, dir, source, opt, "DistilBertForSequenceClassification", "distilbert");
}
PreTrainedModel distilbert_for_token_classification(const nlohmann::json& j, const fs::path& dir,
                                                    const std::string& source, const FromPretrainedOptions& opt) {
  return load_model<DistilBertForTokenClassificationImpl, DistilBertConfig>(
      j, dir, source, opt, "DistilBertForTokenClassification", "distilbert");
}

using Factory = PreTrainedModel (*)(const nlohmann::json&, const fs::path&, const std::string&,
                                    const FromPretrainedOptions&);
enum class Task { SequenceClassification, TokenClassification, MaskedLM, QuestionAnswering };

/// One row per model_type: its factory per task (nullptr = that head does not exist for it).
struct Registered {
  const char* model_type;
  Factory for_sequence_classification;
  Factory for_token_classification;
  Factory for_masked_lm;
  Factory for_question_answering;

  Factory factory(Task t) const {
    switch (t) {
      case Task::SequenceClassification: return for_sequence_classification;
      case Task::TokenClassification: return for_token_classification;
      case Task::MaskedLM: return for_masked_lm;
      case Task::QuestionAnswering: return for_question_answering;
    }
    return nullptr;
  }
};

const std::vector<Registered>& registry() {
  static const std::vector<Registered> models = {
      {"bert", &bert_for_sequence_classification, &bert_for_token_classification, &bert_for_masked_lm,
       &bert_for_question_answering},
      {"roberta", &roberta_for_sequence_classification, &roberta_for_token_classification, nullptr, nullptr},
      {"distilbert", &distilbert_for_sequence_classification, &distilbert_for_token_classification, nullptr,
       nullptr},
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
  return auto_from_pretrained(Task::SequenceClassification, "AutoModelForSequenceClassification", name_or_path,
                              opt);
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

}  // namespace afinar
