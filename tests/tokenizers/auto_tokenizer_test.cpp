// AutoTokenizer folders (tokenizer.json + configs, vocab.txt only) and save_pretrained.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "fixture_util.h"

namespace afinar::test {
namespace {

namespace fs = std::filesystem;

TEST(AutoTokenizer, CasedVocabOnlyFolderMatchesBertTokenizerFast) {
  auto fx = load_fixture("bert_cased_vocab.json");
  auto tok = AutoTokenizer::from_pretrained(tok_dir("bert-base-cased"));
  for (size_t i = 0; i < fx["texts"].size(); ++i)
    expect_matches(fx["encodings"][i], tok.encode(fx["texts"][i].get<std::string>()), "cased " + std::to_string(i));
  EXPECT_EQ(tok.pad_token(), "[PAD]");
}

TEST(AutoTokenizer, FolderReadsTokenizerConfig) {
  auto tok = AutoTokenizer::from_pretrained(tok_dir("sentence-transformers__all-MiniLM-L6-v2"));
  EXPECT_EQ(tok.model_max_length(), 512u);
  EXPECT_EQ(tok.pad_token_id().value_or(-1), 0);
  EncodeOptions o;
  o.truncation = true;  // max_length defaults to model_max_length
  EXPECT_EQ(tok.encode(std::string(3000, 'a') + std::string(3000, ' ') + "x y z " + std::string(2000, 'b'), o).size(), 7u);
  std::string many;
  for (int i = 0; i < 600; ++i) many += "word ";
  EXPECT_EQ(tok.encode(many, o).size(), 512u);
}

TEST(AutoTokenizer, SavePretrainedRoundTrips) {
  fs::path dir = fs::temp_directory_path() / ("afinar_tok_save_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  for (const char* src : {"sentence-transformers__all-MiniLM-L6-v2", "bert-base-cased"}) {
    auto tok = AutoTokenizer::from_pretrained(tok_dir(src));
    tok.save_pretrained(dir);
    for (const char* f : {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"})
      EXPECT_TRUE(fs::exists(dir / f)) << src << " " << f;
    auto back = AutoTokenizer::from_pretrained(dir.string());
    std::string text = "Hello, World! [MASK] naïve 中文";
    EXPECT_EQ(back.encode(text).ids, tok.encode(text).ids) << src;
    EXPECT_EQ(back.model_max_length(), tok.model_max_length()) << src;
    EXPECT_EQ(back.file_defaults().padding, tok.file_defaults().padding) << src;

    // transformers must load what we wrote (when the dev venv is at hand).
    const char* py = std::getenv("AFINAR_PYTHON");
    if (!py || !fs::exists(py)) continue;
    std::string cmd = std::string(py) + " -c \"import sys,transformers as t; k=t.AutoTokenizer.from_pretrained(sys.argv[1]);"
                      " print(k('Hello, World!')['input_ids'])\" " + dir.string() + " > " + (dir / "py.txt").string();
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    std::ifstream in(dir / "py.txt");
    std::string line;
    std::getline(in, line);
    auto ids = tok.encode("Hello, World!").ids;
    std::string want = "[";
    for (size_t i = 0; i < ids.size(); ++i) want += (i ? ", " : "") + std::to_string(ids[i]);
    EXPECT_EQ(line, want + "]") << src;
    fs::remove_all(dir);
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace afinar::test
