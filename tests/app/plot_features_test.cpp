// The features the labs asked for, through a recording canvas (what drawFigure emits and where)
// and through cairo exports (the pixels a reader sees): categorical and per-cell colours, centred
// cell labels with automatic contrast, bar series, rectangles, RGBA pictures, heatmaps on log
// axes, panels (FigureGrid) with a shared colour scale, and the legend that used to vanish.
#include <gtest/gtest.h>

#include <stb/stb_image.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "plot/cairo_canvas.h"
#include "plot/colormap.h"
#include "plot/export.h"

using namespace nnlab::plot;
namespace fs = std::filesystem;

namespace {

// Remembers every call with its colour; text is 0.6 em per UTF-8 code point wide.
class RecordingCanvas final : public Canvas {
public:
  struct Text {
    std::string text;
    Point anchor;
    float size;
    Color color;
    HAlign hAlign;
    VAlign vAlign;
  };
  struct Box {
    Rect rect;
    Color color;
  };
  std::vector<Text> texts;
  std::vector<Box> fills, strokes;
  std::vector<std::pair<Rect, ImageSource>> images;

  void polyline(const Point*, int, float, Color, LineStyle, bool) override {}
  void fillRect(Rect r, Color c) override { fills.push_back({r, c}); }
  void strokeRect(Rect r, float, Color c) override { strokes.push_back({r, c}); }
  void fillCircle(Point, float, Color) override {}
  void strokeCircle(Point, float, float, Color) override {}
  Size measureText(std::string_view s, float size) override {
    const auto codePoints =
        std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; });
    return {0.6f * size * float(codePoints), size};
  }
  void text(Point a, std::string_view s, float size, Color c, HAlign h, VAlign v, bool) override {
    texts.push_back({std::string(s), a, size, c, h, v});
  }
  void image(const ImageSource& src, Rect dest, ImageFilter) override {
    images.emplace_back(dest, src);
  }
  void pushClip(Rect) override {}
  void popClip() override {}

  const Text* find(const std::string& s) const {
    for (const auto& t : texts)
      if (t.text == s) return &t;
    return nullptr;
  }
  std::vector<Box> fillsOf(Color c) const {
    std::vector<Box> out;
    for (const auto& f : fills)
      if (f.color.toRgba8() == c.toRgba8()) out.push_back(f);
    return out;
  }
};

fs::path outDir() {
  const fs::path dir = fs::path(::testing::TempDir()) / "nnlab_plot_features";
  fs::create_directories(dir);
  return dir;
}

// An exported PNG at 72 dpi (one pixel per point), read back as RGB.
struct Png {
  int w = 0, h = 0;
  std::vector<unsigned char> rgb;
  const unsigned char* at(float x, float y) const {
    const int px = std::clamp(int(x), 0, w - 1), py = std::clamp(int(y), 0, h - 1);
    return &rgb[(std::size_t(py) * w + px) * 3];
  }
};

Png readPng(const fs::path& path) {
  Png png;
  int n = 0;
  unsigned char* data = stbi_load(path.string().c_str(), &png.w, &png.h, &n, 3);
  if (data) png.rgb.assign(data, data + std::size_t(png.w) * png.h * 3), stbi_image_free(data);
  return png;
}

ExportOptions at72dpi() {
  ExportOptions o;
  o.dpi = 72;
  return o;
}

// Layouts with the exporter's font, so pixel positions can be predicted.
template <typename F> auto withCairo(F&& f) {
  cairo_surface_t* scratch = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
  cairo_t* cr = cairo_create(scratch);
  auto result = [&] {
    CairoCanvas canvas(cr);
    return f(canvas);
  }();
  cairo_destroy(cr);
  cairo_surface_destroy(scratch);
  return result;
}

void expectColor(const unsigned char* px, Color c, int tolerance, const char* what) {
  const std::uint32_t packed = c.toRgba8();
  EXPECT_NEAR(px[0], int(packed & 0xff), tolerance) << what;
  EXPECT_NEAR(px[1], int((packed >> 8) & 0xff), tolerance) << what;
  EXPECT_NEAR(px[2], int((packed >> 16) & 0xff), tolerance) << what;
}

