/// IterableDataset: HF's streaming datasets (load_dataset(..., streaming=True)) over local files.
///
/// Nothing is read until iteration: Parquet row group by row group, Arrow IPC batch by batch,
/// JSON Lines / text / CSV in blocks of lines. Transforms are lazy and applied per batch as
/// the rows flow, so memory stays at about one block (plus the shuffle buffer) whatever the
/// file size. Every iteration starts again from the first file.
///
///   auto streams = afinar::load_iterable_dataset("train.jsonl");   // split → IterableDataset
///   auto it = streams.at("train").shuffle(42, 1000).skip(10).take(100);
///   it.iter(32, [](const std::shared_ptr<arrow::RecordBatch>& batch) { ... });
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "afinar/data/dataset.h"
#include "afinar/data/load_dataset.h"

namespace afinar {

/// One pass over a stream: each call returns the next batch, nullptr at the end.
using BatchGenerator = std::function<std::shared_ptr<arrow::RecordBatch>()>;

class IterableDataset {
 public:
  /// A stream that `open()` starts afresh for each iteration.
  explicit IterableDataset(std::function<BatchGenerator()> open) : open_(std::move(open)) {}
  /// The files in order, each read lazily by its extension (.parquet .arrow .jsonl/.json .txt
  /// .csv .tsv); text formats are read `block_rows` lines at a time.
  static IterableDataset from_files(std::vector<std::filesystem::path> files, int64_t block_rows = 1000);
  /// The rows of an in-memory or memory-mapped Dataset, `block_rows` at a time.
  static IterableDataset from_dataset(const Dataset& ds, int64_t block_rows = 1000);

  /// Lazy transforms, as HF's IterableDataset methods; each returns a new stream.
  IterableDataset map(BatchFunction function) const;
  IterableDataset filter(BatchPredicate predicate) const;
  /// The first n rows / all but the first n rows.
  IterableDataset take(int64_t n) const;
  IterableDataset skip(int64_t n) const;
  /// HF's buffered shuffle: a buffer of `buffer_size` rows; each incoming row replaces a row
  /// drawn at random (seeded) from the buffer, which is emitted. Approximate, as HF's.
  IterableDataset shuffle(uint64_t seed, int64_t buffer_size = 1000) const;

  /// Calls `fn` with batches of exactly `batch_size` rows (the last may be shorter).
  void iter(int64_t batch_size, const std::function<void(const std::shared_ptr<arrow::RecordBatch>&)>& fn) const;
  /// The batches as they come (their sizes are the reader's blocks, after the transforms).
  BatchGenerator begin() const { return open_(); }
  /// Reads the whole stream into a Dataset (in memory).
  Dataset to_dataset() const;

 private:
  std::function<BatchGenerator()> open_;
};

/// load_dataset(path, streaming=True): the same paths as load_dataset (builder names with
/// data_files, files, folders with HF's split rules, cached Hub datasets), one lazy stream per split.
std::map<std::string, IterableDataset> load_iterable_dataset(const std::string& path,
                                                             const LoadDatasetOptions& options = {});

}  // namespace afinar
