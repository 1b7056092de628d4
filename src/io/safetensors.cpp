#include "afinar/io/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"

namespace afinar::io {

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian; a big-endian host would need byte swaps");

namespace {

struct DtypeInfo {
  const char* name;
  torch::ScalarType type;
  size_t size;
};

constexpr DtypeInfo kDtypes[] = {
    {"F32", torch::kFloat, 4}, {"F16", torch::kHalf, 2}, {"BF16", torch::kBFloat16, 2},
    {"F64", torch::kDouble, 8}, {"I64", torch::kLong, 8}, {"I32", torch::kInt, 4},
    {"I16", torch::kShort, 2}, {"I8", torch::kChar, 1},  {"U8", torch::kByte, 1},
    {"BOOL", torch::kBool, 1},
};

const DtypeInfo* find_dtype(const std::string& name) {
  for (const auto& d : kDtypes)
    if (name == d.name) return &d;
  return nullptr;
}

const DtypeInfo& find_dtype(torch::ScalarType type) {
  for (const auto& d : kDtypes)
    if (type == d.type) return d;
  throw InvalidArgument(detail::concat("safetensors: unsupported tensor dtype ", type));
}

/// Position of the first byte that breaks UTF-8 (overlong forms and surrogates included), or npos.
size_t invalid_utf8_at(std::string_view s) {
  size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  while (i < s.size()) {
    unsigned c = p[i];
    size_t len;
    uint32_t cp;
    if (c < 0x80) { ++i; continue; }
    if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
    else return i;
    if (i + len > s.size()) return i;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    const uint32_t min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string_view::npos;
}

uint64_t as_u64(const nlohmann::json& v, const std::string& src, const std::string& what) {
  AFINAR_CHECK_FORMAT(v.is_number_unsigned(), src, ": ", what, " must be a non-negative integer, got ",
                      v.dump());
  return v.get<uint64_t>();
}

struct Entry {
  std::string name;
  const DtypeInfo* dtype;
  std::vector<int64_t> shape;
  uint64_t begin, end;
};

Entry parse_entry(const std::string& name, const nlohmann::json& v, uint64_t data_size,
                  const std::string& src) {
  const std::string where = src + ": tensor '" + name + "'";
  AFINAR_CHECK_FORMAT(v.is_object(), where, ": header entry must be an object, got ", v.dump());
  AFINAR_CHECK_FORMAT(v.contains("dtype") && v["dtype"].is_string(), where, ": missing string 'dtype'");
  AFINAR_CHECK_FORMAT(v.contains("shape") && v["shape"].is_array(), where, ": missing array 'shape'");
  AFINAR_CHECK_FORMAT(v.contains("data_offsets") && v["data_offsets"].is_array() &&
                          v["data_offsets"].size() == 2,
                      where, ": 'data_offsets' must be [begin, end]");
  Entry e{name, find_dtype(v["dtype"].get<std::string>()), {}, 0, 0};
  AFINAR_CHECK_FORMAT(e.dtype != nullptr, where, ": unsupported dtype '", v["dtype"].get<std::string>(),
                      "' (supported: F32 F16 BF16 F64 I64 I32 I16 I8 U8 BOOL)");
  uint64_t nbytes = e.dtype->size;
  for (const auto& d : v["shape"]) {
    uint64_t n = as_u64(d, where, "each shape dimension");
    AFINAR_CHECK_FORMAT(n <= uint64_t(INT64_MAX) && !__builtin_mul_overflow(nbytes, n, &nbytes), where,
                        ": shape ", v["shape"].dump(), " is too large (byte size overflows)");
    e.shape.push_back(static_cast<int64_t>(n));
  }
  e.begin = as_u64(v["data_offsets"][0], where, "data_offsets[0]");
  e.end = as_u64(v["data_offsets"][1], where, "data_offsets[1]");
  AFINAR_CHECK_FORMAT(e.begin <= e.end, where, ": data_offsets [", e.begin, ", ", e.end,
                      "] end before begin");
  AFINAR_CHECK_FORMAT(e.end <= data_size, where, ": data_offsets [", e.begin, ", ", e.end,
                      "] past the end of the data (", data_size, " bytes)");
  AFINAR_CHECK_FORMAT(e.end - e.begin == nbytes, where, ": data_offsets [", e.begin, ", ", e.end,
                      "] hold ", e.end - e.begin, " bytes but dtype ", e.dtype->name, " shape ",
                      v["shape"].dump(), " needs ", nbytes);
  return e;
}

/// A read-only memory map of a whole file, unmapped on destruction.
class MappedFile {
 public:
  explicit MappedFile(const fs::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY);
    AFINAR_CHECK_FORMAT(fd >= 0, path.string(), ": cannot open safetensors file: ", std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      ::close(fd);
      throw FormatError(detail::concat(path.string(), ": cannot stat file"));
    }
    size_ = static_cast<size_t>(st.st_size);
    if (size_ > 0) {
      void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        int err = errno;
        ::close(fd);
        throw FormatError(detail::concat(path.string(), ": cannot memory-map file: ", std::strerror(err)));
      }
      data_ = static_cast<const char*>(p);
    }
    ::close(fd);
  }
  ~MappedFile() {
    if (data_) ::munmap(const_cast<char*>(data_), size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  std::string_view bytes() const { return {data_ ? data_ : "", size_}; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace

std::string dtype_name(torch::ScalarType dtype) { return find_dtype(dtype).name; }

TensorMap parse_safetensors(std::string_view bytes, const std::string& src, Metadata* metadata) {
  AFINAR_CHECK_FORMAT(bytes.size() >= 8, src, ": file is ", bytes.size(),
                      " bytes, too short for the 8-byte header length (truncated?)");
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  AFINAR_CHECK_FORMAT(n <= kMaxHeaderSize, src, ": header length ", n, " exceeds the limit of ",
                      kMaxHeaderSize, " bytes");
  AFINAR_CHECK_FORMAT(n <= bytes.size() - 8, src, ": header length ", n, " exceeds the file size (",
                      bytes.size(), " bytes; truncated?)");
  std::string_view text = bytes.substr(8, n);
  size_t bad = invalid_utf8_at(text);
  AFINAR_CHECK_FORMAT(bad == std::string_view::npos, src, ": header is not valid UTF-8 (byte ", bad,
                      " of the header)");
  AFINAR_CHECK_FORMAT(!text.empty() && text[0] == '{', src, ": header does not start with '{'");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for a number like 1e999
    throw FormatError(detail::concat(src, ": header is not valid JSON: ", e.what()));
  }
  AFINAR_CHECK_FORMAT(header.is_object(), src, ": header must be a JSON object");

  const uint64_t data_size = bytes.size() - 8 - n;
  const char* data = bytes.data() + 8 + n;
  std::vector<Entry> entries;
  for (const auto& [key, value] : header.items()) {
    if (key == "__metadata__") {
      AFINAR_CHECK_FORMAT(value.is_object(), src, ": __metadata__ must be an object");
      for (const auto& [mk, mv] : value.items()) {
        AFINAR_CHECK_FORMAT(mv.is_string(), src, ": __metadata__['", mk, "'] must be a string");
        if (metadata) (*metadata)[mk] = mv.get<std::string>();
      }
      continue;
    }
    entries.push_back(parse_entry(key, value, data_size, src));
  }
  // No two tensors may share bytes: sort by range and compare neighbours.
  std::vector<const Entry*> by_offset;
  for (const auto& e : entries)
    if (e.end > e.begin) by_offset.push_back(&e);
  std::sort(by_offset.begin(), by_offset.end(),
            [](const Entry* a, const Entry* b) { return a->begin < b->begin; });
  for (size_t i = 1; i < by_offset.size(); ++i) {
    const Entry& a = *by_offset[i - 1];
    const Entry& b = *by_offset[i];
    AFINAR_CHECK_FORMAT(b.begin >= a.end, src, ": tensors '", a.name, "' [", a.begin, ", ", a.end,
                        ") and '", b.name, "' [", b.begin, ", ", b.end, ") overlap");
  }

  TensorMap out;
  for (const auto& e : entries) {
    torch::Tensor t = torch::empty(e.shape, torch::TensorOptions().dtype(e.dtype->type));
    if (e.end > e.begin) std::memcpy(t.data_ptr(), data + e.begin, e.end - e.begin);
    out.emplace(e.name, std::move(t));
  }
  return out;
}

TensorMap load_safetensors(const fs::path& path, Metadata* metadata) {
  MappedFile file(path);
  return parse_safetensors(file.bytes(), path.string(), metadata);
}

std::string serialize_safetensors(const TensorMap& tensors, const Metadata& metadata) {
  // As the Rust library: larger element sizes first (keeps every tensor aligned), then by name.
  std::vector<std::pair<std::string, torch::Tensor>> items;
  for (const auto& [name, t] : tensors) {
    AFINAR_CHECK(t.defined(), "safetensors: tensor '", name, "' is undefined");
    items.emplace_back(name, t.detach().to(torch::kCPU).contiguous());
  }
  std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
    return a.second.element_size() > b.second.element_size();
  });
  nlohmann::ordered_json header;
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& [name, t] : items) {
    uint64_t nbytes = t.nbytes();
    header[name] = {{"dtype", dtype_name(t.scalar_type())},
                    {"shape", t.sizes().vec()},
                    {"data_offsets", {offset, offset + nbytes}}};
    offset += nbytes;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const nlohmann::json::type_error& e) {
    throw InvalidArgument(detail::concat("safetensors: a tensor name is not valid UTF-8: ", e.what()));
  }
  text.append((8 - text.size() % 8) % 8, ' ');
  std::string out;
  out.reserve(8 + text.size() + offset);
  uint64_t n = text.size();
  out.append(reinterpret_cast<const char*>(&n), 8);
  out += text;
  for (const auto& [name, t] : items) out.append(static_cast<const char*>(t.data_ptr()), t.nbytes());
  return out;
}

void save_safetensors(const fs::path& path, const TensorMap& tensors, const Metadata& metadata) {
  write_file_atomic(path, serialize_safetensors(tensors, metadata));
}

TensorMap load_checkpoint_weights(const fs::path& folder) {
  fs::path single = folder / "model.safetensors";
  if (fs::exists(single)) return load_safetensors(single);
  fs::path index_path = folder / "model.safetensors.index.json";
  if (!fs::exists(index_path)) {
    AFINAR_CHECK_FORMAT(!fs::exists(folder / "pytorch_model.bin"), folder.string(),
                        ": only pytorch_model.bin found; afinar reads safetensors weights only "
                        "(HINT: convert with transformers' save_pretrained(safe_serialization=True))");
    throw FormatError(detail::concat(folder.string(),
                                     ": no model.safetensors or model.safetensors.index.json"));
  }
  nlohmann::json index;
  try {
    index = nlohmann::json::parse(read_file(index_path));
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(detail::concat(index_path.string(), ": not valid JSON: ", e.what()));
  }
  AFINAR_CHECK_FORMAT(index.contains("weight_map") && index["weight_map"].is_object(),
                      index_path.string(), ": missing object 'weight_map'");
  std::set<std::string> shards;
  for (const auto& [name, file] : index["weight_map"].items()) {
    AFINAR_CHECK_FORMAT(file.is_string(), index_path.string(), ": weight_map['", name,
                        "'] must be a file name");
    shards.insert(file.get<std::string>());
  }
  TensorMap out;
  for (const auto& shard : shards) {
    AFINAR_CHECK_FORMAT(fs::path(shard).filename() == fs::path(shard), index_path.string(),
                        ": shard '", shard, "' must be a plain file name in the folder");
    TensorMap part = load_safetensors(folder / shard);
    for (auto& [name, t] : part) {
      AFINAR_CHECK_FORMAT(out.emplace(name, std::move(t)).second, folder.string(), ": tensor '", name,
                          "' appears in more than one shard");
    }
  }
  for (const auto& [name, file] : index["weight_map"].items())
    AFINAR_CHECK_FORMAT(out.count(name), index_path.string(), ": tensor '", name, "' not found in ",
                        file.get<std::string>());
  return out;
}

}  // namespace afinar::io
