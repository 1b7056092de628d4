#include "afinar/train/training_args.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include "afinar/core/check.h"
#include "afinar/train/optimization.h"

namespace afinar {
namespace {

using json = nlohmann::json;

struct KnownField {
  const char* name;
  const char* default_json;
};
const KnownField kKnownFields[] = {
#include "training_args_fields.inc"
};

// Older names HF still documents (the seed's dump uses them) → current names.
const std::map<std::string, std::string> kAliases = {
    {"evaluation_strategy", "eval_strategy"}, {"warmup_ratio", "warmup_steps"}, {"no_cuda", "use_cpu"}};

// Typed access to the members afinar honours.
struct Binding {
  std::function<json(const TrainingArguments&)> get;
  std::function<void(TrainingArguments&, const json&)> set;
};

template <typename T>
Binding bind_member(T TrainingArguments::*m) {
  return {[m](const TrainingArguments& a) { return json(a.*m); },
          [m](TrainingArguments& a, const json& v) { a.*m = v.get<T>(); }};
}
template <typename T>
Binding bind_member(std::optional<T> TrainingArguments::*m) {
  return {[m](const TrainingArguments& a) { return (a.*m) ? json(*(a.*m)) : json(nullptr); },
          [m](TrainingArguments& a, const json& v) {
            if (v.is_null())
              a.*m = std::nullopt;
            else
              a.*m = v.get<T>();
          }};
}

const std::map<std::string, Binding>& bindings() {
  static const std::map<std::string, Binding> b = {
      {"output_dir", bind_member(&TrainingArguments::output_dir)},
      {"do_train", bind_member(&TrainingArguments::do_train)},
      {"do_eval", bind_member(&TrainingArguments::do_eval)},
      {"do_predict", bind_member(&TrainingArguments::do_predict)},
      {"eval_strategy", bind_member(&TrainingArguments::eval_strategy)},
      {"eval_steps", bind_member(&TrainingArguments::eval_steps)},
      {"per_device_train_batch_size", bind_member(&TrainingArguments::per_device_train_batch_size)},
      {"per_device_eval_batch_size", bind_member(&TrainingArguments::per_device_eval_batch_size)},
      {"gradient_accumulation_steps", bind_member(&TrainingArguments::gradient_accumulation_steps)},
      {"learning_rate", bind_member(&TrainingArguments::learning_rate)},
      {"weight_decay", bind_member(&TrainingArguments::weight_decay)},
      {"adam_beta1", bind_member(&TrainingArguments::adam_beta1)},
      {"adam_beta2", bind_member(&TrainingArguments::adam_beta2)},
      {"adam_epsilon", bind_member(&TrainingArguments::adam_epsilon)},
      {"max_grad_norm", bind_member(&TrainingArguments::max_grad_norm)},
      {"num_train_epochs", bind_member(&TrainingArguments::num_train_epochs)},
      {"max_steps", bind_member(&TrainingArguments::max_steps)},
      {"lr_scheduler_type", bind_member(&TrainingArguments::lr_scheduler_type)},
      {"warmup_steps", bind_member(&TrainingArguments::warmup_steps)},
      {"optim", bind_member(&TrainingArguments::optim)},
      {"lr_scheduler_kwargs", bind_member(&TrainingArguments::lr_scheduler_kwargs)},
      {"label_smoothing_factor", bind_member(&TrainingArguments::label_smoothing_factor)},
      {"bf16", bind_member(&TrainingArguments::bf16)},
      {"fp16", bind_member(&TrainingArguments::fp16)},
      {"bf16_full_eval", bind_member(&TrainingArguments::bf16_full_eval)},
      {"fp16_full_eval", bind_member(&TrainingArguments::fp16_full_eval)},
      {"tf32", bind_member(&TrainingArguments::tf32)},
      {"length_column_name", bind_member(&TrainingArguments::length_column_name)},
      {"auto_find_batch_size", bind_member(&TrainingArguments::auto_find_batch_size)},
      {"logging_strategy", bind_member(&TrainingArguments::logging_strategy)},
      {"logging_steps", bind_member(&TrainingArguments::logging_steps)},
      {"logging_first_step", bind_member(&TrainingArguments::logging_first_step)},
      {"logging_nan_inf_filter", bind_member(&TrainingArguments::logging_nan_inf_filter)},
      {"save_strategy", bind_member(&TrainingArguments::save_strategy)},
      {"save_steps", bind_member(&TrainingArguments::save_steps)},
      {"save_total_limit", bind_member(&TrainingArguments::save_total_limit)},
      {"seed", bind_member(&TrainingArguments::seed)},
      {"data_seed", bind_member(&TrainingArguments::data_seed)},
      {"dataloader_drop_last", bind_member(&TrainingArguments::dataloader_drop_last)},
      {"disable_tqdm", bind_member(&TrainingArguments::disable_tqdm)},
      {"use_cpu", bind_member(&TrainingArguments::use_cpu)},
      {"train_sampling_strategy", bind_member(&TrainingArguments::train_sampling_strategy)},
      {"report_to", bind_member(&TrainingArguments::report_to)},
      {"run_name", bind_member(&TrainingArguments::run_name)},
      {"resume_from_checkpoint", bind_member(&TrainingArguments::resume_from_checkpoint)},
      {"load_best_model_at_end", bind_member(&TrainingArguments::load_best_model_at_end)},
      {"full_determinism", bind_member(&TrainingArguments::full_determinism)},
      {"metric_for_best_model", bind_member(&TrainingArguments::metric_for_best_model)},
      {"greater_is_better", bind_member(&TrainingArguments::greater_is_better)},
      {"gradient_checkpointing", bind_member(&TrainingArguments::gradient_checkpointing)},
      {"gradient_checkpointing_kwargs", bind_member(&TrainingArguments::gradient_checkpointing_kwargs)},
  };
  return b;
}

// Fields that do not change what is computed (worker processes, pinned memory, log verbosity,
// metrics bookkeeping): afinar accepts any value and says here why it may ignore them.
const std::vector<std::string> kAnyValue = {"dataloader_num_workers",
                                            "dataloader_pin_memory",
                                            "dataloader_persistent_workers",
                                            "dataloader_prefetch_factor",
                                            "log_level",
                                            "log_level_replica",
                                            "log_on_each_node",
                                            "skip_memory_metrics",
                                            "remove_unused_columns",
                                            "project",
                                            "hub_token",
                                            "local_rank",
                                            "dataloader_in_order",
                                            "eval_do_concat_batches",
                                            "save_on_each_node",
                                            "include_num_input_tokens_seen"};

std::string canonical(const std::string& name) {
  auto it = kAliases.find(name);
  return it == kAliases.end() ? name : it->second;
}

const KnownField* find_known(const std::string& name) {
  for (const auto& f : kKnownFields)
    if (name == f.name) return &f;
  return nullptr;
}

bool parse_bool(const std::string& field, const std::string& v) {
  std::string s = v;
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  if (s == "true" || s == "1" || s == "yes" || s == "y" || s == "t") return true;
  if (s == "false" || s == "0" || s == "no" || s == "n" || s == "f") return false;
  throw InvalidArgument(detail::concat("--", field, ": expected a boolean (true/false), got '", v, "'"));
}

// Converts a CLI/YAML string to JSON of the type `like` has (the field's default or member).
json from_string(const std::string& field, const std::string& v, const json& like) {
  if (v == "None" || v == "null") return nullptr;
  try {
    if (like.is_boolean()) return parse_bool(field, v);
    if (like.is_number_integer()) {
      size_t pos = 0;
      long long x = std::stoll(v, &pos);
      AFINAR_CHECK(pos == v.size(), "trailing characters");
      return x;
    }
    if (like.is_number()) {
      size_t pos = 0;
      double x = std::stod(v, &pos);
      AFINAR_CHECK(pos == v.size(), "trailing characters");
      return x;
    }
    if (like.is_array()) {
      json arr = json::array();
      size_t start = 0;
      while (start <= v.size()) {
        size_t comma = v.find(',', start);
        std::string part = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!part.empty()) arr.push_back(part);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      return arr;
    }
  } catch (const InvalidArgument&) {
    throw InvalidArgument(detail::concat("--", field, ": cannot parse '", v, "' as ", like.type_name()));
  } catch (const std::logic_error&) {
    throw InvalidArgument(detail::concat("--", field, ": cannot parse '", v, "' as ", like.type_name()));
  }
  return v;
}

const std::vector<std::string> kStrategies = {"no", "steps", "epoch"};

// transformers passes these to torch.utils.checkpoint; afinar's checkpoint knows only use_reentrant.
void check_gradient_checkpointing_kwargs(const json& kw) {
  AFINAR_CHECK(kw.is_null() || kw.is_object(), "gradient_checkpointing_kwargs must be a JSON object, got ", kw.dump());
  if (kw.is_null()) return;
  for (const auto& [k, v] : kw.items()) {
    if (k != "use_reentrant")
      AFINAR_NOT_IMPLEMENTED("gradient_checkpointing_kwargs: '", k,
                             "' is not supported by afinar (supported: use_reentrant)");
    AFINAR_CHECK(v.is_boolean(), "gradient_checkpointing_kwargs.use_reentrant must be true or false, got ", v.dump());
  }
}

void check_choice(const std::string& field, const std::string& v, const std::vector<std::string>& choices) {
  if (std::find(choices.begin(), choices.end(), v) != choices.end()) return;
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
  throw InvalidArgument(detail::concat(field, ": '", v, "' is not one of: ", list));
}

}  // namespace

TrainingArguments::TrainingArguments(std::string dir) : output_dir(std::move(dir)), others_(json::object()) {
  for (const auto& f : kKnownFields)
    if (!bindings().count(f.name)) others_[f.name] = json::parse(f.default_json);
}

std::vector<std::string> TrainingArguments::field_names() {
  std::vector<std::string> names = {"output_dir"};
  for (const auto& f : kKnownFields) names.push_back(f.name);
  for (const auto& [alias, _] : kAliases) names.push_back(alias);
  return names;
}

void TrainingArguments::set(const std::string& name, const std::string& value) {
  const std::string key = canonical(name);
  if (key == "lr_scheduler_kwargs" || key == "gradient_checkpointing_kwargs")
    return set_json(key, value.empty() ? json(nullptr) : json(value));
  json like;
  if (auto it = bindings().find(key); it != bindings().end()) {
    like = it->second.get(*this);
    // Optional members are null by default: type them by what they hold.
    if (like.is_null()) {
      if (key == "save_total_limit" || key == "data_seed")
        like = 0;
      else if (key == "greater_is_better" || key == "tf32")
        like = false;
      else if (key == "eval_steps")
        like = 0.0;
      else
        like = "";
    }
  } else if (const KnownField* f = find_known(key)) {
    like = json::parse(f->default_json);
    if (like.is_null()) like = "";
  } else {
    throw InvalidArgument(detail::concat("unknown TrainingArguments field '", name, "'"));
  }
  set_json(key, from_string(name, value, like));
}

void TrainingArguments::set_json(const std::string& name, const json& value) {
  const std::string key = canonical(name);
  if (auto it = bindings().find(key); it != bindings().end()) {
    try {
      json v = value;
      if (key == "report_to" && v.is_string()) v = json::array({v});
      // HF: a string lr_scheduler_kwargs / gradient_checkpointing_kwargs is json.loads'ed.
      const bool dict_field = key == "lr_scheduler_kwargs" || key == "gradient_checkpointing_kwargs";
      if (dict_field && v.is_string()) {
        try {
          v = json::parse(v.get<std::string>());
        } catch (const json::exception& e) {  // parse_error, or out_of_range for 1e999
          throw InvalidArgument(detail::concat(key, ": not valid JSON: ", value.dump(), " (", e.what(), ")"));
        }
      }
      if (key == "lr_scheduler_kwargs")
        AFINAR_CHECK(v.is_null() || v.is_object(), "lr_scheduler_kwargs must be a JSON object, got ", v.dump());
      if (key == "gradient_checkpointing_kwargs") check_gradient_checkpointing_kwargs(v);
      it->second.set(*this, v);
    } catch (const json::exception& e) {
      throw InvalidArgument(
          detail::concat("TrainingArguments.", key, ": wrong type for ", value.dump(), " (", e.what(), ")"));
    }
    return;
  }
  const KnownField* f = find_known(key);
  AFINAR_CHECK(f != nullptr, "unknown TrainingArguments field '", name, "'");
  const json def = json::parse(f->default_json);
  const bool any = std::find(kAnyValue.begin(), kAnyValue.end(), key) != kAnyValue.end();
  // A JSON file from Python may carry these at values that change nothing afinar computes.
  if (!any && value != def && !(key == "hub_token" || key == "accelerator_config")) {
    AFINAR_NOT_IMPLEMENTED("TrainingArguments.", key, " = ", value.dump(), " (afinar supports only its default, ",
                           def.dump(), ")");
  }
  others_[key] = value;
}

TrainingArguments TrainingArguments::from_json(const json& j, const std::string& origin) {
  AFINAR_CHECK(j.is_object(), origin, ": TrainingArguments JSON must be an object");
  TrainingArguments a(j.value("output_dir", "trainer_output"));
  for (const auto& [k, v] : j.items()) {
    if (k == "output_dir") continue;
    try {
      a.set_json(k, v);
    } catch (const InvalidArgument& e) {
      throw InvalidArgument(detail::concat(origin, ": ", e.what()));
    }
  }
  return a;
}

int64_t TrainingArguments::resolve_steps(double steps, int64_t total) const {
  if (steps > 0 && steps < 1) return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(steps * total)));
  return static_cast<int64_t>(steps);
}

