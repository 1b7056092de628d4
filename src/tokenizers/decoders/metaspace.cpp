#include "afinar/tokenizers/decoders/decoders.h"
#include "afinar/tokenizers/unicode.h"

namespace afinar::tokenizers {

std::vector<std::string> MetaspaceDecoder::decode_chain(std::vector<std::string> tokens) const {
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string& t = tokens[i];
    std::string out;
    out.reserve(t.size());
    for (size_t k = 0; k < t.size();) {
      size_t b = k;
      char32_t c = next_char(t, k);
      if (c != replacement_) {
        out.append(t, b, k - b);
      } else if (!(i == 0 && prepend_)) {
        out.push_back(' ');
      }
    }
    tokens[i] = std::move(out);
  }
  return tokens;
}

}  // namespace afinar::tokenizers
