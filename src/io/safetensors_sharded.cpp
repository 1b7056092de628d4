// Sharded checkpoints as transformers' save_pretrained(max_shard_size=...) writes them: the split
// of huggingface_hub.serialization._base.split_state_dict_into_shards_factory, the index file of
// modeling_utils.PreTrainedModel.save_pretrained and its clean-up of an earlier save's shards.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <tuple>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/io/safetensors.h"

namespace afinar::io {

uint64_t parse_size_to_int(const std::string& size) {
  const char* ws = " \t\n\r\f\v";
  const size_t first = size.find_first_not_of(ws);
  const std::string s = first == std::string::npos ? "" : size.substr(first, size.find_last_not_of(ws) - first + 1);
  if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos) return std::stoull(s);
  // huggingface_hub: the last two characters are the unit, the rest (stripped) a Python float.
  static const std::pair<const char*, double> kUnits[] = {{"TB", 1e12}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}};
  std::string unit = s.size() >= 2 ? s.substr(s.size() - 2) : s;
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  double multiplier = 0;
  for (const auto& [name, m] : kUnits)
    if (unit == name) multiplier = m;
  AFINAR_CHECK(multiplier > 0, "max_shard_size '", size, "': unit '", unit,
               "' not supported (supported: TB, GB, MB, KB, decimal; e.g. \"200MB\", \"5GB\")");
  std::string number = s.substr(0, s.size() - 2);
  const size_t b = number.find_first_not_of(ws);
  number = b == std::string::npos ? "" : number.substr(b, number.find_last_not_of(ws) - b + 1);
  char* end = nullptr;
  const double value = number.empty() ? NAN : std::strtod(number.c_str(), &end);
  AFINAR_CHECK(!number.empty() && end == number.c_str() + number.size() && std::isfinite(value) && value >= 0,
               "max_shard_size '", size, "': could not parse the size value '", number, "'");
  return static_cast<uint64_t>(value * multiplier);  // Python's int(value * multiplier) truncates
}

StateDictSplit split_state_dict_into_shards(const OrderedTensors& state_dict, uint64_t max_shard_size,
                                            const std::string& filename_pattern) {
  // Storage identity as get_torch_storage_id: (storage data pointer, device, storage bytes).
  using StorageId = std::tuple<const void*, std::string, size_t>;
  std::vector<std::pair<StorageId, std::vector<std::string>>> storage_groups;
  std::map<StorageId, size_t> group_of;
  std::vector<std::vector<std::string>> shards;
  std::vector<std::string> current;
  uint64_t current_size = 0;
  StateDictSplit out;
  for (const auto& [name, t] : state_dict) {
    AFINAR_CHECK(t.defined(), "save_pretrained: tensor '", name, "' is undefined");
    const size_t bytes = t.storage().nbytes();
    const StorageId id{t.storage().data(), t.device().str(), bytes};
    auto [it, fresh] = group_of.emplace(id, storage_groups.size());
    if (!fresh) {  // tied to an earlier tensor: placed with it below, not counted again
      storage_groups[it->second].second.push_back(name);
      continue;
    }
    storage_groups.push_back({id, {name}});
    if (bytes > max_shard_size) {  // too big for any shard: one of its own, the current one stays open
      out.total_size += bytes;
      shards.push_back({name});
      continue;
    }
    if (current_size + bytes > max_shard_size) {
      shards.push_back(std::move(current));
      current.clear();
      current_size = 0;
    }
    current.push_back(name);
    current_size += bytes;
    out.total_size += bytes;
  }
  if (!current.empty()) shards.push_back(std::move(current));
  for (const auto& [id, names] : storage_groups)
    for (auto& shard : shards)
      if (std::find(shard.begin(), shard.end(), names[0]) != shard.end()) {
        shard.insert(shard.end(), names.begin() + 1, names.end());
        break;
      }

  const size_t n = shards.size();
  auto file_name = [&](const std::string& suffix) {
    std::string f = filename_pattern;
    const size_t at = f.find("{suffix}");
    AFINAR_CHECK(at != std::string::npos, "filename_pattern '", filename_pattern, "' has no {suffix}");
    return f.replace(at, 8, suffix);
  };
  if (n <= 1) {  // one file, every tensor (an empty state dict too, as huggingface_hub)
    std::vector<std::string> all;
    for (const auto& kv : state_dict) all.push_back(kv.first);
    const std::string f = file_name("");
    for (const auto& name : all) out.tensor_to_filename[name] = f;
    out.filename_to_tensors.emplace_back(f, std::move(all));
    return out;
  }
  for (size_t i = 0; i < n; ++i) {
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, "-%05zu-of-%05zu", i + 1, n);
    const std::string f = file_name(suffix);
    for (const auto& name : shards[i]) out.tensor_to_filename[name] = f;
    out.filename_to_tensors.emplace_back(f, std::move(shards[i]));
  }
  return out;
}

void save_checkpoint_weights(const fs::path& folder, const OrderedTensors& state_dict,
                             const std::string& max_shard_size, std::optional<int64_t> total_parameters) {
  const StateDictSplit split = split_state_dict_into_shards(state_dict, parse_size_to_int(max_shard_size));
  std::map<std::string, const torch::Tensor*> by_name;
  for (const auto& [name, t] : state_dict)
    AFINAR_CHECK(by_name.emplace(name, &t).second, "save_pretrained: tensor name '", name, "' appears twice");
  fs::create_directories(folder);
  std::set<std::string> written;
  for (const auto& [file, names] : split.filename_to_tensors) {
    TensorMap shard;
    for (const auto& name : names) shard.emplace(name, *by_name.at(name));
    save_safetensors(folder / file, shard);
    written.insert(file);
  }
  if (split.is_sharded()) {
    nlohmann::json index;  // std::map-backed: keys sorted, as json.dumps(sort_keys=True)
    if (total_parameters) index["metadata"]["total_parameters"] = *total_parameters;
    index["metadata"]["total_size"] = split.total_size;
    index["weight_map"] = split.tensor_to_filename;
    write_file_atomic(folder / "model.safetensors.index.json", index.dump(2) + "\n");
    written.insert("model.safetensors.index.json");
  }
  // Only now, with the new weights complete, the old ones go. transformers' rule: a regular file
  // starting with "model" whose name, less ".safetensors"/".bin", is "<x>-NNNNN-of-NNNNN".
  static const std::regex kShard("(.*?)-[0-9]{5}-of-[0-9]{5}");
  auto strip_all = [](std::string s, const std::string& what) {
    for (size_t at; (at = s.find(what)) != std::string::npos;) s.erase(at, what.size());
    return s;
  };
  bool removed = false;
  for (const auto& e : fs::directory_iterator(folder)) {
    const std::string name = e.path().filename().string();
    if (written.count(name) || !e.is_regular_file()) continue;
    const bool stale_shard =
        name.rfind("model", 0) == 0 && std::regex_match(strip_all(strip_all(name, ".bin"), ".safetensors"), kShard);
    const bool stale_other = name == "model.safetensors" || name == "model.safetensors.index.json";
    if (stale_shard || stale_other) removed |= fs::remove(e.path());
  }
  if (removed) fsync_path(folder);
}

}  // namespace afinar::io
