#include "nnlab/optim.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "optim_rules.h"

namespace nnlab {

namespace {

struct OptimizerInfo {
  OptimizerKind kind;
  std::string_view id, title, formula;
};

constexpr OptimizerInfo kInfo[] = {
    {OptimizerKind::SGD, "sgd", "SGD", "θ ← θ − η g"},
    {OptimizerKind::Momentum, "momentum", "Momentum", "m ← βm + g,  θ ← θ − η m"},
    {OptimizerKind::Nesterov, "nesterov", "Nesterov", "m ← βm + g,  θ ← θ − η (g + βm)"},
    {OptimizerKind::AdaGrad, "adagrad", "AdaGrad", "G ← G + g²,  θ ← θ − η g / (√G + ε)"},
    {OptimizerKind::RMSProp, "rmsprop", "RMSProp", "v ← αv + (1 − α)g²,  θ ← θ − η g / (√v + ε)"},
    {OptimizerKind::Adam, "adam", "Adam",
     "m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,  θ ← θ − η m̂ / (√v̂ + ε)"},
    {OptimizerKind::AdamW, "adamw", "AdamW", "θ ← θ(1 − ηλ),  then the Adam step"},
    {OptimizerKind::AMSGrad, "amsgrad", "AMSGrad",
     "v_max ← max(v_max, v),  θ ← θ − η m̂ / (√(v_max / (1 − β₂ᵗ)) + ε)"},
};

const OptimizerInfo& info(OptimizerKind kind) {
  return kInfo[static_cast<int>(kind)];
}

std::string formatNumber(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.15g", v); // 0.001, 1e-08: as Python's repr writes them
  return buffer;
}

bool isAdamFamily(OptimizerKind kind) {
  return kind == OptimizerKind::Adam || kind == OptimizerKind::AdamW ||
         kind == OptimizerKind::AMSGrad;
}

} // namespace

// ---- the step functions ---------------------------------------------------------------------
// The update rules live once, element by element, in optim_rules.h (shared with the training
// lab's parameter tensors, param_optim.cpp); a Vec2 step applies them to x and y in double.

namespace {

// Runs `rule(theta, g, trace, coordinate)` on both coordinates and gathers the traces into `s`.
template <class Rule> Vec2 stepCoordinates(Vec2 theta, Vec2 g, OptimizerState& s, Rule rule) {
  detail::ElementTrace<double> tx, ty;
  const Vec2 next{rule(theta.x, g.x, tx, 0), rule(theta.y, g.y, ty, 1)};
  s.m = {tx.m, ty.m};
  s.v = {tx.v, ty.v};
  s.mHat = {tx.mHat, ty.mHat};
  s.vHat = {tx.vHat, ty.vHat};
  s.vMax = {tx.vMax, ty.vMax};
  s.direction = {tx.direction, ty.direction};
  s.effectiveLr = {tx.effectiveLr, ty.effectiveLr};
  s.step = next - theta;
  return next;
}

double& coordinate(Vec2& v, int i) {
  return i == 0 ? v.x : v.y;
}

} // namespace

Vec2 SgdOptimizer::step(Vec2 theta, Vec2 g, double lr, OptimizerState& s) {
  s = {.t = ++t_, .lr = lr, .gradient = g};
  return stepCoordinates(theta, g, s, [&](double th, double gi, auto& tr, int) {
    return detail::sgdElement(th, gi, lr, tr);
  });
}

OptimizerFields MomentumOptimizer::fields() const {
  if (config_.momentumForm == MomentumForm::HeavyBall) return {.m = true};
  return {.m = true, .mHat = config_.biasCorrection};
}

Vec2 MomentumOptimizer::step(Vec2 theta, Vec2 g, double lr, OptimizerState& s) {
  s = {.t = ++t_, .lr = lr, .gradient = g};
  const double correction = detail::momentumCorrection(config_, t_);
  return stepCoordinates(theta, g, s, [&](double th, double gi, auto& tr, int i) {
    return detail::momentumElement(th, gi, coordinate(m_, i), config_, correction, lr, tr);
  });
}

Vec2 NesterovOptimizer::step(Vec2 theta, Vec2 g, double lr, OptimizerState& s) {
  s = {.t = ++t_, .lr = lr, .gradient = g};
  return stepCoordinates(theta, g, s, [&](double th, double gi, auto& tr, int i) {
    return detail::nesterovElement(th, gi, coordinate(m_, i), config_, lr, tr);
  });
}

Vec2 AdaGradOptimizer::step(Vec2 theta, Vec2 g, double lr, OptimizerState& s) {
  s = {.t = ++t_, .lr = lr, .gradient = g};
  return stepCoordinates(theta, g, s, [&](double th, double gi, auto& tr, int i) {
    return detail::adagradElement(th, gi, coordinate(sum_, i), config_, lr, tr);
  });
}

Vec2 RmsPropOptimizer::step(Vec2 theta, Vec2 g, double lr, OptimizerState& s) {
  s = {.t = ++t_, .lr = lr, .gradient = g};
  return stepCoordinates(theta, g, s, [&](double th, double gi, auto& tr, int i) {
    return detail::rmspropElement(th, gi, coordinate(v_, i), config_, lr, tr);
  });
}

AdamOptimizer::AdamOptimizer(OptimizerKind kind, const OptimizerConfig& config)
    : Optimizer(config), kind_(kind) {}

OptimizerFields AdamOptimizer::fields() const {
  const bool corrected = config_.biasCorrection;
  return {.m = true,
          .v = true,
          .mHat = corrected,
          .vHat = corrected,
          .vMax = kind_ == OptimizerKind::AMSGrad};
}

Vec2 AdamOptimizer::step(Vec2 theta, Vec2 g, double lr, OptimizerState& s) {
  s = {.t = ++t_, .lr = lr, .gradient = g};
  const detail::AdamCoefficients a = detail::adamCoefficients(kind_, config_, t_, lr);
  return stepCoordinates(theta, g, s, [&](double th, double gi, auto& tr, int i) {
    return detail::adamElement(kind_, th, gi, coordinate(m_, i), coordinate(v_, i),
                               coordinate(vMax_, i), config_, a, lr, tr);
  });
}

// ---- names, defaults, factory ----------------------------------------------------------------

std::string_view optimizerId(OptimizerKind kind) {
  return info(kind).id;
}
std::string_view optimizerTitle(OptimizerKind kind) {
  return info(kind).title;
}
std::string_view optimizerFormula(OptimizerKind kind) {
  return info(kind).formula;
}

std::optional<OptimizerKind> optimizerKindFromId(std::string_view id) {
  for (const OptimizerInfo& i : kInfo)
    if (i.id == id) return i.kind;
  return std::nullopt;
}

std::vector<std::string> optimizerNames() {
  std::vector<std::string> names;
  for (OptimizerKind kind : kAllOptimizerKinds) names.emplace_back(optimizerId(kind));
  return names;
}

OptimizerConfig defaultOptimizerConfig(OptimizerKind kind) {
  OptimizerConfig config;
  switch (kind) {
  case OptimizerKind::SGD:
  case OptimizerKind::Momentum:
  case OptimizerKind::Nesterov: config.lr = 0.01, config.beta = 0.9; break;
  case OptimizerKind::AdaGrad: config.lr = 0.01, config.eps = 1e-10; break;
  case OptimizerKind::RMSProp: config.lr = 0.01, config.beta = 0.99, config.eps = 1e-8; break;
  case OptimizerKind::Adam:
  case OptimizerKind::AMSGrad: config.lr = 1e-3, config.weightDecay = 0; break;
  case OptimizerKind::AdamW: config.lr = 1e-3, config.weightDecay = 0.01; break;
  }
  return config;
}

Status validateOptimizerConfig(OptimizerKind kind, const OptimizerConfig& config) {
  auto got = [](double v) { return " (got " + formatNumber(v) + ")"; };
  if (!(std::isfinite(config.lr) && config.lr >= 0))
    return Error{"lr", "must be a finite number ≥ 0" + got(config.lr)};
  const bool usesBeta = kind == OptimizerKind::Momentum || kind == OptimizerKind::Nesterov ||
                        kind == OptimizerKind::RMSProp;
  // β = 1 would never forget (and make the bias correction 1 − βᵗ zero): require [0, 1).
  if (usesBeta && !(config.beta >= 0 && config.beta < 1))
    return Error{"beta", "must be in [0, 1)" + got(config.beta)};
  if (isAdamFamily(kind)) {
    if (!(config.beta1 >= 0 && config.beta1 < 1))
      return Error{"beta1", "must be in [0, 1)" + got(config.beta1)};
    if (!(config.beta2 >= 0 && config.beta2 < 1))
      return Error{"beta2", "must be in [0, 1)" + got(config.beta2)};
  }
  const bool usesEps =
      kind == OptimizerKind::AdaGrad || kind == OptimizerKind::RMSProp || isAdamFamily(kind);
  if (usesEps && !(std::isfinite(config.eps) && config.eps >= 0))
    return Error{"eps", "must be a finite number ≥ 0" + got(config.eps)};
  if (kind == OptimizerKind::AdamW &&
      !(std::isfinite(config.weightDecay) && config.weightDecay >= 0))
    return Error{"weight-decay", "must be a finite number ≥ 0" + got(config.weightDecay)};
  return Status::success();
}

Result<std::unique_ptr<Optimizer>> makeOptimizer(OptimizerKind kind,
                                                 const OptimizerConfig& config) {
  if (Status valid = validateOptimizerConfig(kind, config); !valid) return valid.error();
  switch (kind) {
  case OptimizerKind::SGD: return std::unique_ptr<Optimizer>(new SgdOptimizer(config));
  case OptimizerKind::Momentum: return std::unique_ptr<Optimizer>(new MomentumOptimizer(config));
  case OptimizerKind::Nesterov: return std::unique_ptr<Optimizer>(new NesterovOptimizer(config));
  case OptimizerKind::AdaGrad: return std::unique_ptr<Optimizer>(new AdaGradOptimizer(config));
  case OptimizerKind::RMSProp: return std::unique_ptr<Optimizer>(new RmsPropOptimizer(config));
  case OptimizerKind::Adam:
  case OptimizerKind::AdamW:
  case OptimizerKind::AMSGrad: return std::unique_ptr<Optimizer>(new AdamOptimizer(kind, config));
  }
  return Error{"optimizer", "unhandled kind"};
}

Result<std::unique_ptr<Optimizer>> makeOptimizer(std::string_view name,
                                                 const OptimizerConfig& config) {
  const std::optional<OptimizerKind> kind = optimizerKindFromId(name);
  if (!kind) {
    std::string list;
    for (const OptimizerInfo& i : kInfo) list += (list.empty() ? "" : ", ") + std::string(i.id);
    return Error{"optimizer",
                 "unknown optimizer '" + std::string(name) + "' (known: " + list + ")"};
  }
  return makeOptimizer(*kind, config);
}

std::string pytorchConstructor(OptimizerKind kind, const OptimizerConfig& c) {
  const std::string lr = "lr=" + formatNumber(c.lr);
  const std::string betas = "betas=(" + formatNumber(c.beta1) + ", " + formatNumber(c.beta2) + ")";
  const std::string eps = "eps=" + formatNumber(c.eps);
  const std::string noCorrection =
      c.biasCorrection ? "" : "  # PyTorch has no switch for Adam without bias correction";
  switch (kind) {
  case OptimizerKind::SGD: return "torch.optim.SGD(params, " + lr + ")";
  case OptimizerKind::Momentum:
    if (c.momentumForm == MomentumForm::HeavyBall)
      return "torch.optim.SGD(params, " + lr + ", momentum=" + formatNumber(c.beta) + ")";
    return "torch.optim.SGD(params, " + lr + ", momentum=" + formatNumber(c.beta) +
           ", dampening=" + formatNumber(c.beta) +
           ")  # close, not equal: torch seeds m₁ = g, the EMA form m₁ = (1 − β)g" +
           (c.biasCorrection ? " then divides by 1 − βᵗ" : "");
  case OptimizerKind::Nesterov:
    return "torch.optim.SGD(params, " + lr + ", momentum=" + formatNumber(c.beta) +
           ", nesterov=True)";
  case OptimizerKind::AdaGrad: return "torch.optim.Adagrad(params, " + lr + ", " + eps + ")";
  case OptimizerKind::RMSProp:
    return "torch.optim.RMSprop(params, " + lr + ", alpha=" + formatNumber(c.beta) + ", " + eps +
           ")";
  case OptimizerKind::Adam:
    return "torch.optim.Adam(params, " + lr + ", " + betas + ", " + eps + ")" + noCorrection;
  case OptimizerKind::AdamW:
    return "torch.optim.AdamW(params, " + lr + ", " + betas + ", " + eps +
           ", weight_decay=" + formatNumber(c.weightDecay) + ")" + noCorrection;
  case OptimizerKind::AMSGrad:
    return "torch.optim.Adam(params, " + lr + ", " + betas + ", " + eps + ", amsgrad=True)" +
           noCorrection;
  }
  return {};
}

} // namespace nnlab