// A 4 x 4 input with a one-cell padding ring, coloured by role as the convolution lab does.
Heatmap paddedInput() {
  Heatmap h;
  h.rows = h.cols = 4;
  h.x0 = 0, h.x1 = 4, h.y0 = 0, h.y1 = 4;
  for (int i = 0; i < 16; ++i) h.values.push_back(float(i));
  h.cellColors.assign(16, Color{0, 0, 0, 0});
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c)
      if (r == 0 || c == 0 || r == 3 || c == 3) h.cellColors[r * 4 + c] = {0.85f, 0.85f, 0.85f, 1};
  h.colorbar = false;
  return h;
}

} // namespace

TEST(PlotFeatures, CategoricalPaletteNeighboursDiffer) {
  // Consecutive categories (and the wrap from 11 to 0) differ clearly: > 0.25 apart in RGB.
  for (int i = 0; i < 12; ++i) {
    const Color a = categoricalColor(i), b = categoricalColor(i + 1);
    const float d = std::hypot(a.r - b.r, a.g - b.g, a.b - b.b);
    EXPECT_GT(d, 0.25f) << i;
  }
  EXPECT_EQ(categoricalColor(-1).toRgba8(), categoricalColor(11).toRgba8());
  EXPECT_EQ(categoricalColor(13).toRgba8(), categoricalColor(1).toRgba8());
}

TEST(PlotFeatures, CategoricalHeatmapColoursByIndexWithNamedColorbar) {
  // Batch norm over N = 2, C = 3: one statistic per channel, so columns 0, 1, 2 are categories.
  Figure f;
  Heatmap h;
  h.rows = 2, h.cols = 3, h.x0 = 0, h.x1 = 3, h.y0 = 0, h.y1 = 2;
  h.values = {0, 1, 2, 0, 1, 2};
  h.colormap = Colormap::Categorical;
  h.categoryNames = {"μ₀", "μ₁", "μ₂"};
  f.heatmap = h;
  f.yAxis.invert = true;
  const std::vector<std::uint8_t> rgba = heatmapToRgba(h, true);
  for (int c = 0; c < 3; ++c) {
    const std::uint32_t want = categoricalColor(c).toRgba8();
    EXPECT_EQ(rgba[c * 4 + 0], want & 0xff) << c;
    EXPECT_EQ(rgba[(3 + c) * 4 + 1], (want >> 8) & 0xff) << c; // row 1 same as row 0
  }
  RecordingCanvas canvas;
  const FigureLayout L = drawFigure(f, canvas, {0, 0, 500, 300}, PlotStyle{});
  ASSERT_TRUE(L.hasColorbar);
  EXPECT_EQ(L.colorbarTicks.labels, (std::vector<std::string>{"μ₀", "μ₁", "μ₂"}));
  // The bar is one crisp band per category, category 2 on top.
  ASSERT_EQ(canvas.images.size(), 2u);
  const ImageSource& bar = canvas.images[1].second;
  EXPECT_EQ(bar.height, 3);
  std::vector<std::uint8_t> barPixels;
  bar.fillRgba(barPixels);
  EXPECT_EQ(barPixels[0], categoricalColor(2).toRgba8() & 0xff);
}

TEST(PlotFeatures, CellColorsReplaceTintOrKeepTheColormap) {
  Heatmap h;
  h.rows = 1, h.cols = 3, h.values = {0, 0, 0}, h.vmin = 0, h.vmax = 1; // viridis' dark violet
  h.cellColors = {{1, 0, 0, 1}, {0, 0, 0, 0}, {1, 1, 1, 0.5f}};
  const std::vector<std::uint8_t> rgba = heatmapToRgba(h, true);
  const std::uint32_t violet = colormapColor(Colormap::Viridis, 0).toRgba8();
  EXPECT_EQ(rgba[0], 255); // replaced: red
  EXPECT_EQ(rgba[1], 0);
  EXPECT_EQ(rgba[4], violet & 0xff); // alpha 0: the colormap's own colour
  EXPECT_EQ(rgba[5], (violet >> 8) & 0xff);
  EXPECT_NEAR(rgba[8], ((violet & 0xff) + 255) / 2.0, 1); // half-way to white
}

