// `afinar predict`: a fine-tuned model's outputs on a file, as float32 .npy, for every task head
// (HF Trainer.predict's predictions), with the task's metrics when the file has labels:
//   text-classification   logits [N, num_labels]; accuracy/F1
//   token-classification  logits [N, T, num_labels]; seqeval (run_ner's compute_metrics)
//   fill-mask             logits [N, T, vocab] + argmax token ids [N, T] (int64)
//   text-generation       the same, from a causal LM (position t predicts token t+1)
//   translation /         decoder logits [N, Td, vocab] (needs the targets), or with
//   summarization         --predict_with_generate the generated ids [N, L] (int64, pad-padded)
//                         + decoded texts, one a line, and BLEU / ROUGE when the targets are there
//   question-answering    start_logits, end_logits [N, T] per feature window, the answers
//                         (predict_predictions.json), exact match / F1 when there are answers
// T is the longest batch; shorter batches are padded with -100 as HF's nested_concat pads them.
#include "commands.h"
#include "tasks/task.h"

namespace afinar::cli {

void add_predict_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("predict", "A fine-tuned model's outputs on a file (.npy), with metrics when labeled");
  auto p = std::make_shared<PredictArguments>();
  auto task = std::make_shared<std::string>("text-classification");
  auto task_flags = std::make_shared<TaskFlags>(cmd, "Task");
  std::vector<std::string> members;
  for (const auto& t : all_tasks()) members.emplace_back(t->name());
  cmd->add_option("--task", *task, "The model head")->check(CLI::IsMember(members));
  cmd->add_option("--model_name_or_path", p->model_name_or_path, "Fine-tuned model folder or Hub id")->required();
  cmd->add_option("--test_file", p->test_file, "csv/json/jsonl/parquet file")->required();
  cmd->add_option("--output_file", p->output_file,
                  "Where to write the logits (.npy, float32); QA: <stem>_start_logits.npy + <stem>_end_logits.npy");
  cmd->add_option("--max_seq_length", p->max_seq_length, "Truncation length (translation/summarization: the source)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--per_device_eval_batch_size", p->per_device_eval_batch_size, "Batch size")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--use_cpu", p->use_cpu, "Stay on the CPU even when a GPU is present");
  for (const auto& t : all_tasks()) {
    task_flags->begin(t->name());
    t->add_flags(*task_flags, Command::Predict);
  }
  cmd->callback([p, task, task_flags] {
    task_flags->apply(*task);
    find_task(*task).predict(*p);
  });
}

}  // namespace afinar::cli
