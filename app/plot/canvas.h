// canvas.h: the few drawing primitives a figure needs, behind one small interface.
//
// drawFigure() (draw_figure.h) lays a Figure out once and draws it through a Canvas, so the
// on-screen renderer (ImGuiCanvas, draw lists) and the export renderer (CairoCanvas, PNG / SVG /
// PDF) cannot drift apart: they only differ in how a line or a glyph reaches the output.
//
// One coordinate space for every canvas: points (1/72 inch; one pixel at 1x on screen), origin at
// the top-left, y growing downwards. Text sizes are line heights (ascent + descent) in points,
// which is what ImGui calls a font size; CairoCanvas converts to cairo's em size so the same size
// looks the same in both.
//
// Index
//   Point, Rect, Size                geometry in canvas points
//   ImageFilter                      how an image is resampled (HAlign, VAlign: figure.h)
//   ImageSource                      RGBA8 pixels made on demand, with a key for GPU caches
//   Canvas                           the interface
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "plot/figure.h"

namespace nnlab::plot {

struct Point {
  float x = 0, y = 0;
};

struct Size {
  float w = 0, h = 0;
};

struct Rect {
  float x = 0, y = 0, w = 0, h = 0; // top-left corner and extent, in points
  float right() const { return x + w; }
  float bottom() const { return y + h; }
  bool contains(Point p) const { return p.x >= x && p.x <= x + w && p.y >= y && p.y <= y + h; }
};

// HAlign, VAlign: defined in figure.h (annotations use them too).

enum class ImageFilter {
  Nearest, // crisp cells: a 5x5 kernel should look like 25 squares
  Bilinear // smooth: a sampled loss surface
};

// An RGBA8 image the canvas asks for only when it needs the pixels. A GPU canvas keeps its texture
// while contentKey stays the same, so a heatmap is colour-mapped and uploaded once, not per frame.
struct ImageSource {
  int width = 0, height = 0;
  std::uint64_t contentKey = 0;                             // same key => same pixels
  std::function<void(std::vector<std::uint8_t>&)> fillRgba; // width*height*4 bytes, row 0 on top
};

class Canvas {
public:
  virtual ~Canvas() = default;

  // An open (or closed) polyline; width in points. Callers split at NaN before calling.
  virtual void polyline(const Point* points, int count, float width, Color color,
                        LineStyle style = LineStyle::Solid, bool closed = false) = 0;
  virtual void fillRect(Rect rect, Color color) = 0;
  virtual void strokeRect(Rect rect, float width, Color color) = 0;
  virtual void fillCircle(Point center, float radius, Color color) = 0;
  virtual void strokeCircle(Point center, float radius, float width, Color color) = 0;

  // Size of one line of UTF-8 text at `size` (line height): w = advance, h = size.
  virtual Size measureText(std::string_view text, float size) = 0;
  // One line of text anchored at `anchor`. rotated: reads bottom-to-top (a y-axis label); the
  // alignment is then taken in the text's own frame (HAlign along the reading direction).
  virtual void text(Point anchor, std::string_view text, float size, Color color,
                    HAlign hAlign = HAlign::Left, VAlign vAlign = VAlign::Baseline,
                    bool rotated = false) = 0;

  // Draws the image stretched over `dest`.
  virtual void image(const ImageSource& source, Rect dest, ImageFilter filter) = 0;

  // Clip rectangles nest: each push intersects with the current one.
  virtual void pushClip(Rect rect) = 0;
  virtual void popClip() = 0;
};

// Splits a polyline into its dash runs (pattern: on, off, on, off ... in points), for canvases
// without native dashing. Each returned run is drawn as a solid polyline.
std::vector<std::vector<Point>> dashPolyline(const Point* points, int count,
                                             const std::vector<float>& pattern);

// The dash pattern of a line style at a given line width, in points (empty: solid). Both
// renderers use it, so a dashed line has the same rhythm on screen and on paper.
std::vector<float> dashPattern(LineStyle style, float width);

} // namespace nnlab::plot
