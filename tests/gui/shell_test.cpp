// The real window, as a class would see it: screenshots under Xvfb (and headless through EGL),
// checked on pixels that mean something: the lab list's text in the sidebar, coloured curves in
// the figure, bigger text in presentation mode, fewer curves when a scene shows fewer functions.
#include <cstdlib>
#include <filesystem>
#include <gtest/gtest.h>

#include "run_nnlab.h"

namespace nnlab::test {
namespace {

constexpr int kWidth = 1280, kHeight = 800;
// Layout at 1x: 17 px font; the sidebar is 15 em = 255 px wide, under a ~25 px menu bar.
constexpr int kSidebarRight = 250, kMenuBottom = 30;
// The activation lab's figure lies right of x = 580 and above its value table (y < 540).
constexpr int kFigureBottom = 540;

// Saturated pixels (max − min channel > 90): the plotted curves. Callers keep the region inside
// the figure: the theme's blue check marks and table header are saturated too.
int curvePixels(const Png& png, int x0, int y0, int x1, int y1) {
  int count = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) {
      const std::uint8_t* p = png.at(x, y);
      const int hi = std::max({p[0], p[1], p[2]}), lo = std::min({p[0], p[1], p[2]});
      count += hi - lo > 90;
    }
  return count;
}

Png screenshot(TempDir& dir, const std::string& name, std::vector<std::string> extra,
               Display display = Display::Xvfb) {
  std::vector<std::string> args = {"--screenshot", dir.path(name), "--frames", "4"};
  args.insert(args.end(), extra.begin(), extra.end());
  RunResult r = runNnlab(args, display);
  EXPECT_EQ(r.exitCode, 0) << r.err;
  return readPng(dir.path(name));
}

TEST(Shell, WindowShowsLabListAndFigure) {
  TempDir dir;
  Png png = screenshot(dir, "shell.png", {});
  ASSERT_TRUE(png.ok());
  EXPECT_EQ(png.width, kWidth);
  EXPECT_EQ(png.height, kHeight);
  EXPECT_GT(png.distinctColours(0, 0, kWidth, kHeight), 40) << "blank or nearly blank window";
  // The sidebar lists the labs: dark text pixels in its top part.
  EXPECT_GT(png.darkPixels(0, kMenuBottom, kSidebarRight, 200), 150);
  // The menu bar has its labels (File, View, Labs).
  EXPECT_GT(png.darkPixels(0, 0, 200, kMenuBottom - 5), 40);
  // The activation lab's figure (right of its 18 em control column) has coloured curves.
  EXPECT_GT(curvePixels(png, 580, kMenuBottom, kWidth, kFigureBottom), 800);
}

TEST(Shell, PresentationModeEnlargesTextAndFoldsTheLabList) {
  TempDir dir;
  Png normal = screenshot(dir, "normal.png", {});
  Png large = screenshot(dir, "presentation.png", {"--presentation"});
  ASSERT_TRUE(normal.ok() && large.ok());
  // The menu bar's words (File View Labs) at 1.5× the size cover about 1.5² = 2.25× the dark
  // pixels; demand 1.6×. The bar is ~25 px tall at 1×, ~37 px at 1.5×.
  const int normalInk = normal.darkPixels(0, 0, 320, 24);
  const int largeInk = large.darkPixels(0, 0, 320, 36);
  EXPECT_GT(largeInk, 1.6 * normalInk) << "normal " << normalInk << ", presentation " << largeInk;
  // The lab list folds away on a projector, so the figure starts left of x = 600 (at 1×, with the
  // list, the figure's box begins at x ≈ 630). The region avoids the controls' blue check marks.
  EXPECT_GT(curvePixels(large, 450, 100, 600, 420), 100) << "the figure should use the lab list's space";
}

TEST(Shell, HeadlessRenderingMatchesTheWindow) {
  TempDir dir;
  Png window = screenshot(dir, "window.png", {});
  Png headless = screenshot(dir, "headless.png", {"--headless"}, Display::None);
  ASSERT_TRUE(window.ok() && headless.ok());
  ASSERT_EQ(window.width, headless.width);
  ASSERT_EQ(window.height, headless.height);
  double difference = 0;
  for (size_t i = 0; i < window.rgb.size(); ++i) difference += std::abs(window.rgb[i] - headless.rgb[i]);
  EXPECT_LT(difference / window.rgb.size(), 2.0) << "EGL and Xvfb frames differ";
}

TEST(Shell, SceneChangesWhatIsDrawn) {
  TempDir dir;
  const std::string scene = dir.path("one.json");
  writeText(scene, R"({"version": 1, "lab": "activations",
                       "state": {"functions": ["sigmoid"], "show_derivative": false}})");
  Png four = screenshot(dir, "four.png", {});
  Png one = screenshot(dir, "one.png", {"--scene", scene});
  ASSERT_TRUE(four.ok() && one.ok());
  // Default: 4 functions with derivatives (8 curves); the scene: 1 curve.
  const int fourInk = curvePixels(four, 580, kMenuBottom, kWidth, kFigureBottom);
  const int oneInk = curvePixels(one, 580, kMenuBottom, kWidth, kFigureBottom);
  EXPECT_GT(fourInk, 3 * oneInk) << "default " << fourInk << ", one function " << oneInk;
  EXPECT_GT(oneInk, 100);
}

TEST(Shell, BadSceneAtStartFailsTheScreenshotWithTheReason) {
  TempDir dir;
  const std::string scene = dir.path("bad.json");
  writeText(scene, R"({"version": 1, "lab": "activations", "state": {"probe_x": 1e9}})");
  RunResult r = runNnlab({"--scene", scene, "--screenshot", dir.path("x.png")}, Display::Xvfb);
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("state.probe_x"), std::string::npos) << r.err;
}

TEST(Gallery, RendersEveryLabWithoutADisplay) {
  TempDir dir;
  RunResult r = runNnlab({"gallery", "--out", dir.path("gallery")});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const std::string window = dir.path("gallery/activations.png");
  EXPECT_NE(r.out.find(window), std::string::npos) << "gallery should print what it wrote";
  Png png = readPng(window);
  ASSERT_TRUE(png.ok());
  EXPECT_EQ(png.width, kWidth);
  EXPECT_GT(curvePixels(png, 580, kMenuBottom, kWidth, kFigureBottom), 800);
  EXPECT_TRUE(std::filesystem::exists(dir.path("gallery/activations-figure.pdf")));
  EXPECT_TRUE(std::filesystem::exists(dir.path("gallery/activations-figure.png")));
}

} // namespace
} // namespace nnlab::test
