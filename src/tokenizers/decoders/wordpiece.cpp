#include "afinar/tokenizers/decoders/wordpiece.h"

namespace afinar::tokenizers {

namespace {
void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
    s.replace(pos, from.size(), to);
}
}  // namespace

std::string wordpiece_cleanup(std::string s) {
  static constexpr std::pair<std::string_view, std::string_view> kRules[] = {
      {" .", "."},   {" ?", "?"},   {" !", "!"},           {" ,", ","},   {" ' ", "'"},  {" n't", "n't"},
      {" 'm", "'m"}, {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
  for (const auto& [from, to] : kRules) replace_all(s, from, to);
  return s;
}

std::string WordPieceDecoder::decode(const std::vector<std::string>& tokens) const {
  std::string out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string& token = tokens[i];
    std::string t;
    if (i != 0 && token.compare(0, prefix_.size(), prefix_) == 0) {
      t.assign(token, prefix_.size());
    } else {
      if (i != 0) t.push_back(' ');
      t.append(token);
    }
    // HF cleans each token after the prefix step, not the joined string.
    out += cleanup_ ? wordpiece_cleanup(std::move(t)) : t;
  }
  return out;
}

}  // namespace afinar::tokenizers
