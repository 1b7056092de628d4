// Larger than RAM, at CI scale: a ~200 MB Arrow file is memory-mapped, tokenized by
// `afinar datasets tokenize` (bert-base-uncased) and the result iterated, each in a child
// process whose peak RSS (wait4's ru_maxrss) must stay far below the data size. The RSS of the
// same binary doing nothing with data is subtracted, since LibTorch's code pages alone are large.
// bench/datasets/large.sh runs the same at 8 GB.
#include <arrow/api.h>
#include <arrow/io/api.h>
#include <arrow/ipc/api.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "afinar/data/dataset.h"
#include "cli/cli_test_util.h"
#include "afinar_test_paths.h"

namespace fs = std::filesystem;
using afinar_test::TempDir;

namespace {

struct ChildRun {
  int exit_code = -1;
  long maxrss_kb = 0;
  std::string output;
};

/// fork + exec `argv` with `env` added; stdout/stderr go to `log`.
ChildRun run_child(const std::vector<std::string>& argv, const std::vector<std::string>& env, const fs::path& log) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    for (const auto& e : env) ::putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ChildRun r;
  int status = 0;
  rusage ru{};
  ::wait4(pid, &status, 0, &ru);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.maxrss_kb = ru.ru_maxrss;
  std::ifstream in(log);
  std::stringstream ss;
  ss << in.rdbuf();
  r.output = ss.str();
  return r;
}

/// `rows` rows of {text: a short sentence, payload: 1 KB of letters}, written as an Arrow IPC
/// stream in 1000-row batches (never the whole table in memory).
void write_large_arrow(const fs::path& file, int64_t rows) {
  static const char* words[] = {"the", "rock", "is", "destined", "to", "be", "century's", "new", "conan", "splash"};
  auto schema = arrow::schema({arrow::field("text", arrow::utf8()), arrow::field("payload", arrow::utf8())});
  auto out = arrow::io::FileOutputStream::Open(file.string()).ValueOrDie();
  auto writer = arrow::ipc::MakeStreamWriter(out, schema).ValueOrDie();
  const std::string payload(1000, 'x');
  for (int64_t start = 0; start < rows; start += 1000) {
    arrow::StringBuilder text, pay;
    for (int64_t i = start; i < std::min(rows, start + 1000); ++i) {
      std::string s;
      for (int64_t w = 0; w < 8; ++w) s += std::string(words[(i * 7 + w * 3) % 10]) + " ";
      ASSERT_TRUE(text.Append(s).ok());
      ASSERT_TRUE(pay.Append(payload).ok());
    }
    auto t = text.Finish().ValueOrDie();
    auto p = pay.Finish().ValueOrDie();
    ASSERT_TRUE(writer->WriteRecordBatch(*arrow::RecordBatch::Make(schema, t->length(), {t, p})).ok());
  }
  ASSERT_TRUE(writer->Close().ok());
  ASSERT_TRUE(out->Close().ok());
}

std::string self_exe() { return fs::read_symlink("/proc/self/exe").string(); }

}  // namespace

// Run only as the child of DatasetsLarge.TokenizeAndIterateInBoundedMemory: one pass over the
// folder named by AFINAR_LARGE_ITER_DIR, printing the rows and tokens seen.
TEST(DatasetsLarge, ChildIterate) {
  const char* dir = std::getenv("AFINAR_LARGE_ITER_DIR");
  if (!dir) GTEST_SKIP() << "child of TokenizeAndIterateInBoundedMemory";
  auto ds = afinar::Dataset::load_from_disk(dir);
  int64_t rows = 0, tokens = 0, payload = 0;
  ds.iter(1000, [&](const std::shared_ptr<arrow::RecordBatch>& b) {
    rows += b->num_rows();
    const auto& ids = static_cast<const arrow::ListArray&>(*b->GetColumnByName("input_ids"));
    tokens += ids.value_offset(ids.length()) - ids.value_offset(0);
    const auto& p = static_cast<const arrow::StringArray&>(*b->GetColumnByName("payload"));
    for (int64_t i = 0; i < p.length(); ++i) payload += p.GetView(i).back() == 'x';
  });
  std::cout << "rows=" << rows << " tokens=" << tokens << " payload=" << payload << "\n";
}

TEST(DatasetsLarge, TokenizeAndIterateInBoundedMemory) {
  TempDir tmp("afinar_ds_large");
  const int64_t rows = 200000;  // 200k × ~1.04 KB ≈ 208 MB
  const fs::path input = tmp.path / "large.arrow";
  write_large_arrow(input, rows);
  const double data_mb = double(fs::file_size(input)) / (1 << 20);
  const std::string bert = std::string(AFINAR_SHARED_DIR) + "/tokenizers/bert-base-uncased/tokenizer.json";
  const std::vector<std::string> env = {"HF_DATASETS_CACHE=" + (tmp.path / "hf").string()};

  // Baselines: the same binaries on a one-row dataset.
  std::ofstream(tmp.path / "one.jsonl") << "{\"text\": \"a\"}\n";
  auto base_cli = run_child({AFINAR_BINARY, "datasets", "info", (tmp.path / "one.jsonl").string()}, env, tmp.path / "log0");
  ASSERT_EQ(base_cli.exit_code, 0) << base_cli.output;

  auto tok = run_child({AFINAR_BINARY, "datasets", "tokenize", "--tokenizer", bert, "--input", input.string(),
                        "--output_dir", (tmp.path / "tok").string(), "--max_length", "32"},
                       env, tmp.path / "log1");
  ASSERT_EQ(tok.exit_code, 0) << tok.output;

  auto base_iter = run_child({self_exe(), "--gtest_filter=DatasetsLarge.ChildIterate"}, env, tmp.path / "log2");
  std::vector<std::string> iter_env = env;
  iter_env.push_back("AFINAR_LARGE_ITER_DIR=" + (tmp.path / "tok").string());
  auto iter = run_child({self_exe(), "--gtest_filter=DatasetsLarge.ChildIterate"}, iter_env, tmp.path / "log3");
  ASSERT_EQ(iter.exit_code, 0) << iter.output;
  EXPECT_NE(iter.output.find("rows=200000 tokens="), std::string::npos) << iter.output;
  EXPECT_NE(iter.output.find("payload=200000"), std::string::npos) << iter.output;

  const double tok_mb = double(tok.maxrss_kb - base_cli.maxrss_kb) / 1024;
  const double iter_mb = double(iter.maxrss_kb - base_iter.maxrss_kb) / 1024;
  std::cout << "data " << data_mb << " MB; peak RSS above baseline: tokenize " << tok_mb << " MB (baseline "
            << base_cli.maxrss_kb / 1024 << " MB), iterate " << iter_mb << " MB (baseline " << base_iter.maxrss_kb / 1024
            << " MB)\n";
  EXPECT_GT(data_mb, 190);
  EXPECT_LT(tok_mb, data_mb / 4);
  EXPECT_LT(iter_mb, data_mb / 4);
}
