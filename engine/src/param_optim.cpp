#include "nnlab/param_optim.h"

#include <cassert>

#include "optim_rules.h"

namespace nnlab {

Result<ParameterOptimizer> ParameterOptimizer::make(OptimizerKind kind,
                                                    const OptimizerConfig& config) {
  if (Status valid = validateOptimizerConfig(kind, config); !valid) return valid.error();
  return ParameterOptimizer(kind, config);
}

void ParameterOptimizer::reset() {
  t_ = 0;
  moments_.clear();
}

void ParameterOptimizer::step(const std::vector<Parameter*>& parameters, double lr) {
  ++t_;
  if (moments_.empty()) {
    moments_.resize(parameters.size());
    for (size_t i = 0; i < parameters.size(); ++i) {
      const size_t n = static_cast<size_t>(parameters[i]->value.numel());
      moments_[i].m.assign(n, 0.0f);
      moments_[i].v.assign(n, 0.0f);
      moments_[i].vMax.assign(n, 0.0f);
    }
  }
  assert(moments_.size() == parameters.size() && "the same parameters at every step");
  const double correction = detail::momentumCorrection(config_, t_);
  const detail::AdamCoefficients adam = detail::adamCoefficients(kind_, config_, t_, lr);
  for (size_t i = 0; i < parameters.size(); ++i) {
    float* theta = parameters[i]->value.data();
    const float* g = parameters[i]->grad.data();
    float* m = moments_[i].m.data();
    float* v = moments_[i].v.data();
    float* vMax = moments_[i].vMax.data();
    const Index n = parameters[i]->value.numel();
    detail::ElementTrace<float> tr; // the inspector's view; unused here
    switch (kind_) {
    case OptimizerKind::SGD:
      for (Index j = 0; j < n; ++j) theta[j] = detail::sgdElement(theta[j], g[j], lr, tr);
      break;
    case OptimizerKind::Momentum:
      for (Index j = 0; j < n; ++j)
        theta[j] = detail::momentumElement(theta[j], g[j], m[j], config_, correction, lr, tr);
      break;
    case OptimizerKind::Nesterov:
      for (Index j = 0; j < n; ++j)
        theta[j] = detail::nesterovElement(theta[j], g[j], m[j], config_, lr, tr);
      break;
    case OptimizerKind::AdaGrad:
      for (Index j = 0; j < n; ++j)
        theta[j] = detail::adagradElement(theta[j], g[j], v[j], config_, lr, tr);
      break;
    case OptimizerKind::RMSProp:
      for (Index j = 0; j < n; ++j)
        theta[j] = detail::rmspropElement(theta[j], g[j], v[j], config_, lr, tr);
      break;
    case OptimizerKind::Adam:
    case OptimizerKind::AdamW:
    case OptimizerKind::AMSGrad:
      for (Index j = 0; j < n; ++j)
        theta[j] =
            detail::adamElement(kind_, theta[j], g[j], m[j], v[j], vMax[j], config_, adam, lr, tr);
      break;
    }
  }
}

} // namespace nnlab
