// Optimizer lab budget (issue 6): six optimizers × 10,000 steps must recompute within one frame
// (16 ms) when a slider moves. BM_SixOptimizersTenThousandSteps is that recompute, with the
// per-step state recorded as the lab does; the per-optimizer and per-surface rows show where the
// time goes. Run: build/bench/nnlab_bench --benchmark_filter=Optim
#include <benchmark/benchmark.h>

#include "nnlab/optim.h"
#include "nnlab/surfaces.h"
#include "nnlab/trajectory.h"

namespace nnlab {
namespace {

// Rates that keep each optimizer on Rosenbrock's valley for 10,000 steps (no divergence, so
// every step is taken and timed).
struct Racer {
  OptimizerKind kind;
  double lr;
};
constexpr Racer kRacers[] = {{OptimizerKind::SGD, 1e-3},      {OptimizerKind::Momentum, 2e-4},
                             {OptimizerKind::Nesterov, 2e-4}, {OptimizerKind::AdaGrad, 0.5},
                             {OptimizerKind::RMSProp, 0.01},  {OptimizerKind::Adam, 0.05}};

std::unique_ptr<Optimizer> makeRacer(const Racer& racer) {
  OptimizerConfig config = defaultOptimizerConfig(racer.kind);
  config.lr = racer.lr;
  return std::move(makeOptimizer(racer.kind, config)).value();
}

void BM_OptimSixOptimizersTenThousandSteps(benchmark::State& state) {
  auto surface = makeSurface(SurfaceKind::Rosenbrock);
  std::vector<std::unique_ptr<Optimizer>> optimizers;
  for (const Racer& r : kRacers) optimizers.push_back(makeRacer(r));
  const TrajectoryOptions options = {.start = {-1.5, 2}, .steps = 10'000};
  for (auto _ : state) {
    for (auto& optimizer : optimizers) {
      Trajectory path = runTrajectory(*surface, *optimizer, options);
      if (path.diverged) state.SkipWithError(path.diverged->reason.c_str());
      benchmark::DoNotOptimize(path.points.data());
    }
  }
  state.SetItemsProcessed(state.iterations() * 6 * 10'000); // optimizer steps
}
BENCHMARK(BM_OptimSixOptimizersTenThousandSteps)->Unit(benchmark::kMillisecond);

void BM_OptimOneOptimizerTenThousandSteps(benchmark::State& state) {
  const Racer& racer = kRacers[state.range(0)];
  state.SetLabel(std::string(optimizerId(racer.kind)));
  auto surface = makeSurface(SurfaceKind::Rosenbrock);
  auto optimizer = makeRacer(racer);
  const TrajectoryOptions options = {.start = {-1.5, 2}, .steps = 10'000};
  for (auto _ : state) {
    Trajectory path = runTrajectory(*surface, *optimizer, options);
    benchmark::DoNotOptimize(path.points.data());
  }
  state.SetItemsProcessed(state.iterations() * 10'000);
}
BENCHMARK(BM_OptimOneOptimizerTenThousandSteps)->DenseRange(0, 5)->Unit(benchmark::kMicrosecond);

// The same Adam run per surface (Rastrigin pays for sin/cos), with and without the state record,
// and with gradient noise (one mt19937 normal pair per step).
void BM_OptimAdamPerSurface(benchmark::State& state) {
  const SurfaceKind kind = kAllSurfaceKinds[state.range(0)];
  const bool recordState = state.range(1) != 0;
  state.SetLabel(std::string(surfaceId(kind)) + (recordState ? "" : " (no state)"));
  auto surface = makeSurface(kind);
  OptimizerConfig config = defaultOptimizerConfig(OptimizerKind::Adam);
  config.lr = 1e-3;
  auto adam = std::move(makeOptimizer(OptimizerKind::Adam, config)).value();
  const TrajectoryOptions options = {
      .start = {0.5, 0.5}, .steps = 10'000, .recordState = recordState};
  for (auto _ : state) {
    Trajectory path = runTrajectory(*surface, *adam, options);
    benchmark::DoNotOptimize(path.points.data());
  }
  state.SetItemsProcessed(state.iterations() * 10'000);
}
BENCHMARK(BM_OptimAdamPerSurface)->ArgsProduct({{0, 1, 8}, {0, 1}})->Unit(benchmark::kMicrosecond);

void BM_OptimAdamWithGradientNoise(benchmark::State& state) {
  auto surface = makeSurface(SurfaceKind::QuadraticBowl);
  auto adam = makeRacer({OptimizerKind::Adam, 0.05});
  const TrajectoryOptions options = {
      .start = {-2, 1.5}, .steps = 10'000, .gradientNoise = 0.5, .seed = 1};
  for (auto _ : state) {
    Trajectory path = runTrajectory(*surface, *adam, options);
    benchmark::DoNotOptimize(path.points.data());
  }
  state.SetItemsProcessed(state.iterations() * 10'000);
}
BENCHMARK(BM_OptimAdamWithGradientNoise)->Unit(benchmark::kMicrosecond);

} // namespace
} // namespace nnlab
