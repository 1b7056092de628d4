// `afinar tokenize` end to end: ids equal the library's, bad lines and unknown flags fail.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "afinar/tokenizers/tokenizer.h"

namespace {

namespace fs = std::filesystem;

int run(const std::string& args) { return std::system((std::string(AFINAR_BINARY) + " tokenize " + args + " 2>/dev/null").c_str()); }

TEST(TokenizeCmd, WritesOneEncodingPerLine) {
  fs::path dir = fs::temp_directory_path() / ("afinar_tokenize_cmd_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string tok = std::string(AFINAR_SHARED_DIR) + "/tokenizers/bert-base-uncased";
  std::ofstream(dir / "in.jsonl") << R"({"text": "Hello, world!"})" << "\n" << R"({"text": "naïve café"})" << "\n";
  ASSERT_EQ(run("--tokenizer " + tok + " --input " + (dir / "in.jsonl").string() + " --output " +
                (dir / "out.jsonl").string()), 0);
  auto lib = afinar::AutoTokenizer::from_pretrained(tok);
  std::ifstream out(dir / "out.jsonl");
  std::string line;
  for (const char* text : {"Hello, world!", "naïve café"}) {
    ASSERT_TRUE(std::getline(out, line));
    auto row = nlohmann::json::parse(line);
    EXPECT_EQ(row["input_ids"].get<std::vector<int32_t>>(), lib.encode(text).ids);
    EXPECT_TRUE(row.contains("token_type_ids") && row.contains("attention_mask") && row.contains("offsets"));
  }
  std::ofstream(dir / "bad.jsonl") << R"({"text": "ok"})" << "\n" << "{not json\n";
  EXPECT_NE(run("--tokenizer " + tok + " --input " + (dir / "bad.jsonl").string() + " --output " +
                (dir / "o.jsonl").string()), 0);
  EXPECT_FALSE(fs::exists(dir / "o.jsonl"));
  EXPECT_NE(run("--tokenizer " + tok + " --input x --output y --no_such_flag"), 0);
  fs::remove_all(dir);
}

}  // namespace
