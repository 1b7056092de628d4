// The CoNLL builder: CoNLL-2003 files (TOKEN POS CHUNK NER per line, blank lines between
// sentences, -DOCSTART- lines between documents) built as HF's conll2003 dataset script
// (datasets/conll2003/conll2003.py): one row per sentence with id (its index in the file, as a
// string), tokens, and pos_tags / chunk_tags / ner_tags as ClassLabel sequences whose names and
// order are the script's (also in its dataset_infos.json: 47 POS, 23 chunk, 9 NER names).
#include <arrow/api.h>

#include <unordered_map>

#include "afinar/core/fs.h"
#include "readers.h"

namespace afinar::data {
namespace {

const std::vector<std::string>& pos_names() {
  static const std::vector<std::string> n = {
      "\"",  "''",  "#",   "$",  "(",  ")",  ",",   ".",    ":",   "``",     "CC",  "CD",  "DT",  "EX",   "FW", "IN",
      "JJ",  "JJR", "JJS", "LS", "MD", "NN", "NNP", "NNPS", "NNS", "NN|SYM", "PDT", "POS", "PRP", "PRP$", "RB", "RBR",
      "RBS", "RP",  "SYM", "TO", "UH", "VB", "VBD", "VBG",  "VBN", "VBP",    "VBZ", "WDT", "WP",  "WP$",  "WRB"};
  return n;
}
const std::vector<std::string>& chunk_names() {
  static const std::vector<std::string> n = {"O",       "B-ADJP", "I-ADJP", "B-ADVP", "I-ADVP", "B-CONJP",
                                             "I-CONJP", "B-INTJ", "I-INTJ", "B-LST",  "I-LST",  "B-NP",
                                             "I-NP",    "B-PP",   "I-PP",   "B-PRT",  "I-PRT",  "B-SBAR",
                                             "I-SBAR",  "B-UCP",  "I-UCP",  "B-VP",   "I-VP"};
  return n;
}
const std::vector<std::string>& ner_names() {
  static const std::vector<std::string> n = {"O",     "B-PER", "I-PER",  "B-ORG", "I-ORG",
                                             "B-LOC", "I-LOC", "B-MISC", "I-MISC"};
  return n;
}

/// One tag column: name → id, and the list builder the ids go to.
struct TagColumn {
  explicit TagColumn(const std::vector<std::string>& names)
      : values(std::make_shared<arrow::Int64Builder>()), list(arrow::default_memory_pool(), values) {
    for (size_t i = 0; i < names.size(); ++i) ids.emplace(names[i], int64_t(i));
  }
  std::unordered_map<std::string, int64_t> ids;
  std::shared_ptr<arrow::Int64Builder> values;
  arrow::ListBuilder list;
};

}  // namespace

Features conll2003_features() {
  return Features{{"id", Feature::value("string")},
                  {"tokens", Feature::list(Feature::value("string"))},
                  {"pos_tags", Feature::list(Feature::class_label(pos_names()))},
                  {"chunk_tags", Feature::list(Feature::class_label(chunk_names()))},
                  {"ner_tags", Feature::list(Feature::class_label(ner_names()))}};
}

std::shared_ptr<arrow::Table> read_conll(const fs::path& file) {
  std::error_code ec;
  AFINAR_CHECK_FORMAT(fs::is_regular_file(file, ec), file.string(), ": no such file");
  const std::string text = read_file(file);
  const std::string where = file.string();
  arrow::StringBuilder ids;
  auto token_values = std::make_shared<arrow::StringBuilder>();
  arrow::ListBuilder tokens(arrow::default_memory_pool(), token_values);
  TagColumn pos(pos_names()), chunk(chunk_names()), ner(ner_names());
  TagColumn* tags[3] = {&pos, &chunk, &ner};
  int64_t guid = 0, in_sentence = 0;
  auto close_sentence = [&] {
    if (in_sentence == 0) return;
    check_ok(ids.Append(std::to_string(guid++)), where);
    in_sentence = 0;
  };
  auto open_sentence = [&] {
    check_ok(tokens.Append(), where);
    for (auto* t : tags) check_ok(t->list.Append(), where);
  };
  size_t start = 0;
  int64_t line_no = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    start = end + 1;
    ++line_no;
    // As the script: "-DOCSTART-" and empty lines end a sentence; other lines are split on
    // single spaces and the last column is rstrip()'ed.
    if (line.starts_with("-DOCSTART-") || line.empty()) {
      close_sentence();
      continue;
    }
    std::string_view cols[4];
    size_t n = 0, pos_in = 0;
    while (n < 4) {
      size_t sp = line.find(' ', pos_in);
      if (n == 3 || sp == std::string_view::npos) {
        cols[n++] = line.substr(pos_in);
        break;
      }
      cols[n++] = line.substr(pos_in, sp - pos_in);
      pos_in = sp + 1;
    }
    AFINAR_CHECK_FORMAT(n == 4, where, ":", line_no, ": expected 4 space-separated columns (TOKEN POS CHUNK NER), got ",
                        n, " in '", line, "'");
    while (!cols[3].empty() && std::isspace(static_cast<unsigned char>(cols[3].back()))) cols[3].remove_suffix(1);
    if (cols[3].find(' ') != std::string_view::npos) cols[3] = cols[3].substr(0, cols[3].find(' '));
    if (in_sentence == 0) open_sentence();
    ++in_sentence;
    check_ok(token_values->Append(cols[0].data(), int32_t(cols[0].size())), where);
    static const char* kColumn[3] = {"pos_tags", "chunk_tags", "ner_tags"};
    for (int k = 0; k < 3; ++k) {
      auto it = tags[k]->ids.find(std::string(cols[k + 1]));
      AFINAR_CHECK_FORMAT(it != tags[k]->ids.end(), where, ":", line_no, ": '", cols[k + 1], "' is not a ", kColumn[k],
                          " label of conll2003");
      check_ok(tags[k]->values->Append(it->second), where);
    }
  }
  close_sentence();
  const Features f = conll2003_features();
  arrow::ArrayVector arrays = {unwrap(ids.Finish(), where), unwrap(tokens.Finish(), where)};
  for (auto* t : tags) arrays.push_back(unwrap(t->list.Finish(), where));
  return arrow::Table::Make(f.arrow_schema(), arrays);
}

}  // namespace afinar::data
