#include "nnlab/activations.h"

#include <cmath>

namespace nnlab {

namespace {

double sigmoid(double x) {
  // Two branches keep e^(−x) from overflowing for large negative x.
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1.0 + e);
}

// Φ(x) = ½(1 + erf(x/√2)) and its density φ(x) = e^(−x²/2)/√(2π).
double normalCdf(double x) { return 0.5 * (1.0 + std::erf(x / std::sqrt(2.0))); }
double normalPdf(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2.0 * M_PI); }

struct ActivationInfo {
  Activation activation;
  std::string_view id, name, formula;
  bool hasAlpha;
};

constexpr ActivationInfo kInfo[] = {
    {Activation::ReLU, "relu", "ReLU", "max(0, x)", false},
    {Activation::LeakyReLU, "leaky_relu", "Leaky ReLU", "max(αx, x)", true},
    {Activation::ELU, "elu", "ELU", "x > 0 ? x : α(eˣ − 1)", true},
    {Activation::Sigmoid, "sigmoid", "Sigmoid", "σ(x) = 1 / (1 + e⁻ˣ)", false},
    {Activation::Tanh, "tanh", "Tanh", "tanh(x)", false},
    {Activation::Softplus, "softplus", "Softplus", "ln(1 + eˣ)", false},
    {Activation::GELU, "gelu", "GELU", "x·Φ(x)", false},
    {Activation::SiLU, "silu", "SiLU (swish)", "x·σ(x)", false},
};

const ActivationInfo& info(Activation a) { return kInfo[static_cast<int>(a)]; }

} // namespace

std::string_view activationId(Activation a) { return info(a).id; }
std::string_view activationName(Activation a) { return info(a).name; }
std::string_view activationFormula(Activation a) { return info(a).formula; }
bool activationHasAlpha(Activation a) { return info(a).hasAlpha; }

std::optional<Activation> activationFromId(std::string_view id) {
  for (const ActivationInfo& i : kInfo)
    if (i.id == id) return i.activation;
  return std::nullopt;
}

double activate(Activation a, double x, double alpha) {
  switch (a) {
  case Activation::ReLU: return x > 0 ? x : 0.0;
  case Activation::LeakyReLU: return x > 0 ? x : alpha * x;
  case Activation::ELU: return x > 0 ? x : alpha * std::expm1(x);
  case Activation::Sigmoid: return sigmoid(x);
  case Activation::Tanh: return std::tanh(x);
  // ln(1 + eˣ) = max(x, 0) + ln(1 + e^(−|x|)): no overflow for large x.
  case Activation::Softplus: return std::max(x, 0.0) + std::log1p(std::exp(-std::fabs(x)));
  case Activation::GELU: return x * normalCdf(x);
  case Activation::SiLU: return x * sigmoid(x);
  }
  return 0.0;
}

double activationDerivative(Activation a, double x, double alpha) {
  switch (a) {
  case Activation::ReLU: return x > 0 ? 1.0 : 0.0;
  case Activation::LeakyReLU: return x > 0 ? 1.0 : alpha;
  case Activation::ELU: return x > 0 ? 1.0 : alpha * std::exp(x);
  case Activation::Sigmoid: {
    const double s = sigmoid(x);
    return s * (1.0 - s); // σ' = σ(1 − σ)
  }
  case Activation::Tanh: {
    const double t = std::tanh(x);
    return 1.0 - t * t; // tanh' = 1 − tanh²
  }
  case Activation::Softplus: return sigmoid(x); // d/dx ln(1 + eˣ) = σ(x)
  case Activation::GELU: return normalCdf(x) + x * normalPdf(x); // product rule on x·Φ(x)
  case Activation::SiLU: {
    const double s = sigmoid(x);
    return s + x * s * (1.0 - s); // product rule on x·σ(x)
  }
  }
  return 0.0;
}

} // namespace nnlab
