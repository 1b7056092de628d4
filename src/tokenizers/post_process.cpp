#include <algorithm>

#include "tokenizer_impl.h"

namespace afinar::tokenizers {

namespace {

void truncate_one(Encoding& e, size_t n, const std::string& side) {
  if (e.size() <= n) return;
  auto cut = [&](auto& v) {
    if (side == "left")
      v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() - n));
    else
      v.resize(n);
  };
  cut(e.ids), cut(e.type_ids), cut(e.tokens), cut(e.offsets), cut(e.word_ids);
  cut(e.sequence_ids), cut(e.special_tokens_mask), cut(e.attention_mask);
}

}  // namespace

void truncate_encodings(Encoding& a, std::optional<Encoding>& b, size_t max_len, const std::string& strategy,
                        const std::string& side) {
  size_t total = a.size() + (b ? b->size() : 0);
  if (total <= max_len) return;
  size_t to_remove = total - max_len;
  if (strategy == "longest_first") {
    if (!b) return truncate_one(a, max_len, side);
    // HF: the shorter sequence keeps up to half (or all it has), the longer one the rest.
    size_t n1 = a.size(), n2 = b->size();
    bool swap = n1 > n2;
    if (swap) std::swap(n1, n2);
    n2 = n1 > max_len ? n1 : std::max(n1, max_len - n1);
    if (n1 + n2 > max_len) {
      n1 = max_len / 2;
      n2 = n1 + max_len % 2;
    }
    if (swap) std::swap(n1, n2);
    truncate_one(a, n1, side);
    truncate_one(*b, n2, side);
    return;
  }
  AFINAR_CHECK(strategy == "only_first" || strategy == "only_second",
               "truncation strategy must be longest_first, only_first or only_second, got \"", strategy, "\"");
  AFINAR_CHECK(strategy == "only_first" || b, "truncation only_second needs a text pair");
  Encoding& target = strategy == "only_first" ? a : *b;
  AFINAR_CHECK(target.size() > to_remove, "truncation ", strategy, ": the sequence has ", target.size(),
               " tokens, too few to remove the ", to_remove, " needed to reach max_length; HINT: use longest_first");
  truncate_one(target, target.size() - to_remove, side);
}

std::optional<size_t> pad_target(const Tokenizer::Impl& impl, const EncodeOptions& opt, size_t longest) {
  size_t target;
  if (opt.padding == "do_not_pad") {
    return std::nullopt;
  } else if (opt.padding == "longest") {
    target = longest;
  } else if (opt.padding == "max_length") {
    target = opt.max_length.value_or(impl.model_max_length);
    if (target == kNoMaxLength) return std::nullopt;  // transformers warns and does not pad
  } else {
    throw InvalidArgument("padding must be do_not_pad, longest or max_length, got \"" + opt.padding + "\"");
  }
  if (opt.pad_to_multiple_of && *opt.pad_to_multiple_of > 0) {
    size_t m = *opt.pad_to_multiple_of;
    target = (target + m - 1) / m * m;
  }
  return target;
}

void pad_encoding(Encoding& e, size_t target, int32_t pad_id, const std::string& pad_token, const std::string& side) {
  if (e.size() >= target) return;
  size_t n = target - e.size();
  bool left = side == "left";
  auto pad = [&](auto& v, auto value) {
    v.insert(left ? v.begin() : v.end(), n, value);
  };
  pad(e.ids, pad_id);
  pad(e.type_ids, int32_t{0});
  pad(e.tokens, pad_token);
  pad(e.offsets, std::pair<uint32_t, uint32_t>{0, 0});
  pad(e.word_ids, int32_t{-1});
  pad(e.sequence_ids, int32_t{-1});
  pad(e.special_tokens_mask, int8_t{1});
  pad(e.attention_mask, int8_t{0});
}

}  // namespace afinar::tokenizers
