// figure.h: one description of a plot, drawn on screen (ImGui draw lists) and exported to
// PNG / SVG / PDF (cairo) by the same layout code, so what an instructor exports looks like what
// the class saw.
//
// Index
//   Color, LineStyle, Colormap      basic vocabulary
//   Axis                            range, scale (linear / log), label with unit
//   LineSeries, ScatterSeries       data as pointer-free copies (x, y vectors)
//   Heatmap                         a filled image over a data rectangle, with optional colorbar
//   ContourSet                      iso-lines of a Heatmap-like grid at given levels
//   Annotation, Legend              text placed in data coordinates; legend corner
//   Figure                          all of the above; Figure::validate() explains what is wrong
//
// A Figure owns its data (plain std::vectors) so it can be built on a worker thread, cached on a
// lab's state, and handed to either renderer unchanged.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nnlab::plot {

struct Color {
  float r = 0, g = 0, b = 0, a = 1; // each in [0, 1]
  static Color rgb(int r8, int g8, int b8, float alpha = 1.0f) {
    return {r8 / 255.0f, g8 / 255.0f, b8 / 255.0f, alpha};
  }
  std::uint32_t toRgba8() const; // 0xAABBGGRR as ImGui's IM_COL32 packs it
};

// The six-colour cycle series take when they do not set a colour (colour-blind safe, Okabe-Ito).
Color seriesColor(int index);

enum class LineStyle { Solid, Dashed, Dotted };

enum class Colormap {
  Viridis,  // perceptual sequential: magnitudes (loss surfaces, |gradients|)
  Diverging // blue - white - red, symmetric around zero: signed values (feature maps)
};

enum class AxisScale { Linear, Log10 };

struct Axis {
  std::string label;                     // with its unit: "step", "learning rate", "x (pixels)"
  AxisScale scale = AxisScale::Linear;
  std::optional<double> min, max;        // unset: fitted to the data with a small margin
  bool invert = false;                   // image rows grow downwards: set on the y axis of images
  bool gridLines = true;
};

struct LineSeries {
  std::string label;                     // legend entry; empty: not in the legend
  std::vector<double> x, y;              // same length; NaN breaks the line
  std::optional<Color> color;            // unset: seriesColor(index among series)
  float width = 2.0f;                    // in points (1/72 inch) at 1x scale
  LineStyle style = LineStyle::Solid;
  bool markers = false;                  // a dot at every point (optimizer steps)
};

struct ScatterSeries {
  std::string label;
  std::vector<double> x, y;
  std::vector<int> category;             // optional: colour index per point (class labels)
  std::optional<Color> color;
  float radius = 3.0f;                   // in points
};

// A grid of values drawn as colours over [x0, x1] x [y0, y1] in data coordinates.
// values are row-major, rows * cols; row 0 is drawn at y0 (so with Axis::invert on y, at the top).
// Cell (r, c) covers [x0 + c dx, x0 + (c+1) dx] with dx = (x1 - x0) / cols (same for y): a value
// sits at its cell's centre, which is where contours (ContourSet) and CSV export place it.
struct Heatmap {
  int rows = 0, cols = 0;
  std::vector<float> values;
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  Colormap colormap = Colormap::Viridis;
  std::optional<double> vmin, vmax;      // unset: data range; Diverging: symmetric +-max|v|
  bool logColor = false;                 // colour by log10(value); values <= 0 drawn as vmin
  bool colorbar = true;
  std::string colorbarLabel;             // e.g. "loss", "activation"
  bool showValues = false;               // write each value in its cell (small grids only)
  bool nearest = true;                   // true: crisp cells; false: smooth (bilinear) colouring
};

// Iso-lines through a grid laid out like Heatmap (row-major, row 0 at y0).
struct ContourSet {
  int rows = 0, cols = 0;
  std::vector<float> values;
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  std::vector<double> levels;            // empty: 10 "nice" levels over the data range
  std::optional<Color> color;            // unset: dark grey
  float width = 1.0f;
};

struct Annotation {
  double x = 0, y = 0;                   // data coordinates
  std::string text;                      // UTF-8; formulas may use β σ √ Σ ⌊ ⌋ ∂ ŷ
  std::optional<Color> color;
  bool marker = false;                   // a ring at (x, y), text beside it
};

enum class LegendCorner { None, TopRight, TopLeft, BottomRight, BottomLeft };

struct Figure {
  std::string title;
  Axis xAxis, yAxis;
  std::vector<LineSeries> lines;
  std::vector<ScatterSeries> scatters;
  std::optional<Heatmap> heatmap;
  std::vector<ContourSet> contours;
  std::vector<Annotation> annotations;
  LegendCorner legend = LegendCorner::TopRight;
  bool equalAspect = false;              // one data unit is as long on x as on y (images, surfaces)

  // Empty when the figure can be drawn; else what is wrong, e.g. "lines[1]: x has 10 values, y 9".
  std::string validate() const;
};

} // namespace nnlab::plot
