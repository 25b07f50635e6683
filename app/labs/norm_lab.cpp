#include "labs/norm_lab.h"

#include <imgui.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <numbers>
#include <random>

#include "core/image_io.h"
#include "core/json_fields.h"
#include "core/paths.h"
#include "nnlab/activations.h"
#include "nnlab/conv.h"
#include "nnlab/filters.h"
#include "nnlab/pool.h"
#include "plot/colormap.h"
#include "plot/draw_figure.h"
#include "plot/plot_widget.h"

namespace nnlab::app {

// ---- Inputs ------------------------------------------------------------------------------------

namespace {

// N(0, 1) draws by Box–Muller on std::mt19937, whose sequence the standard fixes: a seed gives the
// same tensor with every standard library (std::normal_distribution does not promise that).
class NormalDraws {
public:
  explicit NormalDraws(std::uint32_t seed) : engine_(seed) {}
  double next() {
    if (hasSpare_) {
      hasSpare_ = false;
      return spare_;
    }
    const double u1 = (static_cast<double>(engine_()) + 1.0) / 4294967297.0; // (0, 1]
    const double u2 = static_cast<double>(engine_()) / 4294967296.0;
    const double radius = std::sqrt(-2.0 * std::log(u1));
    spare_ = radius * std::sin(2 * std::numbers::pi * u2);
    hasSpare_ = true;
    return radius * std::cos(2 * std::numbers::pi * u2);
  }

private:
  std::mt19937 engine_;
  double spare_ = 0;
  bool hasSpare_ = false;
};

Shape tensorShape(const NormTensorState& s) {
  return Shape{s.batch, s.channels, s.height, s.width};
}

Tensor fromValues(const Shape& shape, const std::vector<double>& values) {
  Tensor t(shape);
  for (Index i = 0; i < t.numel(); ++i)
    t.data()[i] = static_cast<float>(values[static_cast<size_t>(i)]);
  return t;
}

// L = Σ ∂L/∂y · y: the loss whose gradient the backward pass computes for a given upstream ∂L/∂y.
double dot(const Tensor& a, const Tensor& b) {
  double sum = 0;
  for (Index i = 0; i < a.numel(); ++i) sum += static_cast<double>(a.data()[i]) * b.data()[i];
  return sum;
}

// Finite differences per tensor: all entries when the loss is cheap, else as many as keep
// 2 · entries · (elements per loss evaluation) near kCheckBudget.
constexpr Index kMaxCheckedEntries = 64, kMinCheckedEntries = 12, kCheckBudget = 200000;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

} // namespace

// ---- The feature-map source --------------------------------------------------------------------

const std::array<const char*, kNormFeatureFilterCount>& normFeatureFilterIds() {
  static constexpr std::array<const char*, kNormFeatureFilterCount> kIds{
      "vertical_edge", "horizontal_edge", "laplacian8",    "gabor_45",
      "gaussian5",     "diagonal_main",   "diagonal_anti", "gabor_135"};
  return kIds;
}

const std::array<const char*, kNormFeatureFilterCount>& normFeatureFilterTitles() {
  static constexpr std::array<const char*, kNormFeatureFilterCount> kTitles{
      "vert. edge", "horiz. edge", "Laplacian",  "Gabor 45°",
      "blur",       "diag. edge",  "anti-diag.", "Gabor 135°"}; // short: they label tensor rows
  return kTitles;
}

NormFeatureMaps computeNormFeatureMaps(const Tensor& image, int batch, int channels, int height,
                                       int width) {
  NormFeatureMaps r;
  if (image.shape().rank() != 2 || image.numel() == 0) {
    r.status = Error{"image", "expected a grey image [H, W], got " + image.shape().toString()};
    return r;
  }
  // 1. Working size: average pooling by f so that the longest side is at most 128 pixels.
  constexpr Index kWorkingSize = 128;
  Tensor x = image.reshaped(Shape{1, 1, image.dim(0), image.dim(1)});
  const Index factor = (std::max(image.dim(0), image.dim(1)) + kWorkingSize - 1) / kWorkingSize;
  if (factor > 1) {
    PoolOptions shrink;
    shrink.kind = PoolKind::Average;
    shrink.kernel = {factor};
    Result<Tensor> pooled = pool(x, shrink);
    if (!pooled) {
      r.status = pooled.error();
      return r;
    }
    x = std::move(*pooled);
  }
  const Index rows = x.dim(2), cols = x.dim(3);
  // 3. (first, the geometry) Windows of (H·p) × (W·p), p as large as keeps a window within half
  // the image, so the N samples see different parts of it.
  const Index p = std::max<Index>(1, std::min(rows / (2 * height), cols / (2 * width)));
  if (height * p > rows || width * p > cols) {
    r.status = Error{"image", "too small (" + std::to_string(rows) + "×" + std::to_string(cols) +
                                  ") for samples of H × W = " + std::to_string(height) + "×" +
                                  std::to_string(width)};
    return r;
  }
  // 2. Channel c = ReLU(x ⋆ filter c).
  ConvOptions same;
  same.paddingRule = PaddingRule::Same;
  same.paddingMode = PaddingMode::Replicate;
  Tensor maps(Shape{1, channels, rows, cols});
  for (int c = 0; c < channels; ++c) {
    const char* id = normFeatureFilterIds()[size_t(c)];
    Result<Tensor> kernel = namedKernel(id);
    if (!kernel) {
      r.status = kernel.error();
      return r;
    }
    Result<Tensor> response =
        conv(x, kernel->reshaped(Shape{1, 1, kernel->dim(0), kernel->dim(1)}), Tensor{}, same);
    if (!response) {
      r.status = response.error();
      return r;
    }
    for (Index i = 0; i < rows * cols; ++i)
      maps.data()[c * rows * cols + i] =
          float(activate(Activation::ReLU, response->data()[i], 0.0));
    r.filterNames.push_back(normFeatureFilterTitles()[size_t(c)]);
  }
  // 3. Sample n: window n of a gridColumns-wide grid spread evenly over the maps, max-pooled by p
  // (as a CNN's pooling layer would; averaging would wash the sparse edge responses out).
  const int gridColumns = int(std::ceil(std::sqrt(double(batch)))),
            gridRows = (batch + gridColumns - 1) / gridColumns;
  auto spread = [](Index free, int i, int count) {
    return count > 1 ? free * i / (count - 1) : free / 2;
  };
  PoolOptions down;
  down.kind = PoolKind::Max;
  down.kernel = {p};
  r.maps = Tensor(Shape{batch, channels, height, width});
  for (int n = 0; n < batch; ++n) {
    const Index top = spread(rows - height * p, n / gridColumns, gridRows);
    const Index left = spread(cols - width * p, n % gridColumns, gridColumns);
    Tensor window(Shape{1, channels, height * p, width * p});
    for (int c = 0; c < channels; ++c)
      for (Index i = 0; i < height * p; ++i)
        for (Index j = 0; j < width * p; ++j) window(0, c, i, j) = maps(0, c, top + i, left + j);
    Result<Tensor> pooled = pool(window, down);
    if (!pooled) {
      r.status = pooled.error();
      r.maps = Tensor{};
      return r;
    }
    std::copy(pooled->values().begin(), pooled->values().end(),
              r.maps.values().begin() + Index(n) * channels * height * width);
  }
  return r;
}

bool NormFeatureMapCache::update(const LabShared* shared, const NormTensorState& state) {
  const bool sample = shared == nullptr || shared->convolutionImage.empty();
  const Key key{sample,       sample ? 0 : shared->convolutionImageVersion,
                state.batch,  state.channels,
                state.height, state.width};
  if (computed_ && key == key_) return false;
  computed_ = true;
  key_ = key;
  ++computations_;
  if (sample && sampleImage_.empty() && sampleStatus_.ok()) {
    const std::string path = assetPath("images/camera.png").string();
    Result<Image8> read = readImage(path, 1);
    if (!read) {
      sampleStatus_ = read.error();
    } else {
      sampleImage_ = Tensor(Shape{read->height, read->width});
      for (Index i = 0; i < sampleImage_.numel(); ++i)
        sampleImage_.data()[i] = read->pixels[size_t(i)] / 255.0f;
    }
  }
  if (sample && !sampleStatus_.ok()) {
    maps_ = NormFeatureMaps{};
    maps_.status = sampleStatus_;
    return true;
  }
  maps_ = computeNormFeatureMaps(sample ? sampleImage_ : shared->convolutionImage, state.batch,
                                 state.channels, state.height, state.width);
  maps_.imageName =
      sample ? "camera.png (the bundled sample: open the Feature maps lab to choose an image)"
             : shared->convolutionImageName;
  return true;
}

// ---- Inputs ------------------------------------------------------------------------------------

Tensor normLabInput(const NormTensorState& state, const NormFeatureMaps* features) {
  const Shape shape = tensorShape(state);
  if (state.source == NormSource::Edited &&
      static_cast<Index>(state.values.size()) == shape.numel())
    return fromValues(shape, state.values);
  if (state.source == NormSource::FeatureMaps && features != nullptr &&
      features->maps.shape() == shape)
    return features->maps;
  Tensor x(shape);
  NormalDraws draws(static_cast<std::uint32_t>(state.seed));
  for (Index i = 0; i < x.numel(); ++i) {
    const size_t c = static_cast<size_t>((i / (state.height * state.width)) % state.channels);
    x.data()[i] = static_cast<float>(state.channelMean[c] + state.channelScale[c] * draws.next());
  }
  return x;
}

Tensor normLabUpstream(const NormTensorState& state) {
  const Shape shape = tensorShape(state);
  if (state.upstreamSource == NormSource::Edited &&
      static_cast<Index>(state.upstreamValues.size()) == shape.numel())
    return fromValues(shape, state.upstreamValues);
  Tensor dy(shape);
  NormalDraws draws(static_cast<std::uint32_t>(state.upstreamSeed));
  for (Index i = 0; i < dy.numel(); ++i) dy.data()[i] = static_cast<float>(draws.next());
  return dy;
}

// ---- Forward, backward and the finite-difference check ------------------------------------------

namespace {

// Central difference of `loss` over the entries of `point` (a sample of them when large): entry i
// moves by ±step(i) (the minus side shortened to keep it ≥ floor(i), for variances).
// lossSize: elements one evaluation of `loss` normalizes (sets how many entries are affordable).
template <class Loss, class Step, class Floor>
void finiteDifferences(GradientCheck& check, Tensor point, Index lossSize, Loss loss, Step step,
                       Floor floor) {
  check.finiteDifference = Tensor(check.analytic.shape(), std::numeric_limits<float>::quiet_NaN());
  const Index count = point.numel();
  const Index affordable = std::clamp(kCheckBudget / (2 * std::max<Index>(lossSize, 1)),
                                      kMinCheckedEntries, kMaxCheckedEntries);
  const Index checked = std::min(count, affordable);
  for (Index j = 0; j < checked; ++j) {
    const Index i = checked == count ? j : j * count / checked;
    const float original = point.data()[i];
    const double h = step(i);
    const double hMinus = std::min(h, static_cast<double>(original) - floor(i));
    point.data()[i] = static_cast<float>(original + h);
    const double plus = loss(point);
    point.data()[i] = static_cast<float>(original - hMinus);
    const double minus = loss(point);
    point.data()[i] = original;
    const double fd = (plus - minus) / (h + hMinus);
    check.finiteDifference.data()[i] = static_cast<float>(fd);
    check.maxAbsAnalytic =
        std::max(check.maxAbsAnalytic, std::abs(double(check.analytic.data()[i])));
    check.maxAbsDifference =
        std::max(check.maxAbsDifference, std::abs(fd - check.analytic.data()[i]));
  }
  check.checked = checked;
}

} // namespace

namespace {
NormSpec normSpec(const NormTensorState& state) {
  NormSpec spec;
  spec.kind = state.kind;
  spec.groups = state.kind == NormKind::Group ? state.groups : 1;
  spec.eps = static_cast<float>(state.eps);
  return spec;
}
NormAffine normAffine(const NormTensorState& state) {
  return {Tensor(Shape{state.channels}, static_cast<float>(state.gamma)),
          Tensor(Shape{state.channels}, static_cast<float>(state.beta))};
}
} // namespace

NormLabForward computeNormForward(const NormTensorState& state, const NormFeatureMaps* features,
                                  bool withChecks) {
  NormLabForward r;
  if (state.source == NormSource::FeatureMaps) {
    if (features == nullptr || !features->status.ok() ||
        features->maps.shape() != tensorShape(state)) {
      r.status = features != nullptr && !features->status.ok()
                     ? features->status
                     : Status(Error{"feature maps", "not computed for this N × C × H × W yet"});
      return r;
    }
    r.channelNames = features->filterNames;
  }
  r.input = normLabInput(state, features);
  r.upstream = normLabUpstream(state);
  const NormSpec spec = normSpec(state);
  const NormAffine affine = normAffine(state);
  Result<NormForward> forward = normForward(r.input, spec, affine);
  if (!forward) {
    r.status = forward.error();
    return r;
  }
  r.forward = *forward;
  Result<NormBackward> backward = normBackward(r.upstream, r.input, r.forward, affine);
  if (!backward) {
    r.status = backward.error();
    return r;
  }
  r.backward = *backward;
  if (withChecks) computeNormGradientChecks(state, r);
  return r;
}

void computeNormGradientChecks(const NormTensorState& state, NormLabForward& r) {
  if (!r.status.ok() || r.input.empty()) return;
  const Index channels = state.channels;
  const NormSpec spec = normSpec(state);
  const NormAffine affine = normAffine(state);
  const NormLayout& layout = r.forward.layout;
  const Index size = r.input.numel();
  const Tensor& dy = r.upstream;
  auto statisticScale = [&](Index k) {
    return std::sqrt(double(r.forward.var.data()[k]) + state.eps);
  };
  auto noFloor = [](Index) { return -std::numeric_limits<double>::infinity(); };
  const std::array<const char*, 6> names{"∂L/∂x̂", "∂L/∂σ²", "∂L/∂μ", "∂L/∂x", "∂L/∂γ", "∂L/∂β"};
  const std::array<const Tensor*, 6> analytic{&r.backward.dNormalized, &r.backward.dVar,
                                              &r.backward.dMean,       &r.backward.dInput,
                                              &r.backward.dGamma,      &r.backward.dBeta};
  for (size_t i = 0; i < 6; ++i) {
    r.checks[i].name = names[i];
    r.checks[i].analytic = *analytic[i];
  }

  // ∂L/∂x̂: y = γ x̂ + β is batch norm in evaluation mode with running mean 0 and running
  // variance 1 − ε (so √(σ² + ε) = 1): the engine applies the affine to a perturbed x̂.
  {
    NormSpec identitySpec;
    identitySpec.eps = spec.eps;
    identitySpec.mode = NormMode::Evaluation;
    RunningStats identity{Tensor(Shape{channels}, 0.0f),
                          Tensor(Shape{channels}, float(1.0 - state.eps))};
    finiteDifferences(
        r.checks[0], r.forward.normalized, size,
        [&](const Tensor& xHat) {
          Result<NormForward> f = normForward(xHat, identitySpec, affine, &identity);
          return f ? dot(dy, f->output) : kNaN;
        },
        [](Index) { return 1e-2; }, noFloor);
  }
  // ∂L/∂σ² and ∂L/∂μ: the elements of statistic k gathered into column k of an [m, K] tensor, so
  // that batch norm in evaluation mode with running statistics (μ, σ²) is x̂ = (x − μ_k)/√(σ²_k + ε)
  // with μ and σ² free to move. L = Σ ∂L/∂x̂ · x̂ + const (because ∂L/∂x̂ = ∂L/∂y · γ).
  {
    const Index statistics = layout.statisticCount(), perStatistic = layout.elementsPerStatistic();
    Tensor gathered(Shape{perStatistic, statistics}), gatheredGrad(Shape{perStatistic, statistics});
    std::vector<Index> filled(static_cast<size_t>(statistics), 0);
    for (Index e = 0; e < r.input.numel(); ++e) {
      const Index k = layout.statisticIndexOfElement(e);
      const Index row = filled[static_cast<size_t>(k)]++;
      gathered(row, k) = r.input.data()[e];
      gatheredGrad(row, k) = r.backward.dNormalized.data()[e];
    }
    NormSpec evalSpec;
    evalSpec.eps = spec.eps;
    evalSpec.mode = NormMode::Evaluation;
    const Tensor mean = r.forward.mean.reshaped(Shape{statistics});
    const Tensor var = r.forward.var.reshaped(Shape{statistics});
    auto lossWith = [&](const Tensor& m, const Tensor& v) {
      RunningStats stats{m, v};
      Result<NormForward> f = normForward(gathered, evalSpec, {}, &stats);
      return f ? dot(gatheredGrad, f->normalized) : kNaN;
    };
    GradientCheck& dVar = r.checks[1];
    finiteDifferences(
        dVar, var, size, [&](const Tensor& v) { return lossWith(mean, v); },
        [&](Index k) { return 1e-2 * (double(var.data()[k]) + state.eps); },
        [](Index) { return 0.0; });
    finiteDifferences(
        r.checks[2], mean, size, [&](const Tensor& m) { return lossWith(m, var); },
        [&](Index k) { return 1e-2 * statisticScale(k); }, noFloor);
  }
  // ∂L/∂x, ∂L/∂γ, ∂L/∂β: the training-mode forward pass itself, with one entry moved.
  finiteDifferences(
      r.checks[3], r.input, size,
      [&](const Tensor& x) {
        Result<NormForward> f = normForward(x, spec, affine);
        return f ? dot(dy, f->output) : kNaN;
      },
      [&](Index e) { return 1e-2 * statisticScale(layout.statisticIndexOfElement(e)); }, noFloor);
  finiteDifferences(
      r.checks[4], affine.gamma, size,
      [&](const Tensor& gamma) {
        Result<NormForward> f = normForward(r.input, spec, {gamma, affine.beta});
        return f ? dot(dy, f->output) : kNaN;
      },
      [](Index) { return 1e-2; }, noFloor);
  finiteDifferences(
      r.checks[5], affine.beta, size,
      [&](const Tensor& beta) {
        Result<NormForward> f = normForward(r.input, spec, {affine.gamma, beta});
        return f ? dot(dy, f->output) : kNaN;
      },
      [](Index) { return 1e-2; }, noFloor);
  r.checksDone = true;
}

// ---- Batch-size panel --------------------------------------------------------------------------

NormBatchNoise computeNormBatchNoise(double populationMean, double populationScale, double eps,
                                     const NormBatchPanelState& state) {
  constexpr Index kBatches = 100, kSteps = 60;
  NormBatchNoise r;
  r.populationMean = populationMean;
  r.populationScale = populationScale;
  NormalDraws draws(2024);
  auto draw = [&] { return static_cast<float>(populationMean + populationScale * draws.next()); };
  NormSpec spec;
  spec.eps = static_cast<float>(eps);
  spec.momentum = static_cast<float>(state.momentum);
  for (int size = 1; size <= 256; size *= 2) {
    // 100 batches of `size` values side by side: batch norm over [size, 100] gives each one's μ_B.
    Tensor batches(Shape{size, kBatches});
    for (float& v : batches.values()) v = draw();
    Result<NormForward> f = normForward(batches, spec);
    if (!f) {
      r.status = f.error();
      return r;
    }
    // Their mean and spread are statistics too: batch norm over the 100 means as [100, 1].
    Result<NormForward> across = normForward(f->mean.reshaped(Shape{kBatches, 1}), spec);
    if (!across) {
      r.status = across.error();
      return r;
    }
    r.batchSizes.push_back(size);
    r.means.emplace_back(f->mean.values().begin(), f->mean.values().end());
    r.meanOfMeans.push_back(across->mean.data()[0]);
    r.spread.push_back(std::sqrt(double(across->var.data()[0])));
  }
  // A training run: batch norm updates its running statistics once per batch.
  RunningStats running = RunningStats::initial(1);
  for (Index step = 0; step < kSteps; ++step) {
    Tensor batch(Shape{state.trainBatchSize, 1});
    for (float& v : batch.values()) v = draw();
    Result<NormForward> f = normForward(batch, spec, {}, &running);
    if (!f) {
      r.status = f.error();
      return r;
    }
    running = f->running;
    r.stepBatchMean.push_back(f->mean.data()[0]);
    r.stepRunningMean.push_back(running.mean.data()[0]);
    r.stepRunningVar.push_back(running.var.data()[0]);
  }
  // One test sample, one standard deviation above the mean, in both modes.
  r.testValue = populationMean + populationScale;
  NormSpec evalSpec = spec;
  evalSpec.mode = NormMode::Evaluation;
  Result<NormForward> eval =
      normForward(Tensor(Shape{1, 1}, float(r.testValue)), evalSpec, {}, &running);
  Result<NormForward> single = normForward(Tensor(Shape{1, 1}, float(r.testValue)), spec);
  if (!eval || !single) {
    r.status = !eval ? eval.error() : single.error();
    return r;
  }
  r.evalOutput = eval->normalized.data()[0];
  r.batchOfOneOutput = single->normalized.data()[0];
  for (int trial = 0; trial < 3; ++trial) {
    Tensor batch(Shape{state.trainBatchSize, 1});
    for (float& v : batch.values()) v = draw();
    batch.data()[0] = static_cast<float>(r.testValue);
    Result<NormForward> f = normForward(batch, spec);
    if (!f) {
      r.status = f.error();
      return r;
    }
    r.trainOutputs.push_back(f->normalized.data()[0]);
  }
  return r;
}

// ---- Dropout panel -----------------------------------------------------------------------------

NormDropoutResult computeNormDropout(const Tensor& input, const NormDropoutState& state) {
  constexpr Index kUnits = 8, kPasses = 2000;
  NormDropoutResult r;
  const Index units = std::min<Index>(kUnits, input.numel());
  Tensor x(Shape{1, units});
  for (Index i = 0; i < units; ++i) x.data()[i] = input.data()[i];
  DropoutSpec standard{static_cast<float>(state.keepProbability), DropoutForm::Standard};
  DropoutSpec inverted{static_cast<float>(state.keepProbability), DropoutForm::Inverted};
  const DropoutSpec& chosen = state.form == DropoutForm::Standard ? standard : inverted;
  const auto seed = static_cast<std::uint32_t>(state.seed);
  Result<DropoutTrain> trainStandard = dropoutTrain(x, standard, seed);
  Result<DropoutTrain> trainInverted = dropoutTrain(x, inverted, seed);
  Result<Tensor> testStandard = dropoutTest(x, standard);
  Result<Tensor> testInverted = dropoutTest(x, inverted);
  // Many training passes at once: the same activations repeated in 2000 rows, each row its own
  // mask; batch norm's μ over the rows is the average activation of each unit.
  Tensor repeated(Shape{kPasses, units});
  for (Index p = 0; p < kPasses; ++p)
    for (Index i = 0; i < units; ++i) repeated(p, i) = x.data()[i];
  Result<DropoutTrain> passes = dropoutTrain(repeated, chosen, seed + 1);
  if (!trainStandard || !trainInverted || !testStandard || !testInverted || !passes) {
    r.status = !trainStandard ? trainStandard.error()
               : !passes      ? passes.error()
                              : testStandard.error();
    return r;
  }
  Result<NormForward> average = normForward(passes->output, NormSpec{});
  if (!average) {
    r.status = average.error();
    return r;
  }
  r.averagedPasses = static_cast<int>(kPasses);
  for (Index i = 0; i < units; ++i) {
    Result<ExpectedActivation> expected = dropoutExpectedActivation(x.data()[i], chosen);
    if (!expected) {
      r.status = expected.error();
      return r;
    }
    r.activation.push_back(x.data()[i]);
    r.mask.push_back(trainStandard->mask.data()[i]);
    r.trainStandard.push_back(trainStandard->output.data()[i]);
    r.trainInverted.push_back(trainInverted->output.data()[i]);
    r.testStandard.push_back(testStandard->data()[i]);
    r.testInverted.push_back(testInverted->data()[i]);
    r.expectedTrain.push_back(expected->training);
    r.expectedTest.push_back(expected->testing);
    r.averageTrain.push_back(average->mean.data()[i]);
  }
  return r;
}

// ---- Figures -----------------------------------------------------------------------------------

plot::Color normStatisticColor(Index statistic) {
  // The export's Categorical heatmap colours cell k with categoricalColor(k): the screen matches.
  return plot::categoricalColor(static_cast<int>(statistic));
}

namespace {
std::string describeKind(const NormLayout& layout) {
  char text[200];
  const Index m = layout.elementsPerStatistic(), k = layout.statisticCount();
  switch (layout.kind()) {
  case NormKind::Batch:
    std::snprintf(text, sizeof text,
                  "Batch norm: one μ, σ² per channel, over N·H·W = %lld values (%lld statistics)",
                  (long long)m, (long long)k);
    break;
  case NormKind::Layer:
    std::snprintf(text, sizeof text,
                  "Layer norm: one μ, σ² per sample, over C·H·W = %lld values (%lld statistics)",
                  (long long)m, (long long)k);
    break;
  case NormKind::Instance:
    std::snprintf(
        text, sizeof text,
        "Instance norm: one μ, σ² per sample and channel, over H·W = %lld values (%lld statistics)",
        (long long)m, (long long)k);
    break;
  case NormKind::Group:
    std::snprintf(text, sizeof text,
                  "Group norm: one μ, σ² per sample and group of %lld channels, over %lld values "
                  "(%lld statistics)",
                  (long long)(layout.channels() / layout.groups()), (long long)m, (long long)k);
    break;
  }
  return text;
}
} // namespace

namespace {
// "n=0 g=1": which μ, σ² statistic k is.
std::string statisticLabel(const NormLayout& layout, Index k) {
  char text[48];
  switch (layout.kind()) {
  case NormKind::Batch: std::snprintf(text, sizeof text, "c=%lld", (long long)k); break;
  case NormKind::Layer: std::snprintf(text, sizeof text, "n=%lld", (long long)k); break;
  case NormKind::Instance:
    std::snprintf(text, sizeof text, "n=%lld c=%lld", (long long)(k / layout.channels()),
                  (long long)(k % layout.channels()));
    break;
  case NormKind::Group:
    std::snprintf(text, sizeof text, "n=%lld g=%lld", (long long)(k / layout.groups()),
                  (long long)(k % layout.groups()));
    break;
  }
  return text;
}
} // namespace

plot::Figure normGroupingFigure(const NormLabForward& result, bool normalizedValues) {
  plot::Figure figure;
  if (!result.status.ok()) {
    figure.title = "Normalization: " + result.status.error().message();
    return figure;
  }
  const NormLayout& layout = result.forward.layout;
  const Tensor& values = normalizedValues ? result.forward.output : result.input;
  const Shape& shape = result.input.shape();
  const Index n = shape[0], c = shape[1], h = shape[2], w = shape[3];
  const Index statistics = layout.statisticCount();
  figure.title = describeKind(layout);
  if (normalizedValues) figure.title += ": y = γ·x̂ + β";
  figure.xAxis.label = "sample n";
  figure.yAxis.label = result.channelNames.empty() ? "channel c" : "";
  figure.yAxis.invert = true;
  figure.xAxis.gridLines = figure.yAxis.gridLines = false;
  // Ticks at the centre of each stack and slice, named n=…, c=… (or the channel's filter).
  for (Index in = 0; in < n; ++in) {
    figure.xAxis.ticks.push_back((double(in) + 0.5) * double(w));
    figure.xAxis.tickLabels.push_back(std::to_string(in));
  }
  for (Index ic = 0; ic < c; ++ic) {
    figure.yAxis.ticks.push_back((double(ic) + 0.5) * double(h));
    figure.yAxis.tickLabels.push_back(size_t(ic) < result.channelNames.size()
                                          ? result.channelNames[size_t(ic)]
                                          : std::to_string(ic));
  }
  figure.equalAspect = true;
  figure.legend = plot::LegendCorner::None;
  plot::Heatmap map;
  map.rows = static_cast<int>(c * h);
  map.cols = static_cast<int>(n * w);
  map.x1 = double(map.cols);
  map.y1 = double(map.rows);
  map.colormap = plot::Colormap::Categorical;
  // A colorbar naming each statistic while the names are few enough to read.
  map.colorbar = !normalizedValues && statistics <= 12;
  map.colorbarLabel = "shares μ, σ²";
  for (Index k = 0; k < statistics; ++k) map.categoryNames.push_back(statisticLabel(layout, k));
  map.values.resize(static_cast<size_t>(map.rows * map.cols));
  for (Index in = 0; in < n; ++in)
    for (Index ic = 0; ic < c; ++ic)
      for (Index ih = 0; ih < h; ++ih)
        for (Index iw = 0; iw < w; ++iw)
          map.values[static_cast<size_t>((ic * h + ih) * map.cols + in * w + iw)] =
              static_cast<float>(layout.statisticIndex(in, ic));
  // The values, centred in their cells (small tensors only), black or white from the cell colour,
  // at a size for cells of about min(330 / cols, 280 / rows) points (the plot box on a 6.4 × 4.8 in
  // page, beside the colorbar).
  const double cellPoints = std::min(330.0 / double(map.cols), 280.0 / double(map.rows));
  const float valueScale = static_cast<float>(std::clamp(cellPoints / 36.0, 0.45, 1.0));
  if (shape.numel() <= 300)
    for (Index in = 0; in < n; ++in)
      for (Index ic = 0; ic < c; ++ic)
        for (Index ih = 0; ih < h; ++ih)
          for (Index iw = 0; iw < w; ++iw) {
            const float v = values(in, ic, ih, iw);
            char text[16];
            std::snprintf(text, sizeof text, std::abs(v) < 9.995f ? "%.2f" : "%.1f", v);
            figure.annotations.push_back(plot::cellLabel(map, static_cast<int>(ic * h + ih),
                                                         static_cast<int>(in * w + iw), text));
            figure.annotations.back().sizeScale = valueScale;
          }
  figure.heatmap = std::move(map);
  // White borders between channel slices and (thicker) between samples.
  for (Index in = 1; in < n; ++in) {
    plot::LineSeries line;
    line.color = plot::Color{1, 1, 1, 1};
    line.width = 5;
    line.x = {double(in * w), double(in * w)};
    line.y = {0, double(c * h)};
    figure.lines.push_back(line);
  }
  for (Index ic = 1; ic < c; ++ic) {
    plot::LineSeries line;
    line.color = plot::Color{1, 1, 1, 1};
    line.width = 2;
    line.x = {0, double(n * w)};
    line.y = {double(ic * h), double(ic * h)};
    figure.lines.push_back(line);
  }
  return figure;
}

plot::Figure normHistogramFigure(const Tensor& values, const std::string& title,
                                 const std::string& xLabel, plot::Color color) {
  constexpr int kBins = 16;
  plot::Figure figure;
  figure.title = title;
  figure.xAxis.label = xLabel;
  figure.yAxis.label = "count";
  figure.yAxis.min = 0;
  figure.legend = plot::LegendCorner::None;
  if (values.numel() == 0) return figure;
  double lo = values.data()[0], hi = lo;
  for (float v : values.values()) {
    lo = std::min(lo, double(v));
    hi = std::max(hi, double(v));
  }
  if (hi - lo < 1e-6) {
    lo -= 0.5;
    hi += 0.5;
  }
  plot::BarSeries bars;
  bars.color = color;
  bars.heights.assign(kBins, 0.0);
  for (float v : values.values())
    bars.heights[static_cast<size_t>(
        std::clamp(int((v - lo) / (hi - lo) * kBins), 0, kBins - 1))] += 1;
  for (int b = 0; b <= kBins; ++b) bars.edges.push_back(lo + (hi - lo) * b / kBins);
  const double top = *std::max_element(bars.heights.begin(), bars.heights.end());
  figure.bars.push_back(std::move(bars));
  figure.yAxis.max = top * 1.15 + 0.5;
  return figure;
}

const char* normSourceId(NormSource source) {
  switch (source) {
  case NormSource::Random: return "random";
  case NormSource::Edited: return "edited";
  case NormSource::FeatureMaps: return "feature_maps";
  }
  return "random";
}

const char* normPanelId(NormPanel panel) {
  switch (panel) {
  case NormPanel::Grouping: return "grouping";
  case NormPanel::Histograms: return "histograms";
  case NormPanel::Backward: return "backward";
  case NormPanel::BatchSize: return "batch_size";
  case NormPanel::Dropout: return "dropout";
  }
  return "grouping";
}

// ---- The lab -----------------------------------------------------------------------------------

namespace {

constexpr std::array<NormKind, 4> kKinds{NormKind::Batch, NormKind::Layer, NormKind::Instance,
                                         NormKind::Group};
constexpr std::array<NormPanel, 5> kPanels{NormPanel::Grouping, NormPanel::Histograms,
                                           NormPanel::Backward, NormPanel::BatchSize,
                                           NormPanel::Dropout};

ImU32 toImU32(plot::Color c) {
  return c.toRgba8();
}

// Blue (negative) – white – red (positive): signed gradients.
ImU32 divergingColor(double t) {
  t = std::clamp(t, -1.0, 1.0);
  const plot::Color white{1, 1, 1, 1}, red = plot::Color::rgb(214, 96, 77),
                                       blue = plot::Color::rgb(67, 147, 195);
  const plot::Color& end = t < 0 ? blue : red;
  const float a = static_cast<float>(std::abs(t));
  return toImU32({white.r + (end.r - white.r) * a, white.g + (end.g - white.g) * a,
                  white.b + (end.b - white.b) * a, 1});
}

enum class CellColouring { ByStatistic, ByValue };

// The tensor view: N stacks (columns) of C channel slices (rows of the stack), each slice H×W
// cells. Fills by statistic (one colour per μ, σ²) or by signed value with the slice framed in its
// statistic's colour. Writes values in the cells when they fit. Returns the clicked element's flat
// index, or -1.
// channelNames (feature-map source): each slice's filter, written under its "c=k".
Index drawTensorView(const char* id, const char* title, const Tensor& t, const NormLayout& layout,
                     CellColouring colouring, ImVec2 size, Index selected,
                     const std::vector<std::string>& channelNames = {}) {
  const Index n = t.dim(0), c = t.dim(1), h = t.dim(2), w = t.dim(3);
  const float font = ImGui::GetFontSize();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float titleHeight = 1.3f * font, labelHeight = 1.1f * font;
  const bool named = Index(channelNames.size()) >= c;
  float labelWidth = ImGui::CalcTextSize("c=0 ").x;
  if (named)
    for (Index ic = 0; ic < c; ++ic)
      labelWidth = std::max(labelWidth,
                            ImGui::CalcTextSize(channelNames[size_t(ic)].c_str()).x + 0.4f * font);
  const float stackGap = 0.6f * font, sliceGap = 0.3f * font;
  const float cellFromWidth = (size.x - labelWidth - float(n - 1) * stackGap) / float(n * w);
  const float cellFromHeight =
      (size.y - titleHeight - labelHeight - float(c - 1) * sliceGap) / float(c * h);
  const float cell =
      std::floor(std::max(2.0f, std::min({cellFromWidth, cellFromHeight, 3.5f * font})));
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddText(origin, ImGui::GetColorU32(ImGuiCol_Text), title);

  double lo = t.numel() ? t.data()[0] : 0, hi = lo, maxAbs = 0;
  for (float v : t.values()) {
    lo = std::min(lo, double(v));
    hi = std::max(hi, double(v));
    maxAbs = std::max(maxAbs, std::abs(double(v)));
  }
  // Values in the cells, as large as they fit: two decimals if "-8.88" fits at 75 % of the text
  // size or more, else one decimal ("-8.8") if that fits at 60 % (presentation mode's small cells).
  auto fittingSize = [&](const char* sample) {
    const float width = ImGui::CalcTextSize(sample).x;
    return std::min({font, font * 0.88f * cell / width, 0.5f * cell});
  };
  bool oneDecimal = false;
  float valueFont = fittingSize("-8.88");
  if (valueFont < 0.75f * font) {
    oneDecimal = true;
    valueFont = fittingSize("-8.8");
  }
  const bool showValues = valueFont >= 0.6f * font;

  const float left = origin.x + labelWidth, top = origin.y + titleHeight + labelHeight;
  auto cellMin = [&](Index in, Index ic, Index ih, Index iw) {
    return ImVec2(left + float(in) * (float(w) * cell + stackGap) + float(iw) * cell,
                  top + float(ic) * (float(h) * cell + sliceGap) + float(ih) * cell);
  };
  const ImU32 textColor = ImGui::GetColorU32(ImGuiCol_Text);
  for (Index in = 0; in < n; ++in) {
    char label[32];
    std::snprintf(label, sizeof label, "n=%lld", (long long)in);
    if (ImGui::CalcTextSize(label).x >
        float(w) * cell + 0.8f * stackGap) // too narrow: the number alone
      std::snprintf(label, sizeof label, "%lld", (long long)in);
    const ImVec2 p = cellMin(in, 0, 0, 0);
    draw->AddText(ImVec2(p.x, p.y - labelHeight), textColor, label);
  }
  const ImU32 nameColor = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  for (Index ic = 0; ic < c; ++ic) {
    char label[32];
    std::snprintf(label, sizeof label, "c=%lld", (long long)ic);
    const ImVec2 p = cellMin(0, ic, 0, 0);
    const float sliceHeight = float(h) * cell;
    if (!named) {
      draw->AddText(ImVec2(origin.x, p.y + 0.5f * (sliceHeight - font)), textColor, label);
    } else if (sliceHeight >= 2 * font) { // "c=k" over the filter's name
      draw->AddText(ImVec2(origin.x, p.y + 0.5f * sliceHeight - font), textColor, label);
      draw->AddText(ImVec2(origin.x, p.y + 0.5f * sliceHeight), nameColor,
                    channelNames[size_t(ic)].c_str());
    } else { // too flat for two lines: the name alone
      draw->AddText(ImVec2(origin.x, p.y + 0.5f * (sliceHeight - font)), textColor,
                    channelNames[size_t(ic)].c_str());
    }
  }
  for (Index in = 0; in < n; ++in)
    for (Index ic = 0; ic < c; ++ic) {
      const plot::Color base = normStatisticColor(layout.statisticIndex(in, ic));
      if (colouring == CellColouring::ByValue) {
        const ImVec2 a = cellMin(in, ic, 0, 0);
        const float frame = std::max(2.0f, 0.15f * font);
        draw->AddRectFilled(
            ImVec2(a.x - frame, a.y - frame),
            ImVec2(a.x + float(w) * cell + frame - 1, a.y + float(h) * cell + frame - 1),
            toImU32(base));
      }
      for (Index ih = 0; ih < h; ++ih)
        for (Index iw = 0; iw < w; ++iw) {
          const float v = t(in, ic, ih, iw);
          ImU32 fill;
          if (colouring == CellColouring::ByValue) {
            fill = divergingColor(maxAbs > 0 ? v / maxAbs : 0.0);
          } else if (showValues) {
            fill = toImU32(base); // the exact statistic colour: the screenshot tests look for it
          } else {
            // Too small for digits: the statistic's hue, darker for smaller values.
            const float shade = hi > lo ? 0.45f + 0.55f * float((v - lo) / (hi - lo)) : 1.0f;
            fill = toImU32({base.r * shade, base.g * shade, base.b * shade, 1});
          }
          const ImVec2 a = cellMin(in, ic, ih, iw);
          const ImVec2 b(a.x + cell - 1, a.y + cell - 1); // 1 px seam between cells
          draw->AddRectFilled(a, b, fill);
          if (showValues) {
            char text[16];
            std::snprintf(text, sizeof text, oneDecimal || std::abs(v) >= 9.995f ? "%.1f" : "%.2f",
                          v);
            ImFont* f = ImGui::GetFont();
            const ImVec2 textSize = f->CalcTextSizeA(valueFont, FLT_MAX, 0, text);
            // Black or white, whichever stands out more from the fill (as the export's
            // AutoContrast).
            const ImVec4 rgba = ImGui::ColorConvertU32ToFloat4(fill);
            const plot::Color ink = plot::contrastingTextColor({rgba.x, rgba.y, rgba.z, 1});
            draw->AddText(
                f, valueFont,
                ImVec2(a.x + 0.5f * (cell - 1 - textSize.x), a.y + 0.5f * (cell - 1 - textSize.y)),
                toImU32(ink), text);
          }
        }
    }
  if (selected >= 0 && selected < t.numel()) {
    const Index iw = selected % w, ih = (selected / w) % h, ic = (selected / (w * h)) % c,
                in = selected / (w * h * c);
    const ImVec2 a = cellMin(in, ic, ih, iw);
    draw->AddRect(ImVec2(a.x - 2, a.y - 2), ImVec2(a.x + cell + 1, a.y + cell + 1),
                  IM_COL32(0, 0, 0, 255), 0, 0, std::max(2.0f, 0.15f * font));
  }

  // Interaction: hover shows the element and its statistic; a click selects it.
  const float usedHeight =
      titleHeight + labelHeight + float(c * h) * cell + float(c - 1) * sliceGap + 0.3f * font;
  ImGui::InvisibleButton(
      id, ImVec2(std::max(size.x, 1.0f), std::max(std::min(size.y, usedHeight), 1.0f)));
  Index hovered = -1;
  if (ImGui::IsItemHovered()) {
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    for (Index in = 0; in < n && hovered < 0; ++in)
      for (Index ic = 0; ic < c && hovered < 0; ++ic) {
        const ImVec2 a = cellMin(in, ic, 0, 0);
        const float ix = (mouse.x - a.x) / cell, iy = (mouse.y - a.y) / cell;
        if (ix >= 0 && iy >= 0 && ix < float(w) && iy < float(h))
          hovered = ((in * c + ic) * h + Index(iy)) * w + Index(ix);
      }
    if (hovered >= 0) {
      const Index iw = hovered % w, ih = (hovered / w) % h, ic = (hovered / (w * h)) % c,
                  in = hovered / (w * h * c);
      ImGui::SetTooltip("[n=%lld, c=%lld, h=%lld, w=%lld] = %.4f%s%s\nstatistic %s", (long long)in,
                        (long long)ic, (long long)ih, (long long)iw, t.data()[hovered],
                        named ? "\nchannel: " : "", named ? channelNames[size_t(ic)].c_str() : "",
                        statisticLabel(layout, layout.statisticIndex(in, ic)).c_str());
    }
  }
  return ImGui::IsItemClicked() ? hovered : -1;
}

std::string formatList(const Tensor& t, Index maxEntries);

// The longest "a, b, …" of t's leading entries that fits `width` pixels in the current font.
std::string fittingList(const Tensor& t, float width) {
  for (Index entries = std::min<Index>(t.numel(), 4); entries > 1; --entries) {
    std::string text = formatList(t, entries);
    if (ImGui::CalcTextSize(text.c_str()).x <= width) return text;
  }
  return formatList(t, 1);
}

std::string formatList(const Tensor& t, Index maxEntries) {
  std::string text;
  char number[32];
  for (Index i = 0; i < std::min(t.numel(), maxEntries); ++i) {
    std::snprintf(number, sizeof number, "%s%.3f", i ? ", " : "", t.data()[i]);
    text += number;
  }
  if (t.numel() > maxEntries) text += ", …";
  return text;
}

// After the shape changed, keep the edited values that still have a place (same n, c, h, w).
std::vector<double> reshapeEdited(const std::vector<double>& old, const NormTensorState& before,
                                  const Tensor& fresh, const NormTensorState& after) {
  std::vector<double> values(fresh.values().begin(), fresh.values().end());
  if (static_cast<int>(old.size()) != before.batch * before.channels * before.height * before.width)
    return values;
  for (int n = 0; n < std::min(before.batch, after.batch); ++n)
    for (int c = 0; c < std::min(before.channels, after.channels); ++c)
      for (int h = 0; h < std::min(before.height, after.height); ++h)
        for (int w = 0; w < std::min(before.width, after.width); ++w)
          values[size_t(((n * after.channels + c) * after.height + h) * after.width + w)] =
              old[size_t(((n * before.channels + c) * before.height + h) * before.width + w)];
  return values;
}

class NormLab final : public Lab {
public:
  void draw(const LabContext& context) override {
    const float em = ImGui::GetFontSize();
    ImGui::BeginChild("controls",
                      ImVec2(std::min(17 * em, 0.3f * ImGui::GetContentRegionAvail().x), 0));
    drawControls();
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("panels");
    recompute(context.shared);
    if (ImGui::BeginTabBar("norm panels")) {
      const std::array<const char*, 5> titles{"Grouping", "Histograms", "Backward", "Batch size",
                                              "Dropout"};
      for (size_t i = 0; i < kPanels.size(); ++i) {
        const ImGuiTabItemFlags flags =
            selectPanelFromState_ && state_.panel == kPanels[i] ? ImGuiTabItemFlags_SetSelected : 0;
        if (!ImGui::BeginTabItem(titles[i], nullptr, flags)) continue;
        if (!selectPanelFromState_) state_.panel = kPanels[i];
        if (!forward_.status.ok() && kPanels[i] != NormPanel::BatchSize &&
            kPanels[i] != NormPanel::Dropout) {
          ImGui::TextColored(ImVec4(0.8f, 0.1f, 0.1f, 1), "%s",
                             forward_.status.error().message().c_str());
        } else {
          // The finite differences only while their panel is shown: dragging a slider elsewhere
          // costs one forward and backward pass.
          if (kPanels[i] == NormPanel::Backward && !forward_.checksDone)
            computeNormGradientChecks(state_.tensor, forward_);
          drawPanel(kPanels[i], context);
        }
        ImGui::EndTabItem();
      }
      selectPanelFromState_ = false;
      ImGui::EndTabBar();
    }
    ImGui::EndChild();
  }

