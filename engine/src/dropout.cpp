#include "nnlab/dropout.h"

#include <cmath>
#include <random>
#include <string>

namespace nnlab {
namespace {

Status checkSpec(const DropoutSpec& spec) {
  if (!(spec.keepProbability > 0.0f && spec.keepProbability <= 1.0f))
    return Error{"keep probability",
                 "must lie in (0, 1] (got " + std::to_string(spec.keepProbability) + ")"};
  return {};
}

Status checkFinite(const Tensor& t, const std::string& where) {
  for (Index i = 0; i < t.numel(); ++i)
    if (!std::isfinite(t.data()[i]))
      return Error{where, "non-finite value at flat index " + std::to_string(i)};
  return {};
}

} // namespace

Result<DropoutTrain> dropoutTrain(const Tensor& input, const DropoutSpec& spec,
                                  std::uint32_t seed) {
  if (Status s = checkSpec(spec); !s) return s.error();
  if (Status s = checkFinite(input, "input"); !s) return s.error();
  // The mask is drawn from mt19937's raw 32-bit output, whose sequence the standard fixes, rather
  // than std::bernoulli_distribution, whose algorithm each library chooses: a seed then means the
  // same mask everywhere. The top 24 bits make a uniform u in [0, 1) exactly representable.
  std::mt19937 rng(seed);
  const double p = spec.keepProbability;
  const double scale = spec.form == DropoutForm::Inverted ? 1.0 / p : 1.0;
  DropoutTrain out{Tensor(input.shape()), Tensor(input.shape())};
  for (Index i = 0; i < input.numel(); ++i) {
    const double u = static_cast<double>(rng() >> 8) * 0x1.0p-24;
    const bool kept = u < p;
    out.mask.data()[i] = kept ? 1.0f : 0.0f;
    out.output.data()[i] = kept ? static_cast<float>(input.data()[i] * scale) : 0.0f;
  }
  return out;
}

Result<Tensor> dropoutTest(const Tensor& input, const DropoutSpec& spec) {
  if (Status s = checkSpec(spec); !s) return s.error();
  if (Status s = checkFinite(input, "input"); !s) return s.error();
  Tensor out = input;
  if (spec.form == DropoutForm::Standard)
    for (float& v : out.values()) v *= spec.keepProbability;
  return out;
}

Result<Tensor> dropoutBackward(const Tensor& dOutput, const Tensor& mask, const DropoutSpec& spec) {
  if (Status s = checkSpec(spec); !s) return s.error();
  if (dOutput.shape() != mask.shape())
    return Error{"upstream gradient", "expected shape " + mask.shape().toString() + ", got " +
                                          dOutput.shape().toString()};
  if (Status s = checkFinite(dOutput, "upstream gradient"); !s) return s.error();
  const double scale = spec.form == DropoutForm::Inverted ? 1.0 / spec.keepProbability : 1.0;
  Tensor dInput(mask.shape());
  for (Index i = 0; i < mask.numel(); ++i)
    dInput.data()[i] = static_cast<float>(dOutput.data()[i] * mask.data()[i] * scale);
  return dInput;
}

Result<ExpectedActivation> dropoutExpectedActivation(double activation, const DropoutSpec& spec) {
  if (Status s = checkSpec(spec); !s) return s.error();
  if (!std::isfinite(activation)) return Error{"activation", "must be finite"};
  const double p = spec.keepProbability;
  // E[m] = p, so E[m · a · scale] = p · a · scale.
  if (spec.form == DropoutForm::Standard) return ExpectedActivation{p * activation, p * activation};
  return ExpectedActivation{p * activation / p, activation};
}

} // namespace nnlab
