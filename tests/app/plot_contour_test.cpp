// Marching squares on fields with known iso-lines.
#include <gtest/gtest.h>

#include <cmath>

#include "plot/contour.h"

using namespace nnlab::plot;

TEST(PlotContour, CircleLevelLiesAtItsRadius) {
  // f = x^2 + y^2 on [-2, 2]^2, 81 x 81 cells (cell 0.049 wide); the level r^2 = 1 is the unit
  // circle. Linear interpolation of a quadratic along an edge errs by at most h^2 / (8 r) ~ 3e-4.
  const int n = 81;
  const double lo = -2, hi = 2, h = (hi - lo) / n;
  std::vector<float> f;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      const double x = lo + (j + 0.5) * h, y = lo + (i + 0.5) * h;
      f.push_back(float(x * x + y * y));
    }
  const auto lines = contourLines(f.data(), n, n, lo, hi, lo, hi, 1.0);
  ASSERT_EQ(lines.size(), 1u); // one closed curve, joined from its segments
  const auto& circle = lines[0];
  EXPECT_GT(circle.size(), 100u);
  EXPECT_NEAR(circle.front().x, circle.back().x, 1e-12); // closed: ends where it began
  EXPECT_NEAR(circle.front().y, circle.back().y, 1e-12);
  for (const auto& p : circle) EXPECT_NEAR(std::hypot(p.x, p.y), 1.0, h) << p.x << ", " << p.y;
}

TEST(PlotContour, PlaneGivesStraightLineThroughCellCentres) {
  // f = x on 4 x 4 cells over [0, 4]: values 0.5, 1.5, 2.5, 3.5 at the cell centres; the level
  // 2 is the vertical line x = 2 from the first row centre (y = 0.5) to the last (y = 3.5).
  std::vector<float> f;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) f.push_back(float(j + 0.5));
  const auto lines = contourLines(f.data(), 4, 4, 0, 4, 0, 4, 2.0);
  ASSERT_EQ(lines.size(), 1u);
  ASSERT_EQ(lines[0].size(), 4u);
  for (const auto& p : lines[0]) EXPECT_DOUBLE_EQ(p.x, 2.0);
  EXPECT_DOUBLE_EQ(std::min(lines[0].front().y, lines[0].back().y), 0.5);
  EXPECT_DOUBLE_EQ(std::max(lines[0].front().y, lines[0].back().y), 3.5);
}

TEST(PlotContour, NanCellsAreSkippedAndLevelOutsideGivesNothing) {
  std::vector<float> f = {0, 1, NAN, 0, 1, 1, 0, 1, 1};
  EXPECT_TRUE(contourLines(f.data(), 3, 3, 0, 3, 0, 3, 5.0).empty());
  const auto lines = contourLines(f.data(), 3, 3, 0, 3, 0, 3, 0.5);
  for (const auto& line : lines)
    for (const auto& p : line) EXPECT_FALSE(std::isnan(p.x));
}
