// figure.h: one description of a plot, drawn on screen (ImGui draw lists) and exported to
// PNG / SVG / PDF (cairo) by the same layout code, so what an instructor exports looks like what
// the class saw.
//
// Index
//   Color, LineStyle, Colormap      basic vocabulary (Colormap::Categorical: category indices)
//   HAlign, VAlign                  how a piece of text sits on its anchor
//   Axis                            range, scale (linear / log), label with unit, optional fixed
//   ticks LineSeries, ScatterSeries       data as pointer-free copies (x, y vectors) BarSeries
//   histograms (bin edges + counts) and bar charts (categories) Heatmap                         a
//   filled image over a data rectangle, with optional colorbar:
//                                   scalar values through a colormap, per-cell colour overrides,
//                                   or an RGBA picture (a photo under a receptive-field box)
//   ContourSet                      iso-lines of a Heatmap-like grid at given levels
//   RectMark                        a rectangle in data coordinates (window outline, RF box)
//   Annotation, AnnotationFlags_    text placed in data coordinates: beside a point or centred in
//                                   a cell, with or without a plate, contrast from the cell colour
//   LegendCorner                    where the legend goes (it moves below the plot when it would
//                                   not fit inside the box)
//   Figure                          all of the above; Figure::validate() explains what is wrong
//   FigureGrid                      several Figures as panels of one picture (rows x cols), with an
//                                   overall title and optionally one shared colour scale
//   cellRect(), cellLabel()         a RectMark / Annotation on a heatmap's cell (row, col)
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
  Viridis,     // perceptual sequential: magnitudes (loss surfaces, |gradients|)
  Diverging,   // blue - white - red, symmetric around zero: signed values (feature maps)
  Categorical, // qualitative: a value is a category index (rounded), each its own distinct colour
               // (which elements share a statistic); the colorbar lists the categories
  Gray         // black -> white: grey images (a photo, an input channel)
};

// How text sits on its anchor point. Top / Bottom are the edges of the line box (ascent /
// descent), Middle its centre: HAlign::Center + VAlign::Middle centres text in a cell.
enum class HAlign { Left, Center, Right };
enum class VAlign { Top, Middle, Baseline, Bottom };

enum class AxisScale { Linear, Log10 };

struct Axis {
  std::string label; // with its unit: "step", "learning rate", "x (pixels)"
  AxisScale scale = AxisScale::Linear;
  std::optional<double> min, max; // unset: fitted to the data with a small margin
  bool invert = false;            // image rows grow downwards: set on the y axis of images
  bool gridLines = true;
  std::vector<double> ticks;           // set: labelled ticks exactly here (kernel taps 0, 1, 2)
  std::vector<std::string> tickLabels; // one per entry of ticks; empty: the numbers themselves
};

struct LineSeries {
  std::string label;          // legend entry; empty: not in the legend
  std::vector<double> x, y;   // same length; NaN breaks the line
  std::optional<Color> color; // unset: seriesColor(index among series)
  float width = 2.0f;         // in points (1/72 inch) at 1x scale
  LineStyle style = LineStyle::Solid;
  bool markers = false; // a dot at every point (optimizer steps)
};

struct ScatterSeries {
  std::string label;
  std::vector<double> x, y;
  std::vector<int> category; // optional: colour index per point (class labels)
  std::optional<Color> color;
  float radius = 3.0f; // in points
};

// Bars from `baseline` to each height, in the figure's legend with a filled swatch. Two forms:
//   histogram  edges: heights.size() + 1 ascending bin edges; bars touch (before / after norm)
//   bar chart  categories: one name per bar; bar i is centred at x = i and the names become the
//              x tick labels (unless the x axis sets its own ticks). Several bar charts in one
//              figure stand side by side within each category's slot.
struct BarSeries {
  std::string label;                   // legend entry; empty: not in the legend
  std::vector<double> heights;         // count or value per bar; NaN: no bar
  std::vector<double> edges;           // histogram bin edges (size heights + 1), or empty
  std::vector<std::string> categories; // bar chart names (size heights), or empty
  double baseline = 0;                 // bars grow from here (log y axis: from the box bottom)
  float barWidth = 0.8f;               // bar chart: fraction of the slot all its series share
  std::optional<Color> color;          // unset: seriesColor(index among all series)
  float outlineWidth = 0.6f;           // in points; 0: none. Drawn in a darker shade of color
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
  std::optional<double> vmin, vmax; // unset: data range; Diverging: symmetric +-max|v|
  bool logColor = false;            // colour by log10(value); values <= 0 drawn as vmin
  bool colorbar = true;
  std::string colorbarLabel; // e.g. "loss", "activation"
  bool showValues = false;   // write each value in its cell (small grids only)
  bool nearest = true;       // true: crisp cells; false: smooth (bilinear) colouring
  // Per-cell colours painted over the colormap's, row-major like values (empty: none). Alpha is
  // the override's strength: 0 keeps the colormap colour (cells with no role), 1 replaces it
  // (padding, inserted zeros), in between tints it (a greyed-out cell: grey at 0.7).
  std::vector<Color> cellColors;
  // An RGBA8 picture instead of values: rows * cols * 4 bytes, row-major, row 0 at y0 like
  // values. When set, values may be empty (if present they are what CSV and showValues write),
  // and no colorbar is drawn. A grey image is simpler as values with Colormap::Gray.
  std::vector<std::uint8_t> rgba;
  std::vector<std::string> categoryNames; // Categorical: colorbar label of category i (else i)
  float cellBorderWidth = 0;              // > 0: lines between cells, in points (kernels, windows)
  Color cellBorderColor = {1, 1, 1, 1};
  // Optional content revision. 0 (the default): a GPU canvas hashes values, rgba and cellColors
  // every frame to notice a change. Non-zero: the owner promises a different revision whenever
  // those change (a counter bumped on every rebuild), and the hash of the data is skipped: a
  // 512 x 512 map drawn every frame then costs nothing until it changes. Exports ignore it.
  std::uint64_t revision = 0;
};

