// Dataset / DatasetDict push_to_hub, as datasets' _push_parquet_shards_to_hub and _push_to_repo:
// contiguous parquet shards per split, README.md with the card, one commit.
#include "afinar/data/push_to_hub.h"

#include <arrow/api.h>
#include <arrow/io/api.h>
#include <arrow/util/byte_size.h>
#include <parquet/arrow/writer.h>

#include <algorithm>
#include <cstdio>

#include "afinar/core/fs.h"
#include "afinar/data/dataset.h"
#include "afinar/hub/api.h"
#include "readers.h"

namespace afinar {
namespace {

std::string parquet_bytes(const std::shared_ptr<arrow::Table>& table, const std::string& what) {
  auto out = data::unwrap(arrow::io::BufferOutputStream::Create(), what);
  auto arrow_props = parquet::ArrowWriterProperties::Builder().store_schema()->build();
  data::check_ok(parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), out, 1 << 16,
                                            parquet::default_writer_properties(), arrow_props),
                 what);
  auto buf = data::unwrap(out->Finish(), what);
  return buf->ToString();
}

std::string base_name(std::string_view path) {
  const auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

/// HF's embed_array_storage over one chunk: Image/Audio structs {bytes, path} get the bytes of
/// their local file where bytes is null and the base name of their path; lists and structs
/// are walked into (their storage types do not change, so only the children are replaced);
/// other columns come back as they are. A value with neither becomes null (HF masks by the
/// bytes' nulls).
std::shared_ptr<arrow::Array> embed(const std::shared_ptr<arrow::Array>& array, const Feature& f,
                                    const std::string& column) {
  using K = Feature::Kind;
  if (f.kind() == K::Image || f.kind() == K::Audio) {
    const auto& st = static_cast<const arrow::StructArray&>(*array);
    auto bytes_col = st.GetFieldByName("bytes"), path_col = st.GetFieldByName("path");
    AFINAR_CHECK_FORMAT(bytes_col && path_col, "push_to_hub: column '", column, "' is ", f.repr(),
                        " but its storage is ", array->type()->ToString());
    const auto& bytes = static_cast<const arrow::BinaryArray&>(*bytes_col);
    const auto& paths = static_cast<const arrow::StringArray&>(*path_col);
    arrow::BinaryBuilder nb;
    arrow::StringBuilder np;
    for (int64_t i = 0; i < st.length(); ++i) {
      const bool has_path = st.IsValid(i) && paths.IsValid(i);
      if (st.IsValid(i) && bytes.IsValid(i)) {
        data::check_ok(nb.Append(bytes.GetView(i)), column);
      } else if (has_path) {
        std::string content;
        try {
          content = read_file(std::string(paths.GetView(i)));
        } catch (const std::exception& e) {
          throw FormatError(detail::concat("push_to_hub: column '", column, "' row ", i,
                                           " names a file that cannot be embedded: ", e.what()));
        }
        data::check_ok(nb.Append(content), column);
      } else {
        data::check_ok(nb.AppendNull(), column);
      }
      data::check_ok(has_path ? np.Append(base_name(paths.GetView(i))) : np.AppendNull(), column);
    }
    auto b = data::unwrap(nb.Finish(), column), p = data::unwrap(np.Finish(), column);
    return data::unwrap(
        arrow::StructArray::Make({b, p}, std::vector<std::string>{"bytes", "path"}, b->null_bitmap(), b->null_count()),
        column);
  }
  const bool list = f.kind() == K::List || f.kind() == K::LargeList;
  if (!list && f.kind() != K::Struct) return array;
  auto d = array->data()->Copy();  // same type, offsets and validity; children replaced
  if (list) {
    d->child_data[0] = embed(arrow::MakeArray(d->child_data[0]), f.feature(), column)->data();
  } else {
    const auto& type = static_cast<const arrow::StructType&>(*array->type());
    for (const auto& [name, child] : f.fields()) {
      const int i = type.GetFieldIndex(name);
      AFINAR_CHECK_FORMAT(i >= 0, "push_to_hub: column '", column, "' has no field '", name, "'");
      d->child_data[size_t(i)] = embed(arrow::MakeArray(d->child_data[size_t(i)]), child, column + "." + name)->data();
    }
  }
  return arrow::MakeArray(d);
}

bool needs_embedding(const Feature& f) {
  using K = Feature::Kind;
  switch (f.kind()) {
    case K::Image:
    case K::Audio:
      return true;
    case K::List:
    case K::LargeList:
      return needs_embedding(f.feature());
    case K::Struct:
      for (const auto& [name, child] : f.fields())
        if (needs_embedding(child)) return true;
      return false;
    default:
      return false;
  }
}

/// The table with external media files embedded (HF's embed_table_storage).
std::shared_ptr<arrow::Table> embed_external_files(const std::shared_ptr<arrow::Table>& table,
                                                   const Features& features) {
  bool any = false;
  for (const auto& [name, f] : features.fields()) any = any || needs_embedding(f);
  if (!any) return table;
  arrow::ChunkedArrayVector columns;
  for (int c = 0; c < table->num_columns(); ++c) {
    const std::string name = table->field(c)->name();
    const Feature& f = features[name];
    if (!needs_embedding(f)) {
      columns.push_back(table->column(c));
      continue;
    }
    arrow::ArrayVector chunks;
    for (const auto& chunk : table->column(c)->chunks()) chunks.push_back(embed(chunk, f, name));
    columns.push_back(std::make_shared<arrow::ChunkedArray>(chunks, f.arrow_type()));
  }
  return data::with_features(arrow::Table::Make(table->schema(), columns, table->num_rows()), features);
}

}  // namespace

