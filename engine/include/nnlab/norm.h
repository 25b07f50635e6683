// norm.h: batch, layer, instance and group normalization, forward and backward.
//
// Sections: kinds and options · which elements share a statistic (NormLayout) · forward ·
// backward · worked steps.
//
// All four are one computation with a different grouping of the input's elements. For an input
// [N, C, *spatial] (rank 2 to 5: N×C, N×C×L, N×C×H×W, N×C×D×H×W), every element (n, c, ...)
// belongs to exactly one statistic k, and over the m elements of k:
//
//   μ_k  = (1/m) Σ x                         mean
//   σ²_k = (1/m) Σ (x − μ_k)²                BIASED variance (divides by m), as PyTorch normalizes
//   x̂    = (x − μ_k) / √(σ²_k + ε)
//   y    = γ_c x̂ + β_c                       γ, β per channel c, shape [C]
//
//   kind      elements sharing a statistic        statistics shape
//   batch     one channel across the whole batch  [C]
//   layer     one sample, all channels            [N]
//   instance  one channel of one sample           [N, C]
//   group     G channel groups of one sample      [N, G]   (C / G consecutive channels each)
//
// γ/β are per channel for all four kinds, as PyTorch's BatchNorm, InstanceNorm and GroupNorm
// hold them. (PyTorch's LayerNorm holds an elementwise γ over C×H×W; per channel here keeps one
// affine for the four kinds, and equals GroupNorm(1, C).)
//
// Running statistics: only batch normalization keeps them (PyTorch's defaults: InstanceNorm's
// track_running_stats is off, LayerNorm and GroupNorm have none). Layer, instance and group
// normalization use the input's own statistics in training and evaluation alike.
//
//   Result<NormForward> f = normForward(x, {.kind = NormKind::Group, .groups = 2});
//   if (!f) return f.error();
//   Result<NormBackward> b = normBackward(dy, x, *f);
#pragma once

#include <optional>
#include <string>

#include "nnlab/derivation.h"
#include "nnlab/status.h"
#include "nnlab/tensor.h"

namespace nnlab {

// ---- Kinds and options ------------------------------------------------------------------------

enum class NormKind { Batch, Layer, Instance, Group };
enum class NormMode { Training, Evaluation };

// "batch", "layer", "instance", "group": the words of `nnlab calc norm --kind`.
const char* normKindName(NormKind kind);
std::optional<NormKind> parseNormKind(const std::string& name);

struct NormSpec {
  NormKind kind = NormKind::Batch;
  Index groups = 1;      // G, group normalization only; must divide C
  float eps = 1e-5f;     // ε > 0 under the square root; PyTorch's default
  float momentum = 0.1f; // running-statistics update weight in [0, 1]; PyTorch's default
  NormMode mode = NormMode::Training;
};

// γ and β, each [C]. Empty tensors mean "no affine": γ = 1, β = 0.
struct NormAffine {
  Tensor gamma;
  Tensor beta;
};

// Batch normalization's running statistics, each [C].
struct RunningStats {
  Tensor mean;
  Tensor var; // UNBIASED variance, as PyTorch stores it (see normForward)

  // PyTorch's initial values: mean 0, var 1.
  static RunningStats initial(Index channels);
};

// ---- Which elements share a statistic ----------------------------------------------------------

// The grouping of an input's elements into statistics. The lab colours elements by
// statisticIndex; the statistics tensors of NormForward are indexed the same way (flat).
class NormLayout {
public:
  // Checks rank (2 to 5), non-empty dimensions and, for group normalization, that G divides C.
  static Result<NormLayout> make(const Shape& input, NormKind kind, Index groups = 1);

  const Shape& inputShape() const { return input_; }
  NormKind kind() const { return kind_; }
  Index batch() const { return input_[0]; }      // N
  Index channels() const { return input_[1]; }   // C
  Index groups() const { return groups_; }       // G (1 unless group normalization)
  Index spatialSize() const { return spatial_; } // product of the dims after C; 1 for N×C
  Shape statisticsShape() const;                 // [C], [N], [N, C] or [N, G]
  Index statisticCount() const { return statisticsShape().numel(); }
  Index elementsPerStatistic() const; // m, the count each μ and σ² averages

