#include "nnlab/training.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <optional>

#include <omp.h>

#include "random_draws.h"

namespace nnlab {
namespace {

// Sub-streams of a run's seed (random_draws.h: deriveSeed).
enum Stream : std::uint32_t {
  kWeights = 10,
  kShuffle = 11,
  kCorrupt = 12,
  kDropout = 13,
};

constexpr Index kEvaluationBatch = 512;

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", v);
  return text;
}

// Gathers samples `index[begin, end)` of x (and their labels) into a batch.
Tensor gatherBatch(const Tensor& x, const std::vector<Index>& index, Index begin, Index end) {
  Shape shape = x.shape();
  const Index perSample = x.numel() / shape[0];
  shape[0] = end - begin;
  Tensor batch(shape);
  for (Index i = begin; i < end; ++i)
    std::memcpy(batch.data() + (i - begin) * perSample,
                x.data() + index[static_cast<size_t>(i)] * perSample,
                static_cast<size_t>(perSample) * sizeof(float));
  return batch;
}

// The calling thread's OpenMP thread count for a scope (0: left as it is), restored at its end.
class ScopedOmpThreads {
public:
  explicit ScopedOmpThreads(int threads) : saved_(omp_get_max_threads()) {
    if (threads > 0) omp_set_num_threads(threads);
  }
  ~ScopedOmpThreads() { omp_set_num_threads(saved_); }
  ScopedOmpThreads(const ScopedOmpThreads&) = delete;
  ScopedOmpThreads& operator=(const ScopedOmpThreads&) = delete;

private:
  int saved_;
};

// Steps per epoch (the last partial batch dropped), the steps the run makes (maxSteps caps
// them) and the epochs those steps touch.
struct StepPlan {
  int perEpoch = 0, total = 0, epochs = 0;
};
StepPlan planSteps(const TrainingConfig& config, Index trainSize) {
  StepPlan p;
  p.perEpoch = static_cast<int>(trainSize / config.batchSize);
  p.total = p.perEpoch * config.epochs;
  if (config.maxSteps > 0) p.total = std::min(p.total, config.maxSteps);
  p.epochs = (p.total + p.perEpoch - 1) / p.perEpoch;
  return p;
}

// The data set's options checked and laid out (datasets.h), errors under "dataset" as create()
// gives them.
Result<DatasetLayout> layoutFor(const TrainingConfig& config) {
  if (Status s = validateTrainingConfig(config); !s) return s.error();
  Result<DatasetLayout> layout = datasetLayout(config.dataset);
  if (!layout) return Error{"dataset", layout.error().message()};
  return layout;
}

DatasetLayout layoutOf(const Dataset& d) {
  return {d.sampleShape, d.classes, d.trainSize(), d.validationSize()};
}

// Everything TrainingRun::create refuses once the data set exists, decided from its layout alone
// (nothing allocated, built or drawn), in create()'s order: the settings (the optimizer's
// included), the model against the sample shape, the batch against the training set.
Status checkRun(const TrainingConfig& config, const DatasetLayout& layout) {
  if (Status s = validateTrainingConfig(config); !s) return s;
  Result<ModelSpec> spec = parseModelSpec(config.model);
  if (!spec) return spec.error();
  if (Result<std::vector<Shape>> shapes =
          Network::outputShapes(*spec, layout.sampleShape, layout.classes);
      !shapes)
    return shapes.error();
  if (config.batchSize > layout.trainSize)
    return Error{"batch", "larger than the training set (" + std::to_string(config.batchSize) +
                              " > " + std::to_string(layout.trainSize) + " samples)"};
  for (const LayerSpec& l : spec->layers)
    if (l.kind == LayerKind::BatchNorm && config.batchSize < 2)
      return Error{"batch", "BatchNorm needs at least 2 samples per batch (got 1)"};
  return Status::success();
}

struct SpikeInfo {
  SpikeMaker maker;
  std::string_view id;
};
constexpr SpikeInfo kSpikes[] = {
    {SpikeMaker::None, "none"},
    {SpikeMaker::HighLearningRate, "high-lr"},
    {SpikeMaker::CorruptedLabels, "corrupt"},
    {SpikeMaker::AdamNoWarmup, "adam-no-warmup"},
    {SpikeMaker::TinyBatch, "tiny-batch"},
};

} // namespace

