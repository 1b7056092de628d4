#include "afinar/train/translation.h"

#include <arrow/api.h>

#include "afinar/core/check.h"
#include "afinar/data/dataset.h"
#include "afinar/tokenizers/tokenizer.h"

namespace afinar {
namespace {

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

/// Field `lang` of the struct column `translation`, one string per row.
std::vector<std::string> struct_field(const Dataset& ds, const std::string& lang) {
  std::vector<std::string> out;
  for (const auto& chunk : ds.column("translation")->chunks()) {
    AFINAR_CHECK(chunk->type_id() == arrow::Type::STRUCT, ds.origin(),
                 ": column 'translation' must be a struct of "
                 "languages, got ",
                 chunk->type()->ToString());
    auto st = std::static_pointer_cast<arrow::StructArray>(chunk);
    auto field = st->GetFieldByName(lang);
    AFINAR_CHECK(field != nullptr, ds.origin(), ": column 'translation' has no language '", lang, "' (it has ",
                 st->type()->ToString(), ")");
    for (int64_t i = 0; i < field->length(); ++i) {
      auto s = field->GetScalar(i).ValueOrDie();
      AFINAR_CHECK(s->is_valid, ds.origin(), ": row ", out.size(), " has no '", lang, "' text");
      out.push_back(std::static_pointer_cast<arrow::BaseBinaryScalar>(s)->ToString());
    }
  }
  return out;
}

}  // namespace

std::pair<std::vector<std::string>, std::vector<std::string>> translation_pairs(const Dataset& ds,
                                                                                const TranslationPreprocessing& opt) {
  AFINAR_CHECK(!opt.source_lang.empty() && !opt.target_lang.empty(),
               "translation needs --source_lang and --target_lang (e.g. en, de)");
  if (ds.has_column("translation")) return {struct_field(ds, opt.source_lang), struct_field(ds, opt.target_lang)};
  AFINAR_CHECK(ds.has_column(opt.source_lang), ds.origin(), ": no 'translation' column and no '", opt.source_lang,
               "' column; columns found: ", join(ds.column_names()), ". HINT: --source_lang");
  std::vector<std::string> targets;
  if (ds.has_column(opt.target_lang)) targets = ds.column_strings(opt.target_lang);
  return {ds.column_strings(opt.source_lang), std::move(targets)};
}

Examples preprocess_translation(const Dataset& ds, const std::string& split, const Tokenizer& tok,
                                const TranslationPreprocessing& opt, bool require_targets) {
  auto [sources, targets] = translation_pairs(ds, opt);
  AFINAR_CHECK(!require_targets || !targets.empty(), split, " split (", ds.origin(), "): no '", opt.target_lang,
               "' texts. HINT: --target_lang");
  if (!opt.source_prefix.empty())
    for (auto& s : sources) s = opt.source_prefix + s;
  EncodeOptions src;
  src.truncation = true;
  src.max_length = opt.max_source_length;
  if (opt.pad_to_max_length) src.padding = "max_length";
  std::vector<Encoding> enc = tok.encode_batch(sources, src, opt.num_threads);
  Examples f;
  auto& ids = f.sequences["input_ids"];
  auto& mask = f.sequences["attention_mask"];
  for (auto& e : enc) {
    ids.push_back(std::move(e.ids));
    mask.emplace_back(e.attention_mask.begin(), e.attention_mask.end());
  }
  if (targets.empty()) return f;
  EncodeOptions tgt = src;
  tgt.max_length = opt.max_target_length;
  std::vector<Encoding> lab = tok.encode_batch(targets, tgt, opt.num_threads);
  const int32_t pad = tok.pad_token_id().value_or(-1);
  auto& labels = f.sequences["labels"];
  for (auto& e : lab) {
    if (opt.pad_to_max_length && opt.ignore_pad_token_for_loss)
      for (auto& id : e.ids)
        if (id == pad) id = -100;
    labels.push_back(std::move(e.ids));
  }
  return f;
}

}  // namespace afinar
