/// Audio and Image values: decoding the bytes that an Audio/Image column stores
/// (struct {bytes, path}, as HF) into samples and pixels, on access only.
///
/// Images: PNG (libpng) and JPEG (libjpeg-turbo) → H×W×C in the mode PIL gives the file, as
/// np.asarray(PIL image): "L", "LA", "RGB", "RGBA"; "P" for palette PNGs (the indices); "1" for
/// 1-bit PNGs (0/1, numpy's bool); "I;16" for 16-bit grayscale PNGs (uint16 samples in `wide`);
/// "CMYK" for CMYK/YCCK JPEGs (Adobe-inverted samples un-inverted, as PIL). A feature mode
/// (L, LA, RGB, RGBA) converts with PIL's formulas ("L" from RGB is ITU-R 601-2 luma; P through
/// its palette and tRNS; I;16 clipped to 255; CMYK → RGB as Pillow's cmyk2rgb).
/// Audio: WAV/FLAC/OGG (libsndfile) → float32 samples, channel-major (num_channels ×
/// num_samples, as torchcodec's AudioDecoder.get_all_samples), resampled to the feature's
/// sampling_rate when it differs (see resample()).
///
///   auto ds = afinar::Dataset::load_from_disk("media_dict/train");
///   afinar::DecodedImage img = ds.image("image", 0);   // img.at(y, x, c)
///   afinar::DecodedAudio a = ds.audio("audio", 0);     // a.array, a.sampling_rate
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace afinar {

struct DecodedImage {
  int64_t height = 0, width = 0, channels = 0;
  std::string mode;              ///< PIL's mode: L, LA, RGB, RGBA, P, 1, I;16, CMYK
  std::vector<uint8_t> pixels;   ///< [H, W, C], row-major (empty for I;16)
  std::vector<uint16_t> wide;    ///< I;16 only: [H, W] samples
  std::vector<uint8_t> palette;  ///< P only: RGBA per index (alpha from the PNG's tRNS, else 255)
  uint8_t at(int64_t y, int64_t x, int64_t c = 0) const { return pixels[size_t((y * width + x) * channels + c)]; }
};

struct DecodedAudio {
  std::string path;
  std::vector<float> array;  ///< [num_channels, num_samples], channel-major
  int64_t num_channels = 0, num_samples = 0, sampling_rate = 0;
  float sample(int64_t channel, int64_t i) const { return array[size_t(channel * num_samples + i)]; }
};

/// Decodes PNG or JPEG bytes (by their signature); `mode` non-empty converts to that PIL mode
/// (L, LA, RGB, RGBA). FormatError names `origin` for bytes that are neither or are corrupt.
DecodedImage decode_image(std::string_view bytes, const std::string& mode = "", const std::string& origin = "image");

/// Decodes WAV/FLAC/OGG bytes; `sampling_rate` > 0 resamples, `num_channels` > 0 down-mixes to
/// mono (the channels' mean) or up-mixes mono by repetition. FormatError names `origin`.
DecodedAudio decode_audio(std::string_view bytes, int64_t sampling_rate = -1, int64_t num_channels = -1,
                          const std::string& origin = "audio");

/// Resamples one channel from `from_rate` to `to_rate` Hz with scipy.signal.resample_poly's
/// filter (up/down by the rates over their gcd; FIR of firwin(20·max(up,down)+1, 1/max(up,down),
/// Kaiser β=5) × up; zero padding at the edges); ceil(n·up/down) samples out.
std::vector<float> resample(const std::vector<float>& x, int64_t from_rate, int64_t to_rate);

}  // namespace afinar
