// Dataset::image / Dataset::audio: one value of an Image/Audio column, decoded on access.
#include <arrow/api.h>

#include "afinar/core/fs.h"
#include "afinar/data/dataset.h"
#include "readers.h"

namespace afinar {
namespace {

struct Encoded {
  std::string bytes, path;
};

Encoded encoded_value(const Dataset& ds, const std::string& column, int64_t row, Feature::Kind kind) {
  const Feature f = ds.features()[column];
  AFINAR_CHECK(f.kind() == kind, "column '", column, "' is ", f.repr(), ", not ",
               kind == Feature::Kind::Image ? "an Image" : "an Audio", " feature");
  AFINAR_CHECK(f.decode(), "column '", column, "': Decoding is disabled for this feature (", f.repr(), ")");
  AFINAR_CHECK(row >= 0 && row < ds.num_rows(), "row ", row, " out of range for ", ds.num_rows(), " rows");
  auto scalar = data::unwrap(ds.column(column)->GetScalar(row), column);
  const auto& st = static_cast<const arrow::StructScalar&>(*scalar);
  AFINAR_CHECK_FORMAT(st.is_valid, "column '", column, "' row ", row, ": the value is None");
  Encoded e;
  const auto& b = st.value[0];
  const auto& p = st.value[1];
  if (p && p->is_valid) e.path = static_cast<const arrow::StringScalar&>(*p).value->ToString();
  if (b && b->is_valid) {
    e.bytes = static_cast<const arrow::BinaryScalar&>(*b).value->ToString();
  } else {
    AFINAR_CHECK_FORMAT(!e.path.empty(), "column '", column, "' row ", row, ": neither bytes nor path");
    e.bytes = read_file(e.path);
  }
  return e;
}

std::string where(const std::string& column, int64_t row, const std::string& path) {
  if (path.empty()) return detail::concat("column '", column, "' row ", row);
  return detail::concat("column '", column, "' row ", row, " (", path, ")");
}

}  // namespace

DecodedImage Dataset::image(const std::string& column, int64_t row) const {
  const Encoded e = encoded_value(*this, column, row, Feature::Kind::Image);
  return decode_image(e.bytes, features()[column].mode(), where(column, row, e.path));
}

DecodedAudio Dataset::audio(const std::string& column, int64_t row) const {
  const Encoded e = encoded_value(*this, column, row, Feature::Kind::Audio);
  const Feature f = features()[column];
  DecodedAudio a = decode_audio(e.bytes, f.sampling_rate(), f.num_channels(), where(column, row, e.path));
  a.path = e.path;
  return a;
}

}  // namespace afinar
