// AutoModelForSequenceClassification: config.json's model_type → the model class, registered
// explicitly in one table (no static self-registration).
#include <iostream>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/hub/cache.h"
#include "afinar/io/safetensors.h"
#include "afinar/models/bert/modeling_bert.h"
#include "afinar/models/modeling.h"

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

PreTrainedModel bert_for_sequence_classification(const nlohmann::json& config_json, const fs::path& dir,
                                                 const std::string& source, const FromPretrainedOptions& opt) {
  BertConfig cfg = BertConfig::from_json(config_json);
  if (!opt.id2label.empty()) {
    AFINAR_CHECK(!opt.num_labels || *opt.num_labels == static_cast<int64_t>(opt.id2label.size()), "num_labels (",
                 opt.num_labels.value_or(0), ") disagrees with id2label (", opt.id2label.size(), " names)");
    cfg.id2label = opt.id2label;
  } else if (opt.num_labels) {
    cfg.set_num_labels(*opt.num_labels);
  }
  if (!opt.problem_type.empty()) cfg.problem_type = opt.problem_type;
  cfg.validate();

  io::TensorMap weights = io::load_checkpoint_weights(dir);
  std::shared_ptr<BertForSequenceClassificationImpl> model;
  {
    CpuRngStateGuard keep_rng;
    model = std::make_shared<BertForSequenceClassificationImpl>(cfg);
  }
  LoadReport report = load_pretrained_weights(*model, std::move(weights), "bert", source);
  bert_init_weights(*model, cfg, &report.missing);
  warn_load_report(report, "BertForSequenceClassification", source);
  model->eval();
  return model;
}

using Factory = PreTrainedModel (*)(const nlohmann::json&, const fs::path&, const std::string&,
                                    const FromPretrainedOptions&);
struct Registered {
  const char* model_type;
  Factory for_sequence_classification;
};

const std::vector<Registered>& registry() {
  static const std::vector<Registered> models = {
      {"bert", &bert_for_sequence_classification},
  };
  return models;
}

}  // namespace

std::vector<std::string> known_model_types() {
  std::vector<std::string> out;
  for (const auto& r : registry()) out.push_back(r.model_type);
  return out;
}

PreTrainedModel AutoModelForSequenceClassification::from_pretrained(const std::string& name_or_path,
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
  for (const auto& r : registry())
    if (type == r.model_type) return r.for_sequence_classification(config, dir, name_or_path, opt);
  std::string known;
  for (const auto& t : known_model_types()) known += (known.empty() ? "" : ", ") + t;
  throw InvalidArgument(detail::concat(config_path.string(), ": model_type '", type,
                                       "' is not supported by AutoModelForSequenceClassification (known: ", known,
                                       ")"));
}

}  // namespace afinar
