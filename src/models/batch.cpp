// The one Batch → ModelInputs conversion, and the micro-batch's count of loss items.
#include "afinar/models/batch.h"

#include <algorithm>

#include "afinar/core/check.h"

namespace afinar {

const std::vector<std::string>& model_input_names() {
  static const std::vector<std::string> names = {
      "input_ids",      "attention_mask", "token_type_ids", "position_ids",  "labels",       "decoder_input_ids",
      "decoder_attention_mask", "start_positions", "end_positions", "cu_seq_lens_q", "cu_seq_lens_k",
      "max_length_q",   "max_length_k",   "seq_idx",        "pixel_values",  "input_values"};
  return names;
}

ModelInputs to_model_inputs(const Batch& batch, torch::Device device) {
  ModelInputs in;
  auto on_device = [&](const torch::Tensor& t) { return t.device() == device ? t : t.to(device); };
  for (const auto& [key, t] : batch) {
    AFINAR_CHECK(t.defined(), "to_model_inputs: batch key '", key, "' holds no tensor");
    if (key == "input_ids") in.input_ids = on_device(t);
    else if (key == "attention_mask") in.attention_mask = on_device(t);
    else if (key == "token_type_ids") in.token_type_ids = on_device(t);
    else if (key == "position_ids") in.position_ids = on_device(t);
    else if (key == "labels") in.labels = on_device(t);
    else if (key == "decoder_input_ids") in.decoder_input_ids = on_device(t);
    else if (key == "decoder_attention_mask") in.decoder_attention_mask = on_device(t);
    else if (key == "start_positions") in.start_positions = on_device(t);
    else if (key == "end_positions") in.end_positions = on_device(t);
    else if (key == "seq_idx") in.seq_idx = on_device(t);
    else if (key == "pixel_values") in.pixel_values = on_device(t);
    else if (key == "input_values") in.input_values = on_device(t);
    else if (key == "cu_seq_lens_q" || key == "cu_seq_lens_k") {
      // Self-attention over packed rows: queries and keys are the same sequences.
      if (in.cu_seq_lens.defined())
        AFINAR_CHECK(torch::equal(in.cu_seq_lens.cpu(), t.cpu()),
                     "to_model_inputs: cu_seq_lens_q and cu_seq_lens_k differ (self-attention needs them equal)");
      in.cu_seq_lens = on_device(t);
    } else if (key == "max_length_q" || key == "max_length_k") {
      in.max_seq_len = std::max(in.max_seq_len, t.item<int64_t>());
    } else {
      std::string known;
      for (const auto& n : model_input_names()) known += (known.empty() ? "" : ", ") + n;
      throw InvalidArgument(detail::concat("to_model_inputs: the batch has a key '", key,
                                           "' that no afinar model takes; known keys: ", known,
                                           " (HINT: drop the column before collating)"));
    }
  }
  return in;
}

}  // namespace afinar
