#include "plot/colormap.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

namespace nnlab::plot {
namespace {

// Viridis as a degree-6 polynomial per channel (Matt Zucker's least-squares fit to matplotlib's
// 256-entry table, public domain; max error about 1/255), evaluated by Horner's rule.
Color viridis(double t) {
  static const double c[7][3] = {{0.2777273272234177, 0.005407344544966578, 0.3340998053353061},
                                 {0.1050930431085774, 1.404613529898575, 1.384590162594685},
                                 {-0.3308618287255563, 0.214847559468213, 0.09509516302823659},
                                 {-4.634230498983486, -5.799100973351585, -19.33244095627987},
                                 {6.228269936347081, 14.17993336680509, 56.69055260068105},
                                 {4.776384997670288, -13.74514537774601, -65.35303263337234},
                                 {-5.435455855934631, 4.645852612178535, 26.3124352495832}};
  double rgb[3];
  for (int ch = 0; ch < 3; ++ch) {
    double v = c[6][ch];
    for (int k = 5; k >= 0; --k) v = v * t + c[k][ch];
    rgb[ch] = std::clamp(v, 0.0, 1.0);
  }
  return {float(rgb[0]), float(rgb[1]), float(rgb[2]), 1.0f};
}

// ColorBrewer RdBu (11 classes), reversed so t = 0 is dark blue and t = 1 dark red; linear
// interpolation between the published stops.
Color diverging(double t) {
  static const unsigned stops[11] = {0x053061, 0x2166ac, 0x4393c3, 0x92c5de, 0xd1e5f0, 0xf7f7f7,
                                     0xfddbc7, 0xf4a582, 0xd6604d, 0xb2182b, 0x67001f};
  const double x = t * 10.0;
  const int i = std::min(static_cast<int>(x), 9);
  const double f = x - i;
  auto channel = [&](int shift) {
    const double a = ((stops[i] >> shift) & 0xff) / 255.0,
                 b = ((stops[i + 1] >> shift) & 0xff) / 255.0;
    return float(a + (b - a) * f);
  };
  return {channel(16), channel(8), channel(0), 1.0f};
}

constexpr int kCategories = 12;

} // namespace

Color categoricalColor(int index) {
  // tab10 (Tableau 10, matplotlib's default cycle) without its grey, which reads as "disabled",
  // then light blue, light orange and light green from tab20: consecutive indices always differ
  // in hue or, for the last three, clearly in lightness.
  static const unsigned palette[kCategories] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728,
                                                0x9467bd, 0x8c564b, 0xe377c2, 0xbcbd22,
                                                0x17becf, 0xaec7e8, 0xffbb78, 0x98df8a};
  const unsigned c = palette[((index % kCategories) + kCategories) % kCategories];
  return Color::rgb(int(c >> 16), int((c >> 8) & 0xff), int(c & 0xff));
}

Color composite(Color under, Color over) {
  const float a = std::clamp(over.a, 0.0f, 1.0f);
  return {under.r + (over.r - under.r) * a, under.g + (over.g - under.g) * a,
          under.b + (over.b - under.b) * a, under.a + (1 - under.a) * a};
}

Color colormapColor(Colormap map, double t) {
  if (std::isnan(t)) return {0.5f, 0.5f, 0.5f, 1.0f};
  t = std::clamp(t, 0.0, 1.0);
  switch (map) {
  case Colormap::Viridis: return viridis(t);
  case Colormap::Diverging: return diverging(t);
  case Colormap::Categorical: return categoricalColor(int(std::lround(t * (kCategories - 1))));
  case Colormap::Gray: return {float(t), float(t), float(t), 1.0f};
  }
  return viridis(t);
}

Color ColorScale::color(double value) const {
  if (map != Colormap::Categorical) return colormapColor(map, normalize(value));
  if (!std::isfinite(value)) return {0.5f, 0.5f, 0.5f, 1.0f};
  return categoricalColor(int(std::lround(std::clamp(value, -1e9, 1e9))));
}