// ---- Configuration
// -------------------------------------------------------------------------------

Status validateTrainingConfig(const TrainingConfig& c) {
  if (c.batchSize < 1)
    return Error{"batch", "must be at least 1 (got " + std::to_string(c.batchSize) + ")"};
  if (c.epochs < 1)
    return Error{"epochs", "must be at least 1 (got " + std::to_string(c.epochs) + ")"};
  if (c.maxSteps < 0)
    return Error{"max-steps", "must be ≥ 0 (got " + std::to_string(c.maxSteps) + ")"};
  if (!(std::isfinite(c.clipNorm) && c.clipNorm >= 0))
    return Error{"clip",
                 "must be a finite number ≥ 0, 0 for no clipping (got " + number(c.clipNorm) + ")"};
  if (c.corruptAt < 0)
    return Error{"corrupt-at",
                 "must be ≥ 1, or 0 for none (got " + std::to_string(c.corruptAt) + ")"};
  if (c.corruptSteps < 1)
    return Error{"corrupt-steps",
                 "must be at least 1 (got " + std::to_string(c.corruptSteps) + ")"};
  if (c.threads < 0)
    return Error{"threads",
                 "must be ≥ 1, or 0 for the default (got " + std::to_string(c.threads) + ")"};
  if (c.schedule.warmupSteps < 0)
    return Error{"warmup", "must be ≥ 0 (got " + std::to_string(c.schedule.warmupSteps) + ")"};
  return validateOptimizerConfig(c.optimizer, c.optimizerConfig);
}

// ---- Spike makers
// ----------------------------------------------------------------------------------

std::string_view spikeMakerId(SpikeMaker maker) {
  for (const SpikeInfo& s : kSpikes)
    if (s.maker == maker) return s.id;
  return "none";
}

Result<SpikeMaker> parseSpikeMaker(std::string_view id) {
  std::string known;
  for (const SpikeInfo& s : kSpikes) {
    if (s.id == id) return s.maker;
    known += (known.empty() ? "" : ", ") + std::string(s.id);
  }
  return Error{"spike", "unknown spike maker '" + std::string(id) + "' (known: " + known + ")"};
}

std::string spikeMakerDescription(SpikeMaker maker, bool fixed) {
  switch (maker) {
  case SpikeMaker::None: return "no spike maker";
  case SpikeMaker::HighLearningRate:
    return fixed ? "SGD momentum, η₀ = 0.05" : "SGD momentum, η₀ = 1.0 (too high)";
  case SpikeMaker::CorruptedLabels:
    return fixed ? "label burst at step 150, gradient clipped at ‖g‖ = 0.25"
                 : "SGD η₀ = 0.3, 10 steps of wrong labels at step 150";
  case SpikeMaker::AdamNoWarmup:
    return fixed ? "Adam η₀ = 0.1, 100 warmup steps" : "Adam η₀ = 0.1, no warmup";
  case SpikeMaker::TinyBatch: return fixed ? "batch 64" : "batch 1";
  }
  return {};
}

TrainingConfig applySpikeMaker(TrainingConfig c, SpikeMaker maker, bool fixed) {
  auto sgdMomentum = [&](double lr) {
    c.optimizer = OptimizerKind::Momentum;
    c.optimizerConfig = defaultOptimizerConfig(OptimizerKind::Momentum);
    c.optimizerConfig.lr = lr;
  };
  switch (maker) {
  case SpikeMaker::None: break;
  case SpikeMaker::HighLearningRate: sgdMomentum(fixed ? 0.05 : 1.0); break;
  case SpikeMaker::CorruptedLabels:
    c.optimizer = OptimizerKind::SGD;
    c.optimizerConfig = defaultOptimizerConfig(OptimizerKind::SGD);
    c.optimizerConfig.lr = 0.3;
    c.corruptAt = 150;
    c.corruptSteps = 10;
    c.clipNorm = fixed ? 0.25 : 0.0;
    break;
  case SpikeMaker::AdamNoWarmup:
    c.optimizer = OptimizerKind::Adam;
    c.optimizerConfig = defaultOptimizerConfig(OptimizerKind::Adam);
    c.optimizerConfig.lr = 0.1;
    c.schedule.warmupSteps = fixed ? 100 : 0;
    break;
  case SpikeMaker::TinyBatch: c.batchSize = fixed ? 64 : 1; break;
  }
  return c;
}

