// The training lab in the real window: presets rendered headless (the runs finished before the
// screenshot's frame, see Lab::finishBackgroundWork) and checked on pixels that mean something,
// and one run started with a real click on Train while frames keep coming.
#include <algorithm>
#include <cstdlib>
#include <gtest/gtest.h>

#include "run_nnlab.h"

namespace nnlab::test {
namespace {

// Layout at 1280×800, 1×, lab list shown: the loss plot box spans about x 655–990, y 105–375 (its x
// axis unlabelled: the gradient norm figure at the bottom names the shared step axis); the decision
// regions sit right of x 1065 below y 440 (see the screenshots in the lab's report).
constexpr int kLossX0 = 660, kLossX1 = 985, kLossY0 = 108, kLossY1 = 372;
constexpr int kBoundaryX0 = 1070, kBoundaryX1 = 1255, kBoundaryY0 = 460, kBoundaryY1 = 640;

std::string scene(const std::string& name) {
  return std::string(NNLAB_SOURCE_DIR) + "/assets/scenes/" + name;
}

Png shot(TempDir& dir, const std::string& sceneName, std::vector<std::string> extra = {}) {
  const std::string out = dir.path(sceneName + ".png");
  // Many frames: with finishBackgroundWork the runs are finished at the last frame whatever the
  // count; the count only gives ImGui its first-frame layout passes.
  std::vector<std::string> args = {"--lab",          "training",     "--scene",
                                   scene(sceneName), "--screenshot", out,
                                   "--headless",     "--frames",     "120"};
  args.insert(args.end(), extra.begin(), extra.end());
  RunResult r = runNnlab(args);
  EXPECT_EQ(r.exitCode, 0) << r.err;
  return readPng(out);
}

bool near(const std::uint8_t* p, int r, int g, int b, int tolerance = 40) {
  return std::abs(p[0] - r) < tolerance && std::abs(p[1] - g) < tolerance &&
         std::abs(p[2] - b) < tolerance;
}

// Pixels of a colour in a rectangle.
int count(const Png& png, int x0, int y0, int x1, int y1, int r, int g, int b, int tol = 40) {
  int n = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) n += near(png.at(x, y), r, g, b, tol);
  return n;
}

// The row in [y0, y1) with the most pixels of the dashed chance line's grey (89, 89, 89).
int chanceRow(const Png& png, int& pixels) {
  int best = -1;
  pixels = 0;
  for (int y = kLossY0; y < kLossY1; ++y) {
    const int n = count(png, kLossX0, y, kLossX1, y + 1, 89, 89, 89, 30);
    if (n > pixels) pixels = n, best = y;
  }
  return best;
}

// Okabe-Ito blue and vermillion: the first two runs' colours.
constexpr int kBlue[3] = {0, 114, 178}, kVermillion[3] = {213, 94, 0};

TEST(TrainingLabGui, StaircaseShowsBothRunsAndTheChanceLine) {
  TempDir dir;
  Png png = shot(dir, "training_step_decay.json");
  ASSERT_TRUE(png.ok());
  int dashes = 0;
  const int row = chanceRow(png, dashes);
  // A dashed line across the box: many grey pixels on one row, but not all (the gaps).
  EXPECT_GT(dashes, 80) << "no chance-loss line";
  EXPECT_LT(dashes, kLossX1 - kLossX0 - 20) << "the chance line should be dashed";
  EXPECT_GT(row, kLossY0);
  // Both runs drawn in their colours, below the chance line (the loss fell under ln 4).
  const int blue = count(png, kLossX0, row + 3, kLossX1, kLossY1, kBlue[0], kBlue[1], kBlue[2]);
  const int red = count(png, kLossX0, row + 3, kLossX1, kLossY1, kVermillion[0], kVermillion[1],
                        kVermillion[2]);
  EXPECT_GT(blue, 200);
  EXPECT_GT(red, 200);
}

TEST(TrainingLabGui, SpikeRisesFarAboveTheStartingLevel) {
  TempDir dir;
  Png png = shot(dir, "training_lr_spikes.json");
  ASSERT_TRUE(png.ok());
  int dashes = 0;
  const int row = chanceRow(png, dashes); // ln 2: where both runs start
  ASSERT_GT(dashes, 80);
  // The η = 1 run (blue) has curve pixels far above the start: at least 60 px over the line.
  // The spikes come in the first 70 of 250 steps: the box's left 80 px (the legend is in the
  // top right corner).
  const int x1 = kLossX0 + 80;
  const int above = count(png, kLossX0, kLossY0, x1, row - 60, kBlue[0], kBlue[1], kBlue[2]);
  EXPECT_GT(above, 40) << "no spike above the starting loss";
  // The fix (vermillion) never goes there.
  EXPECT_LT(
      count(png, kLossX0, kLossY0, x1, row - 60, kVermillion[0], kVermillion[1], kVermillion[2]),
      5);
}

TEST(TrainingLabGui, DecisionRegionsHaveTwoColours) {
  TempDir dir;
  Png png = shot(dir, "training_lr_spikes.json");
  ASSERT_TRUE(png.ok());
  // Pale blue and pale orange regions (the classes' colours mixed with white), and both classes'
  // points on top.
  int paleBlue = 0, paleOrange = 0;
  for (int y = kBoundaryY0; y < kBoundaryY1; ++y)
    for (int x = kBoundaryX0; x < kBoundaryX1; ++x) {
      const std::uint8_t* p = png.at(x, y);
      paleBlue += p[2] > 170 && p[2] > p[0] + 40 && p[0] > 60;
      paleOrange += p[0] > 200 && p[0] > p[2] + 40 && p[2] > 60;
    }
  EXPECT_GT(paleBlue, 1500);
  EXPECT_GT(paleOrange, 1500);
}

TEST(TrainingLabGui, PresentationModeKeepsTheLossPlot) {
  TempDir dir;
  Png png = shot(dir, "training_clipping.json", {"--presentation"});
  ASSERT_TRUE(png.ok());
  // The lab list folds away: the plots widen; both runs' colours are on screen.
  EXPECT_GT(count(png, 350, 60, 1280, 780, kBlue[0], kBlue[1], kBlue[2]), 300);
  EXPECT_GT(count(png, 350, 60, 1280, 780, kVermillion[0], kVermillion[1], kVermillion[2]), 300);
}

// A real click on Train: the loss plot fills while the window keeps drawing. Two F12 captures a
// second apart during the run differ inside the loss plot (the curve grew between them).
TEST(TrainingLabGui, TrainButtonFillsTheLossPlotWhileFramesKeepComing) {
  TempDir dir;
  // Long enough to still be training at both captures: 20 epochs of the small CNN on shapes.
  writeText(dir.path("long.json"), R"({"version": 1, "lab": "training", "state": {
    "settings": {"dataset": "shapes:classes=10,size=28", "model": "small_cnn", "optimizer": "adam",
                 "lr": 0.003, "batch": 32, "epochs": 20, "seed": 3}}})");
  const std::string capture = dir.path("capture.png");
  const std::string script = R"(
    set -e
    ")" + std::string(NNLAB_EXECUTABLE) +
                             R"(" --lab training --scene ")" + dir.path("long.json") +
                             R"(" --capture ")" + capture + R"(" &
    app=$!
    trap 'kill $app 2>/dev/null' EXIT
    window=$(timeout 60 xdotool search --sync --name "NN Lab" | head -n 1)
    xdotool windowfocus "$window"
    wait_for() { for i in $(seq 1 200); do [ -s "$1" ] && return 0; sleep 0.05; done; return 1; }
    sleep 0.5
    xdotool key --window "$window" F12; wait_for ")" +
                             capture + R"("; sleep 0.2
    mv ")" + capture + R"(" ")" +
                             dir.path("before.png") + R"("
    xdotool mousemove 289 136 click 1
    sleep 1.5
    xdotool key --window "$window" F12; wait_for ")" +
                             capture + R"("; sleep 0.2
    mv ")" + capture + R"(" ")" +
                             dir.path("during1.png") + R"("
    sleep 1.0
    xdotool key --window "$window" F12; wait_for ")" +
                             capture + R"("; sleep 0.2
    mv ")" + capture + R"(" ")" +
                             dir.path("during2.png") + R"("
    xdotool key --window "$window" ctrl+q
    wait $app
    trap - EXIT
  )";
  writeText(dir.path("drive.sh"), script);
  const std::string command =
      "env -u DISPLAY -u WAYLAND_DISPLAY xvfb-run -a -s '-screen 0 1280x800x24' bash " +
      dir.path("drive.sh") + " > " + dir.path("log") + " 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << readText(dir.path("log"));
  Png before = readPng(dir.path("before.png"));
  Png during1 = readPng(dir.path("during1.png"));
  Png during2 = readPng(dir.path("during2.png"));
  ASSERT_TRUE(before.ok() && during1.ok() && during2.ok());
  const auto blue = [](const Png& p) {
    return count(p, kLossX0, kLossY0, kLossX1, kLossY1, kBlue[0], kBlue[1], kBlue[2]);
  };
  EXPECT_LT(blue(before), 20) << "the loss plot should be empty before Train";
  EXPECT_GT(blue(during1), 100) << "no loss curve after pressing Train";
  EXPECT_GT(blue(during2), blue(during1))
      << "the curve did not grow: frames stopped during training?";
}

} // namespace
} // namespace nnlab::test
