// IterableDataset: lazy per-file batch readers and per-batch transforms (HF's streaming mode).
#include "afinar/data/iterable_dataset.h"

#include <arrow/api.h>
#include <arrow/csv/api.h>
#include <arrow/io/api.h>
#include <arrow/ipc/api.h>
#include <parquet/arrow/reader.h>

#include <deque>
#include <fstream>
#include <random>
#include <regex>

#include "data_files.h"
#include "readers.h"

namespace afinar {
namespace {

namespace fs = std::filesystem;
using data::check_ok;
using data::unwrap;
using Batch = std::shared_ptr<arrow::RecordBatch>;

/// A reader's generator from an Arrow RecordBatchReader (Parquet row groups, IPC batches, CSV blocks).
BatchGenerator from_reader(std::shared_ptr<arrow::RecordBatchReader> reader, std::string what) {
  return [reader, what]() -> Batch {
    Batch b;
    check_ok(reader->ReadNext(&b), what);
    return b;
  };
}

/// A FormatError from parsing a block that starts at line `first` names the line in the file.
[[noreturn]] void rethrow_shifted(const FormatError& e, const std::string& origin, int64_t first) {
  static const std::regex line_re(R"(^(.*?):(\d+)(:.*)$)");
  std::smatch m;
  const std::string msg = e.what();
  if (std::regex_match(msg, m, line_re) && m[1].str() == origin)
    throw FormatError(detail::concat(origin, ":", std::stoll(m[2].str()) + first - 1, m[3].str()));
  throw e;
}

/// JSON Lines or text, `block_rows` lines at a time.
BatchGenerator line_blocks(const fs::path& file, const std::string& builder, int64_t block_rows) {
  auto in = std::make_shared<std::ifstream>(file, std::ios::binary);
  AFINAR_CHECK_FORMAT(in->good(), file.string(), ": cannot open the file");
  auto next_line = std::make_shared<int64_t>(1);
  return [in, next_line, file, builder, block_rows]() -> Batch {
    std::string block, line;
    const int64_t first = *next_line;
    int64_t n = 0;
    while (n < block_rows && std::getline(*in, line)) {
      ++*next_line;
      if (builder == "json" && line.find_first_not_of(" \t\r") == std::string::npos) continue;
      if (builder == "text" && !line.empty() && line.back() == '\r') line.pop_back();
      block += line;
      block += '\n';
      ++n;
    }
    if (n == 0) return nullptr;
    std::shared_ptr<arrow::Table> t;
    if (builder == "json") {
      try {
        t = data::parse_json_text(block, file.string());
      } catch (const FormatError& e) {
        rethrow_shifted(e, file.string(), first);
      }
    } else {
      arrow::StringBuilder b;
      size_t start = 0;
      while (start < block.size()) {
        const size_t end = block.find('\n', start);
        check_ok(b.Append(block.data() + start, int32_t(end - start)), file.string());
        start = end + 1;
      }
      t = arrow::Table::Make(arrow::schema({arrow::field("text", arrow::utf8())}), {unwrap(b.Finish(), file.string())});
    }
    return unwrap(t->CombineChunksToBatch(), file.string());
  };
}

BatchGenerator open_file(const fs::path& file, const std::string& builder, int64_t block_rows) {
  AFINAR_CHECK_FORMAT(fs::is_regular_file(file), file.string(), ": no such file");
  const std::string f = file.string();
  if (builder == "parquet") {
    auto input = unwrap(arrow::io::ReadableFile::Open(f), f);
    auto reader = unwrap(parquet::arrow::OpenFile(input, arrow::default_memory_pool()), f + ": not a Parquet file");
    std::vector<int> groups(size_t(reader->num_row_groups()));
    for (size_t i = 0; i < groups.size(); ++i) groups[i] = int(i);
    std::shared_ptr<arrow::RecordBatchReader> rb = unwrap(reader->GetRecordBatchReader(groups), f);
    // The FileReader must outlive its batch reader.
    std::shared_ptr<parquet::arrow::FileReader> owner = std::move(reader);
    auto gen = from_reader(rb, f);
    return [owner, gen]() { return gen(); };
  }
  if (builder == "arrow") {
    auto input = unwrap(arrow::io::ReadableFile::Open(f), f);
    if (auto file_reader = arrow::ipc::RecordBatchFileReader::Open(input); file_reader.ok()) {
      auto reader = *file_reader;
      auto index = std::make_shared<int>(0);
      return [reader, index, f]() -> Batch {
        if (*index >= reader->num_record_batches()) return nullptr;
        return unwrap(reader->ReadRecordBatch((*index)++), f);
      };
    }
    check_ok(input->Seek(0), f);
    return from_reader(unwrap(arrow::ipc::RecordBatchStreamReader::Open(input), f + ": not Arrow IPC"), f);
  }
  if (builder == "csv" || builder == "tsv") {
    auto input = unwrap(arrow::io::ReadableFile::Open(f), f);
    auto read = arrow::csv::ReadOptions::Defaults();
    read.use_threads = false;
    auto parse = arrow::csv::ParseOptions::Defaults();
    parse.delimiter = builder == "tsv" ? '\t' : ',';
    auto reader = unwrap(arrow::csv::StreamingReader::Make(arrow::io::default_io_context(), input, read, parse,
                                                           arrow::csv::ConvertOptions::Defaults()),
                         f + ": malformed CSV");
    return from_reader(reader, f + ": malformed CSV");
  }
  AFINAR_CHECK(builder == "json" || builder == "text", f, ": unknown builder '", builder, "'");
  return line_blocks(file, builder, block_rows);
}

/// One row of `b` as a 1-row batch (for the shuffle buffer).
Batch row(const Batch& b, int64_t i) { return b->Slice(i, 1); }

Batch concat(const std::vector<Batch>& rows) {
  return unwrap(arrow::ConcatenateRecordBatches(rows), "IterableDataset: rows of different schemas");
}

}  // namespace

IterableDataset IterableDataset::from_files(std::vector<fs::path> files, int64_t block_rows) {
  AFINAR_CHECK(block_rows > 0, "block_rows must be positive, got ", block_rows);
  return IterableDataset([files, block_rows]() -> BatchGenerator {
    auto index = std::make_shared<size_t>(0);
    auto current = std::make_shared<BatchGenerator>();
    return [files, block_rows, index, current]() -> Batch {
      while (*index < files.size()) {
        if (!*current) {
          const auto& f = files[*index];
          const std::string builder = data::builder_for_extension(f);
          AFINAR_CHECK(!builder.empty(), f.string(), ": unknown file extension '", f.extension().string(),
                       "'; afinar reads .jsonl .json .csv .tsv .parquet .arrow .txt");
          *current = open_file(f, builder, block_rows);
        }
        if (auto b = (*current)()) return b;
        *current = nullptr;
        ++*index;
      }
      return nullptr;
    };
  });
}

IterableDataset IterableDataset::from_dataset(const Dataset& ds, int64_t block_rows) {
  AFINAR_CHECK(block_rows > 0, "block_rows must be positive, got ", block_rows);
  auto table = ds.table();
  return IterableDataset([table, block_rows]() -> BatchGenerator {
    if (!table) return [] { return Batch(); };
    auto reader = std::make_shared<arrow::TableBatchReader>(table);
    reader->set_chunksize(block_rows);
    return from_reader(reader, "IterableDataset");
  });
}

IterableDataset IterableDataset::map(BatchFunction function) const {
  auto open = open_;
  return IterableDataset([open, function]() -> BatchGenerator {
    auto gen = open();
    return [gen, function]() -> Batch {
      auto b = gen();
      return b ? function(b) : nullptr;
    };
  });
}

IterableDataset IterableDataset::filter(BatchPredicate predicate) const {
  auto open = open_;
  return IterableDataset([open, predicate]() -> BatchGenerator {
    auto gen = open();
    return [gen, predicate]() -> Batch {
      while (auto b = gen()) {
        const auto keep = predicate(b);
        AFINAR_CHECK(int64_t(keep.size()) == b->num_rows(), "filter: the predicate returned ", keep.size(),
                     " values for ", b->num_rows(), " rows");
        std::vector<Batch> rows;
        for (int64_t i = 0; i < b->num_rows(); ++i)
          if (keep[size_t(i)]) rows.push_back(row(b, i));
        if (!rows.empty()) return concat(rows);
      }
      return nullptr;
    };
  });
}

IterableDataset IterableDataset::take(int64_t n) const {
  AFINAR_CHECK(n >= 0, "take: n must be >= 0, got ", n);
  auto open = open_;
  return IterableDataset([open, n]() -> BatchGenerator {
    auto gen = open();
    auto left = std::make_shared<int64_t>(n);
    return [gen, left]() -> Batch {
      if (*left <= 0) return nullptr;
      auto b = gen();
      if (!b) return nullptr;
      if (b->num_rows() > *left) b = b->Slice(0, *left);
      *left -= b->num_rows();
      return b;
    };
  });
}

IterableDataset IterableDataset::skip(int64_t n) const {
  AFINAR_CHECK(n >= 0, "skip: n must be >= 0, got ", n);
  auto open = open_;
  return IterableDataset([open, n]() -> BatchGenerator {
    auto gen = open();
    auto left = std::make_shared<int64_t>(n);
    return [gen, left]() -> Batch {
      while (auto b = gen()) {
        if (*left >= b->num_rows()) {
          *left -= b->num_rows();
          continue;
        }
        b = b->Slice(*left);
        *left = 0;
        return b;
      }
      return nullptr;
    };
  });
}

IterableDataset IterableDataset::shuffle(uint64_t seed, int64_t buffer_size) const {
  AFINAR_CHECK(buffer_size > 0, "shuffle: buffer_size must be positive, got ", buffer_size);
  auto open = open_;
  return IterableDataset([open, seed, buffer_size]() -> BatchGenerator {
    struct State {
      BatchGenerator gen;
      std::mt19937_64 rng;
      std::vector<Batch> buffer;
      bool done = false;
    };
    auto s = std::make_shared<State>(State{open(), std::mt19937_64(seed), {}, false});
    return [s, buffer_size]() -> Batch {
      std::vector<Batch> out;
      while (!s->done && out.empty()) {
        auto b = s->gen();
        if (!b) {
          s->done = true;
          break;
        }
        for (int64_t i = 0; i < b->num_rows(); ++i) {
          if (int64_t(s->buffer.size()) < buffer_size) {
            s->buffer.push_back(row(b, i));
            continue;
          }
          auto& slot = s->buffer[std::uniform_int_distribution<size_t>(0, s->buffer.size() - 1)(s->rng)];
          out.push_back(slot);
          slot = row(b, i);
        }
      }
      if (s->done && out.empty() && !s->buffer.empty()) {
        std::shuffle(s->buffer.begin(), s->buffer.end(), s->rng);
        out.swap(s->buffer);
      }
      return out.empty() ? nullptr : concat(out);
    };
  });
}

void IterableDataset::iter(int64_t batch_size, const std::function<void(const Batch&)>& fn) const {
  AFINAR_CHECK(batch_size > 0, "iter: batch_size must be positive, got ", batch_size);
  auto gen = open_();
  std::vector<Batch> pending;
  int64_t have = 0;
  while (auto b = gen()) {
    for (int64_t off = 0; off < b->num_rows();) {
      const int64_t n = std::min(batch_size - have, b->num_rows() - off);
      pending.push_back(b->Slice(off, n));
      have += n;
      off += n;
      if (have == batch_size) {
        fn(pending.size() == 1 ? pending.front() : concat(pending));
        pending.clear();
        have = 0;
      }
    }
  }
  if (have > 0) fn(pending.size() == 1 ? pending.front() : concat(pending));
}

Dataset IterableDataset::to_dataset() const {
  std::vector<Batch> batches;
  auto gen = open_();
  while (auto b = gen()) batches.push_back(b);
  AFINAR_CHECK(!batches.empty(), "to_dataset: the stream is empty");
  return Dataset(unwrap(arrow::Table::FromRecordBatches(batches), "IterableDataset::to_dataset"));
}

std::map<std::string, IterableDataset> load_iterable_dataset(const std::string& path, const LoadDatasetOptions& options) {
  std::map<std::string, IterableDataset> out;
  const auto resolved = data::resolve_splits(path, options);
  for (const auto& [split, files] : resolved.splits) {
    if (resolved.builder == "conll") {  // a sentence spans lines: CoNLL files are read whole
      std::vector<std::shared_ptr<arrow::Table>> tables;
      for (const auto& f : files) tables.push_back(data::read_conll(f));
      auto table = tables.size() == 1 ? tables.front() : unwrap(arrow::ConcatenateTables(tables), path);
      out.emplace(split, IterableDataset::from_dataset(Dataset(table, files.front().string())));
      continue;
    }
    out.emplace(split, IterableDataset::from_files(files));
  }
  return out;
}

}  // namespace afinar
