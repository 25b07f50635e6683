// Tests for training.h: the first logged loss sits at ln C with the standard initialisation,
// runs are reproducible (twice, and with 1 and 2 OpenMP threads, bit for bit), learning happens,
// the schedule, warmup and clipping do what they say, the session pauses, resumes and cancels, and
// every spike maker shows its spike while its fix removes it. The session's start() refuses on the
// calling thread exactly what TrainingRun::create refuses, prepares the run on its worker (and can
// be paused, cancelled, restarted or destroyed while it does), trains the same numbers bit for bit
// as a run stepped by hand, and ends Failed, not terminated, when something throws on the worker.
// No test bounds a wall-clock time.
#include "nnlab/training.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <thread>

#include <omp.h>

namespace nnlab {
namespace {

TrainingConfig configFor(const std::string& dataset, const std::string& model) {
  TrainingConfig c;
  Result<DatasetOptions> d = parseDatasetSpec(dataset);
  EXPECT_TRUE(d) << dataset;
  c.dataset = *d;
  c.model = model;
  c.seed = 7;
  return c;
}

TrainingHistory train(const TrainingConfig& config) {
  Result<std::unique_ptr<TrainingRun>> run = TrainingRun::create(config);
  EXPECT_TRUE(run) << run.error().message();
  while (!(*run)->done()) (*run)->step();
  return (*run)->history();
}

std::vector<double> losses(const TrainingHistory& h) {
  std::vector<double> l;
  for (const StepRecord& s : h.steps) l.push_back(s.loss);
  return l;
}

// Every field of every record, exactly.
void expectSameRecords(const std::vector<StepRecord>& a, const std::vector<StepRecord>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].step, b[i].step);
    EXPECT_EQ(a[i].epoch, b[i].epoch);
    EXPECT_EQ(a[i].loss, b[i].loss) << "step " << a[i].step;
    EXPECT_EQ(a[i].accuracy, b[i].accuracy) << "step " << a[i].step;
    EXPECT_EQ(a[i].lr, b[i].lr) << "step " << a[i].step;
    EXPECT_EQ(a[i].gradNorm, b[i].gradNorm) << "step " << a[i].step;
    EXPECT_EQ(a[i].clipped, b[i].clipped) << "step " << a[i].step;
    EXPECT_EQ(a[i].corrupted, b[i].corrupted) << "step " << a[i].step;
  }
}

void expectSameRecords(const std::vector<EpochRecord>& a, const std::vector<EpochRecord>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].epoch, b[i].epoch);
    EXPECT_EQ(a[i].step, b[i].step);
    EXPECT_EQ(a[i].trainLoss, b[i].trainLoss) << "epoch " << a[i].epoch;
    EXPECT_EQ(a[i].trainAccuracy, b[i].trainAccuracy) << "epoch " << a[i].epoch;
    EXPECT_EQ(a[i].validationLoss, b[i].validationLoss) << "epoch " << a[i].epoch;
    EXPECT_EQ(a[i].validationAccuracy, b[i].validationAccuracy) << "epoch " << a[i].epoch;
  }
}

double meanLoss(const TrainingHistory& h, int fromStep, int toStep) { // steps [from, to]
  double sum = 0;
  for (int t = fromStep; t <= toStep; ++t) sum += h.steps[static_cast<size_t>(t - 1)].loss;
  return sum / (toStep - fromStep + 1);
}

// ---- Loss at initialisation ---------------------------------------------------------------------

TEST(Training, FirstLossIsWithinTenPercentOfLnC) {
  // With small initial logits softmax predicts 1/C for every class: L = −ln(1/C) = ln C.
  struct Case {
    const char* dataset;
    const char* model;
    int classes;
  };
  for (const Case& c : {Case{"spirals", "mlp", 2}, Case{"blobs:classes=4", "mlp_bn", 4},
                        Case{"spirals:classes=5", "linear:32,tanh,linear", 5},
                        Case{"shapes:samples=400", "small_cnn", 10},
                        Case{"shapes:classes=6,samples=300,size=16", "small_cnn_bn", 6}}) {
    TrainingConfig config = configFor(c.dataset, c.model);
    config.maxSteps = 1;
    const TrainingHistory h = train(config);
    const double lnC = std::log(static_cast<double>(c.classes));
    EXPECT_DOUBLE_EQ(h.chanceLoss, lnC);
    EXPECT_NEAR(h.steps[0].loss, lnC, 0.1 * lnC) << c.dataset << " " << c.model;
    EXPECT_NEAR(h.initialLoss, lnC, 0.1 * lnC) << c.dataset << " " << c.model;
  }
}

