/// Features: the typed schema of a Dataset, with HF datasets' names and JSON form.
///
/// A Feature is a Value (an Arrow primitive dtype), a ClassLabel (names ↔ int64 ids), a List
/// (optionally of fixed length) or LargeList of a feature, a struct (named sub-features, a
/// Python dict in HF), a Translation (one string per language), or an Audio / Image (stored as
/// HF stores them: struct {bytes: binary, path: string}, decoded on access, see media.h). HF stores the features as JSON
/// in dataset_info.json and in the Arrow schema metadata key "huggingface"; afinar reads and
/// writes both, and prints them as HF does.
///
///   Features f{{"text", Feature::value("string")}, {"label", Feature::class_label({"neg", "pos"})}};
///   std::cout << f;                      // {'text': Value('string'), 'label': ClassLabel(names=['neg', 'pos'])}
///   f["label"].str2int("pos");           // 1
#pragma once
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace arrow {
class DataType;
class Schema;
class KeyValueMetadata;
}

namespace afinar {

class Feature;
/// Named features in column order (a struct's fields, or a dataset's columns).
using FeatureFields = std::vector<std::pair<std::string, Feature>>;

class Feature {
 public:
  enum class Kind { Value, ClassLabel, List, LargeList, Struct, Translation, Audio, Image };

  /// dtype as HF spells it: null, bool, int8..int64, uint8..uint64, float16, float32, float64
  /// (aliases float, double, half), string, large_string, binary, large_binary, date32, date64,
  /// time32[unit], time64[unit], timestamp[unit] or timestamp[unit, tz=Zone], duration[unit].
  /// Throws InvalidArgument for other dtypes.
  static Feature value(const std::string& dtype);
  static Feature class_label(std::vector<std::string> names);
  /// ClassLabel(num_classes=n): names "0".."n-1", as HF.
  static Feature class_label(int64_t num_classes);
  /// List(feature, length=-1): length ≥ 0 gives an Arrow fixed_size_list.
  static Feature list(Feature item, int64_t length = -1);
  static Feature large_list(Feature item);
  static Feature structure(FeatureFields fields);
  static Feature translation(std::vector<std::string> languages);
  /// HF's Audio(sampling_rate=None, decode=True, num_channels=None, stream_index=None); -1 = None.
  /// Decoding resamples to `sampling_rate` when set.
  static Feature audio(int64_t sampling_rate = -1, bool decode = true, int64_t num_channels = -1,
                       int64_t stream_index = -1);
  /// HF's Image(mode=None, decode=True); a mode ("L", "RGB", "RGBA", ...) converts on decoding.
  static Feature image(const std::string& mode = "", bool decode = true);

  Kind kind() const { return kind_; }
  const std::string& dtype() const;                     ///< Value only
  const std::vector<std::string>& names() const;        ///< ClassLabel only
  int64_t num_classes() const;                          ///< ClassLabel only
  /// ClassLabel: the id of `name`; throws InvalidArgument "Invalid string class label".
  int64_t str2int(const std::string& name) const;
  /// ClassLabel: the name of `id`; throws InvalidArgument "Invalid integer class label".
  std::string int2str(int64_t id) const;
  const Feature& feature() const;                       ///< List/LargeList item
  int64_t length() const;                               ///< List: fixed length or -1
  const FeatureFields& fields() const;                  ///< Struct only
  const std::vector<std::string>& languages() const;    ///< Translation only
  int64_t sampling_rate() const;                        ///< Audio: -1 = keep the file's rate
  int64_t num_channels() const;                         ///< Audio: -1 = keep the file's channels
  int64_t stream_index() const;                         ///< Audio: -1 = None
  const std::string& mode() const;                      ///< Image: "" = as decoded
  bool decode() const;                                  ///< Audio/Image

  /// The Arrow storage type (ClassLabel → int64; Translation → struct of strings by sorted
  /// language; Audio/Image → struct<bytes: binary, path: string>).
  std::shared_ptr<arrow::DataType> arrow_type() const;
  /// The feature HF infers for an Arrow type (generate_from_arrow_type).
  static Feature from_arrow(const arrow::DataType& type);

  /// HF's JSON: {"dtype": "int32", "_type": "Value"}, {"feature": ..., "_type": "List"}, a plain
  /// object for a struct, ... from_json also reads the older "Sequence" form (a Sequence of a
  /// struct becomes a struct of lists, as HF 4+ does) and [feature] lists.
  nlohmann::ordered_json to_json() const;
  static Feature from_json(const nlohmann::ordered_json& j);

  /// HF's repr: Value('int32'), ClassLabel(names=[...]), List(Value('int32'), length=3), {...}.
  std::string repr() const;

  bool operator==(const Feature& other) const;

 private:
  Kind kind_ = Kind::Value;
  std::string dtype_;                 // Value
  std::vector<std::string> strings_;  // ClassLabel names / Translation languages
  std::shared_ptr<Feature> item_;     // List/LargeList
  int64_t length_ = -1;
  std::shared_ptr<FeatureFields> fields_;  // Struct
  int64_t sampling_rate_ = -1, num_channels_ = -1, stream_index_ = -1;  // Audio
  bool decode_ = true;                                                    // Audio/Image
};

class Features {
 public:
  Features() = default;
  Features(FeatureFields fields) : fields_(std::move(fields)) {}
  Features(std::initializer_list<std::pair<std::string, Feature>> fields) : fields_(fields) {}

  size_t size() const { return fields_.size(); }
  bool contains(const std::string& name) const;
  /// Throws InvalidArgument listing the columns when `name` is absent.
  const Feature& operator[](const std::string& name) const;
  std::vector<std::string> names() const;
  const FeatureFields& fields() const { return fields_; }
  /// Replaces the feature of `name`, or appends it.
  void set(const std::string& name, Feature f);

  std::shared_ptr<arrow::Schema> arrow_schema() const;  ///< with the "huggingface" metadata
  /// Features of an Arrow schema: the "huggingface" metadata where it names a column and agrees
  /// with its Arrow type, else the feature inferred from the type.
  static Features from_arrow_schema(const arrow::Schema& schema);
  /// The metadata HF writes: {"huggingface": "{\"info\": {\"features\": ...}}"}.
  std::shared_ptr<const arrow::KeyValueMetadata> arrow_metadata() const;

  nlohmann::ordered_json to_json() const;
  static Features from_json(const nlohmann::ordered_json& j);
  std::string repr() const;
  bool operator==(const Features& other) const { return fields_ == other.fields_; }

 private:
  FeatureFields fields_;
};

std::ostream& operator<<(std::ostream& os, const Feature& f);
std::ostream& operator<<(std::ostream& os, const Features& f);

}  // namespace afinar