  nlohmann::json saveState() const override {
    const NormTensorState& t = state_.tensor;
    nlohmann::json json = {
        {"panel", normPanelId(state_.panel)},
        {"kind", normKindName(t.kind)},
        {"batch", t.batch},
        {"channels", t.channels},
        {"height", t.height},
        {"width", t.width},
        {"groups", t.groups},
        {"eps", t.eps},
        {"gamma", t.gamma},
        {"beta", t.beta},
        {"source", normSourceId(t.source)},
        {"channel_mean",
         std::vector<double>(t.channelMean.begin(), t.channelMean.begin() + t.channels)},
        {"channel_scale",
         std::vector<double>(t.channelScale.begin(), t.channelScale.begin() + t.channels)},
        {"seed", t.seed},
        {"upstream", normSourceId(t.upstreamSource)},
        {"upstream_seed", t.upstreamSeed},
        {"train_batch_size", state_.batchPanel.trainBatchSize},
        {"momentum", state_.batchPanel.momentum},
        {"keep_probability", state_.dropout.keepProbability},
        {"dropout_form", state_.dropout.form == DropoutForm::Standard ? "standard" : "inverted"},
        {"dropout_seed", state_.dropout.seed}};
    if (t.source == NormSource::Edited) json["values"] = t.values;
    if (t.upstreamSource == NormSource::Edited) json["upstream_values"] = t.upstreamValues;
    return json;
  }

