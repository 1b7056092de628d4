#include "afinar/tokenizers/models/bpe.h"

#include <algorithm>
#include <cstdio>
#include <queue>

#include "afinar/core/check.h"
#include "afinar/tokenizers/unicode.h"
#include "word_cache.h"

namespace afinar::tokenizers {


BPE::BPE(Vocab vocab, const std::vector<std::pair<std::string, std::string>>& merges, BPEOptions o)
    : vocab_(std::move(vocab)), o_(std::move(o)), cache_key_(WordCache::new_key()) {
  size_t prefix_len = o_.continuing_subword_prefix ? o_.continuing_subword_prefix->size() : 0;
  merges_.reserve(merges.size());
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const auto& [a, b] = merges[rank];
    auto ia = vocab_.find(a), ib = vocab_.find(b);
    AFINAR_CHECK_FORMAT(ia, "BPE merge ", rank, " (\"", a, " ", b, "\"): \"", a, "\" is not in the vocab");
    AFINAR_CHECK_FORMAT(ib, "BPE merge ", rank, " (\"", a, " ", b, "\"): \"", b, "\" is not in the vocab");
    std::string merged = a + b.substr(std::min(prefix_len, b.size()));
    auto im = vocab_.find(merged);
    AFINAR_CHECK_FORMAT(im, "BPE merge ", rank, " (\"", a, " ", b, "\"): the result \"", merged,
                        "\" is not in the vocab");
    uint64_t key = (static_cast<uint64_t>(static_cast<uint32_t>(*ia)) << 32) | static_cast<uint32_t>(*ib);
    merges_.set(key, {static_cast<uint32_t>(rank), *im});  // a later duplicate wins, as HF's map
  }
  if (o_.unk_token) unk_id_ = vocab_.find(*o_.unk_token);
  all_bytes_ = true;
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    auto id = vocab_.find(name);
    byte_ids_[b] = id ? *id : -1;
    all_bytes_ &= id.has_value();
  }
}

void BPE::merge_word(std::string_view w, std::vector<Symbol>& symbols) const {
  thread_local std::string s;
  // A pending unk token: its id and byte length (unk_len 0: none).
  int32_t unk_id = -1;
  uint32_t unk_len = 0;
  // Offsets come from the lengths, accumulated (HF's Word::get_offsets).
  auto add = [&](int32_t id, uint32_t len) {
    auto n = static_cast<int32_t>(symbols.size());
    symbols.push_back(Symbol{id, 0, len, n - 1, n + 1});
  };
  size_t i = 0;
  while (i < w.size()) {
    size_t b = i;
    next_char(w, i);
    auto len = static_cast<uint32_t>(i - b);
    std::string_view piece = w.substr(b, len);
    bool decorate = (b != 0 && o_.continuing_subword_prefix && !o_.continuing_subword_prefix->empty()) ||
                    (i == w.size() && o_.end_of_word_suffix && !o_.end_of_word_suffix->empty());
    if (decorate) {
      s.clear();
      if (b != 0 && o_.continuing_subword_prefix) s += *o_.continuing_subword_prefix;
      s += piece;
      if (i == w.size() && o_.end_of_word_suffix) s += *o_.end_of_word_suffix;
      piece = s;
    }
    if (auto id = vocab_.find(piece)) {
      if (unk_len) add(unk_id, unk_len), unk_len = 0;
      add(*id, len);
      continue;
    }
    if (o_.byte_fallback) {
      bool all = true;
      for (char c : piece) all &= byte_ids_[static_cast<uint8_t>(c)] >= 0;
      if (all) {
        // HF gives each byte token length 1 (a pending unk is not flushed first, as in HF).
        for (char c : piece) add(byte_ids_[static_cast<uint8_t>(c)], 1);
        continue;
      }
    }
    if (o_.unk_token) {
      AFINAR_CHECK(unk_id_.has_value(), "BPE: unk_token \"", *o_.unk_token, "\" is not in the vocab");
      if (unk_len && o_.fuse_unk) {
        unk_len += len;
      } else {
        if (unk_len) add(unk_id, unk_len);
        unk_id = *unk_id_;
        unk_len = len;
      }
    }
  }
  if (unk_len) add(unk_id, unk_len);
  if (!symbols.empty()) symbols.back().next = -1;
}

void BPE::apply_merges(std::vector<Symbol>& sym) const {
  if (sym.size() < 2) return;
  if (sym.size() <= 48) {
    // Short words: scan for the lowest-ranked pair (leftmost on ties), as HF's heap would pop.
    for (;;) {
      uint32_t best_rank = UINT32_MAX;
      int32_t best_pos = -1, best_id = -1;
      for (int32_t p = 0; p != -1 && sym[p].next != -1; p = sym[p].next) {
        if (auto m = find_merge(sym[p].id, sym[sym[p].next].id); m && m->first < best_rank) {
          best_rank = m->first;
          best_pos = p;
          best_id = m->second;
        }
      }
      if (best_pos < 0) break;
      Symbol& l = sym[best_pos];
      Symbol& r = sym[l.next];
      l.id = best_id;
      l.len += r.len;
      r.len = 0;
      l.next = r.next;
      if (r.next != -1) sym[r.next].prev = best_pos;
    }
  } else {
    struct Entry {
      uint32_t rank;
      int32_t pos, id;
      bool operator>(const Entry& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
    };
    std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> q;
    for (size_t p = 0; p + 1 < sym.size(); ++p)
      if (auto m = find_merge(sym[p].id, sym[p + 1].id)) q.push({m->first, static_cast<int32_t>(p), m->second});
    while (!q.empty()) {
      Entry top = q.top();
      q.pop();
      Symbol& l = sym[top.pos];
      if (l.len == 0 || l.next == -1) continue;
      Symbol& r = sym[l.next];
      auto m = find_merge(l.id, r.id);
      if (!m || m->second != top.id) continue;
      l.id = top.id;
      l.len += r.len;
      r.len = 0;
      l.next = r.next;
      if (r.next != -1) sym[r.next].prev = top.pos;
      if (l.prev != -1)
        if (auto pm = find_merge(sym[l.prev].id, l.id)) q.push({pm->first, l.prev, pm->second});
      if (l.next != -1)
        if (auto nm = find_merge(l.id, sym[l.next].id)) q.push({nm->first, top.pos, nm->second});
    }
  }
}

void BPE::tokenize(std::string_view word, std::vector<Token>& out) const {
  if (word.empty()) return;
  if (o_.ignore_merges) {
    if (auto id = vocab_.find(word)) {
      out.push_back(Token{*id, 0, static_cast<uint32_t>(word.size())});
      return;
    }
  }
  WordCache& cache = WordCache::for_model(cache_key_);
  if (auto [b, e] = cache.find(word); b) {
    out.insert(out.end(), b, e);
    return;
  }
  thread_local std::vector<Symbol> symbols;
  symbols.clear();
  merge_word(word, symbols);
  apply_merges(symbols);
  size_t first = out.size();
  auto size = static_cast<uint32_t>(word.size());
  uint32_t pos = 0;
  for (int32_t p = symbols.empty() ? -1 : 0; p != -1; p = symbols[p].next) {
    uint32_t end = pos + symbols[p].len;
    out.push_back(Token{symbols[p].id, std::min(pos, size), std::min(end, size)});
    pos = end;
  }
  cache.put(word, out.data() + first, out.data() + out.size());
}

}  // namespace afinar::tokenizers
