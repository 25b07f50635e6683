// nnlab: the command line. Parses, then hands over to the GUI runner or a subcommand.
//
//   nnlab [--lab NAME] [--scene FILE] [--presentation]          the GUI
//   nnlab --screenshot FILE.png [--frames N] [--headless]       render N frames, save, exit
//   nnlab export --scene FILE --out FIG.{png,svg,pdf} [--dpi N] a figure for lecture notes
//   nnlab gallery --out DIR                                     every lab, headless
//   nnlab calc ... | nnlab trajectory ...                       homework arithmetic
#include <CLI/CLI.hpp>
#include <cstdio>

#include "core/app_runner.h"
#include "core/calc_command.h"
#include "core/command.h"
#include "core/export_command.h"
#include "core/lab.h"
#include "core/train_command.h"
#include "core/trajectory_command.h"
#include "nnlab/allocator.h"

using namespace nnlab::app;

namespace {

// "1280x800" -> width, height.
std::string parseSize(const std::string& text, int& width, int& height) {
  int w = 0, h = 0;
  char x = 0, extra = 0;
  if (std::sscanf(text.c_str(), "%d%c%d%c", &w, &x, &h, &extra) != 3 || x != 'x')
    return "expected WIDTHxHEIGHT, e.g. 1280x800, got \"" + text + "\"";
  if (w < 320 || h < 240 || w > 8192 || h > 8192)
    return "size must be between 320x240 and 8192x8192, got " + text;
  width = w;
  height = h;
  return {};
}

} // namespace

int main(int argc, char** argv) {
  nnlab::keepFreedMemoryForReuse(); // large tensors reuse freed memory, not fresh pages
  CLI::App cli("NN Lab: a deep-learning course, live. Without a subcommand, opens the GUI.",
               "nnlab");
  cli.set_version_flag("--version", "nnlab " NNLAB_VERSION);
  cli.require_subcommand(0, 1);

  RunOptions run;
  std::string size;
  cli.add_option("--lab", run.lab, "Start on this lab (" + knownLabIds() + ")")
      ->check([](const std::string& id) -> std::string {
        return findLab(id) ? "" : "unknown lab \"" + id + "\" (known: " + knownLabIds() + ")";
      });
  cli.add_option("--scene", run.scene, "Open this scene file (JSON) at start")
      ->check(CLI::ExistingFile);
  cli.add_option("--screenshot", run.screenshot,
                 "Render --frames frames, save the window as PNG, exit")
      ->check([](const std::string& path) -> std::string {
        return path.size() > 4 && path.substr(path.size() - 4) == ".png"
                   ? ""
                   : "expected a .png file name";
      });
  cli.add_option("--frames", run.frames, "Frames to render before --screenshot")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cli.add_option("--size", size, "Window size WIDTHxHEIGHT (default 1280x800)")
      ->check([&run](const std::string& text) { return parseSize(text, run.width, run.height); });
  cli.add_flag("--presentation", run.presentation,
               "Start in presentation mode (large fonts, F5 toggles)");
  cli.add_flag("--headless", run.headless, "With --screenshot: render without a window (EGL)");
  cli.add_option("--capture", run.captureFile,
                 "Where F12 saves the window as PNG (default: "
                 "nnlab-<date>-<time>.png in the working directory)");

  // Hidden: performance measurement (see RunOptions in app_runner.h).
  cli.add_option("--profile-frames", run.profileFrames,
                 "Render N frames, print per-frame times by stage, exit")
      ->check(CLI::Range(1, 100000))
      ->group("");
  cli.add_option("--profile-perturb", run.profilePerturb,
                 "With --profile-frames: /json/pointer=A,B of the lab's state")
      ->group("");
  cli.add_option("--profile-every", run.profileEvery,
                 "With --profile-perturb: frames between changes")
      ->check(CLI::Range(1, 100000))
      ->group("");

  CommandAction action;
  addExportCommand(cli, action);
  addGalleryCommand(cli, action);
  addCalcCommand(cli, action);
  addTrajectoryCommand(cli, action);
  addTrainCommand(cli, action);

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return cli.exit(e); // --help, --version
    std::fprintf(stderr, "nnlab: error: %s (see nnlab --help)\n", e.what());
    return kUsageError;
  }
  if (action) return action();

  if (run.headless && run.screenshot.empty() && run.profileFrames == 0) {
    std::fprintf(stderr,
                 "nnlab: error: --headless needs --screenshot FILE.png (or use nnlab gallery)\n");
    return kUsageError;
  }
  // A screenshot needs no display: without one, render it headless rather than fail.
  if ((!run.screenshot.empty() || run.profileFrames > 0) && !displayAvailable())
    run.headless = true;
  return runGui(run);
}
