// training.h: the training loop of the training lab and of `nnlab train`.
//
// Sections: configuration · spike makers · records · TrainingRun (synchronous, one step at a
// time) · TrainingSession (a run prepared and trained on a worker thread with pause / resume /
// cancel).
//
// One step t = 1, 2, ... (PyTorch's order):
//   batch      B samples of the epoch's seeded permutation (the last partial batch is dropped, so
//              every logged loss averages exactly B samples); labels corrupted if t is in the burst
//   forward    logits = net(x) in training mode;  L = mean cross-entropy (log-sum-exp)
//   backward   ∂L/∂θ for every parameter;  ‖g‖ = √(Σ g²) over all of them (the logged grad norm)
//   clip       if clipNorm > 0 and ‖g‖ > clipNorm: g ← g · clipNorm / (‖g‖ + 1e-6)
//              (torch.nn.utils.clip_grad_norm_)
//   update     η_t = schedule(η₀, t) (warmup included), θ ← optimizer(θ, g, η_t)
// and after the last step of every epoch, the loss and accuracy on the validation set in
// evaluation mode (BatchNorm's running statistics, no dropout).
//
// Deterministic: the same configuration and seed give the same numbers, bit for bit, whatever the
// number of OpenMP threads (the layers reduce in a fixed order, see layers.h; sums here run
// serially in double). Every random stream — data, weights, shuffling, dropout, corrupted labels —
// is derived from `seed`.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "nnlab/datasets.h"
#include "nnlab/layers.h"
#include "nnlab/network.h"
#include "nnlab/optim.h"
#include "nnlab/param_optim.h"
#include "nnlab/schedules.h"
#include "nnlab/status.h"

namespace nnlab {

// ---- Configuration
// ---------------------------------------------------------------------------------

struct TrainingConfig {
  DatasetOptions dataset;    // parseDatasetSpec("spirals:noise=0.2")
  std::string model = "mlp"; // a preset or a layer list (network.h)
  InitScheme init = InitScheme::Auto;
  OptimizerKind optimizer = OptimizerKind::Adam;
  OptimizerConfig optimizerConfig = defaultOptimizerConfig(OptimizerKind::Adam); // lr = η₀
  Schedule schedule; // its warmupSteps is the linear warmup (schedules.h)
  Index batchSize = 32;
  int epochs = 10;
  int maxSteps = 0;      // > 0: stop after this many steps even mid-epoch
  double clipNorm = 0;   // > 0: clip the global gradient norm to this value
  int corruptAt = 0;     // > 0: steps [corruptAt, corruptAt + corruptSteps) train on
  int corruptSteps = 10; //      labels replaced by random wrong ones (a label burst)
  std::uint32_t seed = 0;
  int threads = 0; // OpenMP threads for the steps and validation passes; 0 = OpenMP's default. The
                   // numbers do not depend on it (see above): 1 keeps a loaded machine (or the
                   // GUI's core) responsive.
};

// Checks what can be checked without building (batch ≥ 1, epochs ≥ 1, clip ≥ 0, optimizer
// hyper-parameters); Error::where is the CLI flag's name without dashes ("batch", "clip", "lr").
Status validateTrainingConfig(const TrainingConfig& config);

// ---- Spike makers
// -------------------------------------------------------------------------------------- Failures
// an instructor switches on, each with the fix a student should find. applySpikeMaker changes only
// the settings named here and keeps the rest of `base` (data, model, seed, epochs).
//   high-lr          SGD at η₀ = 1.0 (momentum 0.9): the loss jumps above its start
//                    fix: η₀ = 0.05
//   corrupt          a burst of 10 steps of wrong labels at step 150, SGD η₀ = 0.3: the clean
//                    loss after the burst is many times the loss before it
//                    fix: clip the gradient norm at 0.25
//   adam-no-warmup   Adam at η₀ = 0.1 from step 1: the first steps overshoot far above ln C
//                    fix: 100 steps of linear warmup
// (Tuned on "moons" with the "mlp" preset and seed 7, see tests/engine/training_test.cpp; the
// effects are the same in kind on the other 2-D sets.)
//   tiny-batch       batch 1: every step follows one sample, the curve is noise
//                    fix: batch 64
enum class SpikeMaker { None, HighLearningRate, CorruptedLabels, AdamNoWarmup, TinyBatch };

std::string_view spikeMakerId(SpikeMaker maker); // "none", "high-lr", "corrupt", ...
Result<SpikeMaker> parseSpikeMaker(std::string_view id);
// "SGD at η₀ = 1.0" / "η₀ = 0.05": what the maker and its fix change, for legends.
std::string spikeMakerDescription(SpikeMaker maker, bool fixed);
TrainingConfig applySpikeMaker(TrainingConfig base, SpikeMaker maker, bool fixed);

// ---- Records
// -------------------------------------------------------------------------------------------

struct StepRecord {
  int step = 0;           // t, from 1
  int epoch = 0;          // from 1
  double loss = 0;        // mean cross-entropy of the batch, before the update
  double accuracy = 0;    // fraction of the batch classified right, before the update
  double lr = 0;          // η_t used by the update
  double gradNorm = 0;    // ‖∂L/∂θ‖ before clipping
  bool clipped = false;   // the update used the clipped gradient
  bool corrupted = false; // the batch's labels were corrupted (spike maker)
};

struct EpochRecord {
  int epoch = 0;        // from 1
  int step = 0;         // the last step of the epoch
  double trainLoss = 0; // mean of the epoch's step losses
  double trainAccuracy = 0;
  double validationLoss = 0; // whole validation set, evaluation mode
  double validationAccuracy = 0;
};

struct TrainingHistory {
  std::vector<StepRecord> steps;
  std::vector<EpochRecord> epochs;
  Index classes = 0;
  double chanceLoss = 0;  // ln C: the loss of predicting 1/C for every class
  double initialLoss = 0; // validation loss before the first update
  double initialAccuracy = 0;
  bool diverged = false; // a loss became NaN or infinite; the run stopped there
};

// Loss, accuracy and predictions of a network on labelled samples, evaluation mode.
struct Evaluation {
  double loss = 0;
  double accuracy = 0;
  std::vector<int> predictions;
};
Evaluation evaluate(const Network& network, const Tensor& x, const std::vector<int>& y);

// ---- TrainingRun
// -----------------------------------------------------------------------------------------

class TrainingRun {
public:
  // Generates the data set, builds the network and optimizer and evaluates the initial validation
  // loss (the heavy part of a start). Errors name the setting: "dataset", "model" (with the token
  // or layer), "batch", "lr", ...
  static Result<std::unique_ptr<TrainingRun>> create(const TrainingConfig& config);
  // The same with a data set the caller already has (the lab's thumbnails).
  static Result<std::unique_ptr<TrainingRun>> create(const TrainingConfig& config,
                                                     std::shared_ptr<const Dataset> dataset);

