// Shared by modeling_t5_test.cpp, modeling_bart_test.cpp and generation_test.cpp: fixtures of
// tools/oracle/models_seq2seq_fixtures.py and the comparisons against transformers.
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/io/safetensors.h"
#include "afinar/models/modeling.h"
#include "afinar_test_paths.h"
#include "testing/assert_close.h"
#include "testing/real_tokens.h"

namespace afinar::seq2seq_test {

inline const fs::path kFixtures = fs::path(AFINAR_FIXTURES_DIR) / "models";

using Loader = PreTrainedModel (*)(const std::string&, const FromPretrainedOptions&);

struct ModelCase {
  const char* fixture;       ///< tests/fixtures/models/<fixture>/ and <fixture>_expected.safetensors
  const char* architecture;  ///< transformers class written in config.json
  const char* auto_class;    ///< transformers' Auto class that loads the saved folder
  Loader load;
};

inline std::ostream& operator<<(std::ostream& os, const ModelCase& c) {
  return os << c.fixture;
}

inline double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

inline fs::path temp_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("afinar_seq2seq_test_" + std::to_string(::getpid())) / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

inline io::TensorMap expected(const ModelCase& c) {
  return io::load_safetensors(kFixtures / (std::string(c.fixture) + "_expected.safetensors"));
}

inline ModelInputs inputs_of(const io::TensorMap& e, bool with_labels = true) {
  auto get = [&](const char* k) { return e.count(k) ? e.at(k) : torch::Tensor(); };
  ModelInputs in;
  in.input_ids = get("input_ids");
  in.attention_mask = get("attention_mask");
  in.decoder_attention_mask = get("decoder_attention_mask");
  if (with_labels) in.labels = get("labels");
  return in;
}

inline PreTrainedModel load_silently(const ModelCase& c) {
  testing::internal::CaptureStderr();
  PreTrainedModel m = c.load((kFixtures / c.fixture).string(), {});
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "") << "a clean checkpoint loads silently";
  return m;
}

/// Every trainable parameter's gradient against the fixture's "grad.<name>" (assert_close with
/// kFp32Gradients), and no fixture gradient left unmatched. Frozen parameters (BART's
/// final_logits_bias: a buffer in transformers) have none.
inline void expect_gradients_as_transformers(torch::nn::Module& model, const io::TensorMap& e,
                                             const std::string& name) {
  afinar_test::expect_gradients_close(model, e, afinar_test::kFp32Gradients, name);
}

/// Outputs, loss and every gradient against the fixture; returns the model after backward.
inline void check_against_transformers(const ModelCase& c) {
  PreTrainedModel model = load_silently(c);
  io::TensorMap e = expected(c);
  ModelOutputs out = model->forward(inputs_of(e));
  double d = max_abs_diff(afinar_test::at_real_tokens(out.logits, e.at("attention_mask")),
                          afinar_test::at_real_tokens(e.at("logits"), e.at("attention_mask")));
  std::cout << c.fixture << ": max|logits diff| = " << d << "\n";
  EXPECT_LE(d, 1e-5);
  if (e.count("encoder_last_hidden_state")) {
    double de = max_abs_diff(afinar_test::at_real_tokens(out.encoder_last_hidden_state, e.at("attention_mask")),
                             afinar_test::at_real_tokens(e.at("encoder_last_hidden_state"), e.at("attention_mask")));
    std::cout << c.fixture << ": max|encoder_last_hidden_state diff| = " << de << "\n";
    EXPECT_LE(de, 1e-5);
  }
  ASSERT_TRUE(out.loss.defined());
  double dl = max_abs_diff(out.loss.reshape({1}), e.at("loss"));
  std::cout << c.fixture << ": |loss diff| = " << dl << "\n";
  EXPECT_LE(dl, 1e-5);

  out.loss.backward();
  expect_gradients_as_transformers(*model, e, c.fixture);
}

