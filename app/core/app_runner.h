// app_runner.h: running the shell in a real window (GLFW) or headless (EGL surfaceless), for an
// interactive session, a screenshot after N frames, or the demo gallery.
#pragma once

#include <string>

namespace nnlab::app {

struct RunOptions {
  std::string lab;            // --lab: start on this lab
  std::string scene;          // --scene: load this scene file at start
  std::string screenshot;     // --screenshot: save the window's pixels as PNG after `frames`
  int frames = 3;             // --frames: frames to render before the screenshot
  bool presentation = false;  // --presentation: start in presentation mode
  bool headless = false;      // --headless: no window; EGL surfaceless (needs --screenshot)
  int width = 1280, height = 800; // --size WxH
  std::string captureFile;    // --capture: where F12 saves the window (default: a timestamped
                              // nnlab-<time>.png in the working directory); also how tests that
                              // drive the window with xdotool read it back

  // Performance work (hidden options): render profileFrames frames as fast as possible and print
  // each frame's times split into stages, then a summary; see printProfile() in app_runner.cpp.
  int profileFrames = 0;      // --profile-frames N (0: not profiling)
  std::string profilePerturb; // --profile-perturb /json/pointer=A,B,...: a field of the lab's
                              // scene state set to A, B, A, ... (through loadState, as a scene
                              // would), one value every profileEvery frames: a slider moving
  int profileEvery = 10;      // --profile-every K
};

// The GUI (or a screenshot of it). Returns the process exit code.
int runGui(const RunOptions& options);

// Every lab on its default scene, rendered headless as the window shows it (DIR/<lab>.png), and
// its main figure exported through cairo (DIR/<lab>-figure.pdf and .png). Returns the exit code.
int runGallery(const std::string& outputDirectory, bool presentation, int width, int height);

// True when a window can be opened: an X11 or Wayland display is named in the environment.
bool displayAvailable();

} // namespace nnlab::app