  Status loadState(const nlohmann::json& json) override {
    NormLabState next = state_;
    NormTensorState& t = next.tensor;
    JsonReader reader(json, "state");
    std::string panel = normPanelId(next.panel), kind = normKindName(t.kind),
                source = normSourceId(t.source), upstream = normSourceId(t.upstreamSource),
                form = next.dropout.form == DropoutForm::Standard ? "standard" : "inverted";
    reader.choice("panel", panel, {"grouping", "histograms", "backward", "batch_size", "dropout"})
        .choice("kind", kind, {"batch", "layer", "instance", "group"})
        .integer("batch", t.batch, 1, kNormMaxBatch)
        .integer("channels", t.channels, 1, kNormMaxChannels)
        .integer("height", t.height, 1, kNormMaxSpatial)
        .integer("width", t.width, 1, kNormMaxSpatial)
        .integer("groups", t.groups, 1, kNormMaxChannels)
        .number("eps", t.eps, 1e-8, 1.0)
        .number("gamma", t.gamma, -5.0, 5.0)
        .number("beta", t.beta, -5.0, 5.0)
        .choice("source", source, {"random", "edited", "feature_maps"})
        .integer("seed", t.seed, 0, 1000000000)
        .choice("upstream", upstream, {"random", "edited"})
        .integer("upstream_seed", t.upstreamSeed, 0, 1000000000)
        .integer("train_batch_size", next.batchPanel.trainBatchSize, 2, 256)
        .number("momentum", next.batchPanel.momentum, 0.0, 1.0)
        .number("keep_probability", next.dropout.keepProbability, 0.05, 1.0)
        .choice("dropout_form", form, {"standard", "inverted"})
        .integer("dropout_seed", next.dropout.seed, 0, 1000000000);
    if (reader.ok() && t.channels % t.groups != 0)
      reader.fail("groups", "must divide channels (" + std::to_string(t.channels) + "), got " +
                                std::to_string(t.groups));
    const size_t channels = static_cast<size_t>(t.channels),
                 numel = size_t(t.batch * t.channels * t.height * t.width);
    std::vector<double> means(t.channelMean.begin(), t.channelMean.begin() + t.channels),
        scales(t.channelScale.begin(), t.channelScale.begin() + t.channels);
    reader.numbers("channel_mean", means, channels, channels)
        .numbers("channel_scale", scales, channels, channels);
    for (size_t c = 0; reader.ok() && c < channels; ++c) {
      if (std::abs(means[c]) > 100)
        reader.fail("channel_mean", "expected values in [-100, 100]");
      else if (!(scales[c] >= 0 && scales[c] <= 100))
        reader.fail("channel_scale", "expected values in [0, 100]");
    }
    if (reader.ok()) {
      std::copy(means.begin(), means.end(), t.channelMean.begin());
      std::copy(scales.begin(), scales.end(), t.channelScale.begin());
    }
    t.source = source == "edited"         ? NormSource::Edited
               : source == "feature_maps" ? NormSource::FeatureMaps
                                          : NormSource::Random;
    t.upstreamSource = upstream == "edited" ? NormSource::Edited : NormSource::Random;
    if (t.source == NormSource::Edited)
      reader.numbers("values", t.values, numel, numel);
    else
      t.values.clear();
    if (t.upstreamSource == NormSource::Edited)
      reader.numbers("upstream_values", t.upstreamValues, numel, numel);
    else
      t.upstreamValues.clear();
    if (!reader.ok()) return reader.status();
    for (NormPanel p : kPanels)
      if (panel == normPanelId(p)) next.panel = p;
    t.kind = *parseNormKind(kind);
    next.dropout.form = form == "standard" ? DropoutForm::Standard : DropoutForm::Inverted;
    state_ = next;
    selectPanelFromState_ = true;
    return Status::success();
  }

