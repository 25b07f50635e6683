// dropout.h: dropout with standard and inverted scaling, and the expected activation of each.
//
// Each unit is kept with probability p (the keep probability) and zeroed otherwise; the mask is a
// Bernoulli(p) draw per element. The two forms differ in where they rescale so that the expected
// activation matches between training and testing:
//
//   form       training                 testing     E[y] at training   y at testing
//   standard   y = m · x                y = p · x    p · x              p · x
//   inverted   y = m · x / p            y = x        x                  x
//
// With no rescaling at all, training would see p · x on average and testing x: the mismatch both
// forms remove. Inverted dropout (PyTorch's nn.Dropout) moves the work to training so that the
// deployed network is untouched. Note PyTorch's argument is the DROP probability, 1 − p.
//
//   Result<DropoutTrain> t = dropoutTrain(x, {.keepProbability = 0.8f}, /*seed=*/42);
#pragma once

#include <cstdint>

#include "nnlab/status.h"
#include "nnlab/tensor.h"

namespace nnlab {

enum class DropoutForm { Standard, Inverted };

struct DropoutSpec {
  float keepProbability = 0.5f; // p in (0, 1]: the chance a unit survives
  DropoutForm form = DropoutForm::Inverted;
};

struct DropoutTrain {
  Tensor mask;   // 1 where the unit was kept, 0 where dropped; the input's shape
  Tensor output; // m · x (standard) or m · x / p (inverted)
};

// Training-time dropout with a mask drawn from std::mt19937 seeded with `seed`: the same seed
// gives the same mask on every platform (see dropout.cpp). Errors: p outside (0, 1], NaN input.
Result<DropoutTrain> dropoutTrain(const Tensor& input, const DropoutSpec& spec, std::uint32_t seed);

// Testing-time dropout: p · x (standard) or x (inverted).
Result<Tensor> dropoutTest(const Tensor& input, const DropoutSpec& spec);

// ∂L/∂x = ∂L/∂y · m (standard) or ∂L/∂y · m / p (inverted), with the mask of the training pass.
Result<Tensor> dropoutBackward(const Tensor& dOutput, const Tensor& mask, const DropoutSpec& spec);

// The expected output of one unit with activation a, over the random mask at training time and
// (deterministic) at testing time. Equal for both forms; the lab shows them side by side with
// unscaled dropout (training p · a, testing a) to show what the scaling is for.
struct ExpectedActivation {
  double training = 0; // E_m[y] = p · a (standard) or a (inverted)
  double testing = 0;  // p · a (standard) or a (inverted)
};
Result<ExpectedActivation> dropoutExpectedActivation(double activation, const DropoutSpec& spec);

} // namespace nnlab
