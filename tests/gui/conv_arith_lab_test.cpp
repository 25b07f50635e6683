// The convolution arithmetic lab in the real window: the highlighted output cell where the scene's
// window position says, the greyed column floor division leaves, and a slider dragged with xdotool
// changing what is drawn (the padding cells vanish) and what is saved.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include "run_nnlab.h"

namespace nnlab::test {
namespace {

// The lab's fills (conv_arith_lab.cpp): the output cell being summed, the cells already summed,
// the window's taps, zero padding, and cells no window reaches.
constexpr std::uint8_t kCurrent[3] = {255, 140, 0};
constexpr std::uint8_t kDone[3] = {255, 240, 220};
constexpr std::uint8_t kTap[3] = {255, 170, 60};
constexpr std::uint8_t kPadding[3] = {255, 236, 179};
constexpr std::uint8_t kUnused[3] = {190, 190, 195};

struct Box {
  int x0 = 1 << 30, y0 = 1 << 30, x1 = -1, y1 = -1, pixels = 0;
  int width() const { return x1 - x0 + 1; }
  int height() const { return y1 - y0 + 1; }
};

// Where the pixels of one colour (±3 a channel) are, right of the lab's controls.
Box find(const Png& png, const std::uint8_t* colour, int xMin = 560) {
  Box box;
  for (int y = 0; y < png.height; ++y)
    for (int x = xMin; x < png.width; ++x) {
      const std::uint8_t* p = png.at(x, y);
      if (std::abs(p[0] - colour[0]) > 3 || std::abs(p[1] - colour[1]) > 3 ||
          std::abs(p[2] - colour[2]) > 3)
        continue;
      box.x0 = std::min(box.x0, x);
      box.y0 = std::min(box.y0, y);
      box.x1 = std::max(box.x1, x);
      box.y1 = std::max(box.y1, y);
      ++box.pixels;
    }
  return box;
}

std::string scenePath(const char* name) {
  return std::string(NNLAB_SOURCE_DIR) + "/assets/scenes/" + name;
}

// Scene conv_arith_stride2_pad1: input 6×6 padded by 1 to 8×8, k 3, s 2: output 3×3 and the
// window at step 5 = output (1, 1). Cells (0,0) (0,1) (0,2) (1,0) are done; (1,1) is current.
TEST(ConvArithLabWindow, HighlightedOutputCellIsWhereTheWindowIs) {
  for (bool presentation : {false, true}) {
    SCOPED_TRACE(presentation ? "presentation" : "normal");
    TempDir dir;
    std::vector<std::string> args = {"--scene",      scenePath("conv_arith_stride2_pad1.json"),
                                     "--screenshot", dir.path("s.png"),
                                     "--frames",     "4"};
    if (presentation) args.push_back("--presentation");
    RunResult r = runNnlab(args, Display::Xvfb);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    Png png = readPng(dir.path("s.png"));
    ASSERT_TRUE(png.ok());
    EXPECT_GT(png.distinctColours(0, 0, png.width, png.height), 40);

    // Right of the controls column (the lab list folds away in presentation mode).
    const int left = presentation ? 390 : 560;
    const Box current = find(png, kCurrent, left), done = find(png, kDone, left),
              taps = find(png, kTap, left);
    ASSERT_GT(current.pixels, 150) << "no highlighted output cell";
    ASSERT_GT(done.pixels, 4 * 150) << "no summed output cells";
    // Row 0 (three done cells) spans the output grid: one cell is a third of it (the fills stop
    // short of the grid lines by a pixel or two).
    const double pitch = (done.width() + 1) / 3.0;
    EXPECT_NEAR(current.width(), pitch, 3) << "the highlighted cell is one cell";
    EXPECT_NEAR(current.height(), current.width(), 2) << "the highlighted cell is square";
    EXPECT_NEAR(current.x0 - done.x0, pitch, 3) << "column 1";
    EXPECT_NEAR(current.y0 - done.y0, pitch, 3) << "row 1";
    // The window's 9 taps on the input, left of the output (or above it: the grids stack in two
    // rows when the arithmetic sits beside them).
    EXPECT_GT(taps.pixels, 9 * 0.5 * pitch * pitch);
    EXPECT_TRUE(taps.x1 < done.x0 || taps.y1 < done.y0)
        << "taps (" << taps.x0 << ", " << taps.y0 << ")–(" << taps.x1 << ", " << taps.y1
        << ") overlap the output at (" << done.x0 << ", " << done.y0 << ")";
    // Floor division leaves the last padded row and column: greyed along the input's right and
    // bottom edges, over the whole 8-cell side of the padded input.
    const Box unused = find(png, kUnused, left);
    EXPECT_GT(unused.pixels, 10 * 50);
    EXPECT_GT(unused.height(), 2 * taps.height()) << "a whole greyed column";
    EXPECT_GT(unused.x1, taps.x1);
  }
}

// Transposed scene: 3×3 input spread out with zeros; output 6×6 with the current cell at step 8
// = output (1, 1).
TEST(ConvArithLabWindow, TransposedSceneShowsInsertedZerosAndTheOutput) {
  TempDir dir;
  RunResult r = runNnlab({"--scene", scenePath("conv_arith_transposed.json"), "--screenshot",
                          dir.path("t.png"), "--frames", "4"},
                         Display::Xvfb);
  ASSERT_EQ(r.exitCode, 0) << r.err;
  Png png = readPng(dir.path("t.png"));
  ASSERT_TRUE(png.ok());
  constexpr std::uint8_t kInserted[3] = {225, 212, 250};
  EXPECT_GT(find(png, kInserted).pixels, 5 * 100) << "zeros inserted between the input's cells";
  const Box current = find(png, kCurrent), done = find(png, kDone);
  ASSERT_GT(current.pixels, 100);
  EXPECT_NEAR((done.width() + 1) / 6.0, current.width(), 3) << "a 6-wide output row already summed";
}

// Real input: start the window on the default state (padding 1), drag the padding slider to 0
// with xdotool, then save the window (F12, the app's --capture) and the scene (Ctrl+S, Enter).
TEST(ConvArithLabWindow, DraggingThePaddingSliderRemovesThePaddingCells) {
  if (std::system("command -v xdotool >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "xdotool is not installed";
  TempDir dir;
  // Default layout at 1×: the lab's control column starts at x = 265; the padding slider is the
  // fourth geometry slider at y = 323, its grab near x = 355 (p = 1 of 0..4).
  // Keys are held for a quarter second: under llvmpipe a frame takes up to 100 ms, and ImGui
  // 1.86 misses a key pressed and released between two frames.
  const std::string script = R"(#!/bin/sh
press() { xdotool keydown "$1"; sleep 0.25; xdotool keyup "$1"; sleep 0.6; }
cd "$2"
"$1" --lab conv_arith --capture shot.png >log.txt 2>&1 &
pid=$!
xdotool search --sync --name "NN Lab" >/dev/null
sleep 1.5
xdotool mousemove 700 44
press F12
mv shot.png before.png
xdotool mousemove 355 323 mousedown 1 sleep 0.3 mousemove 320 323 sleep 0.3 mousemove 262 323 sleep 0.3 mouseup 1
sleep 0.5
xdotool mousemove 700 44
press F12
mv shot.png after.png
press ctrl+s
press Return
kill $pid
wait $pid
)";
  writeText(dir.path("drive.sh"), script);
  const std::string command =
      "env -u DISPLAY -u WAYLAND_DISPLAY xvfb-run -a -s '-screen 0 1280x800x24' sh '" +
      dir.path("drive.sh") + "' '" + NNLAB_EXECUTABLE + "' '" + dir.path("") + "'";
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status)) << "the driving script was killed";

  // The saved scene has the dragged value.
  const std::string saved = readText(dir.path("conv_arith.json"));
  ASSERT_FALSE(saved.empty()) << "Ctrl+S did not save the scene; log: "
                              << readText(dir.path("log.txt"));
  const nlohmann::json scene = nlohmann::json::parse(saved);
  EXPECT_EQ(scene["lab"], "conv_arith");
  EXPECT_EQ(scene["state"]["padding"], 0);

  // The screenshots: padding cells (yellow) before the drag, none after.
  Png before = readPng(dir.path("before.png")), after = readPng(dir.path("after.png"));
  if (!before.ok() || !after.ok())
    GTEST_SKIP() << "F12 capture (--capture) is not available; the saved scene checked the drag";
  EXPECT_GT(find(before, kPadding).pixels, 20 * 100) << "padding 1: a ring of 24 zero cells";
  EXPECT_EQ(find(after, kPadding).pixels, 0) << "padding 0: no padding cells";
  EXPECT_GT(find(after, kTap).pixels, 9 * 100) << "the window is still drawn";
}

} // namespace
} // namespace nnlab::test
