#include "afinar/tokenizers/pre_tokenizers/pre_tokenizer.h"

#include "../json_util.h"
#include "afinar/tokenizers/pre_tokenizers/bert_pre_tokenizer.h"
#include "afinar/tokenizers/pre_tokenizers/sequence.h"
#include "afinar/tokenizers/pre_tokenizers/whitespace.h"

namespace afinar::tokenizers {

std::shared_ptr<const PreTokenizer> make_pre_tokenizer(const nlohmann::json& j, const std::string& origin) {
  using namespace json_util;
  const char* where = "pre_tokenizer";
  std::string type = type_of(j, origin, where);
  if (type == "BertPreTokenizer") return std::make_shared<BertPreTokenizer>();
  if (type == "Whitespace") return std::make_shared<Whitespace>();
  if (type == "WhitespaceSplit") return std::make_shared<WhitespaceSplit>();
  if (type == "Sequence") {
    auto arr = get<json>(j, "pretokenizers", origin, where);
    AFINAR_CHECK_FORMAT(arr.is_array(), origin, ": pre_tokenizer.pretokenizers must be an array");
    std::vector<std::shared_ptr<const PreTokenizer>> parts;
    for (const auto& p : arr) parts.push_back(make_pre_tokenizer(p, origin));
    return std::make_shared<PreTokenizerSequence>(std::move(parts));
  }
  AFINAR_NOT_IMPLEMENTED("pre_tokenizer type \"", type, "\" in ", origin,
                         " (supported: BertPreTokenizer, Whitespace, WhitespaceSplit, Sequence)");
}

}  // namespace afinar::tokenizers
