// Placeholder until `nnlab trajectory` lands (issue: optimizer lab).
#include "core/trajectory_command.h"

namespace nnlab::app {
void addTrajectoryCommand(CLI::App&, CommandAction&) {}
} // namespace nnlab::app
