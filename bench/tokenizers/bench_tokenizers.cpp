// Tokens per second of afinar's encode_batch over all rotten_tomatoes texts, per tokenizer and
// thread count; bench_tokenizers.py measures Python `tokenizers` the same way (run.sh runs both).
//
//   afinar_tokenizers_bench <shared_dir> [threads...]   (default threads: 1 2)
//   AFINAR_BENCH_ONLY=gpt2 limits the run to the tokenizers whose folder name contains it.
// Output, one line per (tokenizer, threads): "afinar <name> <threads> <tokens> <seconds> <tokens/s>".
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "afinar/tokenizers/tokenizer.h"

namespace {

const char* kTokenizers[] = {"bert-base-uncased",
                             "bert-base-cased",
                             "distilbert-base-uncased",
                             "sentence-transformers__all-MiniLM-L6-v2",
                             "gpt2",
                             "roberta-base",
                             "t5-small",
                             "openai__clip-vit-base-patch32",
                             "microsoft__phi-2",
                             "microsoft__Phi-3.5-mini-instruct",
                             "tiiuae__falcon-7b"};

std::vector<std::string> rotten_tomatoes(const std::string& shared) {
  std::vector<std::string> texts;
  for (const char* split : {"train", "validation", "test"}) {
    std::ifstream in(shared + "/data/rotten_tomatoes/" + split + ".jsonl");
    for (std::string line; std::getline(in, line);) texts.push_back(nlohmann::json::parse(line)["text"]);
  }
  return texts;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <shared_dir> [threads...]\n", argv[0]);
    return 2;
  }
  std::string shared = argv[1];
  std::vector<size_t> threads;
  for (int i = 2; i < argc; ++i) threads.push_back(std::stoul(argv[i]));
  if (threads.empty()) threads = {1, 2};
  try {
    auto texts = rotten_tomatoes(shared);
    const char* only = std::getenv("AFINAR_BENCH_ONLY");
    for (const char* name : kTokenizers) {
      if (only && std::string(name).find(only) == std::string::npos) continue;
      std::string dir = shared + "/tokenizers/" + name;
      auto tok = afinar::AutoTokenizer::from_pretrained(dir);
      // Python `Tokenizer.from_file` semantics: no truncation, no padding (the defaults).
      for (size_t t : threads) {
        double best = 1e30;  // best of 3 (the first one also warms the word caches)
        size_t tokens = 0;
        for (int rep = 0; rep < 3; ++rep) {
          auto start = std::chrono::steady_clock::now();
          auto encs = tok.encode_batch(texts, {}, t);
          double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
          best = std::min(best, s);
          tokens = 0;
          for (const auto& e : encs) tokens += e.size();
        }
        std::printf("afinar %s %zu %zu %.4f %.0f\n", name, t, tokens, best, tokens / best);
        std::fflush(stdout);
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
