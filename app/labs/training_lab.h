// training_lab.h: real small networks trained live on the engine's worker thread (training.h),
// with the curves students learn to debug from: training loss per step (raw and smoothed),
// validation loss and accuracy per epoch, the learning rate on the same step axis, the gradient
// norm, the chance loss ln C; the decision boundary of 2-D sets, misclassified images and the
// first layer's filters; up to six runs overlaid.
//
// Index
//   TrainingRunSettings, TrainingLabState   what a scene file stores (JSON below)
//   LossSmoother, smoothLosses()            TensorBoard's debiased exponential smoothing
//   RunCurves                               one run's records as the UI accumulated them
//   trainingLossFigure(), ...               the figures, pure functions of the curves
//   trainingHistoryCsv()                    step,loss,acc,lr,grad_norm of every kept run
//   trainToEnd()                            a whole run on the calling thread (export, tests)
//
// Scene "state":
//   { "title": "Step decay: the staircase", "note": "what to look at",
//     "settings": { "dataset": "spirals:noise=0.2", "model": "mlp", "optimizer": "sgd",
//                   "lr": 0.3, "beta": 0.9, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
//                   "weight_decay": 0.01, "schedule": "step:step_size=150,gamma=0.3",
//                   "warmup": 0, "batch": 32, "epochs": 30, "clip": 0, "corrupt_at": 0,
//                   "corrupt_steps": 10, "seed": 7 },
//     "runs": [ { "label": "no clipping" }, { "label": "clipped", "clip": 0.25 } ],
//     "autorun": true, "smoothing": 0.6, "show_raw": true, "boundary_run": -1 }
// Each entry of "runs" starts from "settings" and overrides the fields it names, so presets stay
// short; saving writes every field. "autorun": the runs train as soon as the scene is loaded.
//
// Screenshots and exports of scenes are deterministic: a run's numbers depend only on its
// settings (the engine is seeded and thread-count independent). In the window the runs train on
// a worker thread while frames keep coming; pressing Train costs the UI thread only the check of
// the settings: the data set, the network and the initial loss are made on the worker too (the
// runs list says "Preparing data…"; an error there is shown under the run). `--screenshot` and
// the gallery call Lab::finishBackgroundWork() before their last frame, which waits for the
// queued runs, so the picture shows them finished whatever --frames says; exportFigure() trains
// synchronously (trainToEnd) when the lab's runs have not finished.
#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "core/lab.h"
#include "nnlab/training.h"

