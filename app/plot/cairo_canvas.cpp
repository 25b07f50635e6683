#include "plot/cairo_canvas.h"

#include <cmath>
#include <string>

namespace nnlab::plot {

CairoCanvas::CairoCanvas(cairo_t* cr) : cr_(cr) {
  cairo_select_font_face(cr_, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr_, 100);
  cairo_font_extents_t fe;
  cairo_font_extents(cr_, &fe);
  if (fe.ascent > 0 && fe.descent >= 0)
    ascentPerEm_ = fe.ascent / 100, descentPerEm_ = fe.descent / 100;
}

void CairoCanvas::setFontSize(float lineHeight) {
  // ImGui sizes a font so that ascent + descent = its size; cairo sizes the em. Converting here
  // makes "size 12" mean the same on screen and on paper.
  cairo_set_font_size(cr_, lineHeight / (ascentPerEm_ + descentPerEm_));
}

void CairoCanvas::polyline(const Point* points, int count, float width, Color color,
                           LineStyle style, bool closed) {
  if (count < 2) return;
  cairo_save(cr_);
  cairo_new_path(cr_);
  cairo_move_to(cr_, points[0].x, points[0].y);
  for (int i = 1; i < count; ++i) cairo_line_to(cr_, points[i].x, points[i].y);
  if (closed) cairo_close_path(cr_);
  const std::vector<float> pattern = dashPattern(style, width);
  std::vector<double> dashes(pattern.begin(), pattern.end());
  cairo_set_dash(cr_, dashes.data(), int(dashes.size()), 0);
  // Round joins keep sharp optimizer zig-zags from sprouting miter spikes; dots keep butt caps
  // so their length is what the pattern says.
  cairo_set_line_join(cr_, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap(cr_, style == LineStyle::Solid ? CAIRO_LINE_CAP_ROUND : CAIRO_LINE_CAP_BUTT);
  cairo_set_line_width(cr_, width);
  setColor(color);
  cairo_stroke(cr_);
  cairo_restore(cr_);
}

void CairoCanvas::fillRect(Rect r, Color color) {
  cairo_new_path(cr_);
  cairo_rectangle(cr_, r.x, r.y, r.w, r.h);
  setColor(color);
  cairo_fill(cr_);
}

void CairoCanvas::strokeRect(Rect r, float width, Color color) {
  cairo_save(cr_);
  cairo_new_path(cr_);
  cairo_rectangle(cr_, r.x, r.y, r.w, r.h);
  cairo_set_dash(cr_, nullptr, 0, 0);
  cairo_set_line_join(cr_, CAIRO_LINE_JOIN_MITER);
  cairo_set_line_width(cr_, width);
  setColor(color);
  cairo_stroke(cr_);
  cairo_restore(cr_);
}

void CairoCanvas::fillCircle(Point c, float radius, Color color) {
  cairo_new_path(cr_);
  cairo_arc(cr_, c.x, c.y, radius, 0, 2 * M_PI);
  setColor(color);
  cairo_fill(cr_);
}

void CairoCanvas::strokeCircle(Point c, float radius, float width, Color color) {
  cairo_save(cr_);
  cairo_new_path(cr_);
  cairo_arc(cr_, c.x, c.y, radius, 0, 2 * M_PI);
  cairo_set_dash(cr_, nullptr, 0, 0);
  cairo_set_line_width(cr_, width);
  setColor(color);
  cairo_stroke(cr_);
  cairo_restore(cr_);
}

Size CairoCanvas::measureText(std::string_view text, float size) {
  setFontSize(size);
  const std::string s(text);
  cairo_text_extents_t te;
  cairo_text_extents(cr_, s.c_str(), &te);
  return {float(te.x_advance), size};
}

void CairoCanvas::text(Point anchor, std::string_view text, float size, Color color, HAlign hAlign,
                       VAlign vAlign, bool rotated) {
  if (text.empty()) return;
  const Size extent = measureText(text, size); // also sets the font size
  const double em = size / (ascentPerEm_ + descentPerEm_);
  const double ascent = ascentPerEm_ * em, descent = descentPerEm_ * em;
  const double dx = hAlign == HAlign::Left     ? 0
                    : hAlign == HAlign::Center ? -extent.w / 2
                                               : -extent.w;
  double baseline = 0; // offset from the anchor to the baseline, in the text's own frame
  switch (vAlign) {
  case VAlign::Top: baseline = ascent; break;
  case VAlign::Middle: baseline = (ascent - descent) / 2; break;
  case VAlign::Baseline: baseline = 0; break;
  case VAlign::Bottom: baseline = -descent; break;
  }
  const std::string s(text);
  cairo_save(cr_);
  cairo_translate(cr_, anchor.x, anchor.y);
  if (rotated) cairo_rotate(cr_, -M_PI / 2); // reads bottom-to-top
  cairo_move_to(cr_, dx, baseline);
  setColor(color);
  cairo_show_text(cr_, s.c_str());
  cairo_restore(cr_);
}

void CairoCanvas::image(const ImageSource& source, Rect dest, ImageFilter filter) {
  if (source.width <= 0 || source.height <= 0 || dest.w <= 0 || dest.h <= 0 || !source.fillRgba)
    return;
  std::vector<std::uint8_t> rgba;
  source.fillRgba(rgba);
  cairo_surface_t* surface =
      cairo_image_surface_create(CAIRO_FORMAT_ARGB32, source.width, source.height);
  cairo_surface_flush(surface);
  unsigned char* data = cairo_image_surface_get_data(surface);
  const int stride = cairo_image_surface_get_stride(surface);
  // cairo wants native-endian 32-bit ARGB with premultiplied alpha.
  for (int y = 0; y < source.height; ++y) {
    auto* row = reinterpret_cast<std::uint32_t*>(data + std::size_t(y) * stride);
    for (int x = 0; x < source.width; ++x) {
      const std::uint8_t* p = &rgba[(std::size_t(y) * source.width + x) * 4];
      const unsigned a = p[3];
      auto pre = [a](unsigned c) { return (c * a + 127) / 255; };
      row[x] = (a << 24) | (pre(p[0]) << 16) | (pre(p[1]) << 8) | pre(p[2]);
    }
  }
  cairo_surface_mark_dirty(surface);
  cairo_pattern_t* pattern = cairo_pattern_create_for_surface(surface);
  cairo_pattern_set_filter(pattern, filter == ImageFilter::Nearest ? CAIRO_FILTER_NEAREST
                                                                   : CAIRO_FILTER_BILINEAR);
  cairo_pattern_set_extend(pattern, CAIRO_EXTEND_PAD); // no fading towards transparent edges
  cairo_matrix_t m;                                    // user space (points) -> image pixels
  cairo_matrix_init_scale(&m, source.width / double(dest.w), source.height / double(dest.h));
  cairo_matrix_translate(&m, -dest.x, -dest.y);
  cairo_pattern_set_matrix(pattern, &m);
  cairo_save(cr_);
  cairo_new_path(cr_);
  cairo_rectangle(cr_, dest.x, dest.y, dest.w, dest.h);
  cairo_set_source(cr_, pattern);
  cairo_fill(cr_);
  cairo_restore(cr_);
  cairo_pattern_destroy(pattern);
  cairo_surface_destroy(surface);
}

void CairoCanvas::pushClip(Rect r) {
  cairo_save(cr_);
  cairo_new_path(cr_);
  cairo_rectangle(cr_, r.x, r.y, r.w, r.h);
  cairo_clip(cr_);
}

void CairoCanvas::popClip() {
  cairo_restore(cr_);
}

} // namespace nnlab::plot