void TrainingArguments::finalize() {
  check_choice("eval_strategy", eval_strategy, kStrategies);
  check_choice("save_strategy", save_strategy, {"no", "steps", "epoch", "best"});
  check_choice("logging_strategy", logging_strategy, kStrategies);
  check_choice("lr_scheduler_type", lr_scheduler_type, LRScheduler::types());
  check_choice("optim", optim, {"adamw_torch", "adamw_torch_fused", "adagrad", "adafactor", "sgd"});
  check_choice("train_sampling_strategy", train_sampling_strategy, {"random", "sequential", "group_by_length"});
  check_gradient_checkpointing_kwargs(gradient_checkpointing_kwargs);
  for (const auto& r : report_to)
    AFINAR_CHECK(r == "none" || r == "all" || r == "tensorboard" || r == "csv", "report_to '", r,
                 "' is not supported by afinar (supported: none, all = tensorboard, tensorboard, csv)");
  AFINAR_CHECK(label_smoothing_factor >= 0 && label_smoothing_factor < 1,
               "label_smoothing_factor must be in [0, 1), got ", label_smoothing_factor);
  AFINAR_CHECK(!output_dir.empty(), "output_dir must be set");
  AFINAR_CHECK(per_device_train_batch_size > 0, "per_device_train_batch_size must be > 0, got ",
               per_device_train_batch_size);
  AFINAR_CHECK(per_device_eval_batch_size > 0, "per_device_eval_batch_size must be > 0, got ",
               per_device_eval_batch_size);
  AFINAR_CHECK(gradient_accumulation_steps > 0, "gradient_accumulation_steps must be > 0, got ",
               gradient_accumulation_steps);
  AFINAR_CHECK(learning_rate >= 0, "learning_rate must be >= 0, got ", learning_rate);
  AFINAR_CHECK(warmup_steps >= 0, "warmup_steps must be >= 0, got ", warmup_steps);
  // transformers' messages.
  AFINAR_CHECK(!(fp16 && bf16), "At most one of fp16 and bf16 can be True, but not both");
  AFINAR_CHECK(!(fp16_full_eval && bf16_full_eval),
               "At most one of fp16 and bf16 can be True for full eval, but not both");
  // HF: "if eval_strategy is not no, do_eval is set"; eval_steps default to logging_steps.
  if (eval_strategy != "no") do_eval = true;
  if (eval_strategy == "steps" && !eval_steps) eval_steps = logging_steps;
  if (eval_strategy == "steps") AFINAR_CHECK(*eval_steps > 0, "eval_strategy steps requires a non-zero --eval_steps");
  if (logging_strategy == "steps")
    AFINAR_CHECK(logging_steps > 0, "logging strategy steps requires non-zero --logging_steps");
  if (save_strategy == "steps") AFINAR_CHECK(save_steps > 0, "save strategy steps requires non-zero --save_steps");
  // HF's rules for keeping the best model (and for the plateau schedule, which reads the metric).
  if (lr_scheduler_type == "reduce_lr_on_plateau")
    AFINAR_CHECK(eval_strategy != "no", "lr_scheduler_type reduce_lr_on_plateau requires an eval strategy");
  if ((load_best_model_at_end || lr_scheduler_type == "reduce_lr_on_plateau") && !metric_for_best_model)
    metric_for_best_model = "loss";
  if (metric_for_best_model && !greater_is_better) {
    const auto& m = *metric_for_best_model;
    greater_is_better =
        !(m == "loss" || m == "eval_loss" || (m.size() >= 4 && m.compare(m.size() - 4, 4, "loss") == 0));
  }
  if (load_best_model_at_end)
    AFINAR_CHECK(
        eval_strategy == save_strategy,
        "--load_best_model_at_end requires the save and eval strategy to match, but found\n- Evaluation strategy: ",
        eval_strategy, "\n- Save strategy: ", save_strategy);
}

json TrainingArguments::to_json() const {
  json j = json::object();
  j["output_dir"] = output_dir;
  for (const auto& f : kKnownFields) {
    auto it = bindings().find(f.name);
    j[f.name] = it != bindings().end() ? it->second.get(*this) : others_.at(f.name);
  }
  if (j["hub_token"].is_string()) j["hub_token"] = "<HUB_TOKEN>";
  return j;
}

}  // namespace afinar
