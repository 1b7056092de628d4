// `afinar predict --task …` end to end: each head's .npy against a direct forward of the same
// model, one example at a time (no padding), with HF Trainer.predict's layout: [N, T, …] where T is
// the longest batch and positions past a batch's own length hold -100. Heads on the real MiniLM
// checkpoint (token classification on CoNLL-2003, QA, fill-mask; random heads, seeded), causal LM
// and translation on tiny random GPT-2 / T5 with the real gpt2 / t5-small tokenizers.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "afinar/core/fs.h"
#include "afinar/hub/cache.h"
#include "afinar/io/npy.h"
#include "afinar/models/gpt2/modeling_gpt2.h"
#include "afinar/models/llama/modeling_llama.h"
#include "afinar/models/modeling.h"
#include "afinar/tokenizers/tokenizer.h"
#include "afinar_test_paths.h"
#include "cli/cli_test_util.h"
#include "cli/tiny_t5.h"

namespace fs = std::filesystem;
using afinar_test::run_afinar;
using afinar_test::TempDir;

namespace {

const std::string kShared = AFINAR_SHARED_DIR;

std::optional<fs::path> minilm() {
  auto snap = afinar::hub::cached_snapshot("sentence-transformers/all-MiniLM-L6-v2", afinar::hub::RepoType::Model);
  if (snap && fs::exists(*snap / "model.safetensors")) return snap;
  return std::nullopt;
}

/// MiniLM with a seeded random `Head` saved with its tokenizer into `dir` (a fine-tuned folder).
template <typename Head>
void save_minilm_with_head(const fs::path& snap, const fs::path& dir, const afinar::FromPretrainedOptions& opt = {}) {
  torch::manual_seed(0);
  Head::from_pretrained(snap.string(), opt)->save_pretrained(dir);
  afinar::AutoTokenizer::from_pretrained(snap.string()).save_pretrained(dir);
}

/// The first `n` CoNLL-2003 test sentences as word lists, and as jsonl {tokens, ner_tags} in `out`.
std::vector<std::vector<std::string>> write_conll_jsonl(size_t n, const fs::path& out) {
  std::ifstream in(kShared + "/data/conll2003/test.txt");
  std::ofstream o(out);
  std::vector<std::vector<std::string>> sentences;
  nlohmann::json tokens = nlohmann::json::array(), tags = nlohmann::json::array();
  for (std::string line; std::getline(in, line) && sentences.size() < n;) {
    if (line.empty() || line.rfind("-DOCSTART-", 0) == 0) {
      if (!tokens.empty()) {
        o << nlohmann::json{{"tokens", tokens}, {"ner_tags", tags}}.dump() << "\n";
        sentences.push_back(tokens.get<std::vector<std::string>>());
      }
      tokens = nlohmann::json::array(), tags = nlohmann::json::array();
      continue;
    }
    std::istringstream ss(line);
    std::string w, pos, chunk, ner;
    ss >> w >> pos >> chunk >> ner;
    tokens.push_back(w);
    tags.push_back(ner);
  }
  return sentences;
}

/// Row i of `got` ([N, T, …]) against `want_i` ([len_i, …]) from a direct forward; batches of
/// `bs` rows: positions up to the batch's longest row are model outputs, the rest -100.
void expect_trainer_layout(const torch::Tensor& got, const std::vector<torch::Tensor>& want, size_t bs) {
  ASSERT_EQ(got.size(0), static_cast<int64_t>(want.size()));
  int64_t longest = 0;
  for (const auto& w : want) longest = std::max(longest, w.size(0));
  ASSERT_EQ(got.size(1), longest);
  for (size_t i = 0; i < want.size(); ++i) {
    const int64_t len = want[i].size(0);
    int64_t batch_len = 0;
    for (size_t j = i / bs * bs; j < std::min(want.size(), (i / bs + 1) * bs); ++j)
      batch_len = std::max(batch_len, want[j].size(0));
    EXPECT_TRUE(torch::allclose(got[i].slice(0, 0, len), want[i], 1e-4, 1e-4)) << "row " << i;
    if (batch_len > len) {  // padded inside the batch: the model's outputs there, not -100
      EXPECT_FALSE((got[i].slice(0, len, batch_len) == -100).all().item<bool>()) << "row " << i;
    }
    EXPECT_TRUE((got[i].slice(0, batch_len) == -100).all().item<bool>()) << "row " << i;
  }
}

const std::vector<std::string> kNerLabels = {"O",     "B-PER", "I-PER",  "B-ORG", "I-ORG",
                                             "B-LOC", "I-LOC", "B-MISC", "I-MISC"};

}  // namespace