// ---- Reproducibility
// -----------------------------------------------------------------------------

TEST(Training, SameConfigurationGivesTheSameNumbers) {
  TrainingConfig config = configFor("moons", "mlp_bn");
  config.model = "linear:32,bn,relu,dropout:0.2,linear";
  config.epochs = 2;
  const TrainingHistory a = train(config), b = train(config);
  EXPECT_EQ(losses(a), losses(b));
  ASSERT_EQ(a.epochs.size(), 2u);
  EXPECT_EQ(a.epochs[1].validationLoss, b.epochs[1].validationLoss);
  config.seed = 8;
  EXPECT_NE(losses(train(config)), losses(a));
}

TEST(Training, OneAndTwoThreadsGiveTheSameNumbers) {
  // Batch 32 CNN (several chunks per layer) and a tiny batch of 3; every loss bit for bit.
  for (Index batch : {32, 3}) {
    TrainingConfig config = configFor("shapes:samples=400,size=20", "small_cnn");
    config.batchSize = batch;
    config.maxSteps = 8;
    const int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    const TrainingHistory one = train(config);
    omp_set_num_threads(2);
    const TrainingHistory two = train(config);
    omp_set_num_threads(saved);
    EXPECT_EQ(losses(one), losses(two)) << "batch " << batch;
    EXPECT_EQ(one.steps.back().gradNorm, two.steps.back().gradNorm);
  }
}

// ---- Learning, schedules, clipping
// ---------------------------------------------------------------

TEST(Training, LearnsSpiralsAndShapes) {
  TrainingConfig spirals = configFor("spirals:noise=0.05,samples=2000", "mlp");
  spirals.optimizerConfig.lr = 0.01;
  spirals.epochs = 40;
  const TrainingHistory h = train(spirals);
  EXPECT_GT(h.epochs.back().validationAccuracy, 0.9);
  EXPECT_LT(h.epochs.back().validationLoss, 0.5 * h.initialLoss);

  TrainingConfig shapes = configFor("shapes", "small_cnn");
  shapes.optimizerConfig.lr = 0.01;
  shapes.epochs = 2;
  const TrainingHistory s = train(shapes);
  EXPECT_GT(s.epochs.back().validationAccuracy, 0.7);
}

TEST(Training, LoggedRateFollowsTheScheduleWithWarmup) {
  TrainingConfig c = configFor("xor", "mlp");
  c.optimizerConfig.lr = 0.1;
  c.optimizer = OptimizerKind::SGD;
  c.schedule = *parseSchedule("step:step_size=10,gamma=0.5");
  c.schedule.warmupSteps = 4;
  c.maxSteps = 30;
  const TrainingHistory h = train(c);
  // Warmup: η₀ t / W for t ≤ 4; then the step schedule from its own step 1 (t − 4).
  EXPECT_DOUBLE_EQ(h.steps[0].lr, 0.025);
  EXPECT_DOUBLE_EQ(h.steps[3].lr, 0.1);
  EXPECT_DOUBLE_EQ(h.steps[13].lr, 0.1);  // t = 14: k = 9
  EXPECT_DOUBLE_EQ(h.steps[14].lr, 0.05); // t = 15: k = 10, the first decay
}

TEST(Training, ClippingCapsTheUpdateNotTheLoggedNorm) {
  TrainingConfig c = configFor("spirals", "mlp");
  c.optimizer = OptimizerKind::SGD;
  c.optimizerConfig = defaultOptimizerConfig(OptimizerKind::SGD);
  c.optimizerConfig.lr = 0.5;
  c.clipNorm = 0.05;
  c.maxSteps = 20;
  const TrainingHistory h = train(c);
  int clipped = 0;
  for (const StepRecord& s : h.steps) {
    EXPECT_EQ(s.clipped, s.gradNorm > 0.05) << s.step;
    clipped += s.clipped;
  }
  EXPECT_GT(clipped, 10);
}

