// Training-step benchmarks: one full step (forward, softmax cross-entropy, backward, Adam update)
// on a fixed batch, for the two cases of the training issue:
//   BM_TrainStep/0   small_cnn on 28×28 "shapes" images, 10 classes, batch 32
//   BM_TrainStep/1   mlp (2 → 64 → 64 → 2) on the 2-D "spirals" set, batch 32
//   build/bench/nnlab_bench --benchmark_filter=BM_TrainStep
// bench/compare_train.py runs these and times PyTorch on the same network, data and batch size.
// Counter "steps/s" = steps per second (what the lab's training speed is).
#include <benchmark/benchmark.h>

#include "nnlab/datasets.h"
#include "nnlab/network.h"
#include "nnlab/param_optim.h"

namespace {

using namespace nnlab;

struct TrainCase {
  const char* dataset;
  const char* model;
};
constexpr TrainCase kCases[] = {{"shapes", "small_cnn"}, {"spirals", "mlp"}};
constexpr Index kBatch = 32;

void BM_TrainStep(benchmark::State& state) {
  const TrainCase& c = kCases[state.range(0)];
  const Dataset data = *makeDataset(*parseDatasetSpec(c.dataset), 1);
  Network net = *Network::build(*parseModelSpec(c.model), data.sampleShape, data.classes,
                                InitScheme::Auto, 1);
  OptimizerConfig config = defaultOptimizerConfig(OptimizerKind::Adam);
  config.lr = 1e-3;
  ParameterOptimizer optimizer = *ParameterOptimizer::make(OptimizerKind::Adam, config);
  // The first B training samples as the batch (the comparison script uses the same data).
  std::vector<Index> dims = data.trainX.shape().toVector();
  dims[0] = kBatch;
  const Index perSample = data.sampleShape.numel();
  Tensor x{Shape(dims)};
  std::copy_n(data.trainX.data(), kBatch * perSample, x.data());
  const std::vector<int> y(data.trainY.begin(), data.trainY.begin() + kBatch);
  for (auto _ : state) {
    const CrossEntropy ce = softmaxCrossEntropy(net.forward(x, LayerMode::Training), y);
    net.backward(ce.gradLogits);
    optimizer.step(net.parameters(), config.lr);
    benchmark::DoNotOptimize(ce.loss);
  }
  state.counters["steps/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_TrainStep)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond)->UseRealTime();

} // namespace
