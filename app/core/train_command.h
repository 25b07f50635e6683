// train_command.h: `nnlab train`, a real training run of a small network, step by step.
//
//   nnlab train --dataset NAME[:k=v,...] --model NAME|SPEC --optimizer NAME --lr X
//               [--batch B --epochs E --max-steps N --schedule NAME[:k=v,...] --warmup STEPS
//                --clip NORM --corrupt-at STEP --corrupt-steps K --init SCHEME --beta --beta1
//                --beta2 --eps --weight-decay --spike NAME [--fix] --threads N --seed S] [--json]
//   nnlab train --list [--json]        data sets, model presets, optimizers, spike makers
//
// --dataset: spirals, moons, circles, xor, blobs, shapes with keys (datasets.h), e.g.
// "spirals:classes=3,noise=0.2". --model: a preset (logistic, mlp, mlp_bn, small_cnn,
// small_cnn_bn) or a layer list "linear:64,relu,linear" (network.h). --warmup sets the schedule's
// warmup=W. --spike applies a spike maker's settings (training.h) before the other flags, and
// --fix its fix, so "--spike corrupt --fix" is the clipped run.
// Text output is a progress table (every step up to 20, then about 40 rows, plus every epoch's
// validation); --json prints
//   {"history": [{"step", "epoch", "loss", "acc", "lr", "grad_norm", "clipped", "corrupted"}...],
//    "val": [{"epoch", "step", "loss", "acc", "train_loss", "train_acc"}...], "classes": C,
//    "class_names": [...], "chance_loss": ln C, "initial_loss", "initial_acc", "diverged",
//    "dataset": "...", "model": {"spec", "parameters", "layers"}, "optimizer": {...},
//    "schedule": "...", "batch", "epochs", "steps", "clip", "seed"}
// The same arguments give the same numbers (the engine is deterministic for a seed).
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
struct TrainArgs {
  std::string dataset, model, optimizer, schedule, init = "auto", spike;
  HyperParameterFlags hyper; // --lr --beta --beta1 --beta2 --eps --weight-decay
  double clip = 0;
  bool clipGiven = false;
  long long batch = -1, epochs = -1, maxSteps = -1, warmup = -1, corruptAt = -1, corruptSteps = -1,
            threads = -1; // −1: not given
  unsigned seed = 0;
  bool fix = false, json = false, list = false;
};

// Runs the command: the history (or the lists) to `out`, a usage error to `err`. Returns the exit
// code.
int runTrainCommand(const TrainArgs& args, std::ostream& out, std::ostream& err);

void addTrainCommand(CLI::App& root, CommandAction& action);

} // namespace nnlab::app
