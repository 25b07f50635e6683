#include "nnlab/optim.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

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
// Each line mirrors the PyTorch 1.13 tensor operation named beside it, in the same order, so the
// rounding matches too: p.add_(d, alpha=a) is p + a·d; addcmul_(t1, t2, value=c) is + c·t1·t2;
// addcdiv_(t1, t2, value=c) is + c·t1 / t2.

Vec2 SgdOptimizer::step(Vec2 theta, Vec2 g, double lr, OptimizerState& s) {
  s = {.t = ++t_, .lr = lr, .gradient = g, .direction = g, .effectiveLr = {lr, lr}};
  s.step = -lr * g; // param.add_(d_p, alpha=-lr)
  return theta + s.step;
}

OptimizerFields MomentumOptimizer::fields() const {
  if (config_.momentumForm == MomentumForm::HeavyBall) return {.m = true};
  return {.m = true, .mHat = config_.biasCorrection};
}

Vec2 MomentumOptimizer::step(Vec2 theta, Vec2 g, double lr, OptimizerState& s) {
  const double beta = config_.beta;
  s = {.t = ++t_, .lr = lr, .gradient = g, .effectiveLr = {lr, lr}};
  if (config_.momentumForm == MomentumForm::HeavyBall) {
    // buf.mul_(β).add_(d_p): from m₀ = 0 the first step gives m₁ = g, torch's clone of d_p.
    m_ = beta * m_ + g;
    s.mHat = m_;
  } else {
    // m ← βm + (1 − β)g is a weighted average whose weights sum to 1 − βᵗ; dividing by that
    // sum removes the pull towards m₀ = 0 over the first ~1/(1 − β) steps.
    m_ = beta * m_ + (1 - beta) * g;
    s.mHat = config_.biasCorrection ? (1.0 / (1 - std::pow(beta, t_))) * m_ : m_;
  }
  s.m = m_;
  s.direction = s.mHat;
  s.step = -lr * s.direction;
  return theta + s.step;
}

Vec2 NesterovOptimizer::step(Vec2 theta, Vec2 g, double lr, OptimizerState& s) {
  s = {.t = ++t_, .lr = lr, .gradient = g, .effectiveLr = {lr, lr}};
  m_ = config_.beta * m_ + g; // buf.mul_(β).add_(d_p)
  s.m = s.mHat = m_;
  s.direction = g + config_.beta * m_; // d_p = d_p.add(buf, alpha=β)
  s.step = -lr * s.direction;          // param.add_(d_p, alpha=-lr)
  return theta + s.step;
}

Vec2 AdaGradOptimizer::step(Vec2 theta, Vec2 g, double lr, OptimizerState& s) {
  s = {.t = ++t_, .lr = lr, .gradient = g, .direction = g};
  sum_ = {sum_.x + g.x * g.x, sum_.y + g.y * g.y}; // state_sum.addcmul_(grad, grad, value=1)
  const Vec2 denom = {std::sqrt(sum_.x) + config_.eps, std::sqrt(sum_.y) + config_.eps};
  s.v = s.vHat = sum_;
  s.effectiveLr = {lr / denom.x, lr / denom.y};
  s.step = {-lr * g.x / denom.x, -lr * g.y / denom.y}; // param.addcdiv_(grad, std, value=-clr)
  return theta + s.step;
}

Vec2 RmsPropOptimizer::step(Vec2 theta, Vec2 g, double lr, OptimizerState& s) {
  const double alpha = config_.beta;
  s = {.t = ++t_, .lr = lr, .gradient = g, .direction = g};
  // square_avg.mul_(α).addcmul_(grad, grad, value=1 − α)
  v_ = {v_.x * alpha + (1 - alpha) * g.x * g.x, v_.y * alpha + (1 - alpha) * g.y * g.y};
  const Vec2 denom = {std::sqrt(v_.x) + config_.eps, std::sqrt(v_.y) + config_.eps};
  s.v = s.vHat = v_;
  s.effectiveLr = {lr / denom.x, lr / denom.y};
  s.step = {-lr * g.x / denom.x, -lr * g.y / denom.y}; // param.addcdiv_(grad, avg, value=-lr)
  return theta + s.step;
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
  const double beta1 = config_.beta1, beta2 = config_.beta2, eps = config_.eps;
  s = {.t = ++t_, .lr = lr, .gradient = g};
  const Vec2 start = theta;
  if (kind_ == OptimizerKind::AdamW) theta = (1 - lr * config_.weightDecay) * theta; // param.mul_

  m_ = {m_.x * beta1 + (1 - beta1) * g.x, m_.y * beta1 + (1 - beta1) * g.y};
  v_ = {v_.x * beta2 + (1 - beta2) * g.x * g.x, v_.y * beta2 + (1 - beta2) * g.y * g.y};
  // AMSGrad keeps the largest v so far, so the per-coordinate rate can only shrink.
  vMax_ = {std::max(vMax_.x, v_.x), std::max(vMax_.y, v_.y)};
  const Vec2 second = kind_ == OptimizerKind::AMSGrad ? vMax_ : v_;

  // With bias correction off, both corrections are 1 and the formulas below reduce to
  // θ ← θ − η m / (√v + ε).
  const double biasCorrection1 = config_.biasCorrection ? 1 - std::pow(beta1, t_) : 1.0;
  const double biasCorrection2 = config_.biasCorrection ? 1 - std::pow(beta2, t_) : 1.0;
  const double stepSize = lr / biasCorrection1;
  const double biasCorrection2Sqrt = std::sqrt(biasCorrection2);
  // denom = (v.sqrt() / bias_correction2_sqrt).add_(eps), which is √v̂ + ε.
  const Vec2 denom = {std::sqrt(second.x) / biasCorrection2Sqrt + eps,
                      std::sqrt(second.y) / biasCorrection2Sqrt + eps};
  // param.addcdiv_(exp_avg, denom, value=-step_size)
  theta = {theta.x + -stepSize * m_.x / denom.x, theta.y + -stepSize * m_.y / denom.y};

  s.m = m_;
  s.v = v_;
  s.vMax = kind_ == OptimizerKind::AMSGrad ? vMax_ : Vec2{};
  s.mHat = (1.0 / biasCorrection1) * m_;
  s.vHat = (1.0 / biasCorrection2) * second;
  s.direction = s.mHat;
  s.effectiveLr = {lr / denom.x, lr / denom.y};
  s.step = theta - start;
  return theta;
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
