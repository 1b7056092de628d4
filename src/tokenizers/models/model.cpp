#include "afinar/tokenizers/models/model.h"

#include "../json_util.h"
#include "afinar/tokenizers/models/wordpiece.h"

namespace afinar::tokenizers {

namespace {

// Files from early HF tokenizers have an untagged model; HF then tries the model kinds in turn.
std::string infer_type(const nlohmann::json& j) {
  if (j.contains("merges")) return "BPE";
  if (j.contains("vocab") && j["vocab"].is_array()) return "Unigram";
  if (j.contains("continuing_subword_prefix") || j.contains("max_input_chars_per_word")) return "WordPiece";
  return "WordLevel";
}

}  // namespace

std::shared_ptr<const Model> make_model(const nlohmann::json& j, const std::string& origin) {
  using namespace json_util;
  const char* where = "model";
  AFINAR_CHECK_FORMAT(j.is_object(), origin, ": \"model\" must be a JSON object");
  std::string type = type_of(j, origin, where);
  if (type.empty()) type = infer_type(j);
  if (type == "WordPiece") {
    WordPieceOptions o;
    o.unk_token = get_or<std::string>(j, "unk_token", o.unk_token, origin, where);
    o.continuing_subword_prefix = get_or<std::string>(j, "continuing_subword_prefix", o.continuing_subword_prefix, origin, where);
    o.max_input_chars_per_word = get_or<size_t>(j, "max_input_chars_per_word", o.max_input_chars_per_word, origin, where);
    auto vj = get<json>(j, "vocab", origin, where);
    AFINAR_CHECK_FORMAT(vj.is_object(), origin, ": model.vocab must map tokens to ids");
    Vocab v;
    for (auto it = vj.begin(); it != vj.end(); ++it) {
      AFINAR_CHECK_FORMAT(it.value().is_number_integer(), origin, ": model.vocab[\"", it.key(), "\"] is not an integer id");
      v.add(it.key(), it.value().get<int32_t>());
    }
    try {
      return std::make_shared<WordPiece>(std::move(v), std::move(o));
    } catch (const FormatError& e) {
      throw FormatError(origin + ": " + e.what());
    }
  }
  AFINAR_NOT_IMPLEMENTED("model type \"", type, "\" in ", origin, " (supported: WordPiece)");
}

}  // namespace afinar::tokenizers
