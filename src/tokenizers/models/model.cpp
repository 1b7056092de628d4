#include "afinar/tokenizers/models/model.h"

#include <charconv>
#include <cstdlib>

#include "../json_util.h"
#include "afinar/tokenizers/models/bpe.h"
#include "afinar/tokenizers/models/unigram.h"
#include "afinar/tokenizers/models/word_level.h"
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

using VocabList = std::vector<std::pair<std::string, int32_t>>;

Vocab read_vocab_object(const nlohmann::json& j, const std::string& origin, const VocabList* list) {
  using namespace json_util;
  if (list) {
    Vocab v;
    v.reserve(list->size());
    for (const auto& [token, id] : *list) v.add(token, id);
    return v;
  }
  const json& vj = field(j, "vocab", origin, "model");
  AFINAR_CHECK_FORMAT(vj.is_object(), origin, ": model.vocab must map tokens to ids");
  Vocab v;
  v.reserve(vj.size());
  for (auto it = vj.begin(); it != vj.end(); ++it) {
    AFINAR_CHECK_FORMAT(it.value().is_number_integer(), origin, ": model.vocab[\"", it.key(), "\"] is not an integer id");
    v.add(it.key(), it.value().get<int32_t>());
  }
  return v;
}

std::optional<std::string> opt_string(const nlohmann::json& j, const char* key, const std::string& origin) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  return json_util::get<std::string>(j, key, origin, "model");
}

std::shared_ptr<const Model> make_bpe(const nlohmann::json& j, const std::string& origin, const VocabList* list) {
  using namespace json_util;
  const char* where = "model";
  BPEOptions o;
  o.unk_token = opt_string(j, "unk_token", origin);
  o.continuing_subword_prefix = opt_string(j, "continuing_subword_prefix", origin);
  o.end_of_word_suffix = opt_string(j, "end_of_word_suffix", origin);
  o.fuse_unk = get_or(j, "fuse_unk", false, origin, where);
  o.byte_fallback = get_or(j, "byte_fallback", false, origin, where);
  o.ignore_merges = get_or(j, "ignore_merges", false, origin, where);
  if (j.contains("dropout") && !j["dropout"].is_null()) {
    double p = get<double>(j, "dropout", origin, where);
    if (p != 0.0) AFINAR_NOT_IMPLEMENTED("BPE dropout ", p, " in ", origin, " (only null or 0 is supported)");
  }
  Vocab v = read_vocab_object(j, origin, list);
  const json& mj = field(j, "merges", origin, where);
  AFINAR_CHECK_FORMAT(mj.is_array(), origin, ": model.merges must be an array");
  std::vector<std::pair<std::string, std::string>> merges;
  merges.reserve(mj.size());
  for (size_t i = 0; i < mj.size(); ++i) {
    const auto& m = mj[i];
    if (m.is_string()) {  // "a b"
      const auto& s = m.get_ref<const std::string&>();
      size_t sp = s.find(' ');
      AFINAR_CHECK_FORMAT(sp != std::string::npos && s.find(' ', sp + 1) == std::string::npos, origin, ": model.merges[",
                          i, "] = \"", s, "\" is not two tokens separated by one space");
      merges.emplace_back(s.substr(0, sp), s.substr(sp + 1));
    } else {  // ["a", "b"]
      AFINAR_CHECK_FORMAT(m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string(), origin,
                          ": model.merges[", i, "] must be \"a b\" or [\"a\", \"b\"], got ", m.dump());
      merges.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
    }
  }
  try {
    return std::make_shared<BPE>(std::move(v), merges, std::move(o));
  } catch (const FormatError& e) {
    throw FormatError(origin + ": " + e.what());
  }
}

