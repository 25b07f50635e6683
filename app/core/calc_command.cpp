#include "core/calc_command.h"

#include <CLI/CLI.hpp>

namespace nnlab::app {

void addCalcCommand(CLI::App& root, CommandAction& action) {
  CLI::App* calc = root.add_subcommand(
      "calc", "Homework arithmetic with the worked steps: conv, linear, pool, rf, norm");
  calc->require_subcommand(1);
  addCalcConvCommands(*calc, action);
  addCalcNormCommand(*calc, action);
}

} // namespace nnlab::app