  plot::Figure exportFigure() const override { return normGroupingFigure(exportResult()); }

private:
  // The state's forward pass for an export: the feature maps last shown, or (headless, never
  // drawn) those of the bundled sample image.
  NormLabForward exportResult() const {
    const NormTensorState& t = state_.tensor;
    if (t.source != NormSource::FeatureMaps) return computeNormForward(t, nullptr, false);
    if (features_.maps().maps.shape() == tensorShape(t))
      return computeNormForward(t, &features_.maps(), false);
    NormFeatureMapCache sample;
    sample.update(nullptr, t);
    return computeNormForward(t, &sample.maps(), false);
  }

  void recompute(const LabShared* shared) {
    const bool featuresChanged =
        state_.tensor.source == NormSource::FeatureMaps && features_.update(shared, state_.tensor);
    const bool tensorChanged = !computed_ || !(state_.tensor == computedTensor_) || featuresChanged;
    if (tensorChanged) {
      forward_ = computeNormForward(state_.tensor, &features_.maps(), false);
      if (forward_.status.ok()) {
        histogramBefore_ =
            normHistogramFigure(forward_.input, "Before: x", "x", plot::seriesColor(0));
        histogramAfter_ = normHistogramFigure(forward_.forward.output, "After: y = γ·x̂ + β", "y",
                                              plot::seriesColor(2));
      }
    }
    const bool batchChanged = !computed_ || !(state_.batchPanel == computedBatchPanel_) ||
                              state_.tensor.channelMean[0] != computedTensor_.channelMean[0] ||
                              state_.tensor.channelScale[0] != computedTensor_.channelScale[0] ||
                              state_.tensor.eps != computedTensor_.eps;
    if (batchChanged) {
      batchNoise_ =
          computeNormBatchNoise(state_.tensor.channelMean[0], state_.tensor.channelScale[0],
                                state_.tensor.eps, state_.batchPanel);
      buildBatchFigures();
    }
    if (tensorChanged || !(state_.dropout == computedDropout_))
      dropout_ = computeNormDropout(forward_.input, state_.dropout);
    computedTensor_ = state_.tensor;
    computedBatchPanel_ = state_.batchPanel;
    computedDropout_ = state_.dropout;
    computed_ = true;
  }

