// trajectory.h: run one optimizer over a surface for N steps and keep everything the lab draws.
//
//   std::unique_ptr<Surface> bowl = makeSurface(SurfaceKind::QuadraticBowl, {.conditionNumber =
//   50}); auto adam = makeOptimizer(OptimizerKind::Adam,
//   defaultOptimizerConfig(OptimizerKind::Adam)); Trajectory path = runTrajectory(*bowl, **adam,
//   {.start = {-2.5, 1}, .steps = 500});
//   // path.points: θ₀ … θ_N;  path.loss: f(θ₀) … f(θ_N);  path.lr: η₁ … η_N;  path.state[t − 1]
//
// Step t: g = ∇f(θ_{t−1}) + σ·ξ (ξ ~ N(0, I), from std::mt19937 seeded with `seed`, x then y),
// η_t = schedule(η₀ = optimizer.config().lr, t), θ_t = optimizer.step(θ_{t−1}, g, η_t).
//
// Divergence never throws or asserts: the path stops and `diverged` says why and when.
//   - a NaN or infinite gradient, point or loss: that step is not recorded (everything kept is
//     finite, so plots need no filtering);
//   - a point beyond the escape box |x|, |y| ≤ escapeBound: recorded, then the path stops.
// So points.size() = loss.size() = lr.size() + 1 = state.size() + 1 always, = N + 1 when the run
// completes. The cost is one gradient, one value and one optimizer step per step; storage is
// reserved up front, so a run allocates four times.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nnlab/optim.h"
#include "nnlab/schedules.h"
#include "nnlab/surfaces.h"
#include "nnlab/vec2.h"

namespace nnlab {

enum class DivergenceKind {
  NotANumber, // a NaN (0/0, ∞ − ∞) in the gradient, the point or the loss
  Infinite,   // an overflow to ±∞
  LeftBox,    // finite, but beyond the escape box
};

std::string_view divergenceId(DivergenceKind kind); // "nan", "infinite", "left-box"

struct Divergence {
  DivergenceKind kind = DivergenceKind::NotANumber;
  int step = 0;       // the step t at which it happened (0: at the start point)
  std::string reason; // for the user: "nan at step 37: the gradient is NaN at (1.2, -0.4)"
};

struct TrajectoryOptions {
  Vec2 start{};               // θ₀
  int steps = 100;            // N, the number of updates
  Schedule schedule{};        // scales the optimizer's config().lr per step
  double gradientNoise = 0.0; // σ ≥ 0 of the Gaussian noise added to each gradient coordinate
  unsigned seed = 0;          // of the noise; equal seeds give equal paths
  double escapeBound = 1e6;   // the "large box": |x| or |y| beyond it ends the path
  bool recordState = true;    // false skips `state` (the lab's loss-only views)
};

struct Trajectory {
  std::vector<Vec2> points;           // θ₀ … θ_n, n ≤ N
  std::vector<double> loss;           // f(θ₀) … f(θ_n)
  std::vector<double> lr;             // η₁ … η_n
  std::vector<OptimizerState> state;  // what step t did, at index t − 1 (empty if not recorded)
  std::optional<Divergence> diverged; // empty when the path is whole or stopped for no fault

  int stepsTaken() const { return static_cast<int>(lr.size()); }
};

// Resets `optimizer` and runs it. Asserts on options a caller must check (steps < 0, σ < 0).
Trajectory runTrajectory(const Surface& surface, Optimizer& optimizer,
                         const TrajectoryOptions& options);

// For the "distance to the nearest minimum" plot: min over `minima` of |θ − minimum| per point;
// NaN per point when `minima` is empty.
std::vector<double> distanceToNearestMinimum(const std::vector<Vec2>& minima,
                                             const std::vector<Vec2>& points);

} // namespace nnlab
