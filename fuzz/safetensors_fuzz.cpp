// libFuzzer target: afinar::io::parse_safetensors on arbitrary bytes.
// A clean afinar::FormatError is the expected answer to bad input; anything else — a crash, a
// sanitizer report, another exception type escaping — is a finding. For input that parses, the
// tensors must serialize and parse back to the same names, dtypes, shapes and bytes.
#include <cstdint>
#include <cstring>
#include <string_view>

#include "afinar/core/check.h"
#include "afinar/io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  afinar::io::TensorMap tensors;
  afinar::io::Metadata meta;
  try {
    tensors = afinar::io::parse_safetensors(bytes, "fuzz.safetensors", &meta);
  } catch (const afinar::FormatError&) {
    return 0;
  }
  // Parsed: the writer's bytes must read back to the same tensors.
  const std::string again = afinar::io::serialize_safetensors(tensors, meta);
  afinar::io::Metadata meta2;
  afinar::io::TensorMap back = afinar::io::parse_safetensors(again, "roundtrip", &meta2);
  if (back.size() != tensors.size() || meta2 != meta) __builtin_trap();
  for (const auto& [name, t] : tensors) {
    const auto it = back.find(name);
    if (it == back.end() || it->second.scalar_type() != t.scalar_type() || it->second.sizes() != t.sizes())
      __builtin_trap();
    const size_t n = static_cast<size_t>(t.numel()) * t.element_size();
    if (n && std::memcmp(it->second.data_ptr(), t.data_ptr(), n) != 0) __builtin_trap();
  }
  return 0;
}
