#include "nnlab/surfaces.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>

#include "nnlab/named_spec.h"

namespace nnlab {

namespace {

constexpr double kPi = 3.14159265358979323846;

struct SurfaceInfo {
  SurfaceKind kind;
  std::string_view id, title;
  Box2 domain;
};

constexpr SurfaceInfo kInfo[] = {
    {SurfaceKind::QuadraticBowl, "quadratic", "Quadratic bowl", {-3, 3, -3, 3}},
    {SurfaceKind::Rosenbrock, "rosenbrock", "Rosenbrock", {-2, 2, -1, 3}},
    {SurfaceKind::Beale, "beale", "Beale", {-4.5, 4.5, -4.5, 4.5}},
    {SurfaceKind::Himmelblau, "himmelblau", "Himmelblau", {-5, 5, -5, 5}},
    {SurfaceKind::Booth, "booth", "Booth", {-10, 10, -10, 10}},
    {SurfaceKind::SixHumpCamel, "six-hump-camel", "Six-hump camel", {-3, 3, -2, 2}},
    {SurfaceKind::Saddle, "saddle", "Saddle", {-2, 2, -2, 2}},
    {SurfaceKind::MonkeySaddle, "monkey-saddle", "Monkey saddle", {-2, 2, -2, 2}},
    {SurfaceKind::Rastrigin, "rastrigin", "Rastrigin", {-5.12, 5.12, -5.12, 5.12}},
    {SurfaceKind::Bilinear, "bilinear", "Bilinear", {-3, 3, -3, 3}},
};

const SurfaceInfo& info(SurfaceKind kind) {
  return kInfo[static_cast<int>(kind)];
}

// Shortest decimal that reads back as the same double ("10", "0.5", "1e-05").
std::string formatNumber(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.15g", v);
  return buffer;
}

// One class for the built-ins: a switch per call is as cheap as a virtual call per kind, and keeps
// each surface's value, gradient and metadata next to each other below.
class AnalyticSurface final : public Surface {
public:
  AnalyticSurface(SurfaceKind kind, const SurfaceParams& params)
      : kind_(kind), params_(params), cos_(std::cos(params.rotationDegrees * kPi / 180.0)),
        sin_(std::sin(params.rotationDegrees * kPi / 180.0)) {}

  double value(Vec2 p) const override {
    const double x = p.x, y = p.y;
    switch (kind_) {
    case SurfaceKind::QuadraticBowl: {
      // (u, w): coordinates along the bowl's principal axes, which are (x, y)'s axes rotated by θ.
      const double u = cos_ * x + sin_ * y, w = -sin_ * x + cos_ * y;
      return 0.5 * (u * u + params_.conditionNumber * w * w);
    }
    case SurfaceKind::Rosenbrock: {
      const double a = params_.rosenbrockA, b = params_.rosenbrockB;
      return (a - x) * (a - x) + b * (y - x * x) * (y - x * x);
    }
    case SurfaceKind::Beale: {
      const double t1 = 1.5 - x + x * y, t2 = 2.25 - x + x * y * y, t3 = 2.625 - x + x * y * y * y;
      return t1 * t1 + t2 * t2 + t3 * t3;
    }
    case SurfaceKind::Himmelblau: {
      const double a = x * x + y - 11, b = x + y * y - 7;
      return a * a + b * b;
    }
    case SurfaceKind::Booth: {
      const double a = x + 2 * y - 7, b = 2 * x + y - 5;
      return a * a + b * b;
    }
    case SurfaceKind::SixHumpCamel:
      return (4 - 2.1 * x * x + x * x * x * x / 3) * x * x + x * y + (-4 + 4 * y * y) * y * y;
    case SurfaceKind::Saddle: return x * x - y * y;
    case SurfaceKind::MonkeySaddle: return x * x * x - 3 * x * y * y;
    case SurfaceKind::Rastrigin:
      return 20 + x * x + y * y - 10 * std::cos(2 * kPi * x) - 10 * std::cos(2 * kPi * y);
    case SurfaceKind::Bilinear: return 2 * x + 3 * x * y;
    }
    return 0.0;
  }

