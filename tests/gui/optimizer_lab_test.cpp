// The optimizer lab's real window under Xvfb. The surface is drawn by a fragment shader
// (shaders/surface_heatmap.frag) into a texture; these tests read the screenshot back and check
// what a student would see: every optimizer's path in its own colour over the surface, a viridis
// heatmap with dark contour lines, the colorbar beside it (yellow at the top, violet at the
// bottom), the legend, a 3-D view that is not blank, and that a broken shader is reported with
// its file and line instead of taking the program down.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "run_nnlab.h"

namespace nnlab::test {
namespace {

const std::string kSourceDir = NNLAB_SOURCE_DIR;

struct Rgb {
  int r, g, b;
};
// plot::seriesColor(0..2): Okabe-Ito blue, vermillion, bluish green.
constexpr Rgb kSeries[] = {{0x00, 0x72, 0xB2}, {0xD5, 0x5E, 0x00}, {0x00, 0x9E, 0x73}};
constexpr Rgb kViridisTop{253, 231, 37}, kViridisBottom{68, 1, 84};

bool near(const std::uint8_t* p, Rgb c, int tolerance) {
  return std::abs(p[0] - c.r) <= tolerance && std::abs(p[1] - c.g) <= tolerance &&
         std::abs(p[2] - c.b) <= tolerance;
}

int countNear(const Png& png, Rgb c, int x0, int y0, int x1, int y1, int tolerance = 10) {
  int n = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) n += near(png.at(x, y), c, tolerance);
  return n;
}

// The views sit right of the controls column and above the tabs: x ≥ 590, 90 ≤ y < 510 at 1280×800.
constexpr int kViewX0 = 590, kViewY0 = 90, kViewX1 = 1280, kViewY1 = 510;
// In presentation mode (no lab list, fonts × 1.5) the window is wide for its height, so the loss
// plots go beside the surface: the surface figure (title, plot, colorbar, legend below) spans
// 420 ≤ x < 900 and the full height above the status bar, y < 740.
constexpr int kPresentationX0 = 420, kPresentationX1 = 900, kPresentationY1 = 740;

Png screenshot(const std::vector<std::string>& extra, const std::string& scene, TempDir& dir,
               const std::string& name, RunResult* out = nullptr) {
  const std::string shot = dir.path(name);
  std::vector<std::string> args = {"--lab",        "optimizers", "--scene",  scene,
                                   "--screenshot", shot,         "--frames", "6"};
  args.insert(args.end(), extra.begin(), extra.end());
  RunResult r = runNnlab(args, Display::Xvfb);
  EXPECT_EQ(r.exitCode, 0) << r.err;
  if (out) *out = r;
  return readPng(shot);
}

// The colorbar: the rightmost column of the view that holds both ends of viridis.
int findColorbarColumn(const Png& png, int x0 = kViewX0, int x1 = kViewX1, int y1 = kViewY1) {
  for (int x = x1 - 1; x >= x0; --x) {
    bool top = false, bottom = false;
    for (int y = kViewY0; y < y1; ++y) {
      top = top || near(png.at(x, y), kViridisTop, 20);
      bottom = bottom || near(png.at(x, y), kViridisBottom, 20);
    }
    if (top && bottom) return x;
  }
  return -1;
}

TEST(OptimizerLabWindow, AdamVsAdaGradShowsPathsHeatmapContoursColorbarAndLegend) {
  TempDir dir;
  RunResult run;
  Png png = screenshot({}, kSourceDir + "/assets/scenes/optimizers_adam_vs_adagrad.json", dir,
                       "a.png", &run);
  ASSERT_TRUE(png.ok());
  EXPECT_EQ(run.err.find("does not compile"), std::string::npos) << run.err;

  // Each of the three paths in its colour (line, markers, current-point ring), not only the
  // legend's swatch (~60 pixels).
  for (int i = 0; i < 3; ++i)
    EXPECT_GT(countNear(png, kSeries[i], kViewX0, kViewY0, kViewX1, kViewY1), 120) << "path " << i;

  // The colorbar: a column with violet at the bottom and yellow at the top, in that order.
  const int bar = findColorbarColumn(png);
  ASSERT_GT(bar, kViewX0 + 200) << "no colorbar right of the heatmap";
  int yellowY = -1, violetY = -1;
  for (int y = kViewY0; y < kViewY1; ++y) {
    if (yellowY < 0 && near(png.at(bar, y), kViridisTop, 20)) yellowY = y;
    if (near(png.at(bar, y), kViridisBottom, 20)) violetY = y;
  }
  EXPECT_LT(yellowY, violetY) << "high loss (yellow) above low loss (violet)";

  // The shader's heatmap left of the colorbar: many colours, and dark contour pixels.
  const int heatX0 = bar - 330, heatX1 = bar - 30;
  EXPECT_GT(png.distinctColours(heatX0, 140, heatX1, 440), 150);
  EXPECT_GT(png.darkPixels(heatX0, 140, heatX1, 440, 70), 300) << "contour lines";
  // The legend (bottom right of the plot box): a pale plate with text on it.
  int pale = 0;
  for (int y = 340; y < 450; ++y)
    for (int x = heatX1 - 200; x < heatX1; ++x) {
      const std::uint8_t* p = png.at(x, y);
      pale += p[0] > 225 && p[1] > 225 && p[2] > 200;
    }
  EXPECT_GT(pale, 2500) << "legend plate";
  EXPECT_GT(png.darkPixels(heatX1 - 200, 340, heatX1, 450, 90), 150) << "legend text";
}

TEST(OptimizerLabWindow, EveryPresetRendersItsPathsNormallyAndInPresentationMode) {
  for (const char* preset : {"adam_vs_adagrad", "adam_no_bias_correction", "momentum_rosenbrock",
                             "adam_is_adagrad", "saddle_escape", "lr_too_high"}) {
    for (bool presentation : {false, true}) {
      SCOPED_TRACE(std::string(preset) + (presentation ? " (presentation)" : ""));
      TempDir dir;
      Png png = screenshot(
          presentation ? std::vector<std::string>{"--presentation"} : std::vector<std::string>{},
          kSourceDir + "/assets/scenes/optimizers_" + preset + ".json", dir, "p.png");
      ASSERT_TRUE(png.ok());
      // The surface figure's region: above the tabs, or (presentation) left of the loss plots.
      const int x0 = presentation ? kPresentationX0 : kViewX0;
      const int x1 = presentation ? kPresentationX1 : kViewX1;
      const int y1 = presentation ? kPresentationY1 : 560;
      EXPECT_GT(findColorbarColumn(png, x0, x1, y1), 0) << "no viridis colorbar";
      // The first two optimizers' colours in the surface figure (paths, rings, legend swatches;
      // in "Adam ≈ AdaGrad" the second path covers the first).
      for (int i = 0; i < 2; ++i)
        EXPECT_GT(countNear(png, kSeries[i], x0, kViewY0, x1, y1), 40) << "path " << i;
    }
  }
}

TEST(OptimizerLabWindow, ThreeDViewRendersTheMeshAndThePaths) {
  TempDir dir;
  nlohmann::json scene = nlohmann::json::parse(
      readText(kSourceDir + "/assets/scenes/optimizers_momentum_rosenbrock.json"));
  scene["state"]["view3d"] = true;
  writeText(dir.path("3d.json"), scene.dump());
  Png png = screenshot({}, dir.path("3d.json"), dir, "3d.png");
  ASSERT_TRUE(png.ok());
  // A shaded viridis mesh: hundreds of colours where a blank target would have one.
  EXPECT_GT(png.distinctColours(kViewX0, kViewY0, kViewX1, kViewY1), 200);
  int viridisish = 0; // green-teal of the mesh's middle heights
  for (int y = kViewY0; y < kViewY1; ++y)
    for (int x = kViewX0; x < kViewX1; ++x) {
      const std::uint8_t* p = png.at(x, y);
      viridisish += p[1] > p[0] + 30 && p[2] > p[0] && p[1] > 60;
    }
  EXPECT_GT(viridisish, 5000);
  for (int i = 0; i < 3; ++i)
    EXPECT_GT(countNear(png, kSeries[i], kViewX0, kViewY0, kViewX1, kViewY1, 14), 30)
        << "path " << i;
}

TEST(OptimizerLabWindow, BrokenShaderIsReportedWithFileAndLineAndTheLabStillDraws) {
  TempDir dir;
  const std::filesystem::path shaders = dir.path("shaders");
  std::filesystem::create_directories(shaders);
  for (const auto& entry : std::filesystem::directory_iterator(kSourceDir + "/shaders"))
    std::filesystem::copy_file(entry.path(), shaders / entry.path().filename());
  // Line 3 of the fragment shader uses an undeclared name.
  writeText((shaders / "surface_heatmap.frag").string(),
            "#version 330 core\nout vec4 fragColor;\nvoid main() { fragColor = "
            "vec4(undeclaredThing); }\n");
  ::setenv("NNLAB_SHADERS", shaders.c_str(), 1);
  RunResult run;
  Png png = screenshot({}, kSourceDir + "/assets/scenes/optimizers_adam_vs_adagrad.json", dir,
                       "broken.png", &run);
  ::unsetenv("NNLAB_SHADERS");
  ASSERT_TRUE(png.ok());
  EXPECT_NE(run.err.find("surface_heatmap.frag:3"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("does not compile"), std::string::npos) << run.err;
  // The lab falls back to plot/'s own heatmap: the paths and the colorbar are still there.
  EXPECT_GT(findColorbarColumn(png), 0);
  EXPECT_GT(countNear(png, kSeries[0], kViewX0, kViewY0, kViewX1, kViewY1), 100);
}

} // namespace
} // namespace nnlab::test
