// What all pretrained models share: saving, loading checkpoint tensors by name, the heads'
// losses, the encoder-decoder classification pooling and the question-answering outputs.
#include "afinar/models/modeling.h"

#include <algorithm>
#include <set>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/io/safetensors.h"

namespace afinar {

namespace {

/// transformers' dot_natural_key order: names split on "."; a part of digits sorts first and by
/// value; other parts by text, then by a numeric suffix ("shard_2" < "shard_11"), a part without
/// one first. `a` < `b` as Python compares the two lists of tuples.
bool dot_natural_less(const std::string& a, const std::string& b) {
  struct Part {
    int kind;          // 0: all digits, 1: text [+ digits]
    std::string text;  // kind 1: the part less its trailing digits
    std::string num;   // the digits, leading zeros stripped ("" = none / zero)
    bool has_num;
  };
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  auto strip_zeros = [](const std::string& d) { return d.substr(std::min(d.find_first_not_of('0'), d.size())); };
  auto parts = [&](const std::string& s) {
    std::vector<Part> out;
    for (size_t start = 0;;) {
      const size_t dot = s.find('.', start);
      const std::string p = s.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      size_t text_end = p.size();
      while (text_end > 0 && is_digit(p[text_end - 1])) --text_end;
      if (!p.empty() && text_end == 0)
        out.push_back({0, "", strip_zeros(p), true});
      else
        out.push_back({1, p.substr(0, text_end), strip_zeros(p.substr(text_end)), text_end < p.size()});
      if (dot == std::string::npos) return out;
      start = dot + 1;
    }
  };
  auto num_cmp = [](const std::string& x, const std::string& y) {  // arbitrary-size integers
    if (x.size() != y.size()) return x.size() < y.size() ? -1 : 1;
    return x.compare(y) < 0 ? -1 : x.compare(y) > 0 ? 1 : 0;
  };
  const auto pa = parts(a), pb = parts(b);
  for (size_t i = 0; i < std::min(pa.size(), pb.size()); ++i) {
    const Part &x = pa[i], &y = pb[i];
    if (x.kind != y.kind) return x.kind < y.kind;
    if (x.kind == 0) {
      if (int c = num_cmp(x.num, y.num)) return c < 0;
      continue;
    }
    if (x.text != y.text) return x.text < y.text;
    if (x.has_num != y.has_num) return !x.has_num;
    if (int c = num_cmp(x.num, y.num)) return c < 0;
  }
  return pa.size() < pb.size();
}

}  // namespace

void PreTrainedModelImpl::save_pretrained(const std::filesystem::path& folder,
                                          const std::string& max_shard_size) const {
  fs::create_directories(folder);
  // transformers 5 saves a from_pretrained model's state dict sorted by dot_natural_key
  // (revert_weight_conversion sorts it), and the shard split is greedy in that order. (A model it
  // built from a config keeps registration order; afinar saves fine-tuned checkpoints, so sorted.)
  io::OrderedTensors tensors;
  std::set<const void*> distinct;
  int64_t total_parameters = 0;  // transformers' num_parameters(): a tied parameter counts once
  for (const auto& p : named_parameters(/*recurse=*/true)) {
    tensors.emplace_back(p.key(), p.value());
    if (distinct.insert(p.value().unsafeGetTensorImpl()).second) total_parameters += p.value().numel();
  }
  std::stable_sort(tensors.begin(), tensors.end(),
                   [](const auto& a, const auto& b) { return dot_natural_less(a.first, b.first); });
  // Weights first, config last: a folder with a config.json always has its weights.
  io::save_checkpoint_weights(folder, tensors, max_shard_size, total_parameters);
  write_file_atomic(folder / "config.json", config_json().dump(2) + "\n");
}

PreTrainedModelImpl::ParameterLayout PreTrainedModelImpl::parameter_layout() const {
  throw NotImplemented(detail::concat("parameter_layout for ", config_json().value("model_type", "this model")));
}

int64_t PreTrainedModelImpl::num_loss_items(const ModelInputs& in) const {
  if (in.labels.defined()) {
    torch::Tensor labels = in.labels;
    if (labels.is_floating_point()) return labels.size(0);  // regression / multi-label: one item per row
    if (shifts_labels() && labels.dim() >= 2) labels = labels.narrow(-1, 1, labels.size(-1) - 1);
    return labels.ne(-100).sum().item<int64_t>();
  }
  if (in.start_positions.defined()) return in.start_positions.size(0);
  return 0;
}

std::string torch_dtype_name(torch::ScalarType dtype) {
  switch (dtype) {
    case torch::kFloat: return "float32";
    case torch::kDouble: return "float64";
    case torch::kHalf: return "float16";
    case torch::kBFloat16: return "bfloat16";
    default: throw InvalidArgument(detail::concat("no config.json name for dtype ", dtype));
  }
}

std::string infer_problem_type(int64_t num_labels, const torch::Tensor& labels) {
  if (num_labels == 1) return "regression";
  if (labels.scalar_type() == torch::kLong || labels.scalar_type() == torch::kInt)
    return "single_label_classification";
  return "multi_label_classification";
}

torch::Tensor sequence_classification_loss(const torch::Tensor& logits, const torch::Tensor& labels,
                                           const std::string& problem_type) {
  const int64_t n = logits.size(-1);
  if (problem_type == "regression") {
    torch::Tensor target = labels.to(logits.scalar_type());
    if (n == 1) return torch::mse_loss(logits.squeeze(), target.squeeze());
    return torch::mse_loss(logits, target);
  }
  if (problem_type == "single_label_classification") {
    AFINAR_CHECK(!labels.is_floating_point(), "single_label_classification needs integer labels, got ",
                 labels.scalar_type());
    return torch::nn::functional::cross_entropy(logits.view({-1, n}), labels.view({-1}).to(torch::kLong));
  }
  if (problem_type == "multi_label_classification") {
    AFINAR_CHECK(labels.sizes() == logits.sizes(), "multi_label_classification needs labels of shape ",
                 logits.sizes(), " (one 0/1 column per label), got ", labels.sizes());
    return torch::nn::functional::binary_cross_entropy_with_logits(logits, labels.to(logits.scalar_type()));
  }
  throw InvalidArgument(detail::concat("unknown problem_type '", problem_type,
                                       "' (regression, single_label_classification, multi_label_classification)"));
}

torch::Tensor token_classification_loss(const torch::Tensor& logits, const torch::Tensor& labels) {
  AFINAR_CHECK(!labels.is_floating_point(), "token classification needs integer labels, got ", labels.scalar_type());
  AFINAR_CHECK(labels.numel() * logits.size(-1) == logits.numel(), "labels of shape ", labels.sizes(),
               " do not match logits of shape ", logits.sizes(), " (HINT: one label per token, -100 = ignored)");
  const int64_t n = logits.size(-1);
  return torch::nn::functional::cross_entropy(logits.reshape({-1, n}), labels.reshape({-1}).to(torch::kLong));
}

torch::Tensor question_answering_loss(const torch::Tensor& start_logits, const torch::Tensor& end_logits,
                                      torch::Tensor start_positions, torch::Tensor end_positions) {
  if (start_positions.dim() > 1) start_positions = start_positions.squeeze(-1);  // (B, 1) → (B)
  if (end_positions.dim() > 1) end_positions = end_positions.squeeze(-1);
  const int64_t ignored = start_logits.size(1);  // T: answers outside the sequence
  namespace F = torch::nn::functional;
  auto ce = [&](const torch::Tensor& logits, const torch::Tensor& pos) {
    return F::cross_entropy(logits, pos.to(torch::kLong).clamp(0, ignored),
                            F::CrossEntropyFuncOptions().ignore_index(ignored));
  };
  return (ce(start_logits, start_positions) + ce(end_logits, end_positions)) / 2;
}

torch::Tensor last_eos_pool(const torch::Tensor& h, const torch::Tensor& input_ids, int64_t eos_id,
                            const std::string& model) {
  AFINAR_CHECK(h.size(1) == input_ids.size(1), model, ": decoder_input_ids must be as long as input_ids (eos pooling)");
  torch::Tensor eos = input_ids.eq(eos_id);  // (B, T)
  torch::Tensor counts = eos.sum(1);
  AFINAR_CHECK(counts.min().item<int64_t>() == counts.max().item<int64_t>(), model,
               ": all examples must have the same number of <eos> tokens.");
  AFINAR_CHECK(counts.min().item<int64_t>() >= 1, model, ": each example must contain at least one <eos> token.");
  // The last eos of each row: the largest position holding one.
  torch::Tensor pos = torch::arange(eos.size(1), eos.options().dtype(torch::kLong));
  torch::Tensor last = (eos.to(torch::kLong) * pos).argmax(1);                      // (B)
  return h.gather(1, last.view({-1, 1, 1}).expand({-1, 1, h.size(2)})).squeeze(1);  // (B, D)
}

void question_answering_outputs(const torch::Tensor& logits, const ModelInputs& in, ModelOutputs& out) {
  out.start_logits = logits.select(-1, 0).contiguous();  // (B, T)
  out.end_logits = logits.select(-1, 1).contiguous();    // (B, T)
  if (in.start_positions.defined() && in.end_positions.defined())
    out.loss = question_answering_loss(out.start_logits, out.end_logits, in.start_positions, in.end_positions);
}

namespace {
std::string shape_str(torch::IntArrayRef s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }
bool ends_with(const std::string& s, const std::string& x) {
  return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}
}  // namespace

LoadReport load_pretrained_weights(torch::nn::Module& model, std::map<std::string, torch::Tensor> weights,
                                   const std::string& base_model_prefix, const std::string& source) {
  std::map<std::string, torch::Tensor> params;
  for (const auto& p : model.named_parameters(true)) params.emplace(p.key(), p.value());
  std::set<std::string> buffers;
  for (const auto& b : model.named_buffers(true)) buffers.insert(b.key());

  // Legacy TF-era names.
  std::map<std::string, torch::Tensor> renamed;
  for (auto& [k, v] : weights) {
    std::string name = k;
    if (ends_with(name, ".gamma")) name = name.substr(0, name.size() - 6) + ".weight";
    else if (ends_with(name, ".beta")) name = name.substr(0, name.size() - 5) + ".bias";
    renamed[name] = std::move(v);
  }

  // Base checkpoint into a model with a head ("embeddings.…" → "bert.embeddings.…"), or the reverse.
  const std::string prefix = base_model_prefix.empty() ? "" : base_model_prefix + ".";
  auto any_prefixed = [&](const auto& m) {
    return std::any_of(m.begin(), m.end(), [&](const auto& kv) { return starts_with(kv.first, prefix); });
  };
  std::map<std::string, torch::Tensor> ckpt;
  const bool model_has = !prefix.empty() && any_prefixed(params);
  const bool ckpt_has = !prefix.empty() && any_prefixed(renamed);
  for (auto& [k, v] : renamed) {
    std::string name = k;
    if (model_has && !ckpt_has && !params.count(name)) name = prefix + name;
    else if (!model_has && ckpt_has && starts_with(name, prefix)) name = name.substr(prefix.size());
    ckpt[name] = std::move(v);
  }

  LoadReport report;
  torch::NoGradGuard no_grad;
  for (auto& [name, param] : params) {
    auto it = ckpt.find(name);
    if (it == ckpt.end()) {
      report.missing.push_back(name);
      continue;
    }
    AFINAR_CHECK_FORMAT(it->second.sizes() == param.sizes(), source, ": tensor '", name, "' has shape ",
                        shape_str(it->second.sizes()), " in the checkpoint but ", shape_str(param.sizes()),
                        " in the model (HINT: config.json and the weights disagree, or num_labels differs "
                        "from the checkpoint's head)");
    AFINAR_CHECK_FORMAT(it->second.is_floating_point() == param.is_floating_point(), source, ": tensor '",
                        name, "' has dtype ", it->second.scalar_type(), " in the checkpoint but ",
                        param.scalar_type(), " in the model");
    param.copy_(it->second);
    ckpt.erase(it);
  }
  for (const auto& [name, t] : ckpt)
    if (!buffers.count(name)) report.unexpected.push_back(name);
  return report;  // both lists sorted: they come from std::map order
}

}  // namespace afinar
