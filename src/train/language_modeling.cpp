#include "afinar/train/language_modeling.h"

#include <algorithm>
#include <cctype>

#include "afinar/core/check.h"
#include "afinar/tokenizers/tokenizer.h"
#include "preprocess_map.h"

namespace afinar {

Dataset tokenize_texts(const Dataset& ds, const std::string& text_column, const Tokenizer& tok,
                       const LmTokenizeOptions& opt) {
  const auto type = ds.column(text_column)->type();  // names the columns found when absent
  AFINAR_CHECK(type->id() == arrow::Type::STRING || type->id() == arrow::Type::LARGE_STRING ||
                   type->id() == arrow::Type::STRING_VIEW,
               "column '", text_column, "' has type ", type->ToString(), ", expected string");
  EncodeOptions eo;
  if (opt.truncate_to) {
    eo.truncation = true;
    eo.max_length = *opt.truncate_to;
  }
  const bool types = tok.uses_token_type_ids();
  const std::string key = preprocess::key({{"tokenizer", tok.fingerprint()},
                                           {"text_column", text_column},
                                           {"special_tokens_mask", std::to_string(opt.special_tokens_mask)},
                                           {"skip_empty_lines", std::to_string(opt.skip_empty_lines)},
                                           {"truncate_to", opt.truncate_to ? std::to_string(*opt.truncate_to) : ""}});
  return preprocess::map_batches(ds, "tokenize_texts", key, [&](const arrow::RecordBatch& b, int64_t first) {
    std::vector<std::string> texts;
    for (std::string_view t : batch_strings(b, text_column, first)) {
      // run_mlm: [line for line in lines if len(line) > 0 and not line.isspace()]
      if (opt.skip_empty_lines && std::all_of(t.begin(), t.end(), [](unsigned char c) { return std::isspace(c); }))
        continue;
      texts.emplace_back(t);
    }
    const auto enc = tok.encode_batch(texts, eo, opt.num_threads);
    return preprocess::make_batch(preprocess::encoding_columns(enc, types, opt.special_tokens_mask),
                                  static_cast<int64_t>(enc.size()));
  });
}

Dataset group_texts(const Dataset& tokenized, size_t block_size, bool copy_labels, size_t map_batch_size) {
  AFINAR_CHECK(block_size > 0, "group_texts: block_size must be positive");
  AFINAR_CHECK(map_batch_size > 0, "group_texts: map_batch_size must be positive");
  AFINAR_CHECK(tokenized.has_column("input_ids"), "group_texts: the examples have no input_ids");
  const auto names = tokenized.column_names();
  for (const auto& name : names) {
    const auto id = tokenized.column(name)->type()->id();
    AFINAR_CHECK(id == arrow::Type::LIST || id == arrow::Type::LARGE_LIST, "group_texts: column '", name,
                 "' is not a list column (", tokenized.column(name)->type()->ToString(),
                 "); HINT: group only the tokenizer's outputs");
  }
  const std::string key =
      preprocess::key({{"block_size", std::to_string(block_size)}, {"copy_labels", std::to_string(copy_labels)}});
  auto fn = [&](const arrow::RecordBatch& b, int64_t) {
    std::vector<std::pair<std::string, std::shared_ptr<arrow::Array>>> cols;
    int64_t rows = -1;
    std::vector<int32_t> concat;
    for (const auto& name : names) {
      if (copy_labels && name == "labels") continue;  // replaced by the copy of input_ids
      const SequenceColumn col =
          SequenceColumn::from_arrow(std::make_shared<arrow::ChunkedArray>(b.GetColumnByName(name)), name);
      concat.clear();
      for (size_t i = 0; i < col.size(); ++i) concat.insert(concat.end(), col[i].begin(), col[i].end());
      const size_t total = concat.size() / block_size * block_size;  // the batch's remainder is dropped
      Int32ListBuilder blocks(total / block_size);
      for (size_t k = 0; k < total; k += block_size) blocks.append(std::span(concat.data() + k, block_size));
      AFINAR_CHECK(rows < 0 || rows == static_cast<int64_t>(blocks.size()), "group_texts: column '", name, "' makes ",
                   blocks.size(), " blocks, the columns before it ", rows, "; HINT: group columns of equal lengths");
      rows = static_cast<int64_t>(blocks.size());
      cols.emplace_back(name, blocks.finish());
      if (copy_labels && name == "input_ids") cols.emplace_back("labels", cols.back().second);
    }
    return preprocess::make_batch(cols, rows);
  };
  return preprocess::map_batches(tokenized, "group_texts", key, fn, static_cast<int64_t>(map_batch_size));
}

}  // namespace afinar
