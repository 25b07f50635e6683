// Activation functions against PyTorch (tests/golden/activations.json, made by
// make_activation_golden.py with torch.nn.functional in float64), against central differences,
// and on values worked by hand.
#include "nnlab/activations.h"

#include <cmath>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace nnlab {
namespace {

TEST(Activations, MatchPyTorchValuesAndAutogradDerivatives) {
  std::ifstream file(NNLAB_GOLDEN_DIR "/activations.json");
  ASSERT_TRUE(file) << "missing golden file activations.json";
  const nlohmann::json golden = nlohmann::json::parse(file);
  const double alpha = golden["alpha"];
  const std::vector<double> xs = golden["x"];
  int checked = 0;
  for (Activation a : kAllActivations) {
    SCOPED_TRACE(std::string(activationId(a)));
    const auto& entry = golden["functions"][std::string(activationId(a))];
    for (size_t i = 0; i < xs.size(); ++i) {
      const double value = entry["value"][i];
      const double derivative = entry["derivative"][i];
      EXPECT_NEAR(activate(a, xs[i], alpha), value, 1e-12 * (1 + std::fabs(value))) << "x=" << xs[i];
      EXPECT_NEAR(activationDerivative(a, xs[i], alpha), derivative, 1e-12 * (1 + std::fabs(derivative)))
          << "x=" << xs[i];
      ++checked;
    }
  }
  EXPECT_EQ(checked, 8 * 37);
}

TEST(Activations, DerivativeMatchesCentralDifferences) {
  // (f(x + h) − f(x − h)) / 2h has error O(h²·f'''); h = 1e-5 gives ~1e-10 away from kinks.
  const double h = 1e-5;
  for (Activation a : kAllActivations) {
    for (double x = -4.9; x < 5.0; x += 0.3) {
      const double numeric = (activate(a, x + h, 0.1) - activate(a, x - h, 0.1)) / (2 * h);
      EXPECT_NEAR(activationDerivative(a, x, 0.1), numeric, 1e-7)
          << activationId(a) << " at x=" << x;
    }
  }
}

TEST(Activations, HandWorkedValues) {
  // σ(0) = 1/(1 + e⁰) = 1/2, and σ'(0) = σ(0)(1 − σ(0)) = 1/4.
  EXPECT_DOUBLE_EQ(activate(Activation::Sigmoid, 0, 0), 0.5);
  EXPECT_DOUBLE_EQ(activationDerivative(Activation::Sigmoid, 0, 0), 0.25);
  // tanh'(0) = 1 − tanh²(0) = 1.
  EXPECT_DOUBLE_EQ(activationDerivative(Activation::Tanh, 0, 0), 1.0);
  // Softplus(0) = ln 2 = 0.693147...
  EXPECT_NEAR(activate(Activation::Softplus, 0, 0), 0.6931471805599453, 1e-15);
  // Leaky ReLU with α = 0.1: f(−3) = −0.3; ReLU(−3) = 0; ReLU'(0) = 0 as PyTorch's autograd.
  EXPECT_DOUBLE_EQ(activate(Activation::LeakyReLU, -3, 0.1), -0.30000000000000004);
  EXPECT_DOUBLE_EQ(activate(Activation::ReLU, -3, 0), 0);
  EXPECT_DOUBLE_EQ(activationDerivative(Activation::ReLU, 0, 0), 0);
  // GELU(1) = 1·Φ(1) = ½(1 + erf(1/√2)) = 0.841344746...
  EXPECT_NEAR(activate(Activation::GELU, 1, 0), 0.8413447460685429, 1e-15);
  // Softplus does not overflow: ln(1 + e^800) = 800 + ln(1 + e^−800) = 800.
  EXPECT_DOUBLE_EQ(activate(Activation::Softplus, 800, 0), 800);
}

TEST(Activations, IdsRoundTrip) {
  for (Activation a : kAllActivations) EXPECT_EQ(activationFromId(activationId(a)), a);
  EXPECT_FALSE(activationFromId("relux").has_value());
}

} // namespace
} // namespace nnlab
