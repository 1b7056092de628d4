#include <algorithm>

#include "tokenizer_impl.h"

namespace afinar::tokenizers {

namespace {

template <typename V>
V slice(const V& v, size_t b, size_t e) {
  return V(v.begin() + static_cast<std::ptrdiff_t>(b), v.begin() + static_cast<std::ptrdiff_t>(e));
}

Encoding slice_encoding(const Encoding& e, size_t b, size_t end) {
  Encoding o;
  o.ids = slice(e.ids, b, end), o.type_ids = slice(e.type_ids, b, end), o.tokens = slice(e.tokens, b, end);
  o.offsets = slice(e.offsets, b, end), o.word_ids = slice(e.word_ids, b, end);
  o.sequence_ids = slice(e.sequence_ids, b, end), o.special_tokens_mask = slice(e.special_tokens_mask, b, end);
  o.attention_mask = slice(e.attention_mask, b, end);
  return o;
}

// HF's Encoding::truncate: keeps `n` tokens; the rest goes to `overflowing` in windows of `n`
// that overlap by `stride`.
void truncate_one(Encoding& e, size_t n, size_t stride, const std::string& side) {
  size_t len = e.size();
  if (n >= len) return;
  if (n == 0) {
    Encoding whole = std::move(e);
    e = Encoding{};
    e.overflowing.push_back(std::move(whole));
    return;
  }
  AFINAR_CHECK(stride < n, "stride ", stride, " must be strictly less than the ", n,
               " tokens a sequence may keep (max_length less the special tokens)");
  size_t step = n - stride;
  std::vector<std::pair<size_t, size_t>> parts;
  if (side == "left") {
    for (size_t x = len; x-- > 0;) {
      if ((len - 1 - x) % step != 0) continue;
      size_t stop = x + 1, start = stop > n ? stop - n : 0;
      parts.emplace_back(start, stop);
      if (start == 0) break;
    }
  } else {
    for (size_t start = 0; start < len; start += step) {
      size_t stop = std::min(start + n, len);
      parts.emplace_back(start, stop);
      if (stop == len) break;
    }
  }
  Encoding main = slice_encoding(e, parts[0].first, parts[0].second);
  for (size_t i = 1; i < parts.size(); ++i) main.overflowing.push_back(slice_encoding(e, parts[i].first, parts[i].second));
  e = std::move(main);
}

}  // namespace

void truncate_encodings(Encoding& a, std::optional<Encoding>& b, size_t max_len, const std::string& strategy,
                        const std::string& side, size_t stride) {
  if (max_len == 0) {
    truncate_one(a, 0, stride, side);
    if (b) truncate_one(*b, 0, stride, side);
    return;
  }
  size_t total = a.size() + (b ? b->size() : 0);
  if (total <= max_len) return;
  size_t to_remove = total - max_len;
  if (strategy == "longest_first") {
    if (!b) return truncate_one(a, max_len, stride, side);
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
    truncate_one(a, n1, stride, side);
    truncate_one(*b, n2, stride, side);
    return;
  }
  AFINAR_CHECK(strategy == "only_first" || strategy == "only_second",
               "truncation strategy must be longest_first, only_first or only_second, got \"", strategy, "\"");
  AFINAR_CHECK(strategy == "only_first" || b, "truncation only_second needs a text pair");
  Encoding& target = strategy == "only_first" ? a : *b;
  AFINAR_CHECK(target.size() > to_remove, "truncation ", strategy, ": the sequence has ", target.size(),
               " tokens, too few to remove the ", to_remove, " needed to reach max_length; HINT: use longest_first");
  truncate_one(target, target.size() - to_remove, stride, side);
}

Encoding post_process(const Tokenizer::Impl& impl, Encoding a, std::optional<Encoding> b, bool add_special_tokens) {
  // One post-processing of encodings without overflow. Overflowing pieces keep the type ids they
  // were encoded with (HF's templates set them on the main sequences only).
  auto process = [&](Encoding x, std::optional<Encoding> y, bool x_over, bool y_over) {
    x.overflowing.clear();
    if (y) y->overflowing.clear();
    Encoding out = impl.post_processor ? impl.post_processor->process(std::move(x), std::move(y), add_special_tokens)
                                       : default_process(std::move(x), std::move(y));
    if (x_over || y_over)
      for (size_t i = 0; i < out.size(); ++i)
        if ((out.sequence_ids[i] == 0 && x_over) || (out.sequence_ids[i] == 1 && y_over))
          out.type_ids[i] = out.sequence_ids[i];
    return out;
  };
  if (a.overflowing.empty() && (!b || b->overflowing.empty())) return process(std::move(a), std::move(b), false, false);
  std::vector<Encoding> a_over = std::move(a.overflowing);
  std::vector<Encoding> b_over;
  if (b) b_over = std::move(b->overflowing);
  Encoding out = process(a, b, false, false);
  // The order and nesting of HF's Encoding::merge_with over the template's pieces.
  if (!b) {
    for (auto& ai : a_over) out.overflowing.push_back(process(std::move(ai), std::nullopt, true, false));
    return out;
  }
  for (const auto& ai : a_over) {
    Encoding with_b = process(ai, b, true, false);
    for (const auto& bj : b_over) with_b.overflowing.push_back(process(ai, bj, true, true));
    out.overflowing.push_back(std::move(with_b));
    for (const auto& bj : b_over) out.overflowing.push_back(process(ai, bj, true, true));
  }
  for (const auto& bj : b_over) {
    Encoding with_a = process(a, bj, false, true);
    for (const auto& ai : a_over) with_a.overflowing.push_back(process(ai, bj, true, true));
    out.overflowing.push_back(std::move(with_a));
  }
  return out;
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
  if (e.size() >= target) {
    for (auto& o : e.overflowing) pad_encoding(o, target, pad_id, pad_token, side);
    return;
  }
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
  for (auto& o : e.overflowing) pad_encoding(o, target, pad_id, pad_token, side);
}

}  // namespace afinar::tokenizers
