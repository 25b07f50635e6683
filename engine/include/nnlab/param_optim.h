// param_optim.h: the optimizers of optim.h over a network's parameter tensors.
//
// The same OptimizerKind, OptimizerConfig and update rules as the optimizer lab's Vec2 classes:
// both run the element-wise rules of engine/src/optim_rules.h (written once), here over every
// element of every parameter in float, as torch.optim does for float32 parameters. Moments are
// kept per parameter, in the order the parameters are given (the same order every step).
//
//   Result<ParameterOptimizer> opt = ParameterOptimizer::make(OptimizerKind::Adam, config);
//   net.backward(ce.gradLogits);
//   opt->step(net.parameters(), schedule.learningRate(config.lr, t, total));
#pragma once

#include <vector>

#include "nnlab/layers.h"
#include "nnlab/optim.h"
#include "nnlab/status.h"

namespace nnlab {

class ParameterOptimizer {
public:
  // Validates the configuration (validateOptimizerConfig) and starts at step 0.
  static Result<ParameterOptimizer> make(OptimizerKind kind, const OptimizerConfig& config);

  // One update θ ← rule(θ, ∂L/∂θ) of every parameter with learning rate `lr` (the schedule's η_t).
  // The list must name the same parameters, in the same order, at every step.
  void step(const std::vector<Parameter*>& parameters, double lr);
  // Forget the moments and the step count.
  void reset();

  OptimizerKind kind() const { return kind_; }
  const OptimizerConfig& config() const { return config_; }
  int stepCount() const { return t_; }

private:
  ParameterOptimizer(OptimizerKind kind, const OptimizerConfig& config)
      : kind_(kind), config_(config) {}

  struct Moments {
    std::vector<float> m, v, vMax; // sized on first use: m (momentum, Nesterov, Adam family),
                                   // v (AdaGrad's Σg², RMSProp, Adam), vMax (AMSGrad)
  };
  OptimizerKind kind_;
  OptimizerConfig config_;
  int t_ = 0;
  std::vector<Moments> moments_; // one per parameter
};

} // namespace nnlab
