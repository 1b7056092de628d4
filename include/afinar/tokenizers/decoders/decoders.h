/// The decoders of tokenizer.json besides WordPiece, each HF's decode_chain:
///   ByteLevel:   ["Hello", "Ġworld"] → ["Hello world"] (GPT-2 chars back to bytes, lossy UTF-8)
///   Metaspace:   ["▁Hey", "▁friend"] → ["Hey", " friend"] (▁ → space; dropped in the first
///                token unless prepend_scheme is never)
///   BPEDecoder:  ["hel", "lo</w>", "you</w>"] → ["hel", "lo ", "you"] (suffix → space, none last)
///   ByteFallback: "<0xE2>", "<0x82>", "<0xAC>" → "€" (invalid byte runs → one "�" per byte)
///   Fuse:        everything → one string
///   Strip{c, start, stop}: up to start/stop copies of c off each token's ends
///   Replace{pattern, content}: in each token
///   CTC:         dedup repeats, drop pad, word delimiter → space (+ WordPiece cleanup)
///   Sequence:    decoders in turn
#pragma once
#include "afinar/tokenizers/decoders/decoder.h"
#include "afinar/tokenizers/normalizers/simple_normalizers.h"

namespace afinar::tokenizers {

class ByteLevelDecoder : public Decoder {
 public:
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;
};

class MetaspaceDecoder : public Decoder {
 public:
  MetaspaceDecoder(char32_t replacement, bool prepend) : replacement_(replacement), prepend_(prepend) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;

 private:
  char32_t replacement_;
  bool prepend_;  ///< prepend_scheme is not never
};

class BPEDecoder : public Decoder {
 public:
  explicit BPEDecoder(std::string suffix) : suffix_(std::move(suffix)) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;

 private:
  std::string suffix_;
};

class ByteFallbackDecoder : public Decoder {
 public:
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;
};

class FuseDecoder : public Decoder {
 public:
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;
};

class StripDecoder : public Decoder {
 public:
  StripDecoder(char32_t content, size_t start, size_t stop) : content_(content), start_(start), stop_(stop) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;

 private:
  char32_t content_;
  size_t start_, stop_;
};

class ReplaceDecoder : public Decoder {
 public:
  ReplaceDecoder(Pattern pattern, std::string content) : pattern_(std::move(pattern)), content_(std::move(content)) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;

 private:
  Pattern pattern_;
  std::string content_;
};

class CTCDecoder : public Decoder {
 public:
  CTCDecoder(std::string pad_token, std::string word_delimiter_token, bool cleanup)
      : pad_(std::move(pad_token)), delimiter_(std::move(word_delimiter_token)), cleanup_(cleanup) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;

 private:
  std::string pad_, delimiter_;
  bool cleanup_;
};

class DecoderSequence : public Decoder {
 public:
  explicit DecoderSequence(std::vector<std::shared_ptr<const Decoder>> parts) : parts_(std::move(parts)) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    for (const auto& p : parts_) tokens = p->decode_chain(std::move(tokens));
    return tokens;
  }

 private:
  std::vector<std::shared_ptr<const Decoder>> parts_;
};

/// Rust's String::from_utf8_lossy: each maximal invalid subpart becomes U+FFFD.
std::string utf8_lossy(std::string_view bytes);

}  // namespace afinar::tokenizers
