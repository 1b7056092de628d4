// `afinar tokenize`: JSONL in → JSONL out, one encoding per input line.
//   afinar tokenize --tokenizer bert-base-uncased --input in.jsonl --output out.jsonl --max_length 128
//   --stride 32 --return_overflowing_tokens: each truncated line is followed by one line per overflow
//   window, carrying "overflow_of": <1-based line number in the input>.
#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/tokenizers/tokenizer.h"
#include "commands.h"

namespace afinar::cli {

namespace {

struct TokenizeArgs {
  std::string tokenizer, input, output;
  std::string text_field = "text";
  std::string text_pair_field;
  bool no_special_tokens = false;
  bool truncation = false;
  size_t max_length = 0;
  size_t stride = 0;
  bool return_overflowing_tokens = false;
  std::string padding = "do_not_pad";
  size_t pad_to_multiple_of = 0;
  std::string padding_side;  ///< empty: the tokenizer's
  std::string truncation_strategy = "longest_first";
};

nlohmann::json to_row(const Encoding& e, bool with_type_ids) {
  nlohmann::json row;
  row["input_ids"] = e.ids;
  if (with_type_ids) row["token_type_ids"] = e.type_ids;
  row["attention_mask"] = std::vector<int>(e.attention_mask.begin(), e.attention_mask.end());
  auto& offsets = row["offsets"] = nlohmann::json::array();
  for (auto [s, t] : e.offsets) offsets.push_back({s, t});
  return row;
}

std::string field(const nlohmann::json& row, const std::string& name, const std::string& file, size_t line) {
  auto it = row.find(name);
  AFINAR_CHECK(it != row.end() && it->is_string(), file, ":", line, ": no string field \"", name,
               "\"; HINT: pick the column with --text_field / --text_pair_field");
  return it->get<std::string>();
}

void run(const TokenizeArgs& a) {
  // A path to a tokenizer.json, or a folder / Hub id for AutoTokenizer.
  Tokenizer tok = fs::is_regular_file(a.tokenizer) ? Tokenizer::from_file(a.tokenizer)
                                                   : AutoTokenizer::from_pretrained(a.tokenizer);
  EncodeOptions opt;
  opt.add_special_tokens = !a.no_special_tokens;
  // As transformers: a max_length alone also truncates.
  opt.truncation = a.truncation || a.max_length > 0;
  if (a.max_length > 0) opt.max_length = a.max_length;
  opt.stride = a.stride;
  opt.padding = a.padding;
  if (a.pad_to_multiple_of > 0) opt.pad_to_multiple_of = a.pad_to_multiple_of;
  if (!a.padding_side.empty()) opt.padding_side = a.padding_side;
  opt.truncation_strategy = a.truncation_strategy;

  std::ifstream in(a.input, std::ios::binary);
  AFINAR_CHECK_FORMAT(in.good(), a.input, ": cannot open the input file");
  std::vector<std::string> texts, pairs;
  std::vector<size_t> line_of;  // input line number of each text
  size_t line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json row;
    try {
      row = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for 1e999
      throw FormatError(detail::concat(a.input, ":", line_no, ": malformed JSON (", e.what(), ")"));
    }
    AFINAR_CHECK_FORMAT(row.is_object(), a.input, ":", line_no, ": each line must be a JSON object");
    texts.push_back(field(row, a.text_field, a.input, line_no));
    line_of.push_back(line_no);
    if (!a.text_pair_field.empty()) pairs.push_back(field(row, a.text_pair_field, a.input, line_no));
  }

  std::vector<Encoding> encs;
  if (pairs.empty()) {
    encs = tok.encode_batch(texts, opt);
  } else {
    // encode_pair pads each pair alone, so "longest" takes two passes: find the longest, then pad
    // every pair to it as "max_length". Truncation is unchanged: when any pair was truncated the
    // longest equals --max_length, and otherwise nothing reaches the new length.
    EncodeOptions first = opt;
    if (opt.padding == "longest") first.padding = "do_not_pad";
    for (size_t i = 0; i < texts.size(); ++i) encs.push_back(tok.encode_pair(texts[i], pairs[i], first));
    if (opt.padding == "longest" && !encs.empty()) {
      size_t longest = 0;
      for (const Encoding& e : encs) longest = std::max(longest, e.size());
      EncodeOptions second = opt;
      second.padding = "max_length";
      second.max_length = longest;
      for (size_t i = 0; i < texts.size(); ++i) encs[i] = tok.encode_pair(texts[i], pairs[i], second);
    }
  }
  std::string out;
  for (size_t i = 0; i < encs.size(); ++i) {
    out += to_row(encs[i], tok.uses_token_type_ids()).dump();
    out += '\n';
    if (!a.return_overflowing_tokens) continue;
    for (const Encoding& o : encs[i].overflowing) {
      nlohmann::json row = to_row(o, tok.uses_token_type_ids());
      row["overflow_of"] = line_of[i];
      out += row.dump();
      out += '\n';
    }
  }
  write_file_atomic(a.output, out);
}

}  // namespace

void add_tokenize_command(CLI::App& app) {
  auto args = std::make_shared<TokenizeArgs>();
  auto* cmd = app.add_subcommand("tokenize", "Tokenize a JSONL file with a Hugging Face tokenizer");
  cmd->add_option("--tokenizer", args->tokenizer, "tokenizer.json, a tokenizer folder or a Hub id")->required();
  cmd->add_option("--input", args->input, "input JSONL, one object per line")->required();
  cmd->add_option("--output", args->output, "output JSONL (written atomically)")->required();
  cmd->add_option("--text_field", args->text_field, "field holding the text")->capture_default_str();
  cmd->add_option("--text_pair_field", args->text_pair_field, "field holding the second text of a pair");
  cmd->add_flag("--no_special_tokens", args->no_special_tokens, "do not add [CLS]/[SEP]-style tokens");
  cmd->add_flag("--truncation", args->truncation, "truncate to --max_length (default: model_max_length)");
  cmd->add_option("--max_length", args->max_length, "truncate to this many tokens");
  cmd->add_option("--stride", args->stride, "overlap, in tokens, of the overflow windows")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--return_overflowing_tokens", args->return_overflowing_tokens,
                "after each truncated line, write one line per overflow window with \"overflow_of\": the "
                "1-based input line it comes from");
  cmd->add_option("--padding", args->padding, "pad to the longest line or to --max_length")
      ->check(CLI::IsMember({"longest", "max_length", "do_not_pad"}))
      ->capture_default_str();
  cmd->add_option("--pad_to_multiple_of", args->pad_to_multiple_of, "round the padded length up to a multiple of N")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--padding_side", args->padding_side, "where pad tokens go (default: the tokenizer's)")
      ->check(CLI::IsMember({"left", "right"}));
  cmd->add_option("--truncation_strategy", args->truncation_strategy, "which text of a pair to truncate")
      ->check(CLI::IsMember({"longest_first", "only_first", "only_second"}))
      ->capture_default_str();
  cmd->callback([args] { run(*args); });
}

}  // namespace afinar::cli
