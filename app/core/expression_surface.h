// expression_surface.h: a loss surface typed by the user, f(x, y) as text ("x^2 + 10*y^2",
// "sin(x)*cos(y) + 0.1*(x^2 + y^2)"), parsed by muParser.
//
// It lives in the app, not the engine, so that the engine depends on Eigen only; it implements the
// engine's Surface interface, so runTrajectory() and the lab treat it like a built-in.
//   - Syntax is muParser's: + − * / ^, sin cos tan exp log ln sqrt abs min max sum ..., the
//     constant pi (and _pi, _e), comparisons and "c ? a : b". The variables are x and y.
//   - The gradient is by central differences (surfaces.h: centralDifferenceGradient), so it is
//     exact to ~1e-10 relative for smooth expressions; at a kink it is the average slope.
//   - Minima are unknown (empty).
//   - A bad expression is an Error naming the 1-based column of the fault, and the lab keeps its
//     previous surface.
// muParser evaluates through pointers to this object's x and y, so value() mutates them: one
// ExpressionSurface must not be evaluated by two threads at once (clone() one per worker).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <muParser.h>

#include "nnlab/status.h"
#include "nnlab/surfaces.h"

namespace nnlab::app {

// Where and why an expression does not parse, for underlining it in the text box.
struct ExpressionError {
  int position = -1;   // 0-based character index of the fault; −1 when it has no single place
  std::string message; // "unexpected token \"z\"", without the position
};

// The first fault in `expression`, or nothing when it parses as one formula in x and y.
std::optional<ExpressionError> findExpressionError(std::string_view expression);

class ExpressionSurface final : public Surface {
public:
  // Error{"expression", "unexpected token \"z\" at column 5 of \"x + z\""} when it does not parse.
  static Result<std::unique_ptr<ExpressionSurface>> parse(std::string_view expression,
                                                          Box2 domain = {-3, 3, -3, 3});

  ExpressionSurface(const ExpressionSurface&) = delete; // muParser holds &x_, &y_
  ExpressionSurface& operator=(const ExpressionSurface&) = delete;

  double value(Vec2 p) const override;
  Vec2 gradient(Vec2 p) const override;
  std::string name() const override { return expression_; }
  std::string title() const override { return "f(x, y) = " + expression_; }
  std::string formula() const override { return expression_; }
  Box2 domain() const override { return domain_; }
  std::vector<Vec2> minima() const override { return {}; }

  std::unique_ptr<ExpressionSurface> clone() const;

private:
  ExpressionSurface(std::string expression, Box2 domain);

  std::string expression_;
  Box2 domain_;
  mutable double x_ = 0.0, y_ = 0.0; // the parser's variables, set by each value() call
  mu::Parser parser_;
};

// What --surface and the lab's surface box accept: a built-in "NAME[:key=value,...]" when NAME
// is one (nnlab/surfaces.h), else a formula. A word that is neither ("rosenbrok") is reported as
// an unknown surface, a formula that does not parse as an expression error with its column.
Result<std::unique_ptr<Surface>> makeSurfaceOrExpression(std::string_view text);

} // namespace nnlab::app