TEST(Training, BadSettingsAreNamedErrors) {
  TrainingConfig c = configFor("spirals", "mlp");
  c.batchSize = 0;
  EXPECT_EQ(TrainingRun::create(c).error().where, "batch");
  c.batchSize = 1;
  c.model = "mlp_bn";
  EXPECT_EQ(TrainingRun::create(c).error().where, "batch"); // BatchNorm needs 2 samples
  c.model = "small_cnn";
  EXPECT_EQ(TrainingRun::create(c).error().where, "model"); // a conv on 2-D points
  c.model = "mlp";
  c.clipNorm = -1;
  EXPECT_EQ(TrainingRun::create(c).error().where, "clip");
  c.clipNorm = 0;
  c.optimizerConfig.lr = -1;
  EXPECT_EQ(TrainingRun::create(c).error().where, "lr");
}

// ---- Session
// -------------------------------------------------------------------------------------

TEST(TrainingSession, RunsPausesResumesAndCancels) {
  TrainingConfig c = configFor("spirals", "mlp");
  c.epochs = 400; // 10 000 steps: long enough to catch it mid-run
  TrainingSession session;
  ASSERT_TRUE(session.start(c));
  EXPECT_FALSE(session.finished());
  while (session.snapshot().step < 50) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  session.pause();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const TrainingSnapshot paused = session.snapshot();
  EXPECT_EQ(paused.status, TrainingStatus::Paused);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(session.snapshot().step, paused.step); // nothing moves while paused
  ASSERT_TRUE(paused.model);                       // a copy the GUI can evaluate
  EXPECT_EQ(paused.model->infer(Tensor(Shape{4, 2})).shape(), (Shape{4, 2}));

  // Incremental snapshots: only what the caller has not seen.
  const TrainingSnapshot rest = session.snapshot(paused.stepCount - 5);
  EXPECT_EQ(rest.firstStep, paused.stepCount - 5);
  EXPECT_EQ(rest.steps.size(), 5u);
  EXPECT_EQ(rest.steps.back().step, paused.step);

  session.resume();
  while (session.snapshot().step < paused.step + 50)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  session.cancel();
  session.wait();
  EXPECT_TRUE(session.finished());
  const TrainingSnapshot end = session.snapshot();
  EXPECT_EQ(end.status, TrainingStatus::Cancelled);
  EXPECT_LT(end.step, end.totalSteps);
  // Steps are contiguous from 1.
  for (size_t i = 0; i < end.steps.size(); ++i) EXPECT_EQ(end.steps[i].step, int(i) + 1);
}

TEST(TrainingSession, FinishesWithTheSameHistoryAsASynchronousRun) {
  TrainingConfig c = configFor("moons", "mlp");
  c.epochs = 3;
  int callbacks = 0;
  TrainingSession session;
  ASSERT_TRUE(session.start(c, [&](const StepRecord&) { ++callbacks; }));
  session.wait();
  const TrainingSnapshot s = session.snapshot();
  EXPECT_EQ(s.status, TrainingStatus::Finished);
  EXPECT_EQ(callbacks, s.totalSteps);
  const TrainingHistory h = train(c);
  expectSameRecords(s.steps, h.steps);
  expectSameRecords(s.epochs, h.epochs);
  EXPECT_EQ(s.epochs.size(), 3u);
  EXPECT_EQ(s.modelStep, s.totalSteps);
}

// ---- Session: start() checks on the calling thread, the worker prepares
// ---------------------------------

