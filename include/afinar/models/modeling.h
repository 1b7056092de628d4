/// What every afinar model takes and returns, and the base of every pretrained model.
///
/// Inputs and outputs are structs (not long argument lists), named as transformers names them.
/// Module names equal the HF state-dict keys, so `named_parameters()` keys equal the safetensors
/// keys (e.g. "bert.encoder.layer.0.attention.self.query.weight").
///
///   afinar::ModelInputs in{.input_ids = ids, .attention_mask = mask};   // ids: (B, T) int64
///   afinar::ModelOutputs out = model->forward(in);                      // out.logits: (B, num_labels)
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "afinar/io/safetensors.h"
#include "afinar/nn/losses.h"
#include "afinar/nn/token_grid.h"

namespace afinar {

/// Every model input a collator can make (the keys of a Batch, see models/batch.h). A field a
/// model cannot honour is refused by that model by name, never ignored.
struct ModelInputs {
  torch::Tensor input_ids;        ///< (B, T) int64
  torch::Tensor attention_mask;   ///< (B, T) int64, 1 = token, 0 = padding; undefined = all ones
  torch::Tensor token_type_ids;   ///< (B, T) int64; undefined = zeros
  torch::Tensor position_ids;     ///< (B, T) int64; undefined = 0..T-1
  torch::Tensor labels;           ///< (B) int64 for sequence classification, (B, T) int64 for token
                                  ///< classification and masked LM (-100 = ignored); undefined = no loss
  torch::Tensor start_positions;  ///< (B) int64, question answering: answer start token; with end_positions
  torch::Tensor end_positions;    ///< (B) int64, question answering: answer end token (inclusive)
  // Encoder-decoder models (T5, BART):
  torch::Tensor decoder_input_ids;       ///< (B, Td) int64; undefined = shift_tokens_right(labels)
  torch::Tensor decoder_attention_mask;  ///< (B, Td) int64; undefined = all ones (causal mask still applies)
  /// (B, T, H) encoder output computed earlier (generate() runs the encoder once); undefined = run it.
  torch::Tensor encoder_last_hidden_state;
  // Packed rows (DataCollatorWithFlattening): several sequences concatenated into one row (1, N).
  torch::Tensor cu_seq_lens;  ///< (R + 1) int32: sequence r is tokens cu_seq_lens[r]..cu_seq_lens[r+1]
  int64_t max_seq_len = 0;    ///< the longest of the R sequences (flash attention's max_length)
  torch::Tensor seq_idx;      ///< (1, N) int32: the sequence each token belongs to
  // Vision and audio models:
  torch::Tensor pixel_values;  ///< (B, C, H, W) float
  torch::Tensor input_values;  ///< (B, S) float, raw waveforms
  /// How the head normalises its loss: num_items_in_batch of the whole accumulated batch (HF's
  /// semantics) and the label-smoothing factor. The head computes the loss; nobody else does.
  LossKwargs loss_kwargs;
};

struct ModelOutputs {
  torch::Tensor loss;                       ///< scalar, when labels were given
  torch::Tensor logits;                     ///< (B, num_labels) for sequence classification
  torch::Tensor last_hidden_state;          ///< (B, T, H)
  torch::Tensor start_logits;               ///< (B, T), question answering
  torch::Tensor end_logits;                 ///< (B, T), question answering
  torch::Tensor encoder_last_hidden_state;  ///< (B, T, H), encoder-decoder models
};

/// Base of all pretrained models (transformers' PreTrainedModel).
class PreTrainedModelImpl : public torch::nn::Module {
 public:
  virtual ModelOutputs forward(const ModelInputs& inputs) = 0;
  /// The full config.json as it will be saved (model_type, architectures, id2label, …).
  virtual nlohmann::json config_json() const = 0;
  /// Writes config.json + the weights (atomically) into `folder`, loadable by transformers'
  /// from_pretrained: model.safetensors, or, past `max_shard_size` ("200MB", "5GB": decimal units,
  /// as transformers' save_pretrained(max_shard_size=...); default "50GB"), shards
  /// model-00001-of-0000N.safetensors + model.safetensors.index.json split as transformers splits
  /// them. Shards of an earlier save that the new one does not use are removed.
  ///
  ///   model->save_pretrained("out", "200MB");
  void save_pretrained(const std::filesystem::path& folder,
                       const std::string& max_shard_size = io::kDefaultMaxShardSize) const;
  /// Names of parameters belonging to the pretrained base (not the task head): used by
  /// --freeze_base_model (transfer learning: train only the head).
  virtual std::vector<std::string> base_parameter_prefixes() const = 0;
  /// Where the base's parts are, by parameter-name prefix: the embeddings, and each layer stack
  /// (layer i's parameters start with "<stack><i>."). Used by freeze_layers, gradient
  /// checkpointing and LoRA; e.g. BERT: {{"bert.embeddings."}, {"bert.encoder.layer."}}.
  struct ParameterLayout {
    std::vector<std::string> embeddings;
    std::vector<std::string> layer_stacks;
  };
  virtual ParameterLayout parameter_layout() const = 0;
  /// True when the head's loss predicts labels[t + 1] at position t (causal LMs). The one place
  /// that decides it: the head's loss and num_loss_items both follow it.
  virtual bool shifts_labels() const { return false; }
  /// This micro-batch's share of num_items_in_batch, counted as the head's loss counts: labels
  /// != -100 (after the shift when shifts_labels()) for token-level labels, labelled rows for
  /// sequence-level labels, rows for question answering (start_positions). 0 without labels.
  int64_t num_loss_items(const ModelInputs& inputs) const;
  /// True for T5/BART-style models: forward takes decoder_input_ids, generate() runs the encoder once.
  virtual bool is_encoder_decoder() const { return false; }
  /// transformers' gradient_checkpointing_enable(): from now on every layer of every layer stack
  /// (encoder, decoder) runs through checkpoint() in train() mode with grad enabled — its activations
  /// are recomputed in backward instead of kept; losses and gradients are unchanged (dropout replays
  /// the same masks). Eval and no_grad forwards are untouched. Throws NotImplemented for a model
  /// without a checkpointable layer stack.
  virtual void gradient_checkpointing_enable(bool on = true);
  void gradient_checkpointing_disable() { gradient_checkpointing_enable(false); }
  /// transformers' is_gradient_checkpointing: whether some layer stack has it on.
  bool is_gradient_checkpointing();
  /// Padding-free forwards (nn/token_grid.h): embeddings, projections, MLPs, norms and heads run on
  /// the real tokens only and attention per sequence; outputs equal the padded computation (within
  /// float rounding) and keep its shapes, with zeros at padded positions. On by default;
  /// TrainingArguments' padding_free = false gives transformers' padded rectangles.
  bool padding_free = true;