  bool done() const;
  // One update; at the end of an epoch also the validation pass (history().epochs grows).
  const StepRecord& step();

  const TrainingConfig& config() const { return config_; }
  const TrainingHistory& history() const { return history_; }
  const Network& network() const { return network_; }
  const Dataset& dataset() const { return *dataset_; }
  std::shared_ptr<const Dataset> sharedDataset() const { return dataset_; }
  int stepsPerEpoch() const { return stepsPerEpoch_; }
  int totalSteps() const { return totalSteps_; }

private:
  TrainingRun() = default;
  void startEpoch(int epoch);
  const StepRecord& update();

  TrainingConfig config_;
  std::shared_ptr<const Dataset> dataset_;
  Network network_;
  std::unique_ptr<ParameterOptimizer> optimizer_;
  TrainingHistory history_;
  int stepsPerEpoch_ = 0, totalSteps_ = 0, t_ = 0;
  std::vector<Index> order_; // this epoch's permutation of the training set
  double epochLoss_ = 0, epochAccuracy_ = 0;
};

// ---- TrainingSession
// --------------------------------------------------------------------------------------- A
// TrainingRun on a worker thread. The GUI thread polls snapshot() every frame; it never waits for a
// step: the worker appends each step's record under a mutex held for a push_back, and snapshot()
// copies only what the caller has not seen yet.
//
// start() never waits for the heavy part either. On the calling thread it checks what
// TrainingRun::create would refuse, from the settings and the data set's layout alone
// (datasetLayout, Network::outputShapes: nothing generated, built or evaluated), so a bad setting
// is an Error right there, named as create() names it. The worker then prepares the run (status
// Preparing: generates the data set, builds the network, evaluates the initial validation loss)
// and trains it. What could still go wrong there (out of memory, an exception from onStep) ends
// the session in status Failed with snapshot().error.
//
//   TrainingSession session;
//   if (Status s = session.start(config); !s) show(s.error());   // returns in microseconds
//   ... every frame:  TrainingSnapshot snap = session.snapshot(seenSteps, seenEpochs);
//                     if (snap.status == TrainingStatus::Preparing) show("Preparing data…");
//                     if (snap.status == TrainingStatus::Failed) show(snap.error.message());
//                     append snap.steps, snap.epochs; seenSteps = snap.stepCount; ...
//   session.pause(); session.resume(); session.cancel();

enum class TrainingStatus {
  Idle,      // never started (a start() that returns an Error changes nothing)
  Preparing, // the worker makes the data set, the network and the initial loss
  Running,
  Paused,
  Finished,
  Cancelled,
  Diverged, // a loss became NaN or infinite; the run stopped there
  Failed    // the worker could not go on: snapshot().error says why
};
std::string_view trainingStatusId(TrainingStatus status); // "idle", "preparing", "running", ...

struct TrainingSnapshot {
  TrainingStatus status = TrainingStatus::Idle;
  Error error;                          // Failed: why (error.where names the setting, if one)
  int step = 0, totalSteps = 0;         // steps done / planned (known from Preparing on)
  int epoch = 0, totalEpochs = 0;       // epochs completed / planned
  size_t stepCount = 0, epochCount = 0; // records so far (pass back as seenSteps / seenEpochs)
  size_t firstStep = 0, firstEpoch = 0; // index of steps[0] / epochs[0] in the whole history
  std::vector<StepRecord> steps;        // records from firstStep on
  std::vector<EpochRecord> epochs;
  Index classes = 0; // classes and ln C: from Preparing on
  double chanceLoss = 0, initialLoss = 0, initialAccuracy = 0; // initial*: once prepared
  std::shared_ptr<const Network> model;   // a copy of the network at step modelStep (refreshed at
  int modelStep = 0;                      // most every 100 ms and at each epoch's end); null while
                                          // preparing
  std::shared_ptr<const Dataset> dataset; // null while the worker generates it
};

class TrainingSession {
public:
  // Called on the worker thread after every step (keep it short; it delays the next step).
  using StepCallback = std::function<void(const StepRecord&)>;

