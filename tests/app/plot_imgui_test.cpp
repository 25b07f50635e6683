// The on-screen renderer: PlotFigure draws through ImGui draw lists without a window, and the
// texture cache uploads a heatmap once per change, not once per frame (EGL surfaceless GL).
#include <gtest/gtest.h>

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "gl/headless_context.h"
#include "plot/imgui_canvas.h"
#include "plot/plot_widget.h"

using namespace nnlab::plot;

namespace {

// An ImGui context with a built font atlas and a display, no renderer: draw lists only.
class ImGuiFrames {
public:
  ImGuiFrames() {
    context_ = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(900, 700);
    io.DeltaTime = 1.0f / 60;
    unsigned char* pixels;
    int w, h;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
  }
  ~ImGuiFrames() { ImGui::DestroyContext(context_); }
  void begin() {
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0), ImGuiCond_Always);
    ImGui::SetNextWindowSize(ImVec2(900, 700), ImGuiCond_Always);
    ImGui::Begin("plots");
  }
  ImDrawData* end() {
    ImGui::End();
    ImGui::Render();
    return ImGui::GetDrawData();
  }

private:
  ImGuiContext* context_;
};

Figure lineFigure() {
  Figure f;
  f.title = "sigmoid σ(x)";
  f.xAxis.label = "x";
  f.yAxis.label = "σ(x)";
  LineSeries s;
  s.label = "σ";
  for (int i = 0; i <= 100; ++i) {
    const double x = -6 + 0.12 * i;
    s.x.push_back(x), s.y.push_back(1 / (1 + std::exp(-x)));
  }
  f.lines = {s};
  return f;
}

Figure heatmapFigure(float corner) {
  Figure f;
  Heatmap h;
  h.rows = 8, h.cols = 8;
  for (int i = 0; i < 64; ++i) h.values.push_back(float(i));
  h.values[0] = corner;
  f.heatmap = h;
  f.yAxis.invert = true;
  return f;
}

} // namespace

TEST(PlotImGui, PlotFigureDrawsIntoTheWindowWithoutGl) {
  ImGuiFrames frames;
  const ImDrawData* data = nullptr;
  for (int frame = 0; frame < 2; ++frame) { // ImGui keeps a new window hidden on its first frame
    frames.begin();
    PlotFigure("sigmoid", lineFigure(), ImVec2(600, 400), PlotStyle{});
    data = frames.end();
  }
  // Axes, ticks, labels, a 101-point line and the legend: an empty window has under 100
  // vertices, this figure over 300; its white background is a quad at the window's cursor (8, 27).
  EXPECT_GT(data->TotalVtxCount, 300);
  bool whiteCorner = false;
  for (int l = 0; l < data->CmdListsCount; ++l)
    for (const ImDrawVert& v : data->CmdLists[l]->VtxBuffer)
      whiteCorner |=
          v.col == 0xFFFFFFFFu && std::abs(v.pos.x - 8) < 0.5f && std::abs(v.pos.y - 27) < 0.5f;
  EXPECT_TRUE(whiteCorner);
}

TEST(PlotImGui, RotatedTextTurnsAboutItsAnchor) {
  ImGuiFrames frames;
  frames.begin();
  ImDrawList* list = ImGui::GetWindowDrawList();
  ImGuiCanvas canvas(list, ImGui::GetFont(), nullptr, 1, 0);
  const int first = list->VtxBuffer.Size;
  canvas.text({300, 300}, "loss", 13, {0, 0, 0, 1}, HAlign::Left, VAlign::Top, true);
  // Reading upwards from the anchor: every glyph vertex is above it and right of it (Top
  // alignment puts the text's top edge at the anchor, facing left).
  ASSERT_GT(list->VtxBuffer.Size, first);
  for (int i = first; i < list->VtxBuffer.Size; ++i) {
    EXPECT_LE(list->VtxBuffer[i].pos.y, 300.5f);
    EXPECT_GE(list->VtxBuffer[i].pos.x, 299.5f);
  }
  const Size s = canvas.measureText("loss", 26);
  EXPECT_FLOAT_EQ(s.h, 26);
  EXPECT_NEAR(s.w, 2 * canvas.measureText("loss", 13).w, 1.0f);
  frames.end();
}