TEST(PlotFeatures, CellLabelsSitCentredWithContrastFromTheCell) {
  // cellLabel on a 2 x 1 grid: viridis' dark end (value 0) gets white text, the yellow end
  // (value 1) black, both centred on their cell, with no plate behind them.
  Figure f;
  Heatmap h;
  h.rows = 1, h.cols = 2, h.x0 = 0, h.x1 = 2, h.y0 = 0, h.y1 = 1, h.values = {0, 1};
  h.colorbar = false;
  f.heatmap = h;
  f.annotations = {cellLabel(h, 0, 0, "dark"), cellLabel(h, 0, 1, "light")};
  f.annotations[1].sizeScale = 2;
  RecordingCanvas canvas;
  const FigureLayout L = drawFigure(f, canvas, {0, 0, 400, 300}, PlotStyle{});
  const auto* dark = canvas.find("dark");
  const auto* light = canvas.find("light");
  ASSERT_TRUE(dark && light);
  EXPECT_EQ(dark->color.toRgba8(), Color(1, 1, 1, 1).toRgba8());
  EXPECT_EQ(light->color.toRgba8(), Color(0, 0, 0, 1).toRgba8());
  EXPECT_EQ(dark->hAlign, HAlign::Center);
  EXPECT_EQ(dark->vAlign, VAlign::Middle);
  EXPECT_NEAR(dark->anchor.x, L.x.toCanvas(0.5), 1e-3);
  EXPECT_NEAR(dark->anchor.y, L.y.toCanvas(0.5), 1e-3);
  EXPECT_FLOAT_EQ(light->size, 2 * dark->size);
  EXPECT_TRUE(canvas.fillsOf({1, 1, 1, 0.7f}).empty()); // no plates
  // The default annotation keeps its plate and sits beside the point.
  f.annotations = {Annotation{}};
  f.annotations[0].x = 1, f.annotations[0].y = 0.5, f.annotations[0].text = "beside";
  RecordingCanvas plain;
  drawFigure(f, plain, {0, 0, 400, 300}, PlotStyle{});
  EXPECT_EQ(plain.fillsOf({1, 1, 1, 0.7f}).size(), 1u);
  EXPECT_EQ(plain.find("beside")->hAlign, HAlign::Left);
}

TEST(PlotFeatures, HistogramBarsSpanTheirBinsFromTheBaseline) {
  // Bins [0, 1), [1, 2), [2, 4) with counts 1, 3, 2: the y axis starts at the baseline 0 (no
  // margin below a histogram), each bar covers its bin, and the legend shows a swatch.
  Figure f;
  BarSeries b;
  b.label = "before";
  b.edges = {0, 1, 2, 4};
  b.heights = {1, 3, 2};
  b.color = Color{0.2f, 0.4f, 0.8f, 1};
  f.bars = {b};
  RecordingCanvas canvas;
  const FigureLayout L = drawFigure(f, canvas, {0, 0, 500, 350}, PlotStyle{});
  ASSERT_TRUE(L.error.empty()) << L.error;
  EXPECT_EQ(L.y.min, 0);
  EXPECT_GT(L.y.max, 3); // 5% headroom above the tallest bar
  const auto bars = canvas.fillsOf(*b.color);
  ASSERT_EQ(bars.size(), 4u); // three bars and the legend swatch
  EXPECT_NEAR(bars[0].rect.x, L.x.toCanvas(0), 1e-3);
  EXPECT_NEAR(bars[2].rect.right(), L.x.toCanvas(4), 1e-3);
  EXPECT_NEAR(bars[1].rect.bottom(), L.plot.bottom(), 1e-3);
  EXPECT_NEAR(bars[1].rect.y, L.y.toCanvas(3), 1e-3);
  EXPECT_NE(canvas.find("before"), nullptr);
  EXPECT_TRUE(L.hasLegend);
}

