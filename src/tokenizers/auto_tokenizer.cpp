// AutoTokenizer::from_pretrained (folders, vocab.txt-only BERT folders, Hub ids) and
// Tokenizer::save_pretrained: the transformers-level files around tokenizer.json.
#include <cmath>

#include "afinar/core/fs.h"
#include "afinar/hub/cache.h"
#include "afinar/hub/sha256.h"
#include "afinar/tokenizers/models/wordpiece.h"
#include "json_util.h"
#include "tokenizer_impl.h"

namespace afinar {

using nlohmann::json;

namespace {

const char* const kSpecialKeys[] = {"unk_token",  "sep_token", "pad_token", "cls_token",
                                    "mask_token", "bos_token", "eos_token"};

// A special token in tokenizer_config.json is a string or an AddedToken object.
std::optional<std::string> token_string(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("content") && v["content"].is_string()) return v["content"].get<std::string>();
  return std::nullopt;
}

json read_json_file(const fs::path& p) {
  std::string text = read_file(p);
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    throw FormatError(
        detail::concat(p.string(), ": malformed JSON at byte ", e.byte ? e.byte - 1 : 0, " (", e.what(), ")"));
  } catch (const json::exception& e) {  // out_of_range: a number too large for a double
    throw FormatError(detail::concat(p.string(), ": malformed JSON (", e.what(), ")"));
  }
}

bool has_upper_case_pieces(const fs::path& vocab_txt) {
  std::string text = read_file(vocab_txt);
  size_t upper = 0;
  size_t line_start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != '\n') continue;
    std::string_view line(text.data() + line_start, i - line_start);
    bool bracketed = !line.empty() && line.front() == '[' && line.back() == ']';  // [CLS], [unused0]
    if (!bracketed)
      for (char c : line)
        if (c >= 'A' && c <= 'Z') {
          ++upper;
          break;
        }
    line_start = i + 1;
  }
  return upper > 0;
}

// The tokenizer.json transformers' BERT converter writes for a vocab.txt.
json bert_tokenizer_json(const fs::path& vocab_txt, const json& config) {
  auto vocab = tokenizers::read_vocab_txt(vocab_txt.string());
  bool lower =
      config.contains("do_lower_case") ? config["do_lower_case"].get<bool>() : !has_upper_case_pieces(vocab_txt);
  json strip = config.contains("strip_accents") ? config["strip_accents"] : json(nullptr);
  bool chinese = config.value("tokenize_chinese_chars", true);
  auto special = [&](const char* key, const char* fallback) {
    auto it = config.find(key);
    return it != config.end() ? token_string(*it).value_or(fallback) : std::string(fallback);
  };
  std::string cls = special("cls_token", "[CLS]"), sep = special("sep_token", "[SEP]");
  json added = json::array();
  for (std::string t :
       {special("pad_token", "[PAD]"), special("unk_token", "[UNK]"), cls, sep, special("mask_token", "[MASK]")}) {
    auto id = vocab.find(t);
    AFINAR_CHECK_FORMAT(id.has_value(), vocab_txt.string(), ": special token ", t, " is not in the vocabulary");
    added.push_back({{"id", *id},
                     {"content", t},
                     {"single_word", false},
                     {"lstrip", false},
                     {"rstrip", false},
                     {"normalized", false},
                     {"special", true}});
  }
  json vj = json::object();
  {  // the same lines read_vocab_txt reads: id = line number, a repeated token keeps its last id
    std::string text = read_file(vocab_txt);
    int32_t id = 0;
    size_t start = 0;
    for (size_t i = 0; i <= text.size(); ++i) {
      if (i < text.size() && text[i] != '\n') continue;
      if (i < text.size() || start < text.size()) vj[text.substr(start, i - start)] = id++;
      start = i + 1;
    }
  }
  auto piece = [](const char* kind, const std::string& id, int type) {
    return json{{kind, {{"id", id}, {"type_id", type}}}};
  };
  json post = {{"type", "TemplateProcessing"},
               {"single", {piece("SpecialToken", cls, 0), piece("Sequence", "A", 0), piece("SpecialToken", sep, 0)}},
               {"pair",
                {piece("SpecialToken", cls, 0), piece("Sequence", "A", 0), piece("SpecialToken", sep, 0),
                 piece("Sequence", "B", 1), piece("SpecialToken", sep, 1)}},
               {"special_tokens",
                {{cls, {{"id", cls}, {"ids", {*vocab.find(cls)}}, {"tokens", {cls}}}},
                 {sep, {{"id", sep}, {"ids", {*vocab.find(sep)}}, {"tokens", {sep}}}}}}};
  return json{{"version", "1.0"},
              {"truncation", nullptr},
              {"padding", nullptr},
              {"added_tokens", added},
              {"normalizer",
               {{"type", "BertNormalizer"},
                {"clean_text", true},
                {"handle_chinese_chars", chinese},
                {"strip_accents", strip},
                {"lowercase", lower}}},
              {"pre_tokenizer", {{"type", "BertPreTokenizer"}}},
              {"post_processor", post},
              {"decoder", {{"type", "WordPiece"}, {"prefix", "##"}, {"cleanup", true}}},
              {"model",
               {{"type", "WordPiece"},
                {"unk_token", special("unk_token", "[UNK]")},
                {"continuing_subword_prefix", "##"},
                {"max_input_chars_per_word", 100},
                {"vocab", vj}}}};
}

