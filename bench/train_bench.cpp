// Training-step benchmarks: one full step (forward, softmax cross-entropy, backward, Adam update)
// on a fixed batch, for the two cases of the training issue:
//   BM_TrainStep/0   small_cnn on 28×28 "shapes" images, 10 classes, batch 32
//   BM_TrainStep/1   mlp (2 → 64 → 64 → 2) on the 2-D "spirals" set, batch 32
//   build/bench/nnlab_bench --benchmark_filter=BM_TrainStep
// bench/compare_train.py runs these and times PyTorch on the same network, data and batch size.
// Counter "steps/s" = steps per second (what the lab's training speed is).
//
// And what pressing Train costs the GUI thread:
//   BM_SessionStart/0   TrainingSession::start for small_cnn on 28×28 "shapes" (2,000 images)
//   BM_SessionStart/1   the same for mlp on "spirals"
// Time = the start() call alone (manual time); counter "first_step_ms" = from the call until the
// worker has logged step 1 (data set, network and initial validation loss made on the worker).
#include <benchmark/benchmark.h>

#include <chrono>
#include <thread>

#include "nnlab/datasets.h"
#include "nnlab/network.h"
#include "nnlab/param_optim.h"
#include "nnlab/training.h"

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

void BM_SessionStart(benchmark::State& state) {
  using Clock = std::chrono::steady_clock;
  const TrainCase& c = kCases[state.range(0)];
  TrainingConfig config;
  config.dataset = *parseDatasetSpec(c.dataset);
  config.model = c.model;
  config.seed = 7;
  config.threads = 1; // as the lab starts its runs
  double firstStepSeconds = 0;
  for (auto _ : state) {
    TrainingSession session;
    const auto begin = Clock::now();
    const Status started = session.start(config);
    const auto returned = Clock::now();
    if (!started) {
      state.SkipWithError(started.error().message().c_str());
      break;
    }
    while (session.snapshot().step < 1) std::this_thread::sleep_for(std::chrono::microseconds(100));
    firstStepSeconds += std::chrono::duration<double>(Clock::now() - begin).count();
    session.cancel();
    session.wait();
    state.SetIterationTime(std::chrono::duration<double>(returned - begin).count());
  }
  state.counters["first_step_ms"] =
      1e3 * firstStepSeconds / static_cast<double>(std::max<std::int64_t>(state.iterations(), 1));
}
// Fixed iterations: the manual time of a start() can be microseconds, while each iteration also
// waits for the preparation (the benchmark would otherwise run thousands of them).
BENCHMARK(BM_SessionStart)
    ->Arg(0)
    ->Arg(1)
    ->Iterations(10)
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime();

} // namespace