TEST(PlotFeatures, BarChartsNameTheirCategoriesAndStandSideBySide) {
  Figure f;
  BarSeries train, test;
  train.label = "train", test.label = "test";
  train.categories = test.categories = {"ReLU", "GELU", "tanh"};
  train.heights = {0.9, 0.92, 0.85};
  test.heights = {0.88, 0.9, 0.8};
  f.bars = {train, test};
  RecordingCanvas canvas;
  const FigureLayout L = drawFigure(f, canvas, {0, 0, 500, 350}, PlotStyle{});
  EXPECT_EQ(L.xTicks.labels, (std::vector<std::string>{"ReLU", "GELU", "tanh"}));
  const auto a = canvas.fillsOf(seriesColor(0)), b = canvas.fillsOf(seriesColor(1));
  ASSERT_GE(a.size(), 3u);
  ASSERT_GE(b.size(), 3u);
  // Category 0: train on the left half of the 0.8-wide slot, test on the right, touching.
  EXPECT_NEAR(a[0].rect.x, L.x.toCanvas(-0.4), 1e-3);
  EXPECT_NEAR(a[0].rect.right(), b[0].rect.x, 1e-3);
  EXPECT_NEAR(b[0].rect.right(), L.x.toCanvas(0.4), 1e-3);
}

TEST(PlotFeatures, FigureValidatesBarsPicturesAndOverrides) {
  Figure f;
  BarSeries b;
  b.edges = {0, 1};
  b.heights = {1, 2};
  f.bars = {b};
  EXPECT_EQ(f.validate(), "bars[0]: 2 bins need 3 edges, got 2");
  f.bars.clear();
  Heatmap h;
  h.rows = 2, h.cols = 2, h.rgba.assign(12, 0);
  f.heatmap = h;
  EXPECT_EQ(f.validate(), "heatmap: rgba of a 2 x 2 image needs 16 bytes, has 12");
  f.heatmap->rgba.assign(16, 0);
  EXPECT_EQ(f.validate(), ""); // a picture needs no values
  f.heatmap->cellColors.resize(3);
  EXPECT_EQ(f.validate(), "heatmap: cellColors has 3 colours for 4 cells");
  FigureGrid grid;
  grid.cols = 2;
  grid.panels = {Figure{}, f};
  EXPECT_EQ(grid.validate(), "panels[1]: heatmap: cellColors has 3 colours for 4 cells");
}

TEST(PlotFeatures, PngRectOutlineOverRgbPicture) {
  // A 4 x 4 RGBA picture (left half red, right half blue) with a green 2 x 2 box over its
  // top-left corner: the outline is green on the image, the inside stays red, the right half
  // blue, and a picture has no colorbar.
  Figure f;
  Heatmap h;
  h.rows = h.cols = 4, h.x0 = 0, h.x1 = 4, h.y0 = 0, h.y1 = 4;
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) {
      const bool left = c < 2;
      h.rgba.insert(h.rgba.end(),
                    {std::uint8_t(left ? 255 : 0), 0, std::uint8_t(left ? 0 : 255), 255});
    }
  f.heatmap = h;
  f.yAxis.invert = true;
  f.equalAspect = true;
  RectMark box = cellRect(h, 0, 0, 2, 2);
  box.color = Color{0, 1, 0, 1};
  box.width = 4;
  f.rects = {box};
  const fs::path path = outDir() / "rect_over_picture.png";
  ASSERT_TRUE(exportFigure(f, path.string(), at72dpi()));
  const FigureLayout L = withCairo([&](Canvas& c) {
    return layoutFigure(f, c, {0, 0, 6.4f * 72, 4.8f * 72}, PlotStyle{});
  });
  EXPECT_FALSE(L.hasColorbar);
  const Png png = readPng(path);
  ASSERT_GT(png.w, 0);
  // Cell (1, 1) sits inside the box, away from its outline: red. Cell (1, 3): blue.
  expectColor(png.at(L.x.toCanvas(0.8), L.y.toCanvas(0.8)), {1, 0, 0, 1}, 8, "inside the box");
  expectColor(png.at(L.x.toCanvas(3.5), L.y.toCanvas(1.5)), {0, 0, 1, 1}, 8, "right half");
  // The box's right edge at x = 2, half-way down the box: green.
  expectColor(png.at(L.x.toCanvas(2), L.y.toCanvas(1)), {0, 1, 0, 1}, 8, "outline");
}

