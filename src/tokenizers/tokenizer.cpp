// Tokenizer: loading tokenizer.json and the encode/decode paths.
#include "afinar/tokenizers/tokenizer.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "afinar/core/fs.h"
#include "afinar/hub/sha256.h"
#include "json_util.h"
#include "tokenizer_impl.h"
#include "worker_pool.h"

namespace afinar {

using tokenizers::AddedMatch;
using tokenizers::NormalizedString;
using tokenizers::PreTokenizedString;

namespace tokenizers {

std::shared_ptr<Tokenizer::Impl> build_impl(nlohmann::json j, const std::string& origin, CapturedVocab vocab) {
  using namespace json_util;
  AFINAR_CHECK_FORMAT(j.is_object(), origin, ": a tokenizer.json must hold a JSON object");
  auto impl = std::make_shared<Tokenizer::Impl>();
  impl->origin = origin;
  auto present = [&](const char* k) { return j.contains(k) && !j[k].is_null(); };
  if (present("normalizer")) impl->normalizer = make_normalizer(j["normalizer"], origin);
  if (present("pre_tokenizer")) impl->pre_tokenizer = make_pre_tokenizer(j["pre_tokenizer"], origin);
  AFINAR_CHECK_FORMAT(present("model"), origin, ": tokenizer.json lacks \"model\"");
  impl->model = make_model(j["model"], origin, vocab.present ? &vocab.entries : nullptr);
  if (present("post_processor")) impl->post_processor = make_post_processor(j["post_processor"], origin);
  if (present("decoder")) impl->decoder = make_decoder(j["decoder"], origin);
  std::vector<AddedToken> added;
  for (const auto& t : get_or(j, "added_tokens", json::array(), origin, "tokenizer")) {
    AddedToken a;
    a.content = get<std::string>(t, "content", origin, "added_tokens entry");
    a.id = get<int32_t>(t, "id", origin, "added_tokens entry");
    a.special = get_or(t, "special", false, origin, "added_tokens entry");
    a.single_word = get_or(t, "single_word", false, origin, "added_tokens entry");
    a.lstrip = get_or(t, "lstrip", false, origin, "added_tokens entry");
    a.rstrip = get_or(t, "rstrip", false, origin, "added_tokens entry");
    a.normalized = get_or(t, "normalized", !a.special, origin, "added_tokens entry");
    added.push_back(std::move(a));
  }
  impl->added = AddedVocabulary(std::move(added), impl->normalizer.get());
  if (present("padding")) {
    auto p = j["padding"];
    if (p.contains("pad_token")) impl->pad_token = get<std::string>(p, "pad_token", origin, "padding");
    std::string dir = get_or<std::string>(p, "direction", "Right", origin, "padding");
    impl->padding_side = dir == "Left" ? "left" : "right";
  }
  if (present("truncation")) {
    std::string dir = get_or<std::string>(j["truncation"], "direction", "Right", origin, "truncation");
    impl->truncation_side = dir == "Left" ? "left" : "right";
  }
  impl->json = std::move(j);
  impl->vocab = std::move(vocab);
  return impl;
}

namespace {

// Buffers reused across the encodes of one thread.
struct Workspace {
  NormalizedString piece;
  PreTokenizedString pre;
  std::vector<AddedMatch> raw_matches, norm_matches;
  std::vector<Token> tokens;
  std::vector<uint32_t> byte_to_char;
};

Workspace& workspace() {
  thread_local Workspace ws;
  return ws;
}

}  // namespace

// Added tokens → normalizer → pre-tokenizer → model for one text; offsets in characters.
Encoding encode_sequence(const Tokenizer::Impl& impl, std::string_view text, int32_t sequence_id) {
  size_t bad = find_invalid_utf8(text);
  AFINAR_CHECK(bad == std::string_view::npos, "input text is not valid UTF-8 (byte ", bad, " of ", text.size(), ")");
  AFINAR_CHECK(text.size() < (1u << 31), "input text too long: ", text.size(), " bytes");
  Workspace& ws = workspace();
  PreTokenizedString& pre = ws.pre;
  pre.clear();
  ws.raw_matches.clear();
  impl.added.find_raw(text, ws.raw_matches);

  auto add_piece = [&](uint32_t b, uint32_t e) {
    if (b >= e) return;
    ws.piece.reset(text, b, e);
    if (impl.normalizer) impl.normalizer->normalize(ws.piece);
    auto n = static_cast<uint32_t>(ws.piece.get().size());
    if (!impl.added.has_normalized()) return pre.append(ws.piece, 0, n);
    ws.norm_matches.clear();
    impl.added.find_normalized(ws.piece.get(), ws.norm_matches);
    uint32_t cur = 0;
    for (const auto& m : ws.norm_matches) {
      pre.append(ws.piece, cur, m.start);
      pre.append(ws.piece, m.start, m.end, m.id);
      cur = m.end;
    }
    pre.append(ws.piece, cur, n);
  };
  uint32_t cur = 0;
  for (const auto& m : ws.raw_matches) {
    add_piece(cur, m.start);
    pre.append_original(text, m.start, m.end, m.id);
    cur = m.end;
  }
  add_piece(cur, static_cast<uint32_t>(text.size()));
  if (impl.pre_tokenizer) impl.pre_tokenizer->pre_tokenize(pre);

  bool ascii = is_ascii(text);
  if (!ascii) {
    ws.byte_to_char.assign(text.size() + 1, 0);
    uint32_t c = 0;
    for (size_t i = 0; i < text.size(); ++i) {
      if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && i > 0) ++c;
      ws.byte_to_char[i] = c;
    }
    ws.byte_to_char[text.size()] = text.empty() ? 0 : c + 1;
  }
  auto to_chars = [&](Range r) -> std::pair<uint32_t, uint32_t> {
    if (ascii) return {r.start, r.end};
    return {ws.byte_to_char[r.start], ws.byte_to_char[r.end]};
  };