/// Parameter names = checkpoint keys; save_pretrained writes the same keys and values back, and the
/// saved folder loads to identical outputs.
inline void check_save_and_reload(const ModelCase& c) {
  PreTrainedModel model = load_silently(c);
  std::vector<std::string> ours, theirs;
  for (const auto& p : model->named_parameters()) ours.push_back(p.key());
  io::TensorMap orig = io::load_safetensors(kFixtures / c.fixture / "model.safetensors");
  for (const auto& [k, v] : orig) theirs.push_back(k);
  std::sort(ours.begin(), ours.end());
  EXPECT_EQ(ours, theirs);

  fs::path out = temp_dir(std::string(c.fixture) + "_saved");
  model->save_pretrained(out);
  auto cfg = nlohmann::json::parse(read_file(out / "config.json"));
  EXPECT_EQ(cfg["architectures"][0], c.architecture);
  io::TensorMap saved = io::load_safetensors(out / "model.safetensors");
  EXPECT_EQ(saved.size(), orig.size()) << "tied weights are saved once, as transformers";
  for (const auto& [k, v] : orig) EXPECT_TRUE(saved.count(k) && torch::equal(saved.at(k), v)) << k;

  PreTrainedModel again = c.load(out.string(), {});
  io::TensorMap e = expected(c);
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::equal(model->forward(inputs_of(e)).logits, again->forward(inputs_of(e)).logits));
}

/// transformers loads afinar's save_pretrained and computes the same logits (needs AFINAR_PYTHON).
inline void check_transformers_loads_save(const ModelCase& c) {
  const char* python = std::getenv("AFINAR_PYTHON");
  if (!python || !*python) GTEST_SKIP() << "AFINAR_PYTHON not set";
  PreTrainedModel model = load_silently(c);
  model->padding_free = false;  // the whole padded output, padding included, against transformers'
  fs::path dir = temp_dir(std::string(c.fixture) + "_roundtrip");
  model->save_pretrained(dir / "model");
  io::TensorMap e = expected(c);
  io::TensorMap tensors;
  {
    torch::NoGradGuard no_grad;
    ModelInputs in = inputs_of(e);
    tensors["in.input_ids"] = in.input_ids;
    tensors["in.attention_mask"] = in.attention_mask;
    if (in.decoder_attention_mask.defined()) tensors["in.decoder_attention_mask"] = in.decoder_attention_mask;
    if (model->is_encoder_decoder() && in.labels.defined() && in.labels.dim() == 2) {
      // decoder inputs as the model builds them from the labels
      ModelOutputs o = model->forward(in);
      tensors["out.logits"] = o.logits;
      tensors["labels"] = in.labels;
    } else {
      in.labels = torch::Tensor();
      tensors["out.logits"] = model->forward(in).logits;
    }
  }
  io::save_safetensors(dir / "io.safetensors", tensors);
  std::ofstream(dir / "check.py") << R"PY(
import sys, torch, transformers
from safetensors.torch import load_file
d, auto_class = sys.argv[1], sys.argv[2]
model = getattr(transformers, auto_class).from_pretrained(d + "/model").eval()
io = load_file(d + "/io.safetensors")
print("CLASS", type(model).__name__)
kw = {k[3:]: v for k, v in io.items() if k.startswith("in.")}
if "labels" in io:
    kw["labels"] = io["labels"]
with torch.no_grad():
    got = model(**kw)
print("MAXDIFF", (got.logits - io["out.logits"]).abs().max().item())
)PY";
  std::string cmd = std::string(python) + " " + (dir / "check.py").string() + " " + dir.string() + " " + c.auto_class +
                    " > " + (dir / "out.txt").string() + " 2>&1";
  int rc = std::system(cmd.c_str());
  std::string log = read_file(dir / "out.txt");
  ASSERT_EQ(rc, 0) << log;
  for (const char* word : {"MISSING", "UNEXPECTED", "MISMATCH", "newly initialized", "not used"})
    EXPECT_EQ(log.find(word), std::string::npos) << word << " in:\n" << log;
  EXPECT_NE(log.find(std::string("CLASS ") + c.architecture), std::string::npos) << log;
  size_t at = log.find("MAXDIFF ");
  ASSERT_NE(at, std::string::npos) << log;
  double diff = std::stod(log.substr(at + 8));
  std::cout << c.fixture << ": transformers loading afinar's save: max|logits diff| = " << diff << "\n";
  EXPECT_LE(diff, 1e-5);
}

}  // namespace afinar::seq2seq_test