// ---- Evaluation
// ------------------------------------------------------------------------------------

Evaluation evaluate(const Network& network, const Tensor& x, const std::vector<int>& y) {
  Evaluation e;
  const Index n = x.dim(0);
  if (n == 0) return e;
  std::vector<Index> index(static_cast<size_t>(n));
  for (Index i = 0; i < n; ++i) index[static_cast<size_t>(i)] = i;
  double lossSum = 0;
  Index correct = 0;
  for (Index begin = 0; begin < n; begin += kEvaluationBatch) {
    const Index end = std::min(n, begin + kEvaluationBatch);
    const Tensor logits = network.infer(gatherBatch(x, index, begin, end));
    const std::vector<int> labels(y.begin() + begin, y.begin() + end);
    const CrossEntropy ce = softmaxCrossEntropy(logits, labels, /*withGradient=*/false);
    lossSum += ce.loss * static_cast<double>(end - begin);
    correct += ce.correct;
    const Index classes = logits.dim(1);
    for (Index i = 0; i < end - begin; ++i) {
      const float* z = logits.data() + i * classes;
      e.predictions.push_back(static_cast<int>(std::max_element(z, z + classes) - z));
    }
  }
  e.loss = lossSum / static_cast<double>(n);
  e.accuracy = static_cast<double>(correct) / static_cast<double>(n);
  return e;
}

// ---- TrainingRun
// -----------------------------------------------------------------------------------

Result<std::unique_ptr<TrainingRun>> TrainingRun::create(const TrainingConfig& config) {
  if (Result<DatasetLayout> layout = layoutFor(config); !layout) return layout.error();
  Result<Dataset> data = makeDataset(config.dataset, config.seed);
  if (!data) return Error{"dataset", data.error().message()};
  return create(config, std::make_shared<const Dataset>(std::move(data).value()));
}

Result<std::unique_ptr<TrainingRun>> TrainingRun::create(const TrainingConfig& config,
                                                         std::shared_ptr<const Dataset> dataset) {
  if (Status s = checkRun(config, layoutOf(*dataset)); !s) return s.error();
  // checkRun has seen every error the three calls below could give.
  Result<ModelSpec> spec = parseModelSpec(config.model);
  if (!spec) return spec.error();
  Result<Network> net = Network::build(*spec, dataset->sampleShape, dataset->classes, config.init,
                                       detail::deriveSeed(config.seed, kWeights));
  if (!net) return net.error();
  Result<ParameterOptimizer> optimizer =
      ParameterOptimizer::make(config.optimizer, config.optimizerConfig);
  if (!optimizer) return optimizer.error();

  std::unique_ptr<TrainingRun> run(new TrainingRun());
  run->config_ = config;
  run->dataset_ = std::move(dataset);
  run->network_ = std::move(net).value();
  run->optimizer_ = std::make_unique<ParameterOptimizer>(std::move(optimizer).value());
  const StepPlan plan = planSteps(config, run->dataset_->trainSize());
  run->stepsPerEpoch_ = plan.perEpoch;
  run->totalSteps_ = plan.total;

  TrainingHistory& h = run->history_;
  h.classes = run->dataset_->classes;
  h.chanceLoss = std::log(static_cast<double>(h.classes));
  const ScopedOmpThreads threads(config.threads);
  const Evaluation initial =
      evaluate(run->network_, run->dataset_->validationX, run->dataset_->validationY);
  h.initialLoss = initial.loss;
  h.initialAccuracy = initial.accuracy;
  h.steps.reserve(static_cast<size_t>(run->totalSteps_));
  return run;
}

bool TrainingRun::done() const {
  return t_ >= totalSteps_ || history_.diverged;
}

