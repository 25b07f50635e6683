// Placeholder until `nnlab calc conv|linear|pool|rf` lands (issue: convolution engine).
#include "core/calc_command.h"

namespace nnlab::app {
void addCalcConvCommands(CLI::App&, CommandAction&) {}
} // namespace nnlab::app
