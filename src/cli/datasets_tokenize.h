// `afinar datasets tokenize` as a function, for the command and for bench/datasets (which times
// it inside one process, as the Python side is timed after its imports).
#pragma once
#include <cstdint>
#include <string>

namespace afinar::cli {

struct DatasetsTokenizeArgs {
  std::string tokenizer, input, output_dir, cache_dir;
  std::string text_column = "text";
  size_t max_length = 0;
  int64_t batch_size = 1000;
};

/// Loads the tokenizer (beside the dataset), maps it over every split (cached) and writes the
/// result with save_to_disk to output_dir. Prints one line per split and "wrote <dir>".
void run_datasets_tokenize(const DatasetsTokenizeArgs& args);

}  // namespace afinar::cli
