// Dataset / DatasetDict push_to_hub, as datasets' _push_parquet_shards_to_hub and _push_to_repo:
// contiguous parquet shards per split, README.md with the card, one commit.
#include "afinar/data/push_to_hub.h"

#include <arrow/api.h>
#include <arrow/io/api.h>
#include <arrow/util/byte_size.h>
#include <parquet/arrow/writer.h>

#include <algorithm>
#include <cstdio>

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
    const auto table = data::with_features(ds.table(), features);
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
