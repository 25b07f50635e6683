// User-typed surfaces (core/expression_surface.h): values against the formula evaluated by hand,
// central-difference gradients against the analytic gradient, and muParser's errors reported with
// the position of the fault.
#include "core/expression_surface.h"

#include <cmath>

#include <gtest/gtest.h>

#include "nnlab/trajectory.h"

namespace nnlab::app {
namespace {

std::unique_ptr<ExpressionSurface> parsed(const char* text) {
  auto s = ExpressionSurface::parse(text);
  EXPECT_TRUE(s.ok()) << text << ": " << (s ? "" : s.error().message());
  return s ? std::move(s).value() : nullptr;
}

TEST(ExpressionSurface, ValuesAndGradients) {
  // f = x² + 10y²: f(1, 2) = 1 + 40 = 41, ∇f = (2x, 20y) = (2, 40).
  auto bowl = parsed("x^2 + 10*y^2");
  ASSERT_TRUE(bowl);
  EXPECT_DOUBLE_EQ(bowl->value({1, 2}), 41);
  const Vec2 g = bowl->gradient({1, 2});
  EXPECT_NEAR(g.x, 2, 1e-8);
  EXPECT_NEAR(g.y, 40, 1e-8);
  // f = sin(x)·cos(y) + 0.1(x² + y²): ∇f = (cos x cos y + 0.2x, −sin x sin y + 0.2y), at (0.7,
  // −1.3) and elsewhere, within the central difference's O(h²) ≈ 1e-10 · f''' error.
  auto wavy = parsed("sin(x)*cos(y) + 0.1*(x^2 + y^2)");
  ASSERT_TRUE(wavy);
  for (Vec2 p : {Vec2{0.7, -1.3}, Vec2{-2.5, 2.9}, Vec2{0, 0}}) {
    const Vec2 grad = wavy->gradient(p);
    EXPECT_NEAR(grad.x, std::cos(p.x) * std::cos(p.y) + 0.2 * p.x, 1e-9);
    EXPECT_NEAR(grad.y, -std::sin(p.x) * std::sin(p.y) + 0.2 * p.y, 1e-9);
  }
  // pi is defined: f = sin(pi·x) is 1 at x = ½.
  EXPECT_NEAR(parsed("sin(pi*x)")->value({0.5, 0}), 1, 1e-15);
  EXPECT_EQ(bowl->name(), "x^2 + 10*y^2");
  EXPECT_TRUE(bowl->minima().empty());
  auto copy = bowl->clone();
  EXPECT_DOUBLE_EQ(copy->value({1, 2}), 41);
}

TEST(ExpressionSurface, ErrorsGiveThePosition) {
  // Positions are muParser's 0-based ParserError::GetPos(); messages report column = pos + 1.
  auto op = findExpressionError("x^2 + * y");
  ASSERT_TRUE(op);
  EXPECT_EQ(op->position, 6); // the '*'
  EXPECT_EQ(op->message, "unexpected operator \"*\"");
  auto unknown = findExpressionError("x + z");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->position, 4); // z is not a variable
  auto implicitProduct = findExpressionError("3xy");
  ASSERT_TRUE(implicitProduct);
  EXPECT_EQ(implicitProduct->position, 1);
  EXPECT_TRUE(findExpressionError("sin(x"));
  auto empty = findExpressionError("");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->position, -1);
  // Not muParser's errors but ours: assignment and several results are not a surface.
  auto assignment = findExpressionError("x = 3");
  ASSERT_TRUE(assignment);
  EXPECT_EQ(assignment->position, 2);
  auto twoResults = findExpressionError("x, y");
  ASSERT_TRUE(twoResults);
  EXPECT_EQ(twoResults->position, 1);
  // ... while commas inside a call and comparisons are fine.
  EXPECT_FALSE(findExpressionError("min(x, y) + (x <= y) + (x != 2)"));

  auto result = ExpressionSurface::parse("x^2 + * y");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message(),
            "expression: unexpected operator \"*\" at column 7 of \"x^2 + * y\"");
}

TEST(ExpressionSurface, BuiltInNamesWinAndUnknownWordsSaySo) {
  auto rosen = makeSurfaceOrExpression("rosenbrock");
  ASSERT_TRUE(rosen);
  EXPECT_EQ((*rosen)->formula(), "(1 − x)² + 100(y − x²)²");
  auto bowl = makeSurfaceOrExpression("quadratic:kappa=4");
  ASSERT_TRUE(bowl);
  auto typo = makeSurfaceOrExpression("rosenbrok");
  ASSERT_FALSE(typo);
  EXPECT_EQ(typo.error().where, "surface");
  EXPECT_NE(typo.error().what.find("unknown surface 'rosenbrok'"), std::string::npos);
  auto formula = makeSurfaceOrExpression("x*y");
  ASSERT_TRUE(formula);
  EXPECT_DOUBLE_EQ((*formula)->value({2, 3}), 6);
  auto bad = makeSurfaceOrExpression("x + z");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().where, "expression");
}

TEST(ExpressionSurface, RunsUnderTheTrajectoryRunner) {
  // SGD with η = 0.25 on x² + y² halves the point each step: (1, 1) → (0.5, 0.5) → (0.25, 0.25).
  auto bowl = parsed("x^2 + y^2");
  OptimizerConfig c = defaultOptimizerConfig(OptimizerKind::SGD);
  c.lr = 0.25;
  auto sgd = std::move(makeOptimizer(OptimizerKind::SGD, c)).value();
  const Trajectory path = runTrajectory(*bowl, *sgd, {.start = {1, 1}, .steps = 2});
  EXPECT_NEAR(path.points[2].x, 0.25, 1e-10);
  EXPECT_NEAR(path.points[2].y, 0.25, 1e-10);
  // sqrt(x) is NaN for x < 0: SGD with η = 1 from x = 1 steps by 1/(2√x): 1 → 0.5 → −0.207,
  // where f is NaN. The path ends with a reason instead of crashing.
  auto root = parsed("sqrt(x) + y^2");
  c.lr = 1;
  auto sgd1 = std::move(makeOptimizer(OptimizerKind::SGD, c)).value();
  const Trajectory broken = runTrajectory(*root, *sgd1, {.start = {1, 0}, .steps = 10});
  ASSERT_TRUE(broken.diverged);
  EXPECT_EQ(broken.diverged->kind, DivergenceKind::NotANumber);
  EXPECT_EQ(broken.diverged->step, 2);
  EXPECT_EQ(broken.points.size(), 2u);
}

} // namespace
} // namespace nnlab::app
