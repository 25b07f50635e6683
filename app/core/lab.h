// lab.h: what every lab (one topic of the course) provides to the app shell.
//
// A lab owns a plain state struct (the slider values) that its scene files store, computes from
// it through the engine only when it changed since the last computation, and draws every frame.
// The shell, the scene loader, `nnlab export` and the headless gallery all work through this
// interface, so adding a lab is writing one file pair and adding one row to the registry
// (labs/registry.cpp).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "nnlab/status.h"
#include "nnlab/tensor.h"
#include "plot/figure.h"

struct ImFont;

namespace nnlab::plot {
struct PlotStyle;
}

namespace nnlab::app {

class MessageLog;

// What labs share with each other while the app runs (owned by the shell, not saved in scenes).
struct LabShared {
  // The feature-map lab's current working image, grey, [H, W] in [0, 1]; empty until that lab
  // has been opened. The normalization lab offers its feature maps as an input source.
  Tensor convolutionImage;
  std::string convolutionImageName;  // "camera.png", "checkerboard", a user's file name
  std::uint64_t convolutionImageVersion = 0; // bumped whenever the image changes
};

// What a lab may use while drawing.
struct LabContext {
  MessageLog& messages;
  const plot::PlotStyle& plotStyle; // scaled for presentation mode and the monitor's DPI
  float uiScale = 1.0f;             // 1 normally, ×1.75 in presentation mode, × content scale
  bool presentation = false;
  ImFont* monoFont = nullptr;       // monospaced, at the current size: numbers in grids and tables
  LabShared* shared = nullptr;      // never null while the shell draws
};

class Lab {
public:
  virtual ~Lab() = default;

  // Draws the lab's controls and figures into the current ImGui window (the content area).
  virtual void draw(const LabContext& context) = 0;

  // The lab's state as the "state" object of a scene file.
  virtual nlohmann::json saveState() const = 0;
  // Replaces the state from a scene file's "state" object. On error, says which field is wrong
  // and keeps the current state unchanged.
  virtual Status loadState(const nlohmann::json& state) = 0;

  // The figure `nnlab export` writes for this lab's current state (computed, headless).
  virtual plot::Figure exportFigure() const = 0;
  // Labs whose main picture is several panels (a filter bank's maps) return them here; exports
  // then use the grid instead of exportFigure(). See exportLabFigure() in export_command.h.
  virtual std::optional<plot::FigureGrid> exportFigureGrid() const { return std::nullopt; }

  // Screenshot runs (--screenshot, headless or not) and the gallery call this before their last
  // frame; the interactive window never does. A lab whose picture depends on work running on a
  // worker thread (a training run) finishes that work here, so a screenshot of a scene is a pure
  // function of the scene whatever --frames says.
  virtual void finishBackgroundWork() {}

  // Files dropped on the window while this lab is shown (images for the feature-map lab).
  // Returns false if the lab has no use for them.
  virtual bool acceptDroppedFile(const std::string& /*path*/, MessageLog& /*messages*/) {
    return false;
  }
};

// One row of the lab registry.
struct LabInfo {
  const char* id;          // stable, used in scene files and `--lab`: "activations"
  const char* title;       // sidebar text: "Activation functions"
  const char* summary;     // one line under the title
  std::unique_ptr<Lab> (*create)(); // a lab on its built-in default state
};

// Every lab, in sidebar order.
const std::vector<LabInfo>& labRegistry();
// The row with this id, or nullptr.
const LabInfo* findLab(const std::string& id);
// "activations, conv_arith, ..." for error messages.
std::string knownLabIds();

} // namespace nnlab::app
