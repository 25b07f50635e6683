// cairo export: PNG pixel size from dpi, SVG is XML, PDF has its magic, CSV holds the data, and
// errors say what is wrong. Also renders the demo figure (tests write it to the temp dir).
#include <gtest/gtest.h>

#include <stb/stb_image.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "plot/cairo_canvas.h"
#include "plot/export.h"

using namespace nnlab::plot;
using nnlab::Status;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path outDir() {
  const fs::path dir = fs::path(::testing::TempDir()) / "nnlab_plot_export";
  fs::create_directories(dir);
  return dir;
}

// A textbook figure: a loss surface (heatmap + contours), two optimizer paths, a legend, Greek
// labels, an annotated minimum.
Figure demoFigure() {
  Figure f;
  f.title = "Loss surface and optimizer paths";
  f.xAxis.label = "weight w₁ (β = 0.9)";
  f.yAxis.label = "weight w₂ (σ = √2, ⌊x⌋, Σ, ŷ)";
  Heatmap h;
  h.rows = 60, h.cols = 80, h.x0 = -2, h.x1 = 2, h.y0 = -1.5, h.y1 = 1.5;
  for (int r = 0; r < h.rows; ++r)
    for (int c = 0; c < h.cols; ++c) {
      const double x = h.x0 + (c + 0.5) * (h.x1 - h.x0) / h.cols,
                   y = h.y0 + (r + 0.5) * (h.y1 - h.y0) / h.rows;
      h.values.push_back(float(0.5 * x * x + 2 * y * y));
    }
  h.colorbarLabel = "loss";
  h.nearest = false;
  ContourSet cs;
  cs.rows = h.rows, cs.cols = h.cols, cs.values = h.values;
  cs.x0 = h.x0, cs.x1 = h.x1, cs.y0 = h.y0, cs.y1 = h.y1;
  cs.color = Color{1, 1, 1, 0.6f};
  f.heatmap = h;
  f.contours = {cs};
  LineSeries sgd, momentum;
  sgd.label = "SGD, η = 0.1";
  sgd.markers = true;
  momentum.label = "momentum, β = 0.9";
  momentum.style = LineStyle::Dashed;
  double x = -1.8, y = 1.2, x2 = -1.8, y2 = 1.2, vx = 0, vy = 0;
  for (int i = 0; i < 25; ++i) {
    sgd.x.push_back(x), sgd.y.push_back(y);
    x -= 0.1 * x, y -= 0.1 * 4 * y;
    momentum.x.push_back(x2), momentum.y.push_back(y2);
    vx = 0.9 * vx + x2, vy = 0.9 * vy + 4 * y2;
    x2 -= 0.05 * vx, y2 -= 0.05 * vy;
  }
  f.lines = {sgd, momentum};
  Annotation minimum;
  minimum.x = 0, minimum.y = 0, minimum.text = "minimum: ∂L/∂w = 0", minimum.marker = true;
  f.annotations = {minimum};
  f.equalAspect = true;
  return f;
}

} // namespace

TEST(PlotExport, PngPixelSizeIsInchesTimesDpi) {
  const fs::path path = outDir() / "size.png";
  ExportOptions o; // 6.4 x 4.8 in
  o.dpi = 100;
  ASSERT_TRUE(exportFigure(demoFigure(), path.string(), o));
  int w = 0, h = 0, n = 0;
  ASSERT_TRUE(stbi_info(path.string().c_str(), &w, &h, &n));
  EXPECT_EQ(w, 640); // 6.4 in x 100 dpi
  EXPECT_EQ(h, 480);
  o.widthPt = 3 * 72, o.heightPt = 2 * 72, o.dpi = 300;
  ASSERT_TRUE(exportFigure(demoFigure(), path.string(), o));
  ASSERT_TRUE(stbi_info(path.string().c_str(), &w, &h, &n));
  EXPECT_EQ(w, 900); // 3 in x 300 dpi
  EXPECT_EQ(h, 600);
}