TEST(TrainingSession, StartRefusesWhatCreateRefusesNamingTheSameSetting) {
  // Found from the settings and the data set's layout alone; no worker starts (the session stays
  // idle). The message is create()'s, word for word.
  struct Case {
    const char* dataset;
    const char* model;
    Index batch;
    double lr, clip;
    const char* where;
  };
  for (const Case& c : {
           Case{"spirals", "mlp", 0, 0.01, 0, "batch"}, Case{"spirals", "mlp", 32, -1, 0, "lr"},
           Case{"spirals", "mlp", 32, 0.01, -1, "clip"},
           Case{"spirals:classes=12", "mlp", 32, 0.01, 0, "dataset"},   // 2 to 8 arms
           Case{"shapes:size=64", "small_cnn", 32, 0.01, 0, "dataset"}, // 16 to 28 pixels
           Case{"spirals", "mlp,lnear", 32, 0.01, 0, "model"},          // no such layer
           Case{"spirals", "small_cnn", 32, 0.01, 0, "model"},          // a conv on 2-D points
           // a 32×32 pool on a 16×16 map: known from the layout's [1, 16, 16], not from pixels
           Case{"shapes:samples=400,size=16", "conv:8,maxpool:32,flatten,linear", 32, 0.01, 0,
                "model"},
           Case{"moons:samples=100", "mlp", 81, 0.01, 0, "batch"}, // 80 training samples
           Case{"moons", "mlp_bn", 1, 0.01, 0, "batch"},           // BatchNorm on one sample
       }) {
    TrainingConfig config = configFor(c.dataset, c.model);
    config.batchSize = c.batch;
    config.optimizerConfig.lr = c.lr;
    config.clipNorm = c.clip;
    Result<std::unique_ptr<TrainingRun>> created = TrainingRun::create(config);
    ASSERT_FALSE(created) << c.dataset << " " << c.model;
    TrainingSession session;
    const Status started = session.start(config);
    ASSERT_FALSE(started) << c.dataset << " " << c.model;
    EXPECT_EQ(started.error().where, c.where) << started.error().message();
    EXPECT_EQ(started.error().message(), created.error().message());
    EXPECT_TRUE(session.finished());
    EXPECT_EQ(session.snapshot().status, TrainingStatus::Idle);
  }
}

TEST(TrainingSession, PreparedOnTheWorkerTrainsBitForBitAsARunSteppedByHand) {
  // small_cnn_bn on 16×16 shapes with dropout and clipping: 400 samples, 320 train, 10 steps per
  // epoch, 2 epochs. The session generates the data, builds the network and evaluates the initial
  // loss on its worker; TrainingRun::create does the same here. Every number must agree exactly,
  // down to the final weights.
  TrainingConfig c =
      configFor("shapes:samples=400,size=16", "conv:8,bn,relu,maxpool,dropout:0.2,flatten,linear");
  c.epochs = 2;
  c.clipNorm = 1.0;
  c.threads = 1; // as the lab runs
  TrainingSession session;
  ASSERT_TRUE(session.start(c));
  session.wait();
  const TrainingSnapshot s = session.snapshot();
  ASSERT_EQ(s.status, TrainingStatus::Finished) << s.error.message();
  EXPECT_TRUE(s.error.what.empty());

  Result<std::unique_ptr<TrainingRun>> made = TrainingRun::create(c);
  ASSERT_TRUE(made) << made.error().message();
  TrainingRun& run = **made;
  while (!run.done()) run.step();
  const TrainingHistory& h = run.history();
  EXPECT_EQ(s.initialLoss, h.initialLoss);
  EXPECT_EQ(s.initialAccuracy, h.initialAccuracy);
  EXPECT_EQ(s.classes, h.classes);
  EXPECT_EQ(s.chanceLoss, h.chanceLoss);
  EXPECT_EQ(s.totalSteps, 20);
  EXPECT_EQ(s.totalEpochs, 2);
  expectSameRecords(s.steps, h.steps);
  expectSameRecords(s.epochs, h.epochs);
  ASSERT_TRUE(s.dataset);
  EXPECT_EQ(s.dataset->trainX.values(), run.dataset().trainX.values());
  EXPECT_EQ(s.dataset->validationY, run.dataset().validationY);
  ASSERT_TRUE(s.model);
  EXPECT_EQ(s.modelStep, 20);
  const std::vector<const Parameter*> trained = s.model->parameters(),
                                      byHand = run.network().parameters();
  ASSERT_EQ(trained.size(), byHand.size());
  for (size_t i = 0; i < trained.size(); ++i)
    EXPECT_EQ(trained[i]->value.values(), byHand[i]->value.values()) << "parameter " << i;
}

// 20 000 images of 28×28: seconds of drawing, so what the test does right after start() happens
// while the worker prepares.
TrainingConfig slowToPrepare() {
  return configFor("shapes:samples=20000", "small_cnn");
}