namespace nnlab::app {

inline constexpr int kMaxTrainingRuns = 6;

// One run's settings: the engine's configuration and an optional legend name.
struct TrainingRunSettings {
  std::string label; // "clipped"; empty: the legend shows the settings alone
  TrainingConfig config;
};

// The controls' defaults: two spirals, the MLP preset, Adam η = 0.01, batch 32, 20 epochs.
TrainingRunSettings defaultTrainingRunSettings();

struct TrainingLabState {
  std::string title;                     // the preset's title; empty: "(custom)"
  std::string note;                      // the preset's one-paragraph explanation
  TrainingRunSettings settings;          // what Train starts
  std::vector<TrainingRunSettings> runs; // the kept runs (≤ kMaxTrainingRuns)
  bool autorun = false;                  // train `runs` as soon as the scene is loaded
  double smoothing = 0.6;                // TensorBoard's smoothing weight w in [0, 0.999]
  bool showRaw = true;                   // the raw per-step loss, faint, under the smoothed one
  int boundaryRun = -1;                  // whose decision boundary / filters: −1 = the latest
};

TrainingLabState defaultTrainingLabState();

// Scene "state" object and back; reading names the first bad field ("state.runs[1].lr") and
// changes `state` only when every field is good.
nlohmann::json trainingRunSettingsToJson(const TrainingRunSettings& settings);
nlohmann::json trainingLabStateToJson(const TrainingLabState& state);
Status trainingLabStateFromJson(const nlohmann::json& json, TrainingLabState& state);

// "SGD η=0.3 · step ×0.3 every 150 · mlp · clip 0.25": what distinguishes runs in a legend.
std::string runSettingsText(const TrainingConfig& config);
// The legend entry: "label: settings", or the settings alone.
std::string runLegend(const TrainingRunSettings& settings);

// TensorBoard's smoothing (tensorboard/plugins/scalar/vz_line_chart2/line-chart.ts): an
// exponential moving average started at 0 and debiased like Adam's moments:
//   last_t = w · last_{t−1} + (1 − w) · y_t,   last_0 = 0
//   smoothed_t = last_t / (1 − w^t)
// so the first smoothed value is y_1 itself, and w = 0 is no smoothing. A non-finite y passes
// through unsmoothed and does not enter the average (as in TensorBoard).
struct LossSmoother {
  double weight = 0.6;
  double last = 0;
  int count = 0; // finite values averaged so far (t above)
  double add(double y);
};
std::vector<double> smoothLosses(const std::vector<double>& values, double weight);

// One run as the UI accumulated it from TrainingSession snapshots (or from trainToEnd).
struct RunCurves {
  TrainingRunSettings settings;
  std::vector<StepRecord> steps;
  std::vector<EpochRecord> epochs;
  Index classes = 0;
  double chanceLoss = 0, initialLoss = 0;
  int totalSteps = 0;
  TrainingStatus status = TrainingStatus::Idle;
  int colorIndex = 0;           // its colour in every figure (seriesColor)
  std::vector<double> smoothed; // smoothLosses(losses, weight), extended as steps arrive
  LossSmoother smoother;
  bool shown = true;
};

// A whole run on the calling thread (for exports and tests). Errors name the setting.
Result<RunCurves> trainToEnd(const TrainingRunSettings& settings, double smoothing);

// Training loss per step (raw faint, smoothed solid), validation loss per epoch (dots at the
// epoch's last step, dashed), and the chance loss ln C (dashed grey, labelled).
plot::Figure trainingLossFigure(const std::vector<const RunCurves*>& runs, bool showRaw,
                                int stepAxisMax);
// The learning rate η_t per step, on the same step axis (same x range and y label width as the
// loss figure so that each decay sits under its drop).
plot::Figure learningRateFigure(const std::vector<const RunCurves*>& runs, int stepAxisMax);
// ‖∂L/∂θ‖ per step (log y), with clipped steps marked.
plot::Figure gradientNormFigure(const std::vector<const RunCurves*>& runs, int stepAxisMax);
// Validation (solid) and training (dashed) accuracy per epoch, and the chance accuracy 1/C.
plot::Figure accuracyFigure(const std::vector<const RunCurves*>& runs);
// The loss figure above the learning-rate figure, one column: what `nnlab export` writes.
plot::FigureGrid lossAndLearningRateGrid(const std::vector<const RunCurves*>& runs, bool showRaw);

// "run,settings,step,epoch,loss,acc,lr,grad_norm" then one row per step of every run.
std::string trainingHistoryCsv(const std::vector<const RunCurves*>& runs);

// Decision regions of a 2-D classifier over `box` (n × n cells, row 0 at y0): each cell in its
// predicted class's colour, paler where the softmax is less sure; plus the validation points.
plot::Figure decisionBoundaryFigure(const Network& network, const Dataset& dataset, int n,
                                    const std::string& title);
// Up to `count` of the first 160 validation images the network gets wrong, `cols` per row, each
// over its true class and "→ predicted": one mosaic heatmap (a grid of panels would spend most of
// a narrow column on each panel's margins).
plot::Figure misclassifiedFigure(const Network& network, const Dataset& dataset, int count,
                                 int cols);
// The first convolution's filters (channel 0), `cols` per row, one cell of white between them:
// one diverging heatmap, so one colour scale and one colorbar ("weight") for all of them.
plot::Figure firstLayerFilterFigure(const Network& network, int cols);

std::unique_ptr<Lab> createTrainingLab();

} // namespace nnlab::app