  void buildBatchFigures() {
    const NormBatchNoise& r = batchNoise_;
    noiseFigure_ = plot::Figure{};
    runningFigure_ = plot::Figure{};
    if (!r.status.ok()) return;
    noiseFigure_.title = "μ_B of 100 batches of each size";
    noiseFigure_.xAxis.label = "batch size B";
    noiseFigure_.xAxis.scale = plot::AxisScale::Log10;
    noiseFigure_.yAxis.label = "μ_B";
    noiseFigure_.legend = plot::LegendCorner::TopRight;
    plot::ScatterSeries each;
    each.label = "μ_B of one batch";
    each.color = plot::Color{0.55f, 0.55f, 0.55f, 0.6f};
    each.radius = 2.0f;
    plot::LineSeries mean, upper, lower, population;
    mean.label = "mean of μ_B";
    mean.markers = true;
    upper.label = "± one standard deviation";
    upper.style = lower.style = plot::LineStyle::Dashed;
    upper.color = lower.color = plot::seriesColor(1);
    population.label = "population mean";
    population.style = plot::LineStyle::Dotted;
    population.color = plot::Color{0.1f, 0.1f, 0.1f, 1};
    for (size_t i = 0; i < r.batchSizes.size(); ++i) {
      const double b = r.batchSizes[i];
      for (double m : r.means[i]) {
        each.x.push_back(b);
        each.y.push_back(m);
      }
      mean.x.push_back(b);
      mean.y.push_back(r.meanOfMeans[i]);
      upper.x.push_back(b);
      upper.y.push_back(r.meanOfMeans[i] + r.spread[i]);
      lower.x.push_back(b);
      lower.y.push_back(r.meanOfMeans[i] - r.spread[i]);
    }
    population.x = {1, 256};
    population.y = {r.populationMean, r.populationMean};
    // Headroom above the points for the legend (top right), which would hide them otherwise.
    const auto [lowest, highest] = std::minmax_element(each.y.begin(), each.y.end());
    if (*highest - *lowest > 1e-9) {
      noiseFigure_.yAxis.min = *lowest - 0.05 * (*highest - *lowest);
      noiseFigure_.yAxis.max = *highest + 0.75 * (*highest - *lowest);
    }
    noiseFigure_.scatters.push_back(std::move(each));
    noiseFigure_.lines = {mean, upper, lower, population};
    noiseFigure_.lines[0].color = plot::seriesColor(0);

    char title[96];
    std::snprintf(title, sizeof title, "Running mean (B = %d, momentum %.2f)",
                  state_.batchPanel.trainBatchSize, state_.batchPanel.momentum);
    runningFigure_.title = title;
    runningFigure_.xAxis.label = "training step";
    runningFigure_.yAxis.label = "mean";
    runningFigure_.legend = plot::LegendCorner::BottomRight;
    plot::LineSeries batchMean, running, target;
    batchMean.label = "μ_B of the step's batch";
    batchMean.width = 1.0f;
    batchMean.markers = true;
    batchMean.color = plot::Color{0.55f, 0.55f, 0.55f, 1};
    running.label = "running mean";
    running.color = plot::seriesColor(0);
    running.width = 3.0f;
    target.label = "population mean";
    target.style = plot::LineStyle::Dotted;
    target.color = plot::Color{0.1f, 0.1f, 0.1f, 1};
    for (size_t s = 0; s < r.stepBatchMean.size(); ++s) {
      batchMean.x.push_back(double(s + 1));
      batchMean.y.push_back(r.stepBatchMean[s]);
      running.x.push_back(double(s + 1));
      running.y.push_back(r.stepRunningMean[s]);
    }
    target.x = {1, double(r.stepBatchMean.size())};
    target.y = {r.populationMean, r.populationMean};
    runningFigure_.lines = {batchMean, running, target};
  }

