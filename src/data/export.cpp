// Dataset.to_parquet / to_csv / to_json. Every file is written to a temp name, fsynced and
// renamed, so a failed export leaves nothing behind.
#include <arrow/api.h>
#include <arrow/csv/api.h>
#include <arrow/io/api.h>
#include <parquet/arrow/writer.h>

#include <charconv>
#include <cmath>
#include <unistd.h>

#include "afinar/core/fs.h"
#include "afinar/data/dataset.h"
#include "readers.h"

namespace afinar {
namespace {

using data::check_ok;
using data::unwrap;

/// Runs `write(tmp)` then renames tmp over `file`; removes tmp on failure.
template <typename Fn>
void write_atomically(const fs::path& file, Fn write) {
  if (file.has_parent_path()) fs::create_directories(file.parent_path());
  fs::path tmp = file;
  tmp += ".tmp." + std::to_string(::getpid());
  try {
    write(tmp);
    fsync_path(tmp);
    fs::rename(tmp, file);
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
}

void json_string(std::string_view s, std::string& out) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += char(c);
        }
    }
  }
  out += '"';
}

void json_double(double v, std::string& out) {
  if (!std::isfinite(v)) {
    out += "null";  // JSON has no NaN/Infinity; pandas writes null too
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, end);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  out += s;
}

/// One value of `a` at row `i` as JSON.
void json_value(const arrow::Array& a, int64_t i, std::string& out) {
  using arrow::Type;
  if (a.IsNull(i)) {
    out += "null";
    return;
  }
  switch (a.type_id()) {
    case Type::BOOL: out += static_cast<const arrow::BooleanArray&>(a).Value(i) ? "true" : "false"; return;
    case Type::INT8: out += std::to_string(static_cast<const arrow::Int8Array&>(a).Value(i)); return;
    case Type::INT16: out += std::to_string(static_cast<const arrow::Int16Array&>(a).Value(i)); return;
    case Type::INT32: out += std::to_string(static_cast<const arrow::Int32Array&>(a).Value(i)); return;
    case Type::INT64: out += std::to_string(static_cast<const arrow::Int64Array&>(a).Value(i)); return;
    case Type::UINT8: out += std::to_string(static_cast<const arrow::UInt8Array&>(a).Value(i)); return;
    case Type::UINT16: out += std::to_string(static_cast<const arrow::UInt16Array&>(a).Value(i)); return;
    case Type::UINT32: out += std::to_string(static_cast<const arrow::UInt32Array&>(a).Value(i)); return;
    case Type::UINT64: out += std::to_string(static_cast<const arrow::UInt64Array&>(a).Value(i)); return;
    case Type::FLOAT: json_double(static_cast<const arrow::FloatArray&>(a).Value(i), out); return;
    case Type::DOUBLE: json_double(static_cast<const arrow::DoubleArray&>(a).Value(i), out); return;
    case Type::STRING: json_string(static_cast<const arrow::StringArray&>(a).GetView(i), out); return;
    case Type::LARGE_STRING: json_string(static_cast<const arrow::LargeStringArray&>(a).GetView(i), out); return;
    case Type::LIST:
    case Type::LARGE_LIST:
    case Type::FIXED_SIZE_LIST: {
      std::shared_ptr<arrow::Array> items;
      if (a.type_id() == Type::LIST) items = static_cast<const arrow::ListArray&>(a).value_slice(i);
      else if (a.type_id() == Type::LARGE_LIST) items = static_cast<const arrow::LargeListArray&>(a).value_slice(i);
      else items = static_cast<const arrow::FixedSizeListArray&>(a).value_slice(i);
      out += '[';
      for (int64_t k = 0; k < items->length(); ++k) {
        if (k) out += ", ";
        json_value(*items, k, out);
      }
      out += ']';
      return;
    }
    case Type::STRUCT: {
      const auto& st = static_cast<const arrow::StructArray&>(a);
      out += '{';
      for (int f = 0; f < st.num_fields(); ++f) {
        if (f) out += ", ";
        json_string(st.type()->field(f)->name(), out);
        out += ": ";
        json_value(*st.field(f), i, out);
      }
      out += '}';
      return;
    }
    default:
      throw InvalidArgument(detail::concat("to_json: afinar does not write Arrow type ", a.type()->ToString()));
  }
}

}  // namespace

void Dataset::to_parquet(const fs::path& file) const {
  AFINAR_CHECK(table_ != nullptr, "to_parquet on an empty Dataset");
  auto table = data::with_features(table_, features());  // keeps the "huggingface" metadata, as HF
  write_atomically(file, [&](const fs::path& tmp) {
    auto out = unwrap(arrow::io::FileOutputStream::Open(tmp.string()), tmp.string());
    // store_schema as pyarrow: the Arrow schema and its metadata (HF's features) go into the file.
    auto arrow_props = parquet::ArrowWriterProperties::Builder().store_schema()->build();
    check_ok(parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), out, 1 << 16,
                                        parquet::default_writer_properties(), arrow_props),
             file.string());
    check_ok(out->Close(), file.string());
  });
}

void Dataset::to_csv(const fs::path& file) const {
  AFINAR_CHECK(table_ != nullptr, "to_csv on an empty Dataset");
  write_atomically(file, [&](const fs::path& tmp) {
    auto out = unwrap(arrow::io::FileOutputStream::Open(tmp.string()), tmp.string());
    auto opts = arrow::csv::WriteOptions::Defaults();
    // Arrow quotes every string value (pandas only those that need it); both read back the same.
    opts.quoting_style = arrow::csv::QuotingStyle::Needed;
    check_ok(arrow::csv::WriteCSV(*table_, opts, out.get()), "to_csv " + file.string());
    check_ok(out->Close(), file.string());
  });
}

void Dataset::to_json(const fs::path& file) const {
  AFINAR_CHECK(table_ != nullptr, "to_json on an empty Dataset");
  write_atomically(file, [&](const fs::path& tmp) {
    std::string text;
    arrow::TableBatchReader reader(*table_);
    std::shared_ptr<arrow::RecordBatch> batch;
    std::vector<std::string> names;
    for (const auto& f : table_->schema()->fields()) {
      std::string n;
      json_string(f->name(), n);
      names.push_back(n + ": ");
    }
    while (true) {
      check_ok(reader.ReadNext(&batch), "to_json");
      if (!batch) break;
      for (int64_t r = 0; r < batch->num_rows(); ++r) {
        text += '{';
        for (int c = 0; c < batch->num_columns(); ++c) {
          if (c) text += ", ";
          text += names[size_t(c)];
          json_value(*batch->column(c), r, text);
        }
        text += "}\n";
      }
    }
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    AFINAR_CHECK_FORMAT(f != nullptr, tmp.string(), ": cannot create file");
    const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    AFINAR_CHECK_FORMAT(std::fclose(f) == 0 && ok, file.string(), ": write failed");
  });
}

}  // namespace afinar
