// The afinar side of bench/datasets/run.sh timed inside the process, as hf_tokenize.py times
// the Python side after its imports: `afinar datasets tokenize` (tokenizer load, load_dataset,
// map(tokenize, batched, cached), save_to_disk) from its first step to the written folder.
// Prints the seconds.
//   afinar_datasets_bench <data.jsonl> <tokenizer.json> <output_dir>   (HF_DATASETS_CACHE: map cache)
#include <chrono>
#include <cstdio>
#include <iostream>

#include "../../src/cli/datasets_tokenize.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s <data.jsonl> <tokenizer.json> <output_dir>\n", argv[0]);
    return 2;
  }
  afinar::cli::DatasetsTokenizeArgs a;
  a.input = argv[1], a.tokenizer = argv[2], a.output_dir = argv[3];
  std::cout.setstate(std::ios::failbit);  // the command's progress lines
  const auto t0 = std::chrono::steady_clock::now();
  try {
    afinar::cli::run_datasets_tokenize(a);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  std::printf("%.4f\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  return 0;
}
