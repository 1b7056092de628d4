// Every tokenizer in ../shared/tokenizers against Python `tokenizers` 0.23.3
// (tools/oracle/tokenizers_all_fixtures.py): ids, offsets, word_ids and decoded text on the whole
// acceptance corpus (block digests), in full on sampled texts and on the Unicode stress set.
//
// The default run checks every 8th digest block; AFINAR_TOKENIZERS_FULL=1 checks them all.
#include <cstdlib>

#include "corpus.h"
#include "fixture_util.h"

namespace afinar::test {
namespace {

struct Case {
  const char* key;
  const char* folder;
  bool from_folder;  ///< through AutoTokenizer (vocab.txt only)
};

Tokenizer load(const Case& c) {
  if (c.from_folder) return AutoTokenizer::from_pretrained(tok_dir(c.folder));
  return Tokenizer::from_file(tok_dir(c.folder) + "/tokenizer.json");
}

const std::vector<std::string>& corpus() {
  static const std::vector<std::string> texts = acceptance_corpus();
  return texts;
}

void expect_full(const nlohmann::json& want, const Tokenizer& tok, const Encoding& got, const std::string& what) {
  expect_matches(want, got, what);
  EXPECT_EQ(want["decode_skip"].get<std::string>(), tok.decode(got.ids, true)) << what;
  EXPECT_EQ(want["decode_keep"].get<std::string>(), tok.decode(got.ids, false)) << what;
}

class AllTokenizers : public ::testing::TestWithParam<Case> {};

TEST_P(AllTokenizers, CorpusDigestsMatch) {
  auto fx = load_fixture(std::string("all/") + GetParam().key + ".json");
  const auto& texts = corpus();
  ASSERT_EQ(texts.size(), fx["count"].get<size_t>()) << "the corpus differs from the oracle's";
  auto tok = load(GetParam());
  size_t block = fx["block"].get<size_t>();
  const auto& digests = fx["digests"];
  const char* full_env = std::getenv("AFINAR_TOKENIZERS_FULL");
  size_t every = full_env && std::string(full_env) == "1" ? 1 : 8;
  std::vector<std::string> batch;
  std::vector<size_t> starts;
  for (size_t b = 0; b < digests.size(); b += every) {
    starts.push_back(b * block);
    for (size_t i = b * block; i < std::min(texts.size(), (b + 1) * block); ++i) batch.push_back(texts[i]);
  }
  auto encs = tok.encode_batch(batch, {}, 2);
  size_t at = 0, mismatches = 0, checked = 0;
  for (size_t start : starts) {
    size_t n = std::min(texts.size(), start + block) - start;
    Digest d;
    for (size_t k = 0; k < n; ++k) d.add_encoding(encs[at + k], tok.decode(encs[at + k].ids, true));
    ++checked;
    if (d.hex() != digests[start / block].get<std::string>()) {
      if (++mismatches <= 3) {
        std::string list;
        for (size_t k = 0; k < n; ++k) list += "\n  [" + std::to_string(start + k) + "] " + texts[start + k];
        ADD_FAILURE() << GetParam().key << ": block of texts " << start << ".." << start + n << " differs:" << list;
      }
    }
    at += n;
  }
  EXPECT_EQ(mismatches, 0u) << "of " << checked << " blocks of " << block << " texts";
}

TEST_P(AllTokenizers, SampledTextsAndStressSetMatchInFull) {
  auto fx = load_fixture(std::string("all/") + GetParam().key + ".json");
  const auto& texts = corpus();
  auto tok = load(GetParam());
  for (size_t k = 0; k < fx["full_index"].size(); ++k) {
    size_t i = fx["full_index"][k];
    expect_full(fx["full"][k], tok, tok.encode(texts[i]), "text " + std::to_string(i) + ": " + texts[i]);
  }
  EncodeOptions plain;
  plain.add_special_tokens = false;
  for (size_t k = 0; k < fx["stress"].size(); ++k) {
    std::string text = fx["stress"][k];
    expect_full(fx["stress_full"][k], tok, tok.encode(text), "stress " + std::to_string(k) + ": " + text);
    expect_full(fx["stress_plain"][k], tok, tok.encode(text, plain), "stress (no specials) " + std::to_string(k));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Tokenizers, AllTokenizers,
    ::testing::Values(Case{"bert_base_uncased", "bert-base-uncased", false}, Case{"bert_base_cased", "bert-base-cased", true},
                      Case{"distilbert_base_uncased", "distilbert-base-uncased", false},
                      Case{"minilm", "sentence-transformers__all-MiniLM-L6-v2", false}, Case{"gpt2", "gpt2", false},
                      Case{"roberta_base", "roberta-base", false}, Case{"t5_small", "t5-small", false},
                      Case{"clip", "openai__clip-vit-base-patch32", false}, Case{"phi2", "microsoft__phi-2", false},
                      Case{"phi35", "microsoft__Phi-3.5-mini-instruct", false}, Case{"falcon", "tiiuae__falcon-7b", false}),
    [](const auto& info) { return std::string(info.param.key); });

// Truncation with stride and overflowing tokens, on pairs (and some single texts).
class Overflow : public ::testing::TestWithParam<Case> {};

TEST_P(Overflow, PairsWithStrideMatch) {
  auto fx = load_fixture(std::string("all/pairs_") + GetParam().key + ".json");
  auto tok = load(GetParam());
  size_t mismatches = 0, errors = 0;
  for (size_t k = 0; k < fx["cases"].size(); ++k) {
    const auto& c = fx["cases"][k];
    EncodeOptions o;
    o.truncation = true;
    o.max_length = c["max_length"].get<size_t>();
    o.stride = c["stride"].get<size_t>();
    o.truncation_strategy = c["strategy"].get<std::string>();
    o.truncation_side = c["direction"].get<std::string>();
    std::string a = c["a"];
    auto run = [&] {
      if (c["b"].is_null()) return tok.encode(a, o);
      std::string b = c["b"];
      return tok.encode_pair(a, b, o);
    };
    if (c.contains("error")) {
      EXPECT_THROW(run(), std::exception) << "case " << k << ": HF refuses with " << c["error"];
      ++errors;
      continue;
    }
    Encoding e = run();
    std::vector<const Encoding*> parts;
    std::function<void(const Encoding&)> flatten = [&](const Encoding& x) {
      parts.push_back(&x);
      for (const auto& o2 : x.overflowing) flatten(o2);
    };
    flatten(e);
    Digest d;
    for (const Encoding* p : parts) {
      d.add_encoding(*p, "");
      for (int32_t t : p->type_ids) {
        auto byte = static_cast<unsigned char>(t);
        d.add(&byte, 1);
      }
    }
    if (c.contains("full")) {
      ASSERT_EQ(c["full"].size(), parts.size()) << "case " << k;
      for (size_t i = 0; i < parts.size(); ++i) expect_matches(c["full"][i], *parts[i], "case " + std::to_string(k));
    }
    if (parts.size() != c["count"].get<size_t>() || d.hex() != c["digest"].get<std::string>()) {
      if (++mismatches <= 5) ADD_FAILURE() << "case " << k << " differs: " << c.dump().substr(0, 300);
    }
  }
  EXPECT_EQ(mismatches, 0u) << "of " << fx["cases"].size() << " cases (" << errors << " refused)";
}

INSTANTIATE_TEST_SUITE_P(Tokenizers, Overflow,
                         ::testing::Values(Case{"minilm", "sentence-transformers__all-MiniLM-L6-v2", false},
                                           Case{"gpt2", "gpt2", false}, Case{"t5_small", "t5-small", false}),
                         [](const auto& info) { return std::string(info.param.key); });

}  // namespace
}  // namespace afinar::test
