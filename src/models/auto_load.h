// Internal to src/models: what every AutoModel factory shares (building a model from config.json,
// loading its checkpoint, initialising what the checkpoint lacks, warning as transformers warns).
// Each model family defines its factories in its own folder (e.g. src/models/bert/auto_bert.cpp)
// and lists them in auto_factories.h; auto.cpp holds the one registry table.
#pragma once
#include <iostream>
#include <mutex>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/io/safetensors.h"
#include "afinar/models/modeling.h"

namespace afinar::detail {

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

inline void warn_load_report(const LoadReport& r, const std::string& arch, const std::string& source) {
  auto list = [](const std::vector<std::string>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", '" : "'") + v[i] + "'";
    return s + "]";
  };
  if (!r.unexpected.empty())
    std::cerr << "Some weights of the model checkpoint at " << source << " were not used when initializing " << arch
              << ": " << list(r.unexpected) << "\n- This IS expected if you are initializing " << arch
              << " from the checkpoint of a model trained on another task or with another architecture.\n";
  if (!r.missing.empty())
    std::cerr << "Some weights of " << arch << " were not initialized from the model checkpoint at " << source
              << " and are newly initialized: " << list(r.missing)
              << "\nYou should probably TRAIN this model on a down-stream task to be able to use it for "
                 "predictions and inference.\n";
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
/// checkpoint lacks as transformers does (`init_missing(model, cfg, &missing)`: the family's
/// _init_weights restricted to those names), and warns about missing and unused tensors.
/// `adapt` may edit the checkpoint tensors first (legacy names of one head).
/// `validate`: false for a model whose constructor checks the config itself (the causal-LM heads
/// of the encoder families accept is_decoder, which Config::validate refuses for the other heads).
template <typename Model, typename Config, typename InitMissing>
PreTrainedModel load_model(const nlohmann::json& config_json, const fs::path& dir, const std::string& source,
                           const FromPretrainedOptions& opt, const char* arch, const char* base_model_prefix,
                           InitMissing init_missing, void (*adapt)(io::TensorMap&) = nullptr, bool validate = true) {
  Config cfg = Config::from_json(config_json);
  apply_label_options(cfg, opt);
  if (validate) cfg.validate();

  io::TensorMap weights = io::load_checkpoint_weights(dir);
  if (adapt) adapt(weights);
  std::shared_ptr<Model> model;
  {
    CpuRngStateGuard keep_rng;
    model = std::make_shared<Model>(cfg);
  }
  LoadReport report = load_pretrained_weights(*model, std::move(weights), base_model_prefix, source);
  init_missing(*model, cfg, &report.missing);
  warn_load_report(report, arch, source);
  model->eval();
  return model;
}

}  // namespace afinar::detail