// A colorbar's label sits near the window's right edge; laid flat at its anchor it would run off
// the 900-px display and ImGui would cull its last glyphs before the turn. Every glyph must stay:
// the same number of vertices as the same label drawn in the middle of the display.
TEST(PlotImGui, RotatedTextNearTheRightEdgeKeepsEveryGlyph) {
  ImGuiFrames frames;
  frames.begin();
  ImDrawList* list = ImGui::GetWindowDrawList();
  ImGuiCanvas canvas(list, ImGui::GetFont(), nullptr, 1, 0);
  const char* label = "|d unit/d px|";
  int start = list->VtxBuffer.Size;
  canvas.text({400, 400}, label, 13, {0, 0, 0, 1}, HAlign::Center, VAlign::Bottom, true);
  const int inTheMiddle = list->VtxBuffer.Size - start;
  start = list->VtxBuffer.Size;
  canvas.text({890, 400}, label, 13, {0, 0, 0, 1}, HAlign::Center, VAlign::Bottom, true);
  const int atTheEdge = list->VtxBuffer.Size - start;
  EXPECT_GT(inTheMiddle, 40); // 4 vertices per visible glyph, 11 visible glyphs
  EXPECT_EQ(atTheEdge, inTheMiddle);
  frames.end();
}
TEST(PlotImGui, HeatmapTextureUploadsOnlyWhenDataChanges) {
  auto gl = nnlab::gl::HeadlessContext::create();
  if (!gl) GTEST_SKIP() << "no EGL surfaceless GL here: " << gl.error().message();
  ImGuiFrames frames;
  TextureCache cache;
  auto drawFrame = [&](const Figure& f, int frame) {
    frames.begin();
    ImGuiCanvas canvas(ImGui::GetWindowDrawList(), ImGui::GetFont(), &cache, 42, frame);
    drawFigure(f, canvas, {0, 0, 500, 400}, PlotStyle{});
    frames.end();
  };
  drawFrame(heatmapFigure(0), 1);
  EXPECT_EQ(cache.uploads(), 2); // the heatmap and the colour bar
  drawFrame(heatmapFigure(0), 2);
  drawFrame(heatmapFigure(0), 3);
  EXPECT_EQ(cache.uploads(), 2); // same data: nothing re-uploaded
  drawFrame(heatmapFigure(5.5f), 4);
  EXPECT_EQ(cache.uploads(), 3); // one value changed: the heatmap again, the bar stays
  EXPECT_EQ(cache.size(), 2u);
  cache.collect(1000, 300); // neither drawn for ~1000 frames: freed
  EXPECT_EQ(cache.size(), 0u);
  cache.clear(); // textures go before the context
}

TEST(PlotImGui, GridOfHeatmapsUploadsEachPanelOncePerChange) {
  // Eight feature maps in one widget plus the shared colour bar: nine textures on the first
  // frame, none on the next, exactly one when a single panel's data changes.
  auto gl = nnlab::gl::HeadlessContext::create();
  if (!gl) GTEST_SKIP() << "no EGL surfaceless GL here: " << gl.error().message();
  ImGuiFrames frames;
  TextureCache cache;
  FigureGrid grid;
  grid.cols = 4;
  grid.sharedColorScale = true;
  for (int k = 0; k < 8; ++k) {
    Figure f = heatmapFigure(float(k));
    grid.panels.push_back(f);
  }
  auto drawFrame = [&](int frame) {
    frames.begin();
    ImGuiCanvas canvas(ImGui::GetWindowDrawList(), ImGui::GetFont(), &cache, 7, frame);
    drawFigureGrid(grid, canvas, {0, 0, 880, 600}, PlotStyle{});
    frames.end();
  };
  drawFrame(1);
  EXPECT_EQ(cache.uploads(), 9);
  EXPECT_EQ(cache.size(), 9u);
  drawFrame(2);
  EXPECT_EQ(cache.uploads(), 9);
  grid.panels[5].heatmap->values[3] = 1.5f; // inside the shared range: only panel 5 changes
  drawFrame(3);
  EXPECT_EQ(cache.uploads(), 10);
  cache.clear();
}

