// tokenizer.json → a JSON tree, with model.vocab read on the side (see tokenizer_impl.h).
//
// Why: a BERT or GPT-2 vocab is an object of 30–50k entries; as a tree node it is a std::map
// of that many strings — about half of the time of loading a tokenizer, and as much again to
// free. SAX events for model.vocab go straight into a list; the tree gets an empty object in its
// place, and save_pretrained writes the list back.
#include <nlohmann/json.hpp>

#include "afinar/core/check.h"
#include "tokenizer_impl.h"

namespace afinar::tokenizers {
namespace {

using json = nlohmann::json;

class Sax {
 public:
  Sax(json& root, CapturedVocab& vocab, const std::string& origin) : dom_(root, true), vocab_(vocab), origin_(origin) {}

  bool null() { return capturing_ ? bad_value("null") : dom_.null(); }
  bool boolean(bool v) { return capturing_ ? bad_value("a boolean") : dom_.boolean(v); }
  bool number_integer(json::number_integer_t v) { return capturing_ ? add(v) : dom_.number_integer(v); }
  bool number_unsigned(json::number_unsigned_t v) {
    if (!capturing_) return dom_.number_unsigned(v);
    return v > uint64_t(INT32_MAX) ? bad_value("an id beyond int32") : add(int64_t(v));
  }
  bool number_float(json::number_float_t v, const json::string_t& s) {
    return capturing_ ? bad_value("a float") : dom_.number_float(v, s);
  }
  bool string(json::string_t& v) { return capturing_ ? bad_value("a string") : dom_.string(v); }
  bool binary(json::binary_t& v) { return capturing_ ? bad_value("binary") : dom_.binary(v); }
  bool start_object(std::size_t n) {
    if (capturing_) return bad_value("an object");
    // The root is level 0, "model" level 1: an object under model's key "vocab" is captured.
    if (path_.size() == 2 && path_[0] == "model" && path_[1] == "vocab") {
      capturing_ = true;
      vocab_.present = true;
      return true;
    }
    path_.emplace_back();
    return dom_.start_object(n);
  }
  bool key(json::string_t& k) {
    if (capturing_) {
      key_ = std::move(k);
      return true;
    }
    if (!path_.empty()) path_.back() = k;
    return dom_.key(k);
  }
  bool end_object() {
    if (capturing_) {  // the tree keeps an empty object where the vocab was
      capturing_ = false;
      return dom_.start_object(0) && dom_.end_object();
    }
    path_.pop_back();
    return dom_.end_object();
  }
  bool start_array(std::size_t n) {
    if (capturing_) return bad_value("an array");
    path_.emplace_back("[]");
    return dom_.start_array(n);
  }
  bool end_array() {
    path_.pop_back();
    return dom_.end_array();
  }
  template <class Exception>
  bool parse_error(std::size_t, const std::string&, const Exception& ex) {
    throw ex;  // the caller turns it into a FormatError naming the byte
  }

 private:
  bool add(int64_t id) {
    if (id < 0 || id > INT32_MAX) return bad_value("an id outside int32");
    vocab_.entries.emplace_back(std::move(key_), int32_t(id));
    return true;
  }
  bool bad_value(const char* what) {
    throw FormatError(detail::concat(origin_, ": model.vocab[\"", key_, "\"] is not an integer id (", what, ")"));
  }

  nlohmann::detail::json_sax_dom_parser<json> dom_;
  CapturedVocab& vocab_;
  const std::string& origin_;
  std::vector<std::string> path_;  // the key (or "[]") of each open container
  bool capturing_ = false;
  std::string key_;
};

}  // namespace

ParsedTokenizerJson parse_tokenizer_json(std::string_view text, const std::string& origin) {
  ParsedTokenizerJson out;
  Sax sax(out.json, out.vocab, origin);
  try {
    json::sax_parse(text.begin(), text.end(), &sax);
  } catch (const json::parse_error& e) {
    throw FormatError(
        detail::concat(origin, ": malformed JSON at byte ", e.byte ? e.byte - 1 : 0, " (", e.what(), ")"));
  } catch (const json::exception& e) {  // out_of_range: a number too large for a double
    throw FormatError(detail::concat(origin, ": malformed JSON (", e.what(), ")"));
  }
  return out;
}

nlohmann::json full_tokenizer_json(const Tokenizer::Impl& impl) {
  if (!impl.vocab.present) return impl.json;
  json j = impl.json;
  json vocab = json::object();
  for (const auto& [token, id] : impl.vocab.entries) vocab[token] = id;
  j["model"]["vocab"] = std::move(vocab);
  return j;
}

}  // namespace afinar::tokenizers
