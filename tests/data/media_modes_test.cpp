// Image modes beyond 8-bit L/LA/RGB/RGBA against PIL (fixtures/data/media_modes_expected.json and
// media_modes/, made by tools/oracle/data_image_modes_fixtures.py): 1-bit and 16-bit grayscale
// PNG, CMYK JPEG (Adobe-inverted), and palette PNGs with tRNS converted through their palette;
// each decoded as np.asarray(PIL.Image.open(f)) and converted as Image.convert(m) for L, LA,
// RGB, RGBA.
#include <gtest/gtest.h>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/data/media.h"
#include "test_util.h"

namespace afinar {
namespace {

const nlohmann::json& expected() {
  static const auto j = test::read_json_file(test::fixtures_dir() / "media_modes_expected.json");
  return j;
}

std::vector<int64_t> values(const DecodedImage& img) {
  if (!img.wide.empty()) return std::vector<int64_t>(img.wide.begin(), img.wide.end());
  return std::vector<int64_t>(img.pixels.begin(), img.pixels.end());
}

class ImageModes : public ::testing::TestWithParam<const char*> {};

TEST_P(ImageModes, DecodeAndConvertAsPil) {
  const std::string name = GetParam();
  const auto& e = expected()[name];
  const std::string bytes = read_file(test::fixtures_dir() / "media_modes" / name);
  const DecodedImage img = decode_image(bytes, "", name);
  EXPECT_EQ(img.mode, e["mode"].get<std::string>());
  const auto shape = e["shape"].get<std::vector<int64_t>>();
  EXPECT_EQ(img.height, shape[0]);
  EXPECT_EQ(img.width, shape[1]);
  EXPECT_EQ(img.channels, shape.size() > 2 ? shape[2] : 1);
  EXPECT_EQ(values(img), e["pixels"].get<std::vector<int64_t>>());
  for (const auto& [mode, pixels] : e["convert"].items()) {
    SCOPED_TRACE(mode);
    const DecodedImage c = decode_image(bytes, mode, name);
    EXPECT_EQ(c.mode, mode);
    EXPECT_EQ(values(c), pixels.get<std::vector<int64_t>>());
  }
}

INSTANTIATE_TEST_SUITE_P(Pil, ImageModes, ::testing::Values("bw.png", "gray16.png", "cmyk.jpg", "ptrns.png"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& ch : n)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

}  // namespace
}  // namespace afinar
