#include "afinar/tokenizers/models/wordpiece.h"

#include <algorithm>
#include <fstream>

#include "afinar/core/check.h"
#include "afinar/tokenizers/unicode.h"
#include "word_cache.h"

namespace afinar::tokenizers {

void Vocab::add(std::string token, int32_t id) {
  AFINAR_CHECK_FORMAT(id >= 0, "negative id ", id, " for token \"", token, "\"");
  if (static_cast<size_t>(id) >= by_id_.size()) {
    by_id_.resize(id + 1);
    has_.resize(id + 1);
  }
  has_[id] = true;
  max_bytes_ = std::max(max_bytes_, token.size());
  if ((count_ + 1) * 2 > slots_.size()) grow();
  const uint64_t h = hash(token);
  const auto tag = static_cast<uint32_t>(h >> 32);
  for (size_t i = h & mask_;; i = (i + 1) & mask_) {
    Slot& s = slots_[i];
    if (s.key < 0) {
      s.hash = tag, s.id = id, s.key = static_cast<int32_t>(count_++), s.len = static_cast<uint32_t>(token.size());
      if (token.size() <= kInline) {
        std::memcpy(s.k.bytes, token.data(), token.size());
      } else {
        s.k.offset = long_keys_.size();
        long_keys_ += token;
      }
      by_id_[id] = std::move(token);
      return;
    }
    if (s.hash == tag && s.len == token.size() && key_equals(s, token)) {
      s.id = id;
      by_id_[id] = std::move(token);
      return;
    }
  }
}

void Vocab::reserve(size_t n) {
  by_id_.reserve(n);
  has_.reserve(n);
  if ((n + 1) * 2 > slots_.size()) grow((n + 1) * 2);
}

void Vocab::grow(size_t min_slots) {
  std::vector<Slot> old;
  old.swap(slots_);
  size_t cap = old.empty() ? 64 : old.size() * 2;
  while (cap < min_slots) cap *= 2;
  slots_.assign(cap, Slot{});
  mask_ = cap - 1;
  for (const Slot& o : old) {
    if (o.key < 0) continue;
    size_t i = hash(key_of(o)) & mask_;
    while (slots_[i].key >= 0) i = (i + 1) & mask_;
    slots_[i] = o;
  }
}

WordPiece::WordPiece(Vocab vocab, WordPieceOptions o)
    : vocab_(std::move(vocab)), o_(std::move(o)), cache_key_(WordCache::new_key()) {
  auto unk = vocab_.find(o_.unk_token);
  AFINAR_CHECK_FORMAT(unk.has_value(), "WordPiece: unk_token \"", o_.unk_token, "\" is not in the vocabulary");
  unk_id_ = *unk;
}

void WordPiece::tokenize(std::string_view word, std::vector<Token>& out) const {
  auto whole = Token{unk_id_, 0, static_cast<uint32_t>(word.size())};
  size_t nchars = 0;
  for (char ch : word) nchars += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
  if (nchars > o_.max_input_chars_per_word) {
    out.push_back(whole);
    return;
  }
  // A word in the vocabulary is one lookup. A word that splits costs up to one lookup per
  // (start, end) candidate, so its pieces are kept in this thread's word cache (words repeat).
  if (word.size() <= vocab_.max_token_bytes()) {
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
  const size_t first = out.size();
  // "##" + candidate is built in one reused buffer; candidates longer than the longest vocab
  // entry cannot match, so the scan starts there.
  thread_local std::string buf;
  const std::string& prefix = o_.continuing_subword_prefix;
  size_t start = 0;
  while (start < word.size()) {
    size_t end = word.size();
    size_t limit = vocab_.max_token_bytes();
    size_t head = start > 0 ? prefix.size() : 0;
    if (limit >= head && end - start > limit - head) {
      end = start + (limit - head);
      while (end > start && (static_cast<unsigned char>(word[end]) & 0xC0) == 0x80) --end;
    }
    std::optional<int32_t> found;
    while (end > start) {
      std::string_view cand = word.substr(start, end - start);
      if (start > 0) {
        buf.assign(prefix);
        buf.append(cand);
        found = vocab_.find(buf);
      } else {
        found = vocab_.find(cand);
      }
      if (found) break;
      do --end;
      while (end > start && (static_cast<unsigned char>(word[end]) & 0xC0) == 0x80);
    }
    if (!found) {  // no cover: the whole word is unknown
      out.resize(first);
      out.push_back(whole);
      cache.put(word, &out.back(), &out.back() + 1);
      return;
    }
    out.push_back(Token{*found, static_cast<uint32_t>(start), static_cast<uint32_t>(end)});
    start = end;
  }
  cache.put(word, out.data() + first, out.data() + out.size());
}

Vocab read_vocab_txt(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  AFINAR_CHECK_FORMAT(in.good(), path, ": cannot open the vocabulary file");
  Vocab v;
  std::string line;
  int32_t id = 0;
  while (std::getline(in, line)) v.add(line, id++);  // transformers strips only "\n"
  AFINAR_CHECK_FORMAT(id > 0, path, ": empty vocabulary");
  return v;
}

}  // namespace afinar::tokenizers