  Encoding e;
  size_t guess = pre.splits.size() + pre.splits.size() / 2 + 4;
  e.ids.reserve(guess), e.tokens.reserve(guess), e.offsets.reserve(guess), e.word_ids.reserve(guess);
  // Token strings as HF: the vocab entry, or the covered text for added tokens (lstrip/rstrip
  // spaces included) and for the pieces a model shows as they are.
  auto push = [&](int32_t id, uint32_t b, uint32_t end, int32_t word, bool as_text) {
    e.ids.push_back(id);
    const std::string* t = as_text ? nullptr : impl.model->id_to_token(id);
    if (t)
      e.tokens.push_back(*t);
    else
      e.tokens.emplace_back(pre.text, b, end - b);
    e.offsets.push_back(to_chars(pre.original_range(b, end)));
    e.word_ids.push_back(word);
  };
  for (size_t w = 0; w < pre.splits.size(); ++w) {
    const auto& s = pre.splits[w];
    if (s.token_id >= 0) {
      push(s.token_id, s.start, s.end, static_cast<int32_t>(w), true);
      continue;
    }
    ws.tokens.clear();
    impl.model->tokenize(std::string_view(pre.text.data() + s.start, s.end - s.start), ws.tokens);
    for (const auto& t : ws.tokens)
      push(t.id, s.start + t.start, s.start + t.end, static_cast<int32_t>(w), impl.model->shows_piece(t.id));
  }
  size_t n = e.ids.size();
  e.type_ids.assign(n, sequence_id);  // HF encodes the pair with type id 1
  e.sequence_ids.assign(n, sequence_id);
  e.special_tokens_mask.assign(n, 0);
  e.attention_mask.assign(n, 1);
  return e;
}

}  // namespace tokenizers

Tokenizer::Tokenizer() = default;
Tokenizer::~Tokenizer() = default;
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::Tokenizer(const Tokenizer&) = default;
Tokenizer& Tokenizer::operator=(const Tokenizer&) = default;

Tokenizer Tokenizer::from_json_string(const std::string& json, const std::string& origin) {
  auto parsed = tokenizers::parse_tokenizer_json(json, origin);
  Tokenizer t;
  auto impl = tokenizers::build_impl(std::move(parsed.json), origin, std::move(parsed.vocab));
  hub::Sha256 identity;
  identity.update(detail::concat("tokenizer.json:", json.size(), ":"));
  identity.update(json);
  impl->fingerprint = identity.hex_digest();
  t.impl_ = std::move(impl);
  return t;
}

const std::string& Tokenizer::fingerprint() const {
  AFINAR_CHECK(impl_ != nullptr, "this Tokenizer is empty; HINT: build it with Tokenizer::from_file or AutoTokenizer");
  return impl_->fingerprint;
}

Tokenizer Tokenizer::from_file(const std::filesystem::path& tokenizer_json) {
  return from_json_string(read_file(tokenizer_json), tokenizer_json.string());
}

namespace {
const Tokenizer::Impl& need(const std::shared_ptr<const Tokenizer::Impl>& p) {
  AFINAR_CHECK(p != nullptr, "this Tokenizer is empty; HINT: build it with Tokenizer::from_file or AutoTokenizer");
  return *p;
}
}  // namespace

Encoding Tokenizer::encode_pair(std::string_view text, std::string_view pair, const EncodeOptions& opt) const {
  return encode_impl(text, &pair, opt, true);
}