std::string Dataset::push_to_hub(const std::string& repo_id, const PushToHubOptions& options) const {
  DatasetDict dd;
  dd.set(options.split, *this);
  return dd.push_to_hub(repo_id, options);
}

std::string DatasetDict::push_to_hub(const std::string& repo_id, const PushToHubOptions& options) const {
  AFINAR_CHECK(size() > 0, "push_to_hub(", repo_id, "): the DatasetDict has no split");
  AFINAR_CHECK(options.max_shard_size > 0, "push_to_hub: max_shard_size must be > 0, got ", options.max_shard_size);
  const Features features = splits_.front().second.features();
  for (const auto& [split, ds] : splits_)
    AFINAR_CHECK(ds.features() == features, "push_to_hub(", repo_id, "): the features of split '", split, "' (",
                 ds.features().repr(), ") differ from those of '", splits_.front().first, "' (", features.repr(), ")");
  std::vector<hub::CommitOperationAdd> additions;
  std::vector<SplitCardInfo> infos;
  for (const auto& [split, ds] : splits_) {
    AFINAR_CHECK(!split.empty() && split.find('/') == std::string::npos && split.find('-') == std::string::npos,
                 "push_to_hub: split name '", split, "' must be non-empty, without '/' or '-'");
    auto table = data::with_features(ds.table(), features);
    if (options.embed_external_files) table = embed_external_files(table, features);
    const int64_t n = ds.num_rows();
    const int64_t nbytes = int64_t(data::unwrap(arrow::util::ReferencedBufferSize(*table), split));
    // HF: num_shards = int(dataset_nbytes / max_shard_size) + 1, shard(contiguous=True).
    const int64_t num_shards = nbytes / options.max_shard_size + 1;
    SplitCardInfo info{split, nbytes, n, 0};
    const int64_t div = n / num_shards, mod = n % num_shards;
    for (int64_t i = 0; i < num_shards; ++i) {
      const int64_t start = div * i + std::min(i, mod), len = div + (i < mod ? 1 : 0);
      char name[64];
      std::snprintf(name, sizeof name, "-%05lld-of-%05lld.parquet", static_cast<long long>(i),
                    static_cast<long long>(num_shards));
      const std::string path = detail::concat("data/", split, name);
      additions.push_back({path, parquet_bytes(table->Slice(start, len), path)});
      info.uploaded_size += int64_t(additions.back().content.size());
    }
    infos.push_back(info);
  }
  additions.push_back({"README.md", dataset_card(features, infos)});

  hub::create_repo(repo_id, hub::RepoType::Dataset, options.private_repo, options.token, /*exist_ok=*/true);
  if (options.revision != "main") hub::create_branch(repo_id, hub::RepoType::Dataset, options.revision, options.token);
  // HF removes the other files under data/ (remove_other_splits=True) in the same commit.
  std::vector<std::string> deletions;
  for (const auto& f : hub::list_repo_files(repo_id, hub::RepoType::Dataset, options.revision, options.token)) {
    if (!f.starts_with("data/")) continue;
    const bool kept =
        std::any_of(additions.begin(), additions.end(), [&](const auto& a) { return a.path_in_repo == f; });
    if (!kept) deletions.push_back(f);
  }
  const std::string msg = options.commit_message.empty() ? "Upload dataset" : options.commit_message;
  return hub::create_commit(repo_id, hub::RepoType::Dataset, additions, deletions, msg, options.revision, options.token)
      .oid;
}

}  // namespace afinar
