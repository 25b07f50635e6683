// The feature-map lab's work per slider move, piece by piece, on the case: the camera
// photo at 512×512 through the 8-orientation Gabor bank (7×7, reflect padding 3).
//   build/bench/nnlab_bench --benchmark_filter='FeatureMap|Heatmap'
// BM_FeatureMapCompute is the worker's convolution (+ min / max); BM_FeatureMapTiles the
// reduction to 256² and colour mapping of the 8 maps; BM_FeatureMapPaddedInput the hover panel's
// padded input; BM_HeatmapToRgba plot/'s colour table on one 512² map.
#include <benchmark/benchmark.h>

#include <cmath>

#include "labs/feature_map_lab.h"
#include "plot/colormap.h"

namespace {

using namespace nnlab;
using namespace nnlab::app;

FeatureMapLabState gabor512() {
  FeatureMapLabState state;
  state.image = "camera";
  state.workingSize = 512;
  state.bank = "gabor";
  state.gaborCount = 8;
  state.padding = 3;
  state.paddingMode = "reflect";
  state.sharedScale = false;
  return state;
}

Tensor cameraAt512() {
  Result<Image8> image = loadFeatureMapImage("camera", "");
  return workingImage(image ? image.value() : checkerboardImage(), false, 512);
}

void BM_FeatureMapCompute(benchmark::State& bench) {
  const Tensor input = cameraAt512();
  FeatureMapLabState state = gabor512();
  for (auto _ : bench) {
    state.gaborWavelength = state.gaborWavelength == 4.0 ? 4.5 : 4.0; // a slider moving
    Result<FeatureMaps> maps = computeFeatureMaps(input, state);
    benchmark::DoNotOptimize(maps);
  }
  // FLOPs = 2 × MACs: 8 maps × H × W outputs × 49 taps.
  bench.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * 8 * 512 * 512 * 49, benchmark::Counter::kIsIterationInvariantRate,
                         benchmark::Counter::kIs1000);
}
BENCHMARK(BM_FeatureMapCompute)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_FeatureMapPaddedInput(benchmark::State& bench) {
  const FeatureMapLabState state = gabor512();
  FeatureMaps maps = computeFeatureMaps(cameraAt512(), state).value();
  for (auto _ : bench) {
    maps.paddedInput = Tensor();
    benchmark::DoNotOptimize(addPaddedInput(maps, state));
  }
}
BENCHMARK(BM_FeatureMapPaddedInput)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_FeatureMapTiles(benchmark::State& bench) {
  const FeatureMapLabState state = gabor512();
  const FeatureMaps maps = computeFeatureMaps(cameraAt512(), state).value();
  for (auto _ : bench) {
    FeatureMapTiles tiles = featureMapTiles(maps, state);
    benchmark::DoNotOptimize(tiles);
  }
}
BENCHMARK(BM_FeatureMapTiles)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_HeatmapToRgba(benchmark::State& bench) {
  plot::Heatmap heatmap;
  heatmap.rows = heatmap.cols = 512;
  heatmap.colormap = plot::Colormap::Diverging;
  for (int i = 0; i < 512 * 512; ++i) heatmap.values.push_back(std::sin(0.01f * float(i)));
  heatmap.vmin = -1, heatmap.vmax = 1;
  for (auto _ : bench) {
    std::vector<std::uint8_t> rgba = plot::heatmapToRgba(heatmap, true);
    benchmark::DoNotOptimize(rgba);
  }
  bench.SetItemsProcessed(bench.iterations() * 512 * 512);
}
BENCHMARK(BM_HeatmapToRgba)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace
