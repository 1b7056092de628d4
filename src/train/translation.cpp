#include "afinar/train/translation.h"

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

/// Where the texts of one language are: a field of the `translation` struct, or a column.
struct Source {
  bool nested = false;
  std::string lang;
};

/// The texts of `src` in one batch; rows in messages count from `first`.
std::vector<std::string> texts_of(const arrow::RecordBatch& b, const Source& src, const std::string& origin,
                                  int64_t first) {
  std::vector<std::string_view> views;
  if (!src.nested) {
    views = batch_strings(b, src.lang, first);
  } else {
    const auto col = b.GetColumnByName("translation");
    AFINAR_CHECK(col->type_id() == arrow::Type::STRUCT, origin,
                 ": column 'translation' must be a struct of languages, got ", col->type()->ToString());
    const auto& st = static_cast<const arrow::StructArray&>(*col);
    const auto field = st.GetFieldByName(src.lang);
    AFINAR_CHECK(field != nullptr, origin, ": column 'translation' has no language '", src.lang, "' (it has ",
                 st.type()->ToString(), ")");
    const auto& values = field;  // the struct's offset and length already applied
    for (int64_t i = 0; i < st.length(); ++i)
      AFINAR_CHECK(!st.IsNull(i) && !values->IsNull(i), origin, ": row ", first + i, " has no '", src.lang, "' text");
    append_strings(*values, "translation." + src.lang, first, views);
  }
  return {views.begin(), views.end()};
}

void check_languages(const TranslationPreprocessing& opt) {
  AFINAR_CHECK(!opt.source_lang.empty() && !opt.target_lang.empty(),
               "translation needs --source_lang and --target_lang (e.g. en, de)");
}

}  // namespace

std::pair<std::vector<std::string>, std::vector<std::string>> translation_pairs(const Dataset& ds,
                                                                                const TranslationPreprocessing& opt) {
  check_languages(opt);
  std::vector<std::string> sources, targets;
  const bool nested = ds.has_column("translation");
  if (!nested)
    AFINAR_CHECK(ds.has_column(opt.source_lang), ds.origin(), ": no 'translation' column and no '", opt.source_lang,
                 "' column; columns found: ", join(ds.column_names()), ". HINT: --source_lang");
  const bool has_targets = nested || ds.has_column(opt.target_lang);
  ds.iter(1 << 14, [&](const std::shared_ptr<arrow::RecordBatch>& b) {
    const int64_t first = static_cast<int64_t>(sources.size());
    for (auto& t : texts_of(*b, {nested, opt.source_lang}, ds.origin(), first)) sources.push_back(std::move(t));
    if (has_targets)
      for (auto& t : texts_of(*b, {nested, opt.target_lang}, ds.origin(), first)) targets.push_back(std::move(t));
  });
  return {std::move(sources), std::move(targets)};
}

Dataset preprocess_translation(const Dataset& ds, const std::string& split, const Tokenizer& tok,
                               const TranslationPreprocessing& opt, bool require_targets) {
  check_languages(opt);
  const bool nested = ds.has_column("translation");
  if (!nested)
    AFINAR_CHECK(ds.has_column(opt.source_lang), ds.origin(), ": no 'translation' column and no '", opt.source_lang,
                 "' column; columns found: ", join(ds.column_names()), ". HINT: --source_lang");
  const bool has_targets = nested || ds.has_column(opt.target_lang);
  AFINAR_CHECK(!require_targets || has_targets, split, " split (", ds.origin(), "): no '", opt.target_lang,
               "' texts. HINT: --target_lang");
  EncodeOptions src;
  src.truncation = true;
  src.max_length = opt.max_source_length;
  if (opt.pad_to_max_length) src.padding = "max_length";
  EncodeOptions tgt = src;
  tgt.max_length = opt.max_target_length;
  const int32_t pad = tok.pad_token_id().value_or(-1);
  const std::string key =
      preprocess::key({{"tokenizer", tok.fingerprint()},
                       {"source_lang", opt.source_lang},
                       {"target_lang", opt.target_lang},
                       {"source_prefix", opt.source_prefix},
                       {"max_source_length", std::to_string(opt.max_source_length)},
                       {"max_target_length", std::to_string(opt.max_target_length)},
                       {"pad_to_max_length", std::to_string(opt.pad_to_max_length)},
                       {"ignore_pad_token_for_loss", std::to_string(opt.ignore_pad_token_for_loss)}});
  const std::string origin = ds.origin();
  auto fn = [&](const arrow::RecordBatch& b, int64_t first) {
    std::vector<std::string> sources = texts_of(b, {nested, opt.source_lang}, origin, first);
    if (!opt.source_prefix.empty())
      for (auto& s : sources) s = opt.source_prefix + s;
    const auto enc = tok.encode_batch(sources, src, opt.num_threads);
    std::vector<std::pair<std::string, std::shared_ptr<arrow::Array>>> cols = {
        {"input_ids", preprocess::encoding_lists(enc, &Encoding::ids)},
        {"attention_mask", preprocess::encoding_lists(enc, &Encoding::attention_mask)}};
    if (has_targets) {
      auto lab = tok.encode_batch(texts_of(b, {nested, opt.target_lang}, origin, first), tgt, opt.num_threads);
      if (opt.pad_to_max_length && opt.ignore_pad_token_for_loss)
        for (auto& e : lab)
          for (auto& id : e.ids)
            if (id == pad) id = -100;
      cols.emplace_back("labels", preprocess::encoding_lists(lab, &Encoding::ids));
    }
    return preprocess::make_batch(cols, b.num_rows());
  };
  return preprocess::map_batches(ds, "preprocess_translation", key, fn);
}

}  // namespace afinar
