#include "plot/figure.h"

#include <algorithm>
#include <cmath>

namespace nnlab::plot {

std::uint32_t Color::toRgba8() const {
  auto byte = [](float v) {
    return std::uint32_t(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f));
  };
  return byte(r) | (byte(g) << 8) | (byte(b) << 16) | (byte(a) << 24);
}

Color seriesColor(int index) {
  // Okabe & Ito (2008), "Color Universal Design": distinguishable under the common colour-vision
  // deficiencies. Blue and vermillion first: the two most different for everyone.
  static const Color cycle[6] = {Color::rgb(0x00, 0x72, 0xB2), Color::rgb(0xD5, 0x5E, 0x00),
                                 Color::rgb(0x00, 0x9E, 0x73), Color::rgb(0xE6, 0x9F, 0x00),
                                 Color::rgb(0xCC, 0x79, 0xA7), Color::rgb(0x56, 0xB4, 0xE9)};
  return cycle[((index % 6) + 6) % 6];
}

namespace {

std::string checkGrid(const std::string& name, int rows, int cols, std::size_t size, double x0,
                      double x1, double y0, double y1) {
  if (rows <= 0 || cols <= 0)
    return name + ": needs at least one row and column (got " + std::to_string(rows) + " x " +
           std::to_string(cols) + ")";
  if (size != std::size_t(rows) * std::size_t(cols))
    return name + ": " + std::to_string(rows) + " x " + std::to_string(cols) + " grid needs " +
           std::to_string(std::size_t(rows) * cols) + " values, has " + std::to_string(size);
  if (!(std::isfinite(x0) && std::isfinite(x1) && x0 != x1))
    return name + ": x0 and x1 must be finite and different";
  if (!(std::isfinite(y0) && std::isfinite(y1) && y0 != y1))
    return name + ": y0 and y1 must be finite and different";
  return {};
}

std::string checkAxis(const std::string& name, const Axis& axis) {
  if (axis.min && axis.max && !(*axis.min < *axis.max)) return name + ": min must be less than max";
  if (axis.scale == AxisScale::Log10 &&
      ((axis.min && *axis.min <= 0) || (axis.max && *axis.max <= 0)))
    return name + ": a log axis needs positive limits";
  return {};
}

} // namespace

std::string Figure::validate() const {
  if (auto e = checkAxis("xAxis", xAxis); !e.empty()) return e;
  if (auto e = checkAxis("yAxis", yAxis); !e.empty()) return e;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& s = lines[i];
    if (s.x.size() != s.y.size())
      return "lines[" + std::to_string(i) + "]: x has " + std::to_string(s.x.size()) +
             " values, y " + std::to_string(s.y.size());
  }
  for (std::size_t i = 0; i < scatters.size(); ++i) {
    const auto& s = scatters[i];
    const std::string name = "scatters[" + std::to_string(i) + "]";
    if (s.x.size() != s.y.size())
      return name + ": x has " + std::to_string(s.x.size()) + " values, y " +
             std::to_string(s.y.size());
    if (!s.category.empty() && s.category.size() != s.x.size())
      return name + ": category has " + std::to_string(s.category.size()) + " values, x " +
             std::to_string(s.x.size());
  }
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const auto& b = bars[i];
    const std::string name = "bars[" + std::to_string(i) + "]";
    if (!b.edges.empty() && !b.categories.empty())
      return name + ": set edges (histogram) or categories (bar chart), not both";
    if (b.edges.empty() && b.categories.empty() && !b.heights.empty())
      return name + ": needs edges (histogram) or categories (bar chart)";
    if (!b.edges.empty() && b.edges.size() != b.heights.size() + 1)
      return name + ": " + std::to_string(b.heights.size()) + " bins need " +
             std::to_string(b.heights.size() + 1) + " edges, got " + std::to_string(b.edges.size());
    for (std::size_t k = 1; k < b.edges.size(); ++k)
      if (!(b.edges[k] > b.edges[k - 1]))
        return name + ": edges must be finite and increasing (edge " + std::to_string(k) + ")";
    if (!b.categories.empty() && b.categories.size() != b.heights.size())
      return name + ": " + std::to_string(b.categories.size()) + " categories, " +
             std::to_string(b.heights.size()) + " heights";
  }
  if (heatmap) {
    const auto& h = *heatmap;
    const std::size_t cells = std::size_t(std::max(h.rows, 0)) * std::size_t(std::max(h.cols, 0));
    const bool picture = !h.rgba.empty();
    if (auto e = checkGrid("heatmap", h.rows, h.cols,
                           picture && h.values.empty() ? cells : h.values.size(), h.x0, h.x1, h.y0,
                           h.y1);
        !e.empty())
      return e;
    if (picture && h.rgba.size() != cells * 4)
      return "heatmap: rgba of a " + std::to_string(h.rows) + " x " + std::to_string(h.cols) +
             " image needs " + std::to_string(cells * 4) + " bytes, has " +
             std::to_string(h.rgba.size());
    if (!h.cellColors.empty() && h.cellColors.size() != cells)
      return "heatmap: cellColors has " + std::to_string(h.cellColors.size()) + " colours for " +
             std::to_string(cells) + " cells";
    if (h.vmin && h.vmax && !(*h.vmin < *h.vmax)) return "heatmap: vmin must be less than vmax";
  }
  for (std::size_t i = 0; i < contours.size(); ++i) {
    const auto& c = contours[i];
    if (auto e = checkGrid("contours[" + std::to_string(i) + "]", c.rows, c.cols, c.values.size(),
                           c.x0, c.x1, c.y0, c.y1);
        !e.empty())
      return e;
  }
  for (std::size_t i = 0; i < rects.size(); ++i) {
    const auto& r = rects[i];
    if (!(std::isfinite(r.x0) && std::isfinite(r.x1) && std::isfinite(r.y0) && std::isfinite(r.y1)))
      return "rects[" + std::to_string(i) + "]: corners must be finite";
  }
  return {};
}

std::string FigureGrid::validate() const {
  if (cols < 1) return "cols must be at least 1 (got " + std::to_string(cols) + ")";
  if (!(minPageWidthPt >= 0 && minPageHeightPt >= 0 && std::isfinite(minPageWidthPt) &&
        std::isfinite(minPageHeightPt)))
    return "minPageWidthPt and minPageHeightPt must be finite and >= 0";
  for (std::size_t i = 0; i < panels.size(); ++i)
    if (auto e = panels[i].validate(); !e.empty()) return "panels[" + std::to_string(i) + "]: " + e;
  return {};
}

RectMark cellRect(const Heatmap& h, int row, int col, int rowSpan, int colSpan) {
  const double dx = (h.x1 - h.x0) / std::max(h.cols, 1), dy = (h.y1 - h.y0) / std::max(h.rows, 1);
  RectMark r;
  r.x0 = h.x0 + col * dx, r.x1 = h.x0 + (col + colSpan) * dx;
  r.y0 = h.y0 + row * dy, r.y1 = h.y0 + (row + rowSpan) * dy;
  return r;
}

Annotation cellLabel(const Heatmap& h, int row, int col, std::string text) {
  Annotation a;
  a.x = h.x0 + (col + 0.5) * (h.x1 - h.x0) / std::max(h.cols, 1);
  a.y = h.y0 + (row + 0.5) * (h.y1 - h.y0) / std::max(h.rows, 1);
  a.text = std::move(text);
  a.hAlign = HAlign::Center, a.vAlign = VAlign::Middle;
  a.flags = AnnotationFlags_NoBackground | AnnotationFlags_AutoContrast;
  return a;
}

} // namespace nnlab::plot
