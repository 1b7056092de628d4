#include "afinar/tokenizers/models/unigram.h"

#include <algorithm>
#include <cstdio>
#include <unordered_map>
#include <limits>

#include "afinar/core/check.h"
#include "afinar/tokenizers/unicode.h"
#include "word_cache.h"

namespace afinar::tokenizers {

Unigram::Unigram(std::vector<std::pair<std::string, double>> pieces, std::optional<int32_t> unk_id,
                 bool byte_fallback)
    : unk_id_(unk_id), byte_fallback_(byte_fallback), cache_key_(WordCache::new_key()) {
  AFINAR_CHECK_FORMAT(!unk_id || (*unk_id >= 0 && static_cast<size_t>(*unk_id) < pieces.size()), "Unigram unk_id ",
                      unk_id.value_or(-1), " is outside the vocab of ", pieces.size(), " pieces");
  double min_score = std::numeric_limits<double>::infinity();
  std::unordered_map<uint64_t, int32_t> edges;  // (node << 8 | byte) → child, while building
  value_.push_back(-1);
  for (int32_t& c : root_children_) c = -1;
  for (size_t id = 0; id < pieces.size(); ++id) {
    auto& [token, score] = pieces[id];
    min_score = std::min(min_score, score);
    scores_.push_back(score);
    int32_t node = 0;
    for (char ch : token) {
      auto b = static_cast<uint8_t>(ch);
      int32_t next = -1;
      if (node == 0) {
        next = root_children_[b];
      } else if (auto it = edges.find((static_cast<uint64_t>(node) << 8) | b); it != edges.end()) {
        next = it->second;
      }
      if (next < 0) {
        next = static_cast<int32_t>(value_.size());
        value_.push_back(-1);
        if (node == 0)
          root_children_[b] = next;
        else
          edges[(static_cast<uint64_t>(node) << 8) | b] = next;
      }
      node = next;
    }
    if (node != 0 && value_[node] < 0) value_[node] = static_cast<int32_t>(id);
    vocab_.add(std::move(token), static_cast<int32_t>(id));
  }
  unk_score_ = min_score - 10.0;
  std::vector<std::pair<uint64_t, int32_t>> sorted(edges.begin(), edges.end());
  std::sort(sorted.begin(), sorted.end());
  first_.assign(value_.size() + 1, 0);
  for (const auto& [key, c] : sorted) ++first_[(key >> 8) + 1];
  for (size_t n = 1; n < first_.size(); ++n) first_[n] += first_[n - 1];
  for (const auto& [key, c] : sorted) {
    labels_.push_back(static_cast<uint8_t>(key & 0xFF));
    children_.push_back(c);
  }
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    auto id = vocab_.find(name);
    byte_ids_[b] = id ? *id : -1;
  }
}

void Unigram::tokenize(std::string_view word, std::vector<Token>& out) const {
  if (word.empty()) return;
  WordCache& cache = WordCache::for_model(cache_key_);
  if (auto [b, e] = cache.find(word); b) {
    out.insert(out.end(), b, e);
    return;
  }
  size_t first = out.size();
  segment(word, out);
  cache.put(word, out.data() + first, out.data() + out.size());
}

void Unigram::segment(std::string_view s, std::vector<Token>& out) const {
  struct Node {
    double score;
    int32_t starts_at;  // -1: unreached
    int32_t id;
  };
  thread_local std::vector<Node> best;
  size_t n = s.size();
  best.assign(n + 1, Node{0.0, -1, -1});
  // best[0] is reached with score 0 (HF's default node), its starts_at is never read.
  size_t at = 0;
  while (at < n) {
    double base = best[at].score;
    size_t k = at;
    next_char(s, k);
    size_t mblen = k - at;
    bool single = false;
    int32_t node = 0;
    for (size_t p = at; p < n; ++p) {
      auto b = static_cast<uint8_t>(s[p]);
      node = node == 0 ? root_children_[b] : child(node, b);
      if (node < 0) break;
      int32_t id = value_[node];
      if (id < 0) continue;
      size_t end = p + 1;
      double cand = base + scores_[id];
      Node& t = best[end];
      if (t.starts_at < 0 || cand > t.score) t = Node{cand, static_cast<int32_t>(at), id};
      if (end - at == mblen) single = true;
    }
    if (!single) {
      AFINAR_CHECK(unk_id_.has_value(), "Unigram: no piece covers \"", s.substr(at, mblen), "\" and the model has no unk_id");
      Node& t = best[at + mblen];
      double cand = base + unk_score_;
      if (t.starts_at < 0 || cand > t.score) t = Node{cand, static_cast<int32_t>(at), *unk_id_};
    }
    at += mblen;
  }
  // Walk back; consecutive unknowns fuse into one piece.
  thread_local std::vector<std::pair<uint32_t, uint32_t>> pieces;  // byte ranges, reversed
  pieces.clear();
  size_t end = n;
  int32_t unk_end = -1;
  while (end > 0) {
    const Node& node = best[end];
    auto start = static_cast<size_t>(node.starts_at);
    if (unk_id_ && node.id == *unk_id_) {
      if (unk_end < 0) unk_end = static_cast<int32_t>(end);
    } else {
      if (unk_end >= 0) pieces.emplace_back(static_cast<uint32_t>(end), static_cast<uint32_t>(unk_end));
      unk_end = -1;
      pieces.emplace_back(static_cast<uint32_t>(start), static_cast<uint32_t>(end));
    }
    end = start;
  }
  if (unk_end >= 0) pieces.emplace_back(0u, static_cast<uint32_t>(unk_end));
  for (auto it = pieces.rbegin(); it != pieces.rend(); ++it) {
    auto [b, e] = *it;
    std::string_view piece = s.substr(b, e - b);
    if (auto id = vocab_.find(piece)) {
      out.push_back(Token{*id, b, e});
      continue;
    }
    if (byte_fallback_) {
      bool all = true;
      for (char c : piece) all &= byte_ids_[static_cast<uint8_t>(c)] >= 0;
      if (all) {
        for (char c : piece) out.push_back(Token{byte_ids_[static_cast<uint8_t>(c)], b, e});
        continue;
      }
    }
    AFINAR_CHECK(unk_id_.has_value(), "Unigram: \"", piece, "\" is not in the vocab and the model has no unk_id");
    out.push_back(Token{*unk_id_, b, e});
  }
}

}  // namespace afinar::tokenizers