TEST(PlotFeatures, PngCellOverridesAndCentredLabels) {
  // The padded input: a grey ring (cell overrides) around viridis cells, each labelled with its
  // value. The ring's centre pixel is the override grey, an inner cell keeps viridis, and the
  // label's ink is present: the cell's centre row contains text-coloured pixels.
  Figure f;
  Heatmap h = paddedInput();
  f.heatmap = h;
  f.yAxis.invert = true;
  f.equalAspect = true;
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c)
      f.annotations.push_back(cellLabel(h, r, c, std::to_string(r * 4 + c)));
  const fs::path path = outDir() / "padded_input.png";
  ASSERT_TRUE(exportFigure(f, path.string(), at72dpi()));
  const FigureLayout L = withCairo([&](Canvas& c) {
    return layoutFigure(f, c, {0, 0, 6.4f * 72, 4.8f * 72}, PlotStyle{});
  });
  const Png png = readPng(path);
  ASSERT_GT(png.w, 0);
  // Top-left ring cell (0, 0), off its centre (the label is there): grey.
  expectColor(png.at(L.x.toCanvas(0.15), L.y.toCanvas(0.15)), {0.85f, 0.85f, 0.85f, 1}, 3, "ring");
  // Inner cell (1, 1), value 5 of 0..15: viridis at 1/3.
  expectColor(png.at(L.x.toCanvas(1.15), L.y.toCanvas(1.15)),
              colormapColor(Colormap::Viridis, 5.0 / 15), 6, "inner cell");
  // Cell (1, 1) is dark: its label "5" is white ink somewhere across its centre line.
  int white = 0;
  for (float x = L.x.toCanvas(1.2); x < L.x.toCanvas(1.8); x += 1)
    white += png.at(x, L.y.toCanvas(1.5))[0] > 200;
  EXPECT_GT(white, 0);
}

TEST(PlotFeatures, HeatmapOnALogAxisPutsCellEdgesWhereTheAxisDoes) {
  // Three cells over x in [1, 1000] on a log axis: edges at 1, 334, 667, 1000. Stretched
  // linearly, x = 100 (a third of the way on the canvas) would fall in cell 1; resampled, it is
  // in cell 0 (100 < 334), and x = 500 is in cell 1.
  Figure f;
  Heatmap h;
  h.rows = 1, h.cols = 3, h.x0 = 1, h.x1 = 1000, h.y0 = 0, h.y1 = 1;
  h.values = {0, 1, 2};
  h.colormap = Colormap::Categorical;
  h.colorbar = false;
  f.heatmap = h;
  f.xAxis.scale = AxisScale::Log10;
  RecordingCanvas canvas;
  const FigureLayout L = drawFigure(f, canvas, {0, 0, 500, 300}, PlotStyle{});
  ASSERT_EQ(canvas.images.size(), 1u);
  const auto& [dest, src] = canvas.images[0];
  EXPECT_GT(src.width, 3); // resampled
  std::vector<std::uint8_t> rgba;
  src.fillRgba(rgba);
  auto cellAt = [&](double x) {
    const int j = int((L.x.toCanvas(x) - dest.x) / dest.w * src.width);
    for (int c = 0; c < 3; ++c)
      if (rgba[j * 4] == (categoricalColor(c).toRgba8() & 0xff) &&
          rgba[j * 4 + 1] == ((categoricalColor(c).toRgba8() >> 8) & 0xff))
        return c;
    return -1;
  };
  EXPECT_EQ(cellAt(100), 0);
  EXPECT_EQ(cellAt(300), 0);
  EXPECT_EQ(cellAt(400), 1);
  EXPECT_EQ(cellAt(700), 2);
  // A linear axis keeps one image column per cell.
  f.xAxis.scale = AxisScale::Linear;
  RecordingCanvas linear;
  drawFigure(f, linear, {0, 0, 500, 300}, PlotStyle{});
  EXPECT_EQ(linear.images[0].second.width, 3);
}

