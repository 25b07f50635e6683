// cairo_canvas.h: Canvas on a cairo context (PNG, SVG, PDF export; no window, no GL).
// Text goes through cairo's toy API with "DejaVu Sans", which fontconfig resolves and which has
// the glyphs the course writes (β σ √ Σ ⌊ ⌋ ∂ ŷ).
#pragma once

#include <cairo.h>

#include "plot/canvas.h"

namespace nnlab::plot {

class CairoCanvas final : public Canvas {
public:
  explicit CairoCanvas(cairo_t* cr); // borrows cr; user space must be points
  CairoCanvas(const CairoCanvas&) = delete;
  CairoCanvas& operator=(const CairoCanvas&) = delete;

  void polyline(const Point* points, int count, float width, Color color, LineStyle style,
                bool closed) override;
  void fillRect(Rect rect, Color color) override;
  void strokeRect(Rect rect, float width, Color color) override;
  void fillCircle(Point center, float radius, Color color) override;
  void strokeCircle(Point center, float radius, float width, Color color) override;
  Size measureText(std::string_view text, float size) override;
  void text(Point anchor, std::string_view text, float size, Color color, HAlign hAlign,
            VAlign vAlign, bool rotated) override;
  void image(const ImageSource& source, Rect dest, ImageFilter filter) override;
  void pushClip(Rect rect) override;
  void popClip() override;

private:
  void setFontSize(float lineHeight); // cairo's em size such that ascent + descent = lineHeight
  void setColor(Color c) { cairo_set_source_rgba(cr_, c.r, c.g, c.b, c.a); }

  cairo_t* cr_;
  double ascentPerEm_ = 0.93, descentPerEm_ = 0.24; // measured from the font in the constructor
};

} // namespace nnlab::plot
