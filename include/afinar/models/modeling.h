/// What every afinar model takes and returns, and the base of every pretrained model.
///
/// Inputs and outputs are structs (not long argument lists), named as transformers names them.
/// Module names equal the HF state-dict keys, so `named_parameters()` keys equal the safetensors
/// keys (e.g. "bert.encoder.layer.0.attention.self.query.weight").
///
///   afinar::ModelInputs in{.input_ids = ids, .attention_mask = mask};   // ids: (B, T) int64
///   afinar::ModelOutputs out = model->forward(in);                      // out.logits: (B, num_labels)
#pragma once
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <vector>

namespace afinar {

struct ModelInputs {
  torch::Tensor input_ids;       ///< (B, T) int64
  torch::Tensor attention_mask;  ///< (B, T) int64, 1 = token, 0 = padding; undefined = all ones
  torch::Tensor token_type_ids;  ///< (B, T) int64; undefined = zeros
  torch::Tensor position_ids;    ///< (B, T) int64; undefined = 0..T-1
  torch::Tensor labels;          ///< (B) int64 for sequence classification; undefined = no loss
};

struct ModelOutputs {
  torch::Tensor loss;               ///< scalar, when labels were given
  torch::Tensor logits;             ///< (B, num_labels) for sequence classification
  torch::Tensor last_hidden_state;  ///< (B, T, H)
};

/// Base of all pretrained models (transformers' PreTrainedModel).
class PreTrainedModelImpl : public torch::nn::Module {
 public:
  virtual ModelOutputs forward(const ModelInputs& inputs) = 0;
  /// The full config.json as it will be saved (model_type, architectures, id2label, …).
  virtual nlohmann::json config_json() const = 0;
  /// Writes config.json + model.safetensors (atomically) into `folder`, loadable by
  /// transformers' from_pretrained.
  void save_pretrained(const std::filesystem::path& folder) const;
  /// Names of parameters belonging to the pretrained base (not the task head): used by
  /// --freeze_base_model (transfer learning: train only the head).
  virtual std::vector<std::string> base_parameter_prefixes() const = 0;
};

using PreTrainedModel = std::shared_ptr<PreTrainedModelImpl>;

/// Options of from_pretrained, with transformers' names.
struct FromPretrainedOptions {
  std::optional<int64_t> num_labels;
  std::vector<std::string> id2label;  ///< index → name; empty = keep config's / LABEL_i
  std::string problem_type;           ///< "" = as HF decides from labels
  std::string revision = "main";
};

struct AutoModelForSequenceClassification {
  /// A folder or Hub id with config.json + model.safetensors. A head missing from the checkpoint
  /// is initialised as transformers does and listed in a warning on stderr.
  static PreTrainedModel from_pretrained(const std::string& name_or_path, const FromPretrainedOptions& opt = {});
};

}  // namespace afinar
