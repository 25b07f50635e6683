// optim.h: first-order optimizers on a point θ = (x, y), one small class per method, each with
// one step function and its internal state exposed for the lab's inspector.
//
// Contents
//   OptimizerKind, OptimizerConfig   what to run and with which hyper-parameters
//   OptimizerState                   what one step did (g, m, v, m̂, v̂, effective rate, step)
//   Optimizer and its subclasses     SgdOptimizer, MomentumOptimizer, NesterovOptimizer,
//                                    AdaGradOptimizer, RmsPropOptimizer, AdamOptimizer
//   makeOptimizer(), optimizerNames()  the factory by name, as the CLI and scene files use it
//
// The update formulas are PyTorch 1.13's (torch/optim/*.py, the single-tensor code path), step t
// counted from 1, g the gradient at θ_{t−1}, η_t the learning rate of step t:
//   sgd        θ ← θ − η g                                          torch.optim.SGD(lr)
//   momentum   heavy-ball form (default): m ← βm + g,  θ ← θ − η m    SGD(lr, momentum=β)
//                torch seeds the buffer with m₁ = g, which is βm₀ + g with m₀ = 0: identical.
//              EMA form: m ← βm + (1 − β)g, m̂ = m / (1 − βᵗ) (bias correction, optional),
//                θ ← θ − η m̂. Not a PyTorch option: SGD(momentum=β, dampening=β) also scales g
//                by 1 − β but seeds m₁ = g instead of (1 − β)g, which equals the bias-corrected
//                m̂₁ at step 1 only. The EMA form takes steps ≈ (1 − β)× the heavy-ball form's.
//   nesterov   m ← βm + g,  θ ← θ − η (g + βm)                       SGD(momentum=β, nesterov=True)
//                (the "look-ahead" written at the current point, as PyTorch and Sutskever et al.)
//   adagrad    G ← G + g²,  θ ← θ − η g / (√G + ε)                   Adagrad(lr, eps) ε = 1e-10
//   rmsprop    v ← αv + (1 − α)g²,  θ ← θ − η g / (√v + ε)          RMSprop(lr, alpha=α, eps)
//                α is `beta` here (--beta); default 0.99, ε = 1e-8 as PyTorch
//   adam       m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,           Adam(lr, betas, eps)
//              θ ← θ − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)   = η m̂ / (√v̂ + ε)
//              biasCorrection = false drops both corrections: θ ← θ − η m / (√v + ε) (not a
//              PyTorch option; it is the "Adam without bias correction" of the lecture).
//   adamw      θ ← θ(1 − η λ) first (decoupled weight decay λ), then the Adam step
//                                                                    AdamW(lr, betas, eps,
//                                                                    weight_decay=λ)
//   amsgrad    v_max ← max(v_max, v) on the *uncorrected* v, then Adam with √v_max / √(1 − β₂ᵗ)
//                                                                    Adam(lr, betas, eps,
//                                                                    amsgrad=True)
//              (Reddi et al. take the max of v̂ and no bias correction; PyTorch's order is kept.)
// Arithmetic is double throughout and in PyTorch's operation order, so a path matches torch in
// float64 to rounding (tests/golden/make_optim_golden.py).
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nnlab/status.h"
#include "nnlab/vec2.h"

namespace nnlab {

enum class OptimizerKind { SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam, AdamW, AMSGrad };

inline constexpr std::array<OptimizerKind, 8> kAllOptimizerKinds = {
    OptimizerKind::SGD,     OptimizerKind::Momentum, OptimizerKind::Nesterov,
    OptimizerKind::AdaGrad, OptimizerKind::RMSProp,  OptimizerKind::Adam,
    OptimizerKind::AdamW,   OptimizerKind::AMSGrad};

enum class MomentumForm {
  HeavyBall, // m ← βm + g          (PyTorch's SGD momentum)
  Ema,       // m ← βm + (1 − β)g   (an exponential moving average; optionally bias-corrected)
};

// Hyper-parameters. Start from defaultOptimizerConfig(kind) (PyTorch's defaults) and change what
// the user set; each optimizer reads only its own fields.
struct OptimizerConfig {
  double lr = 0.01;  // base learning rate η; a schedule scales it per step
  double beta = 0.9; // momentum, nesterov: β of the velocity; rmsprop: α of the g² average
  MomentumForm momentumForm = MomentumForm::HeavyBall; // momentum only
  double beta1 = 0.9;         // adam, adamw, amsgrad: decay of the first moment m
  double beta2 = 0.999;       // adam, adamw, amsgrad: decay of the second moment v
  double eps = 1e-8;          // added to the denominator √v (adagrad's default is 1e-10)
  bool biasCorrection = true; // adam, adamw, amsgrad; momentum in its EMA form
  double weightDecay = 0.01;  // adamw only: decoupled decay λ
};

// What one step did, for the inspector. Fields an optimizer does not have stay zero; see
// OptimizerFields for which ones to show.
struct OptimizerState {
  int t = 0;          // step number, from 1
  double lr = 0.0;    // η_t used by this step
  Vec2 gradient{};    // g_t as the optimizer received it (gradient noise included)
  Vec2 m{};           // first moment after the update: Adam's m, momentum's velocity buffer
  Vec2 v{};           // second moment: Adam's and RMSProp's v, AdaGrad's sum G
  Vec2 mHat{};        // bias-corrected m (= m when there is no correction)
  Vec2 vHat{};        // bias-corrected v (= v, or = v_max / (1 − β₂ᵗ) for AMSGrad)
  Vec2 vMax{};        // AMSGrad's running maximum of v
  Vec2 direction{};   // what the rate multiplies: g, m, m̂, or g + βm (Nesterov)
  Vec2 effectiveLr{}; // per coordinate: η for SGD/momentum, η / (√v̂ + ε) for the adaptive ones
  Vec2 step{};        // θ_t − θ_{t−1}; = −effectiveLr ⊙ direction, plus AdamW's −ηλθ
};

// Which OptimizerState fields carry meaning for an optimizer (t, lr, gradient, direction,
// effectiveLr and step always do).
struct OptimizerFields {
  bool m = false, v = false, mHat = false, vHat = false, vMax = false;
};

class Optimizer {
public:
  explicit Optimizer(const OptimizerConfig& config) : config_(config) {}
  virtual ~Optimizer() = default;