TEST(PlotExport, PngPixelsMeanSomething) {
  // A heatmap whose single minimum sits in the middle of the box: the corner of the figure is
  // white paper, the middle of the plot is viridis' darkest violet (#440154), the colour bar's
  // top is viridis' yellow (#fde725).
  Figure f;
  Heatmap h;
  h.rows = 21, h.cols = 21, h.x0 = -1, h.x1 = 1, h.y0 = -1, h.y1 = 1;
  for (int r = 0; r < 21; ++r)
    for (int c = 0; c < 21; ++c)
      h.values.push_back(float((r - 10) * (r - 10) + (c - 10) * (c - 10)));
  f.heatmap = h;
  f.equalAspect = true;
  const fs::path path = outDir() / "pixels.png";
  ExportOptions o;
  o.dpi = 72; // one pixel per point: layout coordinates are pixel coordinates
  ASSERT_TRUE(exportFigure(f, path.string(), o));
  int w, h2, n;
  unsigned char* px = stbi_load(path.string().c_str(), &w, &h2, &n, 3);
  ASSERT_NE(px, nullptr);
  auto at = [&](int x, int y) { return px + (std::size_t(y) * w + x) * 3; };
  EXPECT_EQ(at(2, 2)[0], 255);
  EXPECT_EQ(at(2, 2)[2], 255);
  // The same layout, measured with the same font on a scratch cairo surface.
  cairo_surface_t* scratch = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
  cairo_t* cr = cairo_create(scratch);
  CairoCanvas measure(cr);
  const FigureLayout L = layoutFigure(f, measure, {0, 0, o.widthPt, o.heightPt}, o.style);
  cairo_destroy(cr);
  cairo_surface_destroy(scratch);
  const unsigned char* centre = at(int(L.x.toCanvas(0)), int(L.y.toCanvas(0)));
  EXPECT_NEAR(centre[0], 0x44, 12);
  EXPECT_NEAR(centre[1], 0x01, 12);
  EXPECT_NEAR(centre[2], 0x54, 12);
  const unsigned char* barTop = at(int(L.colorbar.x + L.colorbar.w / 2), int(L.colorbar.y + 2));
  EXPECT_NEAR(barTop[0], 0xfd, 12);
  EXPECT_NEAR(barTop[1], 0xe7, 12);
  EXPECT_NEAR(barTop[2], 0x25, 20);
  stbi_image_free(px);
}

TEST(PlotExport, SvgIsXmlAndPdfHasItsMagic) {
  const fs::path svg = outDir() / "demo.svg", pdf = outDir() / "demo.pdf";
  ASSERT_TRUE(exportFigure(demoFigure(), svg.string()));
  ASSERT_TRUE(exportFigure(demoFigure(), pdf.string()));
  const std::string s = slurp(svg), p = slurp(pdf);
  EXPECT_EQ(s.rfind("<?xml", 0), 0u);
  EXPECT_NE(s.find("<svg"), std::string::npos);
  EXPECT_NE(s.find("</svg>"), std::string::npos);
  EXPECT_EQ(p.rfind("%PDF", 0), 0u);
  EXPECT_NE(p.find("%%EOF"), std::string::npos);
  EXPECT_GT(p.size(), 2000u);
}

TEST(PlotExport, DemoFigureAllFormats) {
  // Left in the temp dir for a person to look at (pdftoppm -png -r 80 demo.pdf out).
  for (const char* name : {"demo.png", "demo.pdf", "demo.svg", "demo.csv"}) {
    const Status s = exportFigure(demoFigure(), (outDir() / name).string());
    EXPECT_TRUE(s) << name << ": " << (s ? "" : s.error().message());
  }
}

