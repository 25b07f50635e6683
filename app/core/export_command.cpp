#include "core/export_command.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>

#include "core/app_runner.h"
#include "core/lab.h"
#include "core/scene.h"
#include "plot/export.h"

namespace nnlab::app {

Status exportLabFigure(const Lab& lab, const std::string& path, const plot::ExportOptions& options) {
  if (std::optional<plot::FigureGrid> grid = lab.exportFigureGrid())
    return plot::exportFigureGrid(*grid, path, options);
  return plot::exportFigure(lab.exportFigure(), path, options);
}

int exportScene(const std::string& scenePath, const std::string& outputPath, int dpi) {
  Result<SceneFile> scene = readSceneFile(scenePath);
  if (!scene) {
    std::fprintf(stderr, "nnlab export: error: %s\n", scene.error().message().c_str());
    return kExitFailure;
  }
  std::unique_ptr<Lab> lab = findLab(scene->labId)->create();
  if (Status loaded = lab->loadState(scene->state); !loaded) {
    std::fprintf(stderr, "nnlab export: error: %s: %s\n", scenePath.c_str(),
                 loaded.error().message().c_str());
    return kExitFailure;
  }
  plot::ExportOptions options;
  options.dpi = dpi;
  if (Status written = exportLabFigure(*lab, outputPath, options); !written) {
    std::fprintf(stderr, "nnlab export: error: %s\n", written.error().message().c_str());
    return kExitFailure;
  }
  std::printf("%s\n", outputPath.c_str());
  return kExitOk;
}

void addExportCommand(CLI::App& root, CommandAction& action) {
  struct Options {
    std::string scene, out;
    int dpi = 150;
  };
  auto options = std::make_shared<Options>();
  CLI::App* command = root.add_subcommand(
      "export", "Render a saved scene's figure to PNG, SVG, PDF (or its data to CSV), headless");
  command->add_option("--scene", options->scene, "Scene file (JSON) saved from the GUI")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("--out", options->out, "Output file; the extension picks the format")
      ->required()
      ->check([](const std::string& path) -> std::string {
        const std::string ext = std::filesystem::path(path).extension().string();
        if (ext == ".png" || ext == ".svg" || ext == ".pdf" || ext == ".csv") return {};
        return "unknown extension \"" + ext + "\" (expected .png, .svg, .pdf or .csv)";
      });
  command->add_option("--dpi", options->dpi, "Resolution of PNG output (dots per inch)")
      ->check(CLI::Range(10, 2400));
  command->callback([options, &action] {
    action = [options] { return exportScene(options->scene, options->out, options->dpi); };
  });
}

void addGalleryCommand(CLI::App& root, CommandAction& action) {
  struct Options {
    std::string out = "gallery";
    bool presentation = false;
    int width = 1280, height = 800;
  };
  auto options = std::make_shared<Options>();
  CLI::App* command = root.add_subcommand(
      "gallery", "Render every lab on its default scene headless (no display needed): "
                 "DIR/<lab>.png as the window shows it, DIR/<lab>-figure.{pdf,png}");
  command->add_option("--out", options->out, "Output directory")->capture_default_str();
  command->add_flag("--presentation", options->presentation, "Presentation mode (large fonts)");
  command->callback([options, &action] {
    action = [options] {
      return runGallery(options->out, options->presentation, options->width, options->height);
    };
  });
}

} // namespace nnlab::app
