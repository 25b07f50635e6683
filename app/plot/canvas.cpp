#include "plot/canvas.h"

#include <cmath>

namespace nnlab::plot {

std::vector<float> dashPattern(LineStyle style, float width) {
  // matplotlib's rhythm, scaled by the line width so thick lines keep their look.
  const float w = std::max(width, 0.75f);
  switch (style) {
  case LineStyle::Dashed: return {3.7f * w, 1.6f * w};
  case LineStyle::Dotted: return {1.0f * w, 1.65f * w};
  case LineStyle::Solid: break;
  }
  return {};
}

std::vector<std::vector<Point>> dashPolyline(const Point* points, int count,
                                             const std::vector<float>& pattern) {
  std::vector<std::vector<Point>> runs;
  if (count < 2) return runs;
  if (pattern.empty()) {
    runs.emplace_back(points, points + count);
    return runs;
  }
  std::size_t phase = 0;   // index into pattern; even = on
  float left = pattern[0]; // length remaining in the current phase
  std::vector<Point> current = {points[0]};
  for (int i = 1; i < count; ++i) {
    Point a = points[i - 1];
    const Point b = points[i];
    float segment = std::hypot(b.x - a.x, b.y - a.y);
    while (segment > left) {
      const float t = left / segment;
      const Point cut{a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)};
      if (phase % 2 == 0) {
        current.push_back(cut);
        runs.push_back(std::move(current));
        current.clear();
      } else {
        current = {cut};
      }
      segment -= left;
      a = cut;
      phase = (phase + 1) % pattern.size();
      left = pattern[phase];
    }
    left -= segment;
    if (phase % 2 == 0) current.push_back(b);
  }
  if (phase % 2 == 0 && current.size() >= 2) runs.push_back(std::move(current));
  return runs;
}

} // namespace nnlab::plot