TEST(PlotExport, CsvHoldsEverySeriesAndTheGrid) {
  Figure f;
  LineSeries a;
  a.label = "train, smoothed";
  a.x = {0, 1};
  a.y = {2.5, NAN};
  ScatterSeries s;
  s.label = "points";
  s.x = {3};
  s.y = {4};
  s.category = {1};
  Heatmap h;
  h.rows = 1, h.cols = 2, h.values = {7, 8}, h.x0 = 0, h.x1 = 2, h.y0 = 0, h.y1 = 1;
  h.colorbarLabel = "loss";
  f.lines = {a};
  f.scatters = {s};
  f.heatmap = h;
  EXPECT_EQ(figureToCsv(f), "kind,series,label,x,y,value\n"
                            "line,0,\"train, smoothed\",0,2.5,\n"
                            "line,0,\"train, smoothed\",1,nan,\n"
                            "scatter,0,points,3,4,1\n"
                            "heatmap,0,loss,0.5,0.5,7\n"
                            "heatmap,0,loss,1.5,0.5,8\n");
  const fs::path path = outDir() / "data.CSV";
  ASSERT_TRUE(exportFigure(f, path.string()));
  EXPECT_EQ(slurp(path), figureToCsv(f));
}

TEST(PlotExport, ErrorsNameTheProblem) {
  const Status ext = exportFigure(demoFigure(), (outDir() / "figure.bmp").string());
  ASSERT_FALSE(ext);
  EXPECT_NE(ext.error().what.find(".bmp"), std::string::npos);
  EXPECT_NE(ext.error().what.find(".png"), std::string::npos);

  const Status noDir = exportFigure(demoFigure(), "/nonexistent-dir/sub/figure.png");
  ASSERT_FALSE(noDir);
  EXPECT_EQ(noDir.error().where, "/nonexistent-dir/sub/figure.png");
  EXPECT_NE(noDir.error().what.find("cannot open"), std::string::npos);

  ExportOptions o;
  o.dpi = 0;
  const Status dpi = exportFigure(demoFigure(), (outDir() / "x.png").string(), o);
  ASSERT_FALSE(dpi);
  EXPECT_EQ(dpi.error().where, "dpi");

  Figure bad;
  bad.heatmap = Heatmap{};
  bad.heatmap->rows = 2, bad.heatmap->cols = 2, bad.heatmap->values = {1, 2, 3};
  const Status invalid = exportFigure(bad, (outDir() / "x.svg").string());
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().message(), "figure: heatmap: 2 x 2 grid needs 4 values, has 3");
}

// A grid's minimum page (FigureGrid::minPageWidthPt) grows the page, never shrinks it: 800 x 600
// points at 72 dpi is 800 x 600 pixels where the default page is 461 x 346; a page asked bigger
// than the minimum stays as asked; a negative minimum is refused by name.
TEST(PlotExport, GridPageGrowsToTheGridsMinimum) {
  FigureGrid grid;
  grid.cols = 2;
  grid.panels = {demoFigure(), demoFigure()};
  grid.minPageWidthPt = 800, grid.minPageHeightPt = 600;
  const fs::path path = outDir() / "grid-page.png";
  ExportOptions o;
  o.dpi = 72;
  ASSERT_TRUE(exportFigureGrid(grid, path.string(), o));
  int w = 0, h = 0, n = 0;
  ASSERT_TRUE(stbi_info(path.string().c_str(), &w, &h, &n));
  EXPECT_EQ(w, 800);
  EXPECT_EQ(h, 600);
  o.widthPt = 1000, o.heightPt = 500; // wider than the minimum, lower than it
  ASSERT_TRUE(exportFigureGrid(grid, path.string(), o));
  ASSERT_TRUE(stbi_info(path.string().c_str(), &w, &h, &n));
  EXPECT_EQ(w, 1000);
  EXPECT_EQ(h, 600);
  grid.minPageWidthPt = 0, grid.minPageHeightPt = 0; // no minimum: the page as asked
  ASSERT_TRUE(exportFigureGrid(grid, path.string(), o));
  ASSERT_TRUE(stbi_info(path.string().c_str(), &w, &h, &n));
  EXPECT_EQ(w, 1000);
  EXPECT_EQ(h, 500);
  grid.minPageHeightPt = -1;
  const Status bad = exportFigureGrid(grid, path.string(), o);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("minPage"), std::string::npos) << bad.error().message();
}
