// activations_lab.h: activation functions and their derivatives, plotted side by side, with a
// probe point whose values are read off in a table. Shows why sigmoid and tanh saturate (f' → 0)
// and why ReLU's gradient is 0 or 1.
#pragma once

#include <array>
#include <memory>

#include "core/lab.h"
#include "nnlab/activations.h"

namespace nnlab::app {

struct ActivationsLabState {
  std::array<bool, kAllActivations.size()> shown{true, false, false, true, true, false, true, false};
  double alpha = 0.1;          // Leaky ReLU slope and ELU scale
  double xMin = -5, xMax = 5;  // plotted range
  double probeX = 1.0;         // where values are read off
  bool showDerivative = true;

  bool operator==(const ActivationsLabState&) const = default;
};

// The lab's figure for a state: f (solid) and f' (dashed) of every shown function.
plot::Figure activationsFigure(const ActivationsLabState& state);

std::unique_ptr<Lab> createActivationsLab();

} // namespace nnlab::app
