// optim_rules.h (internal): the optimizers' update rules, written once, element by element.
//
// optim.cpp runs them over the two coordinates of a Vec2 in double (the optimizer lab, matched to
// PyTorch in float64); param_optim.cpp runs them over every element of a network's parameter
// tensors in float (the training lab, as torch.optim on float32 parameters). Each line mirrors the
// PyTorch 1.13 operation named beside it, in the same order, so the rounding matches too:
// p.add_(d, alpha=a) is p + a·d; addcmul_(t1, t2, value=c) is + c·t1·t2; addcdiv_(t1, t2,
// value=c) is + c·t1 / t2. The formulas themselves are documented in nnlab/optim.h.
//
// Per-step scalars (bias corrections, step sizes) are computed once per step in double, as
// Python floats are, by the *Coefficients helpers, then cast to T where an element uses them.
#pragma once

#include <algorithm>
#include <cmath>

#include "nnlab/optim.h"

namespace nnlab::detail {

// What one element's update did, for the optimizer lab's inspector (unused fields stay as given).
template <class T> struct ElementTrace {
  T m{}, v{}, mHat{}, vHat{}, vMax{}, direction{}, effectiveLr{};
};

// θ ← θ − η g                                                     torch.optim.SGD
template <class T> T sgdElement(T theta, T g, double lr, ElementTrace<T>& tr) {
  tr.direction = g;
  tr.effectiveLr = static_cast<T>(lr);
  return theta + static_cast<T>(-lr) * g; // param.add_(d_p, alpha=-lr)
}

// Heavy ball: m ← βm + g (buf.mul_(β).add_(d_p); from m₀ = 0, m₁ = g as torch's clone).
// EMA: m ← βm + (1 − β)g, m̂ = m / (1 − βᵗ) when bias-corrected. Then θ ← θ − η m̂.
// `correction` is 1 / (1 − βᵗ), or 1 without bias correction (see momentumCorrection).
template <class T>
T momentumElement(T theta, T g, T& m, const OptimizerConfig& c, double correction, double lr,
                  ElementTrace<T>& tr) {
  const T beta = static_cast<T>(c.beta);
  if (c.momentumForm == MomentumForm::HeavyBall) {
    m = beta * m + g;
    tr.mHat = m;
  } else {
    // A weighted average whose weights sum to 1 − βᵗ; dividing by that sum removes the pull
    // towards m₀ = 0 over the first ~1/(1 − β) steps.
    m = beta * m + static_cast<T>(1 - c.beta) * g;
    tr.mHat = static_cast<T>(correction) * m;
  }
  tr.m = m;
  tr.direction = tr.mHat;
  tr.effectiveLr = static_cast<T>(lr);
  return theta + static_cast<T>(-lr) * tr.direction;
}

inline double momentumCorrection(const OptimizerConfig& c, int t) {
  if (c.momentumForm == MomentumForm::Ema && c.biasCorrection)
    return 1.0 / (1 - std::pow(c.beta, t));
  return 1.0;
}

// m ← βm + g, θ ← θ − η (g + βm)                                  SGD(nesterov=True)
template <class T>
T nesterovElement(T theta, T g, T& m, const OptimizerConfig& c, double lr, ElementTrace<T>& tr) {
  const T beta = static_cast<T>(c.beta);
  m = beta * m + g; // buf.mul_(β).add_(d_p)
  tr.m = tr.mHat = m;
  tr.direction = g + beta * m; // d_p = d_p.add(buf, alpha=β)
  tr.effectiveLr = static_cast<T>(lr);
  return theta + static_cast<T>(-lr) * tr.direction; // param.add_(d_p, alpha=-lr)
}

// G ← G + g², θ ← θ − η g / (√G + ε)                               torch.optim.Adagrad
template <class T>
T adagradElement(T theta, T g, T& sum, const OptimizerConfig& c, double lr, ElementTrace<T>& tr) {
  sum = sum + g * g; // state_sum.addcmul_(grad, grad, value=1)
  const T denom = std::sqrt(sum) + static_cast<T>(c.eps);
  tr.v = tr.vHat = sum;
  tr.direction = g;
  tr.effectiveLr = static_cast<T>(lr) / denom;
  return theta + static_cast<T>(-lr) * g / denom; // param.addcdiv_(grad, std, value=-clr)
}

// v ← αv + (1 − α)g², θ ← θ − η g / (√v + ε)                      torch.optim.RMSprop
template <class T>
T rmspropElement(T theta, T g, T& v, const OptimizerConfig& c, double lr, ElementTrace<T>& tr) {
  const double alpha = c.beta;
  // square_avg.mul_(α).addcmul_(grad, grad, value=1 − α)
  v = v * static_cast<T>(alpha) + static_cast<T>(1 - alpha) * g * g;
  const T denom = std::sqrt(v) + static_cast<T>(c.eps);
  tr.v = tr.vHat = v;
  tr.direction = g;
  tr.effectiveLr = static_cast<T>(lr) / denom;
  return theta + static_cast<T>(-lr) * g / denom; // param.addcdiv_(grad, avg, value=-lr)
}

// Adam's per-step scalars, as torch computes them in Python floats.
struct AdamCoefficients {
  double biasCorrection1 = 1, biasCorrection2 = 1; // 1 − β₁ᵗ, 1 − β₂ᵗ (1 without correction)
  double stepSize = 0;                             // η / (1 − β₁ᵗ)
  double biasCorrection2Sqrt = 1;                  // √(1 − β₂ᵗ)
  double decay = 1;                                // AdamW: 1 − ηλ
};

inline AdamCoefficients adamCoefficients(OptimizerKind kind, const OptimizerConfig& c, int t,
                                         double lr) {
  AdamCoefficients a;
  // With bias correction off both corrections are 1 and the update is θ ← θ − η m / (√v + ε).
  a.biasCorrection1 = c.biasCorrection ? 1 - std::pow(c.beta1, t) : 1.0;
  a.biasCorrection2 = c.biasCorrection ? 1 - std::pow(c.beta2, t) : 1.0;
  a.stepSize = lr / a.biasCorrection1;
  a.biasCorrection2Sqrt = std::sqrt(a.biasCorrection2);
  a.decay = kind == OptimizerKind::AdamW ? 1 - lr * c.weightDecay : 1.0;
  return a;
}

// Adam, AdamW (decoupled decay first) and AMSGrad (v_max ← max(v_max, v) on the uncorrected v).
template <class T>
T adamElement(OptimizerKind kind, T theta, T g, T& m, T& v, T& vMax, const OptimizerConfig& c,
              const AdamCoefficients& a, double lr, ElementTrace<T>& tr) {
  const double beta1 = c.beta1, beta2 = c.beta2;
  if (kind == OptimizerKind::AdamW) theta = static_cast<T>(a.decay) * theta; // param.mul_(1 − ηλ)
  m = m * static_cast<T>(beta1) + static_cast<T>(1 - beta1) * g; // exp_avg.mul_(β₁).add_(g, 1−β₁)
  v = v * static_cast<T>(beta2) + static_cast<T>(1 - beta2) * g * g; // exp_avg_sq...addcmul_
  // AMSGrad keeps the largest v so far, so the per-coordinate rate can only shrink.
  vMax = std::max(vMax, v);
  const T second = kind == OptimizerKind::AMSGrad ? vMax : v;
  // denom = (v.sqrt() / bias_correction2_sqrt).add_(eps), which is √v̂ + ε.
  const T denom = std::sqrt(second) / static_cast<T>(a.biasCorrection2Sqrt) + static_cast<T>(c.eps);
  tr.m = m;
  tr.v = v;
  tr.vMax = kind == OptimizerKind::AMSGrad ? vMax : T{};
  tr.mHat = static_cast<T>(1.0 / a.biasCorrection1) * m;
  tr.vHat = static_cast<T>(1.0 / a.biasCorrection2) * second;
  tr.direction = tr.mHat;
  tr.effectiveLr = static_cast<T>(lr) / denom;
  return theta + static_cast<T>(-a.stepSize) * m / denom; // param.addcdiv_(m, denom, -step_size)
}

} // namespace nnlab::detail
