// colormap.h: value -> colour, for heatmaps and their colorbars.
//
//   Viridis    perceptual sequential (van der Walt & Smith, matplotlib 2.0): dark violet -> yellow,
//              luminance rising monotonically, readable in greyscale and by colour-blind viewers.
//   Diverging  ColorBrewer RdBu reversed: blue (negative) - white (0) - red (positive), for
//              signed values such as feature maps and kernels.
//   Categorical  a 12-colour qualitative palette (matplotlib's tab10 without its grey, then two
//              tab20 tints), neighbouring indices clearly different; a value is an index.
//   Gray       black -> white, linear in sRGB (a grey photo as it was stored).
#pragma once

#include <cstdint>
#include <vector>

#include "plot/figure.h"

namespace nnlab::plot {

// The map at t in [0, 1] (clamped; NaN gives mid-grey). Categorical: the 12 palette colours
// spread evenly over [0, 1].
Color colormapColor(Colormap map, double t);

// Category `index` of the qualitative palette; cycles every 12 (negative indices too).
Color categoricalColor(int index);

// `over` painted on `under` with over's alpha (the result is opaque when under is).
Color composite(Color under, Color over);

// WCAG relative luminance of an sRGB colour (0 black .. 1 white).
double relativeLuminance(Color c);

// How values become colours: the resolved range of a heatmap.
struct ColorScale {
  Colormap map = Colormap::Viridis;
  double vmin = 0, vmax = 1; // data values at the ends of the map
  bool log = false;          // map log10(v); v <= 0 maps to vmin

  double normalize(double value) const; // to [0, 1], clamped
  Color color(double value) const;      // Categorical: categoricalColor(round(value))
};

// The heatmap's scale with unset ends filled in: the data range for Viridis, +-max|v| for
// Diverging (so 0 is white), the positive data range when logColor is set, the smallest and
// largest category (rounded) for Categorical.
ColorScale resolveColorScale(const Heatmap& heatmap);

// The colour cell (row, col) is drawn in: its rgba pixel, or the value through `scale`, with
// cellColors painted over. What automatic text contrast is judged against.
Color heatmapCellColor(const Heatmap& heatmap, const ColorScale& scale, int row, int col);

// RGBA8 pixels (heatmapCellColor of every cell), cols x rows, image row 0 on top. rowZeroOnTop:
// whether heatmap row 0 (at y0) is drawn at the top (inverted y axis, as for images) or at the
// bottom (a y-up data plot).
std::vector<std::uint8_t> heatmapToRgba(const Heatmap& heatmap, bool rowZeroOnTop);
// The same with a given scale (a FigureGrid's shared one) instead of the heatmap's own.
std::vector<std::uint8_t> heatmapToRgba(const Heatmap& heatmap, const ColorScale& scale,
                                        bool rowZeroOnTop);

} // namespace nnlab::plot
