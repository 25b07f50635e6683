#include "nnlab/norm.h"

#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <string_view>
#include <vector>

namespace nnlab {
namespace {

// "[0][1][0][0]": the position of a flat index in a shape, as a nested list would name it.
std::string positionOf(const Shape& shape, Index flat) {
  std::vector<Index> idx(static_cast<size_t>(shape.rank()));
  for (int axis = shape.rank() - 1; axis >= 0; --axis) {
    idx[static_cast<size_t>(axis)] = flat % shape[axis];
    flat /= shape[axis];
  }
  std::string s;
  for (Index i : idx) { // appended piecewise: GCC 12 warns falsely (-Wrestrict) on "[" + ... + "]"
    s += '[';
    s += std::to_string(i);
    s += ']';
  }
  return s;
}

Status checkFinite(const Tensor& t, const std::string& where) {
  for (Index i = 0; i < t.numel(); ++i) {
    const float v = t.data()[i];
    if (std::isnan(v)) return Error{where, "NaN at " + positionOf(t.shape(), i)};
    if (std::isinf(v)) return Error{where, "infinite value at " + positionOf(t.shape(), i)};
  }
  return {};
}

// A per-channel parameter: empty (absent) or [C] and finite.
Status checkPerChannel(const Tensor& t, Index channels, const std::string& where) {
  if (t.empty()) return {};
  if (t.rank() != 1 || t.dim(0) != channels)
    return Error{where, "expected shape " + std::to_string(channels) + " (one per channel, C = " +
                            std::to_string(channels) + "), got " + t.shape().toString()};
  return checkFinite(t, where);
}

Status checkSpec(const NormSpec& spec) {
  if (!(spec.eps > 0.0f) || !std::isfinite(spec.eps))
    return Error{"eps", "must be positive and finite (got " + formatNormNumber(spec.eps) + ")"};
  if (!(spec.momentum >= 0.0f && spec.momentum <= 1.0f))
    return Error{"momentum", "must lie in [0, 1] (got " + formatNormNumber(spec.momentum) + ")"};
  return {};
}

// Joins pieces into one string. Used for the derivation text instead of chains of `"(" + s`:
// GCC 12 reports a false -Wrestrict on `const char* + std::string&&` (GCC bug 105651).
std::string concat(std::initializer_list<std::string_view> pieces) {
  std::string out;
  for (std::string_view p : pieces) out.append(p);
  return out;
}

const char* symbolOfCount(NormKind kind) {
  switch (kind) {
  case NormKind::Batch: return "N·S";
  case NormKind::Layer: return "C·S";
  case NormKind::Instance: return "S";
  case NormKind::Group: return "(C/G)·S";
  }
  return "";
}

} // namespace

const char* normKindName(NormKind kind) {
  switch (kind) {
  case NormKind::Batch: return "batch";
  case NormKind::Layer: return "layer";
  case NormKind::Instance: return "instance";
  case NormKind::Group: return "group";
  }
  return "?";
}

std::optional<NormKind> parseNormKind(const std::string& name) {
  for (NormKind k : {NormKind::Batch, NormKind::Layer, NormKind::Instance, NormKind::Group})
    if (name == normKindName(k)) return k;
  return std::nullopt;
}

std::string formatNormNumber(double value) {
  if (value == 0.0) return "0"; // no "-0"
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", value);
  return buf;
}

RunningStats RunningStats::initial(Index channels) {
  return {Tensor(Shape{channels}, 0.0f), Tensor(Shape{channels}, 1.0f)};
}

// ---- NormLayout --------------------------------------------------------------------------------

Result<NormLayout> NormLayout::make(const Shape& input, NormKind kind, Index groups) {
  if (input.rank() < 2)
    return Error{"input", "expected rank 2 (N×C), 3 (N×C×L), 4 (N×C×H×W) or 5 (N×C×D×H×W), got "
                          "rank " +
                              std::to_string(input.rank()) + " (shape " + input.toString() + ")"};
  for (int axis = 0; axis < input.rank(); ++axis)
    if (input[axis] < 1)
      return Error{"input", "every dimension must be at least 1 (shape " + input.toString() + ")"};
  NormLayout layout;
  layout.input_ = input;
  layout.kind_ = kind;
  for (int axis = 2; axis < input.rank(); ++axis) layout.spatial_ *= input[axis];
  if (kind == NormKind::Group) {
    const Index channels = input[1];
    if (groups < 1)
      return Error{"groups", "must be at least 1 (got " + std::to_string(groups) + ")"};
    if (channels % groups != 0)
      return Error{"groups", "C = " + std::to_string(channels) +
                                 " is not divisible by G = " + std::to_string(groups)};
    layout.groups_ = groups;
  }
  return layout;
}

Shape NormLayout::statisticsShape() const {
  switch (kind_) {
  case NormKind::Batch: return Shape{channels()};
  case NormKind::Layer: return Shape{batch()};
  case NormKind::Instance: return Shape{batch(), channels()};
  case NormKind::Group: return Shape{batch(), groups_};
  }
  return {};
}

Index NormLayout::elementsPerStatistic() const {
  switch (kind_) {
  case NormKind::Batch: return batch() * spatial_;
  case NormKind::Layer: return channels() * spatial_;
  case NormKind::Instance: return spatial_;
  case NormKind::Group: return channels() / groups_ * spatial_;
  }
  return 0;
}

Index NormLayout::statisticIndex(Index n, Index c) const {
  assert(n >= 0 && n < batch() && c >= 0 && c < channels());
  switch (kind_) {
  case NormKind::Batch: return c;
  case NormKind::Layer: return n;
  case NormKind::Instance: return n * channels() + c;
  case NormKind::Group: return n * groups_ + c / (channels() / groups_); // consecutive channels
  }
  return 0;
}

Index NormLayout::statisticIndexOfElement(Index flatIndex) const {
  const Index n = flatIndex / (channels() * spatial_);
  const Index c = (flatIndex / spatial_) % channels();
  return statisticIndex(n, c);
}

// ---- Forward -----------------------------------------------------------------------------------

Result<NormForward> normForward(const Tensor& input, const NormSpec& spec, const NormAffine& affine,
                                const RunningStats* running) {
  if (Status s = checkSpec(spec); !s) return s.error();
  Result<NormLayout> made = NormLayout::make(input.shape(), spec.kind, spec.groups);
  if (!made) return made.error();
  const NormLayout& layout = made.value();
  if (Status s = checkFinite(input, "input"); !s) return s.error();
  const Index channels = layout.channels();
  if (Status s = checkPerChannel(affine.gamma, channels, "gamma"); !s) return s.error();
  if (Status s = checkPerChannel(affine.beta, channels, "beta"); !s) return s.error();

  const bool useRunning = running != nullptr;
  if (useRunning && spec.kind != NormKind::Batch)
    return Error{"running statistics",
                 std::string("only batch normalization keeps them; ") + normKindName(spec.kind) +
                     " normalization uses each input's own statistics in training and evaluation"};
  const bool evaluateWithRunning =
      spec.kind == NormKind::Batch && spec.mode == NormMode::Evaluation;
  if (evaluateWithRunning && !useRunning)
    return Error{"running statistics",
                 "batch normalization in evaluation mode needs the running mean and variance"};
  if (useRunning) {
    if (running->mean.empty() || running->var.empty())
      return Error{"running statistics", "mean and var must both be given"};
    if (Status s = checkPerChannel(running->mean, channels, "running mean"); !s) return s.error();
    if (Status s = checkPerChannel(running->var, channels, "running var"); !s) return s.error();
    for (Index c = 0; c < channels; ++c)
      if (running->var.data()[c] < 0.0f)
        return Error{"running var", "negative at [" + std::to_string(c) + "]"};
  }

  const Index m = layout.elementsPerStatistic();
  const Index statCount = layout.statisticCount();
  const Index numel = input.numel();
  const float* x = input.data();

  // Statistics in double: two passes (mean, then squared deviations) avoid the cancellation of
  // E[x²] − E[x]², which matters when a channel's mean is large against its spread.
  std::vector<double> mean(static_cast<size_t>(statCount), 0.0);
  std::vector<double> var(static_cast<size_t>(statCount), 0.0);
  if (evaluateWithRunning) {
    for (Index c = 0; c < channels; ++c) {
      mean[static_cast<size_t>(c)] = running->mean.data()[c];
      var[static_cast<size_t>(c)] = running->var.data()[c];
    }
  } else {
    for (Index i = 0; i < numel; ++i)
      mean[static_cast<size_t>(layout.statisticIndexOfElement(i))] += x[i];
    for (double& v : mean) v /= static_cast<double>(m);
    for (Index i = 0; i < numel; ++i) {
      const size_t k = static_cast<size_t>(layout.statisticIndexOfElement(i));
      const double d = x[i] - mean[k];
      var[k] += d * d;
    }
    for (double& v : var) v /= static_cast<double>(m); // biased: x̂ divides by m, as PyTorch
  }

  NormForward out;
  out.layout = layout;
  out.mode = spec.mode;
  out.eps = spec.eps;
  const Shape statShape = layout.statisticsShape();
  out.mean = Tensor(statShape);
  out.var = Tensor(statShape);
  out.invStd = Tensor(statShape);
  std::vector<double> invStd(static_cast<size_t>(statCount));
  for (Index k = 0; k < statCount; ++k) {
    const size_t ks = static_cast<size_t>(k);
    invStd[ks] = 1.0 / std::sqrt(var[ks] + static_cast<double>(spec.eps));
    out.mean.data()[k] = static_cast<float>(mean[ks]);
    out.var.data()[k] = static_cast<float>(var[ks]);
    out.invStd.data()[k] = static_cast<float>(invStd[ks]);
  }

  out.normalized = Tensor(input.shape());
  out.output = Tensor(input.shape());
  const Index spatial = layout.spatialSize();
  for (Index i = 0; i < numel; ++i) {
    const Index c = (i / spatial) % channels;
    const size_t k = static_cast<size_t>(layout.statisticIndexOfElement(i));
    const double xhat = (x[i] - mean[k]) * invStd[k];
    const double gamma = affine.gamma.empty() ? 1.0 : affine.gamma.data()[c];
    const double beta = affine.beta.empty() ? 0.0 : affine.beta.data()[c];
    out.normalized.data()[i] = static_cast<float>(xhat);
    out.output.data()[i] = static_cast<float>(gamma * xhat + beta);
  }

  if (useRunning) {
    out.running = *running;
    if (spec.mode == NormMode::Training) {
      if (m < 2)
        return Error{"running statistics",
                     "each channel has a single value (m = 1), and the unbiased running variance "
                     "divides by m − 1 = 0 (PyTorch refuses this batch too)"};
      // PyTorch's convention: momentum weighs the NEW batch statistic, and running_var takes the
      // unbiased batch variance σ²·m/(m − 1) although x̂ used the biased σ².
      const double momentum = spec.momentum;
      const double unbias = static_cast<double>(m) / static_cast<double>(m - 1);
      for (Index c = 0; c < channels; ++c) {
        const size_t cs = static_cast<size_t>(c);
        float& rm = out.running.mean.data()[c];
        float& rv = out.running.var.data()[c];
        rm = static_cast<float>((1.0 - momentum) * rm + momentum * mean[cs]);
        rv = static_cast<float>((1.0 - momentum) * rv + momentum * var[cs] * unbias);
      }
    }
  }
  return out;
}

// ---- Backward ----------------------------------------------------------------------------------

Result<NormBackward> normBackward(const Tensor& dOutput, const Tensor& input,
                                  const NormForward& forward, const NormAffine& affine) {
  const NormLayout& layout = forward.layout;
  if (input.shape() != layout.inputShape())
    return Error{"input", "shape " + input.shape().toString() +
                              " differs from the forward pass's " + layout.inputShape().toString()};
  if (dOutput.shape() != input.shape())
    return Error{"upstream gradient", "expected shape " + input.shape().toString() + ", got " +
                                          dOutput.shape().toString()};
  if (Status s = checkFinite(dOutput, "upstream gradient"); !s) return s.error();
  if (Status s = checkFinite(input, "input"); !s) return s.error();
  const Index channels = layout.channels();
  if (Status s = checkPerChannel(affine.gamma, channels, "gamma"); !s) return s.error();

  // Running statistics in evaluation mode are constants: no path from x through μ and σ².
  const bool statsDependOnInput =
      !(layout.kind() == NormKind::Batch && forward.mode == NormMode::Evaluation);
  const Index numel = input.numel();
  const Index statCount = layout.statisticCount();
  const Index spatial = layout.spatialSize();
  const double m = static_cast<double>(layout.elementsPerStatistic());
  const float* x = input.data();
  const float* dy = dOutput.data();
  auto statOf = [&](Index i) { return static_cast<size_t>(layout.statisticIndexOfElement(i)); };
  auto channelOf = [&](Index i) { return (i / spatial) % channels; };
  auto mu = [&](size_t k) { return static_cast<double>(forward.mean.data()[k]); };
  auto inv = [&](size_t k) { return static_cast<double>(forward.invStd.data()[k]); };

  NormBackward g;
  g.dNormalized = Tensor(input.shape());
  g.dInput = Tensor(input.shape());
  g.dVar = Tensor(layout.statisticsShape());
  g.dMean = Tensor(layout.statisticsShape());
  g.dGamma = Tensor(Shape{channels});
  g.dBeta = Tensor(Shape{channels});

  std::vector<double> dxhat(static_cast<size_t>(numel));
  std::vector<double> dVar(static_cast<size_t>(statCount), 0.0);
  std::vector<double> dMean(static_cast<size_t>(statCount), 0.0);
  std::vector<double> sumMinus2Dev(static_cast<size_t>(statCount), 0.0); // Σ −2(x − μ)
  std::vector<double> dGamma(static_cast<size_t>(channels), 0.0);
  std::vector<double> dBeta(static_cast<size_t>(channels), 0.0);

  for (Index i = 0; i < numel; ++i) {
    const size_t k = statOf(i);
    const Index c = channelOf(i);
    const double gamma = affine.gamma.empty() ? 1.0 : affine.gamma.data()[c];
    const double dev = x[i] - mu(k);
    dxhat[static_cast<size_t>(i)] = dy[i] * gamma; // ∂L/∂x̂ = ∂L/∂y · γ
    dVar[k] += dxhat[static_cast<size_t>(i)] * dev * -0.5 * inv(k) * inv(k) * inv(k);
    dMean[k] += dxhat[static_cast<size_t>(i)] * -inv(k);
    sumMinus2Dev[k] += -2.0 * dev;
    dGamma[static_cast<size_t>(c)] += dy[i] * dev * inv(k); // Σ ∂L/∂y · x̂
    dBeta[static_cast<size_t>(c)] += dy[i];                 // Σ ∂L/∂y
  }
  // ∂L/∂μ's second term, ∂L/∂σ² · ∂σ²/∂μ, is zero in exact arithmetic (Σ(x − μ) = 0); it is kept
  // because the decomposition taught in class writes it.
  if (statsDependOnInput)
    for (Index k = 0; k < statCount; ++k)
      dMean[static_cast<size_t>(k)] +=
          dVar[static_cast<size_t>(k)] * sumMinus2Dev[static_cast<size_t>(k)] / m;

  for (Index i = 0; i < numel; ++i) {
    const size_t k = statOf(i);
    double dx = dxhat[static_cast<size_t>(i)] * inv(k);
    if (statsDependOnInput) dx += dVar[k] * 2.0 * (x[i] - mu(k)) / m + dMean[k] / m;
    g.dNormalized.data()[i] = static_cast<float>(dxhat[static_cast<size_t>(i)]);
    g.dInput.data()[i] = static_cast<float>(dx);
  }
  for (Index k = 0; k < statCount; ++k) {
    g.dVar.data()[k] = static_cast<float>(dVar[static_cast<size_t>(k)]);
    g.dMean.data()[k] = static_cast<float>(dMean[static_cast<size_t>(k)]);
  }
  for (Index c = 0; c < channels; ++c) {
    g.dGamma.data()[c] = static_cast<float>(dGamma[static_cast<size_t>(c)]);
    g.dBeta.data()[c] = static_cast<float>(dBeta[static_cast<size_t>(c)]);
  }
  return g;
}

// ---- Worked steps ------------------------------------------------------------------------------

Derivation normDerivation(const Tensor& input, const NormForward& forward, int maxTerms) {
  const NormLayout& layout = forward.layout;
  const Shape statShape = layout.statisticsShape();
  const Index statCount = layout.statisticCount();
  const Index m = layout.elementsPerStatistic();
  const bool fromRunning = layout.kind() == NormKind::Batch && forward.mode == NormMode::Evaluation;

  Derivation steps;
  // How many values each statistic averages: S is the product of the dims after C.
  {
    const Shape& in = layout.inputShape();
    std::string sub;
    switch (layout.kind()) {
    case NormKind::Batch:
      sub = std::to_string(in[0]) + "·" + std::to_string(layout.spatialSize());
      break;
    case NormKind::Layer:
      sub = std::to_string(in[1]) + "·" + std::to_string(layout.spatialSize());
      break;
    case NormKind::Instance: sub = std::to_string(layout.spatialSize()); break;
    case NormKind::Group:
      sub = "(" + std::to_string(in[1]) + "/" + std::to_string(layout.groups()) + ")·" +
            std::to_string(layout.spatialSize());
      break;
    }
    steps.push_back({"m",
                     std::string("m = ") + symbolOfCount(layout.kind()) +
                         " (values per statistic; S = spatial size " +
                         std::to_string(layout.spatialSize()) + ")",
                     sub, std::to_string(m)});
  }

  // The members of each statistic, in input order, up to maxTerms + 1 (enough to know to elide).
  const size_t keep = static_cast<size_t>(maxTerms) + 1;
  std::vector<std::vector<Index>> members(static_cast<size_t>(statCount));
  for (Index i = 0; i < input.numel(); ++i) {
    auto& list = members[static_cast<size_t>(layout.statisticIndexOfElement(i))];
    if (list.size() < keep) list.push_back(i);
  }
  const std::string eps = formatNormNumber(forward.eps);
  for (Index k = 0; k < statCount; ++k) {
    const std::string at = positionOf(statShape, k);
    const std::string mu = formatNormNumber(forward.mean.data()[k]);
    const std::string var = formatNormNumber(forward.var.data()[k]);
    const auto& list = members[static_cast<size_t>(k)];
    const bool elided = static_cast<Index>(list.size()) < m;
    const size_t shown = elided ? list.size() - 1 : list.size();
    if (fromRunning) {
      steps.push_back({concat({"μ", at}), "μ = running mean", concat({"running_mean", at}), mu});
      steps.push_back({concat({"σ²", at}), "σ² = running var", concat({"running_var", at}), var});
    } else {
      std::string sumX, sumSq;
      for (size_t j = 0; j < shown; ++j) {
        const std::string xv = formatNormNumber(input.data()[list[j]]);
        sumX += (j ? " + " : "") + xv;
        sumSq += (j ? " + " : "") + std::string("(") + xv + " − " + mu + ")²";
      }
      if (elided) {
        sumX += " + …";
        sumSq += " + …";
      }
      const std::string mStr = std::to_string(m);
      steps.push_back({concat({"μ", at}), "μ = (1/m) Σ x", concat({"(", sumX, ") / ", mStr}), mu});
      steps.push_back(
          {concat({"σ²", at}), "σ² = (1/m) Σ (x − μ)²", concat({"(", sumSq, ") / ", mStr}), var});
    }
    const Index first = list.front();
    steps.push_back({concat({"x̂", positionOf(input.shape(), first)}), "x̂ = (x − μ) / √(σ² + ε)",
                     concat({"(", formatNormNumber(input.data()[first]), " − ", mu, ") / √(", var,
                             " + ", eps, ")"}),
                     formatNormNumber(forward.normalized.data()[first])});
  }
  return steps;
}

} // namespace nnlab
