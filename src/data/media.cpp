// Decoders behind the Audio and Image features: PNG (libpng), JPEG (libjpeg-turbo) and
// WAV/FLAC/OGG (libsndfile), all from bytes in memory, plus scipy's resample_poly filter.
// The libraries report errors through callbacks; ours throw FormatError, which unwinds through
// their C frames (Debian builds them with unwind tables) and leaves nothing allocated: every
// handle is owned by a guard object.
#include "afinar/data/media.h"

#include <jpeglib.h>
#include <png.h>
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "afinar/core/check.h"

namespace afinar {
namespace {

// ---- PNG ----

struct PngReader {
  std::string_view data;
  size_t pos = 0;
  std::string origin;
};

[[noreturn]] void png_fail(png_structp png, png_const_charp msg) {
  auto* r = static_cast<PngReader*>(png_get_error_ptr(png));
  throw FormatError(detail::concat(r->origin, ": cannot decode PNG: ", msg));
}
void png_warn(png_structp, png_const_charp) {}
void png_read(png_structp png, png_bytep out, png_size_t n) {
  auto* r = static_cast<PngReader*>(png_get_io_ptr(png));
  if (r->pos + n > r->data.size()) png_error(png, "truncated data");
  std::memcpy(out, r->data.data() + r->pos, n);
  r->pos += n;
}

DecodedImage decode_png(std::string_view bytes, const std::string& origin) {
  PngReader reader{bytes, 0, origin};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &reader, png_fail, png_warn);
  AFINAR_CHECK_FORMAT(png != nullptr, origin, ": png_create_read_struct failed");
  png_infop info = png_create_info_struct(png);
  struct Guard {
    png_structp* p;
    png_infop* i;
    ~Guard() { png_destroy_read_struct(p, i, nullptr); }
  } guard{&png, &info};
  png_set_read_fn(png, &reader, png_read);
  png_read_info(png, info);
  const int color = png_get_color_type(png, info), depth = png_get_bit_depth(png, info);
  DecodedImage img;
  img.width = png_get_image_width(png, info);
  img.height = png_get_image_height(png, info);
  // The mode PIL's PngImagePlugin gives (no tRNS expansion: PIL keeps it as metadata).
  const char* mode = nullptr;
  switch (color) {
    case PNG_COLOR_TYPE_GRAY:
      if (depth == 1) {  // PIL mode "1": np.asarray gives bools, kept here as 0/1
        png_set_packing(png);
        mode = "1", img.channels = 1;
        break;
      }
      if (depth == 16) {  // PIL mode "I;16": the samples as they are, in `wide`
        mode = "I;16", img.channels = 1;
        break;
      }
      if (depth < 8) png_set_expand_gray_1_2_4_to_8(png);
      mode = "L", img.channels = 1;
      break;
    case PNG_COLOR_TYPE_GRAY_ALPHA:
      mode = "LA", img.channels = 2;
      break;
    case PNG_COLOR_TYPE_RGB:
      mode = "RGB", img.channels = 3;
      break;
    case PNG_COLOR_TYPE_RGB_ALPHA:
      mode = "RGBA", img.channels = 4;
      break;
    case PNG_COLOR_TYPE_PALETTE: {
      if (depth < 8) png_set_packing(png);
      mode = "P", img.channels = 1;
      png_colorp plte = nullptr;
      int n = 0;
      png_bytep alpha = nullptr;
      int n_alpha = 0;
      png_get_PLTE(png, info, &plte, &n);
      if (png_get_valid(png, info, PNG_INFO_tRNS)) png_get_tRNS(png, info, &alpha, &n_alpha, nullptr);
      img.palette.assign(256 * 4, 0);
      for (int i = 0; i < 256; ++i) img.palette[size_t(i) * 4 + 3] = 255;
      for (int i = 0; i < n && i < 256; ++i) {
        img.palette[size_t(i) * 4] = plte[i].red, img.palette[size_t(i) * 4 + 1] = plte[i].green;
        img.palette[size_t(i) * 4 + 2] = plte[i].blue;
        if (i < n_alpha) img.palette[size_t(i) * 4 + 3] = alpha[i];
      }
      break;
    }
    default:
      throw FormatError(detail::concat(origin, ": PNG color type ", color, " unknown"));
  }
  img.mode.assign(mode, std::strlen(mode));
  const bool wide = img.mode == "I;16";
  if (depth == 16 && !wide) png_set_strip_16(png);  // PIL's RGB;16B unpackers keep the high byte
  if (wide) png_set_swap(png);                      // PNG is big-endian; `wide` is native
  const int passes = png_set_interlace_handling(png);
  (void)passes;
  png_read_update_info(png, info);
  const size_t rowbytes = png_get_rowbytes(png, info);
  AFINAR_CHECK_FORMAT(rowbytes == size_t(img.width * img.channels) * (wide ? 2 : 1), origin,
                      ": unexpected PNG row size ", rowbytes);
  std::vector<png_bytep> rows(size_t(img.height));
  if (wide) {
    img.wide.resize(size_t(img.height * img.width));
    for (int64_t y = 0; y < img.height; ++y)
      rows[size_t(y)] = reinterpret_cast<png_bytep>(img.wide.data() + size_t(y * img.width));
  } else {
    img.pixels.resize(size_t(img.height) * rowbytes);
    for (int64_t y = 0; y < img.height; ++y) rows[size_t(y)] = img.pixels.data() + size_t(y) * rowbytes;
  }
  png_read_image(png, rows.data());
  png_read_end(png, nullptr);
  return img;
}

// ---- JPEG ----

struct JpegError {
  jpeg_error_mgr mgr;
  const std::string* origin;
};

[[noreturn]] void jpeg_fail(j_common_ptr cinfo) {
  char msg[JMSG_LENGTH_MAX];
  (*cinfo->err->format_message)(cinfo, msg);
  throw FormatError(detail::concat(*reinterpret_cast<JpegError*>(cinfo->err)->origin, ": cannot decode JPEG: ", msg));
}
void jpeg_quiet(j_common_ptr, int) {}

DecodedImage decode_jpeg(std::string_view bytes, const std::string& origin) {
  jpeg_decompress_struct cinfo{};
  JpegError err{};
  err.origin = &origin;
  cinfo.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = jpeg_fail;
  err.mgr.emit_message = jpeg_quiet;
  jpeg_create_decompress(&cinfo);
  struct Guard {
    jpeg_decompress_struct* c;
    ~Guard() { jpeg_destroy_decompress(c); }
  } guard{&cinfo};
  jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&cinfo, TRUE);
  DecodedImage img;
  if (cinfo.jpeg_color_space == JCS_GRAYSCALE) {
    cinfo.out_color_space = JCS_GRAYSCALE;
    img.mode = "L", img.channels = 1;
  } else if (cinfo.jpeg_color_space == JCS_YCbCr || cinfo.jpeg_color_space == JCS_RGB) {
    cinfo.out_color_space = JCS_RGB;
    img.mode = "RGB", img.channels = 3;
  } else if (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK) {
    cinfo.out_color_space = JCS_CMYK;  // libjpeg turns YCCK into CMYK
    img.mode = "CMYK", img.channels = 4;
  } else {
    throw FormatError(detail::concat(origin, ": JPEG color space ", int(cinfo.jpeg_color_space), " unknown"));
  }
  jpeg_start_decompress(&cinfo);
  img.width = cinfo.output_width;
  img.height = cinfo.output_height;
  const size_t stride = size_t(img.width * img.channels);
  img.pixels.resize(size_t(img.height) * stride);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = img.pixels.data() + size_t(cinfo.output_scanline) * stride;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  // Adobe's CMYK JPEGs (PIL writes them so too) store inverted samples; PIL reads "CMYK;I".
  if (img.mode == "CMYK" && cinfo.saw_Adobe_marker)
    for (auto& v : img.pixels) v = uint8_t(255 - v);
  jpeg_finish_decompress(&cinfo);
  return img;
}