double relativeLuminance(Color c) {
  auto linear = [](double s) {
    return s <= 0.04045 ? s / 12.92 : std::pow((s + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b);
}

double ColorScale::normalize(double value) const {
  if (std::isnan(value)) return std::nan("");
  double lo = vmin, hi = vmax, v = value;
  if (log) {
    if (v <= 0 || lo <= 0 || hi <= 0) return 0;
    lo = std::log10(lo), hi = std::log10(hi), v = std::log10(v);
  }
  if (!(hi > lo)) return 0.5; // a constant field: the middle of the map
  return std::clamp((v - lo) / (hi - lo), 0.0, 1.0);
}

ColorScale resolveColorScale(const Heatmap& heatmap) {
  ColorScale scale;
  scale.map = heatmap.colormap;
  scale.log = heatmap.logColor;
  const bool categorical = heatmap.colormap == Colormap::Categorical;
  if (heatmap.vmin && heatmap.vmax && !categorical) { // both ends given: no need to look at data
    scale.vmin = *heatmap.vmin, scale.vmax = *heatmap.vmax;
    return scale;
  }
  double lo = INFINITY, hi = -INFINITY, maxAbs = 0;
  for (float v : heatmap.values) {
    if (!std::isfinite(v) || (scale.log && v <= 0)) continue;
    lo = std::min(lo, double(v)), hi = std::max(hi, double(v));
    maxAbs = std::max(maxAbs, std::abs(double(v)));
  }
  if (!(hi >= lo)) lo = scale.log ? 1 : 0, hi = scale.log ? 10 : 1; // no finite data
  if (heatmap.colormap == Colormap::Diverging && !scale.log) {
    if (maxAbs == 0) maxAbs = 1;
    lo = -maxAbs, hi = maxAbs;
  }
  if (heatmap.colormap == Colormap::Categorical) {
    scale.log = false;
    lo = std::round(lo), hi = std::round(hi);
  }
  scale.vmin = heatmap.vmin.value_or(lo);
  scale.vmax = heatmap.vmax.value_or(hi);
  return scale;
}

Color heatmapCellColor(const Heatmap& h, const ColorScale& scale, int row, int col) {
  const std::size_t k = std::size_t(row) * h.cols + col;
  Color c;
  if (!h.rgba.empty()) {
    const std::uint8_t* p = &h.rgba[k * 4];
    c = Color::rgb(p[0], p[1], p[2], p[3] / 255.0f);
  } else {
    c = scale.color(h.values[k]);
  }
  return h.cellColors.empty() ? c : composite(c, h.cellColors[k]);
}

std::vector<std::uint8_t> heatmapToRgba(const Heatmap& heatmap, bool rowZeroOnTop) {
  return heatmapToRgba(heatmap, resolveColorScale(heatmap), rowZeroOnTop);
}

std::vector<std::uint8_t> heatmapToRgba(const Heatmap& heatmap, const ColorScale& scale,
                                        bool rowZeroOnTop) {
  if (!heatmap.rgba.empty() || !heatmap.cellColors.empty() || scale.map == Colormap::Categorical) {
    // Pictures, overrides and categories: cell by cell (these grids are small or already RGBA).
    std::vector<std::uint8_t> rgba(std::size_t(heatmap.rows) * heatmap.cols * 4);
    for (int r = 0; r < heatmap.rows; ++r) {
      const int imageRow = rowZeroOnTop ? r : heatmap.rows - 1 - r;
      for (int c = 0; c < heatmap.cols; ++c) {
        const std::uint32_t packed = heatmapCellColor(heatmap, scale, r, c).toRgba8();
        std::uint8_t* px = &rgba[(std::size_t(imageRow) * heatmap.cols + c) * 4];
        for (int k = 0; k < 4; ++k) px[k] = (packed >> (8 * k)) & 0xff;
      }
    }
    return rgba;
  }
  // A 256-entry table: one colour per 8-bit level is all the output can show anyway.
  std::uint32_t table[256];
  for (int i = 0; i < 256; ++i) table[i] = colormapColor(scale.map, i / 255.0).toRgba8();
  const std::uint32_t nanColor = Color{0.5f, 0.5f, 0.5f, 1.0f}.toRgba8();
  std::vector<std::uint8_t> rgba(std::size_t(heatmap.rows) * heatmap.cols * 4);
  // Linear scales (the common case) skip normalize()'s per-value branches and lround's call: the
  // level is round(255 clamp((v - vmin) / (vmax - vmin), 0, 1)), as through normalize().
  const bool linear = !scale.log && scale.vmax > scale.vmin;
  const double lo = scale.vmin, range = scale.vmax - scale.vmin;
  // One thread: ~1.5 ns per cell (0.4 ms for 512 x 512); OpenMP threads did not pay for themselves
  // next to the software rasterizer's threads on a 2-core machine.
  for (int r = 0; r < heatmap.rows; ++r) {
    const int imageRow = rowZeroOnTop ? r : heatmap.rows - 1 - r;
    const float* values = heatmap.values.data() + std::size_t(r) * heatmap.cols;
    std::uint32_t* out =
        reinterpret_cast<std::uint32_t*>(&rgba[std::size_t(imageRow) * heatmap.cols * 4]);
    for (int c = 0; c < heatmap.cols; ++c) {
      std::uint32_t packed;
      if (linear) {
        const double v = values[c];
        packed = std::isnan(v) ? nanColor
                               : table[int(std::clamp((v - lo) / range, 0.0, 1.0) * 255 + 0.5)];
      } else {
        const double t = scale.normalize(values[c]);
        packed = std::isnan(t) ? nanColor : table[int(std::lround(t * 255))];
      }
      // 0xAABBGGRR stored little-endian is the bytes R, G, B, A of one pixel.
      static_assert(std::endian::native == std::endian::little);
      std::memcpy(&out[c], &packed, 4);
    }
  }
  return rgba;
}

} // namespace nnlab::plot
