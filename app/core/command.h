// command.h: how subcommands plug into main().
//
// Each subcommand module (calc, export, gallery, ...) adds itself to the CLI11 parser with an
// `addXCommand(CLI::App& parent, CommandAction& action)` function. When CLI11 selects it, its
// callback stores in `action` what main() must run after parsing; main() returns that value as the
// process exit code. Usage errors exit with kUsageError and one line on stderr that names the flag.
#pragma once

#include <functional>
#include <ostream>
#include <string>

#include "nnlab/status.h"

namespace nnlab::app {

using CommandAction = std::function<int()>;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1; // the command ran and failed (unreadable file, export failed)
constexpr int kUsageError = 2;  // bad flag or bad value on the command line

// Writes the one-line usage error "nnlab: error: <flag>: <what>" and returns kUsageError.
int usageError(std::ostream& err, const Error& error);
int usageError(std::ostream& err, const std::string& flag, const std::string& what);

} // namespace nnlab::app
