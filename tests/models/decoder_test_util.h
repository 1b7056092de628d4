// Shared by modeling_gpt2_test.cpp and modeling_llama_test.cpp: every decoder head against
// transformers, from the tiny checkpoints of tools/oracle/models_decoders_fixtures.py (a batch with
// right- and left-padded rows: outputs with sdpa and eager attention, the loss, every gradient).
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/io/safetensors.h"
#include "afinar/models/modeling.h"
#include "afinar_test_paths.h"
#include "testing/assert_close.h"
#include "testing/real_tokens.h"

namespace afinar::decoder_test {

inline const fs::path kFixtures = fs::path(AFINAR_FIXTURES_DIR) / "models";

using Loader = PreTrainedModel (*)(const std::string&, const FromPretrainedOptions&);

struct DecoderCase {
  const char* fixture;       ///< tests/fixtures/models/<fixture>/ and <fixture>_expected.safetensors
  const char* architecture;  ///< transformers class, saved in config.json
  const char* auto_class;    ///< transformers' Auto class that loads the saved folder
  Loader load;
  std::vector<std::string> outputs;  ///< ModelOutputs fields compared
  std::vector<std::string> base_prefixes;
};

inline std::ostream& operator<<(std::ostream& os, const DecoderCase& c) {
  return os << c.fixture;
}

inline double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

inline fs::path temp_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("afinar_decoder_test_" + std::to_string(::getpid())) / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

inline ModelInputs inputs_of(const io::TensorMap& e, bool with_labels = true) {
  auto get = [&](const char* k) { return e.count(k) ? e.at(k) : torch::Tensor(); };
  ModelInputs in;
  in.input_ids = get("input_ids");
  in.attention_mask = get("attention_mask");
  if (with_labels) {
    in.labels = get("labels");
    in.start_positions = get("start_positions");
    in.end_positions = get("end_positions");
  }
  return in;
}

inline torch::Tensor output(const ModelOutputs& out, const std::string& name) {
  if (name == "logits") return out.logits;
  if (name == "start_logits") return out.start_logits;
  if (name == "end_logits") return out.end_logits;
  throw InvalidArgument("unknown output " + name);
}

inline io::TensorMap expected(const DecoderCase& c) {
  return io::load_safetensors(kFixtures / (std::string(c.fixture) + "_expected.safetensors"));
}

inline PreTrainedModel load(const DecoderCase& c, const FromPretrainedOptions& opt = {}) {
  testing::internal::CaptureStderr();
  PreTrainedModel m = c.load((kFixtures / c.fixture).string(), opt);
  std::string log = testing::internal::GetCapturedStderr();
  EXPECT_EQ(log, "") << "a clean checkpoint loads silently";
  return m;
}

/// Parameter names = checkpoint keys (tied weights saved once, as transformers).
inline void check_parameter_names(const DecoderCase& c) {
  PreTrainedModel model = load(c);
  std::vector<std::string> ours, theirs;
  for (const auto& p : model->named_parameters()) ours.push_back(p.key());
  for (const auto& [k, v] : io::load_safetensors(kFixtures / c.fixture / "model.safetensors")) theirs.push_back(k);
  std::sort(ours.begin(), ours.end());
  EXPECT_EQ(ours, theirs);
  EXPECT_EQ(model->base_parameter_prefixes(), c.base_prefixes);
}

/// Outputs and loss within 1e-5 of transformers (sdpa), every gradient within kFp32Gradients
/// (assert_close, when the fixture has them); eager attention within 1e-5 of transformers' eager, and equal to sdpa on
/// the real tokens (a left-padded row's padding queries attend to nothing: sdpa gives 0 there,
/// eager a uniform average, in transformers as here).
inline void check_matches_transformers(const DecoderCase& c) {
  PreTrainedModel model = load(c);
  io::TensorMap e = expected(c);
  ModelOutputs out = model->forward(inputs_of(e));
  for (const auto& name : c.outputs) {
    double d = max_abs_diff(afinar_test::at_real_tokens(output(out, name), e.at("attention_mask")),
                            afinar_test::at_real_tokens(e.at(name), e.at("attention_mask")));
    std::cout << c.fixture << ": max|" << name << " diff| = " << d << "\n";
    EXPECT_LE(d, 1e-5) << name;
  }
  ASSERT_TRUE(out.loss.defined());
  double loss_diff = max_abs_diff(out.loss.reshape({1}), e.at("loss"));
  std::cout << c.fixture << ": |loss diff| = " << loss_diff << " (loss " << out.loss.item<double>() << ")\n";
  EXPECT_LE(loss_diff, 1e-5);

  out.loss.backward();
  if (e.count("grad." + model->named_parameters().begin()->key()))
    afinar_test::expect_gradients_close(*model, e, afinar_test::kFp32Gradients, c.fixture);

  // Without labels: no loss, same outputs.
  torch::NoGradGuard no_grad;
  ModelOutputs plain = model->forward(inputs_of(e, /*with_labels=*/false));
  EXPECT_FALSE(plain.loss.defined());
  for (const auto& name : c.outputs)
    EXPECT_LE(max_abs_diff(afinar_test::at_real_tokens(output(plain, name), e.at("attention_mask")),
                           afinar_test::at_real_tokens(e.at(name), e.at("attention_mask"))),
              1e-5);

  // Eager attention.
  FromPretrainedOptions eager_opt;
  eager_opt.config_overrides = {{"attn_implementation", "eager"}};
  PreTrainedModel eager = load(c, eager_opt);
  ModelOutputs eo = eager->forward(inputs_of(e, false));
  torch::Tensor real = e.at("attention_mask").to(torch::kBool);  // (B, T)
  for (const auto& name : c.outputs) {
    torch::Tensor ours = output(eo, name), sdpa = output(plain, name);
    double d = max_abs_diff(afinar_test::at_real_tokens(ours, e.at("attention_mask")),
                            afinar_test::at_real_tokens(e.at("eager." + name), e.at("attention_mask")));
    std::cout << c.fixture << ": eager: max|" << name << " diff| = " << d << "\n";
    EXPECT_LE(d, 1e-5) << "eager " << name;
    if (ours.dim() >= 2 && ours.size(1) == real.size(1)) {  // per-token outputs: compare real tokens
      EXPECT_LE(max_abs_diff(ours.index({real}), sdpa.index({real})), 1e-5) << "eager vs sdpa " << name;
    } else {
      EXPECT_LE(max_abs_diff(ours, sdpa), 1e-5) << "eager vs sdpa " << name;
    }
  }
}

/// save_pretrained writes the checkpoint's tensors (tied ones once) and a config that loads back.
inline void check_save_and_reload(const DecoderCase& c) {
  PreTrainedModel model = load(c);
  fs::path out = temp_dir(std::string(c.fixture) + "_saved");
  model->save_pretrained(out);
  auto cfg = nlohmann::json::parse(read_file(out / "config.json"));
  EXPECT_EQ(cfg["architectures"][0], c.architecture);
  EXPECT_FALSE(cfg.contains("attn_implementation"));
  io::TensorMap saved = io::load_safetensors(out / "model.safetensors");
  io::TensorMap orig = io::load_safetensors(kFixtures / c.fixture / "model.safetensors");
  ASSERT_EQ(saved.size(), orig.size());
  for (const auto& [k, v] : orig) EXPECT_TRUE(saved.count(k) && torch::equal(saved.at(k), v)) << k;

  PreTrainedModel again = c.load(out.string(), {});
  io::TensorMap e = expected(c);
  torch::NoGradGuard no_grad;
  ModelOutputs a = model->forward(inputs_of(e)), b = again->forward(inputs_of(e));
  for (const auto& name : c.outputs) EXPECT_TRUE(torch::equal(output(a, name), output(b, name))) << name;
}

/// afinar save_pretrained → transformers from_pretrained (AFINAR_PYTHON) → the same outputs, for
/// every case in one Python process (its start-up dominates the time).
inline void check_transformers_loads_afinar_saves(const std::vector<DecoderCase>& cases, const std::string& name) {
  const char* python = std::getenv("AFINAR_PYTHON");
  if (!python || !*python) GTEST_SKIP() << "AFINAR_PYTHON not set";
  fs::path root = temp_dir(name + "_roundtrip");
  std::ofstream list(root / "cases.txt");
  for (const DecoderCase& c : cases) {
    PreTrainedModel model = load(c);
    model->padding_free = false;  // the whole padded output, padding included, against transformers'
    fs::path dir = root / c.fixture;
    model->save_pretrained(dir / "model");
    io::TensorMap e = expected(c);
    io::TensorMap tensors{{"input_ids", e.at("input_ids")}, {"attention_mask", e.at("attention_mask")}};
    torch::NoGradGuard no_grad;
    ModelOutputs out = model->forward(inputs_of(e, false));
    for (const auto& o : c.outputs) tensors["out." + o] = output(out, o);
    io::save_safetensors(dir / "io.safetensors", tensors);
    list << c.fixture << " " << c.auto_class << "\n";
  }
  list.close();
  std::ofstream(root / "check.py") << R"PY(
import sys, torch, transformers
from safetensors.torch import load_file
root = sys.argv[1]
for line in open(root + "/cases.txt"):
    name, auto_class = line.split()
    d = root + "/" + name
    model = getattr(transformers, auto_class).from_pretrained(d + "/model").eval()
    io = load_file(d + "/io.safetensors")
    with torch.no_grad():
        got = model(input_ids=io["input_ids"], attention_mask=io["attention_mask"])
    diff = max((getattr(got, k[4:]) - v).abs().max().item() for k, v in io.items() if k.startswith("out."))
    print("CASE", name, "CLASS", type(model).__name__, "MAXDIFF", diff, flush=True)
)PY";
  std::string cmd = std::string(python) + " " + (root / "check.py").string() + " " + root.string() + " > " +
                    (root / "out.txt").string() + " 2>&1";
  int rc = std::system(cmd.c_str());
  std::string log = read_file(root / "out.txt");
  ASSERT_EQ(rc, 0) << log;
  for (const char* word : {"MISSING", "UNEXPECTED", "MISMATCH", "newly initialized", "not used"})
    EXPECT_EQ(log.find(word), std::string::npos) << word << " in:\n" << log;
  for (const DecoderCase& c : cases) {
    std::string head = std::string("CASE ") + c.fixture + " CLASS " + c.architecture + " MAXDIFF ";
    size_t at = log.find(head);
    ASSERT_NE(at, std::string::npos) << head << " not in:\n" << log;
    double diff = std::stod(log.substr(at + head.size()));
    std::cout << c.fixture << ": transformers loading afinar's save: max|diff| = " << diff << "\n";
    EXPECT_LE(diff, 1e-5) << c.fixture;
  }
}

}  // namespace afinar::decoder_test
