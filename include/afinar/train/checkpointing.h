/// checkpoint-N folders: writing, reading, finding and rotating them, as HF Trainer lays them out.
///
/// A checkpoint holds what a resumed run needs to continue bit for bit without replaying data:
/// the model (config.json + model.safetensors, transformers-loadable) and tokenizer,
/// trainer_state.json, training_args.json, optimizer.safetensors, scheduler.json, every RNG
/// (rng_state.safetensors), the sampler's position (sampler.json) and, with --fp16, the loss
/// scaler's state (scaler.json: torch's GradScaler.state_dict() fields). It is written into a
/// temporary folder, fsynced and renamed, so a crash never leaves half a checkpoint.
///
///   afinar::CheckpointParts parts{model.get(), &tok, &state, &args, optimizer.get(), scheduler.get(), &sampler};
///   afinar::save_checkpoint("out/checkpoint-500", parts);
///   afinar::rotate_checkpoints("out", /*save_total_limit=*/2, state.best_model_checkpoint);
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace afinar {

class PreTrainedModelImpl;
class Tokenizer;
class Optimizer;
class LRScheduler;
class BatchSampler;
class GradScaler;
struct TrainerState;
struct TrainingArguments;

/// What goes into (or is restored from) a checkpoint; a null part is skipped.
struct CheckpointParts {
  PreTrainedModelImpl* model = nullptr;
  const Tokenizer* tokenizer = nullptr;  ///< saved only
  TrainerState* state = nullptr;
  const TrainingArguments* args = nullptr;  ///< saved only
  Optimizer* optimizer = nullptr;
  LRScheduler* scheduler = nullptr;
  BatchSampler* sampler = nullptr;
  GradScaler* scaler = nullptr;  ///< fp16 loss scaling
};

/// Writes `dir` (replacing an earlier one) atomically.
void save_checkpoint(const std::filesystem::path& dir, const CheckpointParts& parts);

/// Restores every non-null part from `dir`: model weights (model.safetensors or shards),
/// trainer state, optimizer, scheduler (plateau state), RNG and the sampler's position. A
/// missing or mismatched file throws FormatError naming it (a checkpoint written by HF Trainer
/// has no sampler.json: then the sampler is positioned from global_step, as HF skips batches).
void load_checkpoint(const std::filesystem::path& dir, const CheckpointParts& parts);

/// Copies the weights of `dir` into `model` (load_best_model_at_end); every parameter must be there
/// with its shape (FormatError naming the tensor otherwise).
void load_model_weights(PreTrainedModelImpl& model, const std::filesystem::path& dir);

/// The checkpoint-N folders of `output_dir`, oldest (smallest N) first.
std::vector<std::filesystem::path> sorted_checkpoints(const std::filesystem::path& output_dir);

/// resume_from_checkpoint: a folder, or "true"/"True"/"latest" for the newest checkpoint-N of
/// `output_dir`. InvalidArgument when there is none.
std::filesystem::path resolve_checkpoint(const std::string& spec, const std::filesystem::path& output_dir);

/// HF's rotate_checkpoints after each save: deletes the oldest checkpoints until
/// `save_total_limit` remain, never the newest (to resume from) nor the best one.
void rotate_checkpoints(const std::filesystem::path& output_dir, std::optional<int64_t> save_total_limit,
                        const std::optional<std::string>& best_model_checkpoint);

/// The end of a run with save_total_limit 1 and a best checkpoint (HF's _finalize_training):
/// every other checkpoint is deleted.
void keep_only_best_checkpoint(const std::filesystem::path& output_dir, const std::string& best_model_checkpoint);

}  // namespace afinar
