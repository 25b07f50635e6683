// calc_norm.h: the logic of `nnlab calc norm`, apart from CLI11 so tests can call it directly.
//
//   nnlab calc norm --kind batch|layer|instance|group [--groups G] [--eps E] --values JSON [--json]
//
// Text mode prints the worked steps (m, then μ, σ² and one x̂ per statistic) and the results;
// --json prints { kind, shape, statistics_shape, eps, [groups], mean, var, normalized, steps },
// with mean and var shaped as the statistics (batch [C], layer [N], instance [N, C], group [N, G])
// and normalized shaped as the input.
#pragma once

#include <iosfwd>
#include <string>

namespace nnlab::app {

struct CalcNormArgs {
  std::string kind;         // "batch", "layer", "instance" or "group"
  long long groups = 0;     // G, with --kind group
  bool groupsGiven = false; // whether --groups was on the command line
  double eps = 1e-5;        // ε, PyTorch's default
  std::string values;       // nested JSON list, N×C, N×C×L, N×C×H×W or N×C×D×H×W
  bool json = false;
};

// Prints to `out`; on bad input prints one line "nnlab: error: <flag>: <what>" to `err` and
// returns kUsageError. Returns kExitOk otherwise.
int runCalcNorm(const CalcNormArgs& args, std::ostream& out, std::ostream& err);

} // namespace nnlab::app