void TrainingRun::startEpoch(int epoch) {
  // A fresh seeded permutation per epoch (Fisher–Yates on the raw mt19937 stream).
  const Index n = dataset_->trainSize();
  order_.resize(static_cast<size_t>(n));
  for (Index i = 0; i < n; ++i) order_[static_cast<size_t>(i)] = i;
  std::mt19937 rng(detail::deriveSeed(config_.seed, kShuffle, static_cast<std::uint64_t>(epoch)));
  for (size_t i = order_.size(); i > 1; --i)
    std::swap(order_[i - 1], order_[detail::uniformIndex(rng, static_cast<std::uint32_t>(i))]);
  epochLoss_ = epochAccuracy_ = 0;
}

const StepRecord& TrainingRun::step() {
  assert(!done());
  // The thread count is the calling thread's OpenMP setting: set for this step, then restored.
  const ScopedOmpThreads threads(config_.threads);
  return update();
}

const StepRecord& TrainingRun::update() {
  const int t = ++t_;
  const int inEpoch = (t - 1) % stepsPerEpoch_; // 0-based position in the epoch
  const int epoch = (t - 1) / stepsPerEpoch_ + 1;
  if (inEpoch == 0) startEpoch(epoch);

  const Index B = config_.batchSize;
  const Index begin = static_cast<Index>(inEpoch) * B;
  const Tensor x = gatherBatch(dataset_->trainX, order_, begin, begin + B);
  std::vector<int> y(static_cast<size_t>(B));
  for (Index i = 0; i < B; ++i)
    y[static_cast<size_t>(i)] =
        dataset_->trainY[static_cast<size_t>(order_[static_cast<size_t>(begin + i)])];

  StepRecord r;
  r.step = t;
  r.epoch = epoch;
  r.corrupted = config_.corruptAt > 0 && t >= config_.corruptAt &&
                t < config_.corruptAt + config_.corruptSteps;
  if (r.corrupted) {
    // Every label moved to a different class, uniformly: a burst of confidently wrong targets.
    std::mt19937 rng(detail::deriveSeed(config_.seed, kCorrupt, static_cast<std::uint64_t>(t)));
    const auto classes = static_cast<std::uint32_t>(dataset_->classes);
    for (int& label : y)
      label = static_cast<int>(
          (static_cast<std::uint32_t>(label) + 1 + detail::uniformIndex(rng, classes - 1)) %
          classes);
  }

  network_.setDropoutSeed(
      detail::deriveSeed(config_.seed, kDropout, static_cast<std::uint64_t>(t)));
  const Tensor logits = network_.forward(x, LayerMode::Training);
  const CrossEntropy ce = softmaxCrossEntropy(logits, y);
  network_.backward(ce.gradLogits);
  r.loss = ce.loss;
  r.accuracy = static_cast<double>(ce.correct) / static_cast<double>(B);

  // ‖g‖ over every parameter, summed serially in double (fixed order: deterministic).
  const std::vector<Parameter*> params = network_.parameters();
  double sumSq = 0;
  for (const Parameter* p : params)
    for (Index i = 0; i < p->grad.numel(); ++i)
      sumSq += double(p->grad.data()[i]) * p->grad.data()[i];
  r.gradNorm = std::sqrt(sumSq);
  if (config_.clipNorm > 0 && r.gradNorm > config_.clipNorm) {
    // clip_grad_norm_: clip_coef = max_norm / (total_norm + 1e-6), applied when below 1.
    const float scale = static_cast<float>(config_.clipNorm / (r.gradNorm + 1e-6));
    for (Parameter* p : params)
      for (Index i = 0; i < p->grad.numel(); ++i) p->grad.data()[i] *= scale;
    r.clipped = true;
  }
  r.lr = config_.schedule.learningRate(config_.optimizerConfig.lr, t, totalSteps_);
  optimizer_->step(params, r.lr);

  history_.diverged = !std::isfinite(r.loss) || !std::isfinite(r.gradNorm);
  history_.steps.push_back(r);
  epochLoss_ += r.loss;
  epochAccuracy_ += r.accuracy;
  const bool epochEnd = inEpoch == stepsPerEpoch_ - 1;
  if (epochEnd || (done() && !history_.diverged)) {
    const int steps = inEpoch + 1;
    const Evaluation v = evaluate(network_, dataset_->validationX, dataset_->validationY);
    history_.epochs.push_back(
        {epoch, t, epochLoss_ / steps, epochAccuracy_ / steps, v.loss, v.accuracy});
  }
  return history_.steps.back();
}

