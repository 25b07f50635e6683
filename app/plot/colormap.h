// colormap.h: value -> colour, for heatmaps and their colorbars.
//
//   Viridis    perceptual sequential (van der Walt & Smith, matplotlib 2.0): dark violet -> yellow,
//              luminance rising monotonically, readable in greyscale and by colour-blind viewers.
//   Diverging  ColorBrewer RdBu reversed: blue (negative) - white (0) - red (positive), for
//              signed values such as feature maps and kernels.
#pragma once

#include <cstdint>
#include <vector>

#include "plot/figure.h"

namespace nnlab::plot {

// The map at t in [0, 1] (clamped; NaN gives mid-grey).
Color colormapColor(Colormap map, double t);

// WCAG relative luminance of an sRGB colour (0 black .. 1 white).
double relativeLuminance(Color c);

// How values become colours: the resolved range of a heatmap.
struct ColorScale {
  Colormap map = Colormap::Viridis;
  double vmin = 0, vmax = 1; // data values at the ends of the map
  bool log = false;          // map log10(v); v <= 0 maps to vmin

  double normalize(double value) const; // to [0, 1], clamped
  Color color(double value) const { return colormapColor(map, normalize(value)); }
};

// The heatmap's scale with unset ends filled in: the data range for Viridis, +-max|v| for
// Diverging (so 0 is white), the positive data range when logColor is set.
ColorScale resolveColorScale(const Heatmap& heatmap);

// RGBA8 pixels, cols x rows, image row 0 on top. rowZeroOnTop: whether heatmap row 0 (at y0)
// is drawn at the top (inverted y axis, as for images) or at the bottom (a y-up data plot).
std::vector<std::uint8_t> heatmapToRgba(const Heatmap& heatmap, bool rowZeroOnTop);

} // namespace nnlab::plot
