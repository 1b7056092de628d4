// JSON Lines → Arrow, parsed line by line so that every error names the file, the 1-based line
// and the byte column (Arrow's own JSON reader reports block offsets, not lines).
//
// Two passes: each line is parsed into a DOM and its types are merged into one inferred schema
// (HF datasets reads JSON through pyarrow, so we follow pyarrow's inference: int64, double,
// string, bool, list<T>, struct; int and float widen to double; null fits anything); then each
// column is built from the parsed values.
#include <arrow/api.h>
#include <arrow/io/memory.h>
#include <arrow/json/reader.h>
#include <arrow/util/bit_util.h>

#include <nlohmann/json.hpp>
#include <unordered_map>

#include "afinar/core/fs.h"
#include "readers.h"

namespace afinar::data {
namespace {

using json = nlohmann::ordered_json;  // keeps the key order of the file: columns come in that order

struct TypeNode {
  enum Kind { Null, Bool, Int, Double, String, List, Struct };
  Kind kind = Null;
  std::unique_ptr<TypeNode> item;                        // List
  std::vector<std::pair<std::string, TypeNode>> fields;  // Struct, in first-seen order
  std::unordered_map<std::string, size_t> index;         // Struct: key → position in fields
};

const char* kind_name(TypeNode::Kind k) {
  static const char* names[] = {"null", "bool", "int64", "double", "string", "list", "struct"};
  return names[k];
}

TypeNode::Kind kind_of(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return TypeNode::Null;
    case json::value_t::boolean:
      return TypeNode::Bool;
    case json::value_t::number_integer:
      return TypeNode::Int;
    case json::value_t::number_unsigned:
      // Above int64's range pyarrow cannot keep it exact either; it becomes a double.
      return v.get<uint64_t>() > uint64_t(INT64_MAX) ? TypeNode::Double : TypeNode::Int;
    case json::value_t::number_float:
      return TypeNode::Double;
    case json::value_t::string:
      return TypeNode::String;
    case json::value_t::array:
      return TypeNode::List;
    case json::value_t::object:
      return TypeNode::Struct;
    default:
      return TypeNode::Null;  // binary/discarded never come out of the text parser
  }
}

/// Where a type conflict happened, for the error message.
struct Site {
  const std::string& origin;
  size_t line;
};

void merge(TypeNode& node, const json& v, const std::string& key, const Site& site);

void merge_object(TypeNode& node, const json& obj, const std::string& prefix, const Site& site) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    auto [pos, inserted] = node.index.try_emplace(it.key(), node.fields.size());
    if (inserted) node.fields.emplace_back(it.key(), TypeNode{});
    merge(node.fields[pos->second].second, it.value(), prefix + it.key(), site);
  }
}

void merge(TypeNode& node, const json& v, const std::string& key, const Site& site) {
  TypeNode::Kind k = kind_of(v);
  if (k == TypeNode::Null) return;
  if (node.kind == TypeNode::Null) {
    node.kind = k;
  } else if (node.kind != k) {
    if ((node.kind == TypeNode::Int && k == TypeNode::Double) ||
        (node.kind == TypeNode::Double && k == TypeNode::Int)) {
      node.kind = TypeNode::Double;  // pyarrow widens mixed numbers to double
      return;
    }
    throw FormatError(detail::concat(site.origin, ":", site.line, ": key '", key, "' changed type from ",
                                     kind_name(node.kind), " on earlier lines to ", kind_name(k),
                                     "; HINT: a column must have one type across all rows"));
  }
  if (k == TypeNode::List) {
    if (!node.item) node.item = std::make_unique<TypeNode>();
    for (const auto& e : v) merge(*node.item, e, key + "[]", site);
  } else if (k == TypeNode::Struct) {
    merge_object(node, v, key + ".", site);
  }
}

std::shared_ptr<arrow::DataType> arrow_type(const TypeNode& node) {
  switch (node.kind) {
    case TypeNode::Null:
      return arrow::null();
    case TypeNode::Bool:
      return arrow::boolean();
    case TypeNode::Int:
      return arrow::int64();
    case TypeNode::Double:
      return arrow::float64();
    case TypeNode::String:
      return arrow::utf8();
    case TypeNode::List:
      return arrow::list(node.item ? arrow_type(*node.item) : arrow::null());
    case TypeNode::Struct: {
      arrow::FieldVector fields;
      for (const auto& [name, child] : node.fields) fields.push_back(arrow::field(name, arrow_type(child)));
      return arrow::struct_(fields);
    }
  }
  return arrow::null();
}

bool is_null(const json* v) {
  return v == nullptr || v->is_null();
}

/// Validity bitmap of `values` (nullptr when none is null, as Arrow expects).
std::pair<std::shared_ptr<arrow::Buffer>, int64_t> validity(const std::vector<const json*>& values) {
  int64_t nulls = 0;
  for (const json* v : values) nulls += is_null(v);
  if (nulls == 0) return {nullptr, 0};
  auto bitmap = unwrap(arrow::AllocateEmptyBitmap(int64_t(values.size())), "json: bitmap");
  for (size_t i = 0; i < values.size(); ++i)
    if (!is_null(values[i])) arrow::bit_util::SetBit(bitmap->mutable_data(), int64_t(i));
  return {std::shared_ptr<arrow::Buffer>(std::move(bitmap)), nulls};
}