// ---- TrainingSession
// -----------------------------------------------------------------------------

std::string_view trainingStatusId(TrainingStatus status) {
  switch (status) {
  case TrainingStatus::Idle: return "idle";
  case TrainingStatus::Preparing: return "preparing";
  case TrainingStatus::Running: return "running";
  case TrainingStatus::Paused: return "paused";
  case TrainingStatus::Finished: return "finished";
  case TrainingStatus::Cancelled: return "cancelled";
  case TrainingStatus::Diverged: return "diverged";
  case TrainingStatus::Failed: return "failed";
  }
  return "idle";
}

TrainingSession::~TrainingSession() {
  cancel();
  if (worker_.joinable()) worker_.join();
}

Status TrainingSession::start(const TrainingConfig& config, StepCallback onStep) {
  Result<DatasetLayout> layout = layoutFor(config);
  if (!layout) return layout.error();
  if (Status s = checkRun(config, *layout); !s) return s;
  launch(config, nullptr, *layout, std::move(onStep));
  return Status::success();
}

Status TrainingSession::start(const TrainingConfig& config, std::shared_ptr<const Dataset> dataset,
                              StepCallback onStep) {
  assert(dataset && "start(config) generates the data set");
  const DatasetLayout layout = layoutOf(*dataset);
  if (Status s = checkRun(config, layout); !s) return s;
  launch(config, std::move(dataset), layout, std::move(onStep));
  return Status::success();
}

void TrainingSession::launch(const TrainingConfig& config, std::shared_ptr<const Dataset> dataset,
                             const DatasetLayout& layout, StepCallback onStep) {
  cancel();
  if (worker_.joinable())
    worker_.join(); // prompt: the end of a step, of a sample or of the
                    // initial evaluation
  run_.reset();
  cancel_ = false;
  paused_ = false;
  done_ = false;
  {
    // What is known before the worker prepares: the plan and ln C (the lab draws them at once).
    std::lock_guard lock(mutex_);
    status_ = TrainingStatus::Preparing;
    error_ = {};
    history_ = {};
    history_.classes = layout.classes;
    history_.chanceLoss = std::log(static_cast<double>(layout.classes));
    const StepPlan plan = planSteps(config, layout.trainSize);
    totalSteps_ = plan.total;
    totalEpochs_ = plan.epochs;
    model_.reset();
    modelStep_ = 0;
    dataset_ = dataset;
  }
  worker_ = std::thread([this, config, dataset = std::move(dataset), onStep = std::move(onStep)] {
    work(config, dataset, onStep);
  });
}

void TrainingSession::publishModel() {
  model_ = std::make_shared<const Network>(run_->network());
  modelStep_ = static_cast<int>(run_->history().steps.size());
}