void apply_config(Tokenizer::Impl& impl, json config, json special_map) {
  if (config.contains("model_max_length") && config["model_max_length"].is_number()) {
    double m = config["model_max_length"].get<double>();
    impl.model_max_length = m >= 1e18 ? kNoMaxLength : static_cast<size_t>(m);
  }
  for (const json* src : {&special_map, &config})
    if (src->contains("pad_token"))
      if (auto t = token_string((*src)["pad_token"])) impl.pad_token = t;
  if (config.contains("padding_side") && config["padding_side"].is_string())
    impl.padding_side = config["padding_side"].get<std::string>();
  if (config.contains("truncation_side") && config["truncation_side"].is_string())
    impl.truncation_side = config["truncation_side"].get<std::string>();
  impl.config = std::move(config);
  impl.special_tokens_map = std::move(special_map);
}

}  // namespace

Tokenizer AutoTokenizer::from_pretrained(const std::string& name_or_path) {
  fs::path dir = hub::resolve_repo(name_or_path);
  json config =
      fs::exists(dir / "tokenizer_config.json") ? read_json_file(dir / "tokenizer_config.json") : json::object();
  json special =
      fs::exists(dir / "special_tokens_map.json") ? read_json_file(dir / "special_tokens_map.json") : json::object();
  AFINAR_CHECK_FORMAT(config.is_object() && special.is_object(), dir.string(),
                      ": tokenizer_config.json and special_tokens_map.json must hold JSON objects");
  Tokenizer t;
  std::shared_ptr<Tokenizer::Impl> impl;
  // The identity of what encodes: the pipeline's file and the transformers-level settings.
  hub::Sha256 identity;
  auto hash_part = [&](const char* name, std::string_view text) {
    identity.update(detail::concat(name, ":", text.size(), ":"));
    identity.update(text);
  };
  for (const char* f : {"tokenizer_config.json", "special_tokens_map.json"})
    if (fs::exists(dir / f)) hash_part(f, read_file(dir / f));
  if (fs::exists(dir / "tokenizer.json")) {
    const std::string origin = (dir / "tokenizer.json").string();
    const std::string text = read_file(dir / "tokenizer.json");
    hash_part("tokenizer.json", text);
    auto parsed = tokenizers::parse_tokenizer_json(text, origin);
    impl = tokenizers::build_impl(std::move(parsed.json), origin, std::move(parsed.vocab));
  } else if (fs::exists(dir / "vocab.txt")) {
    hash_part("vocab.txt", read_file(dir / "vocab.txt"));
    std::string origin = (dir / "vocab.txt").string();
    impl = tokenizers::build_impl(bert_tokenizer_json(dir / "vocab.txt", config), origin);
    if (!config.contains("do_lower_case")) config["do_lower_case"] = impl->json["normalizer"]["lowercase"];
    if (!config.contains("tokenizer_class")) config["tokenizer_class"] = "BertTokenizer";
    const std::pair<const char*, const char*> bert_specials[] = {{"unk_token", "[UNK]"},
                                                                 {"sep_token", "[SEP]"},
                                                                 {"pad_token", "[PAD]"},
                                                                 {"cls_token", "[CLS]"},
                                                                 {"mask_token", "[MASK]"}};
    for (const auto& [k, v] : bert_specials)
      if (!config.contains(k)) config[k] = v;
  } else {
    throw FormatError(detail::concat(dir.string(),
                                     ": no tokenizer.json or vocab.txt; HINT: point at a folder "
                                     "holding a Hugging Face tokenizer"));
  }
  apply_config(*impl, std::move(config), std::move(special));
  impl->fingerprint = identity.hex_digest();
  t.impl_ = std::move(impl);
  return t;
}

std::optional<int32_t> Tokenizer::special_token_id(std::string_view name) const {
  AFINAR_CHECK(impl_ != nullptr, "this Tokenizer is empty; HINT: build it with Tokenizer::from_file or AutoTokenizer");
  const Impl& impl = *impl_;
  if (name == "pad_token") return pad_token_id();
  const std::string key(name);
  // As apply_config reads pad_token: tokenizer_config.json over special_tokens_map.json.
  for (const json* src : {&impl.config, &impl.special_tokens_map})
    if (src->contains(key))
      if (auto t = token_string((*src)[key])) return token_to_id(*t);
  return std::nullopt;
}

const std::string& Tokenizer::padding_side() const {
  AFINAR_CHECK(impl_ != nullptr, "this Tokenizer is empty; HINT: build it with Tokenizer::from_file or AutoTokenizer");
  return impl_->padding_side;
}

void Tokenizer::save_pretrained(const std::filesystem::path& folder) const {
  const Impl& impl = *impl_;
  fs::create_directories(folder);
  json config = impl.config;
  json special = impl.special_tokens_map;
  for (const char* k : kSpecialKeys) {
    if (!special.contains(k) && config.contains(k) && token_string(config[k])) special[k] = *token_string(config[k]);
  }
  if (impl.pad_token && !special.contains("pad_token")) special["pad_token"] = *impl.pad_token;
  for (auto& [k, v] : special.items())
    if (!config.contains(k)) config[k] = v;
  config["model_max_length"] = impl.model_max_length == kNoMaxLength ? json(1e30) : json(impl.model_max_length);
  if (!config.contains("tokenizer_class"))
    config["tokenizer_class"] = uses_token_type_ids() ? "BertTokenizer" : "PreTrainedTokenizerFast";
  config["padding_side"] = impl.padding_side;
  config["truncation_side"] = impl.truncation_side;
  write_file_atomic(folder / "tokenizer.json", tokenizers::full_tokenizer_json(impl).dump(2));
  write_file_atomic(folder / "tokenizer_config.json", config.dump(2));
  write_file_atomic(folder / "special_tokens_map.json", special.dump(2));
}

}  // namespace afinar