TEST(PredictCommand, TokenClassificationLogitsPaddedAsTrainerPredict) {
  auto snap = minilm();
  if (!snap) GTEST_SKIP() << "all-MiniLM-L6-v2 not in the HF cache (tools/setup.sh seeds it)";
  TempDir tmp("afinar_predict_ner");
  const fs::path model_dir = tmp.path / "model";
  afinar::FromPretrainedOptions opt;
  opt.id2label = kNerLabels;
  save_minilm_with_head<afinar::AutoModelForTokenClassification>(*snap, model_dir, opt);
  auto sentences = write_conll_jsonl(10, tmp.path / "test.jsonl");
  const fs::path out = tmp.path / "ner.npy";
  auto r = run_afinar("predict --task token-classification --model_name_or_path " + model_dir.string() +
                      " --test_file " + (tmp.path / "test.jsonl").string() + " --output_file " + out.string() +
                      " --per_device_eval_batch_size 4 --use_cpu");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("test_f1"), std::string::npos) << r.output;  // seqeval: the file has ner_tags
  torch::Tensor got = afinar::load_npy(out);                           // (N, T, 9)
  ASSERT_EQ(got.dim(), 3);
  EXPECT_EQ(got.size(2), 9);

  auto model = afinar::AutoModelForTokenClassification::from_pretrained(model_dir.string());
  auto tok = afinar::AutoTokenizer::from_pretrained(model_dir.string());
  afinar::EncodeOptions enc;
  enc.truncation = true;
  enc.max_length = 128;
  std::vector<torch::Tensor> want;
  torch::NoGradGuard no_grad;
  for (const auto& words : sentences) {
    auto e = tok.encode_pretokenized(words, enc);
    afinar::ModelInputs in;
    in.input_ids = torch::tensor(std::vector<int64_t>(e.ids.begin(), e.ids.end())).unsqueeze(0);  // (1, len)
    want.push_back(model->forward(in).logits[0]);                                                 // (len, 9)
  }
  expect_trainer_layout(got, want, 4);
}

