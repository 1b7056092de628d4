// Audio and Image features against HF / PIL / soundfile / scipy (fixtures/data/media_expected.json,
// media/ and hf_media_dict/, made by tools/oracle/data_media_fixtures.py): the features' JSON and
// repr, decoded pixels (PNG exact, JPEG within 1 level), decoded samples (WAV/FLAC exact, OGG
// within 1e-4), resampling vs scipy.signal.resample_poly (within 1e-5), the DatasetDict that HF
// saved, and (when AFINAR_PYTHON is set) HF loading what afinar saved.
#include <arrow/api.h>

#include <cmath>
#include <cstdlib>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/data/dataset.h"
#include "afinar/hub/sha256.h"
#include "test_util.h"

namespace afinar {
namespace {

using test::expect_error;

const nlohmann::json& expected() {
  static const auto j = test::read_json_file(test::fixtures_dir() / "media_expected.json");
  return j;
}
std::string media(const std::string& name) {
  return read_file(test::fixtures_dir() / "media" / name);
}

double max_diff(const std::vector<float>& got, const nlohmann::json& want) {
  EXPECT_EQ(got.size(), want.size());
  double d = 0;
  for (size_t i = 0; i < std::min(got.size(), want.size()); ++i)
    d = std::max(d, std::abs(double(got[i]) - want[i].get<double>()));
  return d;
}

TEST(Media, FeaturesJsonAndReprAsHf) {
  const auto& e = expected()["hf_media_dict"];
  const auto ordered = nlohmann::ordered_json::parse(read_file(test::fixtures_dir() / "media_expected.json"));
  const auto f = Features::from_json(ordered["hf_media_dict"]["features"]);
  EXPECT_EQ(nlohmann::json::parse(f.to_json().dump()), e["features"]);
  EXPECT_EQ(f.repr(), e["repr"].get<std::string>());
  EXPECT_EQ(f["audio"].sampling_rate(), 16000);
  EXPECT_EQ(f["image"].arrow_type()->ToString(), "struct<bytes: binary, path: string>");
  const auto odd =
      Feature::from_json(nlohmann::ordered_json::parse(R"({"mode": "RGB", "decode": false, "_type": "Image"})"));
  EXPECT_EQ(odd.repr(), "Image(mode='RGB', decode=False)");
  EXPECT_EQ(odd.to_json().dump(), R"({"mode":"RGB","decode":false,"_type":"Image"})");
  EXPECT_EQ(Feature::audio().repr(), "Audio(sampling_rate=None, decode=True, num_channels=None, stream_index=None)");
}

TEST(Media, ImagesDecodeAsPil) {
  for (const char* name : {"rgb.png", "rgba.png", "gray.png", "la.png", "p.png", "rgb.jpg", "gray.jpg"}) {
    SCOPED_TRACE(name);
    const auto& e = expected()[name];
    const DecodedImage img = decode_image(media(name), "", name);
    EXPECT_EQ(img.mode, e["mode"].get<std::string>());
    std::vector<int64_t> shape = {img.height, img.width};
    if (img.channels > 1) shape.push_back(img.channels);
    EXPECT_EQ(nlohmann::json(shape), e["shape"]);
    std::vector<float> px(img.pixels.begin(), img.pixels.end());
    const bool jpeg = std::string(name).ends_with(".jpg");
    const double d = max_diff(px, e["pixels"]);
    EXPECT_LE(d, jpeg ? 1.0 : 0.0);  // libjpeg-turbo ISLOW IDCT + fancy upsampling, as PIL
    std::cout << "[ media ] " << name << " max |afinar - PIL| = " << d << "\n";
    if (e.contains("convert")) {
      for (const auto& [mode, pixels] : e["convert"].items()) {
        const DecodedImage c = decode_image(media(name), mode, name);
        EXPECT_EQ(c.mode, mode);
        std::vector<float> cp(c.pixels.begin(), c.pixels.end());
        EXPECT_LE(max_diff(cp, pixels), jpeg ? 1.0 : 0.0) << mode;
      }
    }
  }
}

TEST(Media, AudioDecodesAsSoundfileAndResamplesAsScipy) {
  for (const char* name : {"sine16k.wav", "stereo8k.flac", "tone.ogg"}) {
    SCOPED_TRACE(name);
    const auto& e = expected()[name];
    const DecodedAudio a = decode_audio(media(name), -1, -1, name);
    EXPECT_EQ(a.sampling_rate, e["sampling_rate"].get<int64_t>());
    EXPECT_EQ(nlohmann::json({a.num_channels, a.num_samples}), e["shape"]);
    const double d = max_diff(a.array, e["array"]);
    EXPECT_LE(d, std::string(name).ends_with(".ogg") ? 1e-4 : 0.0);
    std::cout << "[ media ] " << name << " max |afinar - soundfile| = " << d << "\n";
    for (const auto& [rate, r] : e["resampled"].items()) {
      const DecodedAudio rs = decode_audio(media(name), std::stoll(rate), -1, name);
      EXPECT_EQ(rs.sampling_rate, std::stoll(rate));
      EXPECT_EQ(nlohmann::json({rs.num_channels, rs.num_samples}), r["shape"]);
      const double dr = max_diff(rs.array, r["array"]);
      EXPECT_LE(dr, 1e-5) << rate;
      std::cout << "[ media ] " << name << " → " << rate << " Hz max |afinar - resample_poly| = " << dr << "\n";
    }
  }
  const DecodedAudio mono = decode_audio(media("stereo8k.flac"), -1, 1);
  const DecodedAudio st = decode_audio(media("stereo8k.flac"));
  EXPECT_EQ(mono.num_channels, 1);
  EXPECT_FLOAT_EQ(mono.sample(0, 10), 0.5f * (st.sample(0, 10) + st.sample(1, 10)));
}

TEST(Media, UndecodableBytesAreClearErrors) {
  expect_error<FormatError>([] { decode_image("not an image", "", "x.bin"); }, {"x.bin", "cannot identify image"});
  const std::string png = media("rgb.png");
  expect_error<FormatError>([&] { decode_image(png.substr(0, png.size() / 2), "", "cut.png"); }, {"cut.png", "PNG"});
  const std::string jpg = media("rgb.jpg");
  expect_error<FormatError>([&] { decode_image(jpg.substr(0, 40), "", "cut.jpg"); }, {"cut.jpg", "JPEG"});
  expect_error<FormatError>([] { decode_audio("RIFF....junk", -1, -1, "x.wav"); }, {"x.wav", "cannot decode audio"});
  expect_error<InvalidArgument>([&] { decode_image(media("p.png"), "HSV"); }, {"not implemented", "HSV"});
}

/// Rows with the media bytes as their SHA-256, as the oracle writes them.
nlohmann::json plain_rows(const Dataset& ds) {
  auto rows = nlohmann::json::array();
  const auto t = ds.table();
  for (int64_t r = 0; r < t->num_rows(); ++r) {
    nlohmann::json row = nlohmann::json::object();
    for (int c = 0; c < t->num_columns(); ++c) {
      const std::string name = t->field(c)->name();
      auto s = t->column(c)->GetScalar(r).ValueOrDie();
      if (name == "image" || name == "audio") {
        const auto& st = static_cast<const arrow::StructScalar&>(*s);
        row[name] = {
            {"sha256", hub::sha256_hex(static_cast<const arrow::BinaryScalar&>(*st.value[0]).value->ToString())},
            {"path", static_cast<const arrow::StringScalar&>(*st.value[1]).value->ToString()}};
      } else {
        row[name] = test::scalar_to_json(*s);
      }
    }
    rows.push_back(row);
  }
  return rows;
}

TEST(Media, LoadsTheDatasetDictHfSavedAndDecodesLazily) {
  const auto& e = expected()["hf_media_dict"];
  auto dd = DatasetDict::load_from_disk(test::fixtures_dir() / "hf_media_dict");
  EXPECT_EQ(nlohmann::json(dd.splits()), e["splits"]);
  const Dataset& train = dd["train"];
  EXPECT_EQ(train.features().repr(), e["repr"].get<std::string>());
  EXPECT_EQ(plain_rows(train), e["rows"]);
  const DecodedImage img = train.image("image", 2);
  EXPECT_EQ(img.mode, "P");
  std::vector<float> px(img.pixels.begin(), img.pixels.end());
  EXPECT_EQ(max_diff(px, expected()["p.png"]["pixels"]), 0.0);
  // The feature asks for 16 kHz: the 8 kHz FLAC comes back resampled, both channels.
  const DecodedAudio a = train.audio("audio", 1);
  EXPECT_EQ(a.sampling_rate, 16000);
  EXPECT_EQ(a.path, "stereo8k.flac");
  EXPECT_LE(max_diff(a.array, expected()["stereo8k.flac"]["resampled"]["16000"]["array"]), 1e-5);
  expect_error<InvalidArgument>([&] { train.image("audio", 0); }, {"not an Image"});
  expect_error<InvalidArgument>([&] { train.audio("audio", 3); }, {"out of range"});
  // cast_column changes only the declared feature; the bytes stay.
  const Dataset gray = train.cast_column("image", Feature::image("L"));
  EXPECT_EQ(gray.image("image", 0).mode, "L");
  EXPECT_EQ(gray.image("image", 0).pixels.size(), 6u * 8u);
}

TEST(Media, RoundTripAndPythonLoadsWhatAfinarSaved) {
  test::TempDir tmp;
  auto dd = DatasetDict::load_from_disk(test::fixtures_dir() / "hf_media_dict");
  dd.save_to_disk(tmp.path / "dd");
  auto back = DatasetDict::load_from_disk(tmp.path / "dd");
  EXPECT_EQ(back["train"].features(), dd["train"].features());
  EXPECT_EQ(plain_rows(back["train"]), expected()["hf_media_dict"]["rows"]);
  const char* py = std::getenv("AFINAR_PYTHON");
  if (!py || !*py) GTEST_SKIP() << "AFINAR_PYTHON not set";
  const fs::path out = tmp.path / "out.json";
  tmp.write(
      "check.py",
      "import datasets, hashlib, json, sys\n"
      "dd = datasets.load_from_disk(sys.argv[1])\n"
      "tr = dd['train'].cast_column('image', datasets.Image(decode=False))"
      ".cast_column('audio', datasets.Audio(decode=False))\n"
      "rows = [{k: ({'sha256': hashlib.sha256(v['bytes']).hexdigest(), 'path': v['path']}"
      " if k in ('image', 'audio') else v) for k, v in r.items()} for r in tr]\n"
      "json.dump({'splits': list(dd), 'repr': repr(dd['train'].features), 'rows': rows}, open(sys.argv[2], 'w'))\n");
  const std::string cmd = std::string(py) + " " + (tmp.path / "check.py").string() + " " + (tmp.path / "dd").string() +
                          " " + out.string() + " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  auto got = test::read_json_file(out);
  EXPECT_EQ(got["splits"], expected()["hf_media_dict"]["splits"]);
  EXPECT_EQ(got["repr"], expected()["hf_media_dict"]["repr"]);
  EXPECT_EQ(got["rows"], expected()["hf_media_dict"]["rows"]);
}

}  // namespace
}  // namespace afinar
