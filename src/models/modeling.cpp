// What all pretrained models share: saving, loading checkpoint tensors by name, the input check,
// the token-label loss dispatch and the question-answering outputs.
#include "afinar/models/modeling.h"

#include <algorithm>
#include <set>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/io/safetensors.h"
#include "afinar/nn/masks.h"

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
    case torch::kFloat:
      return "float32";
    case torch::kDouble:
      return "float64";
    case torch::kHalf:
      return "float16";
    case torch::kBFloat16:
      return "bfloat16";
    default:
      throw InvalidArgument(detail::concat("no config.json name for dtype ", dtype));
  }
}

torch::Tensor PreTrainedModelImpl::token_labels_loss(const torch::Tensor& logits, const ModelInputs& in) const {
  return shifts_labels() ? causal_lm_loss(logits, in.labels, in.loss_kwargs)
                         : token_classification_loss(logits, in.labels, in.loss_kwargs);
}

TokenGrid PreTrainedModelImpl::token_grid(const ModelInputs& in, GridUse use) const {
  if (!padding_free || !in.input_ids.defined() || in.input_ids.dim() != 2) return {};
  const int64_t B = in.input_ids.size(0), T = in.input_ids.size(1);
  if (in.attention_mask.defined() && in.attention_mask.sizes() != in.input_ids.sizes()) return {};  // reported later
  TokenGrid grid =
      in.cu_seq_lens.defined() || in.seq_idx.defined()
          ? TokenGrid::from_packed(packed_sequence_ids(in.cu_seq_lens, in.seq_idx, B, T), in.attention_mask)
          : TokenGrid::from_padding(in.attention_mask);
  if (!grid.active()) return grid;
  if (use == GridUse::kFirstTokenPooled && !in.attention_mask.select(1, 0).to(torch::kBool).all().item<bool>())
    return {};
  if (use == GridUse::kTokens && in.labels.defined() && in.labels.dim() == 2 && !in.labels.is_floating_point() &&
      !grid.ignores_padding(in.labels, shifts_labels()))
    return {};
  return grid;
}

torch::Tensor PreTrainedModelImpl::token_labels_loss(const torch::Tensor& logits, const ModelInputs& in,
                                                     const TokenGrid& grid) const {
  if (!grid.active()) return token_labels_loss(logits, in);
  AFINAR_CHECK(!in.labels.is_floating_point(), "token-level labels must be integer ids, got ", in.labels.scalar_type());
  torch::Tensor labels = in.labels.to(torch::kLong);  // (B, T)
  if (!shifts_labels()) return token_classification_loss(logits, grid.gather(labels), in.loss_kwargs);
  // ForCausalLMLoss: position t predicts labels[t + 1]; the last position predicts nothing.
  torch::Tensor shifted = torch::cat({labels.slice(1, 1), torch::full({labels.size(0), 1}, -100, labels.options())}, 1);
  // Float32 logits as ForCausalLMLoss (LabelSmoother keeps the model's dtype).
  torch::Tensor l = in.loss_kwargs.label_smoothing_factor > 0 ? logits : logits.to(torch::kFloat);
  return fixed_cross_entropy(l, grid.gather(shifted), in.loss_kwargs);  // (N, V), (N)
}

void question_answering_outputs(const torch::Tensor& logits, const ModelInputs& in, ModelOutputs& out,
                                const std::string& head) {
  out.start_logits = logits.select(-1, 0).contiguous();  // (B, T)
  out.end_logits = logits.select(-1, 1).contiguous();    // (B, T)
  if (in.start_positions.defined() && in.end_positions.defined())
    out.loss = question_answering_loss(out.start_logits, out.end_logits, in.start_positions, in.end_positions,
                                       in.loss_kwargs, head);
}

void check_inputs(const ModelInputs& in, const std::string& head, std::initializer_list<const char*> accepted) {
  auto takes = [&](const char* name) {
    return std::any_of(accepted.begin(), accepted.end(), [&](const char* a) { return std::string(a) == name; });
  };
  if ((in.cu_seq_lens.defined() || in.seq_idx.defined()) && !takes("cu_seq_lens"))
    AFINAR_NOT_IMPLEMENTED("packed sequences (cu_seq_lens) for ", head,
                           " (HINT: pad the batch instead of flattening it, e.g. DataCollatorWithPadding)");
  if (in.token_type_ids.defined() && !takes("token_type_ids"))
    AFINAR_CHECK(!in.token_type_ids.any().item<bool>(), head,
                 " has no token types, but token_type_ids has non-zero entries (HINT: drop token_type_ids from the "
                 "inputs)");
  const std::pair<const char*, const torch::Tensor*> fields[] = {
      {"input_ids", &in.input_ids},
      {"attention_mask", &in.attention_mask},
      {"position_ids", &in.position_ids},
      {"labels", &in.labels},
      {"start_positions", &in.start_positions},
      {"end_positions", &in.end_positions},
      {"decoder_input_ids", &in.decoder_input_ids},
      {"decoder_attention_mask", &in.decoder_attention_mask},
      {"encoder_last_hidden_state", &in.encoder_last_hidden_state},
      {"pixel_values", &in.pixel_values},
      {"input_values", &in.input_values},
  };
  for (const auto& [name, t] : fields) {
    if (!t->defined() || takes(name)) continue;
    const std::string n = name;
    const char* why = n == "pixel_values"   ? " (images: no afinar model takes them yet)"
                      : n == "input_values" ? " (raw audio: no afinar model takes it yet)"
                      : n == "labels" && takes("start_positions")
                          ? " (HINT: question answering is trained on start_positions/end_positions)"
                          : " (HINT: drop it from the batch)";
    throw InvalidArgument(detail::concat(head, " does not take ", name, why));
  }
}

nlohmann::json head_config_json(nlohmann::json config, const std::string& architecture, torch::ScalarType dtype) {
  config["architectures"] = {architecture};
  config.erase("torch_dtype");  // transformers >= 4.56 writes "dtype"
  config["dtype"] = torch_dtype_name(dtype);
  config["transformers_version"] = kTransformersVersion;
  return config;
}

void check_tied_word_embeddings(const nlohmann::json& extra, const std::string& head) {
  auto tie = extra.find("tie_word_embeddings");
  AFINAR_CHECK(tie == extra.end() || !tie->is_boolean() || tie->get<bool>(), head,
               ": tie_word_embeddings = false (an untied decoder) is not supported");
}

namespace {
std::string shape_str(torch::IntArrayRef s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

bool starts_with(const std::string& s, const std::string& p) {
  return s.rfind(p, 0) == 0;
}
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
    if (ends_with(name, ".gamma"))
      name = name.substr(0, name.size() - 6) + ".weight";
    else if (ends_with(name, ".beta"))
      name = name.substr(0, name.size() - 5) + ".bias";
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
    if (model_has && !ckpt_has && !params.count(name))
      name = prefix + name;
    else if (!model_has && ckpt_has && starts_with(name, prefix))
      name = name.substr(prefix.size());
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
    AFINAR_CHECK_FORMAT(it->second.is_floating_point() == param.is_floating_point(), source, ": tensor '", name,
                        "' has dtype ", it->second.scalar_type(), " in the checkpoint but ", param.scalar_type(),
                        " in the model");
    param.copy_(it->second);
    ckpt.erase(it);
  }
  for (const auto& [name, t] : ckpt)
    if (!buffers.count(name)) report.unexpected.push_back(name);
  return report;  // both lists sorted: they come from std::map order
}

}  // namespace afinar