TEST(PlotImGui, HeatmapWithARevisionUploadsOncePerRevision) {
  // A heatmap whose owner sets Heatmap::revision is keyed by it, not by hashing its values every
  // frame: a new revision uploads, the same revision does not (even if, against the contract, the
  // values were touched); the range still counts (a new vmax is a new picture).
  auto gl = nnlab::gl::HeadlessContext::create();
  if (!gl) GTEST_SKIP() << "no EGL surfaceless GL here: " << gl.error().message();
  ImGuiFrames frames;
  TextureCache cache;
  Figure f = heatmapFigure(0);
  f.heatmap->colorbar = false; // the heatmap's texture only
  f.heatmap->revision = 1;
  f.heatmap->vmin = 0, f.heatmap->vmax = 63;
  int frame = 0;
  auto drawFrame = [&] {
    frames.begin();
    ImGuiCanvas canvas(ImGui::GetWindowDrawList(), ImGui::GetFont(), &cache, 9, ++frame);
    drawFigure(f, canvas, {0, 0, 500, 400}, PlotStyle{});
    frames.end();
  };
  drawFrame();
  EXPECT_EQ(cache.uploads(), 1);
  drawFrame();
  EXPECT_EQ(cache.uploads(), 1); // unchanged: nothing uploaded
  f.heatmap->values[5] = 40;
  drawFrame();
  EXPECT_EQ(cache.uploads(), 1); // same revision: trusted, not hashed
  f.heatmap->revision = 2;
  drawFrame();
  EXPECT_EQ(cache.uploads(), 2); // new revision: uploaded
  f.heatmap->vmax = 100;
  drawFrame();
  EXPECT_EQ(cache.uploads(), 3); // new range: uploaded
  drawFrame();
  EXPECT_EQ(cache.uploads(), 3);
  cache.clear();
}

TEST(PlotImGui, ContentKeyFollowsEveryValueWithoutARevision) {
  Heatmap h = *heatmapFigure(0).heatmap;
  const std::uint64_t key = heatmapContentKey(h);
  EXPECT_EQ(heatmapContentKey(h), key); // deterministic
  for (int i : {0, 31, 62, 63}) {       // a change anywhere, including the unaligned tail
    Heatmap changed = h;
    changed.values[std::size_t(i)] += 0.5f;
    EXPECT_NE(heatmapContentKey(changed), key) << "value " << i;
  }
  Heatmap picture = h;
  picture.rgba.assign(64 * 4, 10);
  const std::uint64_t pictureKey = heatmapContentKey(picture);
  picture.rgba[255] = 11; // the last byte
  EXPECT_NE(heatmapContentKey(picture), pictureKey);
}

