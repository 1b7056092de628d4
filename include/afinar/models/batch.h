/// A collated batch and the one conversion of it into model inputs.
///
/// Every collator returns a Batch; the Trainer, `afinar predict`, generation and the CLI turn it
/// into ModelInputs through to_model_inputs only, so a key a collator makes always reaches the
/// model (or is refused by name).
///
///   afinar::Batch b = collate(examples, rows);                     // {"input_ids": (B, T), …}
///   afinar::ModelInputs in = afinar::to_model_inputs(b, device);   // every tensor on `device`
#pragma once
#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

#include "afinar/models/modeling.h"

namespace afinar {

/// Model inputs by name, as collators make them ("input_ids", "attention_mask", "labels", …).
using Batch = std::map<std::string, torch::Tensor>;

/// The keys to_model_inputs knows: input_ids, attention_mask, token_type_ids, position_ids,
/// labels, decoder_input_ids, decoder_attention_mask, start_positions, end_positions,
/// cu_seq_lens_q / cu_seq_lens_k (equal), max_length_q / max_length_k, seq_idx, pixel_values,
/// input_values.
const std::vector<std::string>& model_input_names();

/// Batch → ModelInputs with every tensor moved to `device`. A key not in model_input_names()
/// → InvalidArgument naming it and the known keys (perm_mask/target_mapping: no afinar model
/// takes them). loss_kwargs are left at their defaults: the Trainer sets them.
ModelInputs to_model_inputs(const Batch& batch, torch::Device device);

}  // namespace afinar
