// Colormaps: published endpoints of viridis, its monotonic luminance, a white centre for the
// diverging map, and heatmap -> RGBA8 orientation.
#include <gtest/gtest.h>
#include <cmath>

#include "plot/colormap.h"

using namespace nnlab::plot;

namespace {
void expectColor(Color c, int r8, int g8, int b8, float tol = 6) {
  EXPECT_NEAR(c.r * 255, r8, tol);
  EXPECT_NEAR(c.g * 255, g8, tol);
  EXPECT_NEAR(c.b * 255, b8, tol);
}
} // namespace

TEST(PlotColormap, ViridisMatchesMatplotlibAtEndsAndMiddle) {
  // matplotlib's viridis: #440154 at 0, #21918c at 0.5, #fde725 at 1.
  expectColor(colormapColor(Colormap::Viridis, 0.0), 0x44, 0x01, 0x54);
  expectColor(colormapColor(Colormap::Viridis, 0.5), 0x21, 0x91, 0x8c);
  expectColor(colormapColor(Colormap::Viridis, 1.0), 0xfd, 0xe7, 0x25);
}

TEST(PlotColormap, ViridisLuminanceRisesMonotonically) {
  double previous = -1;
  for (int i = 0; i <= 255; ++i) {
    const double y = relativeLuminance(colormapColor(Colormap::Viridis, i / 255.0));
    EXPECT_GT(y, previous) << "at level " << i;
    previous = y;
  }
}

TEST(PlotColormap, DivergingIsWhiteAtZeroBlueBelowRedAbove) {
  Heatmap h;
  h.rows = 1, h.cols = 3, h.values = {-2, 0, 1}, h.colormap = Colormap::Diverging;
  const ColorScale scale = resolveColorScale(h);
  EXPECT_DOUBLE_EQ(scale.vmin, -2); // symmetric: +-max|v|
  EXPECT_DOUBLE_EQ(scale.vmax, 2);
  const Color centre = scale.color(0);
  EXPECT_GT(centre.r, 0.95f);
  EXPECT_GT(centre.g, 0.95f);
  EXPECT_GT(centre.b, 0.95f);
  const Color low = scale.color(-2), high = scale.color(2);
  EXPECT_GT(low.b, low.r + 0.3f);
  EXPECT_GT(high.r, high.b + 0.25f); // #67001f
}

TEST(PlotColormap, LogScaleAndClamping) {
  ColorScale s{Colormap::Viridis, 1e-3, 1e1, true};
  EXPECT_NEAR(s.normalize(1e-1), 0.5, 1e-12); // 2 of 4 decades
  EXPECT_EQ(s.normalize(-1), 0.0);            // non-positive -> vmin
  EXPECT_EQ(s.normalize(1e5), 1.0);
}

TEST(PlotColormap, HeatmapRowsFollowTheAxisDirection) {
  Heatmap h;
  h.rows = 2, h.cols = 1, h.values = {0, 1}; // row 0 = 0 (dark), row 1 = 1 (yellow)
  const auto top = heatmapToRgba(h, true), bottom = heatmapToRgba(h, false);
  ASSERT_EQ(top.size(), 8u);
  EXPECT_LT(top[1], top[5]);       // row 0 drawn on top: the dark pixel comes first
  EXPECT_GT(bottom[1], bottom[5]); // y up: row 0 at the bottom, so yellow comes first
  EXPECT_EQ(top[3], 255);
}

TEST(PlotColormap, GivenEndsAreUsedWithoutLookingAtTheData) {
  // vmin and vmax both set: the scale is theirs whatever the values (the data scan is skipped).
  Heatmap h;
  h.rows = 1, h.cols = 3;
  h.values = {-50.0f, NAN, 1e6f};
  h.colormap = Colormap::Diverging;
  h.vmin = -2, h.vmax = 2;
  const ColorScale s = resolveColorScale(h);
  EXPECT_EQ(s.vmin, -2);
  EXPECT_EQ(s.vmax, 2);
  EXPECT_EQ(s.map, Colormap::Diverging);
  h.vmax.reset(); // one end unset: the data decides it (Diverging: max |v| of the finite values)
  EXPECT_EQ(resolveColorScale(h).vmax, 1e6);
}

TEST(PlotColormap, FastLinearPathMatchesCellByCellColours) {
  // heatmapToRgba's linear table path must give each pixel the 8-bit colour heatmapCellColor
  // gives (within one level of the 256-entry table), for values inside, outside and at the ends
  // of the range, NaN and infinities.
  Heatmap h;
  h.rows = h.cols = 300;
  h.colormap = Colormap::Diverging;
  h.vmin = -1.5, h.vmax = 2.5;
  for (int i = 0; i < h.rows * h.cols; ++i) h.values.push_back(float(std::sin(0.37 * i) * 3.0));
  h.values[7] = NAN, h.values[8] = INFINITY, h.values[9] = -INFINITY, h.values[10] = -1.5f,
  h.values[11] = 2.5f;
  const ColorScale scale = resolveColorScale(h);
  const std::vector<std::uint8_t> rgba = heatmapToRgba(h, scale, false); // row 0 at the bottom
  for (int r = 0; r < h.rows; r += 7)
    for (int c = 0; c < h.cols; ++c) {
      const std::uint32_t want = heatmapCellColor(h, scale, r, c).toRgba8();
      const std::uint8_t* px = &rgba[(std::size_t(h.rows - 1 - r) * h.cols + c) * 4];
      for (int k = 0; k < 4; ++k)
        ASSERT_NEAR(px[k], int((want >> (8 * k)) & 0xff), 3) << "cell " << r << ", " << c;
    }
}
