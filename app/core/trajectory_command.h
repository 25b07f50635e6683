// trajectory_command.h: `nnlab trajectory`, an optimizer's path over a loss surface.
//
//   nnlab trajectory --surface NAME|EXPR --optimizer NAME [--lr --beta --beta1 --beta2 --eps
//                    --weight-decay --momentum-form heavy-ball|ema --no-bias-correction
//                    --schedule NAME[:k=v,...] --noise SIGMA --seed S] --start X,Y --steps N
//                    [--json]
//   nnlab trajectory --list-surfaces | --list-optimizers [--json]
//
// --surface takes a built-in ("rosenbrock", "quadratic:kappa=50,angle=30") or a formula in x and
// y ("x^2 + 10*y^2", muParser syntax). Hyper-parameters not given keep PyTorch's defaults for the
// optimizer (nnlab/optim.h); one that the optimizer does not read is a usage error, not ignored.
// --beta is momentum's and Nesterov's β and RMSProp's α.
// Text output is a table (step, x, y, loss, lr, |step|); --json prints
//   {"points": [[x, y], …] (N+1), "loss": (N+1), "lr": (N), "state": [{t, lr, gradient, m, v,
//    m_hat, v_hat, v_max, direction, effective_lr, step}, …] (N; only the optimizer's own moments),
//    "diverged": null | "reason", "diverged_step": null | t, "surface": {…}, "optimizer": {…},
//    "schedule": "…"}.
// A bad flag value prints one line naming the flag and exits with kUsageError (2).
#pragma once

#include <iosfwd>
#include <string>

#include "core/command.h"
#include "core/optimizer_flags.h"

namespace CLI {
class App;
}

namespace nnlab::app {

// The command line as typed; `*Given` say which optional values were on it.
struct TrajectoryArgs {
  std::string surface, optimizer, schedule = "constant", start, momentumForm;
  HyperParameterFlags hyper; // --lr --beta --beta1 --beta2 --eps --weight-decay
  double noise = 0;
  unsigned seed = 0;
  long long steps = -1; // −1: not given
  bool noBiasCorrection = false, json = false, listSurfaces = false, listOptimizers = false;
};

// Runs the command: the path (or a list) to `out`, a usage error to `err`. Returns the exit code.
int runTrajectoryCommand(const TrajectoryArgs& args, std::ostream& out, std::ostream& err);

void addTrajectoryCommand(CLI::App& root, CommandAction& action);

} // namespace nnlab::app