template <typename Builder, typename Get>
std::shared_ptr<arrow::Array> build_primitive(const std::vector<const json*>& values, Get get) {
  Builder b;
  check_ok(b.Reserve(int64_t(values.size())), "json: reserve");
  for (const json* v : values) {
    if (is_null(v))
      b.UnsafeAppendNull();
    else
      b.UnsafeAppend(get(*v));
  }
  return unwrap(b.Finish(), "json: build column");
}

std::shared_ptr<arrow::Array> build_array(const TypeNode& node, const std::vector<const json*>& values) {
  const int64_t n = int64_t(values.size());
  switch (node.kind) {
    case TypeNode::Null:
      return std::make_shared<arrow::NullArray>(n);
    case TypeNode::Bool:
      return build_primitive<arrow::BooleanBuilder>(values, [](const json& v) { return v.get<bool>(); });
    case TypeNode::Int:
      return build_primitive<arrow::Int64Builder>(values, [](const json& v) { return v.get<int64_t>(); });
    case TypeNode::Double:
      return build_primitive<arrow::DoubleBuilder>(values, [](const json& v) { return v.get<double>(); });
    case TypeNode::String: {
      arrow::StringBuilder b;
      check_ok(b.Reserve(n), "json: reserve");
      for (const json* v : values) {
        if (is_null(v))
          check_ok(b.AppendNull(), "json: append");
        else
          check_ok(b.Append(v->get_ref<const std::string&>()), "json: append");
      }
      return unwrap(b.Finish(), "json: build column");
    }
    case TypeNode::List: {
      std::vector<const json*> items;
      arrow::Int32Builder offsets;
      check_ok(offsets.Reserve(n + 1), "json: reserve");
      offsets.UnsafeAppend(0);
      for (const json* v : values) {
        if (!is_null(v))
          for (const auto& e : *v) items.push_back(&e);
        offsets.UnsafeAppend(int32_t(items.size()));
      }
      static const TypeNode null_item;
      auto child = build_array(node.item ? *node.item : null_item, items);
      auto off = unwrap(offsets.Finish(), "json: list offsets");
      auto [bitmap, nulls] = validity(values);
      return unwrap(
          arrow::ListArray::FromArrays(arrow_type(node), *off, *child, arrow::default_memory_pool(), bitmap, nulls),
          "json: list column");
    }
    case TypeNode::Struct: {
      arrow::ArrayVector children;
      arrow::FieldVector fields;
      std::vector<const json*> child_values(values.size());
      for (const auto& [name, child] : node.fields) {
        for (size_t i = 0; i < values.size(); ++i) {
          const json* v = values[i];
          auto it = is_null(v) ? json::const_iterator{} : v->find(name);
          child_values[i] = (!is_null(v) && it != v->end()) ? &*it : nullptr;
        }
        children.push_back(build_array(child, child_values));
        fields.push_back(arrow::field(name, children.back()->type()));
      }
      auto [bitmap, nulls] = validity(values);
      if (fields.empty()) return std::make_shared<arrow::NullArray>(n);  // {} everywhere: no columns
      return unwrap(arrow::StructArray::Make(children, fields, bitmap, nulls), "json: struct column");
    }
  }
  return std::make_shared<arrow::NullArray>(n);
}

/// Turns the parsed rows into a table whose columns are the root object's keys.
std::shared_ptr<arrow::Table> to_table(const TypeNode& root, const std::vector<json>& rows) {
  arrow::ArrayVector columns;
  arrow::FieldVector fields;
  std::vector<const json*> values(rows.size());
  for (const auto& [name, child] : root.fields) {
    for (size_t i = 0; i < rows.size(); ++i) {
      auto it = rows[i].find(name);
      values[i] = it != rows[i].end() ? &*it : nullptr;
    }
    columns.push_back(build_array(child, values));
    fields.push_back(arrow::field(name, columns.back()->type()));
  }
  return arrow::Table::Make(arrow::schema(fields), columns, int64_t(rows.size()));
}

/// nlohmann's messages start with "[json.exception.parse_error.101] parse error at line 1, column 3: ";
/// the line/column there are relative to the parsed text, which we already report ourselves.
std::string short_message(const nlohmann::json::parse_error& e) {
  std::string m = e.what();
  auto pos = m.find(": ");
  return pos == std::string::npos ? m : m.substr(pos + 2);
}

