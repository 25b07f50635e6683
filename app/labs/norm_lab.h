// norm_lab.h: batch, layer, instance and group normalization, forward and backward, with the
// batch-size and dropout panels of issue 5.
//
// Sections: state · computed results (one per panel, each cached on its part of the state) ·
// figures · the lab.
//
// The picture at the centre is the GroupNorm paper's figure, live: the input N×C×H×W is drawn as a
// row of N stacks of C channel slices, and every element is filled with the colour of the
// statistic (μ, σ²) it shares. Batch norm paints rows (one channel across the batch), layer norm
// columns (one sample), instance norm every slice differently, group norm blocks of C/G slices.
// Every number shown comes from the engine (nnlab/norm.h, nnlab/dropout.h); the lab only draws
// inputs, bins histograms and lays out.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/lab.h"
#include "nnlab/dropout.h"
#include "nnlab/norm.h"

namespace nnlab::app {

// ---- State -------------------------------------------------------------------------------------

constexpr int kNormMaxBatch = 8, kNormMaxChannels = 8, kNormMaxSpatial = 12;

enum class NormSource { Random, Edited };
enum class NormPanel { Grouping, Histograms, Backward, BatchSize, Dropout };

// The tensor, its normalization and the upstream gradient: what the grouping, histogram and
// backward panels show.
struct NormTensorState {
  NormKind kind = NormKind::Batch;
  int batch = 3, channels = 4, height = 2, width = 2; // N, C, H, W
  int groups = 2;                                     // G, group norm only; divides C
  double eps = 1e-5;
  double gamma = 1.0, beta = 0.0; // the same γ_c, β_c for every channel
  NormSource source = NormSource::Random;
  // Random source: x[n, c, h, w] = channelMean[c] + channelScale[c] · z, z ~ N(0, 1).
  std::array<double, kNormMaxChannels> channelMean{2.0, -1.0, 0.0, 4.0, 1.0, -3.0, 0.5, 2.5};
  std::array<double, kNormMaxChannels> channelScale{1.0, 0.5, 2.0, 1.5, 1.0, 0.5, 3.0, 1.0};
  int seed = 1;
  std::vector<double> values; // Edited source: N·C·H·W values, [N, C, H, W] row-major
  // Upstream gradient ∂L/∂y: random N(0, 1) from upstreamSeed, or edited (same layout as values).
  NormSource upstreamSource = NormSource::Random;
  int upstreamSeed = 7;
  std::vector<double> upstreamValues;

  bool operator==(const NormTensorState&) const = default;
};

// How noisy batch statistics are, and what batch norm's running statistics do.
struct NormBatchPanelState {
  int trainBatchSize = 16; // B of the simulated training run
  double momentum = 0.1;   // running-statistics update weight (PyTorch's default)
  bool operator==(const NormBatchPanelState&) const = default;
};

struct NormDropoutState {
  double keepProbability = 0.5; // p: the chance a unit survives
  DropoutForm form = DropoutForm::Inverted;
  int seed = 3;
  bool operator==(const NormDropoutState&) const = default;
};

struct NormLabState {
  NormTensorState tensor;
  NormBatchPanelState batchPanel;
  NormDropoutState dropout;
  NormPanel panel = NormPanel::Grouping; // the tab shown
  bool operator==(const NormLabState&) const = default;
};

// ---- Computed results --------------------------------------------------------------------------

// The input tensor [N, C, H, W] of the state (random draw or the edited values).
Tensor normLabInput(const NormTensorState& state);
// The upstream gradient ∂L/∂y, the input's shape.
Tensor normLabUpstream(const NormTensorState& state);

// One gradient of the backward pass next to its central finite difference of
// L = Σ ∂L/∂y · y, computed through normForward with one entry moved by ±h.
struct GradientCheck {
  std::string name;        // "∂L/∂x"
  Tensor analytic;         // normBackward's tensor
  Tensor finiteDifference; // same shape; entries not checked are NaN
  Index checked = 0;       // entries with a finite difference (large tensors: a sample)
  double maxAbsAnalytic = 0, maxAbsDifference = 0; // over the checked entries
  bool agrees() const { return maxAbsDifference <= 2e-2 * std::max(1.0, maxAbsAnalytic); }
};

struct NormLabForward {
  Status status; // the engine's complaint (e.g. G not dividing C); nothing else is set then
  Tensor input, upstream;
  NormForward forward;
  NormBackward backward;
  // ∂L/∂x̂, ∂L/∂σ², ∂L/∂μ, ∂L/∂x, ∂L/∂γ, ∂L/∂β, in the order of the chain rule.
  std::array<GradientCheck, 6> checks;
};
NormLabForward computeNormForward(const NormTensorState& state);

// Noise of μ_B for batch sizes 1..256 from channel 0's distribution, and a training run of batch
// norm with running statistics followed by evaluation.
struct NormBatchNoise {
  Status status;
  std::vector<int> batchSizes;             // 1, 2, 4, ..., 256
  std::vector<std::vector<double>> means;  // μ_B of each batch, per batch size
  std::vector<double> meanOfMeans, spread; // mean and standard deviation of μ_B, per batch size
  double populationMean = 0, populationScale = 1;
  std::vector<double> stepBatchMean, stepRunningMean, stepRunningVar; // per training step
  double testValue = 0;                      // one test sample x: population mean + one scale
  double evalOutput = 0;                     // its normalized value in evaluation mode
  std::vector<double> trainOutputs;          // its value in training mode, in 3 different batches
  double batchOfOneOutput = 0;               // training mode, batch of 1: always 0
};
NormBatchNoise computeNormBatchNoise(double populationMean, double populationScale, double eps,
                                     const NormBatchPanelState& state);

// Dropout on a few activations taken from the input tensor.
struct NormDropoutResult {
  Status status;
  std::vector<double> activation, mask;
  std::vector<double> trainStandard, trainInverted, testStandard, testInverted;
  std::vector<double> expectedTrain, expectedTest; // for the chosen form (engine)
  std::vector<double> averageTrain;                // mean of the chosen form over many masks
  int averagedPasses = 0;
};
NormDropoutResult computeNormDropout(const Tensor& input, const NormDropoutState& state);

// ---- Figures -----------------------------------------------------------------------------------

// The grouping picture as a Figure (heatmap of the statistic index with the values written in,
// white lines between slices): what exportFigure returns.
plot::Figure normGroupingFigure(const NormLabForward& result);
// A histogram (stairs) of a tensor's values.
plot::Figure normHistogramFigure(const Tensor& values, const std::string& title, const std::string& xLabel,
                                 plot::Color color);

// The fill colour of statistic k in the tensor view: one of ten colours, neighbours differ.
plot::Color normStatisticColor(Index statistic);

// "batch", "layer", ...; the words scene files use for the enums.
const char* normSourceId(NormSource source);
const char* normPanelId(NormPanel panel);

std::unique_ptr<Lab> createNormLab();

} // namespace nnlab::app
