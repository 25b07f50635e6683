// The trajectory runner: lengths and contents on a worked case, reproducible gradient noise, and
// every divergence reason ending the path without a crash.
#include "nnlab/trajectory.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace nnlab {
namespace {

std::unique_ptr<Optimizer> sgd(double lr) {
  OptimizerConfig c = defaultOptimizerConfig(OptimizerKind::SGD);
  c.lr = lr;
  return std::move(makeOptimizer(OptimizerKind::SGD, c)).value();
}

// f = x² + y²·(const) built from a user-style Surface: shows the interface is implementable
// outside the built-ins, and lets a test return NaN on purpose.
class ScriptedSurface final : public Surface {
public:
  double value(Vec2 p) const override { return p.x * p.x + p.y * p.y; }
  Vec2 gradient(Vec2 p) const override {
    if (p.x < nanBelow) return {std::numeric_limits<double>::quiet_NaN(), 0};
    return {2 * p.x, 2 * p.y};
  }
  std::string name() const override { return "scripted"; }
  std::string title() const override { return "Scripted"; }
  std::string formula() const override { return "x² + y²"; }
  Box2 domain() const override { return {-1, 1, -1, 1}; }
  std::vector<Vec2> minima() const override { return {{0, 0}}; }
  double nanBelow = -std::numeric_limits<double>::infinity();
};

TEST(Trajectory, SgdOnTheSaddleWorkedByHand) {
  // f = x² − y², ∇f = (2x, −2y); SGD with η = 0.25 maps (x, y) → (x − 0.5x, y + 0.5y) =
  // (0.5x, 1.5y). From (1, 0.1): (0.5, 0.15), (0.25, 0.225), (0.125, 0.3375); f = x² − y².
  auto saddle = makeSurface(SurfaceKind::Saddle);
  auto opt = sgd(0.25);
  const Trajectory path = runTrajectory(*saddle, *opt, {.start = {1, 0.1}, .steps = 3});
  ASSERT_EQ(path.points.size(), 4u);
  ASSERT_EQ(path.loss.size(), 4u);
  ASSERT_EQ(path.lr.size(), 3u);
  ASSERT_EQ(path.state.size(), 3u);
  EXPECT_FALSE(path.diverged);
  EXPECT_DOUBLE_EQ(path.points[3].x, 0.125);
  EXPECT_DOUBLE_EQ(path.points[3].y, 0.3375);
  EXPECT_DOUBLE_EQ(path.loss[0], 1 - 0.01);
  EXPECT_DOUBLE_EQ(path.loss[3], 0.125 * 0.125 - 0.3375 * 0.3375);
  EXPECT_EQ(path.lr[2], 0.25);
  EXPECT_EQ(path.state[2].t, 3);
  EXPECT_DOUBLE_EQ(path.state[0].gradient.x, 2.0);
  EXPECT_DOUBLE_EQ(path.state[0].step.y, 0.05);
}

TEST(Trajectory, ScheduleScalesTheConfiguredRate) {
  // η₀ = 0.2 with step decay every 2 steps by ½: η = 0.2, 0.2, 0.1, 0.1, 0.05.
  auto bowl = makeSurface(SurfaceKind::QuadraticBowl);
  auto opt = sgd(0.2);
  const Trajectory path = runTrajectory(
      *bowl, *opt,
      {.start = {1, 1}, .steps = 5, .schedule = *parseSchedule("step:step_size=2,gamma=0.5")});
  EXPECT_EQ(path.lr, (std::vector<double>{0.2, 0.2, 0.1, 0.1, 0.05}));
  EXPECT_EQ(path.stepsTaken(), 5);
}

TEST(Trajectory, GradientNoiseIsSeededAndZeroMean) {
  // On the bilinear surface the gradient at the start is (2 + 3y, 3x); the recorded gradient
  // minus the exact one is the noise: same seed, same noise; σ = 0.5 gives a sample standard
  // deviation near 0.5 over 2×4000 draws (±5%).
  auto flat = makeSurface(SurfaceKind::Bilinear);
  auto opt = sgd(0);
  const TrajectoryOptions options = {
      .start = {0.5, -0.5}, .steps = 4000, .gradientNoise = 0.5, .seed = 7};
  const Trajectory a = runTrajectory(*flat, *opt, options);
  const Trajectory b = runTrajectory(*flat, *opt, options);
  TrajectoryOptions other = options;
  other.seed = 8;
  const Trajectory c = runTrajectory(*flat, *opt, other);
  ASSERT_EQ(a.state.size(), 4000u);
  double sum = 0, sumSquares = 0;
  const Vec2 exact = flat->gradient({0.5, -0.5}); // η = 0: the point never moves
  for (size_t i = 0; i < a.state.size(); ++i) {
    EXPECT_EQ(a.state[i].gradient, b.state[i].gradient);
    const Vec2 noise = a.state[i].gradient - exact;
    sum += noise.x + noise.y;
    sumSquares += noise.x * noise.x + noise.y * noise.y;
  }
  EXPECT_NE(a.state[0].gradient, c.state[0].gradient);
  EXPECT_NEAR(sum / 8000, 0, 0.03);
  EXPECT_NEAR(std::sqrt(sumSquares / 8000), 0.5, 0.025);
}

TEST(Trajectory, TooLargeARateLeavesTheBox) {
  // SGD on x² − y² multiplies y by (1 + 2η) per step: with η = 5, y = 1 → 11ᵗ, past 1e6 at
  // t = 6 (11⁶ = 1.77e6). The last point is recorded, then the path stops.
  auto saddle = makeSurface(SurfaceKind::Saddle);
  auto opt = sgd(5);
  const Trajectory path = runTrajectory(*saddle, *opt, {.start = {0, 1}, .steps = 100});
  ASSERT_TRUE(path.diverged);
  EXPECT_EQ(path.diverged->kind, DivergenceKind::LeftBox);
  EXPECT_EQ(path.diverged->step, 6);
  EXPECT_EQ(path.points.size(), 7u);
  EXPECT_EQ(path.lr.size(), 6u);
  EXPECT_DOUBLE_EQ(path.points.back().y, 1771561);
  EXPECT_EQ(path.diverged->reason.rfind("left-box at step 6: ", 0), 0u) << path.diverged->reason;
}

TEST(Trajectory, OverflowToInfinityIsReported) {
  // Rosenbrock's gradient grows like 400x³: with η = 1 from (3, 3) the iterates explode past
  // 1e308 within a few steps. With the box made infinite, the overflow itself is what stops it.
  auto rosen = makeSurface(SurfaceKind::Rosenbrock);
  auto opt = sgd(1);
  const Trajectory path = runTrajectory(
      *rosen, *opt,
      {.start = {3, 3}, .steps = 100, .escapeBound = std::numeric_limits<double>::infinity()});
  ASSERT_TRUE(path.diverged);
  EXPECT_TRUE(path.diverged->kind == DivergenceKind::Infinite ||
              path.diverged->kind == DivergenceKind::NotANumber);
  EXPECT_LT(path.diverged->step, 10);
  for (size_t i = 0; i < path.points.size(); ++i) {
    EXPECT_TRUE(isFinite(path.points[i]));
    EXPECT_TRUE(std::isfinite(path.loss[i]));
  }
  EXPECT_EQ(path.points.size(), path.lr.size() + 1);
}

TEST(Trajectory, NanGradientEndsThePathBeforeTheBadStep) {
  // The scripted surface's gradient is NaN for x < 0.3; SGD with η = 0.25 halves x each step:
  // 1, 0.5, 0.25 — the gradient at 0.25 is NaN, so step 3 is not taken.
  ScriptedSurface surface;
  surface.nanBelow = 0.3;
  auto opt = sgd(0.25);
  const Trajectory path = runTrajectory(surface, *opt, {.start = {1, 0}, .steps = 10});
  ASSERT_TRUE(path.diverged);
  EXPECT_EQ(path.diverged->kind, DivergenceKind::NotANumber);
  EXPECT_EQ(path.diverged->step, 3);
  EXPECT_EQ(path.points.size(), 3u);
  EXPECT_EQ(path.points.back(), (Vec2{0.25, 0}));
  EXPECT_NE(path.diverged->reason.find("nan at step 3"), std::string::npos);
}

TEST(Trajectory, BadStartPointIsStepZero) {
  auto bowl = makeSurface(SurfaceKind::QuadraticBowl);
  auto opt = sgd(0.1);
  const Trajectory nan = runTrajectory(*bowl, *opt, {.start = {std::nan(""), 0}, .steps = 5});
  ASSERT_TRUE(nan.diverged);
  EXPECT_EQ(nan.diverged->step, 0);
  EXPECT_EQ(nan.diverged->kind, DivergenceKind::NotANumber);
  EXPECT_EQ(nan.points.size(), 1u);
  const Trajectory far = runTrajectory(*bowl, *opt, {.start = {2e6, 0}, .steps = 5});
  ASSERT_TRUE(far.diverged);
  EXPECT_EQ(far.diverged->kind, DivergenceKind::LeftBox);
  EXPECT_TRUE(far.lr.empty());
}

TEST(Trajectory, DistanceToNearestMinimum) {
  // Himmelblau's minima include (3, 2): from (3, 5) the nearest is 3 away; saddles have none.
  auto himmelblau = makeSurface(SurfaceKind::Himmelblau);
  const std::vector<double> d = distanceToNearestMinimum(himmelblau->minima(), {{3, 5}, {3, 2}});
  EXPECT_DOUBLE_EQ(d[0], 3);
  EXPECT_DOUBLE_EQ(d[1], 0);
  EXPECT_TRUE(std::isnan(distanceToNearestMinimum({}, {{0, 0}})[0]));
}

TEST(Trajectory, RecordStateOffKeepsThePath) {
  auto bowl = makeSurface(SurfaceKind::QuadraticBowl);
  auto opt = sgd(0.05);
  const Trajectory with = runTrajectory(*bowl, *opt, {.start = {1, 1}, .steps = 50});
  const Trajectory without =
      runTrajectory(*bowl, *opt, {.start = {1, 1}, .steps = 50, .recordState = false});
  EXPECT_TRUE(without.state.empty());
  EXPECT_EQ(with.points, without.points);
}

} // namespace
} // namespace nnlab