std::shared_ptr<arrow::Table> parse_array_document(std::string_view text, const std::string& origin) {
  json doc;
  try {
    doc = json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    // Turn the byte offset into a line and column of the file.
    size_t offset = std::min<size_t>(e.byte ? e.byte - 1 : 0, text.size());
    size_t line = 1, line_start = 0;
    for (size_t i = 0; i < offset; ++i)
      if (text[i] == '\n') ++line, line_start = i + 1;
    throw FormatError(
        detail::concat(origin, ":", line, ":", offset - line_start + 1, ": malformed JSON: ", short_message(e)));
  } catch (const nlohmann::json::exception& e) {  // out_of_range: a number too large for a double
    throw FormatError(detail::concat(origin, ": malformed JSON: ", e.what()));
  }
  std::vector<json> rows;
  TypeNode root;
  root.kind = TypeNode::Struct;
  for (size_t i = 0; i < doc.size(); ++i) {
    AFINAR_CHECK_FORMAT(doc[i].is_object(), origin, ": element ", i, " of the top-level array is a ",
                        doc[i].type_name(), ", expected an object (one row)");
    merge_object(root, doc[i], "", Site{origin, 0});
    rows.push_back(std::move(doc[i]));
  }
  return to_table(root, rows);
}

/// JSON Lines through Arrow's reader (what HF datasets' json builder uses, through pyarrow):
/// parallel over blocks, about 5x faster than one DOM per line. nullptr when Arrow refuses the
/// text or infers a type outside the inference above (then the line-by-line parser reads it,
/// and its errors name the line).
std::shared_ptr<arrow::Table> read_json_lines_arrow(std::string_view text) {
  auto input = std::make_shared<arrow::io::BufferReader>(
      std::make_shared<arrow::Buffer>(reinterpret_cast<const uint8_t*>(text.data()), int64_t(text.size())));
  auto read = arrow::json::ReadOptions::Defaults();
  read.use_threads = true;
  auto parse = arrow::json::ParseOptions::Defaults();
  parse.newlines_in_values = false;
  auto reader = arrow::json::TableReader::Make(arrow::default_memory_pool(), input, read, parse);
  if (!reader.ok()) return nullptr;
  auto table = (*reader)->Read();
  if (!table.ok()) return nullptr;
  // The inference above knows null, bool, int64, double, string, list and struct only (Arrow
  // may also infer timestamps from strings); anything else goes the slow, exact way.
  std::function<bool(const arrow::DataType&)> known = [&](const arrow::DataType& t) {
    switch (t.id()) {
      case arrow::Type::NA:
      case arrow::Type::BOOL:
      case arrow::Type::INT64:
      case arrow::Type::DOUBLE:
      case arrow::Type::STRING:
        return true;
      case arrow::Type::LIST:
      case arrow::Type::STRUCT:
        for (const auto& f : t.fields())
          if (!known(*f->type())) return false;
        return true;
      default:
        return false;
    }
  };
  for (const auto& f : (*table)->schema()->fields())
    if (!known(*f->type())) return nullptr;
  auto combined = (*table)->CombineChunks();
  return combined.ok() ? *combined : nullptr;
}

/// The line parser: one DOM per line, types merged into `root`; rows kept when `rows` is given.
void parse_lines(std::string_view text, const std::string& origin, size_t first_line, TypeNode& root,
                 std::vector<json>* rows) {
  size_t line_no = first_line - 1;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;  // blank lines carry no row
    json row;
    try {
      row = json::parse(line.begin(), line.end());
    } catch (const nlohmann::json::parse_error& e) {
      throw FormatError(detail::concat(origin, ":", line_no, ":", e.byte, ": malformed JSON: ", short_message(e)));
    } catch (const nlohmann::json::exception& e) {  // out_of_range: a number too large for a double
      throw FormatError(detail::concat(origin, ":", line_no, ": malformed JSON: ", e.what()));
    }
    AFINAR_CHECK_FORMAT(row.is_object(), origin, ":", line_no, ": expected a JSON object (one row per line), got ",
                        row.type_name());
    merge_object(root, row, "", Site{origin, line_no});
    if (rows) rows->push_back(std::move(row));
  }
}

}  // namespace

std::shared_ptr<arrow::Table> parse_json_lines(std::string_view text, const std::string& origin, size_t first_line) {
  if (auto fast = read_json_lines_arrow(text)) return fast;
  std::vector<json> rows;
  TypeNode root;
  root.kind = TypeNode::Struct;
  parse_lines(text, origin, first_line, root, &rows);
  return to_table(root, rows);
}

void check_json_line_types(const fs::path& file, size_t block_bytes) {
  TypeNode root;
  root.kind = TypeNode::Struct;
  for_each_line_block(file, block_bytes, [&](std::string_view block, size_t first_line) {
    parse_lines(block, file.string(), first_line, root, nullptr);
  });
}

std::shared_ptr<arrow::Table> parse_json_text(std::string_view text, const std::string& origin) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte order mark
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '[') return parse_array_document(text, origin);
  return parse_json_lines(text, origin, 1);
}

std::shared_ptr<arrow::Table> read_json(const fs::path& file) {
  std::string text = read_file(file);
  return parse_json_text(text, file.string());
}

}  // namespace afinar::data
