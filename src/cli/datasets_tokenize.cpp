// `afinar datasets tokenize`: Dataset::map with a tokenizer into a save_to_disk folder.
//   afinar datasets tokenize --tokenizer bert-base-uncased --input train.jsonl --output_dir tok/ --max_length 128
// The map cache key is the input's fingerprint + "tokenize" + the tokenizer's fingerprint + the
// options, so an unchanged run is served from HF_DATASETS_CACHE/map without tokenising again.
#include "datasets_tokenize.h"

#include <arrow/api.h>

#include <algorithm>
#include <future>
#include <iostream>
#include <string>
#include <type_traits>
#include <vector>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/data/arrow_columns.h"
#include "afinar/data/load_dataset.h"
#include "afinar/data/map.h"
#include "afinar/hub/cache.h"
#include "afinar/tokenizers/tokenizer.h"
#include "commands.h"

namespace afinar::cli {

DatasetDict load_any_dataset(const std::string& path);  // datasets_cmd.cpp
void add_datasets_tokenize_command(CLI::App& datasets);

namespace {

/// The tokenizer.json behind a file path, a tokenizer folder or a Hub id (its cached snapshot).
fs::path tokenizer_json(const std::string& name_or_path) {
  std::error_code ec;
  if (fs::is_regular_file(name_or_path, ec)) return name_or_path;
  const fs::path dir = fs::is_directory(name_or_path, ec) ? fs::path(name_or_path) : hub::resolve_repo(name_or_path);
  AFINAR_CHECK(fs::is_regular_file(dir / "tokenizer.json", ec), dir.string(),
               ": no tokenizer.json; HINT: --tokenizer takes a tokenizer.json, a folder holding one or a Hub id");
  return dir / "tokenizer.json";
}

/// One list<int32> column from a member of each encoding. (rows) → (rows, tokens)
template <typename Member>
std::shared_ptr<arrow::Array> int_lists(const std::vector<Encoding>& encs, Member member) {
  Int32ListBuilder b(encs.size());
  for (const auto& e : encs) b.append(e.*member);
  return b.finish();
}

}  // namespace

void run_datasets_tokenize(const DatasetsTokenizeArgs& a) {
  AFINAR_CHECK(a.batch_size > 0, "--batch_size must be positive, got ", a.batch_size);
  // The tokenizer (parse + vocabulary + the SHA-256 of its files for the cache key) loads on its
  // own thread while the dataset is read: the two take about as long as each other.
  auto loading = std::async(std::launch::async, [&] {
    const fs::path file = tokenizer_json(a.tokenizer);
    return fs::is_regular_file(a.tokenizer) ? Tokenizer::from_file(file) : AutoTokenizer::from_pretrained(a.tokenizer);
  });
  const DatasetDict input = load_any_dataset(a.input);
  const Tokenizer tok = loading.get();
  EncodeOptions opt;
  opt.truncation = a.max_length > 0;  // as transformers: a max_length alone truncates
  if (a.max_length > 0) opt.max_length = a.max_length;
  const bool type_ids = tok.uses_token_type_ids();

  MapOptions mo;
  mo.transform = "tokenize";
  mo.transform_key = tok.fingerprint() + " text_column=" + a.text_column +
                     " max_length=" + std::to_string(a.max_length) + " type_ids=" + std::to_string(type_ids);
  mo.batch_size = a.batch_size;
  mo.cache_dir = a.cache_dir.empty() ? datasets_cache_dir() / "map" : fs::path(a.cache_dir);

  auto encode = [&](const std::shared_ptr<arrow::RecordBatch>& batch) {
    auto col = batch->GetColumnByName(a.text_column);
    std::vector<std::string> texts;
    texts.reserve(size_t(batch->num_rows()));
    if (col->type_id() == arrow::Type::LARGE_STRING) {
      const auto& s = static_cast<const arrow::LargeStringArray&>(*col);
      for (int64_t i = 0; i < s.length(); ++i) texts.emplace_back(s.IsNull(i) ? "" : s.GetView(i));
    } else {
      const auto& s = static_cast<const arrow::StringArray&>(*col);
      for (int64_t i = 0; i < s.length(); ++i) texts.emplace_back(s.IsNull(i) ? "" : s.GetView(i));
    }
    const auto encs = tok.encode_batch(texts, opt);
    arrow::FieldVector fields = {arrow::field("input_ids", arrow::list(arrow::int32()))};
    arrow::ArrayVector cols = {int_lists(encs, &Encoding::ids)};
    if (type_ids) {
      fields.push_back(arrow::field("token_type_ids", arrow::list(arrow::int32())));
      cols.push_back(int_lists(encs, &Encoding::type_ids));
    }
    fields.push_back(arrow::field("attention_mask", arrow::list(arrow::int32())));
    cols.push_back(int_lists(encs, &Encoding::attention_mask));
    return arrow::RecordBatch::Make(arrow::schema(fields), batch->num_rows(), cols);
  };

  DatasetDict out;
  for (const auto& split : input.splits()) {
    const Dataset& ds = input[split];
    const auto type = ds.column(a.text_column)->type()->id();  // throws, naming the columns, when absent
    AFINAR_CHECK(type == arrow::Type::STRING || type == arrow::Type::LARGE_STRING, "--text_column '", a.text_column,
                 "' of ", ds.origin(), " is ", ds.column(a.text_column)->type()->ToString(),
                 ", not a string column; HINT: pick the text column with --text_column");
    const auto before = list_cache_files(mo.cache_dir);
    Dataset mapped = ds.map(encode, mo);
    const bool hit = std::any_of(before.begin(), before.end(),
                                 [&](const CacheFile& f) { return f.path.string() == mapped.origin(); });
    std::cout << split << ": " << mapped.num_rows() << " rows, "
              << (hit ? "served from the map cache " : "tokenized into ") << mapped.origin() << "\n";
    out.set(split, std::move(mapped));
  }
  if (out.size() == 1)
    out[out.splits().front()].save_to_disk(a.output_dir);
  else
    out.save_to_disk(a.output_dir);
  std::cout << "wrote " << a.output_dir << "\n";
}

void add_datasets_tokenize_command(CLI::App& datasets) {
  auto a = std::make_shared<DatasetsTokenizeArgs>();
  auto* cmd = datasets.add_subcommand("tokenize", "Tokenize a dataset into a save_to_disk folder (cached map)");
  cmd->add_option("--tokenizer", a->tokenizer, "tokenizer.json, a tokenizer folder or a Hub id")->required();
  cmd->add_option("--input", a->input, "a file, folder, save_to_disk folder or Hub dataset id")->required();
  cmd->add_option("--output_dir", a->output_dir, "the save_to_disk folder to write (replaced atomically)")->required();
  cmd->add_option("--text_column", a->text_column, "the column holding the text")->capture_default_str();
  cmd->add_option("--max_length", a->max_length, "truncate to this many tokens (0: no truncation)");
  cmd->add_option("--batch_size", a->batch_size, "rows per map batch")->capture_default_str();
  cmd->add_option("--cache_dir", a->cache_dir, "the map cache folder (default: HF_DATASETS_CACHE/map)");
  cmd->callback([a] { run_datasets_tokenize(*a); });
}

}  // namespace afinar::cli
