// trajectory_command.h: `nnlab trajectory`, an optimizer's path over a loss surface.
#pragma once

#include "core/command.h"

namespace CLI {
class App;
}

namespace nnlab::app {
void addTrajectoryCommand(CLI::App& root, CommandAction& action);
} // namespace nnlab::app