TEST(PlotFeatures, GridLaysPanelsOutRowByRowWithOneSharedColorbar) {
  // Eight feature maps, four per row, on one diverging scale: panel k holds values in
  // [-k, k], so the shared range is +-7; there is one colorbar (right of the grid), no panel's own.
  FigureGrid grid;
  grid.title = "Filter bank";
  grid.cols = 4;
  grid.sharedColorScale = true;
  grid.colorbarLabel = "activation";
  for (int k = 0; k < 8; ++k) {
    Figure p;
    p.title = "filter " + std::to_string(k);
    Heatmap h;
    h.rows = h.cols = 2;
    h.values = {float(-k), 0, 0, float(k)};
    h.colormap = Colormap::Diverging;
    p.heatmap = h;
    p.equalAspect = true;
    grid.panels.push_back(p);
  }
  RecordingCanvas canvas;
  const FigureGridLayout G = drawFigureGrid(grid, canvas, {0, 0, 900, 500}, PlotStyle{});
  ASSERT_TRUE(G.error.empty()) << G.error;
  ASSERT_EQ(G.panels.size(), 8u);
  EXPECT_TRUE(G.hasColorbar);
  EXPECT_DOUBLE_EQ(G.colorScale.vmin, -7);
  EXPECT_DOUBLE_EQ(G.colorScale.vmax, 7);
  EXPECT_EQ(canvas.images.size(), 9u); // eight maps and the shared bar
  for (const auto& p : G.panels) EXPECT_FALSE(p.hasColorbar);
  // Row by row: panel 1 right of panel 0, panel 4 under panel 0; boxes inside their cells.
  EXPECT_GT(G.cells[1].x, G.cells[0].right() - 1e-3);
  EXPECT_GT(G.cells[4].y, G.cells[0].bottom() - 1e-3);
  for (std::size_t i = 0; i < 8; ++i) {
    EXPECT_GE(G.panels[i].plot.x, G.cells[i].x);
    EXPECT_LE(G.panels[i].plot.right(), G.cells[i].right() + 1e-3);
  }
  EXPECT_GT(G.colorbar.x, G.cells[3].right());
  EXPECT_LE(G.colorbar.right(), 900);
  EXPECT_NE(canvas.find("Filter bank"), nullptr);
  EXPECT_NE(canvas.find("activation"), nullptr);
  EXPECT_NE(canvas.find("filter 7"), nullptr);
}

TEST(PlotFeatures, PngGridSharedScaleColoursPanelsAlike) {
  // Two panels on one diverging scale +-4: panel 0 is all 4 (dark red end), panel 1 all 1
  // (a pale red, 1/8 of the way from white). Without sharing, both would be the same dark red.
  FigureGrid grid;
  grid.cols = 2;
  grid.sharedColorScale = true;
  for (float v : {4.0f, 1.0f}) {
    Figure p;
    Heatmap h;
    h.rows = h.cols = 2;
    h.values.assign(4, v);
    h.colormap = Colormap::Diverging;
    p.heatmap = h;
    grid.panels.push_back(p);
  }
  grid.panels[0].heatmap->values[0] = -4; // makes the shared range symmetric +-4
  const fs::path path = outDir() / "grid_shared.png";
  ASSERT_TRUE(exportFigureGrid(grid, path.string(), at72dpi()));
  const FigureGridLayout G = withCairo([&](Canvas& c) {
    return layoutFigureGrid(grid, c, {0, 0, 6.4f * 72, 4.8f * 72}, PlotStyle{});
  });
  const Png png = readPng(path);
  ASSERT_GT(png.w, 0);
  const FigureLayout& a = G.panels[0];
  const FigureLayout& b = G.panels[1];
  expectColor(png.at(a.x.toCanvas(0.75), a.y.toCanvas(0.75)), colormapColor(Colormap::Diverging, 1),
              6, "panel 0: +4 is the red end");
  expectColor(png.at(b.x.toCanvas(0.5), b.y.toCanvas(0.5)),
              colormapColor(Colormap::Diverging, 0.5 + 1.0 / 8), 6, "panel 1: +1 is pale");
  EXPECT_NE(figureGridToCsv(grid).find("\n1,heatmap,0,,0.25,0.25,1\n"), std::string::npos);
}