  TrainingSession() = default;
  ~TrainingSession(); // cancels and joins
  TrainingSession(const TrainingSession&) = delete;
  TrainingSession& operator=(const TrainingSession&) = delete;

  // Checks the settings here (a bad one is an Error naming it, as TrainingRun::create names it),
  // then prepares and trains on a worker thread (see above). Starting again cancels and replaces
  // a previous run. The second form trains on a data set the caller already has.
  Status start(const TrainingConfig& config, StepCallback onStep = {});
  Status start(const TrainingConfig& config, std::shared_ptr<const Dataset> dataset,
               StepCallback onStep = {});
  void pause();
  void resume();
  void cancel();         // returns at once; the worker stops after its current step (while
                         // preparing: its current sample of the data set, or the initial loss)
  bool finished() const; // the worker is done (finished, cancelled, diverged, failed) or idle
  void wait();           // blocks until finished()

  TrainingSnapshot snapshot(size_t seenSteps = 0, size_t seenEpochs = 0) const;

private:
  void launch(const TrainingConfig& config, std::shared_ptr<const Dataset> dataset,
              const DatasetLayout& layout, StepCallback onStep);
  void work(const TrainingConfig& config, std::shared_ptr<const Dataset> dataset,
            const StepCallback& onStep);
  void train(const StepCallback& onStep); // the step loop, once run_ is prepared
  void publishModel();                    // under mutex_

  std::unique_ptr<TrainingRun> run_; // made and touched by the worker only while it runs
  std::thread worker_;
  std::atomic<bool> cancel_{false}, paused_{false}, done_{true};

  mutable std::mutex mutex_; // guards everything below
  std::condition_variable resumed_;
  TrainingStatus status_ = TrainingStatus::Idle;
  Error error_;             // status_ Failed: why
  TrainingHistory history_; // the worker's copy, appended step by step
  int totalSteps_ = 0, totalEpochs_ = 0;
  std::shared_ptr<const Network> model_;
  int modelStep_ = 0;
  std::shared_ptr<const Dataset> dataset_;
};

} // namespace nnlab
