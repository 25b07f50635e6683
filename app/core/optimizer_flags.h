// optimizer_flags.h: the optimizer hyper-parameter flags `nnlab trajectory` and `nnlab train`
// share (--lr --beta --beta1 --beta2 --eps --weight-decay): declared once, applied once, with the
// same "not used by ..." error when an optimizer does not read a flag.
#pragma once

#include <optional>
#include <string>

#include "nnlab/optim.h"
#include "nnlab/status.h"

namespace CLI {
class App;
}

namespace nnlab::app {

// As typed; unset values keep the optimizer's (PyTorch's) defaults.
struct HyperParameterFlags {
  std::optional<double> lr, beta, beta1, beta2, eps, weightDecay;
};

// Adds the six options to `command`, storing into `flags` (which must outlive the parse).
void addHyperParameterOptions(CLI::App& command, HyperParameterFlags& flags,
                              const std::string& lrHelp);

// Whether an optimizer reads a flag ("--beta", "--beta1", ..., "--momentum-form"; --lr: all).
bool optimizerReadsFlag(OptimizerKind kind, const std::string& flag);
// "momentum, nesterov, rmsprop": the optimizers that read `flag`, for error messages.
std::string optimizerFlagReaders(const std::string& flag);

// Copies the given flags into `config`. A flag the optimizer does not read is an error:
// Error{"--beta1", "not used by sgd (used by adam, adamw, amsgrad)"}.
Status applyHyperParameterFlags(OptimizerKind kind, const HyperParameterFlags& flags,
                                OptimizerConfig& config);

} // namespace nnlab::app
