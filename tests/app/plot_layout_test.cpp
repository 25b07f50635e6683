// Figure layout through a recording canvas: what drawFigure emits (tick labels, legend entries,
// colorbar, annotations) and how data maps to canvas points.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "plot/draw_figure.h"

using namespace nnlab::plot;

namespace {

// Remembers every call; text is 0.6 em per UTF-8 code point wide.
class RecordingCanvas final : public Canvas {
public:
  struct Text {
    std::string text;
    Point anchor;
    float size;
    bool rotated;
  };
  std::vector<Text> texts;
  std::vector<std::vector<Point>> polylines;
  std::vector<std::pair<Rect, ImageSource>> images;
  std::vector<Point> circles;
  int clipDepth = 0, maxClipDepth = 0;

  void polyline(const Point* p, int n, float, Color, LineStyle, bool) override {
    polylines.emplace_back(p, p + n);
  }
  void fillRect(Rect, Color) override {}
  void strokeRect(Rect, float, Color) override {}
  void fillCircle(Point c, float, Color) override { circles.push_back(c); }
  void strokeCircle(Point c, float, float, Color) override { circles.push_back(c); }
  Size measureText(std::string_view s, float size) override {
    const auto codePoints =
        std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; });
    return {0.6f * size * float(codePoints), size};
  }
  void text(Point a, std::string_view s, float size, Color, HAlign, VAlign, bool rotated) override {
    texts.push_back({std::string(s), a, size, rotated});
  }
  void image(const ImageSource& src, Rect dest, ImageFilter) override {
    images.emplace_back(dest, src);
  }
  void pushClip(Rect) override { maxClipDepth = std::max(maxClipDepth, ++clipDepth); }
  void popClip() override { --clipDepth; }

  const Text* find(const std::string& s) const {
    for (const auto& t : texts)
      if (t.text == s) return &t;
    return nullptr;
  }
};

Figure simpleFigure() {
  Figure f;
  f.title = "Training loss";
  f.xAxis.label = "step";
  f.yAxis.label = "loss";
  f.xAxis.min = 0, f.xAxis.max = 10;
  f.yAxis.min = 0, f.yAxis.max = 5;
  LineSeries a;
  a.label = "train";
  a.x = {0, 5, 10};
  a.y = {5, 2, 1};
  LineSeries b;
  b.label = "validation";
  b.x = {0, 5, 10};
  b.y = {4, NAN, 2};
  f.lines = {a, b};
  return f;
}

} // namespace

TEST(PlotLayout, EmitsTitleAxisLabelsTickLabelsAndLegend) {
  RecordingCanvas canvas;
  const FigureLayout L = drawFigure(simpleFigure(), canvas, {0, 0, 600, 400}, PlotStyle{});
  ASSERT_TRUE(L.error.empty()) << L.error;
  EXPECT_NE(canvas.find("Training loss"), nullptr);
  EXPECT_NE(canvas.find("step"), nullptr);
  ASSERT_NE(canvas.find("loss"), nullptr);
  EXPECT_TRUE(canvas.find("loss")->rotated); // the y label reads bottom-to-top
  // x in [0, 10] over ~540 points with a 70-point spacing: target 540 / 70 -> 7 ticks;
  // range nice(10) = 10, step = nice(10 / 6 = 1.67, round) = 2 -> 0, 2, ..., 10.
  for (const char* label : {"0", "2", "4", "6", "8", "10"})
    EXPECT_NE(canvas.find(label), nullptr) << label;
  EXPECT_EQ(L.xTicks.major.size(), 6u);
  // Legend entries, each drawn next to a sample line.
  EXPECT_NE(canvas.find("train"), nullptr);
  EXPECT_NE(canvas.find("validation"), nullptr);
  EXPECT_EQ(canvas.clipDepth, 0); // every push popped
  EXPECT_GE(canvas.maxClipDepth, 1);
}