  // Flat index of the statistic shared by every element (n, c, ...): it depends on n and c only.
  Index statisticIndex(Index n, Index c) const;
  // The same for an element given by its flat (row-major) index into the input.
  Index statisticIndexOfElement(Index flatIndex) const;

private:
  Shape input_;
  NormKind kind_ = NormKind::Batch;
  Index groups_ = 1;
  Index spatial_ = 1;
};

// ---- Forward -----------------------------------------------------------------------------------

struct NormForward {
  NormLayout layout;
  NormMode mode = NormMode::Training;
  float eps = 1e-5f;
  Tensor mean;          // μ, layout.statisticsShape(); the running mean in batch evaluation mode
  Tensor var;           // biased σ² used to normalize; the running var in batch evaluation mode
  Tensor invStd;        // 1 / √(σ² + ε), same shape
  Tensor normalized;    // x̂, the input's shape
  Tensor output;        // y = γ x̂ + β, the input's shape
  RunningStats running; // batch normalization with running stats given: after this step
};

// Normalizes `input`. Batch normalization with `running`:
//   Training:   statistics from the batch, then (PyTorch's convention, momentum = spec.momentum)
//                 running.mean = (1 − momentum) · running.mean + momentum · μ_B
//                 running.var  = (1 − momentum) · running.var  + momentum · σ²_B · m / (m − 1)
//               The running variance takes the UNBIASED batch variance (m − 1 divisor), as
//               PyTorch's BatchNorm does, while x̂ uses the biased one; so m must exceed 1.
//   Evaluation: x̂ uses running.mean and running.var (required), and they are returned unchanged.
// Errors (named): input rank or empty dims, NaN in input/γ/β/running, ε ≤ 0, momentum outside
// [0, 1], G not dividing C, γ/β or running stats not [C], running stats for other kinds.
Result<NormForward> normForward(const Tensor& input, const NormSpec& spec,
                                const NormAffine& affine = {},
                                const RunningStats* running = nullptr);

// ---- Backward ----------------------------------------------------------------------------------

// The six gradients of the class's chain-rule decomposition, for an upstream gradient ∂L/∂y.
// Sums run over the m elements of each statistic k (∂L/∂γ, ∂L/∂β over each channel's elements):
//   ∂L/∂x̂  = ∂L/∂y · γ_c
//   ∂L/∂σ² = Σ ∂L/∂x̂ · (x − μ) · (−½)(σ² + ε)^(−3/2)
//   ∂L/∂μ  = Σ ∂L/∂x̂ · (−1/√(σ² + ε)) + ∂L/∂σ² · (1/m) Σ −2(x − μ)
//   ∂L/∂x  = ∂L/∂x̂ / √(σ² + ε) + ∂L/∂σ² · 2(x − μ)/m + ∂L/∂μ / m
//   ∂L/∂γ  = Σ ∂L/∂y · x̂        ∂L/∂β = Σ ∂L/∂y
// In batch evaluation mode μ and σ² are the running statistics, constants of the input, so
//   ∂L/∂x = ∂L/∂x̂ / √(σ² + ε); ∂L/∂σ² is as above, ∂L/∂μ = Σ ∂L/∂x̂ · (−1/√(σ² + ε)), and
// both report how L would change with the running statistics, not a path to x.
struct NormBackward {
  Tensor dNormalized; // ∂L/∂x̂, the input's shape
  Tensor dVar;        // ∂L/∂σ², statistics shape
  Tensor dMean;       // ∂L/∂μ, statistics shape
  Tensor dInput;      // ∂L/∂x, the input's shape
  Tensor dGamma;      // ∂L/∂γ, [C] (computed with or without an affine)
  Tensor dBeta;       // ∂L/∂β, [C]
};

// `forward` must come from normForward(input, ..., affine) with the same input and affine.
Result<NormBackward> normBackward(const Tensor& dOutput, const Tensor& input,
                                  const NormForward& forward, const NormAffine& affine = {});

// ---- Worked steps ------------------------------------------------------------------------------

// μ, σ² and one x̂ per statistic, with this input's numbers substituted (long sums elided with
// "…" after `maxTerms` terms). For `nnlab calc norm` and the lab's formula panel.
Derivation normDerivation(const Tensor& input, const NormForward& forward, int maxTerms = 8);

// "3", "-1.34164", "1e-05": six significant digits, the format the steps and the calc print.
std::string formatNormNumber(double value);

} // namespace nnlab