  // ---- Controls ----
  void drawControls() {
    NormTensorState& t = state_.tensor;
    const NormTensorState before = t;
    ImGui::TextDisabled("NORMALIZATION");
    const std::array<const char*, 4> kindTitles{"Batch norm", "Layer norm", "Instance norm",
                                                "Group norm"};
    for (size_t i = 0; i < kKinds.size(); ++i)
      if (ImGui::RadioButton(kindTitles[i], t.kind == kKinds[i])) t.kind = kKinds[i];
    ImGui::Spacing();
    ImGui::TextDisabled("TENSOR N × C × H × W");
    slider("##n", t.batch, 1, kNormMaxBatch, "N = %d samples");
    slider("##c", t.channels, 1, kNormMaxChannels, "C = %d channels");
    slider("##h", t.height, 1, kNormMaxSpatial, "H = %d");
    slider("##w", t.width, 1, kNormMaxSpatial, "W = %d");
    // G runs over the divisors of C only.
    std::vector<int> divisors;
    for (int g = 1; g <= t.channels; ++g)
      if (t.channels % g == 0) divisors.push_back(g);
    if (t.channels % t.groups != 0) t.groups = 1;
    int position = int(std::find(divisors.begin(), divisors.end(), t.groups) - divisors.begin());
    char groupsText[64];
    std::snprintf(groupsText, sizeof groupsText, "G = %d groups (C/G = %d)", t.groups,
                  t.channels / t.groups);
    ImGui::BeginDisabled(t.kind != NormKind::Group);
    ImGui::SetNextItemWidth(-1);
    if (ImGui::SliderInt("##g", &position, 0, int(divisors.size()) - 1, groupsText,
                         ImGuiSliderFlags_NoInput))
      t.groups = divisors[size_t(std::clamp(position, 0, int(divisors.size()) - 1))];
    ImGui::EndDisabled();
    const double epsMin = 1e-8, epsMax = 1.0, affineMin = -3, affineMax = 3;
    ImGui::SetNextItemWidth(-1);
    ImGui::SliderScalar("##eps", ImGuiDataType_Double, &t.eps, &epsMin, &epsMax, "ε = %.0e",
                        ImGuiSliderFlags_Logarithmic);
    ImGui::SetNextItemWidth(-1);
    ImGui::SliderScalar("##gamma", ImGuiDataType_Double, &t.gamma, &affineMin, &affineMax,
                        "γ = %.2f");
    ImGui::SetNextItemWidth(-1);
    ImGui::SliderScalar("##beta", ImGuiDataType_Double, &t.beta, &affineMin, &affineMax,
                        "β = %.2f");
    ImGui::Spacing();
    ImGui::TextDisabled("INPUT x");
    if (ImGui::RadioButton("Random", t.source == NormSource::Random)) t.source = NormSource::Random;
    ImGui::SameLine();
    if (ImGui::RadioButton("Edited", t.source == NormSource::Edited) &&
        t.source != NormSource::Edited) {
      const Tensor x = normLabInput(t, &features_.maps());
      t.values.assign(x.values().begin(), x.values().end());
      t.source = NormSource::Edited;
    }
    if (ImGui::RadioButton("Feature maps", t.source == NormSource::FeatureMaps))
      t.source = NormSource::FeatureMaps;
    if (t.source == NormSource::FeatureMaps) {
      const NormFeatureMaps& maps = features_.maps();
      ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
      ImGui::TextWrapped("ReLU(conv(image, filter c)) of %s; N windows of it max-pooled to H × W.",
                         maps.imageName.empty() ? "the convolution lab's image"
                                                : maps.imageName.c_str());
      ImGui::PopStyleColor();
    }
    if (t.source == NormSource::Random) {
      if (ImGui::Button("New random draw")) ++t.seed;
      if (ImGui::TreeNode("Per-channel mean and scale")) {
        const double meanMin = -5, meanMax = 5, scaleMin = 0, scaleMax = 5;
        for (int c = 0; c < t.channels; ++c) {
          char format[48];
          ImGui::PushID(c);
          std::snprintf(format, sizeof format, "mean c=%d: %%.2f", c);
          ImGui::SetNextItemWidth(-1);
          ImGui::SliderScalar("##m", ImGuiDataType_Double, &t.channelMean[size_t(c)], &meanMin,
                              &meanMax, format);
          std::snprintf(format, sizeof format, "scale c=%d: %%.2f", c);
          ImGui::SetNextItemWidth(-1);
          ImGui::SliderScalar("##s", ImGuiDataType_Double, &t.channelScale[size_t(c)], &scaleMin,
                              &scaleMax, format);
          ImGui::PopID();
        }
        ImGui::TreePop();
      }
    } else if (t.source == NormSource::Edited) {
      editSelected("value of x", t.values, selectedInput_);
    }
    // A shape change keeps edited values where they still fit.
    if (tensorShape(before) != tensorShape(t)) {
      selectedInput_ = selectedUpstream_ = -1;
      if (t.source == NormSource::Edited) {
        NormTensorState random = t;
        random.source = NormSource::Random;
        t.values = reshapeEdited(before.values, before, normLabInput(random), t);
      }
      if (t.upstreamSource == NormSource::Edited) {
        NormTensorState random = t;
        random.upstreamSource = NormSource::Random;
        t.upstreamValues = reshapeEdited(before.upstreamValues, before, normLabUpstream(random), t);
      }
    }
  }