// Iso-lines through a grid laid out like Heatmap (row-major, row 0 at y0).
struct ContourSet {
  int rows = 0, cols = 0;
  std::vector<float> values;
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  std::vector<double> levels; // empty: 10 "nice" levels over the data range
  std::optional<Color> color; // unset: dark grey
  float width = 1.0f;
};

// A rectangle with corners (x0, y0), (x1, y1) in data coordinates (either order), drawn over the
// heatmap, contours and series: the sliding window's outline, a receptive-field box on a photo.
struct RectMark {
  double x0 = 0, y0 = 0, x1 = 1, y1 = 1;
  std::optional<Color> color;         // unset: seriesColor(1) (vermillion: visible on viridis)
  float width = 2.0f;                 // outline in points (0: no outline)
  bool filled = false;                // fill with color (use its alpha for a translucent box)
  LineStyle style = LineStyle::Solid; // of the outline
  std::string label;                  // legend entry; empty: not in the legend
};

typedef int AnnotationFlags; // -> enum AnnotationFlags_
enum AnnotationFlags_ {
  AnnotationFlags_None = 0,
  AnnotationFlags_NoBackground = 1 << 0, // no white plate behind the text
  AnnotationFlags_AutoContrast = 1 << 1, // black or white text, whichever stands out more from
                                         // the colour under the anchor (the heatmap cell, the
                                         // plate, or the plot background); overrides color
  AnnotationFlags_NoClip = 1 << 2,       // drawn even when (x, y) is outside the plot box
};

struct Annotation {
  double x = 0, y = 0; // data coordinates
  std::string text;    // UTF-8; formulas may use β σ √ Σ ⌊ ⌋ ∂ ŷ
  std::optional<Color> color;
  bool marker = false; // a ring at (x, y), text beside it
  // Unset: beside the point, flipped to stay inside the box. Set: the text is anchored at (x, y)
  // by that side (Center + Middle: centred on the point, e.g. a cell centre; see cellLabel()).
  std::optional<HAlign> hAlign;
  std::optional<VAlign> vAlign;
  float sizeScale = 1.0f; // multiplies PlotStyle::annotationSize
  AnnotationFlags flags = AnnotationFlags_None;
};

// Inside the plot box by default; a legend too big for the box goes below the plot (in columns
// across the figure, text shrunk to 60% at most) rather than hiding data; if the plot is too short
// for that, it stays in its corner with smaller text; it is left out only when nothing fits.
enum class LegendCorner { None, TopRight, TopLeft, BottomRight, BottomLeft };

struct Figure {
  std::string title;
  Axis xAxis, yAxis;
  std::vector<LineSeries> lines;
  std::vector<ScatterSeries> scatters;
  std::optional<Heatmap> heatmap;
  std::vector<ContourSet> contours;
  std::vector<Annotation> annotations;
  std::vector<BarSeries> bars; // drawn under lines and scatters, over the heatmap
  std::vector<RectMark> rects; // drawn over everything else in the plot box
  LegendCorner legend = LegendCorner::TopRight;
  bool equalAspect = false; // one data unit is as long on x as on y (images, surfaces)

  // Empty when the figure can be drawn; else what is wrong, e.g. "lines[1]: x has 10 values, y 9".
  std::string validate() const;
};

// Several figures as panels of one picture, filled row by row, `cols` per row: a bank of filter
// outputs, or input | kernel | output side by side. Each panel keeps its own axes and title.
struct FigureGrid {
  std::string title; // over the whole grid; empty: none
  int cols = 1;      // panels per row (rows = ceil(panels / cols))
  std::vector<Figure> panels;
  // One colour scale for every panel's scalar heatmap (the union of their ranges, symmetric for
  // Diverging), shown by a single colorbar right of the grid; panels' own colorbars are hidden.
  bool sharedColorScale = false;
  std::string colorbarLabel; // label of the shared colorbar
  // The smallest page exportFigureGrid() gives the grid, in points (0: no minimum): the page is
  // max(ExportOptions' size, this) per side, so nine image panels with their own axes are not
  // squeezed into the default 6.4 x 4.8 in page. Screens ignore it (a widget is the size it is).
  float minPageWidthPt = 0, minPageHeightPt = 0;

  // Empty when the grid can be drawn; else e.g. "panels[2]: lines[0]: x has 10 values, y 9".
  std::string validate() const;
};

// The rectangle of heatmap cells [row, row + rowSpan) x [col, col + colSpan), as a RectMark
// outline (the sliding window over an input grid).
RectMark cellRect(const Heatmap& heatmap, int row, int col, int rowSpan = 1, int colSpan = 1);

// Text centred in cell (row, col), no plate, black or white from the cell's colour.
Annotation cellLabel(const Heatmap& heatmap, int row, int col, std::string text);

} // namespace nnlab::plot
