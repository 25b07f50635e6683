// The feature-map lab in the real window (Xvfb, 1280×800), from the shipped preset scenes:
// the vertical-edge kernel on the checkerboard lights vertical edges only, a bank shows a grid of
// coloured maps, and presentation mode still shows them; `nnlab export` writes the grid (the input
// and one panel per map) as PDF, PNG and CSV.
#include <filesystem>
#include <gtest/gtest.h>

#include "run_nnlab.h"

namespace nnlab::test {
namespace {

std::string scene(const std::string& name) {
  return std::string(NNLAB_SOURCE_DIR) + "/assets/scenes/" + name;
}

Png screenshot(TempDir& dir, const std::string& name, std::vector<std::string> extra) {
  std::vector<std::string> args = {"--lab",        "feature_maps", "--screenshot",
                                   dir.path(name), "--frames",     "4"};
  args.insert(args.end(), extra.begin(), extra.end());
  RunResult r = runNnlab(args, Display::Xvfb);
  EXPECT_EQ(r.exitCode, 0) << r.err;
  return readPng(dir.path(name));
}

// Strongly coloured: the diverging map far from its white 0 (red or blue).
bool coloured(const std::uint8_t* p) {
  return std::max({p[0], p[1], p[2]}) - std::min({p[0], p[1], p[2]}) > 80;
}
bool nearWhite(const std::uint8_t* p) {
  return std::min({p[0], p[1], p[2]}) > 225;
}

// One 256×256 map with axes fills x ≈ 730..1110, y ≈ 318..697 at 1×; the region below stays
// inside the heatmap whatever the exact tick label widths.
constexpr int kMapX0 = 745, kMapX1 = 1095, kMapY0 = 335, kMapY1 = 680;

TEST(FeatureMapLabWindow, VerticalEdgeKernelOnCheckerboardLightsVerticalEdgesOnly) {
  TempDir dir;
  Png png = screenshot(dir, "checker.png",
                       {"--scene", scene("feature_maps_checkerboard_vertical_edge.json")});
  ASSERT_TRUE(png.ok());
  const int height = kMapY1 - kMapY0, width = kMapX1 - kMapX0;
  // Columns: a vertical edge is a column coloured over most of the map's height (the 2-pixel
  // response at each square boundary: 7 boundaries inside a 256-pixel board).
  int litColumns = 0, edgesSeen = 0;
  bool inEdge = false;
  for (int x = kMapX0; x < kMapX1; ++x) {
    int count = 0;
    for (int y = kMapY0; y < kMapY1; ++y) count += coloured(png.at(x, y));
    const bool lit = count > 0.75 * height;
    litColumns += lit;
    edgesSeen += lit && !inEdge;
    inEdge = lit;
  }
  EXPECT_GE(edgesSeen, 6) << "vertical edges lit";
  EXPECT_LE(edgesSeen, 8);
  // Rows: across a horizontal edge (and anywhere else) only the vertical-edge columns are coloured,
  // so no row is coloured over more than a small part of its width.
  int worstRow = 0;
  for (int y = kMapY0; y < kMapY1; ++y) {
    int count = 0;
    for (int x = kMapX0; x < kMapX1; ++x) count += coloured(png.at(x, y));
    worstRow = std::max(worstRow, count);
  }
  EXPECT_LT(worstRow, 0.15 * width) << "a horizontal line is lit";
  EXPECT_GT(worstRow, litColumns / 2) << "every row crosses the lit vertical edges";
  // Flat squares are 0: white in the diverging map.
  int white = 0;
  for (int y = kMapY0; y < kMapY1; ++y)
    for (int x = kMapX0; x < kMapX1; ++x) white += nearWhite(png.at(x, y));
  EXPECT_GT(white, 0.8 * width * height);
  // Both signs: black→white edges negative (blue), white→black positive (red).
  int red = 0, blue = 0;
  for (int y = kMapY0; y < kMapY1; ++y)
    for (int x = kMapX0; x < kMapX1; ++x) {
      const std::uint8_t* p = png.at(x, y);
      red += coloured(p) && p[0] > p[2];
      blue += coloured(p) && p[2] > p[0];
    }
  EXPECT_GT(red, 1000);
  EXPECT_GT(blue, 1000);
}

TEST(FeatureMapLabWindow, BankShowsAGridOfMapsAlsoInPresentationMode) {
  TempDir dir;
  for (bool presentation : {false, true}) {
    SCOPED_TRACE(presentation ? "presentation" : "normal");
    std::vector<std::string> extra = {"--scene", scene("feature_maps_edges_brick_relu_pool.json")};
    if (presentation) extra.push_back("--presentation");
    Png png = screenshot(dir, presentation ? "large.png" : "normal.png", extra);
    ASSERT_TRUE(png.ok());
    // The maps fill the right part below the input strip: 8 tiles of red (ReLU: no blue) edges.
    int red = 0, blue = 0;
    for (int y = 330; y < 740; ++y)
      for (int x = 440; x < 1180; ++x) {
        const std::uint8_t* p = png.at(x, y);
        red += coloured(p) && p[0] > p[2] + 60;
        blue += coloured(p) && p[2] > p[0] + 60; // only the colour bar's lower half
      }
    // Presentation mode's tiles are smaller (~100 px: their labels, wrapped to the tile, take a
    // line more), so fewer edge pixels; still 8 tiles' worth.
    EXPECT_GT(red, presentation ? 6000 : 20000) << "maps of lit edges";
    EXPECT_LT(blue, 4000) << "after ReLU nothing is negative";
    EXPECT_GT(png.distinctColours(440, 330, 1180, 740), 60);
  }
}

TEST(FeatureMapLabExport, GridExportsAsPdfAndCsv) {
  TempDir dir;
  for (const char* extension : {".pdf", ".csv", ".png"}) {
    const std::string out = dir.path(std::string("grid") + extension);
    RunResult r =
        runNnlab({"export", "--scene", scene("feature_maps_gabor_camera.json"), "--out", out});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    ASSERT_TRUE(std::filesystem::exists(out));
    EXPECT_GT(std::filesystem::file_size(out), 10000u);
  }
  // The CSV holds every panel's numbers: panel 0 the input's grey levels, panels 1-8 the maps.
  const std::string csv = readText(dir.path("grid.csv"));
  EXPECT_EQ(csv.rfind("panel,kind,series,label,x,y,value\n", 0), 0u);
  EXPECT_NE(csv.find("\n0,heatmap,0,input grey level,0.5,0.5,"), std::string::npos);
  EXPECT_NE(csv.find("\n8,heatmap,0,activation,255.5,255.5,"), std::string::npos);
  EXPECT_EQ(csv.find("\n9,"), std::string::npos) << "the input and 8 maps, nothing more";
}

} // namespace
} // namespace nnlab::test
