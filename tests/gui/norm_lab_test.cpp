// The normalization lab's window with the four preset scenes (assets/scenes/norm_*.json: N = 3,
// C = 4, H = W = 2, G = 2). The tensor view fills every element with its statistic's colour, so
// the screenshot alone must tell the four kinds apart, as a student would: batch norm paints each
// channel one colour across the samples, layer norm each sample one colour, instance norm every
// channel slice its own colour, group norm pairs of channels within a sample.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "run_nnlab.h"

namespace nnlab::test {
namespace {

constexpr int kN = 3, kC = 4, kH = 2, kW = 2, kG = 2;

// The statistic colours of normStatisticColor (labs/norm_lab.cpp): plot's Categorical palette
// (plot/colormap.cpp categoricalColor: tab10 without grey, then three tab20 tints).
constexpr std::array<std::array<int, 3>, 12> kStatisticColors{{{0x1f, 0x77, 0xb4},
                                                               {0xff, 0x7f, 0x0e},
                                                               {0x2c, 0xa0, 0x2c},
                                                               {0xd6, 0x27, 0x28},
                                                               {0x94, 0x67, 0xbd},
                                                               {0x8c, 0x56, 0x4b},
                                                               {0xe3, 0x77, 0xc2},
                                                               {0xbc, 0xbd, 0x22},
                                                               {0x17, 0xbe, 0xcf},
                                                               {0xae, 0xc7, 0xe8},
                                                               {0xff, 0xbb, 0x78},
                                                               {0x98, 0xdf, 0x8a}}};

int statisticColorAt(const Png& png, int x, int y) {
  const std::uint8_t* p = png.at(x, y);
  for (size_t i = 0; i < kStatisticColors.size(); ++i)
    if (p[0] == kStatisticColors[i][0] && p[1] == kStatisticColors[i][1] &&
        p[2] == kStatisticColors[i][2])
      return int(i);
  return -1;
}

struct Cell {
  int color, x0, y0, x1, y1;
};

// Connected regions of one statistic colour (the cells, minus their digits), as bounding boxes.
std::vector<Cell> findCells(const Png& png) {
  std::vector<int> seen(size_t(png.width) * png.height, 0);
  std::vector<Cell> cells;
  for (int y = 0; y < png.height; ++y)
    for (int x = 0; x < png.width; ++x) {
      const int color = statisticColorAt(png, x, y);
      if (color < 0 || seen[size_t(y) * png.width + x]) continue;
      Cell cell{color, x, y, x, y};
      std::vector<std::pair<int, int>> stack{{x, y}};
      seen[size_t(y) * png.width + x] = 1;
      while (!stack.empty()) {
        auto [px, py] = stack.back();
        stack.pop_back();
        cell.x0 = std::min(cell.x0, px), cell.x1 = std::max(cell.x1, px);
        cell.y0 = std::min(cell.y0, py), cell.y1 = std::max(cell.y1, py);
        for (auto [dx, dy] : {std::pair{1, 0}, {-1, 0}, {0, 1}, {0, -1}}) {
          const int qx = px + dx, qy = py + dy;
          if (qx < 0 || qy < 0 || qx >= png.width || qy >= png.height) continue;
          if (seen[size_t(qy) * png.width + qx] || statisticColorAt(png, qx, qy) != color) continue;
          seen[size_t(qy) * png.width + qx] = 1;
          stack.push_back({qx, qy});
        }
      }
      cells.push_back(cell);
    }
  // Keep the full cells: the most common box size (the legend's chips are smaller, and a cell under
  // the hover tooltip is cut).
  std::map<std::pair<int, int>, int> sizes;
  for (const Cell& c : cells)
    if (c.x1 - c.x0 >= 20) ++sizes[{c.x1 - c.x0, c.y1 - c.y0}];
  if (sizes.empty()) return {};
  const auto common = std::max_element(sizes.begin(), sizes.end(),
                                       [](auto& a, auto& b) { return a.second < b.second; });
  std::vector<Cell> full;
  for (const Cell& c : cells)
    if (std::abs(c.x1 - c.x0 - common->first.first) <= 1 &&
        std::abs(c.y1 - c.y0 - common->first.second) <= 1)
      full.push_back(c);
  return full;
}

// Distinct positions (within a few pixels), sorted.
std::vector<int> clusters(std::vector<int> positions) {
  std::sort(positions.begin(), positions.end());
  std::vector<int> out;
  for (int p : positions)
    if (out.empty() || p - out.back() > 4) out.push_back(p);
  return out;
}

int indexOf(const std::vector<int>& clustered, int p) {
  for (size_t i = 0; i < clustered.size(); ++i)
    if (std::abs(clustered[i] - p) <= 4) return int(i);
  return -1;
}

// Xvfb's pointer rests mid-screen, so the hover tooltip hides a slice or two: those are skipped.
constexpr int kHidden = -1, kMixed = -2;

// Colour of each channel slice (view 0 raw, 1 normalized; n; c), read off the screenshot.
struct SliceColors {
  std::map<std::array<int, 3>, std::set<int>> colors;
  int columns = 0, rows = 0;
  int at(int view, int n, int c) const {
    auto it = colors.find({view, n, c});
    if (it == colors.end()) return kHidden;
    return it->second.size() != 1 ? kMixed : *it->second.begin();
  }
};

SliceColors readSlices(const Png& png) {
  SliceColors out;
  const std::vector<Cell> cells = findCells(png);
  std::vector<int> xs, ys;
  for (const Cell& c : cells) {
    xs.push_back(c.x0);
    ys.push_back(c.y0);
  }
  const std::vector<int> columns = clusters(xs), rows = clusters(ys);
  out.columns = int(columns.size());
  out.rows = int(rows.size());
  for (const Cell& c : cells) {
    const int column = indexOf(columns, c.x0), row = indexOf(rows, c.y0);
    const int view = column / (kN * kW), n = (column % (kN * kW)) / kW, channel = row / kH;
    out.colors[{view, n, channel}].insert(c.color);
  }
  return out;
}

bool shareStatistic(const std::string& kind, int n1, int c1, int n2, int c2) {
  if (kind == "batch") return c1 == c2;
  if (kind == "layer") return n1 == n2;
  if (kind == "instance") return n1 == n2 && c1 == c2;
  return n1 == n2 && c1 / (kC / kG) == c2 / (kC / kG); // group
}

class NormLabWindow : public ::testing::TestWithParam<std::string> {};

TEST_P(NormLabWindow, HighlightedGroupsAreTheKindsStatistics) {
  const std::string kind = GetParam();
  TempDir dir;
  const std::string shot = dir.path(kind + ".png");
  RunResult r = runNnlab({"--lab", "norm", "--scene",
                          std::string(NNLAB_SOURCE_DIR) + "/assets/scenes/norm_" + kind + ".json",
                          "--screenshot", shot, "--frames", "4"},
                         Display::Xvfb);
  ASSERT_EQ(r.exitCode, 0) << r.err;
  Png png = readPng(shot);
  ASSERT_TRUE(png.ok());
  EXPECT_GT(png.distinctColours(0, 0, png.width, png.height), 40) << "blank or nearly blank window";

  const SliceColors slices = readSlices(png);
  // Two views (raw x and normalized y) of N stacks W cells wide; C slices H cells tall.
  ASSERT_EQ(slices.columns, 2 * kN * kW) << "cell columns found in the tensor views";
  ASSERT_EQ(slices.rows, kC * kH) << "cell rows found in the tensor views";
  std::set<int> distinct;
  int visible = 0;
  for (int n1 = 0; n1 < kN; ++n1)
    for (int c1 = 0; c1 < kC; ++c1) {
      const int color = slices.at(0, n1, c1);
      ASSERT_NE(color, kMixed) << "slice n=" << n1 << " c=" << c1
                               << " should be one statistic colour";
      if (color == kHidden) continue;
      ++visible;
      distinct.insert(color);
      if (slices.at(1, n1, c1) != kHidden) {
        EXPECT_EQ(slices.at(1, n1, c1), color) << "the normalized view keeps the grouping colours";
      }
      for (int n2 = 0; n2 < kN; ++n2)
        for (int c2 = 0; c2 < kC; ++c2) {
          const bool share = shareStatistic(kind, n1, c1, n2, c2);
          const bool neighbours = std::abs(n1 - n2) + std::abs(c1 - c2) == 1;
          if (slices.at(0, n2, c2) == kHidden) continue;
          if (share) {
            EXPECT_EQ(slices.at(0, n2, c2), color)
                << "n=" << n1 << ",c=" << c1 << " and n=" << n2 << ",c=" << c2
                << " share μ and σ² in " << kind << " norm";
          } else if (neighbours) {
            EXPECT_NE(slices.at(0, n2, c2), color)
                << "n=" << n1 << ",c=" << c1 << " and n=" << n2 << ",c=" << c2
                << " have different statistics in " << kind << " norm";
          }
        }
    }
  EXPECT_GE(visible, kN * kC - 2) << "slices of the raw view found";
  // Distinct colours seen: every statistic has its own (instance norm's 12 use all 12 colours).
  const std::map<std::string, int> statistics{
      {"batch", kC}, {"layer", kN}, {"instance", kN * kC}, {"group", kN * kG}};
  EXPECT_LE(int(distinct.size()), statistics.at(kind));
  EXPECT_GE(int(distinct.size()), statistics.at(kind) - (kind == "instance" ? 1 : 0))
      << "one colour per statistic (a hidden slice may take one of instance norm's away)";
}

INSTANTIATE_TEST_SUITE_P(Presets, NormLabWindow,
                         ::testing::Values("batch", "layer", "instance", "group"),
                         [](const auto& info) { return info.param; });

TEST(NormLabWindow, PresentationModeShowsTheGroupingLarger) {
  TempDir dir;
  const std::string scene = std::string(NNLAB_SOURCE_DIR) + "/assets/scenes/norm_batch.json";
  RunResult r = runNnlab({"--lab", "norm", "--scene", scene, "--screenshot", dir.path("p.png"),
                          "--frames", "4", "--presentation"},
                         Display::Xvfb);
  ASSERT_EQ(r.exitCode, 0) << r.err;
  Png png = readPng(dir.path("p.png"));
  ASSERT_TRUE(png.ok());
  const SliceColors slices = readSlices(png);
  EXPECT_EQ(slices.columns, 2 * kN * kW);
  EXPECT_EQ(slices.rows, kC * kH);
  for (int n = 0; n < kN; ++n)
    EXPECT_EQ(slices.at(0, n, 0), slices.at(0, 0, 0)) << "batch norm: channel 0 is one colour";
}

} // namespace
} // namespace nnlab::test
