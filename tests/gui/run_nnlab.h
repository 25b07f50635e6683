// run_nnlab.h: runs the real nnlab executable as a user would, for the GUI and CLI tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nnlab::test {

struct RunResult {
  int exitCode = -1;
  std::string out, err; // captured stdout and stderr
};

enum class Display {
  None, // DISPLAY and WAYLAND_DISPLAY unset: as on a headless server
  Xvfb  // under `xvfb-run -a` with a 1280x800x24 screen
};

// Runs NNLAB_EXECUTABLE with `args` (each passed as one shell-quoted word).
RunResult runNnlab(const std::vector<std::string>& args, Display display = Display::None);

// A fresh directory under the system temp dir, removed by the destructor.
class TempDir {
public:
  TempDir();
  ~TempDir();
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

private:
  std::string dir_;
};

void writeText(const std::string& path, const std::string& text);
std::string readText(const std::string& path);

// A decoded PNG (stb_image), RGB.
struct Png {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgb;
  bool ok() const { return width > 0; }
  const std::uint8_t* at(int x, int y) const { return &rgb[(static_cast<size_t>(y) * width + x) * 3]; }
  // Distinct colours in the rectangle (coarsely quantised to 5 bits a channel).
  int distinctColours(int x0, int y0, int x1, int y1) const;
  // Pixels in the rectangle darker than `threshold` (0-255 luminance): text, axes.
  int darkPixels(int x0, int y0, int x1, int y1, int threshold = 100) const;
};
Png readPng(const std::string& path);

} // namespace nnlab::test
