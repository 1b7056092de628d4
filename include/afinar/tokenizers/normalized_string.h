/// The text a tokenizer works on, and where each of its bytes came from.
///
/// As HF tokenizers' NormalizedString: `normalized` is the text after normalizers ran, and
/// `align[i]` is the byte range of the ORIGINAL input that produced normalized byte i. Offsets of
/// tokens are looked up through it, so they always point into the caller's text.
/// PreTokenizedString holds the splits (words) of one input as byte ranges of one shared buffer,
/// so that pre-tokenizing allocates nothing per word.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "afinar/tokenizers/unicode.h"

namespace afinar::tokenizers {

struct Range {
  uint32_t start = 0, end = 0;
};

class NormalizedString {
 public:
  /// Starts as the identity over original[begin, end).
  void reset(std::string_view original, uint32_t begin, uint32_t end);

  const std::string& get() const { return normalized_; }
  const std::vector<Range>& alignments() const { return align_; }
  bool empty() const { return normalized_.empty(); }

  /// Rebuilds the text char by char: `f(c, emit)` calls `emit(c2)` for each code point that
  /// replaces `c` (none removes it). Every emitted code point aligns with `c`'s original bytes,
  /// which is how HF aligns insertions (NFD, lowercase 'İ') and replacements.
  template <typename F>
  void map_chars(F&& f) {
    out_.clear();
    out_align_.clear();
    out_.reserve(normalized_.size() + 8);
    size_t i = 0;
    while (i < normalized_.size()) {
      Range r = align_[i];
      char32_t c = next_char(normalized_, i);
      f(c, [&](char32_t d) { emit(d, r); });
    }
    commit();
  }

  /// HF's NormalizedString::transform over the whole text: `dest` holds (char, change) pairs,
  /// change 0 replaces the next original char, 1 inserts (aligned like the char before), -n
  /// replaces and then removes n more; `initial_offset` chars are removed first.
  void transform(const std::vector<std::pair<char32_t, int>>& dest, size_t initial_offset);

  /// Replaces each byte b of an ASCII text by f(b), also ASCII: one char for one char, so the
  /// alignments stay as they are and nothing is rebuilt (the common case of BERT's normalizer).
  template <typename F>
  void map_ascii_in_place(F&& f) {
    for (char& b : normalized_) b = f(b);
  }

  /// Low-level rebuild, for normalizers that need more than one char of context.
  void begin_rebuild() {
    out_.clear();
    out_align_.clear();
  }
  void emit(char32_t c, Range r) {
    if (c < 0x80) {
      out_.push_back(static_cast<char>(c));
      out_align_.push_back(r);
      return;
    }
    char buf[4];
    uint32_t n = append_utf8(c, buf);
    out_.append(buf, n);
    out_align_.insert(out_align_.end(), n, r);
  }
  void commit() {
    normalized_.swap(out_);
    align_.swap(out_align_);
  }

 private:
  std::string normalized_;
  std::vector<Range> align_;
  std::string out_;  // rebuild buffers, kept to reuse their capacity
  std::vector<Range> out_align_;
};

/// One word: bytes [start, end) of PreTokenizedString::text; `token_id` >= 0 when an added token
/// already decided it (the model then skips it).
struct Split {
  uint32_t start = 0, end = 0;
  int32_t token_id = -1;
};

class PreTokenizedString {
 public:
  void clear() {
    text.clear();
    align.clear();
    splits.clear();
  }
  /// Appends normalized bytes [begin, end) of `s` as one split (nothing when empty).
  void append(const NormalizedString& s, uint32_t begin, uint32_t end, int32_t token_id = -1);
  /// Appends original bytes [begin, end) unchanged (an added token that is not normalized).
  void append_original(std::string_view original, uint32_t begin, uint32_t end, int32_t token_id);

  /// Replaces every undecided split by the sub-splits `f(word, push)` reports; `push(b, e)` takes
  /// byte offsets relative to `word`, empty ranges are dropped.
  template <typename F>
  void split(F&& f) {
    scratch_.clear();
    for (const Split& s : splits) {
      if (s.token_id >= 0) {
        scratch_.push_back(s);
        continue;
      }
      std::string_view word(text.data() + s.start, s.end - s.start);
      f(word, [&](uint32_t b, uint32_t e) {
        if (e > b) scratch_.push_back(Split{s.start + b, s.start + e, -1});
      });
    }
    splits.swap(scratch_);
  }

  /// Output of transform(): code points or bytes, each aligned like one byte of the source word.
  class Writer {
   public:
    /// Appends `c`, aligned with byte `src` of the word being rewritten.
    void emit(char32_t c, uint32_t src) {
      char buf[4];
      uint32_t n = append_utf8(c, buf);
      emit_utf8(std::string_view(buf, n), src);
    }
    void emit_utf8(std::string_view bytes, uint32_t src) {
      text_->append(bytes);
      align_->insert(align_->end(), bytes.size(), (*from_)[base_ + src]);
    }
    /// Appends word bytes [b, e) unchanged, with their own alignments.
    void copy(uint32_t b, uint32_t e) {
      text_->append(*from_text_, base_ + b, e - b);
      align_->insert(align_->end(), from_->begin() + base_ + b, from_->begin() + base_ + e);
    }

    /// Original byte range that byte `k` of the word comes from.
    Range source(uint32_t k) const { return (*from_)[base_ + k]; }

   private:
    friend class PreTokenizedString;
    std::string* text_;
    std::vector<Range>* align_;
    const std::string* from_text_;
    const std::vector<Range>* from_;
    uint32_t base_ = 0;
  };

  /// Rewrites the text of every undecided split: `f(word, writer)` writes its replacement (HF's
  /// PreTokenizedString::normalize). A split that becomes empty is dropped.
  template <typename F>
  void transform(F&& f) {
    new_text_.clear();
    new_align_.clear();
    scratch_.clear();
    Writer w;
    w.text_ = &new_text_;
    w.align_ = &new_align_;
    w.from_text_ = &text;
    w.from_ = &align;
    for (const Split& s : splits) {
      auto start = static_cast<uint32_t>(new_text_.size());
      w.base_ = s.start;
      if (s.token_id >= 0) {
        w.copy(0, s.end - s.start);
      } else {
        f(std::string_view(text.data() + s.start, s.end - s.start), w);
      }
      auto end = static_cast<uint32_t>(new_text_.size());
      if (end > start || s.token_id >= 0) scratch_.push_back(Split{start, end, s.token_id});
    }
    text.swap(new_text_);
    align.swap(new_align_);
    splits.swap(scratch_);
  }

  /// Original byte range of text bytes [begin, end).
  Range original_range(uint32_t begin, uint32_t end) const {
    if (begin >= end) return Range{align[begin].start, align[begin].start};
    return Range{align[begin].start, align[end - 1].end};
  }

  std::string text;
  std::vector<Range> align;
  std::vector<Split> splits;

 private:
  std::vector<Split> scratch_;
  std::string new_text_;
  std::vector<Range> new_align_;
};

}  // namespace afinar::tokenizers
