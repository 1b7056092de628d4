// libFuzzer target: config.json and generation_config.json readers of every model family.
// The input is parsed as JSON (a parse error is the JSON library's answer, not afinar's) and given
// to each family's from_json. A clean afinar::InvalidArgument / FormatError / NotImplemented is the
// expected answer to bad fields; any other exception (e.g. a nlohmann type_error leaking through),
// a crash or a sanitizer report is a finding. A config that reads must survive its own round trip:
// from_json(to_json(c)) reads and gives the same JSON.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "afinar/core/check.h"
#include "afinar/models/bart/configuration_bart.h"
#include "afinar/models/bert/configuration_bert.h"
#include "afinar/models/distilbert/configuration_distilbert.h"
#include "afinar/models/generation.h"
#include "afinar/models/gpt2/configuration_gpt2.h"
#include "afinar/models/llama/configuration_llama.h"
#include "afinar/models/roberta/configuration_roberta.h"
#include "afinar/models/t5/configuration_t5.h"

namespace {

template <typename Config>
void read_one(const nlohmann::json& j) {
  Config c;
  try {
    c = Config::from_json(j);
  } catch (const afinar::InvalidArgument&) {
    return;
  } catch (const afinar::FormatError&) {
    return;
  } catch (const afinar::NotImplemented&) {
    return;
  }
  const nlohmann::json out = c.to_json();
  if (Config::from_json(out).to_json() != out) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nlohmann::json j = nlohmann::json::parse(std::string_view(reinterpret_cast<const char*>(data), size), nullptr,
                                           /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  read_one<afinar::BertConfig>(j);
  read_one<afinar::RobertaConfig>(j);
  read_one<afinar::DistilBertConfig>(j);
  read_one<afinar::GPT2Config>(j);
  read_one<afinar::LlamaConfig>(j);
  read_one<afinar::T5Config>(j);
  read_one<afinar::BartConfig>(j);
  read_one<afinar::GenerationConfig>(j);
  return 0;
}
