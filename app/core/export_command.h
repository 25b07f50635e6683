// export_command.h: `nnlab export --scene FILE --out FIG.{png,svg,pdf,csv} [--dpi N]` and
// `nnlab gallery --out DIR`: figures for lecture notes, without a window.
#pragma once

#include <string>

#include "core/command.h"
#include "nnlab/status.h"
#include "plot/export.h"

namespace CLI {
class App;
}

namespace nnlab::app {

class Lab;

void addExportCommand(CLI::App& root, CommandAction& action);
void addGalleryCommand(CLI::App& root, CommandAction& action);

// Writes a lab's export picture: its figure grid if it has one, else its figure.
Status exportLabFigure(const Lab& lab, const std::string& path, const plot::ExportOptions& options);

// The work of `nnlab export`, callable from tests. Prints errors to stderr; returns the exit code.
int exportScene(const std::string& scenePath, const std::string& outputPath, int dpi);

} // namespace nnlab::app
