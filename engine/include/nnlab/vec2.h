// vec2.h: a point or direction in the (x, y) plane of a 2-D loss surface.
//
// A plain aggregate rather than Eigen::Vector2d: it is passed by value everywhere (Eigen's
// fixed-size vectorizable types must not be), and the optimizer lab only ever needs two
// coordinates. Arithmetic is component-wise, which is what the per-coordinate optimizers
// (AdaGrad, RMSProp, Adam) do.
#pragma once

#include <cmath>

namespace nnlab {

struct Vec2 {
  double x = 0.0;
  double y = 0.0;

  friend constexpr Vec2 operator+(Vec2 a, Vec2 b) { return {a.x + b.x, a.y + b.y}; }
  friend constexpr Vec2 operator-(Vec2 a, Vec2 b) { return {a.x - b.x, a.y - b.y}; }
  friend constexpr Vec2 operator-(Vec2 a) { return {-a.x, -a.y}; }
  friend constexpr Vec2 operator*(double s, Vec2 a) { return {s * a.x, s * a.y}; }
  friend constexpr Vec2 operator*(Vec2 a, double s) { return {s * a.x, s * a.y}; }
  friend constexpr bool operator==(Vec2 a, Vec2 b) = default;
  constexpr Vec2& operator+=(Vec2 b) {
    x += b.x;
    y += b.y;
    return *this;
  }
  constexpr Vec2& operator-=(Vec2 b) {
    x -= b.x;
    y -= b.y;
    return *this;
  }
};

// Euclidean length, for "distance to the nearest minimum" and gradient-norm displays.
inline double norm(Vec2 a) {
  return std::hypot(a.x, a.y);
}
inline bool isFinite(Vec2 a) {
  return std::isfinite(a.x) && std::isfinite(a.y);
}

// The axis-aligned plot box of a surface: x in [xMin, xMax], y in [yMin, yMax].
struct Box2 {
  double xMin = -1.0, xMax = 1.0;
  double yMin = -1.0, yMax = 1.0;

  constexpr bool contains(Vec2 p) const {
    return p.x >= xMin && p.x <= xMax && p.y >= yMin && p.y <= yMax;
  }
};

} // namespace nnlab
