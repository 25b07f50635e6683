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
  if (heatmap) {
    const auto& h = *heatmap;
    if (auto e = checkGrid("heatmap", h.rows, h.cols, h.values.size(), h.x0, h.x1, h.y0, h.y1);
        !e.empty())
      return e;
    if (h.vmin && h.vmax && !(*h.vmin < *h.vmax)) return "heatmap: vmin must be less than vmax";
  }
  for (std::size_t i = 0; i < contours.size(); ++i) {
    const auto& c = contours[i];
    if (auto e = checkGrid("contours[" + std::to_string(i) + "]", c.rows, c.cols, c.values.size(),
                           c.x0, c.x1, c.y0, c.y1);
        !e.empty())
      return e;
  }
  return {};
}

} // namespace nnlab::plot