// HF reads scores with serde_json's default float parser, which is not correctly rounded: it
// computes (significand as f64) / 10^k. Unigram ties then break differently by one ulp, so the
// correctly rounded double from nlohmann is turned back into its shortest decimal digits (what
// the file holds) and parsed the way serde_json does.
double serde_json_f64(double x) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, x);
  std::string_view t(buf, static_cast<size_t>(r.ptr - buf));
  bool negative = !t.empty() && t[0] == '-';
  if (negative) t.remove_prefix(1);
  uint64_t significand = 0;
  int exponent = 0;
  bool overflow = false;
  size_t i = 0;
  auto push = [&](char c, bool fraction) {
    auto d = static_cast<uint64_t>(c - '0');
    if (!overflow && significand <= (UINT64_MAX - d) / 10) {
      significand = significand * 10 + d;
      if (fraction) --exponent;
    } else {
      overflow = true;  // serde_json drops the digits that do not fit, counting integer ones
      if (!fraction) ++exponent;
    }
  };
  for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i) push(t[i], false);
  if (i < t.size() && t[i] == '.')
    for (++i; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i) push(t[i], true);
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) exponent += std::atoi(std::string(t.substr(i + 1)).c_str());
  double f = static_cast<double>(significand);
  for (;;) {
    int e = exponent < 0 ? -exponent : exponent;
    if (e <= 308) {
      static const std::vector<double> kPow10 = [] {  // the literals 1e0 … 1e308, as serde_json's table
        std::vector<double> t;
        for (int k = 0; k <= 308; ++k) t.push_back(std::strtod(("1e" + std::to_string(k)).c_str(), nullptr));
        return t;
      }();
      double pow = kPow10[static_cast<size_t>(e)];
      f = exponent >= 0 ? f * pow : f / pow;
      break;
    }
    if (f == 0.0) break;
    if (exponent >= 0) return x;  // out of range: keep nlohmann's value
    f /= 1e308;
    exponent += 308;
  }
  return negative ? -f : f;
}

std::shared_ptr<const Model> make_unigram(const nlohmann::json& j, const std::string& origin) {
  using namespace json_util;
  const json& vj = field(j, "vocab", origin, "model");
  AFINAR_CHECK_FORMAT(vj.is_array(), origin, ": Unigram model.vocab must be an array of [piece, score]");
  std::vector<std::pair<std::string, double>> pieces;
  pieces.reserve(vj.size());
  for (size_t i = 0; i < vj.size(); ++i) {
    const auto& p = vj[i];
    AFINAR_CHECK_FORMAT(p.is_array() && p.size() == 2 && p[0].is_string() && p[1].is_number(), origin,
                        ": model.vocab[", i, "] must be [piece, score], got ", p.dump().substr(0, 80));
    pieces.emplace_back(p[0].get<std::string>(), serde_json_f64(p[1].get<double>()));
  }
  std::optional<int32_t> unk;
  if (j.contains("unk_id") && !j["unk_id"].is_null()) unk = get<int32_t>(j, "unk_id", origin, "model");
  try {
    return std::make_shared<Unigram>(std::move(pieces), unk, get_or(j, "byte_fallback", false, origin, "model"));
  } catch (const FormatError& e) {
    throw FormatError(origin + ": " + e.what());
  }
}

}  // namespace

std::shared_ptr<const Model> make_model(const nlohmann::json& j, const std::string& origin, const VocabList* list) {
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
    Vocab v = read_vocab_object(j, origin, list);
    try {
      return std::make_shared<WordPiece>(std::move(v), std::move(o));
    } catch (const FormatError& e) {
      throw FormatError(origin + ": " + e.what());
    }
  }
  if (type == "BPE") return make_bpe(j, origin, list);
  if (type == "Unigram") return make_unigram(j, origin);
  if (type == "WordLevel")
    return std::make_shared<WordLevel>(read_vocab_object(j, origin, list),
                                       get<std::string>(j, "unk_token", origin, where));
  AFINAR_NOT_IMPLEMENTED("model type \"", type, "\" in ", origin, " (supported: BPE, Unigram, WordLevel, WordPiece)");
}

}  // namespace afinar::tokenizers
