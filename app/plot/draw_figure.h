// draw_figure.h: lays out a Figure and draws it on any Canvas.
//
//   PlotStyle                 sizes, colours, spacing; `scale` enlarges everything (presentation)
//   AxisMap, FigureLayout     where the plot box, the ticks and the colorbar landed, and how data
//                             maps to canvas points (tests check it; widgets map the mouse back)
//   layoutFigure()            the layout alone (measures text through the canvas)
//   drawFigure()              layout + drawing: title, axes, grid, heatmap, contours, bars,
//                             lines, scatter, rectangles, annotations, colorbar, legend
//   FigureGridLayout          where each panel of a FigureGrid landed, and the shared colorbar
//   drawFigureGrid()          a FigureGrid: overall title, panels row by row, shared colorbar
//   contrastingTextColor()    black or white, whichever reads better on a colour (WCAG)
//
// Both renderers call drawFigure(), so the screen and the exported file show the same figure.
//
// Heatmaps on log axes: cells keep their data extent ([x0 + c dx, x0 + (c+1) dx]), so on a log
// axis they are unequal on the canvas; the image is resampled column by column (row by row) to
// put every cell edge where the axis puts it, rather than stretched linearly between the ends.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "plot/canvas.h"
#include "plot/colormap.h"
#include "plot/figure.h"
#include "plot/ticks.h"

namespace nnlab::plot {

struct PlotStyle {
  float scale = 1.0f; // multiplies every length and font size below (presentation mode: 1.5-2)

  // Font sizes are line heights in points (ImGui's "font size"); 11.5 is about a 10 pt em.
  float titleSize = 14.0f;
  float labelSize = 12.5f; // axis and colorbar labels
  float tickLabelSize = 11.5f;
  float legendSize = 11.5f;
  float annotationSize = 11.5f;
  float cellValueSize = 10.0f; // Heatmap::showValues, shrunk further to fit a cell

  float lineWidthScale = 1.0f; // multiplies series and contour widths (on top of scale)
  float axisLineWidth = 0.8f;
  float gridLineWidth = 0.6f;
  float tickLength = 3.5f;
  float minorTickLength = 2.0f;

  float padding = 8.0f;      // empty border around the whole figure
  float tickLabelGap = 3.0f; // tick end to tick label
  float labelGap = 4.0f;     // tick labels to axis label
  float titleGap = 8.0f;     // title to plot box
  float colorbarGap = 12.0f; // plot box to colorbar
  float colorbarWidth = 11.0f;
  float xTickSpacing = 70.0f; // wanted distance between labelled ticks
  float yTickSpacing = 45.0f;
  float panelGap = 6.0f;       // FigureGrid: extra space between panels (each has its padding)
  float gridTitleSize = 16.0f; // FigureGrid::title

  Color background = {1, 1, 1, 1}; // the whole figure (exports are white, like paper)
  Color plotBackground = {1, 1, 1, 1};
  Color foreground = {0.13f, 0.13f, 0.13f, 1}; // text, axis lines, ticks
  Color gridColor = {0.87f, 0.87f, 0.87f, 1};
  Color contourColor = {0.2f, 0.2f, 0.2f, 1};
  Color legendBackground = {1, 1, 1, 0.85f};
  Color legendBorder = {0.75f, 0.75f, 0.75f, 1};

  // A copy with `scale` multiplied by factor (presentation mode, hi-DPI).
  PlotStyle scaled(float factor) const {
    PlotStyle s = *this;
    s.scale *= factor;
    return s;
  }
};

// One axis: data range [min, max] onto canvas coordinates [p0, p1] (p0 is where min lands).
struct AxisMap {
  double min = 0, max = 1;
  float p0 = 0, p1 = 1;
  bool log = false;
  // Canvas coordinate of a data value (NaN for values a log axis cannot show).
  float toCanvas(double value) const;
  double toData(float canvas) const;
};

struct FigureLayout {
  std::string error; // Figure::validate()'s complaint; nothing else is set then
  Rect area;         // what drawFigure was given
  Rect plot;         // the data box
  AxisMap x, y;
  Ticks xTicks, yTicks;
  bool hasColorbar = false;
  Rect colorbar;         // the colour bar itself (ticks and label sit to its right)
  ColorScale colorScale; // resolved heatmap scale (when there is a heatmap)
  Ticks colorbarTicks;
  float yTickLabelWidth = 0; // widest y tick label (where the y label went)
  bool hasLegend = false;    // false also when there was nothing labelled or no room at all
  bool legendBelow = false;  // too big for the plot box: placed under the x axis label
  Rect legend;               // the legend box
  int legendColumns = 1;     // entries per row (below the plot)
  float legendTextSize = 0;  // in points
};

FigureLayout layoutFigure(const Figure& figure, Canvas& canvas, Rect area, const PlotStyle& style);
FigureLayout drawFigure(const Figure& figure, Canvas& canvas, Rect area, const PlotStyle& style);

struct FigureGridLayout {
  std::string error;                // FigureGrid::validate()'s complaint; nothing else is set then
  Rect area;                        // what drawFigureGrid was given
  std::vector<Rect> cells;          // the area each panel was drawn in, in panel order
  std::vector<FigureLayout> panels; // each panel's own layout (plot box, axis maps)
  bool hasColorbar = false;         // sharedColorScale with at least one scalar heatmap
  Rect colorbar;
  ColorScale colorScale; // the shared scale
  Ticks colorbarTicks;
};

FigureGridLayout layoutFigureGrid(const FigureGrid& grid, Canvas& canvas, Rect area,
                                  const PlotStyle& style);
FigureGridLayout drawFigureGrid(const FigureGrid& grid, Canvas& canvas, Rect area,
                                const PlotStyle& style);

// The scale every panel's scalar heatmap shares (sharedColorScale): the union of their resolved
// ranges, symmetric around 0 when the first such heatmap is Diverging. nullopt: no such heatmap.
std::optional<ColorScale> sharedColorScale(const FigureGrid& grid);

// A 64-bit hash of a heatmap's pixels-relevant content (values, size, colormap, range, overrides,
// picture), so a GPU canvas re-uploads its texture only when the picture would change.
std::uint64_t heatmapContentKey(const Heatmap& heatmap);

// Black or white, whichever has the higher WCAG contrast ratio against `background`.
Color contrastingTextColor(Color background);

} // namespace nnlab::plot