TEST(TrainingSession, CancelWhilePreparingEndsCancelledWithoutAStep) {
  TrainingSession session;
  ASSERT_TRUE(session.start(slowToPrepare()));
  const TrainingSnapshot preparing = session.snapshot();
  EXPECT_EQ(preparing.status, TrainingStatus::Preparing);
  EXPECT_EQ(trainingStatusId(preparing.status), "preparing");
  EXPECT_FALSE(session.finished());
  // Known before the data exist: the plan (16 000 training images / 32 = 500 steps per epoch, 10
  // epochs) and ln C. Not yet: the data, the model, the initial loss.
  EXPECT_EQ(preparing.totalSteps, 5000);
  EXPECT_EQ(preparing.totalEpochs, 10);
  EXPECT_EQ(preparing.classes, 10);
  EXPECT_DOUBLE_EQ(preparing.chanceLoss, std::log(10.0));
  EXPECT_FALSE(preparing.dataset);
  EXPECT_FALSE(preparing.model);

  session.cancel();
  session.wait();
  EXPECT_TRUE(session.finished());
  const TrainingSnapshot end = session.snapshot();
  EXPECT_EQ(end.status, TrainingStatus::Cancelled);
  EXPECT_TRUE(end.error.what.empty()) << end.error.message(); // cancelled is not failed
  EXPECT_EQ(end.step, 0);
  EXPECT_TRUE(end.steps.empty());
}

TEST(TrainingSession, DestroyedOrRestartedWhilePreparingJoinsAndTrainsTheNewRun) {
  {
    TrainingSession doomed;
    ASSERT_TRUE(doomed.start(slowToPrepare()));
  } // the destructor cancels the preparation and joins the worker

  TrainingConfig quick = configFor("moons", "mlp");
  quick.epochs = 2;
  TrainingSession session;
  ASSERT_TRUE(session.start(slowToPrepare()));
  ASSERT_TRUE(session.start(quick)); // cancels and joins the first preparation
  session.wait();
  const TrainingSnapshot s = session.snapshot();
  EXPECT_EQ(s.status, TrainingStatus::Finished);
  EXPECT_EQ(s.totalSteps, 50); // 800 training points / 32 = 25 steps, 2 epochs: the new run's
  const TrainingHistory h = train(quick);
  EXPECT_EQ(s.initialLoss, h.initialLoss);
  expectSameRecords(s.steps, h.steps);
}

TEST(TrainingSession, PauseWhilePreparingHoldsTheRunBeforeItsFirstStep) {
  // Slow enough to prepare (~0.3 s of drawing) that pause() always lands before the first
  // step even on a loaded machine, and only 5 steps after resume.
  TrainingConfig c = configFor("shapes:samples=4000,size=16", "small_cnn");
  c.maxSteps = 5;
  TrainingSession session;
  ASSERT_TRUE(session.start(c));
  session.pause(); // while the worker draws the images
  while (session.snapshot().status != TrainingStatus::Paused)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const TrainingSnapshot paused = session.snapshot();
  EXPECT_EQ(paused.step, 0);
  EXPECT_TRUE(paused.dataset); // prepared: data, model and initial loss are there
  EXPECT_TRUE(paused.model);
  EXPECT_NEAR(paused.initialLoss, std::log(10.0), 0.1 * std::log(10.0));
  session.resume();
  session.wait();
  const TrainingSnapshot end = session.snapshot();
  EXPECT_EQ(end.status, TrainingStatus::Finished);
  EXPECT_EQ(end.step, end.totalSteps);
}

TEST(TrainingSession, AnExceptionOnTheWorkerEndsFailedWithItsMessage) {
  // The engine returns its errors; what can still throw on the worker is an allocation (reported
  // as "out of memory", naming the data set or the model while preparing) or the caller's onStep.
  // Either ends the session Failed with the message instead of std::terminate.
  TrainingConfig c = configFor("moons", "mlp");
  TrainingSession session;
  ASSERT_TRUE(session.start(c, [](const StepRecord& r) {
    if (r.step == 3) throw std::runtime_error("plot buffer full at step 3");
  }));
  session.wait();
  EXPECT_TRUE(session.finished());
  const TrainingSnapshot s = session.snapshot();
  EXPECT_EQ(s.status, TrainingStatus::Failed);
  EXPECT_EQ(trainingStatusId(s.status), "failed");
  EXPECT_EQ(s.error.message(), "plot buffer full at step 3");
  EXPECT_EQ(s.step, 3); // the step that ran; the callback threw after it was recorded

  // The next start() begins clean.
  ASSERT_TRUE(session.start(c));
  session.wait();
  EXPECT_EQ(session.snapshot().status, TrainingStatus::Finished);
  EXPECT_TRUE(session.snapshot().error.what.empty());
}

