// Features ↔ Arrow types ↔ HF's JSON, and HF's reprs. Mirrors datasets/features/features.py
// (Value, ClassLabel, List, LargeList, Translation, generate_from_arrow_type, Features.to_dict).
#include "afinar/data/features.h"

#include <arrow/api.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>

#include "afinar/core/check.h"
#include "pyrepr.h"

namespace afinar {
namespace {

using nlohmann::ordered_json;
using data::python_list;
using data::python_repr;

std::shared_ptr<arrow::DataType> primitive(const std::string& d) {
  static const std::map<std::string, std::shared_ptr<arrow::DataType>> table = {
      {"null", arrow::null()},         {"bool", arrow::boolean()},          {"int8", arrow::int8()},
      {"int16", arrow::int16()},       {"int32", arrow::int32()},           {"int64", arrow::int64()},
      {"uint8", arrow::uint8()},       {"uint16", arrow::uint16()},         {"uint32", arrow::uint32()},
      {"uint64", arrow::uint64()},     {"float16", arrow::float16()},       {"float32", arrow::float32()},
      {"float64", arrow::float64()},   {"string", arrow::utf8()},           {"large_string", arrow::large_utf8()},
      {"binary", arrow::binary()},     {"large_binary", arrow::large_binary()}, {"date32", arrow::date32()},
      {"date64", arrow::date64()}};
  auto it = table.find(d);
  return it == table.end() ? nullptr : it->second;
}

std::string canonical_dtype(const std::string& d) {
  if (d == "float") return "float32";
  if (d == "double") return "float64";
  if (d == "half") return "float16";
  return d;
}

arrow::TimeUnit::type time_unit(const std::string& u, const std::string& dtype) {
  if (u == "s") return arrow::TimeUnit::SECOND;
  if (u == "ms") return arrow::TimeUnit::MILLI;
  if (u == "us") return arrow::TimeUnit::MICRO;
  if (u == "ns") return arrow::TimeUnit::NANO;
  throw InvalidArgument("Value('" + dtype + "'): unknown time unit '" + u + "'; units: s, ms, us, ns");
}

const char* unit_name(arrow::TimeUnit::type u) {
  switch (u) {
    case arrow::TimeUnit::SECOND: return "s";
    case arrow::TimeUnit::MILLI: return "ms";
    case arrow::TimeUnit::MICRO: return "us";
    default: return "ns";
  }
}

/// Arrow type of a Value dtype, or nullptr when unknown.
std::shared_ptr<arrow::DataType> dtype_to_arrow(const std::string& d) {
  if (auto t = primitive(d)) return t;
  static const std::regex unit_re(R"((time32|time64|duration|timestamp)\[(\w+)(?:, tz=([^\]]+))?\])");
  std::smatch m;
  if (!std::regex_match(d, m, unit_re)) return nullptr;
  const auto unit = time_unit(m[2].str(), d);
  const std::string kind = m[1].str();
  if (kind == "timestamp") return arrow::timestamp(unit, m[3].str());
  if (m[3].matched) return nullptr;
  if (kind == "duration") return arrow::duration(unit);
  if (kind == "time32") return arrow::time32(unit);
  return arrow::time64(unit);
}

/// HF's _arrow_to_datasets_dtype.
std::string arrow_to_dtype(const arrow::DataType& t) {
  using arrow::Type;
  switch (t.id()) {
    case Type::NA: return "null";
    case Type::BOOL: return "bool";
    case Type::HALF_FLOAT: return "float16";
    case Type::FLOAT: return "float32";
    case Type::DOUBLE: return "float64";
    case Type::STRING: return "string";
    case Type::LARGE_STRING: return "large_string";
    case Type::DATE32: return "date32";
    case Type::DATE64: return "date64";
    case Type::TIMESTAMP: {
      const auto& ts = static_cast<const arrow::TimestampType&>(t);
      std::string out = std::string("timestamp[") + unit_name(ts.unit());
      if (!ts.timezone().empty()) out += ", tz=" + ts.timezone();
      return out + "]";
    }
    case Type::TIME32: return std::string("time32[") + unit_name(static_cast<const arrow::Time32Type&>(t).unit()) + "]";
    case Type::TIME64: return std::string("time64[") + unit_name(static_cast<const arrow::Time64Type&>(t).unit()) + "]";
    case Type::DURATION:
      return std::string("duration[") + unit_name(static_cast<const arrow::DurationType&>(t).unit()) + "]";
    default: break;
  }
  const std::string s = t.ToString();  // int8..uint64, binary, large_binary
  if (primitive(s)) return s;
  throw InvalidArgument("Arrow type " + t.ToString() + " has no HF Value dtype in afinar");
}

void expect(bool ok, const char* what, Feature::Kind got) {
  AFINAR_CHECK(ok, "Feature::", what, " called on a feature of another kind (kind ", int(got), ")");
}

}  // namespace

Feature Feature::value(const std::string& dtype) {
  Feature f;
  f.dtype_ = canonical_dtype(dtype);
  AFINAR_CHECK(dtype_to_arrow(f.dtype_) != nullptr, "Value('", dtype,
               "'): unknown dtype; HINT: use bool, int8..int64, uint8..uint64, float16/32/64, string, "
               "large_string, binary, date32, timestamp[unit]");
  return f;
}

Feature Feature::class_label(std::vector<std::string> names) {
  Feature f;
  f.kind_ = Kind::ClassLabel;
  f.strings_ = std::move(names);
  return f;
}

Feature Feature::class_label(int64_t num_classes) {
  AFINAR_CHECK(num_classes >= 0, "ClassLabel(num_classes=", num_classes, "): must be >= 0");
  std::vector<std::string> names;
  for (int64_t i = 0; i < num_classes; ++i) names.push_back(std::to_string(i));
  return class_label(std::move(names));
}

Feature Feature::list(Feature item, int64_t length) {
  Feature f;
  f.kind_ = Kind::List;
  f.item_ = std::make_shared<Feature>(std::move(item));
  f.length_ = length < 0 ? -1 : length;
  return f;
}

Feature Feature::large_list(Feature item) {
  Feature f = list(std::move(item));
  f.kind_ = Kind::LargeList;
  return f;
}

Feature Feature::structure(FeatureFields fields) {
  Feature f;
  f.kind_ = Kind::Struct;
  f.fields_ = std::make_shared<FeatureFields>(std::move(fields));
  return f;
}

Feature Feature::translation(std::vector<std::string> languages) {
  Feature f;
  f.kind_ = Kind::Translation;
  f.strings_ = std::move(languages);
  return f;
}

Feature Feature::audio(int64_t sampling_rate, bool decode, int64_t num_channels, int64_t stream_index) {
  Feature f;
  f.kind_ = Kind::Audio;
  f.sampling_rate_ = sampling_rate > 0 ? sampling_rate : -1;
  f.decode_ = decode;
  f.num_channels_ = num_channels > 0 ? num_channels : -1;
  f.stream_index_ = stream_index >= 0 ? stream_index : -1;
  return f;
}

Feature Feature::image(const std::string& mode, bool decode) {
  Feature f;
  f.kind_ = Kind::Image;
  f.dtype_ = mode;
  f.decode_ = decode;
  return f;
}

int64_t Feature::sampling_rate() const {
  expect(kind_ == Kind::Audio, "sampling_rate", kind_);
  return sampling_rate_;
}
int64_t Feature::num_channels() const {
  expect(kind_ == Kind::Audio, "num_channels", kind_);
  return num_channels_;
}
int64_t Feature::stream_index() const {
  expect(kind_ == Kind::Audio, "stream_index", kind_);
  return stream_index_;
}
const std::string& Feature::mode() const {
  expect(kind_ == Kind::Image, "mode", kind_);
  return dtype_;
}
bool Feature::decode() const {
  expect(kind_ == Kind::Audio || kind_ == Kind::Image, "decode", kind_);
  return decode_;
}

const std::string& Feature::dtype() const {
  expect(kind_ == Kind::Value, "dtype", kind_);
  return dtype_;
}
const std::vector<std::string>& Feature::names() const {
  expect(kind_ == Kind::ClassLabel, "names", kind_);
  return strings_;
}
int64_t Feature::num_classes() const { return int64_t(names().size()); }

int64_t Feature::str2int(const std::string& name) const {
  const auto& n = names();
  auto it = std::find(n.begin(), n.end(), name);
  AFINAR_CHECK(it != n.end(), "Invalid string class label ", name, "; names: ", python_list(n));
  return it - n.begin();
}

std::string Feature::int2str(int64_t id) const {
  const auto& n = names();
  AFINAR_CHECK(id >= 0 && id < int64_t(n.size()), "Invalid integer class label ", id, "; num_classes is ", n.size());
  return n[size_t(id)];
}

const Feature& Feature::feature() const {
  expect(kind_ == Kind::List || kind_ == Kind::LargeList, "feature", kind_);
  return *item_;
}
int64_t Feature::length() const {
  expect(kind_ == Kind::List || kind_ == Kind::LargeList, "length", kind_);
  return length_;
}
const FeatureFields& Feature::fields() const {
  expect(kind_ == Kind::Struct, "fields", kind_);
  return *fields_;
}
const std::vector<std::string>& Feature::languages() const {
  expect(kind_ == Kind::Translation, "languages", kind_);
  return strings_;
}

std::shared_ptr<arrow::DataType> Feature::arrow_type() const {
  switch (kind_) {
    case Kind::Value: return dtype_to_arrow(dtype_);
    case Kind::ClassLabel: return arrow::int64();
    case Kind::List:
      return length_ >= 0 ? arrow::fixed_size_list(item_->arrow_type(), int32_t(length_)) : arrow::list(item_->arrow_type());
    case Kind::LargeList: return arrow::large_list(item_->arrow_type());
    case Kind::Struct: {
      arrow::FieldVector fs;
      for (const auto& [name, f] : *fields_) fs.push_back(arrow::field(name, f.arrow_type()));
      return arrow::struct_(fs);
    }
    case Kind::Translation: {
      auto langs = strings_;
      std::sort(langs.begin(), langs.end());
      arrow::FieldVector fs;
      for (const auto& l : langs) fs.push_back(arrow::field(l, arrow::utf8()));
      return arrow::struct_(fs);
    }
    case Kind::Audio:
    case Kind::Image: return arrow::struct_({arrow::field("bytes", arrow::binary()), arrow::field("path", arrow::utf8())});
  }
  return nullptr;
}

Feature Feature::from_arrow(const arrow::DataType& type) {
  switch (type.id()) {
    case arrow::Type::STRUCT: {
      FeatureFields fs;
      for (const auto& f : type.fields()) fs.emplace_back(f->name(), from_arrow(*f->type()));
      return structure(std::move(fs));
    }
    case arrow::Type::LIST: return list(from_arrow(*type.field(0)->type()));
    case arrow::Type::LARGE_LIST: return large_list(from_arrow(*type.field(0)->type()));
    case arrow::Type::FIXED_SIZE_LIST:
      return list(from_arrow(*type.field(0)->type()), static_cast<const arrow::FixedSizeListType&>(type).list_size());
    default: return value(arrow_to_dtype(type));
  }
}

ordered_json Feature::to_json() const {
  ordered_json j = ordered_json::object();
  switch (kind_) {
    case Kind::Value:
      j["dtype"] = dtype_;
      j["_type"] = "Value";
      break;
    case Kind::ClassLabel:
      j["names"] = strings_;
      j["_type"] = "ClassLabel";
      break;
    case Kind::List:
    case Kind::LargeList:
      j["feature"] = item_->to_json();
      if (kind_ == Kind::List && length_ >= 0) j["length"] = length_;
      j["_type"] = kind_ == Kind::List ? "List" : "LargeList";
      break;
    case Kind::Struct:
      for (const auto& [name, f] : *fields_) j[name] = f.to_json();
      break;
    case Kind::Translation:
      j["languages"] = strings_;
      j["_type"] = "Translation";
      break;
    case Kind::Audio:  // Features.to_dict drops the fields left at their defaults
      if (sampling_rate_ > 0) j["sampling_rate"] = sampling_rate_;
      if (!decode_) j["decode"] = false;
      if (num_channels_ > 0) j["num_channels"] = num_channels_;
      if (stream_index_ >= 0) j["stream_index"] = stream_index_;
      j["_type"] = "Audio";
      break;
    case Kind::Image:
      if (!dtype_.empty()) j["mode"] = dtype_;
      if (!decode_) j["decode"] = false;
      j["_type"] = "Image";
      break;
  }
  return j;
}

Feature Feature::from_json(const ordered_json& j) {
  if (j.is_array()) {  // [feature]: a list, the shorthand of HF's YAML and old JSON
    AFINAR_CHECK_FORMAT(j.size() == 1, "features: a list feature must hold one item, got ", j.dump());
    return list(from_json(j[0]));
  }
  AFINAR_CHECK_FORMAT(j.is_object(), "features: expected an object, got ", j.dump());
  if (!j.contains("_type") || !j["_type"].is_string()) {
    FeatureFields fs;
    for (const auto& [name, sub] : j.items()) fs.emplace_back(name, from_json(sub));
    return structure(std::move(fs));
  }
  const std::string type = j["_type"];
  try {
    if (type == "Value") return value(j.at("dtype").get<std::string>());
    if (type == "ClassLabel") {
      if (j.contains("names") && !j["names"].is_null()) return class_label(j["names"].get<std::vector<std::string>>());
      return class_label(j.at("num_classes").get<int64_t>());
    }
    if (type == "List" || type == "Sequence") {
      const int64_t length = j.value("length", int64_t(-1));
      Feature item = from_json(j.at("feature"));
      // HF 4+: Sequence({"a": x}) is {"a": List(x)}.
      if (type == "Sequence" && item.kind() == Kind::Struct) {
        FeatureFields fs;
        for (const auto& [name, sub] : item.fields()) fs.emplace_back(name, list(sub, length));
        return structure(std::move(fs));
      }
      return list(std::move(item), length);
    }
    if (type == "LargeList") return large_list(from_json(j.at("feature")));
    if (type == "Translation") return translation(j.at("languages").get<std::vector<std::string>>());
    auto opt_int = [&](const char* key) {
      return j.contains(key) && !j[key].is_null() ? j[key].get<int64_t>() : int64_t(-1);
    };
    const bool decode = !j.contains("decode") || j["decode"].is_null() || j["decode"].get<bool>();
    if (type == "Audio") return audio(opt_int("sampling_rate"), decode, opt_int("num_channels"), opt_int("stream_index"));
    if (type == "Image")
      return image(j.contains("mode") && !j["mode"].is_null() ? j["mode"].get<std::string>() : "", decode);
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(detail::concat("features: malformed ", type, " ", j.dump(), ": ", e.what()));
  }
  throw FormatError(detail::concat("features: afinar does not read feature type '", type,
                                   "' (it reads Value, ClassLabel, List, Sequence, LargeList, Translation, Audio, Image, structs)"));
}

std::string Feature::repr() const {
  switch (kind_) {
    case Kind::Value: return "Value(" + python_repr(dtype_) + ")";
    case Kind::ClassLabel: return "ClassLabel(names=" + python_list(strings_) + ")";
    case Kind::List:
      return "List(" + item_->repr() + (length_ >= 0 ? ", length=" + std::to_string(length_) : "") + ")";
    case Kind::LargeList: return "LargeList(" + item_->repr() + ")";
    case Kind::Struct: return Features(*fields_).repr();
    case Kind::Translation: return "Translation(languages=" + python_list(strings_) + ")";
    case Kind::Audio: {
      auto opt = [](int64_t v) { return v < 0 ? std::string("None") : std::to_string(v); };
      return "Audio(sampling_rate=" + opt(sampling_rate_) + ", decode=" + (decode_ ? "True" : "False") +
             ", num_channels=" + opt(num_channels_) + ", stream_index=" + opt(stream_index_) + ")";
    }
    case Kind::Image:
      return "Image(mode=" + (dtype_.empty() ? std::string("None") : python_repr(dtype_)) +
             ", decode=" + (decode_ ? "True" : "False") + ")";
  }
  return "";
}

bool Feature::operator==(const Feature& o) const {
  if (kind_ != o.kind_) return false;
  switch (kind_) {
    case Kind::Value: return dtype_ == o.dtype_;
    case Kind::ClassLabel:
    case Kind::Translation: return strings_ == o.strings_;
    case Kind::List:
    case Kind::LargeList: return length_ == o.length_ && *item_ == *o.item_;
    case Kind::Struct: return *fields_ == *o.fields_;
    case Kind::Audio:
      return sampling_rate_ == o.sampling_rate_ && decode_ == o.decode_ && num_channels_ == o.num_channels_ &&
             stream_index_ == o.stream_index_;
    case Kind::Image: return dtype_ == o.dtype_ && decode_ == o.decode_;
  }
  return false;
}

bool Features::contains(const std::string& name) const {
  for (const auto& [n, f] : fields_)
    if (n == name) return true;
  return false;
}

const Feature& Features::operator[](const std::string& name) const {
  for (const auto& [n, f] : fields_)
    if (n == name) return f;
  throw InvalidArgument("no feature '" + name + "'; features: " + python_list(names()));
}

std::vector<std::string> Features::names() const {
  std::vector<std::string> out;
  for (const auto& [n, f] : fields_) out.push_back(n);
  return out;
}

void Features::set(const std::string& name, Feature f) {
  for (auto& [n, old] : fields_) {
    if (n == name) {
      old = std::move(f);
      return;
    }
  }
  fields_.emplace_back(name, std::move(f));
}

std::shared_ptr<const arrow::KeyValueMetadata> Features::arrow_metadata() const {
  ordered_json info = {{"info", {{"features", to_json()}}}};
  return arrow::key_value_metadata({"huggingface"}, {info.dump()});
}

std::shared_ptr<arrow::Schema> Features::arrow_schema() const {
  arrow::FieldVector fs;
  for (const auto& [name, f] : fields_) fs.push_back(arrow::field(name, f.arrow_type()));
  return arrow::schema(fs, arrow_metadata());
}

Features Features::from_arrow_schema(const arrow::Schema& schema) {
  Features declared;
  if (auto md = schema.metadata(); md && md->Contains("huggingface")) {
    auto j = ordered_json::parse(md->Get("huggingface").ValueOrDie(), nullptr, /*allow_exceptions=*/false);
    if (j.is_object() && j.contains("info") && j["info"].is_object() && j["info"].contains("features") &&
        j["info"]["features"].is_object()) {
      // Column by column: a feature type afinar does not read (Image, Audio, ...) falls back to
      // the feature inferred from the Arrow type, the others are kept.
      for (const auto& [name, sub] : j["info"]["features"].items()) {
        try {
          declared.set(name, Feature::from_json(sub));
        } catch (const FormatError&) {
        } catch (const InvalidArgument&) {
        }
      }
    }
  }
  Features out;
  for (const auto& field : schema.fields()) {
    if (declared.contains(field->name())) {
      const Feature& f = declared[field->name()];
      if (f.arrow_type()->Equals(*field->type())) {
        out.fields_.emplace_back(field->name(), f);
        continue;
      }
    }
    out.fields_.emplace_back(field->name(), Feature::from_arrow(*field->type()));
  }
  return out;
}

ordered_json Features::to_json() const {
  ordered_json j = ordered_json::object();
  for (const auto& [n, f] : fields_) j[n] = f.to_json();
  return j;
}

Features Features::from_json(const ordered_json& j) {
  AFINAR_CHECK_FORMAT(j.is_object(), "features: expected a JSON object, got ", j.dump());
  Features out;
  for (const auto& [n, sub] : j.items()) out.fields_.emplace_back(n, Feature::from_json(sub));
  return out;
}

std::string Features::repr() const {
  std::string out = "{";
  for (size_t i = 0; i < fields_.size(); ++i)
    out += (i ? ", " : "") + python_repr(fields_[i].first) + ": " + fields_[i].second.repr();
  return out + "}";
}

std::ostream& operator<<(std::ostream& os, const Feature& f) { return os << f.repr(); }
std::ostream& operator<<(std::ostream& os, const Features& f) { return os << f.repr(); }

}  // namespace afinar