Encoding Tokenizer::encode(std::string_view text, const EncodeOptions& opt) const {
  return encode_impl(text, nullptr, opt, true);
}

Encoding Tokenizer::encode_impl(std::string_view text, const std::string_view* pair, const EncodeOptions& opt,
                                bool pad) const {
  const Impl& impl = need(impl_);
  Encoding a = tokenizers::encode_sequence(impl, text, 0);
  std::optional<Encoding> b;
  if (pair) b = tokenizers::encode_sequence(impl, *pair, 1);
  return finish(std::move(a), std::move(b), opt, pad);
}

Encoding Tokenizer::finish(Encoding a, std::optional<Encoding> b, const EncodeOptions& opt, bool pad) const {
  const Impl& impl = need(impl_);
  if (opt.truncation) {
    size_t max_len = opt.max_length.value_or(impl.model_max_length);
    size_t added = opt.add_special_tokens && impl.post_processor ? impl.post_processor->added_tokens(b.has_value()) : 0;
    AFINAR_CHECK(max_len >= added, "max_length ", max_len, " leaves no room for the ", added, " special tokens");
    tokenizers::truncate_encodings(a, b, max_len - added, opt.truncation_strategy,
                                   opt.truncation_side.value_or(impl.truncation_side), opt.stride);
  }
  Encoding out = tokenizers::post_process(impl, std::move(a), std::move(b), opt.add_special_tokens);
  if (pad) {
    if (auto target = tokenizers::pad_target(impl, opt, out.size())) pad_to(out, *target, opt);
  }
  return out;
}

Encoding Tokenizer::encode_pretokenized(const std::vector<std::string>& words, const EncodeOptions& opt) const {
  const Impl& impl = need(impl_);
  // tokenizers' encode_single_sequence for InputSequence::PreTokenized: one sub-encoding per word
  // (its offsets relative to the word), merged without growing offsets.
  Encoding merged;
  for (size_t w = 0; w < words.size(); ++w) {
    Encoding e = tokenizers::encode_sequence(impl, words[w], 0);
    std::fill(e.word_ids.begin(), e.word_ids.end(), static_cast<int32_t>(w));
    auto append = [](auto& to, auto& from) { to.insert(to.end(), from.begin(), from.end()); };
    append(merged.ids, e.ids), append(merged.type_ids, e.type_ids), append(merged.offsets, e.offsets);
    append(merged.word_ids, e.word_ids), append(merged.sequence_ids, e.sequence_ids);
    append(merged.special_tokens_mask, e.special_tokens_mask), append(merged.attention_mask, e.attention_mask);
    merged.tokens.insert(merged.tokens.end(), std::make_move_iterator(e.tokens.begin()),
                         std::make_move_iterator(e.tokens.end()));
  }
  return finish(std::move(merged), std::nullopt, opt, true);
}

void Tokenizer::pad_to(Encoding& e, size_t target, const EncodeOptions& opt) const {
  const Impl& impl = need(impl_);
  // The overflowing windows are padded too (HF's Encoding::pad), also when the first is full.
  auto shorter = [target](const Encoding& x, const auto& self) -> bool {
    return x.size() < target ||
           std::any_of(x.overflowing.begin(), x.overflowing.end(), [&](const Encoding& o) { return self(o, self); });
  };
  if (!shorter(e, shorter)) return;
  auto id = pad_token_id();
  AFINAR_CHECK(id.has_value(),
               "padding needs a pad token, and this tokenizer has none; HINT: set pad_token in "
               "tokenizer_config.json");
  tokenizers::pad_encoding(e, target, *id, pad_token(), opt.padding_side.value_or(impl.padding_side));
}

template <typename EncodeOne>
std::vector<Encoding> Tokenizer::batch_impl(size_t n, const EncodeOptions& opt, size_t num_threads,
                                            EncodeOne encode_one) const {
  need(impl_);
  std::vector<Encoding> out(n);
  if (num_threads == 0) num_threads = std::max(1u, std::thread::hardware_concurrency());
  num_threads = std::min(num_threads, (n + 63) / 64);
  std::atomic<size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mu;
  const bool pad_each = opt.padding != "longest";
  auto work = [&] {
    try {
      for (size_t begin; (begin = next.fetch_add(64)) < n;)
        for (size_t i = begin; i < std::min(begin + 64, n); ++i) out[i] = encode_one(i, pad_each);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mu);
      if (!error) error = std::current_exception();
      next = n;
    }
  };
  tokenizers::WorkerPool::instance().run(num_threads, work);
  if (error) std::rethrow_exception(error);
  if (!pad_each) {  // the batch's longest sets the length
    size_t longest = 0;
    for (const auto& e : out) longest = std::max(longest, e.size());
    if (auto target = tokenizers::pad_target(*impl_, opt, longest))
      for (auto& e : out) pad_to(e, *target, opt);
  }
  return out;
}

