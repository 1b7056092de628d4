#include "afinar/io/npy.h"

#include <cstring>
#include <regex>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"

namespace afinar {
namespace {

const char kMagic[] = "\x93NUMPY";

const char* descr_of(torch::ScalarType t) {
  switch (t) {
    case torch::kFloat32: return "<f4";
    case torch::kFloat64: return "<f8";
    case torch::kInt64: return "<i8";
    case torch::kInt32: return "<i4";
    default: return nullptr;
  }
}

}  // namespace

void save_npy(const std::filesystem::path& path, const torch::Tensor& tensor) {
  auto t = tensor.detach().to(torch::kCPU).contiguous();
  const char* descr = descr_of(t.scalar_type());
  AFINAR_CHECK(descr != nullptr, path.string(), ": cannot write dtype ", t.scalar_type(), " as .npy");
  std::string shape = "(";
  for (int64_t d : t.sizes()) shape += std::to_string(d) + ", ";
  if (t.dim() > 1) shape.erase(shape.size() - 2);  // numpy writes (N,) for 1-D, (N, C) otherwise
  else if (t.dim() == 1) shape.pop_back();
  shape += ")";
  std::string header = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Total header (magic 6 + version 2 + length 2 + dict + '\n') padded to a multiple of 64.
  const size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::string out(kMagic, 6);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>((header.size() >> 8) & 0xff);
  out += header;
  out.append(static_cast<const char*>(t.data_ptr()), t.numel() * t.element_size());
  write_file_atomic(path, out);
}

torch::Tensor load_npy(const std::filesystem::path& path) {
  const std::string data = read_file(path);
  AFINAR_CHECK_FORMAT(data.size() >= 10 && data.compare(0, 6, std::string(kMagic, 6)) == 0, path.string(),
                      ": not a .npy file (bad magic)");
  AFINAR_CHECK_FORMAT(data[6] == 1, path.string(), ": .npy version ", int(data[6]), " not supported (only 1.0)");
  const size_t hlen = static_cast<unsigned char>(data[8]) | (static_cast<size_t>(static_cast<unsigned char>(data[9])) << 8);
  AFINAR_CHECK_FORMAT(10 + hlen <= data.size(), path.string(), ": header length ", hlen, " past the end of the file");
  const std::string header = data.substr(10, hlen);
  std::smatch m;
  AFINAR_CHECK_FORMAT(std::regex_search(header, m, std::regex("'descr': *'([<|][a-z][0-9])'")), path.string(), ": no descr in header");
  const std::string descr = m[1];
  AFINAR_CHECK_FORMAT(header.find("'fortran_order': False") != std::string::npos, path.string(), ": fortran_order not supported");
  AFINAR_CHECK_FORMAT(std::regex_search(header, m, std::regex("'shape': *\\(([0-9, ]*)\\)")), path.string(), ": no shape in header");
  std::vector<int64_t> shape;
  const std::string dims = m[1];
  static const std::regex kNumber("[0-9]+");
  for (std::sregex_iterator it(dims.begin(), dims.end(), kNumber), end; it != end; ++it)
    shape.push_back(std::stoll(it->str()));
  torch::ScalarType type;
  if (descr == "<f4") type = torch::kFloat32;
  else if (descr == "<f8") type = torch::kFloat64;
  else if (descr == "<i8") type = torch::kInt64;
  else if (descr == "<i4") type = torch::kInt32;
  else throw FormatError(detail::concat(path.string(), ": dtype ", descr, " not supported"));
  auto t = torch::empty(shape, type);
  const size_t bytes = t.numel() * t.element_size();
  AFINAR_CHECK_FORMAT(10 + hlen + bytes == data.size(), path.string(), ": expected ", bytes, " data bytes, found ",
                      data.size() - 10 - hlen);
  std::memcpy(t.data_ptr(), data.data() + 10 + hlen, bytes);
  return t;
}

}  // namespace afinar
