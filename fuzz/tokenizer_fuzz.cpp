// libFuzzer target: tokenizer.json (parse_tokenizer_json's SAX reading of model.vocab, every
// normalizer / pre-tokenizer / model / post-processor / decoder builder), then a few encodes and
// a decode with whatever loaded. A clean afinar::InvalidArgument / FormatError / NotImplemented
// is the expected answer to bad input; anything else escaping, a crash or a sanitizer report is
// a finding.
#include <cstdint>
#include <string>
#include <string_view>

#include "afinar/core/check.h"
#include "afinar/tokenizers/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  afinar::Tokenizer tok;
  try {
    tok = afinar::Tokenizer::from_json_string(text, "fuzz.json");
  } catch (const afinar::InvalidArgument&) {
    return 0;
  } catch (const afinar::FormatError&) {
    return 0;
  } catch (const afinar::NotImplemented&) {
    return 0;
  }
  for (std::string_view s : {"Hello, world! The rock is destined.", "héllo wörld 你好 ", "", "a  b\tc\n"}) {
    try {
      afinar::EncodeOptions o;
      o.truncation = true;
      o.max_length = 16;
      const auto e = tok.encode(s, o);
      (void)tok.decode(e.ids, true);
    } catch (const afinar::InvalidArgument&) {
    } catch (const afinar::FormatError&) {
    } catch (const afinar::NotImplemented&) {
    }
  }
  return 0;
}