// ---- mode conversion (PIL's Image.convert for 8-bit modes) ----

uint8_t luma(uint8_t r, uint8_t g, uint8_t b) {  // PIL's L24 macro: ITU-R 601-2 in 16-bit fixed point
  return uint8_t((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);
}

/// Pillow's MULDIV255: a·b/255 rounded, in integers.
uint8_t muldiv255(int a, int b) {
  const int t = a * b + 128;
  return uint8_t(((t >> 8) + t) >> 8);
}

/// P, 1, I;16 and CMYK as 8-bit L or RGBA (what PIL converts them through), else `in` itself.
DecodedImage to_8bit(const DecodedImage& in) {
  if (in.mode != "P" && in.mode != "1" && in.mode != "I;16" && in.mode != "CMYK") return in;
  DecodedImage out;
  out.height = in.height, out.width = in.width;
  const int64_t n = in.height * in.width;
  if (in.mode == "1" || in.mode == "I;16") {
    out.mode = "L", out.channels = 1;
    out.pixels.resize(size_t(n));
    for (int64_t p = 0; p < n; ++p)  // 1 → 0/255; I;16 → clipped (Pillow's I16_L)
      out.pixels[size_t(p)] = in.mode == "1" ? uint8_t(in.pixels[size_t(p)] ? 255 : 0)
                                             : uint8_t(std::min<uint16_t>(in.wide[size_t(p)], 255));
    return out;
  }
  out.mode = "RGBA", out.channels = 4;
  out.pixels.resize(size_t(n) * 4);
  for (int64_t p = 0; p < n; ++p) {
    uint8_t* d = out.pixels.data() + p * 4;
    if (in.mode == "P") {
      const uint8_t* c = in.palette.data() + size_t(in.pixels[size_t(p)]) * 4;
      d[0] = c[0], d[1] = c[1], d[2] = c[2], d[3] = c[3];
    } else {  // Pillow's cmyk2rgb
      const uint8_t* s = in.pixels.data() + p * 4;
      const int nk = 255 - s[3];
      for (int k = 0; k < 3; ++k) d[k] = uint8_t(std::clamp(nk - int(muldiv255(s[k], nk)), 0, 255));
      d[3] = 255;
    }
  }
  return out;
}

DecodedImage convert(const DecodedImage& raw, const std::string& mode, const std::string& origin) {
  if (mode.empty() || mode == raw.mode) return raw;
  static const std::vector<std::string> modes = {"L", "LA", "RGB", "RGBA"};
  AFINAR_CHECK(std::find(modes.begin(), modes.end(), mode) != modes.end(), origin,
               ": not implemented: converting mode ", raw.mode, " to ", mode, " (afinar converts to L, LA, RGB, RGBA)");
  const DecodedImage in = to_8bit(raw);
  if (mode == in.mode) return in;
  DecodedImage out;
  out.height = in.height, out.width = in.width, out.mode = mode;
  out.channels = mode == "L" ? 1 : mode == "LA" ? 2 : mode == "RGB" ? 3 : 4;
  out.pixels.resize(size_t(out.height * out.width * out.channels));
  const bool in_gray = in.channels <= 2, in_alpha = in.channels == 2 || in.channels == 4;
  for (int64_t p = 0; p < in.height * in.width; ++p) {
    const uint8_t* s = in.pixels.data() + p * in.channels;
    uint8_t* d = out.pixels.data() + p * out.channels;
    const uint8_t r = s[0], g = in_gray ? s[0] : s[1], b = in_gray ? s[0] : s[2];
    const uint8_t a = in_alpha ? s[in.channels - 1] : 255;
    if (out.channels <= 2) {
      d[0] = in_gray ? s[0] : luma(r, g, b);
    } else {
      d[0] = r, d[1] = g, d[2] = b;
    }
    if (out.channels == 2 || out.channels == 4) d[out.channels - 1] = a;
  }
  return out;
}

// ---- audio ----

struct MemoryFile {
  std::string_view data;
  sf_count_t pos = 0;
};
sf_count_t vio_len(void* u) {
  return sf_count_t(static_cast<MemoryFile*>(u)->data.size());
}
sf_count_t vio_seek(sf_count_t off, int whence, void* u) {
  auto* m = static_cast<MemoryFile*>(u);
  const sf_count_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? m->pos : sf_count_t(m->data.size());
  m->pos = std::clamp<sf_count_t>(base + off, 0, sf_count_t(m->data.size()));
  return m->pos;
}
sf_count_t vio_read(void* out, sf_count_t n, void* u) {
  auto* m = static_cast<MemoryFile*>(u);
  n = std::min<sf_count_t>(n, sf_count_t(m->data.size()) - m->pos);
  std::memcpy(out, m->data.data() + m->pos, size_t(n));
  m->pos += n;
  return n;
}
sf_count_t vio_write(const void*, sf_count_t, void*) {
  return 0;
}
sf_count_t vio_tell(void* u) {
  return static_cast<MemoryFile*>(u)->pos;
}

/// I0, the modified Bessel function of the first kind (power series, as numpy's i0 to ~1e-16).
double bessel_i0(double x) {
  double sum = 1, term = 1;
  for (int k = 1; k < 200; ++k) {
    term *= (x / (2 * k)) * (x / (2 * k));
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

}  // namespace

DecodedImage decode_image(std::string_view bytes, const std::string& mode, const std::string& origin) {
  static const char png_sig[] = "\x89PNG\r\n\x1a\n";
  DecodedImage img;
  if (bytes.size() >= 8 && std::memcmp(bytes.data(), png_sig, 8) == 0) {
    img = decode_png(bytes, origin);
  } else if (bytes.size() >= 3 && uint8_t(bytes[0]) == 0xFF && uint8_t(bytes[1]) == 0xD8 && uint8_t(bytes[2]) == 0xFF) {
    img = decode_jpeg(bytes, origin);
  } else {
    throw FormatError(
        detail::concat(origin, ": cannot identify image file (", bytes.size(), " bytes; afinar decodes PNG and JPEG)"));
  }
  return convert(img, mode, origin);
}

std::vector<float> resample(const std::vector<float>& x, int64_t from_rate, int64_t to_rate) {
  AFINAR_CHECK(from_rate > 0 && to_rate > 0, "resample: rates must be > 0, got ", from_rate, " → ", to_rate);
  const int64_t g = std::gcd(from_rate, to_rate), up = to_rate / g, down = from_rate / g;
  if (up == 1 && down == 1) return x;
  const int64_t n_in = int64_t(x.size());
  const int64_t n_out = (n_in * up) / down + ((n_in * up) % down ? 1 : 0);
  // firwin(2·half_len+1, 1/max_rate, window=('kaiser', 5.0)), scaled to unit DC gain, × up.
  const int64_t max_rate = std::max(up, down), half_len = 10 * max_rate, taps = 2 * half_len + 1;
  const double cutoff = 1.0 / double(max_rate), beta = 5.0, i0_beta = bessel_i0(beta);
  std::vector<double> h(static_cast<size_t>(taps));
  double sum = 0;
  for (int64_t k = 0; k < taps; ++k) {
    const double m = double(k) - 0.5 * double(taps - 1);
    const double arg = cutoff * m;
    const double sinc = arg == 0 ? 1.0 : std::sin(M_PI * arg) / (M_PI * arg);
    const double r = 2.0 * double(k) / double(taps - 1) - 1.0;
    const double w = bessel_i0(beta * std::sqrt(std::max(0.0, 1.0 - r * r))) / i0_beta;
    h[size_t(k)] = cutoff * sinc * w;
    sum += h[size_t(k)];
  }
  for (auto& v : h) v = v / sum * double(up);
  // upfirdn with the filter pre-padded by n_pre_pad zeros; output samples from n_pre_remove on:
  // y[i] = Σ_m x[m] · h[(i + n_pre_remove)·down − m·up − n_pre_pad].
  const int64_t n_pre_pad = down - half_len % down, n_pre_remove = (half_len + n_pre_pad) / down;
  std::vector<float> y(static_cast<size_t>(n_out));
  for (int64_t i = 0; i < n_out; ++i) {
    const int64_t t0 = (i + n_pre_remove) * down - n_pre_pad;  // h index for m = 0
    // valid m: 0 ≤ t0 − m·up ≤ taps−1
    int64_t m_lo = t0 - (taps - 1) <= 0 ? 0 : (t0 - (taps - 1) + up - 1) / up;
    int64_t m_hi = t0 < 0 ? -1 : std::min(n_in - 1, t0 / up);
    double acc = 0;
    for (int64_t m = m_lo; m <= m_hi; ++m) acc += double(x[size_t(m)]) * h[size_t(t0 - m * up)];
    y[size_t(i)] = float(acc);
  }
  return y;
}

DecodedAudio decode_audio(std::string_view bytes, int64_t sampling_rate, int64_t num_channels,
                          const std::string& origin) {
  MemoryFile mem{bytes, 0};
  SF_VIRTUAL_IO io{vio_len, vio_seek, vio_read, vio_write, vio_tell};
  SF_INFO info{};
  SNDFILE* f = sf_open_virtual(&io, SFM_READ, &info, &mem);
  AFINAR_CHECK_FORMAT(f != nullptr, origin, ": cannot decode audio (", bytes.size(), " bytes): ", sf_strerror(nullptr),
                      "; afinar decodes WAV, FLAC and OGG");
  struct Guard {
    SNDFILE* f;
    ~Guard() { sf_close(f); }
  } guard{f};
  std::vector<float> interleaved(size_t(info.frames) * size_t(info.channels));
  const sf_count_t got = sf_readf_float(f, interleaved.data(), info.frames);
  AFINAR_CHECK_FORMAT(got == info.frames, origin, ": audio truncated: ", got, " of ", info.frames, " frames decoded");
  DecodedAudio a;
  a.num_channels = info.channels;
  a.num_samples = info.frames;
  a.sampling_rate = info.samplerate;
  a.array.resize(interleaved.size());
  for (int64_t c = 0; c < a.num_channels; ++c)
    for (int64_t i = 0; i < a.num_samples; ++i)
      a.array[size_t(c * a.num_samples + i)] = interleaved[size_t(i * a.num_channels + c)];
  if (num_channels > 0 && num_channels != a.num_channels) {
    AFINAR_CHECK(num_channels == 1 || a.num_channels == 1, origin, ": not implemented: mixing ", a.num_channels,
                 " channels to ", num_channels);
    std::vector<float> mixed(size_t(num_channels * a.num_samples));
    for (int64_t i = 0; i < a.num_samples; ++i) {
      if (num_channels == 1) {
        double s = 0;
        for (int64_t c = 0; c < a.num_channels; ++c) s += a.array[size_t(c * a.num_samples + i)];
        mixed[size_t(i)] = float(s / double(a.num_channels));
      } else {
        for (int64_t c = 0; c < num_channels; ++c) mixed[size_t(c * a.num_samples + i)] = a.array[size_t(i)];
      }
    }
    a.array = std::move(mixed);
    a.num_channels = num_channels;
  }
  if (sampling_rate > 0 && sampling_rate != a.sampling_rate) {
    std::vector<float> out;
    for (int64_t c = 0; c < a.num_channels; ++c) {
      std::vector<float> ch(a.array.begin() + c * a.num_samples, a.array.begin() + (c + 1) * a.num_samples);
      auto r = resample(ch, a.sampling_rate, sampling_rate);
      out.insert(out.end(), r.begin(), r.end());
    }
    a.num_samples = a.num_channels ? int64_t(out.size()) / a.num_channels : 0;
    a.array = std::move(out);
    a.sampling_rate = sampling_rate;
  }
  return a;
}

}  // namespace afinar
