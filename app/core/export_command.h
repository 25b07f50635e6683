// export_command.h: `nnlab export --scene FILE --out FIG.{png,svg,pdf,csv} [--dpi N]` and
// `nnlab gallery --out DIR`: figures for lecture notes, without a window.
#pragma once

#include <string>

#include "core/command.h"

namespace CLI {
class App;
}

namespace nnlab::app {

void addExportCommand(CLI::App& root, CommandAction& action);
void addGalleryCommand(CLI::App& root, CommandAction& action);

// The work of `nnlab export`, callable from tests. Prints errors to stderr; returns the exit code.
int exportScene(const std::string& scenePath, const std::string& outputPath, int dpi);

} // namespace nnlab::app
