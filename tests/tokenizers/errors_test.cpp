// Bad inputs: each error names its cause (type, file, byte offset).
#include <filesystem>
#include <fstream>

#include "fixture_util.h"

namespace afinar::test {
namespace {

const char* kMinimal = R"({"normalizer": %N, "pre_tokenizer": {"type": "BertPreTokenizer"},
  "model": {"type": "WordPiece", "unk_token": "[UNK]", "vocab": %V}})";

std::string minimal(const std::string& normalizer, const std::string& vocab = R"({"[UNK]": 0, "a": 1})") {
  std::string s = kMinimal;
  size_t n = s.find("%N");
  std::string out = s.substr(0, n) + normalizer;
  size_t v = s.find("%V");
  out += s.substr(n + 2, v - n - 2) + vocab + s.substr(v + 2);
  return out;
}

template <typename E>
std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "<no exception>";
}

TEST(Errors, UnknownComponentTypeNamesItAndTheSupportedOnes) {
  auto msg = message_of<NotImplemented>([] { Tokenizer::from_json_string(minimal(R"({"type": "Fancy"})"), "t.json"); });
  EXPECT_NE(msg.find("Fancy"), std::string::npos) << msg;
  EXPECT_NE(msg.find("BertNormalizer"), std::string::npos) << msg;
  EXPECT_NE(msg.find("Precompiled"), std::string::npos) << msg;
  msg = message_of<NotImplemented>([] {
    Tokenizer::from_json_string(R"({"model": {"type": "Fancy", "vocab": {}, "merges": []}})", "t.json");
  });
  EXPECT_NE(msg.find("Fancy"), std::string::npos) << msg;
  EXPECT_NE(msg.find("Unigram"), std::string::npos) << msg;
  for (const char* j : {R"({"pre_tokenizer": {"type": "Fancy"}, "model": {"type": "WordLevel", "vocab": {"a": 0}, "unk_token": "a"}})",
                        R"({"decoder": {"type": "Fancy"}, "model": {"type": "WordLevel", "vocab": {"a": 0}, "unk_token": "a"}})",
                        R"({"post_processor": {"type": "Fancy"}, "model": {"type": "WordLevel", "vocab": {"a": 0}, "unk_token": "a"}})"}) {
    msg = message_of<NotImplemented>([&] { Tokenizer::from_json_string(j, "t.json"); });
    EXPECT_NE(msg.find("\"Fancy\""), std::string::npos) << msg;
    EXPECT_NE(msg.find("supported: "), std::string::npos) << msg;
  }
}

TEST(Errors, MissingVocabOrMergesIsAFormatError) {
  for (const char* j : {R"({"model": {"type": "BPE", "merges": []}})", R"({"model": {"type": "BPE", "vocab": {"a": 0}}})",
                        R"({"model": {"type": "Unigram", "unk_id": 0}})", R"({"model": {"type": "WordLevel", "unk_token": "a"}})"}) {
    auto msg = message_of<FormatError>([&] { Tokenizer::from_json_string(j, "t.json"); });
    EXPECT_NE(msg.find("t.json"), std::string::npos) << msg;
    EXPECT_TRUE(msg.find("vocab") != std::string::npos || msg.find("merges") != std::string::npos) << msg;
  }
  // A merge whose parts are not in the vocab, a malformed merge, a regex that does not compile.
  for (const char* j : {R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a b"]}})",
                        R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["ab"]}})",
                        R"({"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(unclosed"}, "behavior": "Isolated"},
                            "model": {"type": "WordLevel", "vocab": {"a": 0}, "unk_token": "a"}})",
                        R"({"pre_tokenizer": {"type": "Split", "pattern": {"String": " "}, "behavior": "Sideways"},
                            "model": {"type": "WordLevel", "vocab": {"a": 0}, "unk_token": "a"}})",
                        R"({"normalizer": {"type": "Precompiled", "precompiled_charsmap": "AAA"},
                            "model": {"type": "WordLevel", "vocab": {"a": 0}, "unk_token": "a"}})"}) {
    auto msg = message_of<FormatError>([&] { Tokenizer::from_json_string(j, "t.json"); });
    EXPECT_NE(msg.find("t.json"), std::string::npos) << msg;
  }
}

TEST(Errors, MissingUnkInVocabIsAFormatError) {
  auto msg = message_of<FormatError>([] { Tokenizer::from_json_string(minimal("null", R"({"a": 1})"), "t.json"); });
  EXPECT_NE(msg.find("[UNK]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("t.json"), std::string::npos) << msg;
  EXPECT_THROW(AutoTokenizer::from_pretrained("/nonexistent/afinar/folder"), std::exception);
  auto dir = std::filesystem::temp_directory_path() / "afinar_tok_empty_folder";
  std::filesystem::create_directories(dir);
  EXPECT_THROW(AutoTokenizer::from_pretrained(dir.string()), FormatError);  // no vocab at all
}

TEST(Errors, MalformedJsonNamesFileAndByteOffset) {
  auto path = std::filesystem::temp_directory_path() / "afinar_bad_tokenizer.json";
  std::ofstream(path) << R"({"model": {"type": "WordPiece",, }})";
  auto msg = message_of<FormatError>([&] { Tokenizer::from_file(path); });
  EXPECT_NE(msg.find(path.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("byte 31"), std::string::npos) << msg;
}

TEST(Errors, InvalidUtf8InputIsInvalidArgument) {
  auto tok = Tokenizer::from_file(bert_uncased_json());
  for (std::string bad : {std::string("ab\xff"), std::string("\xc3"), std::string("\xed\xa0\x80"),
                          std::string("\xc0\xaf"), std::string("ok \xe2\x82")}) {
    EXPECT_THROW(tok.encode(bad), InvalidArgument) << bad;
    EXPECT_THROW(tok.encode_batch({"fine", bad}), InvalidArgument);
  }
  EXPECT_THROW(Tokenizer().encode("x"), InvalidArgument);
}

}  // namespace
}  // namespace afinar::test