  static void slider(const char* id, int& value, int min, int max, const char* format) {
    ImGui::SetNextItemWidth(-1);
    ImGui::SliderInt(id, &value, min, max, format, ImGuiSliderFlags_AlwaysClamp);
  }

  static void editSelected(const char* what, std::vector<double>& values, Index selected) {
    if (selected < 0 || selected >= Index(values.size())) {
      ImGui::TextWrapped("Click a cell to edit its %s.", what);
      return;
    }
    char format[64];
    std::snprintf(format, sizeof format, "%s #%lld: %%.3f", what, (long long)selected);
    ImGui::SetNextItemWidth(-1);
    ImGui::DragScalar("##edit", ImGuiDataType_Double, &values[size_t(selected)], 0.02f, nullptr,
                      nullptr, format);
  }

  // ---- Panels ----
  void drawPanel(NormPanel panel, const LabContext& context) {
    switch (panel) {
    case NormPanel::Grouping: drawGrouping(); break;
    case NormPanel::Histograms: drawHistograms(context); break;
    case NormPanel::Backward: drawBackward(); break;
    case NormPanel::BatchSize: drawBatchSize(context); break;
    case NormPanel::Dropout: drawDropout(); break;
    }
  }

  void drawGrouping() {
    const NormLayout& layout = forward_.forward.layout;
    ImGui::TextWrapped("%s", describeKind(layout).c_str());
    const float em = ImGui::GetFontSize();
    const ImVec2 available = ImGui::GetContentRegionAvail();
    const float stripHeight = 3.4f * ImGui::GetTextLineHeightWithSpacing();
    const ImVec2 viewSize(0.5f * available.x - 0.5f * em,
                          std::max(6 * em, available.y - stripHeight));
    const Index clicked =
        drawTensorView("raw", "x (raw)", forward_.input, layout, CellColouring::ByStatistic,
                       viewSize, selectedInput_, forward_.channelNames);
    if (clicked >= 0) selectInput(clicked);
    ImGui::SameLine(0, em);
    drawTensorView("normalized", "y = γ·x̂ + β (normalized)", forward_.forward.output, layout,
                   CellColouring::ByStatistic, viewSize, selectedInput_);
    // The statistics, one chip per colour.
    ImGui::BeginChild("statistics", ImVec2(0, 0));
    const float chip = 0.9f * em, right = ImGui::GetWindowContentRegionMax().x;
    for (Index k = 0; k < layout.statisticCount(); ++k) {
      char text[96];
      std::snprintf(text, sizeof text, "%s: μ=%.3f σ²=%.3f", statisticLabel(layout, k).c_str(),
                    forward_.forward.mean.data()[k], forward_.forward.var.data()[k]);
      const float itemWidth = chip + 0.3f * em + ImGui::CalcTextSize(text).x + 1.2f * em;
      if (k > 0) {
        ImGui::SameLine(0, 1.2f * em);
        if (ImGui::GetCursorPosX() + itemWidth > right) ImGui::NewLine();
      }
      const ImVec2 p = ImGui::GetCursorScreenPos();
      const float y = p.y + 0.5f * (ImGui::GetTextLineHeight() - chip);
      ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, y), ImVec2(p.x + chip, y + chip),
                                                toImU32(normStatisticColor(k)));
      ImGui::Dummy(ImVec2(chip, ImGui::GetTextLineHeight()));
      ImGui::SameLine(0, 0.3f * em);
      ImGui::TextUnformatted(text);
    }
    ImGui::EndChild();
  }

  void selectInput(Index clicked) {
    selectedInput_ = clicked;
    if (state_.tensor.source != NormSource::Edited) {
      const Tensor x = normLabInput(state_.tensor, &features_.maps());
      state_.tensor.values.assign(x.values().begin(), x.values().end());
      state_.tensor.source = NormSource::Edited;
    }
  }

  void drawHistograms(const LabContext& context) {
    const ImVec2 available = ImGui::GetContentRegionAvail();
    const float em = ImGui::GetFontSize();
    const ImVec2 size(0.5f * (available.x - em),
                      available.y - 2.5f * ImGui::GetTextLineHeightWithSpacing());
    plot::PlotFigure("before", histogramBefore_, size, context.plotStyle);
    ImGui::SameLine(0, em);
    plot::PlotFigure("after", histogramAfter_, size, context.plotStyle);
    ImGui::TextWrapped(
        "After normalization every statistic's values have mean β = %.2f and standard deviation "
        "|γ|·√(σ²/(σ²+ε)) ≈ |γ| = %.2f.",
        state_.tensor.beta, std::abs(state_.tensor.gamma));
  }

