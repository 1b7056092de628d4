// run_qa.py's prepare_train_features / prepare_validation_features over Dataset::map.
#include "afinar/train/question_answering.h"

#include <arrow/api.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "afinar/core/check.h"
#include "afinar/tokenizers/tokenizer.h"
#include "afinar/tokenizers/unicode.h"
#include "squad_columns.h"

namespace afinar {
namespace {

using qa_detail::answers;
using qa_detail::Answers;
using qa_detail::check_ok;
using qa_detail::finish;
using qa_detail::join;
using qa_detail::need_column;
using qa_detail::strings;

// Python's str.lstrip(): run_qa strips the questions' leading whitespace.
std::string lstrip(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    size_t next = i;
    const char32_t c = tokenizers::next_char(s, next);
    if (!tokenizers::is_whitespace(c) && !(c >= 0x1C && c <= 0x1F)) break;
    i = next;
  }
  return s.substr(i);
}

size_t code_points(std::string_view s) {
  return size_t(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

struct Batch {
  std::vector<std::string> questions;  // left-stripped
  std::vector<std::string> ids;
  std::vector<Answers> answers;
  std::vector<Encoding> features;       // every window, example by example
  std::vector<int64_t> sample_mapping;  // HF's overflow_to_sample_mapping
};

class Preprocessor {
 public:
  Preprocessor(const Dataset& examples, const Tokenizer& tok, const QuestionAnsweringPreprocessing& o)
      : tok_(tok), opt_(o) {
    if (tok.padding_side() != "right")
      AFINAR_NOT_IMPLEMENTED("question answering with a tokenizer whose padding_side is \"", tok.padding_side(),
                             "\" (run_qa then puts the context first)");
    for (const auto& c : {o.question_column_name, o.context_column_name})
      AFINAR_CHECK(examples.has_column(c), examples.origin(), ": no column '", c,
                   "'; columns found: ", join(examples.column_names()),
                   ". HINT: --question_column_name / --context_column_name");
    max_length_ = std::min(o.max_seq_length, tok.model_max_length());
    enc_.truncation = true;
    enc_.max_length = max_length_;
    enc_.stride = o.doc_stride;
    enc_.truncation_strategy = "only_second";
    if (o.pad_to_max_length) enc_.padding = "max_length";
    cls_ = tok.special_token_id("cls_token");
    bos_ = tok.special_token_id("bos_token");
    type_ids_ = tok.uses_token_type_ids();
  }

  MapOptions map_options(const Dataset& examples, const MapOptions& base, const char* transform) const {
    MapOptions m = base;
    m.transform = transform;
    m.transform_key = tok_.fingerprint() + " question=" + opt_.question_column_name +
                      " context=" + opt_.context_column_name + " answers=" + opt_.answer_column_name +
                      " max_seq_length=" + std::to_string(max_length_) +
                      " doc_stride=" + std::to_string(opt_.doc_stride) +
                      " pad_to_max_length=" + std::to_string(opt_.pad_to_max_length);
    m.remove_columns = examples.column_names();  // the row count changes: every input column goes
    return m;
  }

  /// Tokenizes a batch into its windows; `want_answers` / `want_ids` read those columns too.
  Batch tokenize(const arrow::RecordBatch& b, bool want_answers, bool want_ids) const {
    Batch out;
    auto& questions = out.questions;
    questions =
        strings(*need_column(b, opt_.question_column_name, "--question_column_name"), opt_.question_column_name);
    const auto contexts =
        strings(*need_column(b, opt_.context_column_name, "--context_column_name"), opt_.context_column_name);
    if (want_answers)
      out.answers = answers(*need_column(b, opt_.answer_column_name, "--answer_column_name"), opt_.answer_column_name);
    if (want_ids) out.ids = strings(*need_column(b, "id", "run_qa needs an \"id\" column"), "id");
    for (auto& q : questions) q = lstrip(q);
    std::vector<Encoding> enc(questions.size());
    parallel_for(enc.size(), [&](size_t i) {
      try {
        enc[i] = tok_.encode_pair(questions[i], contexts[i], enc_);
      } catch (const InvalidArgument& e) {
        throw InvalidArgument(detail::concat("question answering: question \"", questions[i], "\": ", e.what(),
                                             " (max_seq_length ", max_length_, ", doc_stride ", opt_.doc_stride,
                                             "). HINT: a larger --max_seq_length or a smaller --doc_stride"));
      }
    });
    for (size_t i = 0; i < enc.size(); ++i) {
      // transformers: [encoding] + encoding.overflowing, one level.
      std::vector<Encoding> over = std::move(enc[i].overflowing);
      enc[i].overflowing.clear();
      out.features.push_back(std::move(enc[i]));
      out.sample_mapping.push_back(int64_t(i));
      for (auto& o : over) {
        o.overflowing.clear();
        out.features.push_back(std::move(o));
        out.sample_mapping.push_back(int64_t(i));
      }
    }
    return out;
  }

  /// run_qa's labelling: the CLS index, or the answer's first and last token in the window.
  std::pair<int64_t, int64_t> positions(const Encoding& e, const Answers& a, const std::string& question) const {
    const int64_t n = int64_t(e.size());
    int64_t cls = 0;
    auto first = [&](std::optional<int32_t> id) {
      auto it = id ? std::find(e.ids.begin(), e.ids.end(), *id) : e.ids.end();
      return it == e.ids.end() ? int64_t(-1) : int64_t(it - e.ids.begin());
    };
    if (int64_t c = first(cls_); c >= 0)
      cls = c;
    else if (int64_t b = first(bos_); b >= 0)
      cls = b;
    if (a.answer_start.empty()) return {cls, cls};
    AFINAR_CHECK(!a.text.empty(), "question answering: question \"", question, "\" has an answer_start but no ",
                 "answer text in '", opt_.answer_column_name, "'");
    const int64_t start_char = a.answer_start[0];
    const int64_t end_char = start_char + int64_t(code_points(a.text[0]));
    int64_t ts = 0;
    while (ts < n && e.sequence_ids[size_t(ts)] != 1) ++ts;
    AFINAR_CHECK(ts < n, "question answering: question \"", question, "\" has a window without context tokens");
    int64_t te = n - 1;
    while (e.sequence_ids[size_t(te)] != 1) --te;
    const auto& off = e.offsets;
    if (!(int64_t(off[size_t(ts)].first) <= start_char && int64_t(off[size_t(te)].second) >= end_char))
      return {cls, cls};
    // As run_qa, including its walk past the context's last token (onto [SEP] and padding, whose
    // offsets are (0, 0)) when the answer ends the window, and Python's negative indexes.
    while (ts < n && int64_t(off[size_t(ts)].first) <= start_char) ++ts;
    auto at = [&](int64_t k) {
      AFINAR_CHECK(k >= -n, "question answering: question \"", question, "\": no token ends before the answer");
      return off[size_t(k < 0 ? k + n : k)];
    };
    while (int64_t(at(te).second) >= end_char) --te;
    return {ts - 1, te + 1};
  }

  bool type_ids() const { return type_ids_; }

 private:
  template <typename Fn>
  void parallel_for(size_t n, Fn fn) const {
    size_t threads = opt_.num_threads ? opt_.num_threads : std::max(1u, std::thread::hardware_concurrency());
    threads = std::min(threads, (n + 15) / 16);
    std::atomic<size_t> next{0};
    std::exception_ptr error;
    std::mutex mu;
    auto work = [&] {
      try {
        for (size_t begin; (begin = next.fetch_add(16)) < n;)
          for (size_t i = begin; i < std::min(begin + 16, n); ++i) fn(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu);
        if (!error) error = std::current_exception();
        next = n;
      }
    };
    std::vector<std::thread> pool;
    for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    if (error) std::rethrow_exception(error);
  }

  const Tokenizer& tok_;
  QuestionAnsweringPreprocessing opt_;
  EncodeOptions enc_;
  size_t max_length_ = 0;
  std::optional<int32_t> cls_, bos_;
  bool type_ids_ = false;
};

/// One list<int32> column from a member of each feature. (features) → (features, tokens)
template <typename Member>
std::shared_ptr<arrow::Array> int_lists(const std::vector<Encoding>& features, Member member) {
  arrow::ListBuilder list(arrow::default_memory_pool(), std::make_shared<arrow::Int32Builder>());
  auto& values = static_cast<arrow::Int32Builder&>(*list.value_builder());
  for (const auto& f : features) {
    check_ok(list.Append());
    for (auto v : f.*member) check_ok(values.Append(int32_t(v)));
  }
  return finish(list);
}

arrow::FieldVector token_fields(bool type_ids) {
  auto ints = arrow::list(arrow::int32());
  arrow::FieldVector f = {arrow::field("input_ids", ints)};
  if (type_ids) f.push_back(arrow::field("token_type_ids", ints));
  f.push_back(arrow::field("attention_mask", ints));
  return f;
}

arrow::ArrayVector token_columns(const std::vector<Encoding>& features, bool type_ids) {
  arrow::ArrayVector c = {int_lists(features, &Encoding::ids)};
  if (type_ids) c.push_back(int_lists(features, &Encoding::type_ids));
  c.push_back(int_lists(features, &Encoding::attention_mask));
  return c;
}

std::shared_ptr<arrow::Array> int64s(const std::vector<int64_t>& v) {
  arrow::Int64Builder b;
  check_ok(b.AppendValues(v));
  return finish(b);
}

}  // namespace

Dataset prepare_train_features(const Dataset& examples, const Tokenizer& tok, const QuestionAnsweringPreprocessing& o,
                               const MapOptions& map) {
  const Preprocessor p(examples, tok, o);
  AFINAR_CHECK(examples.has_column(o.answer_column_name), examples.origin(), ": no answer column '",
               o.answer_column_name, "'; columns found: ", join(examples.column_names()),
               ". HINT: --answer_column_name");
  auto fn = [&p](const std::shared_ptr<arrow::RecordBatch>& in) {
    Batch b = p.tokenize(*in, true, false);
    std::vector<int64_t> starts, ends;
    for (size_t i = 0; i < b.features.size(); ++i) {
      const size_t row = size_t(b.sample_mapping[i]);
      auto [s, e] = p.positions(b.features[i], b.answers[row], b.questions[row]);
      starts.push_back(s);
      ends.push_back(e);
    }
    auto fields = token_fields(p.type_ids());
    auto cols = token_columns(b.features, p.type_ids());
    fields.push_back(arrow::field("start_positions", arrow::int64()));
    fields.push_back(arrow::field("end_positions", arrow::int64()));
    cols.push_back(int64s(starts));
    cols.push_back(int64s(ends));
    return arrow::RecordBatch::Make(arrow::schema(fields), int64_t(b.features.size()), cols);
  };
  return examples.map(fn, p.map_options(examples, map, "prepare_train_features"));
}

Dataset prepare_validation_features(const Dataset& examples, const Tokenizer& tok,
                                    const QuestionAnsweringPreprocessing& o, const MapOptions& map) {
  const Preprocessor p(examples, tok, o);
  AFINAR_CHECK(examples.has_column("id"), examples.origin(),
               ": no column 'id'; columns found: ", join(examples.column_names()),
               ". HINT: run_qa's evaluation needs each question's \"id\"");
  auto fn = [&p](const std::shared_ptr<arrow::RecordBatch>& in) {
    Batch b = p.tokenize(*in, false, true);
    // offset_mapping: list<list<int32>>, a null item where run_qa puts None (outside the context).
    auto pair_builder =
        std::make_shared<arrow::ListBuilder>(arrow::default_memory_pool(), std::make_shared<arrow::Int32Builder>());
    arrow::ListBuilder offsets(arrow::default_memory_pool(), pair_builder);
    auto& pair_values = static_cast<arrow::Int32Builder&>(*pair_builder->value_builder());
    arrow::StringBuilder example_id;
    for (size_t i = 0; i < b.features.size(); ++i) {
      const Encoding& f = b.features[i];
      check_ok(offsets.Append());
      for (size_t k = 0; k < f.size(); ++k) {
        if (f.sequence_ids[k] != 1) {
          check_ok(pair_builder->AppendNull());
          continue;
        }
        check_ok(pair_builder->Append());
        check_ok(pair_values.Append(int32_t(f.offsets[k].first)));
        check_ok(pair_values.Append(int32_t(f.offsets[k].second)));
      }
      check_ok(example_id.Append(b.ids[size_t(b.sample_mapping[i])]));
    }
    auto fields = token_fields(p.type_ids());
    auto cols = token_columns(b.features, p.type_ids());
    fields.push_back(arrow::field("offset_mapping", arrow::list(arrow::list(arrow::int32()))));
    fields.push_back(arrow::field("example_id", arrow::utf8()));
    cols.push_back(finish(offsets));
    cols.push_back(finish(example_id));
    return arrow::RecordBatch::Make(arrow::schema(fields), int64_t(b.features.size()), cols);
  };
  return examples.map(fn, p.map_options(examples, map, "prepare_validation_features"));
}

}  // namespace afinar
