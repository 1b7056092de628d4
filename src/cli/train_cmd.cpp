// `afinar train`: Hugging Face's example scripts as one command. `--task` picks the script
// (tasks/registry.cpp lists them); the flags are the scripts' ModelArguments /
// DataTrainingArguments plus every TrainingArguments field, by their HF names. A flag of one
// task given to another is an error, never ignored.
#include "args_file.h"
#include "commands.h"
#include "tasks/task.h"
#include "training_flags.h"

namespace afinar::cli {

void add_train_command(CLI::App& app, const ArgsFileValues& from_file) {
  std::string names, help;
  for (const auto& t : all_tasks()) {
    names += (names.empty() ? "" : ", ") + std::string(t->name());
    help += (help.empty() ? "" : ", ") + std::string(t->name()) + " (" + std::string(t->description()) + ")";
  }
  auto* cmd = app.add_subcommand("train", "Fine-tune a model: " + help);
  auto s = std::make_shared<ScriptArguments>();
  auto task = std::make_shared<std::string>("text-classification");
  auto flags = std::make_shared<TrainingFlags>();
  auto task_flags = std::make_shared<TaskFlags>(cmd, "Task");
  std::vector<std::string> members;
  for (const auto& t : all_tasks()) members.emplace_back(t->name());
  cmd->add_option("--task", *task, "What to fine-tune for (Hugging Face pipeline task names): " + names)
      ->check(CLI::IsMember(members));
  cmd->add_option("--model_name_or_path", s->model_name_or_path, "Model folder or Hub id")->required();
  cmd->add_option("--tokenizer_name", s->tokenizer_name, "Tokenizer folder or Hub id (default: the model's)");
  cmd->add_option("--dataset_name", s->dataset_name, "Dataset folder or Hub id (load_dataset)");
  cmd->add_option("--train_file", s->train_file, "csv/json/jsonl/parquet/txt file");
  cmd->add_option("--validation_file", s->validation_file, "csv/json/jsonl/parquet/txt file");
  cmd->add_option("--test_file", s->test_file, "csv/json/jsonl/parquet/txt file");
  cmd->add_option("--max_train_samples", s->max_train_samples, "Use only the first N training examples");
  cmd->add_option("--max_eval_samples", s->max_eval_samples, "Use only the first N validation examples");
  cmd->add_option("--max_predict_samples", s->max_predict_samples, "Use only the first N test examples");
  cmd->add_flag("--freeze_base_model", s->freeze_base_model, "Transfer learning: train only the task head");
  cmd->add_option("--freeze_layers", s->freeze_layers, "Freeze the embeddings and the first N layers");
  // afinar's speed settings (TrainingArguments has no such fields; TRL's SFTConfig names padding_free).
  auto padding_free = std::make_shared<bool>(true);
  auto max_tokens = std::make_shared<std::optional<int64_t>>();
  cmd->add_option("--padding_free", *padding_free,
                  "Run the model on the real tokens only (default true; false = padded rectangles, as HF)");
  cmd->add_option("--max_tokens_per_batch", *max_tokens,
                  "Token-budget batches of at most N padded tokens instead of per_device_train_batch_size rows "
                  "(HF has no such flag; steps per epoch then follow the data)")
      ->check(CLI::PositiveNumber);
  for (const auto& t : all_tasks()) {
    task_flags->begin(t->name());
    t->add_flags(*task_flags, Command::Train);
  }
  flags->add_to(cmd);
  cmd->callback([s, task, flags, task_flags, padding_free, max_tokens, &from_file] {
    TrainingArguments args(/*output_dir=*/"");
    flags->apply(args, from_file);
    args.padding_free = *padding_free;
    args.max_tokens_per_batch = *max_tokens;
    s->callbacks = flags->callbacks();
    task_flags->apply(*task);
    find_task(*task).train(*s, std::move(args));
  });
}

}  // namespace afinar::cli