  virtual OptimizerKind kind() const = 0;
  virtual OptimizerFields fields() const = 0;

  // One update from θ_{t−1} = `theta` with gradient g = `gradient` and learning rate `lr` (the
  // schedule's η_t, not config().lr). Fills `state` and returns θ_t.
  virtual Vec2 step(Vec2 theta, Vec2 gradient, double lr, OptimizerState& state) = 0;
  // Forget the moments and the step count, as a freshly constructed optimizer.
  virtual void reset() = 0;

  const OptimizerConfig& config() const { return config_; }
  int stepCount() const { return t_; }

protected:
  OptimizerConfig config_;
  int t_ = 0; // steps taken
};

class SgdOptimizer final : public Optimizer {
public:
  using Optimizer::Optimizer;
  OptimizerKind kind() const override { return OptimizerKind::SGD; }
  OptimizerFields fields() const override { return {}; }
  Vec2 step(Vec2 theta, Vec2 gradient, double lr, OptimizerState& state) override;
  void reset() override { t_ = 0; }
};

class MomentumOptimizer final : public Optimizer {
public:
  using Optimizer::Optimizer;
  OptimizerKind kind() const override { return OptimizerKind::Momentum; }
  OptimizerFields fields() const override;
  Vec2 step(Vec2 theta, Vec2 gradient, double lr, OptimizerState& state) override;
  void reset() override {
    t_ = 0;
    m_ = {};
  }

private:
  Vec2 m_;
};

class NesterovOptimizer final : public Optimizer {
public:
  using Optimizer::Optimizer;
  OptimizerKind kind() const override { return OptimizerKind::Nesterov; }
  OptimizerFields fields() const override { return {.m = true}; }
  Vec2 step(Vec2 theta, Vec2 gradient, double lr, OptimizerState& state) override;
  void reset() override {
    t_ = 0;
    m_ = {};
  }

private:
  Vec2 m_;
};

class AdaGradOptimizer final : public Optimizer {
public:
  using Optimizer::Optimizer;
  OptimizerKind kind() const override { return OptimizerKind::AdaGrad; }
  OptimizerFields fields() const override { return {.v = true}; }
  Vec2 step(Vec2 theta, Vec2 gradient, double lr, OptimizerState& state) override;
  void reset() override {
    t_ = 0;
    sum_ = {};
  }

private:
  Vec2 sum_; // G = Σ g², PyTorch's state_sum
};

class RmsPropOptimizer final : public Optimizer {
public:
  using Optimizer::Optimizer;
  OptimizerKind kind() const override { return OptimizerKind::RMSProp; }
  OptimizerFields fields() const override { return {.v = true}; }
  Vec2 step(Vec2 theta, Vec2 gradient, double lr, OptimizerState& state) override;
  void reset() override {
    t_ = 0;
    v_ = {};
  }

private:
  Vec2 v_; // PyTorch's square_avg
};

// Adam, AdamW and AMSGrad share the moments; `kind` picks the variant.
class AdamOptimizer final : public Optimizer {
public:
  AdamOptimizer(OptimizerKind kind, const OptimizerConfig& config);
  OptimizerKind kind() const override { return kind_; }
  OptimizerFields fields() const override;
  Vec2 step(Vec2 theta, Vec2 gradient, double lr, OptimizerState& state) override;
  void reset() override {
    t_ = 0;
    m_ = v_ = vMax_ = {};
  }

private:
  OptimizerKind kind_;
  Vec2 m_, v_, vMax_;
};

std::string_view optimizerId(OptimizerKind kind);      // "sgd", "momentum", ..., "amsgrad"
std::string_view optimizerTitle(OptimizerKind kind);   // "SGD", "Momentum", ..., "AMSGrad"
std::string_view optimizerFormula(OptimizerKind kind); // the update rule in UTF-8
std::optional<OptimizerKind> optimizerKindFromId(std::string_view id);
std::vector<std::string> optimizerNames(); // every id, in kAllOptimizerKinds order

// PyTorch's defaults (torch 1.13), with lr = 0.01 for SGD-family where torch requires one.
OptimizerConfig defaultOptimizerConfig(OptimizerKind kind);

// Checks the fields `kind` reads. Error::where is the field's flag name without dashes ("lr",
// "beta", "beta1", "beta2", "eps", "weight-decay") so the CLI and the UI can point at it.
Status validateOptimizerConfig(OptimizerKind kind, const OptimizerConfig& config);

Result<std::unique_ptr<Optimizer>> makeOptimizer(OptimizerKind kind, const OptimizerConfig& config);
// By id; an unknown name is an Error{"optimizer", "unknown optimizer 'x' (known: ...)"}.
Result<std::unique_ptr<Optimizer>> makeOptimizer(std::string_view name,
                                                 const OptimizerConfig& config);

// The PyTorch line that builds the same optimizer ("copy as PyTorch"), for instance
//   "torch.optim.Adam(params, lr=0.001, betas=(0.9, 0.999), eps=1e-08)".
// Settings PyTorch has no switch for (EMA momentum, Adam without bias correction) add a trailing
// "  # ..." comment saying so.
std::string pytorchConstructor(OptimizerKind kind, const OptimizerConfig& config);

} // namespace nnlab