  Vec2 gradient(Vec2 p) const override {
    const double x = p.x, y = p.y;
    switch (kind_) {
    case SurfaceKind::QuadraticBowl: {
      // ∇f = Rᵀ diag(1, κ) R p: the gradient in (u, w) is (u, κw), rotated back by −θ.
      const double u = cos_ * x + sin_ * y, kw = params_.conditionNumber * (-sin_ * x + cos_ * y);
      return {cos_ * u - sin_ * kw, sin_ * u + cos_ * kw};
    }
    case SurfaceKind::Rosenbrock: {
      const double a = params_.rosenbrockA, b = params_.rosenbrockB, r = y - x * x;
      return {-2 * (a - x) - 4 * b * x * r, 2 * b * r};
    }
    case SurfaceKind::Beale: {
      // Chain rule per term tᵢ = cᵢ − x + x·yⁱ: ∂tᵢ/∂x = yⁱ − 1, ∂tᵢ/∂y = i·x·yⁱ⁻¹.
      const double y2 = y * y, y3 = y2 * y;
      const double t1 = 1.5 - x + x * y, t2 = 2.25 - x + x * y2, t3 = 2.625 - x + x * y3;
      return {2 * (t1 * (y - 1) + t2 * (y2 - 1) + t3 * (y3 - 1)),
              2 * (t1 * x + t2 * 2 * x * y + t3 * 3 * x * y2)};
    }
    case SurfaceKind::Himmelblau: {
      const double a = x * x + y - 11, b = x + y * y - 7;
      return {4 * x * a + 2 * b, 2 * a + 4 * y * b};
    }
    case SurfaceKind::Booth: {
      const double a = x + 2 * y - 7, b = 2 * x + y - 5;
      return {2 * a + 4 * b, 4 * a + 2 * b};
    }
    case SurfaceKind::SixHumpCamel:
      return {8 * x - 8.4 * x * x * x + 2 * x * x * x * x * x + y, x - 8 * y + 16 * y * y * y};
    case SurfaceKind::Saddle: return {2 * x, -2 * y};
    case SurfaceKind::MonkeySaddle: return {3 * x * x - 3 * y * y, -6 * x * y};
    case SurfaceKind::Rastrigin:
      return {2 * x + 20 * kPi * std::sin(2 * kPi * x), 2 * y + 20 * kPi * std::sin(2 * kPi * y)};
    case SurfaceKind::Bilinear: return {2 + 3 * y, 3 * x};
    }
    return {};
  }

  std::string name() const override { return std::string(info(kind_).id); }

  std::string title() const override {
    std::string title(info(kind_).title);
    if (kind_ == SurfaceKind::QuadraticBowl) {
      title += " (κ = " + formatNumber(params_.conditionNumber);
      if (params_.rotationDegrees != 0)
        title += ", θ = " + formatNumber(params_.rotationDegrees) + "°";
      title += ")";
    }
    return title;
  }

  std::string formula() const override {
    switch (kind_) {
    case SurfaceKind::QuadraticBowl:
      return "½(u² + " + formatNumber(params_.conditionNumber) +
             "w²), (u, w) = (x, y) rotated by " + formatNumber(params_.rotationDegrees) + "°";
    case SurfaceKind::Rosenbrock:
      return "(" + formatNumber(params_.rosenbrockA) + " − x)² + " +
             formatNumber(params_.rosenbrockB) + "(y − x²)²";
    case SurfaceKind::Beale: return "(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²";
    case SurfaceKind::Himmelblau: return "(x² + y − 11)² + (x + y² − 7)²";
    case SurfaceKind::Booth: return "(x + 2y − 7)² + (2x + y − 5)²";
    case SurfaceKind::SixHumpCamel: return "(4 − 2.1x² + x⁴/3)x² + xy + (−4 + 4y²)y²";
    case SurfaceKind::Saddle: return "x² − y²";
    case SurfaceKind::MonkeySaddle: return "x³ − 3xy²";
    case SurfaceKind::Rastrigin: return "20 + x² + y² − 10 cos 2πx − 10 cos 2πy";
    case SurfaceKind::Bilinear: return "2x + 3xy";
    }
    return {};
  }

  Box2 domain() const override {
    if (kind_ == SurfaceKind::Rosenbrock) {
      // Keep the default box's shape but follow the minimum (a, a²) when a moves.
      const double a = params_.rosenbrockA;
      return {a - 3, a + 1, a * a - 2, a * a + 2};
    }
    return info(kind_).domain;
  }

