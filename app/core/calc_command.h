// calc_command.h: `nnlab calc ...`, the homework calculator (text by default, --json for scripts).
#pragma once

#include "core/command.h"

namespace CLI {
class App;
}

namespace nnlab::app {

// Adds `calc` with its subcommands (conv, linear, pool, rf, norm) to `root`.
void addCalcCommand(CLI::App& root, CommandAction& action);

// Subcommand groups, each in its own unit; called by addCalcCommand.
void addCalcConvCommands(CLI::App& calc, CommandAction& action); // conv, linear, pool, rf
void addCalcNormCommand(CLI::App& calc, CommandAction& action);  // norm

} // namespace nnlab::app