std::vector<Encoding> Tokenizer::encode_batch(const std::vector<std::string>& texts, const EncodeOptions& opt,
                                              size_t num_threads) const {
  return batch_impl(texts.size(), opt, num_threads,
                    [&](size_t i, bool pad) { return encode_impl(texts[i], nullptr, opt, pad); });
}

std::vector<Encoding> Tokenizer::encode_pretokenized_batch(const std::vector<std::vector<std::string>>& batch,
                                                           const EncodeOptions& opt, size_t num_threads) const {
  // padding "longest" pads a lone encoding to its own length (a no-op); batch_impl pads after.
  return batch_impl(batch.size(), opt, num_threads, [&](size_t i, bool) { return encode_pretokenized(batch[i], opt); });
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids, bool skip_special_tokens,
                              bool clean_up_tokenization_spaces) const {
  std::string s = decode(ids, skip_special_tokens);
  if (!clean_up_tokenization_spaces) return s;
  // transformers' clean_up_tokenization.
  static constexpr std::pair<std::string_view, std::string_view> kRules[] = {
      {" .", "."},     {" ?", "?"},   {" !", "!"},   {" ,", ","},     {" ' ", "'"},
      {" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
  for (const auto& [from, to] : kRules)
    for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
      s.replace(pos, from.size(), to);
  return s;
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids, bool skip_special_tokens) const {
  const Impl& impl = need(impl_);
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (int32_t id : ids) {
    if (skip_special_tokens && impl.added.is_special(id)) continue;
    if (auto t = id_to_token(id)) tokens.push_back(std::move(*t));
  }
  if (impl.decoder) return impl.decoder->decode(tokens);
  std::string s;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i) s.push_back(' ');
    s.append(tokens[i]);
  }
  return s;
}

std::optional<int32_t> Tokenizer::token_to_id(std::string_view token) const {
  const Impl& impl = need(impl_);
  if (auto id = impl.added.token_to_id(token)) return id;
  return impl.model->token_to_id(token);
}

std::optional<std::string> Tokenizer::id_to_token(int32_t id) const {
  const Impl& impl = need(impl_);
  if (const std::string* t = impl.added.id_to_token(id)) return *t;
  if (const std::string* t = impl.model->id_to_token(id)) return *t;
  return std::nullopt;
}

size_t Tokenizer::vocab_size() const {
  const Impl& impl = need(impl_);
  size_t n = impl.model->vocab_size();
  for (const auto& t : impl.added.tokens())
    if (!impl.model->token_to_id(t.content)) ++n;
  return n;
}

std::vector<int32_t> Tokenizer::all_special_ids() const {
  const Impl& impl = need(impl_);
  std::vector<int32_t> ids;
  for (const auto& t : impl.added.tokens())
    if (t.special) ids.push_back(t.id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::optional<int32_t> Tokenizer::pad_token_id() const {
  const Impl& impl = need(impl_);
  if (!impl.pad_token) return std::nullopt;
  return token_to_id(*impl.pad_token);
}

std::string Tokenizer::pad_token() const {
  return need(impl_).pad_token.value_or("");
}
size_t Tokenizer::model_max_length() const {
  return need(impl_).model_max_length;
}
bool Tokenizer::uses_token_type_ids() const {
  const Impl& impl = need(impl_);
  return impl.post_processor && impl.post_processor->uses_type_ids();
}

EncodeOptions Tokenizer::file_defaults() const {
  const Impl& impl = need(impl_);
  EncodeOptions o;
  const auto& j = impl.json;
  if (j.contains("truncation") && j["truncation"].is_object()) {
    const auto& t = j["truncation"];
    o.truncation = true;
    o.max_length = t.value("max_length", size_t{0});
    std::string s = t.value("strategy", "LongestFirst");
    o.truncation_strategy = s == "OnlyFirst" ? "only_first" : s == "OnlySecond" ? "only_second" : "longest_first";
    o.stride = t.value("stride", size_t{0});
  }
  if (j.contains("padding") && j["padding"].is_object()) {
    const auto& p = j["padding"];
    const auto& s = p["strategy"];
    if (s.is_object() && s.contains("Fixed")) {
      o.padding = "max_length";
      o.max_length = s["Fixed"].get<size_t>();
    } else {
      o.padding = "longest";
    }
    if (p.contains("pad_to_multiple_of") && !p["pad_to_multiple_of"].is_null())
      o.pad_to_multiple_of = p["pad_to_multiple_of"].get<size_t>();
    o.padding_side = impl.padding_side;
  }
  return o;
}

}  // namespace afinar