TEST(PlotImGui, DensePolylinesAreDecimatedToThePixelGrid) {
  // A 10,000-point curve over 500 pixel columns keeps at most first / lowest / highest / last of
  // each column, in path order, including each column's extremes; a path that has converged onto
  // one spot collapses to a few points.
  std::vector<Point> curve;
  for (int i = 0; i < 10000; ++i)
    curve.push_back(
        {100 + 500.0f * i / 10000, 300 + 80 * std::sin(0.05f * i) * std::exp(-i / 4000.0f)});
  const std::vector<Point> kept = decimateToPixelColumns(curve.data(), int(curve.size()));
  EXPECT_LE(kept.size(), 4u * 501u);
  EXPECT_GT(kept.size(), 500u);
  EXPECT_EQ(kept.front().x, curve.front().x);
  EXPECT_EQ(kept.back().y, curve.back().y);
  for (int column = 100; column < 600; column += 37) {
    float lo = INFINITY, hi = -INFINITY, keptLo = INFINITY, keptHi = -INFINITY;
    for (const Point& p : curve)
      if (std::floor(p.x) == column) lo = std::min(lo, p.y), hi = std::max(hi, p.y);
    for (const Point& p : kept)
      if (std::floor(p.x) == column) keptLo = std::min(keptLo, p.y), keptHi = std::max(keptHi, p.y);
    EXPECT_NEAR(keptLo, lo, 0.5f) << "column " << column;
    EXPECT_NEAR(keptHi, hi, 0.5f) << "column " << column;
  }
  for (std::size_t i = 1; i < kept.size(); ++i) EXPECT_GE(kept[i].x, kept[i - 1].x); // path order

  std::vector<Point> converged = {{10, 10}, {200, 150}};
  for (int i = 0; i < 5000; ++i) converged.push_back({200.1f + 0.1f * std::sin(float(i)), 150.0f});
  EXPECT_LE(decimateToPixelColumns(converged.data(), int(converged.size())).size(), 4u);

  // Drawn through ImGui: far fewer vertices than the 10,000 points would make.
  ImGuiFrames frames;
  frames.begin();
  ImDrawList* list = ImGui::GetWindowDrawList();
  ImGuiCanvas canvas(list, ImGui::GetFont(), nullptr, 1, 0);
  const int before = list->VtxBuffer.Size;
  canvas.polyline(curve.data(), int(curve.size()), 2.0f, Color{0, 0, 0, 1}, LineStyle::Solid,
                  false);
  EXPECT_LT(list->VtxBuffer.Size - before, 4 * int(kept.size()) + 8);
  frames.end();
}

TEST(PlotImGui, MarkersOnTheSamePixelAreDrawnOnce) {
  // 500 step markers piled on one spot cost one circle's vertices; a marker of another series
  // drawn in between is not dropped, nor is the first marker after it (stacking order kept).
  ImGuiFrames frames;
  frames.begin();
  ImDrawList* list = ImGui::GetWindowDrawList();
  ImGuiCanvas canvas(list, ImGui::GetFont(), nullptr, 1, 0);
  const Color red{1, 0, 0, 1}, blue{0, 0, 1, 1};
  int at = list->VtxBuffer.Size;
  canvas.fillCircle({100, 100}, 3, red);
  const int one = list->VtxBuffer.Size - at;
  ASSERT_GT(one, 0);
  for (int i = 0; i < 500; ++i) canvas.fillCircle({100.2f, 99.9f}, 3, red);
  EXPECT_EQ(list->VtxBuffer.Size - at, one);
  canvas.fillCircle({101, 100}, 3, red); // the next pixel: drawn
  EXPECT_EQ(list->VtxBuffer.Size - at, 2 * one);
  at = list->VtxBuffer.Size;
  canvas.fillCircle({100, 100}, 3, blue);
  canvas.fillCircle({100, 100}, 3, red); // over the blue one: must be drawn again
  EXPECT_EQ(list->VtxBuffer.Size - at, 2 * one);
  frames.end();
}

TEST(PlotImGui, PlotFigureGridDrawsEveryPanel) {
  ImGuiFrames frames;
  FigureGrid grid;
  grid.title = "two panels";
  grid.cols = 2;
  grid.panels = {lineFigure(), lineFigure()};
  const ImDrawData* data = nullptr;
  for (int frame = 0; frame < 2; ++frame) {
    frames.begin();
    PlotFigureGrid("grid", grid, ImVec2(800, 400), PlotStyle{});
    data = frames.end();
  }
  // One line figure draws over 300 vertices (see above): two panels draw over 600.
  EXPECT_GT(data->TotalVtxCount, 600);
}

TEST(PlotImGui, ExportFileStemFromTitle) {
  EXPECT_EQ(exportFileStem("Training loss (Adam)"), "training_loss_adam");
  EXPECT_EQ(exportFileStem("σ"), "figure");
  EXPECT_EQ(exportFileStem(""), "figure");
}