TEST(PredictCommand, QuestionAnsweringStartEndLogits) {
  auto snap = minilm();
  if (!snap) GTEST_SKIP() << "all-MiniLM-L6-v2 not in the HF cache (tools/setup.sh seeds it)";
  TempDir tmp("afinar_predict_qa");
  const fs::path model_dir = tmp.path / "model";
  save_minilm_with_head<afinar::AutoModelForQuestionAnswering>(*snap, model_dir);
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"Who wrote it?", "The play was written by William Shakespeare in 1600."},
      {"Where?", "In Paris."},
      {"What colour is the sky on a clear day?", "On a clear day the sky over the sea is blue, and at night black."},
      {"When?", "It happened in 1999, long before anyone here was born."},
      {"Why?", "Because."}};
  {
    std::ofstream f(tmp.path / "qa.jsonl");
    for (const auto& [q, c] : rows) f << nlohmann::json{{"question", q}, {"context", c}}.dump() << "\n";
  }
  auto r = run_afinar("predict --task question-answering --model_name_or_path " + model_dir.string() + " --test_file " +
                      (tmp.path / "qa.jsonl").string() + " --output_file " + (tmp.path / "qa.npy").string() +
                      " --per_device_eval_batch_size 2 --use_cpu");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  torch::Tensor start = afinar::load_npy(tmp.path / "qa_start_logits.npy");  // (N, T)
  torch::Tensor end = afinar::load_npy(tmp.path / "qa_end_logits.npy");

  auto model = afinar::AutoModelForQuestionAnswering::from_pretrained(model_dir.string());
  auto tok = afinar::AutoTokenizer::from_pretrained(model_dir.string());
  std::vector<torch::Tensor> want_start, want_end;
  torch::NoGradGuard no_grad;
  for (const auto& [q, c] : rows) {
    auto e = tok.encode_pair(q, c);
    afinar::ModelInputs in;
    in.input_ids = torch::tensor(std::vector<int64_t>(e.ids.begin(), e.ids.end())).unsqueeze(0);
    in.token_type_ids = torch::tensor(std::vector<int64_t>(e.type_ids.begin(), e.type_ids.end())).unsqueeze(0);
    auto out = model->forward(in);
    want_start.push_back(out.start_logits[0]);  // (len)
    want_end.push_back(out.end_logits[0]);
  }
  expect_trainer_layout(start, want_start, 2);
  expect_trainer_layout(end, want_end, 2);
}

TEST(PredictCommand, FillMaskLogitsAndArgmaxIds) {
  auto snap = minilm();
  if (!snap) GTEST_SKIP() << "all-MiniLM-L6-v2 not in the HF cache (tools/setup.sh seeds it)";
  TempDir tmp("afinar_predict_mlm");
  const fs::path model_dir = tmp.path / "model";
  save_minilm_with_head<afinar::AutoModelForMaskedLM>(*snap, model_dir);
  const std::vector<std::string> texts = {"The capital of France is [MASK].", "Hello [MASK]!",
                                          "A [MASK] sat on the mat in the sun all afternoon."};
  {
    std::ofstream f(tmp.path / "mlm.jsonl");
    for (const auto& t : texts) f << nlohmann::json{{"text", t}}.dump() << "\n";
  }
  auto r = run_afinar("predict --task fill-mask --model_name_or_path " + model_dir.string() + " --test_file " +
                      (tmp.path / "mlm.jsonl").string() + " --output_file " + (tmp.path / "mlm.npy").string() +
                      " --per_device_eval_batch_size 2 --use_cpu");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  torch::Tensor logits = afinar::load_npy(tmp.path / "mlm.npy");         // (N, T, 30522)
  torch::Tensor ids = afinar::load_npy(tmp.path / "mlm_token_ids.npy");  // (N, T) int64
  EXPECT_EQ(logits.size(2), 30522);

  auto model = afinar::AutoModelForMaskedLM::from_pretrained(model_dir.string());
  auto tok = afinar::AutoTokenizer::from_pretrained(model_dir.string());
  std::vector<torch::Tensor> want;
  torch::NoGradGuard no_grad;
  for (const auto& t : texts) {
    auto e = tok.encode(t);
    afinar::ModelInputs in;
    in.input_ids = torch::tensor(std::vector<int64_t>(e.ids.begin(), e.ids.end())).unsqueeze(0);
    want.push_back(model->forward(in).logits[0]);  // (len, V)
  }
  expect_trainer_layout(logits, want, 2);
  ASSERT_EQ(ids.sizes(), logits.sizes().slice(0, 2));
  for (size_t i = 0; i < want.size(); ++i) {
    const int64_t len = want[i].size(0);
    EXPECT_TRUE(torch::equal(ids[i].slice(0, 0, len), want[i].argmax(-1))) << i;
    EXPECT_TRUE((ids[i].slice(0, len) == -100).all().item<bool>()) << i;
  }
}

