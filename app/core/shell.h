// shell.h: the window's contents around the labs: menu bar, lab list, content area, status bar,
// the scene open/save dialogs and the message log. Knows nothing about GLFW or EGL: the runner
// (app_runner.cpp) feeds it frames, keys it cares about and dropped files.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/fonts.h"
#include "core/lab.h"
#include "core/messages.h"
#include "plot/draw_figure.h"

struct ImVec2;

namespace nnlab::app {

class Shell {
public:
  Shell(MessageLog& messages, FontSet fonts, float contentScale);
  ~Shell();

  // Switches to a lab (created on first use, then kept with its state while the app runs).
  Status selectLab(const std::string& id);
  const LabInfo& currentLabInfo() const;
  Lab& currentLab();

  // Loads a scene file: switches to its lab and replaces that lab's state. On error nothing changes.
  Status loadScene(const std::string& path);
  // Saves the current lab's state (atomically).
  Status saveScene(const std::string& path);

  void setPresentation(bool on);
  bool presentation() const { return presentation_; }

  // Builds one ImGui frame's widgets (between ImGui::NewFrame and ImGui::Render).
  void drawFrame(float displayWidth, float displayHeight, float frameMilliseconds);

  // Keyboard shortcuts, reported by the runner from its own key handling.
  void onTogglePresentation() { setPresentation(!presentation_); }
  void onOpenScene() { openDialog_ = DialogKind::Open; }
  void onSaveScene() { openDialog_ = DialogKind::Save; }
  void onQuit() { quitRequested_ = true; }
  void onDroppedFiles(const std::vector<std::string>& paths);

  bool quitRequested() const { return quitRequested_; }

private:
  enum class DialogKind { None, Open, Save, ExportFigure };

  void applyScale();
  void drawMenuBar();
  void drawSidebar(float width);
  void drawStatusBar(float frameMilliseconds);
  void drawDialogs();
  void drawMessageLog();

  MessageLog& messages_;
  FontSet fonts_;
  float contentScale_ = 1.0f;
  bool presentation_ = false;
  plot::PlotStyle plotStyle_;

  std::vector<std::unique_ptr<Lab>> labs_; // one slot per registry row, created lazily
  LabShared shared_;
  size_t current_ = 0;

  DialogKind openDialog_ = DialogKind::None;   // requested this frame; opened by drawDialogs()
  DialogKind activeDialog_ = DialogKind::None; // the one the modal shows
  std::string pathInput_;
  std::string dialogError_;
  bool showMessageLog_ = false;
  bool showSidebar_ = true;
  bool quitRequested_ = false;
};

} // namespace nnlab::app