TEST(PlotFeatures, LegendTooBigForTheBoxMovesBelowThePlot) {
  // The normalization lab's batch-noise panel on screen: five legend entries in a figure about
  // 340 x 430 points at the on-screen scale 1.35 (or presentation mode's 2). The legend used to
  // be dropped because it did not fit inside the plot box; now it goes below the plot.
  Figure f;
  f.title = "Batch mean μ_B of 100 batches per batch size";
  f.xAxis.label = "batch size B";
  f.xAxis.scale = AxisScale::Log10;
  f.yAxis.label = "μ_B";
  f.legend = LegendCorner::TopRight;
  ScatterSeries each;
  each.label = "μ_B of one batch";
  LineSeries mean, upper, lower, population;
  mean.label = "mean of μ_B";
  upper.label = "± one standard deviation";
  population.label = "population mean";
  for (int b = 1; b <= 256; b *= 2) {
    each.x.push_back(b), each.y.push_back(2 + 1.0 / b);
    mean.x.push_back(b), mean.y.push_back(2);
    upper.x.push_back(b), upper.y.push_back(2 + 1 / std::sqrt(b));
    lower.x.push_back(b), lower.y.push_back(2 - 1 / std::sqrt(b));
  }
  population.x = {1, 256}, population.y = {2, 2};
  f.scatters = {each};
  f.lines = {mean, upper, lower, population};
  for (float scale : {1.35f, 2.0f}) {
    RecordingCanvas canvas;
    const Rect area{0, 0, 340, 430};
    const FigureLayout L = drawFigure(f, canvas, area, PlotStyle{}.scaled(scale));
    for (const char* label :
         {"mean of μ_B", "± one standard deviation", "population mean", "μ_B of one batch"})
      EXPECT_NE(canvas.find(label), nullptr) << label << " at scale " << scale;
    ASSERT_TRUE(L.hasLegend);
    EXPECT_TRUE(L.legendBelow);
    EXPECT_GT(L.legend.y, L.plot.bottom()); // under the plot, not over the data
    EXPECT_LE(L.legend.bottom(), area.bottom());
    EXPECT_GE(L.legend.x, area.x);
    EXPECT_LE(L.legend.right(), area.right());
    EXPECT_GT(L.plot.h, 100);
  }
  // For a person to look at: the panel as the lab shows it in presentation mode.
  ExportOptions o;
  o.widthPt = 340, o.heightPt = 430, o.dpi = 144,
  o.style = PlotStyle{}.scaled(2.0f); // presentation
  EXPECT_TRUE(exportFigure(f, (outDir() / "legend_below.png").string(), o));
  EXPECT_TRUE(exportFigure(f, (outDir() / "legend_below.pdf").string(), o));
  // Presentation mode's short, wide panel (460 x 350 points at scale 2): no room below,
  // so the legend stays in its corner with smaller text instead of vanishing.
  RecordingCanvas shortPanel;
  const FigureLayout S = drawFigure(f, shortPanel, {0, 0, 460, 350}, PlotStyle{}.scaled(2.0f));
  EXPECT_TRUE(S.hasLegend);
  EXPECT_FALSE(S.legendBelow);
  EXPECT_LT(S.legendTextSize, PlotStyle{}.legendSize * 2.0f);
  EXPECT_NE(shortPanel.find("± one standard deviation"), nullptr);
  // With room, the legend stays in its corner.
  RecordingCanvas wide;
  const FigureLayout L = drawFigure(f, wide, {0, 0, 800, 500}, PlotStyle{}.scaled(1.35f));
  EXPECT_TRUE(L.hasLegend);
  EXPECT_FALSE(L.legendBelow);
  EXPECT_NEAR(L.legend.right(), L.plot.right() - 6 * 1.35f, 1e-3);
}