TEST(PredictCommand, TextGenerationLogitsOfATinyGpt2) {
  TempDir tmp("afinar_predict_clm");
  const fs::path model_dir = tmp.path / "tiny-gpt2";
  auto cfg = afinar::GPT2Config::from_json({{"n_embd", 32}, {"n_layer", 2}, {"n_head", 4}, {"n_positions", 128}});
  torch::manual_seed(0);
  afinar::GPT2LMHeadModel m(cfg);
  m->save_pretrained(model_dir);
  for (const char* f : {"tokenizer.json", "tokenizer_config.json"})
    fs::copy_file(kShared + "/tokenizers/gpt2/" + f, model_dir / f);
  const std::vector<std::string> texts = {"To be, or not to be", "Hello", "All the world's a stage, and all"};
  {
    std::ofstream f(tmp.path / "clm.jsonl");
    for (const auto& t : texts) f << nlohmann::json{{"text", t}}.dump() << "\n";
  }
  auto r = run_afinar("predict --task text-generation --model_name_or_path " + model_dir.string() + " --test_file " +
                      (tmp.path / "clm.jsonl").string() + " --output_file " + (tmp.path / "clm.npy").string() +
                      " --per_device_eval_batch_size 2 --use_cpu");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  torch::Tensor logits = afinar::load_npy(tmp.path / "clm.npy");  // (N, T, 50257)
  auto tok = afinar::AutoTokenizer::from_pretrained(model_dir.string());
  std::vector<torch::Tensor> want;
  torch::NoGradGuard no_grad;
  m->eval();
  for (const auto& t : texts) {
    auto e = tok.encode(t);
    afinar::ModelInputs in;
    in.input_ids = torch::tensor(std::vector<int64_t>(e.ids.begin(), e.ids.end())).unsqueeze(0);
    want.push_back(m->forward(in).logits[0]);  // (len, V)
  }
  expect_trainer_layout(logits, want, 2);
}

TEST(PredictCommand, TranslationGeneratesIdsAndTexts) {
  TempDir tmp("afinar_predict_mt");
  const fs::path model_dir = afinar_test::write_tiny_t5(tmp.path / "tiny-t5");
  {
    std::ifstream in(kShared + "/data/multi30k/test.jsonl");
    std::ofstream test(tmp.path / "test.jsonl");
    std::string line;
    for (int i = 0; i < 5 && std::getline(in, line); ++i) test << line << "\n";
  }
  const std::string common = "predict --task translation --model_name_or_path " + model_dir.string() + " --test_file " +
                             (tmp.path / "test.jsonl").string() +
                             " --source_lang en --target_lang de --source_prefix 'translate English to German: '"
                             " --per_device_eval_batch_size 2 --use_cpu --output_file " +
                             (tmp.path / "mt.npy").string();
  auto r = run_afinar(common + " --predict_with_generate --num_beams 2 --generation_max_length 8");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("test_bleu"), std::string::npos) << r.output;
  torch::Tensor ids = afinar::load_npy(tmp.path / "mt_generated_ids.npy");  // (N, L) int64
  EXPECT_EQ(ids.size(0), 5);
  EXPECT_LE(ids.size(1), 8);
  std::ifstream txt(tmp.path / "mt_generated_predictions.txt");
  size_t lines = 0;
  for (std::string l; std::getline(txt, l);) ++lines;
  EXPECT_EQ(lines, 5u);

  r = run_afinar(common);  // teacher-forced decoder logits (N, Td, vocab)
  ASSERT_EQ(r.exit_code, 0) << r.output;
  torch::Tensor logits = afinar::load_npy(tmp.path / "mt.npy");
  EXPECT_EQ(logits.size(0), 5);
  EXPECT_EQ(logits.size(2), 32128);
}

