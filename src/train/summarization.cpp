// run_summarization.py's preprocess_function as a cached Dataset::map.
#include "afinar/train/summarization.h"

#include "afinar/core/check.h"
#include "afinar/tokenizers/tokenizer.h"
#include "preprocess_map.h"

namespace afinar {
namespace {

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

/// Column `name` of one batch as strings; a null is empty (the script skips it).
std::vector<std::string> texts(const arrow::RecordBatch& b, const std::string& name) {
  const auto col = b.GetColumnByName(name);
  std::vector<std::string> out(static_cast<size_t>(b.num_rows()));
  if (col->type_id() == arrow::Type::STRING) {
    const auto& s = static_cast<const arrow::StringArray&>(*col);
    for (int64_t i = 0; i < s.length(); ++i)
      if (!s.IsNull(i)) out[static_cast<size_t>(i)] = std::string(s.GetView(i));
  } else {
    AFINAR_CHECK(col->type_id() == arrow::Type::LARGE_STRING, "summarization: column '", name,
                 "' must hold texts (strings), got ", col->type()->ToString());
    const auto& s = static_cast<const arrow::LargeStringArray&>(*col);
    for (int64_t i = 0; i < s.length(); ++i)
      if (!s.IsNull(i)) out[static_cast<size_t>(i)] = std::string(s.GetView(i));
  }
  return out;
}

}  // namespace

std::pair<std::string, std::string> summarization_columns(const Dataset& ds, const SummarizationPreprocessing& opt) {
  const auto cols = ds.column_names();
  const std::string text = !opt.text_column.empty() ? opt.text_column : cols.empty() ? "" : cols[0];
  const std::string summary = !opt.summary_column.empty() ? opt.summary_column : cols.size() > 1 ? cols[1] : "";
  AFINAR_CHECK(!text.empty() && ds.has_column(text), ds.origin(), ": --text_column '", text,
               "' needs to be one of: ", join(cols));
  return {text, summary};
}

Dataset preprocess_summarization(const Dataset& ds, const std::string& split, const Tokenizer& tok,
                                 const SummarizationPreprocessing& opt, bool require_targets) {
  const auto [text_column, summary_column] = summarization_columns(ds, opt);
  const bool has_targets = !summary_column.empty() && ds.has_column(summary_column);
  AFINAR_CHECK(!require_targets || has_targets, split, " split (", ds.origin(), "): --summary_column '",
               summary_column, "' needs to be one of: ", join(ds.column_names()));
  EncodeOptions src;
  src.truncation = true;
  src.max_length = opt.max_source_length;
  if (opt.pad_to_max_length) src.padding = "max_length";
  EncodeOptions tgt = src;
  tgt.max_length = opt.max_target_length;
  const int32_t pad = tok.pad_token_id().value_or(-1);
  const std::string key = preprocess::key({{"tokenizer", tok.fingerprint()},
                                           {"text_column", text_column},
                                           {"summary_column", has_targets ? summary_column : ""},
                                           {"source_prefix", opt.source_prefix},
                                           {"max_source_length", std::to_string(opt.max_source_length)},
                                           {"max_target_length", std::to_string(opt.max_target_length)},
                                           {"pad_to_max_length", std::to_string(opt.pad_to_max_length)},
                                           {"ignore_pad_token_for_loss", std::to_string(opt.ignore_pad_token_for_loss)}});
  auto fn = [&, text_column = text_column, summary_column = summary_column](const arrow::RecordBatch& b, int64_t) {
    const std::vector<std::string> text = texts(b, text_column);
    const std::vector<std::string> summary = has_targets ? texts(b, summary_column) : std::vector<std::string>();
    // run_summarization: `if examples[text_column][i] and examples[summary_column][i]` — rows
    // with a missing text or summary are skipped.
    std::vector<std::string> inputs, targets;
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i].empty() || (has_targets && summary[i].empty())) continue;
      inputs.push_back(opt.source_prefix + text[i]);
      if (has_targets) targets.push_back(summary[i]);
    }
    const auto enc = tok.encode_batch(inputs, src, opt.num_threads);
    std::vector<std::pair<std::string, std::shared_ptr<arrow::Array>>> cols = {
        {"input_ids", preprocess::encoding_lists(enc, &Encoding::ids)},
        {"attention_mask", preprocess::encoding_lists(enc, &Encoding::attention_mask)}};
    if (has_targets) {
      auto lab = tok.encode_batch(targets, tgt, opt.num_threads);
      if (opt.pad_to_max_length && opt.ignore_pad_token_for_loss)
        for (auto& e : lab)
          for (auto& id : e.ids)
            if (id == pad) id = -100;
      cols.emplace_back("labels", preprocess::encoding_lists(lab, &Encoding::ids));
    }
    return preprocess::make_batch(cols, static_cast<int64_t>(inputs.size()));
  };
  return preprocess::map_batches(ds, "preprocess_summarization", key, fn);
}

}  // namespace afinar