TEST(PlotFeatures, DemoExportsForAPerson) {
  // Left in the temp dir to look at: every feature in one grid, as PNG, PDF, SVG and CSV.
  // (pdftoppm -png -r 80 features.pdf out)
  FigureGrid grid;
  grid.title = "Convolution: input ∗ kernel = output";
  grid.cols = 3;

  Figure input;
  input.title = "input (padding 1)";
  Heatmap in = paddedInput();
  in.cellBorderWidth = 1;
  input.heatmap = in;
  input.yAxis.invert = true;
  input.equalAspect = true;
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c)
      input.annotations.push_back(cellLabel(
          in, r, c, (r == 0 || c == 0 || r == 3 || c == 3) ? "0" : std::to_string(r * 4 + c)));
  RectMark window = cellRect(in, 0, 0, 3, 3);
  window.label = "window";
  window.width = 3;
  input.rects = {window};
  input.legend = LegendCorner::BottomRight;

  Figure kernel;
  kernel.title = "kernel (categorical)";
  Heatmap k;
  k.rows = k.cols = 3, k.x0 = 0, k.x1 = 3, k.y0 = 0, k.y1 = 3;
  k.values = {0, 1, 2, 3, 4, 5, 6, 7, 8};
  k.colormap = Colormap::Categorical;
  k.cellBorderWidth = 1.5f;
  kernel.heatmap = k;
  kernel.yAxis.invert = true;
  kernel.equalAspect = true;
  kernel.annotations = {cellLabel(k, 1, 1, "centre")};
  kernel.xAxis.ticks = {0.5, 1.5, 2.5};
  kernel.xAxis.tickLabels = {"−1", "0", "+1"};

  Figure photo;
  photo.title = "RGB picture + RF box";
  Heatmap p;
  p.rows = p.cols = 32, p.x0 = 0, p.x1 = 32, p.y0 = 0, p.y1 = 32;
  for (int r = 0; r < 32; ++r)
    for (int c = 0; c < 32; ++c)
      p.rgba.insert(p.rgba.end(), {std::uint8_t(c * 8), std::uint8_t(r * 8), 160, 255});
  photo.heatmap = p;
  photo.yAxis.invert = true;
  photo.equalAspect = true;
  RectMark rf{8, 8, 19, 19, Color{1, 1, 1, 1}, 2.5f, false, LineStyle::Dashed, "receptive field"};
  RectMark fill{8, 8, 19, 19, Color{1, 1, 0, 0.25f}, 0, true, LineStyle::Solid, ""};
  photo.rects = {fill, rf};
  photo.legend = LegendCorner::BottomLeft;

  Figure hist;
  hist.title = "Histogram before / after";
  BarSeries before, after;
  before.label = "before";
  after.label = "after";
  before.edges = after.edges = {-3, -2, -1, 0, 1, 2, 3};
  before.heights = {2, 8, 20, 30, 25, 10};
  after.heights = {5, 15, 30, 30, 15, 5};
  before.color = Color{0.0f, 0.45f, 0.7f, 0.55f};
  after.color = Color{0.84f, 0.37f, 0.0f, 0.55f};
  hist.bars = {before, after};
  hist.xAxis.label = "x";
  hist.yAxis.label = "count";

  Figure bars;
  bars.title = "Bar chart";
  BarSeries mu, var;
  mu.label = "μ", var.label = "σ²";
  mu.categories = var.categories = {"c0", "c1", "c2", "c3"};
  mu.heights = {2, -1, 0.5, 4};
  var.heights = {1, 0.25, 4, 2.25};
  bars.bars = {mu, var};
  bars.legend = LegendCorner::TopLeft;

  Figure logmap;
  logmap.title = "Heatmap on a log axis";
  Heatmap lm;
  lm.rows = 4, lm.cols = 3, lm.x0 = 1e-4, lm.x1 = 1, lm.y0 = 0, lm.y1 = 4;
  for (int i = 0; i < 12; ++i) lm.values.push_back(float(i));
  lm.showValues = true;
  logmap.heatmap = lm;
  logmap.xAxis.scale = AxisScale::Log10;
  logmap.xAxis.label = "learning rate";

  grid.panels = {input, kernel, photo, hist, bars, logmap};
  ExportOptions o;
  o.widthPt = 11 * 72, o.heightPt = 7 * 72;
  for (const char* name : {"features.png", "features.pdf", "features.svg", "features.csv"}) {
    const nnlab::Status s = exportFigureGrid(grid, (outDir() / name).string(), o);
    EXPECT_TRUE(s) << name << ": " << (s ? "" : s.error().message());
  }
  EXPECT_TRUE(exportFigure(photo, (outDir() / "photo.png").string()));
}
