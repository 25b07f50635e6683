// The receptive-field lab in the real window (Xvfb, 1280×800), from the shipped preset scenes: the
// red receptive-field box sits on the input image where the arithmetic puts it, the units it
// depends on are lit orange in the intermediate maps, the ERF heatmap is drawn; also in
// presentation mode; `nnlab export` writes the overlay as a PDF.
#include <filesystem>
#include <gtest/gtest.h>

#include "run_nnlab.h"

namespace nnlab::test {
namespace {

std::string scene(const std::string& name) { return std::string(NNLAB_SOURCE_DIR) + "/assets/scenes/" + name; }

Png screenshot(TempDir& dir, const std::string& name, std::vector<std::string> extra) {
  std::vector<std::string> args = {"--lab", "receptive_field", "--screenshot", dir.path(name), "--frames", "4"};
  args.insert(args.end(), extra.begin(), extra.end());
  RunResult r = runNnlab(args, Display::Xvfb);
  EXPECT_EQ(r.exitCode, 0) << r.err;
  return readPng(dir.path(name));
}

bool boxRed(const std::uint8_t* p) { return p[0] > 200 && p[1] < 90 && p[2] < 80; }
bool white(const std::uint8_t* p) { return p[0] >= 250 && p[1] >= 250 && p[2] >= 250; }
bool orangeTint(const std::uint8_t* p) { return p[0] > p[2] + 40 && p[1] > p[2] + 10; } // lit over grey

// Scene receptive_field_two_3x3.json: two 3×3 convs (p 0) on a 64×64 input, unit (20, 28) of
// layer 2: rf 5, start 0, jump 1, so the box covers rows 20-24 and cols 28-32: its centre sits at
// (30.5, 22.5) / 64 of the input panel and its side is 5 / 64 of it.
TEST(ReceptiveFieldLabWindow, BoxOnTheInputWhereTheArithmeticPutsIt) {
  TempDir dir;
  Png png = screenshot(dir, "rf.png", {"--scene", scene("receptive_field_two_3x3.json")});
  ASSERT_TRUE(png.ok());
  // The box: the top-most cluster of its red in the maps column (the selected unit's own red
  // square lies in a lower panel).
  int top = -1;
  for (int y = 150; y < 780 && top < 0; ++y)
    for (int x = 590; x < 960; ++x)
      if (boxRed(png.at(x, y))) {
        top = y;
        break;
      }
  ASSERT_GE(top, 0) << "no receptive-field box drawn";
  int x0 = 10000, x1 = -1, y0 = 10000, y1 = -1;
  for (int y = top; y < top + 60; ++y)
    for (int x = 590; x < 960; ++x)
      if (boxRed(png.at(x, y))) x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
  const double cx = (x0 + x1) / 2.0, cy = (y0 + y1) / 2.0;
  // The input panel around it: walk out from the box to the white margins.
  int left = static_cast<int>(cx), right = left, up = static_cast<int>(cy), down = up;
  while (left > 560 && !white(png.at(left - 1, int(cy)))) --left;
  while (right < 1270 && !white(png.at(right + 1, int(cy)))) ++right;
  while (up > 60 && !white(png.at(int(cx), up - 1))) --up;
  while (down < 790 && !white(png.at(int(cx), down + 1))) ++down;
  const double side = right - left + 1;
  ASSERT_GT(side, 100) << "input panel not found";
  EXPECT_NEAR(down - up + 1, side, 4) << "the input panel is square";
  EXPECT_NEAR(cx - left, 30.5 / 64 * side, 3.5);
  EXPECT_NEAR(cy - up, 22.5 / 64 * side, 3.5);
  EXPECT_NEAR(x1 - x0, 5.0 / 64 * side, 5.0);
  EXPECT_NEAR(y1 - y0, 5.0 / 64 * side, 5.0);
  // Inside the box the image is lit orange (the input pixels the unit depends on).
  int lit = 0;
  for (int y = y0 + 3; y < y1 - 2; ++y)
    for (int x = x0 + 3; x < x1 - 2; ++x) lit += orangeTint(png.at(x, y));
  EXPECT_GT(lit, 10);
  // The ERF figure right of the maps: viridis yellow (its peak) somewhere.
  int yellow = 0;
  for (int y = 150; y < 780; ++y)
    for (int x = 960; x < 1270; ++x) {
      const std::uint8_t* p = png.at(x, y);
      yellow += p[0] > 180 && p[1] > 180 && p[2] < 90;
    }
  EXPECT_GT(yellow, 20);
}

TEST(ReceptiveFieldLabWindow, PresentationModeShowsTheStackAndTheBox) {
  TempDir dir;
  Png png = screenshot(dir, "large.png", {"--scene", scene("receptive_field_deep_erf.json"), "--presentation"});
  ASSERT_TRUE(png.ok());
  int red = 0, orange = 0;
  for (int y = 100; y < 780; ++y)
    for (int x = 400; x < 1270; ++x) {
      red += boxRed(png.at(x, y));
      orange += orangeTint(png.at(x, y));
    }
  EXPECT_GT(red, 60) << "receptive-field box and selected unit";
  EXPECT_GT(orange, 200) << "dependencies lit";
}

TEST(ReceptiveFieldLabExport, OverlayExportsAsPdfPngAndCsv) {
  TempDir dir;
  for (const char* extension : {".pdf", ".png", ".csv"}) {
    const std::string out = dir.path(std::string("rf") + extension);
    RunResult r = runNnlab({"export", "--scene", scene("receptive_field_deep_erf.json"), "--out", out});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_GT(std::filesystem::file_size(out), 5000u);
  }
  EXPECT_NE(readText(dir.path("rf.csv")).find("heatmap"), std::string::npos); // the picture and ERF numbers
}

} // namespace
} // namespace nnlab::test
