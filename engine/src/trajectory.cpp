#include "nnlab/trajectory.h"

#include <cassert>
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>

namespace nnlab {

namespace {

std::string formatPoint(Vec2 p) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "(%.6g, %.6g)", p.x, p.y);
  return buffer;
}

// Non-finite value → its divergence kind; NaN wins over ∞ since it says more (∞ − ∞, 0·∞).
DivergenceKind classify(double a, double b) {
  return std::isnan(a) || std::isnan(b) ? DivergenceKind::NotANumber : DivergenceKind::Infinite;
}

Divergence makeDivergence(DivergenceKind kind, int step, const std::string& what) {
  return {kind, step,
          std::string(divergenceId(kind)) + " at step " + std::to_string(step) + ": " + what};
}

} // namespace

std::string_view divergenceId(DivergenceKind kind) {
  switch (kind) {
  case DivergenceKind::NotANumber: return "nan";
  case DivergenceKind::Infinite: return "infinite";
  case DivergenceKind::LeftBox: return "left-box";
  }
  return "";
}

Trajectory runTrajectory(const Surface& surface, Optimizer& optimizer,
                         const TrajectoryOptions& options) {
  assert(options.steps >= 0 && "runTrajectory: steps must be ≥ 0");
  assert(options.gradientNoise >= 0 && "runTrajectory: gradient noise σ must be ≥ 0");
  optimizer.reset();
  const double baseLr = optimizer.config().lr;
  const double bound = options.escapeBound;
  auto outside = [bound](Vec2 p) { return std::fabs(p.x) > bound || std::fabs(p.y) > bound; };

  Trajectory path;
  path.points.reserve(options.steps + 1);
  path.loss.reserve(options.steps + 1);
  path.lr.reserve(options.steps);
  if (options.recordState) path.state.reserve(options.steps);

  Vec2 theta = options.start;
  double loss = surface.value(theta);
  path.points.push_back(theta);
  path.loss.push_back(loss);
  if (!isFinite(theta) || !std::isfinite(loss)) {
    const DivergenceKind kind = !isFinite(theta) ? classify(theta.x, theta.y) : classify(loss, 0);
    path.diverged = makeDivergence(kind, 0,
                                   "the loss at the start point " + formatPoint(theta) + " is " +
                                       (std::isnan(loss) ? "NaN" : "infinite"));
    return path;
  }
  if (outside(theta)) {
    path.diverged = makeDivergence(DivergenceKind::LeftBox, 0,
                                   "the start point " + formatPoint(theta) + " is outside the box");
    return path;
  }

  std::mt19937 rng(options.seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  OptimizerState state;
  for (int t = 1; t <= options.steps; ++t) {
    Vec2 g = surface.gradient(theta);
    if (options.gradientNoise > 0) {
      const double nx = normal(rng), ny = normal(rng); // sequenced: x's draw first
      g += options.gradientNoise * Vec2{nx, ny};
    }
    if (!isFinite(g)) {
      path.diverged = makeDivergence(classify(g.x, g.y), t,
                                     "the gradient at " + formatPoint(theta) + " is not finite");
      break;
    }
    const double lr = options.schedule.learningRate(baseLr, t, options.steps);
    const Vec2 next = optimizer.step(theta, g, lr, state);
    if (!isFinite(next)) {
      path.diverged = makeDivergence(classify(next.x, next.y), t,
                                     "the step from " + formatPoint(theta) + " is not finite");
      break;
    }
    loss = surface.value(next);
    if (!std::isfinite(loss)) {
      path.diverged =
          makeDivergence(classify(loss, 0), t, "the loss at " + formatPoint(next) + " overflows");
      break;
    }
    theta = next;
    path.points.push_back(theta);
    path.loss.push_back(loss);
    path.lr.push_back(lr);
    if (options.recordState) path.state.push_back(state);
    if (outside(theta)) {
      char limit[32];
      std::snprintf(limit, sizeof limit, "%g", bound);
      path.diverged = makeDivergence(DivergenceKind::LeftBox, t,
                                     formatPoint(theta) + " is outside |x|, |y| ≤ " + limit);
      break;
    }
  }
  return path;
}

std::vector<double> distanceToNearestMinimum(const std::vector<Vec2>& minima,
                                             const std::vector<Vec2>& points) {
  std::vector<double> distance(points.size(), std::numeric_limits<double>::quiet_NaN());
  if (minima.empty()) return distance;
  for (size_t i = 0; i < points.size(); ++i) {
    double best = std::numeric_limits<double>::infinity();
    for (Vec2 m : minima) best = std::min(best, norm(points[i] - m));
    distance[i] = best;
  }
  return distance;
}

} // namespace nnlab