  std::vector<Vec2> minima() const override {
    switch (kind_) {
    case SurfaceKind::QuadraticBowl: return {{0, 0}};
    case SurfaceKind::Rosenbrock:
      return {{params_.rosenbrockA, params_.rosenbrockA * params_.rosenbrockA}};
    case SurfaceKind::Beale: return {{3, 0.5}};
    case SurfaceKind::Himmelblau:
      return {{3, 2},
              {-2.8051180869527448531, 3.1313125182505729658},
              {-3.7793102533777468919, -3.2831859912861694123},
              {3.5844283403304917449, -1.8481265269644035535}};
    case SurfaceKind::Booth: return {{1, 3}};
    case SurfaceKind::SixHumpCamel:
      // Global pair first (f = −1.0316284535), then f = −0.2154638244, then f = 2.1042503103.
      return {{0.089842013100318062422, -0.7126564030207396334},
              {-0.089842013100318062422, 0.7126564030207396334},
              {-1.7036067149699808488, 0.79608356867262511903},
              {1.7036067149699808488, -0.79608356867262511903},
              {-1.6071047529201972298, -0.56865145488413137139},
              {1.6071047529201972298, 0.56865145488413137139}};
    case SurfaceKind::Rastrigin: return {{0, 0}};
    case SurfaceKind::Saddle:
    case SurfaceKind::MonkeySaddle:
    case SurfaceKind::Bilinear: return {};
    }
    return {};
  }

private:
  SurfaceKind kind_;
  SurfaceParams params_;
  double cos_, sin_; // of the quadratic bowl's rotation, computed once
};

} // namespace

std::string_view surfaceId(SurfaceKind kind) {
  return info(kind).id;
}

std::optional<SurfaceKind> surfaceKindFromId(std::string_view id) {
  for (const SurfaceInfo& i : kInfo)
    if (i.id == id) return i.kind;
  return std::nullopt;
}

std::vector<std::string> surfaceNames() {
  std::vector<std::string> names;
  for (SurfaceKind kind : kAllSurfaceKinds) names.emplace_back(surfaceId(kind));
  return names;
}

std::unique_ptr<Surface> makeSurface(SurfaceKind kind, const SurfaceParams& params) {
  assert(params.conditionNumber >= 1 && "quadratic bowl: condition number must be at least 1");
  return std::make_unique<AnalyticSurface>(kind, params);
}

Result<std::unique_ptr<Surface>> makeSurface(std::string_view text) {
  Result<NamedSpec> parsed = parseNamedSpec(text, "surface");
  if (!parsed) return parsed.error();
  const NamedSpec& spec = parsed.value();
  const std::optional<SurfaceKind> kind = surfaceKindFromId(spec.name);
  if (!kind) {
    std::string list;
    for (const SurfaceInfo& i : kInfo) list += (list.empty() ? "" : ", ") + std::string(i.id);
    return Error{"surface", "unknown surface '" + spec.name + "' (known: " + list + ")"};
  }
  SurfaceParams params;
  Status keys = Status::success();
  switch (*kind) {
  case SurfaceKind::QuadraticBowl:
    keys = requireKnownKeys(spec, {"kappa", "angle"}, "surface");
    params.conditionNumber = spec.get("kappa", params.conditionNumber);
    params.rotationDegrees = spec.get("angle", params.rotationDegrees);
    if (keys && !(params.conditionNumber >= 1 && std::isfinite(params.conditionNumber)))
      return Error{"surface", "kappa: the condition number must be a finite number ≥ 1 (got " +
                                  formatNumber(params.conditionNumber) + ")"};
    break;
  case SurfaceKind::Rosenbrock:
    keys = requireKnownKeys(spec, {"a", "b"}, "surface");
    params.rosenbrockA = spec.get("a", params.rosenbrockA);
    params.rosenbrockB = spec.get("b", params.rosenbrockB);
    break;
  default: keys = requireKnownKeys(spec, {}, "surface"); break;
  }
  if (!keys) return keys.error();
  return makeSurface(*kind, params);
}

Vec2 centralDifferenceGradient(const Surface& surface, Vec2 p) {
  // h ≈ ∛ε·scale balances truncation error O(h²) against rounding O(ε/h).
  const double hx = 1e-5 * std::max(1.0, std::fabs(p.x));
  const double hy = 1e-5 * std::max(1.0, std::fabs(p.y));
  return {(surface.value({p.x + hx, p.y}) - surface.value({p.x - hx, p.y})) / (2 * hx),
          (surface.value({p.x, p.y + hy}) - surface.value({p.x, p.y - hy})) / (2 * hy)};
}

} // namespace nnlab
