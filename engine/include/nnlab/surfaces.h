// surfaces.h: two-variable loss surfaces f(x, y) with analytic gradients, for the optimizer lab.
//
// Contents
//   Surface          the interface an optimizer path runs on (value, gradient, name, domain,
//                    minima). The app implements it too: a user-typed expression
//                    (app/core/expression_surface.h) lives outside the engine so the engine
//                    depends on Eigen only.
//   SurfaceKind      the built-in surfaces, and makeSurface() to build one by kind or by a
//                    "NAME[:key=value,...]" string.
//
// The built-ins (id: formula; known minima):
//   quadratic        ½(u² + κw²), (u, w) = (x, y) rotated by θ        (0, 0)
//                    keys: kappa = condition number κ ≥ 1 (default 10), angle = θ in degrees (0)
//   rosenbrock       (a − x)² + b(y − x²)², a = 1, b = 100              (a, a²)
//                    keys: a, b
//   beale            (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²   (3, 0.5)
//   himmelblau       (x² + y − 11)² + (x + y² − 7)²                      four, all f = 0
//   booth            (x + 2y − 7)² + (2x + y − 5)²                       (1, 3)
//   six-hump-camel   (4 − 2.1x² + x⁴/3)x² + xy + (−4 + 4y²)y²            six local minima, the
//                                                                        global pair ±(0.0898,
//                                                                        −0.7127)
//   saddle           x² − y²                                             none (saddle at 0)
//   monkey-saddle    x³ − 3xy²                                           none (degenerate saddle)
//   rastrigin        20 + x² + y² − 10 cos 2πx − 10 cos 2πy              (0, 0), the global one
//   only bilinear         2x + 3xy                                            none (saddle at (0,
//   −2/3))
// Minima that have no closed form (Himmelblau's three irrational ones, the camel's) are given to
// double precision, refined by Newton's method in 40-digit arithmetic (mpmath); their gradient is
// zero to rounding. Rastrigin's lattice of local minima near the integer points is not listed.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nnlab/status.h"
#include "nnlab/vec2.h"

namespace nnlab {

// A loss surface over the (x, y) plane. value() and gradient() are called once per optimizer step
// and must be cheap; implementations need not be thread-safe (give each worker its own copy).
class Surface {
public:
  virtual ~Surface() = default;

  virtual double value(Vec2 p) const = 0;
  virtual Vec2 gradient(Vec2 p) const = 0; // (∂f/∂x, ∂f/∂y)

  virtual std::string name() const = 0;  // identifier: "rosenbrock", or the user's expression
  virtual std::string title() const = 0; // for legends: "Rosenbrock", "Quadratic bowl (κ = 10)"
  virtual std::string
  formula() const = 0; // UTF-8 with this surface's numbers: "(1 − x)² + 100(y − x²)²"
  virtual Box2 domain() const = 0; // the plot box an instructor sees by default
  virtual std::vector<Vec2>
  minima() const = 0; // known local minima; empty when none (saddles) or unknown
};

enum class SurfaceKind {
  QuadraticBowl,
  Rosenbrock,
  Beale,
  Himmelblau,
  Booth,
  SixHumpCamel,
  Saddle,
  MonkeySaddle,
  Rastrigin,
  Bilinear,
};

inline constexpr std::array<SurfaceKind, 10> kAllSurfaceKinds = {
    SurfaceKind::QuadraticBowl, SurfaceKind::Rosenbrock,   SurfaceKind::Beale,
    SurfaceKind::Himmelblau,    SurfaceKind::Booth,        SurfaceKind::SixHumpCamel,
    SurfaceKind::Saddle,        SurfaceKind::MonkeySaddle, SurfaceKind::Rastrigin,
    SurfaceKind::Bilinear};

// Parameters of the surfaces that have them; the others ignore these.
struct SurfaceParams {
  double conditionNumber = 10.0; // quadratic: κ = λmax / λmin of the Hessian diag(1, κ), ≥ 1
  double rotationDegrees = 0.0;  // quadratic: angle of the bowl's principal axes
  double rosenbrockA = 1.0;      // rosenbrock: the minimum sits at (a, a²)
  double rosenbrockB = 100.0;    // rosenbrock: steepness of the curved valley's walls
};

std::string_view surfaceId(SurfaceKind kind); // "six-hump-camel"
std::optional<SurfaceKind> surfaceKindFromId(std::string_view id);
std::vector<std::string> surfaceNames(); // every id, in kAllSurfaceKinds order

// Built-in surface. Asserts on parameters makeSurface(spec) would reject (κ < 1).
std::unique_ptr<Surface> makeSurface(SurfaceKind kind, const SurfaceParams& params = {});

// From "NAME[:key=value,...]": "himmelblau", "quadratic:kappa=50,angle=30", "rosenbrock:b=10".
// Errors (where = "surface") name an unknown surface or key, or a bad value.
Result<std::unique_ptr<Surface>> makeSurface(std::string_view spec);

// (f(x + h, y) − f(x − h, y)) / 2h and likewise in y, with h = 1e-5·max(1, |coordinate|):
// the reference the tests hold analytic gradients to, and the gradient of user expressions.
Vec2 centralDifferenceGradient(const Surface& surface, Vec2 p);

} // namespace nnlab
