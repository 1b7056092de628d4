/// WordPiece decoder: joins tokens with spaces, gluing "##" continuations to the previous token;
/// `cleanup` removes the spaces BERT puts before punctuation and English contractions.
///   ["un", "##aff", "##able", ",", "it", "?"] → "unaffable, it?"
#pragma once
#include "afinar/tokenizers/decoders/decoder.h"

namespace afinar::tokenizers {

class WordPieceDecoder : public Decoder {
 public:
  WordPieceDecoder(std::string prefix, bool cleanup) : prefix_(std::move(prefix)), cleanup_(cleanup) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;

 private:
  std::string prefix_;
  bool cleanup_;
};

/// HF's `cleanup` of WordPiece decoding (" ." → ".", " n't" → "n't", …).
std::string wordpiece_cleanup(std::string s);

}  // namespace afinar::tokenizers