  void drawBackward() {
    NormTensorState& t = state_.tensor;
    const NormLayout& layout = forward_.forward.layout;
    const float em = ImGui::GetFontSize();
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("Upstream ∂L/∂y:");
    ImGui::SameLine();
    if (ImGui::RadioButton("random", t.upstreamSource == NormSource::Random))
      t.upstreamSource = NormSource::Random;
    ImGui::SameLine();
    if (ImGui::RadioButton("edited", t.upstreamSource == NormSource::Edited))
      selectUpstream(selectedUpstream_);
    ImGui::SameLine();
    if (t.upstreamSource == NormSource::Random) {
      if (ImGui::Button("New draw")) ++t.upstreamSeed;
    } else {
      ImGui::SetNextItemWidth(10 * em);
      editSelected("∂L/∂y", t.upstreamValues, selectedUpstream_);
    }
    const ImVec2 available = ImGui::GetContentRegionAvail();
    const float tableHeight = 7.6f * ImGui::GetTextLineHeightWithSpacing();
    const ImVec2 viewSize((available.x - 2 * em) / 3, std::max(5 * em, available.y - tableHeight));
    const Index clicked = drawTensorView("upstream", "∂L/∂y (upstream)", forward_.upstream, layout,
                                         CellColouring::ByValue, viewSize, selectedUpstream_);
    if (clicked >= 0) selectUpstream(clicked);
    ImGui::SameLine(0, em);
    drawTensorView("dnormalized", "∂L/∂x̂ = ∂L/∂y·γ", forward_.backward.dNormalized, layout,
                   CellColouring::ByValue, viewSize, -1);
    ImGui::SameLine(0, em);
    drawTensorView("dinput", "∂L/∂x", forward_.backward.dInput, layout, CellColouring::ByValue,
                   viewSize, -1);

    const ImGuiTableFlags flags =
        ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp;
    if (!ImGui::BeginTable("gradient check", 5, flags)) return;
    ImGui::TableSetupColumn("gradient", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn("analytic");
    ImGui::TableSetupColumn("finite diff.");
    ImGui::TableSetupColumn("max |diff.|", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn("check", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableHeadersRow();
    for (const GradientCheck& check : forward_.checks) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::Text("%s [%s]", check.name.c_str(), check.analytic.shape().toString().c_str());
      // As many leading entries as fit the column (both columns show the same entries).
      ImGui::TableNextColumn();
      const float columnWidth = ImGui::GetContentRegionAvail().x;
      const std::string analytic = fittingList(check.analytic, columnWidth);
      ImGui::TextUnformatted(analytic.c_str());
      ImGui::TableNextColumn();
      if (check.checked == check.analytic.numel() || check.checked == 0) {
        ImGui::TextUnformatted(fittingList(check.finiteDifference, columnWidth).c_str());
      } else {
        ImGui::Text("%lld of %lld", (long long)check.checked, (long long)check.analytic.numel());
        if (ImGui::IsItemHovered())
          ImGui::SetTooltip("A large tensor: the finite difference of %lld evenly spaced entries.",
                            (long long)check.checked);
      }
      ImGui::TableNextColumn();
      ImGui::Text("%.1e", check.maxAbsDifference);
      ImGui::TableNextColumn();
      if (check.agrees())
        ImGui::TextColored(ImVec4(0.1f, 0.55f, 0.2f, 1), "agrees");
      else
        ImGui::TextColored(ImVec4(0.8f, 0.1f, 0.1f, 1), "DIFFERS");
    }
    ImGui::EndTable();
  }

  void selectUpstream(Index clicked) {
    NormTensorState& t = state_.tensor;
    selectedUpstream_ = clicked;
    if (t.upstreamSource != NormSource::Edited) {
      const Tensor dy = normLabUpstream(t);
      t.upstreamValues.assign(dy.values().begin(), dy.values().end());
      t.upstreamSource = NormSource::Edited;
    }
  }

  void drawBatchSize(const LabContext& context) {
    const float em = ImGui::GetFontSize();
    NormBatchPanelState& b = state_.batchPanel;
    ImGui::SetNextItemWidth(14 * em);
    ImGui::SliderInt("##trainb", &b.trainBatchSize, 2, 256, "training batch B = %d",
                     ImGuiSliderFlags_Logarithmic);
    ImGui::SameLine();
    const double zero = 0, one = 1;
    ImGui::SetNextItemWidth(12 * em);
    ImGui::SliderScalar("##momentum", ImGuiDataType_Double, &b.momentum, &zero, &one,
                        "momentum = %.2f");
    ImGui::TextDisabled("Population N(%.2f, %.2f²): the random source's channel 0.",
                        state_.tensor.channelMean[0], state_.tensor.channelScale[0]);
    if (!batchNoise_.status.ok()) {
      ImGui::TextColored(ImVec4(0.8f, 0.1f, 0.1f, 1), "%s",
                         batchNoise_.status.error().message().c_str());
      return;
    }
    const NormBatchNoise& r = batchNoise_;
    // The findings under the plots; the plots get what the wrapped text leaves.
    std::array<std::string, 3> findings;
    char text[256];
    std::snprintf(text, sizeof text,
                  "Spread of μ_B shrinks like 1/√B:  B = 1: %.3f,  B = 16: %.3f,  B = 256: %.3f",
                  r.spread.front(), r.spread[4], r.spread.back());
    findings[0] = text;
    std::snprintf(
        text, sizeof text,
        "Train mode, x = %.2f in three batches of %d: x̂ = %.2f, %.2f, %.2f;  batch of 1: x̂ = %.2f",
        r.testValue, b.trainBatchSize, r.trainOutputs[0], r.trainOutputs[1], r.trainOutputs[2],
        r.batchOfOneOutput);
    findings[1] = text;
    std::snprintf(
        text, sizeof text,
        "Eval mode (running μ = %.2f, σ² = %.2f): x̂ = %.2f, whatever else is in the batch.",
        r.stepRunningMean.back(), r.stepRunningVar.back(), r.evalOutput);
    findings[2] = text;
    const ImVec2 available = ImGui::GetContentRegionAvail();
    float findingsHeight = 0;
    for (const std::string& line : findings)
      findingsHeight += ImGui::CalcTextSize(line.c_str(), nullptr, false, available.x).y +
                        ImGui::GetStyle().ItemSpacing.y;
    const ImVec2 size(
        0.5f * (available.x - em),
        std::max(6 * em, available.y - findingsHeight - ImGui::GetStyle().ItemSpacing.y));
    plot::PlotFigure("noise", noiseFigure_, size, context.plotStyle);
    ImGui::SameLine(0, em);
    plot::PlotFigure("running", runningFigure_, size, context.plotStyle);
    for (const std::string& line : findings) ImGui::TextWrapped("%s", line.c_str());
  }

  void drawDropout() {
    const float em = ImGui::GetFontSize();
    NormDropoutState& d = state_.dropout;
    const double pMin = 0.05, pMax = 1.0;
    ImGui::SetNextItemWidth(12 * em);
    ImGui::SliderScalar("##keep", ImGuiDataType_Double, &d.keepProbability, &pMin, &pMax,
                        "keep p = %.2f");
    ImGui::SameLine();
    ImGui::TextUnformatted("E[·] and average for:");
    ImGui::SameLine();
    if (ImGui::RadioButton("standard", d.form == DropoutForm::Standard))
      d.form = DropoutForm::Standard;
    ImGui::SameLine();
    if (ImGui::RadioButton("inverted", d.form == DropoutForm::Inverted))
      d.form = DropoutForm::Inverted;
    if (ImGui::Button("New mask")) ++d.seed;
    ImGui::SameLine();
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    ImGui::TextWrapped("train: standard m·x, inverted m·x/p;  test: standard p·x, inverted x");
    ImGui::PopStyleColor();
    const NormDropoutResult& r = dropout_;
    if (!r.status.ok()) {
      ImGui::TextColored(ImVec4(0.8f, 0.1f, 0.1f, 1), "%s", r.status.error().message().c_str());
      return;
    }
    const ImGuiTableFlags flags =
        ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchSame;
    if (ImGui::BeginTable("dropout", 8, flags)) {
      for (const char* header :
           {"x", "mask m", "m·x", "m·x/p", "p·x", "x (test)", "E[train]", "average"})
        ImGui::TableSetupColumn(header);
      ImGui::TableHeadersRow();
      for (size_t i = 0; i < r.activation.size(); ++i) {
        ImGui::TableNextRow();
        for (double v :
             {r.activation[i], r.mask[i], r.trainStandard[i], r.trainInverted[i], r.testStandard[i],
              r.testInverted[i], r.expectedTrain[i], r.averageTrain[i]}) {
          ImGui::TableNextColumn();
          ImGui::Text("%.3f", v);
        }
      }
      ImGui::EndTable();
    }
    const bool standard = d.form == DropoutForm::Standard;
    ImGui::TextWrapped(
        "%s dropout: E[train] = %s = test-time output (%s); the last column averages %d training "
        "passes with fresh masks. Without any rescaling, training would see p·x on average but "
        "testing x.",
        standard ? "Standard" : "Inverted", standard ? "p·x" : "x",
        standard ? "test multiplies by p" : "test leaves x unchanged", r.averagedPasses);
    ImGui::TextDisabled("x: the first %zu values of sample n=0 of the input tensor.",
                        r.activation.size());
  }

  NormLabState state_;
  bool selectPanelFromState_ = true;
  Index selectedInput_ = -1, selectedUpstream_ = -1;

  bool computed_ = false;
  NormTensorState computedTensor_;
  NormBatchPanelState computedBatchPanel_;
  NormDropoutState computedDropout_;
  NormLabForward forward_;
  NormFeatureMapCache features_; // the feature-map source's maps (shared image or the sample)
  plot::Figure histogramBefore_, histogramAfter_;
  NormBatchNoise batchNoise_;
  plot::Figure noiseFigure_, runningFigure_;
  NormDropoutResult dropout_;
};

} // namespace

std::unique_ptr<Lab> createNormLab() {
  return std::make_unique<NormLab>();
}

} // namespace nnlab::app