void TrainingSession::work(const TrainingConfig& config, std::shared_ptr<const Dataset> dataset,
                           const StepCallback& onStep) {
  std::optional<Error> failure;
  // What is being made and the setting that sizes it, for an "out of memory" message.
  Error outOfMemory{"dataset", "out of memory while generating it (fewer samples need less)"};
  try {
    // Preparation: the data set (unless given), then the network and the initial validation
    // loss; cancel() is seen between samples of the data set and between the two.
    if (!dataset && !cancel_) {
      Result<Dataset> data = makeDataset(config.dataset, config.seed, &cancel_);
      if (data)
        dataset = std::make_shared<const Dataset>(std::move(data).value());
      else if (!cancel_)
        failure = Error{"dataset", data.error().message()};
    }
    outOfMemory = {"model", "out of memory while building or evaluating it (a smaller one needs "
                            "less)"};
    if (dataset && !cancel_) {
      Result<std::unique_ptr<TrainingRun>> run = TrainingRun::create(config, dataset);
      if (!run) {
        failure = run.error();
      } else {
        run_ = std::move(run).value();
        std::lock_guard lock(mutex_);
        status_ = TrainingStatus::Running;
        history_ = run_->history(); // initial loss, classes, chance loss; no steps yet
        dataset_ = run_->sharedDataset();
        publishModel();
      }
    }
    outOfMemory = {"batch", "out of memory during a step (a smaller batch or model needs less)"};
    if (run_) {
      train(onStep);
      std::lock_guard lock(mutex_);
      publishModel(); // the final weights
    }
  } catch (const std::bad_alloc&) {
    // The engine does not throw; allocation does (a data set of a million images, say).
    failure = outOfMemory;
  } catch (const std::exception& e) { // from onStep
    failure = Error{"", e.what()};
  }
  std::lock_guard lock(mutex_);
  if (failure) {
    status_ = TrainingStatus::Failed;
    error_ = *failure;
  } else {
    status_ = cancel_                            ? TrainingStatus::Cancelled
              : run_ && run_->history().diverged ? TrainingStatus::Diverged
                                                 : TrainingStatus::Finished;
  }
  done_ = true;
  resumed_.notify_all();
}

void TrainingSession::train(const StepCallback& onStep) {
  using Clock = std::chrono::steady_clock;
  auto lastPublish = Clock::now();
  while (!run_->done() && !cancel_) {
    if (paused_) {
      std::unique_lock lock(mutex_);
      status_ = TrainingStatus::Paused;
      resumed_.wait(lock, [this] { return !paused_ || cancel_; });
      status_ = TrainingStatus::Running;
      continue;
    }
    const size_t epochsBefore = run_->history().epochs.size();
    const StepRecord& record = run_->step();
    const bool epochEnded = run_->history().epochs.size() > epochsBefore;
    {
      std::lock_guard lock(mutex_);
      history_.steps.push_back(record);
      if (epochEnded) history_.epochs.push_back(run_->history().epochs.back());
      history_.diverged = run_->history().diverged;
      if (epochEnded || Clock::now() - lastPublish > std::chrono::milliseconds(100)) {
        publishModel();
        lastPublish = Clock::now();
      }
    }
    if (onStep) onStep(record);
  }
}

void TrainingSession::pause() {
  if (!done_) paused_ = true;
}

void TrainingSession::resume() {
  std::lock_guard lock(mutex_);
  paused_ = false;
  resumed_.notify_all();
}

void TrainingSession::cancel() {
  std::lock_guard lock(mutex_);
  cancel_ = true;
  resumed_.notify_all();
}

bool TrainingSession::finished() const {
  return done_;
}

void TrainingSession::wait() {
  if (worker_.joinable()) worker_.join();
}

TrainingSnapshot TrainingSession::snapshot(size_t seenSteps, size_t seenEpochs) const {
  std::lock_guard lock(mutex_);
  TrainingSnapshot s;
  s.status = status_;
  s.error = error_;
  s.step = static_cast<int>(history_.steps.size());
  s.totalSteps = totalSteps_;
  s.epoch = static_cast<int>(history_.epochs.size());
  s.totalEpochs = totalEpochs_;
  s.stepCount = history_.steps.size();
  s.epochCount = history_.epochs.size();
  s.firstStep = std::min(seenSteps, s.stepCount);
  s.firstEpoch = std::min(seenEpochs, s.epochCount);
  s.steps.assign(history_.steps.begin() + static_cast<std::ptrdiff_t>(s.firstStep),
                 history_.steps.end());
  s.epochs.assign(history_.epochs.begin() + static_cast<std::ptrdiff_t>(s.firstEpoch),
                  history_.epochs.end());
  s.classes = history_.classes;
  s.chanceLoss = history_.chanceLoss;
  s.initialLoss = history_.initialLoss;
  s.initialAccuracy = history_.initialAccuracy;
  s.model = model_;
  s.modelStep = modelStep_;
  s.dataset = dataset_;
  return s;
}

} // namespace nnlab