// ---- Spike makers
// ----------------------------------------------------------------------------------

TrainingConfig spikeConfig(SpikeMaker maker, bool fixed) {
  TrainingConfig base = configFor("moons", "mlp");
  base.epochs = 10;
  return applySpikeMaker(base, maker, fixed);
}

double maxLoss(const TrainingHistory& h, int fromStep, int toStep) {
  double m = 0;
  for (int t = fromStep; t <= toStep && t <= int(h.steps.size()); ++t)
    m = std::max(m, h.steps[static_cast<size_t>(t - 1)].loss);
  return m;
}

TEST(SpikeMakers, TooHighARateSpikesAboveTheStartAndALowerRateDoesNot) {
  const TrainingHistory spike = train(spikeConfig(SpikeMaker::HighLearningRate, false));
  const TrainingHistory fixed = train(spikeConfig(SpikeMaker::HighLearningRate, true));
  const double start = spike.steps[0].loss;
  EXPECT_TRUE(spike.diverged || maxLoss(spike, 2, 250) > 1.5 * start) << maxLoss(spike, 2, 250);
  EXPECT_LT(maxLoss(fixed, 20, 250), start) << "the fixed run stays below its starting loss";
}

TEST(SpikeMakers, CorruptedBurstRaisesTheLossAndClippingDampsIt) {
  const TrainingHistory spike = train(spikeConfig(SpikeMaker::CorruptedLabels, false));
  const TrainingHistory fixed = train(spikeConfig(SpikeMaker::CorruptedLabels, true));
  // Clean steps after the burst (160..169) against the clean steps before it (140..149).
  const double before = meanLoss(spike, 140, 149), after = meanLoss(spike, 160, 169);
  EXPECT_GT(after, before * 1.5) << before << " -> " << after;
  const double fixedBefore = meanLoss(fixed, 140, 149), fixedAfter = meanLoss(fixed, 160, 169);
  EXPECT_LT(fixedAfter - fixedBefore, 0.5 * (after - before))
      << fixedBefore << " -> " << fixedAfter;
  for (const StepRecord& s : fixed.steps) EXPECT_EQ(s.clipped, s.gradNorm > 0.25);
  EXPECT_TRUE(spike.steps[149].corrupted);
  EXPECT_FALSE(spike.steps[148].corrupted);
}

TEST(SpikeMakers, AdamWithoutWarmupOvershootsAndWarmupDoesNot) {
  const TrainingHistory spike = train(spikeConfig(SpikeMaker::AdamNoWarmup, false));
  const TrainingHistory fixed = train(spikeConfig(SpikeMaker::AdamNoWarmup, true));
  const double start = spike.steps[0].loss;
  EXPECT_GT(maxLoss(spike, 2, 40), 1.2 * start);
  EXPECT_LT(maxLoss(fixed, 2, 40), 1.1 * start);
}

TEST(SpikeMakers, TinyBatchIsNoisyAndALargerBatchIsSmooth) {
  auto roughness = [](const TrainingHistory& h) { // mean |L_t − L_{t−1}| over the last 100 steps
    double sum = 0;
    for (size_t i = h.steps.size() - 100; i < h.steps.size(); ++i)
      sum += std::fabs(h.steps[i].loss - h.steps[i - 1].loss);
    return sum / 100;
  };
  TrainingConfig tiny = spikeConfig(SpikeMaker::TinyBatch, false);
  tiny.epochs = 1;
  const double noisy = roughness(train(tiny));
  const double smooth = roughness(train(spikeConfig(SpikeMaker::TinyBatch, true)));
  EXPECT_GT(noisy, 3 * smooth) << noisy << " vs " << smooth;
}

} // namespace
} // namespace nnlab