TEST(PlotLayout, NanBreaksALineIntoRuns) {
  Figure f = simpleFigure();
  f.lines.resize(2);
  f.lines[0].x = {0, 1, 2, 3, 4, 5};
  f.lines[0].y = {1, 2, NAN, 3, 4, 5};
  f.lines[1].x = {0, 1}; // one run of two points
  f.lines[1].y = {NAN, 1};
  f.xAxis.min = -1, f.xAxis.max = 6; // every point strictly inside the box
  f.yAxis.min = 0, f.yAxis.max = 6;
  f.xAxis.gridLines = f.yAxis.gridLines = false;
  f.legend = LegendCorner::None;
  RecordingCanvas canvas;
  const FigureLayout L = drawFigure(f, canvas, {0, 0, 600, 400}, PlotStyle{});
  // Polylines that are not ticks or the frame have more than 2 points or lie inside the box:
  // the data runs are {0, 1} and {3, 4, 5} of line 0; line 1 has a single point (not drawn).
  int runsOf2 = 0, runsOf3 = 0;
  for (const auto& p : canvas.polylines) {
    const bool inside =
        p[0].x > L.plot.x + 0.5f && p[0].y < L.plot.bottom() - 0.5f && p[0].y > L.plot.y + 0.5f;
    if (!inside) continue;
    runsOf2 += p.size() == 2, runsOf3 += p.size() == 3;
  }
  EXPECT_EQ(runsOf3, 1);
  EXPECT_EQ(runsOf2, 1);
}

TEST(PlotLayout, DataMapsOntoThePlotBox) {
  RecordingCanvas canvas;
  const FigureLayout L = layoutFigure(simpleFigure(), canvas, {0, 0, 600, 400}, PlotStyle{});
  EXPECT_FLOAT_EQ(L.x.toCanvas(0), L.plot.x);
  EXPECT_FLOAT_EQ(L.x.toCanvas(10), L.plot.right());
  EXPECT_FLOAT_EQ(L.x.toCanvas(5), L.plot.x + L.plot.w / 2);
  EXPECT_FLOAT_EQ(L.y.toCanvas(0), L.plot.bottom()); // y up: 0 at the bottom
  EXPECT_FLOAT_EQ(L.y.toCanvas(5), L.plot.y);
  EXPECT_NEAR(L.x.toData(L.plot.x + L.plot.w / 4), 2.5, 1e-5);
  // The box stays inside the area with room for labels on the left and below.
  EXPECT_GT(L.plot.x, 20);
  EXPECT_LT(L.plot.bottom(), 400 - 20);
  EXPECT_GT(L.plot.y, 14); // under the title
}

TEST(PlotLayout, InvertedYPutsMinimumOnTop) {
  Figure f = simpleFigure();
  f.yAxis.invert = true;
  RecordingCanvas canvas;
  const FigureLayout L = layoutFigure(f, canvas, {0, 0, 600, 400}, PlotStyle{});
  EXPECT_FLOAT_EQ(L.y.toCanvas(0), L.plot.y);
  EXPECT_FLOAT_EQ(L.y.toCanvas(5), L.plot.bottom());
}

TEST(PlotLayout, EqualAspectMakesUnitsEquallyLong) {
  Figure f = simpleFigure(); // x spans 10, y spans 5
  f.equalAspect = true;
  RecordingCanvas canvas;
  const FigureLayout L = layoutFigure(f, canvas, {0, 0, 500, 500}, PlotStyle{});
  const float xUnit = (L.x.toCanvas(10) - L.x.toCanvas(0)) / 10;
  const float yUnit = (L.y.toCanvas(0) - L.y.toCanvas(5)) / 5;
  EXPECT_NEAR(xUnit, yUnit, 1e-3);
  EXPECT_NEAR(L.plot.w, 2 * L.plot.h, 1e-2);
}

TEST(PlotLayout, AutoRangeHasMarginAndLogAxisMapsDecadesEvenly) {
  Figure f;
  LineSeries s;
  s.x = {1e-3, 1e-2, 1e-1, 1};
  s.y = {0, 1, 2, 3};
  f.lines = {s};
  f.xAxis.scale = AxisScale::Log10;
  RecordingCanvas canvas;
  const FigureLayout L = layoutFigure(f, canvas, {0, 0, 600, 400}, PlotStyle{});
  // y: 5% of the span 3 on either side.
  EXPECT_NEAR(L.y.min, -0.15, 1e-9);
  EXPECT_NEAR(L.y.max, 3.15, 1e-9);
  const float d1 = L.x.toCanvas(1e-2) - L.x.toCanvas(1e-3),
              d2 = L.x.toCanvas(1) - L.x.toCanvas(1e-1);
  EXPECT_NEAR(d1, d2, 1e-3);
  EXPECT_EQ(L.xTicks.labels.front(), "10⁻³");
  EXPECT_FALSE(L.xTicks.minor.empty());
}