TEST(PredictCommand, MissingColumnNamesIt) {
  auto snap = minilm();
  if (!snap) GTEST_SKIP() << "all-MiniLM-L6-v2 not in the HF cache (tools/setup.sh seeds it)";
  TempDir tmp("afinar_predict_bad");
  const fs::path model_dir = tmp.path / "model";
  save_minilm_with_head<afinar::AutoModelForQuestionAnswering>(*snap, model_dir);
  {
    std::ofstream f(tmp.path / "qa.jsonl");
    f << R"({"q": "Who?", "context": "Me."})"
      << "\n";
  }
  auto r = run_afinar("predict --task question-answering --model_name_or_path " + model_dir.string() + " --test_file " +
                      (tmp.path / "qa.jsonl").string() + " --use_cpu");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("question"), std::string::npos) << r.output;
}

// A user's report: a Llama-architecture sequence classifier (config pad_token_id 32000) with the
// Phi-3.5 tokenizer.json, which defines no pad token, gave transformers' logits one text at a
// time but other logits in batches — the batches were padded with token 0 and the head pooled a
// padded position. Now the collator pads with what the head treats as padding (the config's
// pad_token_id when the tokenizer has none): batched logits equal one-at-a-time. Without any pad
// id, a batch that needs padding is refused by name, and batch size 1 still works.
TEST(PredictCommand, BatchedLogitsEqualOneAtATimeWithATokenizerWithoutPad) {
  TempDir tmp("afinar_predict_pad");
  const std::vector<std::string> texts = {"A film.",      "The best film I have seen in a very long time, truly.",
                                          "Dull.",        "It was fine, if a little long in the middle.",
                                          "Not worth it", "Wonderful acting and a clever script throughout the film"};
  {
    std::ofstream f(tmp.path / "test.jsonl");
    for (const auto& t : texts) f << nlohmann::json{{"text", t}}.dump() << "\n";
  }
  auto save = [&](const fs::path& dir, std::optional<int64_t> pad) {
    afinar::LlamaConfig c;
    c.vocab_size = 32064;  // Phi-3.5's: 32000 pieces + added tokens, <|endoftext|> = 32000
    c.hidden_size = 16;
    c.intermediate_size = 32;
    c.num_hidden_layers = 1;
    c.num_attention_heads = 2;
    c.num_key_value_heads = 2;
    c.head_dim = 8;
    c.pad_token_id = pad;
    torch::manual_seed(0);
    afinar::LlamaForSequenceClassificationImpl(c).save_pretrained(dir);
    fs::copy_file(kShared + "/tokenizers/microsoft__Phi-3.5-mini-instruct/tokenizer.json", dir / "tokenizer.json");
  };
  auto predict = [&](const fs::path& dir, int bs, const std::string& out) {
    return run_afinar("predict --model_name_or_path " + dir.string() + " --test_file " +
                      (tmp.path / "test.jsonl").string() + " --output_file " + (tmp.path / out).string() +
                      " --per_device_eval_batch_size " + std::to_string(bs) + " --use_cpu");
  };
  save(tmp.path / "with_pad", 32000);
  auto one = predict(tmp.path / "with_pad", 1, "one.npy");
  ASSERT_EQ(one.exit_code, 0) << one.output;
  auto batched = predict(tmp.path / "with_pad", 4, "batched.npy");
  ASSERT_EQ(batched.exit_code, 0) << batched.output;
  const torch::Tensor a = afinar::load_npy(tmp.path / "one.npy"), b = afinar::load_npy(tmp.path / "batched.npy");
  ASSERT_EQ(a.sizes(), (std::vector<int64_t>{6, 2}));
  EXPECT_TRUE(torch::allclose(b, a, /*rtol=*/1e-4, /*atol=*/1e-5)) << a << b;

  save(tmp.path / "no_pad", std::nullopt);
  auto refused = predict(tmp.path / "no_pad", 4, "refused.npy");
  EXPECT_NE(refused.exit_code, 0) << refused.output;
  EXPECT_NE(refused.output.find("pad"), std::string::npos) << refused.output;
  EXPECT_FALSE(fs::exists(tmp.path / "refused.npy"));
  auto single = predict(tmp.path / "no_pad", 1, "single.npy");
  EXPECT_EQ(single.exit_code, 0) << single.output;
}
