// activations.h: element-wise activation functions and their derivatives.
//
// The formulas are PyTorch's (torch.nn.functional), so a value read off the lab is the value a
// student's network computes:
//   ReLU        max(0, x)                      LeakyReLU   x if x > 0 else αx (α default 0.01)
//   ELU         x if x > 0 else α(eˣ − 1)      Sigmoid     σ(x) = 1 / (1 + e⁻ˣ)
//   Tanh        tanh x                         Softplus    ln(1 + eˣ)
//   GELU        x·Φ(x), Φ the standard normal CDF (the exact form, not the tanh approximation)
//   SiLU        x·σ(x) (also called swish)
// Derivatives at the kink of ReLU / LeakyReLU (x = 0) take the right-hand value's convention of
// PyTorch's autograd: ReLU'(0) = 0, LeakyReLU'(0) = α.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace nnlab {

enum class Activation { ReLU, LeakyReLU, ELU, Sigmoid, Tanh, Softplus, GELU, SiLU };

inline constexpr std::array<Activation, 8> kAllActivations = {
    Activation::ReLU,     Activation::LeakyReLU, Activation::ELU,  Activation::Sigmoid,
    Activation::Tanh,     Activation::Softplus,  Activation::GELU, Activation::SiLU};

// Stable identifier used in scene files and on the command line: "relu", "leaky_relu", ...
std::string_view activationId(Activation a);
// Name as the course writes it: "ReLU", "Leaky ReLU", ...
std::string_view activationName(Activation a);
// The defining formula in UTF-8, for the legend and the formula panel.
std::string_view activationFormula(Activation a);
std::optional<Activation> activationFromId(std::string_view id);
// Whether the function takes the parameter α (LeakyReLU's slope, ELU's scale).
bool activationHasAlpha(Activation a);

// f(x). alpha is used by LeakyReLU and ELU only.
double activate(Activation a, double x, double alpha);
// f'(x), from the closed form (not by differencing).
double activationDerivative(Activation a, double x, double alpha);

} // namespace nnlab
