// Forward convolution benchmarks: the five cases of the convolution issue, on the automatic path
// and on each forced path. Counters: GFLOP/s with FLOPs = 2 × MACs (conv_arith.h's convention).
//   build/bench/nnlab_bench --benchmark_filter=Conv
// bench/compare_conv.py runs these and times PyTorch and OpenCV on the same shapes.
#include <benchmark/benchmark.h>

#include <omp.h>

#include <cmath>

#include "nnlab/conv.h"

namespace {

using namespace nnlab;

struct ConvCase {
  Index channels, height, width, filters, kernel, stride, padding, groups;
};

// Indexed by the benchmark's first argument; the names match bench/compare_conv.py.
constexpr ConvCase kCases[] = {
    {3, 512, 512, 64, 3, 1, 1, 1},   // 0: 3x512x512, 64 filters 3x3 pad 1
    {3, 227, 227, 64, 11, 4, 2, 1},  // 1: 3x227x227, 64 filters 11x11 stride 4 pad 2 (AlexNet)
    {64, 56, 56, 64, 3, 1, 1, 1},    // 2: 64x56x56, 64 filters 3x3 pad 1 (ResNet block)
    {1, 512, 512, 1, 3, 1, 0, 1},    // 3: 1x512x512, one 3x3 edge filter
    {32, 112, 112, 32, 3, 1, 1, 32}, // 4: depthwise 3x3 on 32x112x112 (MobileNet)
};

Tensor filled(const Shape& shape, float scale) {
  Tensor t(shape);
  for (Index i = 0; i < t.numel(); ++i)
    t.data()[i] = scale * std::sin(0.37f * static_cast<float>(i % 1013));
  return t;
}

void BM_ConvForward(benchmark::State& state) {
  const ConvCase& c = kCases[state.range(0)];
  const auto algorithm = static_cast<ConvAlgorithm>(state.range(1));
  const Tensor x = filled(Shape{1, c.channels, c.height, c.width}, 1.0f);
  const Tensor w = filled(Shape{c.filters, c.channels / c.groups, c.kernel, c.kernel}, 0.1f);
  const Tensor b = filled(Shape{c.filters}, 0.1f);
  ConvOptions o;
  o.stride = {c.stride};
  o.padding = {c.padding};
  o.groups = c.groups;
  o.algorithm = algorithm;
  Result<Tensor> y = conv(x, w, b, o);
  if (!y) {
    state.SkipWithError(y.error().message().c_str());
    return;
  }
  for (auto _ : state) {
    Result<Tensor> out = conv(x, w, b, o);
    benchmark::DoNotOptimize(out.value().data());
  }
  const double macs = static_cast<double>(y->numel()) * static_cast<double>(c.channels / c.groups) *
                      static_cast<double>(c.kernel * c.kernel);
  state.counters["GFLOP/s"] = benchmark::Counter(
      2.0 * macs * static_cast<double>(state.iterations()) * 1e-9, benchmark::Counter::kIsRate);
  state.counters["threads"] = omp_get_max_threads();
}

// Args: {case, algorithm (0 auto, 1 im2col + GEMM, 2 direct, 3 Winograd)}.
BENCHMARK(BM_ConvForward)
    ->ArgsProduct({{0, 1, 2, 3, 4}, {0}})
    ->Args({0, 1})
    ->Args({2, 1})
    ->Args({2, 3})
    ->Args({3, 1})
    ->Args({4, 1})
    ->Args({4, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

} // namespace