 protected:
  /// What a head does with the tokens of input_ids, for token_grid.
  enum class GridUse {
    kTokens,            ///< token-level outputs, and labels (B, T) on these tokens
    kFirstTokenPooled,  ///< pools each row's first position (BERT's [CLS], RoBERTa's <s>)
    kEncoder,           ///< an encoder's tokens: the labels are the decoder's
  };
  /// The grid this forward runs on: inactive (the padded computation) when padding_free is off,
  /// without padding, when a token-level loss would read a label at a padded position (so that the
  /// loss stays transformers'), and for kFirstTokenPooled when some row's first position is
  /// padding. Packed rows (cu_seq_lens / seq_idx) get one grid row per sequence.
  TokenGrid token_grid(const ModelInputs& inputs, GridUse use = GridUse::kTokens) const;
  /// token_labels_loss on the grid's tokens: logits (N, C) of an active grid, labels (B, T) from
  /// inputs (shifted first when shifts_labels()); inactive: token_labels_loss(logits, inputs).
  torch::Tensor token_labels_loss(const torch::Tensor& logits, const ModelInputs& inputs, const TokenGrid& grid) const;
  /// The loss of a head with token-id labels (token classification, masked, causal and seq2seq
  /// LM): causal_lm_loss when shifts_labels(), else token_classification_loss, with
  /// inputs.loss_kwargs. logits (B, T, C), inputs.labels (B, T).
  torch::Tensor token_labels_loss(const torch::Tensor& logits, const ModelInputs& inputs) const;
};

using PreTrainedModel = std::shared_ptr<PreTrainedModelImpl>;

/// Options of from_pretrained, with transformers' names.
struct FromPretrainedOptions {
  std::optional<int64_t> num_labels;
  std::vector<std::string> id2label;  ///< index → name; empty = keep config's / LABEL_i
  std::string problem_type;           ///< "" = as HF decides from labels
  std::string revision = "main";
  /// config.json fields to override, as transformers' from_pretrained(..., **kwargs)
  /// (e.g. {"hidden_dropout_prob": 0.0}).
  nlohmann::json config_overrides = nlohmann::json::object();
};

struct AutoModelForSequenceClassification {
  /// A folder or Hub id with config.json + model.safetensors. A head missing from the checkpoint
  /// is initialised as transformers does and listed in a warning on stderr.
  /// Unexpected checkpoint tensors are listed in a warning too; a tensor whose shape differs from
  /// the model's throws FormatError naming it and both shapes. The model is returned in eval()
  /// mode, as transformers returns it (call train() before training).
  static PreTrainedModel from_pretrained(const std::string& name_or_path, const FromPretrainedOptions& opt = {});
};

/// The same loading as AutoModelForSequenceClassification, for the other task heads.
/// logits: (B, T, num_labels).
struct AutoModelForTokenClassification {
  static PreTrainedModel from_pretrained(const std::string& name_or_path, const FromPretrainedOptions& opt = {});
};
/// logits: (B, T, vocab_size); the decoder weight is tied to the word embeddings.
struct AutoModelForMaskedLM {
  static PreTrainedModel from_pretrained(const std::string& name_or_path, const FromPretrainedOptions& opt = {});
};
/// start_logits, end_logits: (B, T).
struct AutoModelForQuestionAnswering {
  static PreTrainedModel from_pretrained(const std::string& name_or_path, const FromPretrainedOptions& opt = {});
};

/// logits: (B, T, vocab_size); labels (B, T) are shifted inside the model as transformers does.
struct AutoModelForCausalLM {
  static PreTrainedModel from_pretrained(const std::string& name_or_path, const FromPretrainedOptions& opt = {});
};
/// logits: (B, Td, vocab_size); decoder_input_ids default to shift_tokens_right(labels).
struct AutoModelForSeq2SeqLM {
  static PreTrainedModel from_pretrained(const std::string& name_or_path, const FromPretrainedOptions& opt = {});
};

/// The config.json model_type values from_pretrained knows ("bert", "roberta", …), for some head.
std::vector<std::string> known_model_types();

/// The transformers release whose config.json/safetensors layout save_pretrained writes.
inline constexpr const char* kTransformersVersion = "5.23.0";

/// "float32", "bfloat16", "float16", "float64": the config.json name of a dtype.
std::string torch_dtype_name(torch::ScalarType dtype);

/// Every *ForQuestionAnswering head's last step: the qa_outputs projection (B, T, 2) split into
/// out.start_logits / out.end_logits (B, T), and the loss (question_answering_loss with
/// in.loss_kwargs) when in.start_positions/end_positions are given. `head` names the model.
void question_answering_outputs(const torch::Tensor& logits, const ModelInputs& in, ModelOutputs& out,
                                const std::string& head);

/// The ModelInputs fields by name, as check_inputs takes them: input_ids, attention_mask,
/// token_type_ids, position_ids, labels, start_positions, end_positions, decoder_input_ids,
/// decoder_attention_mask, encoder_last_hidden_state, cu_seq_lens (also seq_idx), pixel_values,
/// input_values.
///
/// Refuses every defined input of `in` that `head` does not take, by name, so that no input is
/// silently ignored: packed rows (cu_seq_lens / seq_idx) → NotImplemented("packed sequences
/// (cu_seq_lens) for <head>"); token_type_ids → InvalidArgument unless all zeros (a model without
/// token types computes the same); anything else → InvalidArgument naming the input.
///
///   check_inputs(in, "BertForSequenceClassification", {"input_ids", "attention_mask", "token_type_ids",
///                                                       "position_ids", "labels"});
void check_inputs(const ModelInputs& in, const std::string& head, std::initializer_list<const char*> accepted);

/// The config.json of a model with a head: `config` (the config's to_json()) with architectures =
/// {architecture}, dtype (the weights' dtype) and transformers_version, as save_pretrained writes.
nlohmann::json head_config_json(nlohmann::json config, const std::string& architecture, torch::ScalarType dtype);

/// InvalidArgument naming `head` when config.json's `extra` sets tie_word_embeddings false: the
/// head's decoder is the word-embedding matrix.
void check_tied_word_embeddings(const nlohmann::json& extra, const std::string& head);

/// What loading a checkpoint into a model found: model tensors absent from the checkpoint, and
/// checkpoint tensors the model has no place for (both sorted).
struct LoadReport {
  std::vector<std::string> missing;
  std::vector<std::string> unexpected;
};

/// Copies checkpoint tensors into `model`'s parameters by name, as transformers' from_pretrained:
/// legacy "LayerNorm.gamma/beta" names are renamed; a base-model checkpoint without the
/// `base_model_prefix` (e.g. "bert") is loaded into a model with a head, and the reverse;
/// checkpoint tensors naming a model buffer (position_ids) are ignored. Values are converted to
/// the parameter's dtype. Throws FormatError naming the tensor and both shapes on a mismatch;
/// `source` names the checkpoint in messages.
LoadReport load_pretrained_weights(torch::nn::Module& model, std::map<std::string, torch::Tensor> weights,
                                   const std::string& base_model_prefix, const std::string& source);

}  // namespace afinar