TEST(PlotLayout, HeatmapGetsImageColorbarTicksAndLabel) {
  Figure f;
  Heatmap h;
  h.rows = 2, h.cols = 3, h.values = {0, 1, 2, 3, 4, 5};
  h.x0 = 0, h.x1 = 3, h.y0 = 0, h.y1 = 2;
  h.colorbarLabel = "activation";
  f.heatmap = h;
  f.yAxis.invert = true;
  Annotation a;
  a.x = 1.5, a.y = 1, a.text = "peak σ", a.marker = true;
  f.annotations = {a};
  RecordingCanvas canvas;
  const FigureLayout L = drawFigure(f, canvas, {0, 0, 600, 400}, PlotStyle{});
  ASSERT_TRUE(L.hasColorbar);
  ASSERT_EQ(canvas.images.size(), 2u); // the heatmap, then the colour bar
  const auto& [dest, src] = canvas.images[0];
  EXPECT_EQ(src.width, 3);
  EXPECT_EQ(src.height, 2);
  EXPECT_NEAR(dest.x, L.plot.x, 1e-3); // the grid fills the box exactly (no margin)
  EXPECT_NEAR(dest.w, L.plot.w, 1e-3);
  // Inverted y: heatmap row 0 (values 0, 1, 2: dark) is the top image row.
  std::vector<std::uint8_t> rgba;
  src.fillRgba(rgba);
  ASSERT_EQ(rgba.size(), 24u);
  EXPECT_LT(rgba[1], rgba[3 * 4 + 1]);
  // The colour bar sits right of the box with ticks 0..5 and its rotated label.
  EXPECT_GT(L.colorbar.x, L.plot.right());
  EXPECT_LE(L.colorbar.right(), 600);
  EXPECT_EQ(L.colorbarTicks.major.front(), 0);
  EXPECT_EQ(L.colorbarTicks.major.back(), 5);
  ASSERT_NE(canvas.find("activation"), nullptr);
  EXPECT_TRUE(canvas.find("activation")->rotated);
  EXPECT_GT(canvas.find("activation")->anchor.x, L.colorbar.right());
  EXPECT_NE(canvas.find("peak σ"), nullptr);
  EXPECT_FALSE(canvas.circles.empty()); // the ring marker
}

TEST(PlotLayout, ScaleEnlargesFontsAndKeepsLayoutInside) {
  RecordingCanvas normal, big;
  drawFigure(simpleFigure(), normal, {0, 0, 600, 400}, PlotStyle{});
  const FigureLayout L = drawFigure(simpleFigure(), big, {0, 0, 600, 400}, PlotStyle{}.scaled(2));
  EXPECT_FLOAT_EQ(big.find("step")->size, 2 * normal.find("step")->size);
  EXPECT_GT(L.plot.w, 100);
  for (const auto& t : big.texts) {
    EXPECT_GE(t.anchor.x, 0) << t.text;
    EXPECT_LE(t.anchor.y, 400) << t.text;
  }
}

TEST(PlotLayout, InvalidFigureSaysWhy) {
  Figure f;
  LineSeries s;
  s.x = {1, 2, 3};
  s.y = {1, 2};
  f.lines = {s};
  RecordingCanvas canvas;
  const FigureLayout L = drawFigure(f, canvas, {0, 0, 300, 200}, PlotStyle{});
  EXPECT_EQ(L.error, "lines[0]: x has 3 values, y 2");
  ASSERT_EQ(canvas.texts.size(), 1u);
  EXPECT_NE(canvas.texts[0].text.find("lines[0]"), std::string::npos);
}

TEST(PlotLayout, DashPatternSplitsAPolyline) {
  // A 10-point line with pattern {3 on, 2 off}: dashes [0,3], [5,8] -> 2 runs.
  const Point line[2] = {{0, 0}, {10, 0}};
  const auto runs = dashPolyline(line, 2, {3, 2});
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_FLOAT_EQ(runs[0].back().x, 3);
  EXPECT_FLOAT_EQ(runs[1].front().x, 5);
  EXPECT_FLOAT_EQ(runs[1].back().x, 8);
}

TEST(PlotLayout, TinyFigureKeepsTwoTicksAndDropsALegendThatWouldHideTheData) {
  // 180 x 120 points: the x axis asks for 2 ticks over [0, 10]; Heckbert gives range 10,
  // step nice(10 / 1) = 10 -> 0, 10: two labels. The legend (two rows, ~100 points wide with
  // "validation") does not fit in the ~60-point-high box, so it is left out.
  Figure f = simpleFigure();
  RecordingCanvas canvas;
  const FigureLayout L = drawFigure(f, canvas, {0, 0, 180, 120}, PlotStyle{});
  EXPECT_GE(L.xTicks.major.size(), 2u);
  EXPECT_GE(L.yTicks.major.size(), 2u);
  EXPECT_EQ(canvas.find("validation"), nullptr);
}
