#include "afinar/tokenizers/processors/processor.h"

#include "../json_util.h"
#include "afinar/tokenizers/processors/bert_processing.h"
#include "afinar/tokenizers/processors/roberta_processing.h"
#include "afinar/tokenizers/processors/template_processing.h"

namespace afinar::tokenizers {

void append_encoding(Encoding& dst, const Encoding& src) {
  auto cat = [](auto& a, const auto& b) { a.insert(a.end(), b.begin(), b.end()); };
  cat(dst.ids, src.ids);
  cat(dst.type_ids, src.type_ids);
  cat(dst.tokens, src.tokens);
  cat(dst.offsets, src.offsets);
  cat(dst.word_ids, src.word_ids);
  cat(dst.sequence_ids, src.sequence_ids);
  cat(dst.special_tokens_mask, src.special_tokens_mask);
  cat(dst.attention_mask, src.attention_mask);
}

void append_encoding(Encoding& dst, Encoding&& src) {
  auto cat = [](auto& a, const auto& b) { a.insert(a.end(), b.begin(), b.end()); };
  cat(dst.ids, src.ids);
  cat(dst.type_ids, src.type_ids);
  dst.tokens.insert(dst.tokens.end(), std::make_move_iterator(src.tokens.begin()),
                    std::make_move_iterator(src.tokens.end()));
  cat(dst.offsets, src.offsets);
  cat(dst.word_ids, src.word_ids);
  cat(dst.sequence_ids, src.sequence_ids);
  cat(dst.special_tokens_mask, src.special_tokens_mask);
  cat(dst.attention_mask, src.attention_mask);
}

void append_special(Encoding& dst, int32_t id, const std::string& token, int32_t type_id) {
  dst.ids.push_back(id);
  dst.type_ids.push_back(type_id);
  dst.tokens.push_back(token);
  dst.offsets.emplace_back(0, 0);
  dst.word_ids.push_back(-1);
  dst.sequence_ids.push_back(-1);
  dst.special_tokens_mask.push_back(1);
  dst.attention_mask.push_back(1);
}

Encoding default_process(Encoding a, std::optional<Encoding> b) {
  if (b) append_encoding(a, *b);
  return a;
}

namespace {

std::vector<TemplatePiece> parse_template(const nlohmann::json& arr, const std::string& origin, const char* name) {
  using namespace json_util;
  AFINAR_CHECK_FORMAT(arr.is_array(), origin, ": post_processor.", name, " must be an array");
  std::vector<TemplatePiece> out;
  for (const auto& p : arr) {
    TemplatePiece t;
    if (p.contains("Sequence")) {
      const auto& s = p["Sequence"];
      std::string id = get<std::string>(s, "id", origin, "post_processor Sequence piece");
      AFINAR_CHECK_FORMAT(id == "A" || id == "B", origin, ": template sequence id must be A or B, got ", id);
      t.is_sequence = true;
      t.sequence = id == "B";
      t.type_id = get_or<int32_t>(s, "type_id", 0, origin, "post_processor Sequence piece");
    } else if (p.contains("SpecialToken")) {
      const auto& s = p["SpecialToken"];
      t.special_id = get<std::string>(s, "id", origin, "post_processor SpecialToken piece");
      t.type_id = get_or<int32_t>(s, "type_id", 0, origin, "post_processor SpecialToken piece");
    } else {
      throw FormatError(origin + ": template piece is neither Sequence nor SpecialToken: " + p.dump());
    }
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace

std::shared_ptr<const PostProcessor> make_post_processor(const nlohmann::json& j, const std::string& origin) {
  using namespace json_util;
  const char* where = "post_processor";
  std::string type = type_of(j, origin, where);
  if (type == "BertProcessing") {
    auto sep = get<json>(j, "sep", origin, where), cls = get<json>(j, "cls", origin, where);
    AFINAR_CHECK_FORMAT(sep.is_array() && sep.size() == 2 && cls.is_array() && cls.size() == 2, origin,
                        ": post_processor.sep/cls must be [token, id]");
    return std::make_shared<BertProcessing>(sep[0].get<std::string>(), sep[1].get<int32_t>(),
                                            cls[0].get<std::string>(), cls[1].get<int32_t>());
  }
  if (type == "TemplateProcessing") {
    auto single = parse_template(get<json>(j, "single", origin, where), origin, "single");
    auto pair = parse_template(get<json>(j, "pair", origin, where), origin, "pair");
    std::map<std::string, TemplateSpecialToken> specials;
    const json special_tokens = get_or<json>(j, "special_tokens", json::object(), origin, where);
    for (const auto& [key, v] : special_tokens.items()) {
      TemplateSpecialToken t;
      t.ids = get<std::vector<int32_t>>(v, "ids", origin, "post_processor.special_tokens entry");
      t.tokens = get<std::vector<std::string>>(v, "tokens", origin, "post_processor.special_tokens entry");
      AFINAR_CHECK_FORMAT(t.ids.size() == t.tokens.size(), origin, ": special token ", key, " has ", t.ids.size(),
                          " ids but ", t.tokens.size(), " tokens");
      specials[key] = std::move(t);
    }
    return std::make_shared<TemplateProcessing>(std::move(single), std::move(pair), std::move(specials));
  }
  if (type == "RobertaProcessing") {
    auto sep = get<json>(j, "sep", origin, where), cls = get<json>(j, "cls", origin, where);
    AFINAR_CHECK_FORMAT(sep.is_array() && sep.size() == 2 && cls.is_array() && cls.size() == 2, origin,
                        ": post_processor.sep/cls must be [token, id]");
    return std::make_shared<RobertaProcessing>(sep[0].get<std::string>(), sep[1].get<int32_t>(),
                                               cls[0].get<std::string>(), cls[1].get<int32_t>(),
                                               get_or(j, "trim_offsets", true, origin, where),
                                               get_or(j, "add_prefix_space", true, origin, where));
  }
  if (type == "ByteLevel")
    return std::make_shared<ByteLevelProcessing>(get_or(j, "trim_offsets", true, origin, where),
                                                 get_or(j, "add_prefix_space", true, origin, where));
  if (type == "Sequence") {
    auto arr = get<json>(j, "processors", origin, where);
    AFINAR_CHECK_FORMAT(arr.is_array(), origin, ": post_processor.processors must be an array");
    std::vector<std::shared_ptr<const PostProcessor>> parts;
    for (const auto& p : arr) parts.push_back(make_post_processor(p, origin));
    return std::make_shared<ProcessorSequence>(std::move(parts));
  }
  AFINAR_NOT_IMPLEMENTED("post_processor type \"", type, "\" in ", origin,
                         " (supported: BertProcessing, TemplateProcessing, RobertaProcessing, ByteLevel, Sequence)");
}

}  // namespace afinar::tokenizers
