// A training process killed with SIGKILL mid-run and resumed from its last checkpoint ends with a
// model.safetensors byte-identical to an uninterrupted run (CPU, full_determinism, dropout on).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "afinar/core/fs.h"
#include "afinar/hub/cache.h"
#include "cli/cli_test_util.h"
#include "afinar_test_paths.h"

namespace fs = std::filesystem;

TEST(Resume, KilledRunResumesBitExactly) {
  auto model = afinar::hub::cached_snapshot("sentence-transformers/all-MiniLM-L6-v2", afinar::hub::RepoType::Model);
  if (!model) GTEST_SKIP() << "all-MiniLM-L6-v2 not in the HF cache";
  afinar_test::TempDir tmp("afinar_resume");
  {
    std::ifstream in(std::string(AFINAR_SHARED_DIR) + "/data/rotten_tomatoes/train.jsonl");
    std::ofstream out(tmp.path / "train.jsonl");
    std::string line;
    for (int i = 0; std::getline(in, line); ++i)
      if (i % 200 == 0) out << line << "\n";  // 43 rows, both labels
  }
  const std::string common = "train --model_name_or_path " + model->string() + " --train_file " +
                             (tmp.path / "train.jsonl").string() +
                             " --do_train --num_train_epochs 3 --per_device_train_batch_size 4 --save_steps 3"
                             " --logging_steps 3 --max_seq_length 32 --use_cpu --full_determinism --seed 11";
  const fs::path a = tmp.path / "a", b = tmp.path / "b";
  auto r = afinar_test::run_afinar(common + " --output_dir " + a.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;

  // Run B: killed as soon as its second checkpoint exists.
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string cmd = std::string(AFINAR_BINARY) + " " + common + " --output_dir " + b.string() + " >/dev/null 2>&1";
    execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (!fs::exists(b / "checkpoint-6") && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(fs::exists(b / "checkpoint-6"));
  ASSERT_FALSE(fs::exists(b / "model.safetensors")) << "the run finished before it was killed";

  r = afinar_test::run_afinar(common + " --output_dir " + b.string() + " --resume_from_checkpoint true");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("Resuming from"), std::string::npos) << r.output;
  EXPECT_EQ(afinar::read_file(a / "model.safetensors"), afinar::read_file(b / "model.safetensors"))
      << "resumed model differs from the uninterrupted one";
}
