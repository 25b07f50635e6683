// Feature-map lab: scene files round-trip and bad ones change nothing; a corrupt image is refused
// by name and the previous image stays; the dot product the hover panel shows equals the engine's
// output for every padding mode, stride, dilation and RGB; the vertical-edge kernel on the
// checkerboard lights vertical edges only; a bank exports as the input and one panel per map on
// the lab's colour scale(s), also as CSV and PNG; and the timing of the 512×512, 8-Gabor case.
#include "labs/feature_map_lab.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/export_command.h"
#include "core/messages.h"
#include "gl/headless_context.h"
#include "plot/cairo_canvas.h"
#include "plot/draw_figure.h"
#include "plot/export.h"
#include <imgui.h>
#include "core/scene.h"
#include "plot/colormap.h"

namespace nnlab::app {
namespace {

std::string scenePath(const std::string& name) {
  return std::string(NNLAB_SOURCE_DIR) + "/assets/scenes/" + name;
}

std::string tempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("nnlab-feature-map-test-" + name)).string();
}

TEST(FeatureMapLab, PresetScenesRoundTrip) {
  for (const char* name :
       {"feature_maps_checkerboard_vertical_edge.json", "feature_maps_gabor_camera.json",
        "feature_maps_edges_brick_relu_pool.json"}) {
    SCOPED_TRACE(name);
    std::unique_ptr<Lab> lab = createFeatureMapLab();
    Status loaded = loadSceneInto(scenePath(name), "feature_maps", *lab);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message();
    const nlohmann::json saved = lab->saveState();
    std::unique_ptr<Lab> again = createFeatureMapLab();
    ASSERT_TRUE(again->loadState(saved).ok());
    EXPECT_EQ(again->saveState(), saved);
    EXPECT_TRUE(lab->exportFigure().validate().empty());
  }
}

TEST(FeatureMapLab, MalformedFieldsAreRejectedByNameAndChangeNothing) {
  std::unique_ptr<Lab> lab = createFeatureMapLab();
  const nlohmann::json before = lab->saveState();
  struct Case {
    const char* field;
    nlohmann::json value;
  };
  const Case cases[] = {{"stride", 0},          {"padding_mode", "mirror"},
                        {"kernel", {1, 2, 3}},  {"kernel_size", 9},
                        {"bank", "sobel"},      {"working_size", "big"},
                        {"probe", {1, -2, 3}},  {"image", "lena"},
                        {"preset", "gabor_30"}, {"kernel", {1, 0, -1, 1, 0, -1, 1, 0, "x"}}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.field);
    nlohmann::json bad = before;
    bad[c.field] = c.value;
    bad["stride"] =
        c.field == std::string("stride") ? c.value : nlohmann::json(2); // a good change too
    Status s = lab->loadState(bad);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().where.rfind(std::string("state.") + c.field, 0), 0u) << s.error().message();
    EXPECT_EQ(lab->saveState(), before) << "a rejected scene must leave the lab unchanged";
  }
}

TEST(FeatureMapLab, CorruptImageIsNamedAndThePreviousImageStays) {
  const std::string corrupt = tempPath("corrupt.png");
  std::ofstream(corrupt) << "\x89PNG\r\n\x1a\n this is not really a PNG";
  std::unique_ptr<Lab> lab = createFeatureMapLab();
  ASSERT_TRUE(lab->loadState({{"image", "checkerboard"}}).ok());
  const nlohmann::json before = lab->saveState();
  const plot::Figure figureBefore = lab->exportFigure();

  Status s = lab->loadState({{"image", "file"}, {"image_path", corrupt}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().where, "state.image_path");
  EXPECT_NE(s.error().message().find(corrupt), std::string::npos) << s.error().message();
  EXPECT_EQ(lab->saveState(), before);

  MessageLog messages;
  messages.echoToStderr(false);
  EXPECT_TRUE(lab->acceptDroppedFile(corrupt, messages));
  ASSERT_NE(messages.latest(), nullptr);
  EXPECT_EQ(messages.latest()->severity, Severity::Error);
  EXPECT_NE(messages.latest()->text.find(corrupt), std::string::npos) << messages.latest()->text;
  EXPECT_EQ(lab->saveState(), before);
  EXPECT_EQ(lab->exportFigure().heatmap->values, figureBefore.heatmap->values)
      << "the image changed";

  // A good file dropped afterwards is taken.
  const std::string good = std::string(NNLAB_SOURCE_DIR) + "/assets/images/coffee.png";
  EXPECT_TRUE(lab->acceptDroppedFile(good, messages));
  EXPECT_EQ(lab->saveState()["image"], "file");
  EXPECT_EQ(lab->saveState()["image_path"], good);
  std::filesystem::remove(corrupt);
}

// The hover panel's numbers: patch and kernel taken apart, summed here, equal to the engine's
// output at that unit, for every padding mode, with stride, dilation and three channels.
TEST(FeatureMapLab, DotProductShownEqualsTheEngineOutput) {
  const Tensor grey = workingImage(testCardImage(), false, 64);
  const Tensor colour = workingImage(testCardImage(), true, 48);
  for (const char* mode : {"zeros", "reflect", "replicate", "circular"})
    for (int stride : {1, 2, 3})
      for (int dilation : {1, 2})
        for (const char* bank : {"kernel", "gabor"})
          for (bool rgb : {false, true}) {
            FeatureMapLabState state;
            state.paddingMode = mode, state.stride = stride, state.dilation = dilation,
            state.bank = bank;
            state.padding = 3;
            state.kernel = {1, 2, 3, 4, 5,
                            6, 7, 8, -9}; // asymmetric: a flipped kernel would not match
            state.gaborCount = 3;
            SCOPED_TRACE(std::string(mode) + " s" + std::to_string(stride) + " d" +
                         std::to_string(dilation) + " " + bank + (rgb ? " rgb" : " grey"));
            Result<FeatureMaps> maps = computeFeatureMaps(rgb ? colour : grey, state);
            ASSERT_TRUE(maps.ok()) << maps.error().message();
            ASSERT_TRUE(addPaddedInput(maps.value(), state).ok());
            const Shape& out = maps->convOutput.shape();
            for (int f = 0; f < out[1]; ++f)
              for (int row : {0, int(out[2]) / 2, int(out[2]) - 1})
                for (int col : {0, 1, int(out[3]) - 1}) {
                  Result<UnitExplanation> e = explainUnit(*maps, state, f, row, col);
                  ASSERT_TRUE(e.ok());
                  EXPECT_NEAR(e->dotProduct, e->engineOutput, 1e-4 * (1 + std::abs(e->dotProduct)))
                      << "unit " << f << " (" << row << ", " << col << ")";
                  EXPECT_EQ(e->patch.size(), size_t(e->channels * e->kernelSize * e->kernelSize));
                }
          }
  // Out-of-range units are refused in words.
  FeatureMapLabState state;
  Result<FeatureMaps> maps = computeFeatureMaps(grey, state);
  ASSERT_TRUE(maps.ok());
  ASSERT_TRUE(addPaddedInput(maps.value(), state).ok());
  EXPECT_FALSE(explainUnit(*maps, state, 0, 64, 0).ok());
  EXPECT_FALSE(explainUnit(*maps, state, 1, 0, 0).ok());
}

// Checkerboard of 32-pixel squares, black at the top-left; kernel [[1 0 −1]] × 3 rows, padding 1.
// At row 16 the columns 31 | 32 change from black (0) to white (1): out(16, 31) = 3·(x30 − x32) =
// 3·(0 − 1) = −3. Across the horizontal edge at row 32 every row is constant along x near
// column 16, so 1·a − 1·a = 0 there and on flat squares.
TEST(FeatureMapLab, VerticalEdgeKernelLightsVerticalEdgesOnly) {
  FeatureMapLabState state; // default: vertical_edge, padding 1
  state.paddingMode = "replicate";
  Result<FeatureMaps> maps =
      computeFeatureMaps(workingImage(checkerboardImage(), false, 256), state);
  ASSERT_TRUE(maps.ok());
  const Tensor& y = maps->shown();
  EXPECT_FLOAT_EQ(y(0, 0, 16, 31), -3.0f);
  EXPECT_FLOAT_EQ(y(0, 0, 16, 32), -3.0f);
  EXPECT_FLOAT_EQ(y(0, 0, 16, 63), 3.0f); // white to black
  EXPECT_FLOAT_EQ(y(0, 0, 32, 16), 0.0f); // horizontal edge
  EXPECT_FLOAT_EQ(y(0, 0, 31, 16), 0.0f);
  EXPECT_FLOAT_EQ(y(0, 0, 16, 16), 0.0f); // flat square
  EXPECT_FLOAT_EQ(maps->minimum[0], -3.0f);
  EXPECT_FLOAT_EQ(maps->maximum[0], 3.0f);
}

TEST(FeatureMapLab, ReluAndPoolingFollowTheConv) {
  FeatureMapLabState state;
  state.relu = true, state.pool = "max", state.poolSize = 2;
  Result<FeatureMaps> maps =
      computeFeatureMaps(workingImage(checkerboardImage(), false, 256), state);
  ASSERT_TRUE(maps.ok());
  EXPECT_EQ(maps->shown().shape(), Shape({1, 1, 128, 128}));
  EXPECT_FLOAT_EQ(maps->minimum[0], 0.0f);           // ReLU removed the negative edges
  EXPECT_FLOAT_EQ(maps->shown()(0, 0, 8, 31), 3.0f); // window rows 16-17, cols 62-63
  EXPECT_FLOAT_EQ(maps->shown()(0, 0, 8, 15), 0.0f); // was −3 before ReLU
}

// Every shown value of map f, and their largest magnitude, straight from the tensor.
std::vector<float> mapValues(const FeatureMaps& maps, int f) {
  const Tensor& y = maps.shown();
  const Index plane = y.dim(2) * y.dim(3);
  return std::vector<float>(y.data() + f * plane, y.data() + (f + 1) * plane);
}
double largestMagnitude(const std::vector<float>& values) {
  double m = 0;
  for (float v : values) m = std::max(m, double(std::abs(v)));
  return m;
}

// Lays a grid out on its own export page, measuring text with cairo's font as the export does.
plot::FigureGridLayout layoutOnItsPage(const plot::FigureGrid& grid, const plot::PlotStyle& style) {
  cairo_surface_t* scratch = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
  cairo_t* cr = cairo_create(scratch);
  plot::CairoCanvas measure(cr);
  const plot::ExportOptions defaults;
  const plot::Rect page{0, 0, std::max(defaults.widthPt, grid.minPageWidthPt),
                        std::max(defaults.heightPt, grid.minPageHeightPt)};
  plot::FigureGridLayout layout = plot::layoutFigureGrid(grid, measure, page, style);
  cairo_destroy(cr);
  cairo_surface_destroy(scratch);
  return layout;
}

bool overlap(const plot::Rect& a, const plot::Rect& b) {
  return a.x < b.right() && b.x < a.right() && a.y < b.bottom() && b.y < a.bottom();
}

// The exported bank on one shared scale: the input picture, then the 8 Gabor maps titled by
// angle θ = i·180°/8, with pixel axes; the one colour scale is ±(the bank's largest |value|),
// which is larger than some maps' own (else sharing would not show).
TEST(FeatureMapLab, BankExportIsTheInputThenOnePanelPerMapOnTheBanksScale) {
  FeatureMapLabState state;
  state.image = "test_card";
  state.bank = "gabor", state.gaborCount = 8, state.padding = 3, state.sharedScale = true;
  const Tensor input = workingImage(testCardImage(), false, 64);
  Result<FeatureMaps> maps = computeFeatureMaps(input, state);
  ASSERT_TRUE(maps.ok());
  const plot::FigureGrid grid = featureMapFigureGrid(*maps, state);
  ASSERT_TRUE(grid.validate().empty()) << grid.validate();
  ASSERT_EQ(grid.panels.size(), 9u);
  EXPECT_EQ(grid.cols, 3);
  EXPECT_NE(grid.title.find("8 Gabor filters"), std::string::npos) << grid.title;
  EXPECT_NE(grid.title.find("padding 3"), std::string::npos) << grid.title;

  const plot::Figure& in = grid.panels[0];
  EXPECT_EQ(in.title, "input: test_card 64×64");
  ASSERT_TRUE(in.heatmap);
  ASSERT_EQ(in.heatmap->rgba.size(), 64u * 64u * 4u) << "the input is a picture, not on the scale";
  EXPECT_EQ(in.heatmap->values, input.values());
  EXPECT_EQ(in.heatmap->rgba[(10 * 64 + 20) * 4], std::lround(255 * input(0, 0, 10, 20)));

  const char* angles[8] = {"θ = 0°",  "θ = 22.5°", "θ = 45°",  "θ = 67.5°",
                           "θ = 90°", "θ = 112°",  "θ = 135°", "θ = 158°"};
  double bankMax = 0, smallestOwn = INFINITY;
  for (int f = 0; f < 8; ++f) {
    const plot::Figure& panel = grid.panels[size_t(f) + 1];
    EXPECT_EQ(panel.title, angles[f]);
    ASSERT_TRUE(panel.heatmap);
    EXPECT_EQ(panel.heatmap->values, mapValues(*maps, f)) << "panel " << f + 1;
    EXPECT_EQ(panel.heatmap->colormap, plot::Colormap::Diverging);
    bankMax = std::max(bankMax, largestMagnitude(mapValues(*maps, f)));
    smallestOwn = std::min(smallestOwn, largestMagnitude(mapValues(*maps, f)));
  }
  for (const plot::Figure& panel : grid.panels) {
    EXPECT_EQ(panel.xAxis.label, "x (px)");
    EXPECT_EQ(panel.yAxis.label, "y (px)");
    EXPECT_TRUE(panel.yAxis.invert && panel.equalAspect);
  }
  ASSERT_LT(smallestOwn, 0.9 * bankMax) << "a bank whose maps all reach the same |value|";
  EXPECT_TRUE(grid.sharedColorScale);
  EXPECT_EQ(grid.colorbarLabel, "activation");
  const std::optional<plot::ColorScale> scale = plot::sharedColorScale(grid);
  ASSERT_TRUE(scale);
  EXPECT_EQ(scale->map, plot::Colormap::Diverging);
  EXPECT_NEAR(scale->vmax, bankMax, 1e-6 * bankMax);
  EXPECT_NEAR(scale->vmin, -bankMax, 1e-6 * bankMax);

  // On the page it asks for: nine separate image boxes of a readable size, titles that fit their
  // cells, and one colorbar right of them all.
  const plot::FigureGridLayout layout = layoutOnItsPage(grid, plot::PlotStyle{});
  ASSERT_TRUE(layout.error.empty()) << layout.error;
  ASSERT_EQ(layout.panels.size(), 9u);
  EXPECT_TRUE(layout.hasColorbar);
  EXPECT_GT(layout.colorbar.h, 300.0f);
  for (size_t i = 0; i < 9; ++i) {
    const plot::FigureLayout& panel = layout.panels[i];
    SCOPED_TRACE(grid.panels[i].title);
    EXPECT_FALSE(panel.hasColorbar);
    EXPECT_GE(panel.plot.w, 100.0f);
    EXPECT_GE(panel.plot.h, 100.0f);
    EXPECT_LT(panel.plot.right(), layout.colorbar.x);
    for (size_t j = 0; j < i; ++j) EXPECT_FALSE(overlap(panel.plot, layout.panels[j].plot));
    EXPECT_GE(panel.plot.x, layout.cells[i].x);
    EXPECT_LE(panel.plot.right(), layout.cells[i].right());
  }
}

// Per-map scales, as the lab shows them: each map on ±(its own largest |value|) with its own
// colorbar beside it; the input picture has none and there is no shared one.
TEST(FeatureMapLab, BankExportOnPerMapScalesGivesEachMapItsColorbar) {
  FeatureMapLabState state;
  state.bank = "edges", state.sharedScale = false;
  Result<FeatureMaps> maps = computeFeatureMaps(workingImage(testCardImage(), false, 64), state);
  ASSERT_TRUE(maps.ok());
  const plot::FigureGrid grid = featureMapFigureGrid(*maps, state);
  ASSERT_TRUE(grid.validate().empty()) << grid.validate();
  ASSERT_EQ(grid.panels.size(), 9u);
  EXPECT_FALSE(grid.sharedColorScale);
  double lowest = INFINITY, highest = 0;
  for (int f = 0; f < 8; ++f) {
    const plot::Figure& panel = grid.panels[size_t(f) + 1];
    SCOPED_TRACE(maps->labels[size_t(f)]);
    EXPECT_EQ(panel.title, maps->labels[size_t(f)]);
    const double own = largestMagnitude(mapValues(*maps, f));
    lowest = std::min(lowest, own), highest = std::max(highest, own);
    ASSERT_TRUE(panel.heatmap && panel.heatmap->vmax && panel.heatmap->vmin);
    EXPECT_TRUE(panel.heatmap->colorbar);
    EXPECT_FALSE(panel.heatmap->colorbarLabel.empty());
    EXPECT_NEAR(*panel.heatmap->vmax, own, 1e-6 * own);
    EXPECT_NEAR(*panel.heatmap->vmin, -own, 1e-6 * own);
  }
  ASSERT_LT(lowest, 0.9 * highest) << "maps of equal range: per-map scales would look shared";

  const plot::FigureGridLayout layout = layoutOnItsPage(grid, plot::PlotStyle{});
  ASSERT_TRUE(layout.error.empty()) << layout.error;
  EXPECT_FALSE(layout.hasColorbar);
  EXPECT_FALSE(layout.panels[0].hasColorbar) << "the input picture has no colour scale";
  for (size_t i = 1; i < 9; ++i) {
    const plot::FigureLayout& panel = layout.panels[i];
    SCOPED_TRACE(grid.panels[i].title);
    EXPECT_TRUE(panel.hasColorbar);
    EXPECT_GE(panel.plot.w, 100.0f);
    EXPECT_GE(panel.plot.h, 100.0f);
    EXPECT_LE(panel.colorbar.right(), layout.cells[i].right()) << "colorbar in its own cell";
    for (size_t j = 0; j < i; ++j) {
      EXPECT_FALSE(overlap(panel.plot, layout.panels[j].plot));
      if (layout.panels[j].hasColorbar) {
        EXPECT_FALSE(overlap(panel.plot, layout.panels[j].colorbar));
      }
    }
  }
}

// CSV of the bank: one block of rows per panel (the input's grey levels, then each map), every
// pixel at its centre; 8 maps of 32×32 after 2×2 max pooling of the 64×64 input.
TEST(FeatureMapLab, BankCsvHasTheInputAndEveryMapPixel) {
  FeatureMapLabState state;
  state.bank = "edges", state.relu = true, state.pool = "max", state.poolSize = 2;
  Result<FeatureMaps> maps = computeFeatureMaps(workingImage(testCardImage(), false, 64), state);
  ASSERT_TRUE(maps.ok());
  ASSERT_EQ(maps->shown().shape(), (Shape{1, 8, 32, 32}));
  const std::string csv = plot::figureGridToCsv(featureMapFigureGrid(*maps, state));
  std::map<std::string, int> rowsPerPanel;
  for (size_t begin = csv.find('\n') + 1; begin < csv.size();) {
    const size_t end = csv.find('\n', begin);
    ++rowsPerPanel[csv.substr(begin, csv.find(',', begin) - begin)];
    begin = end + 1;
  }
  ASSERT_EQ(rowsPerPanel.size(), 9u);
  EXPECT_EQ(rowsPerPanel["0"], 64 * 64);
  for (int panel = 1; panel <= 8; ++panel) EXPECT_EQ(rowsPerPanel[std::to_string(panel)], 32 * 32);
  // Map 2 (Sobel x) at row 10, column 20: panel 3, x = 20.5, y = 10.5.
  char row[128];
  std::snprintf(row, sizeof row, "\n3,heatmap,0,activation,20.5,10.5,%.9g\n",
                double(maps->shown()(0, 2, 10, 20)));
  EXPECT_NE(csv.find(row), std::string::npos) << row;
}

// What File > Export and `nnlab export` write for the lab: one kernel is a single figure (no
// grid); a bank is its grid, whose PNG shows the grey test card in the first panel's box and
// coloured responses in every map's box, with colorbars running from red (top) to blue (bottom):
// one per map on per-map scales, one right of the grid on a shared scale.
TEST(FeatureMapLab, ExportedBankPngShowsTheInputAndEveryMap) {
  std::unique_ptr<Lab> lab = createFeatureMapLab();
  ASSERT_TRUE(lab->loadState({{"image", "test_card"}, {"working_size", 64}}).ok());
  EXPECT_FALSE(lab->exportFigureGrid()) << "one kernel exports one figure";
  const plot::Figure single = lab->exportFigure();
  ASSERT_TRUE(single.heatmap);
  EXPECT_TRUE(single.heatmap->colorbar);
  EXPECT_EQ(single.heatmap->values.size(), 64u * 64u);
  EXPECT_EQ(single.title.rfind("vertical edge", 0), 0u) << single.title;

  for (bool shared : {false, true}) {
    SCOPED_TRACE(shared ? "shared scale" : "per-map scales");
    ASSERT_TRUE(lab->loadState({{"bank", "gabor"},
                                {"gabor_count", 4},
                                {"padding", 3},
                                {"padding_mode", "replicate"},
                                {"shared_scale", shared}})
                    .ok());
    const std::optional<plot::FigureGrid> grid = lab->exportFigureGrid();
    ASSERT_TRUE(grid);
    ASSERT_EQ(grid->panels.size(), 5u);
    const std::string path = tempPath("bank.png");
    plot::ExportOptions options;
    options.dpi = 72; // one pixel per point: layout coordinates are pixel coordinates
    const Status written = exportLabFigure(*lab, path, options);
    ASSERT_TRUE(written.ok()) << written.error().message();
    Result<Image8> png = readImage(path, 3);
    std::filesystem::remove(path);
    ASSERT_TRUE(png.ok()) << png.error().message();
    EXPECT_EQ(png->width, std::lround(std::max(options.widthPt, grid->minPageWidthPt)));
    EXPECT_EQ(png->height, std::lround(std::max(options.heightPt, grid->minPageHeightPt)));
    const plot::FigureGridLayout layout = layoutOnItsPage(*grid, options.style);
    ASSERT_EQ(layout.panels.size(), 5u);
    auto at = [&](float x, float y) {
      return &png->pixels[(size_t(y) * size_t(png->width) + size_t(x)) * 3];
    };
    auto redOverBlue = [&](const plot::Rect& bar) {
      const std::uint8_t* top = at(bar.x + bar.w / 2, bar.y + 2);
      const std::uint8_t* bottom = at(bar.x + bar.w / 2, bar.bottom() - 3);
      return top[0] > top[2] + 60 && bottom[2] > bottom[0] + 60;
    };
    for (size_t i = 0; i < 5; ++i) {
      SCOPED_TRACE(grid->panels[i].title);
      const plot::Rect box = layout.panels[i].plot;
      int grey = 0, dark = 0, light = 0, coloured = 0, pixels = 0;
      for (int y = int(box.y) + 2; y < int(box.bottom()) - 2; ++y)
        for (int x = int(box.x) + 2; x < int(box.right()) - 2; ++x) {
          const std::uint8_t* p = at(float(x), float(y));
          const int spread = std::max({p[0], p[1], p[2]}) - std::min({p[0], p[1], p[2]});
          ++pixels;
          grey += spread <= 2, coloured += spread > 80;
          dark += spread <= 2 && p[0] < 70, light += spread <= 2 && p[0] > 200;
        }
      if (i == 0) { // the test card: light grey, a dark disc and letters, nothing coloured
        EXPECT_EQ(grey, pixels);
        EXPECT_GT(dark, pixels / 20);
        EXPECT_GT(light, pixels / 2);
      } else { // each orientation finds some of the disc's, ring's, bar's and letters' edges
        EXPECT_GT(coloured, shared ? pixels / 200 : pixels / 50);
        EXPECT_EQ(layout.panels[i].hasColorbar, !shared);
        if (!shared) {
          EXPECT_TRUE(redOverBlue(layout.panels[i].colorbar));
        }
      }
    }
    EXPECT_EQ(layout.hasColorbar, shared);
    if (shared) {
      EXPECT_TRUE(redOverBlue(layout.colorbar)) << "the shared colorbar";
    }
  }
}

// The performance case: a 512×512 image through an 8-filter bank (7×7 Gabor kernels), the
// engine's compute plus turning every map into RGBA pixels for upload. Printed for the report;
// the bound is loose (the machine may be shared by builds while tests run).
TEST(FeatureMapLab, ReluAndPoolingOnAReusedConvEqualComputingAgain) {
  // The lab reuses the conv output when only ReLU, pooling or the colour scale change: the maps
  // must be exactly those a full recompute gives.
  FeatureMapLabState plain;
  plain.bank = "edges";
  const Tensor input = workingImage(testCardImage(), false, 64);
  const FeatureMaps first = computeFeatureMaps(input, plain).value();
  FeatureMapLabState pooled = plain;
  pooled.relu = true, pooled.pool = "max", pooled.poolSize = 3, pooled.sharedScale = false;
  EXPECT_TRUE(sameConvolution(plain, pooled));
  FeatureMaps reused = first;
  ASSERT_TRUE(applyReluAndPooling(reused, pooled).ok());
  const FeatureMaps fresh = computeFeatureMaps(input, pooled).value();
  EXPECT_EQ(reused.shown().shape(), fresh.shown().shape());
  EXPECT_EQ(reused.shown().values(), fresh.shown().values());
  EXPECT_EQ(reused.minimum, fresh.minimum);
  EXPECT_EQ(reused.maximum, fresh.maximum);
  FeatureMaps back = reused; // and back to no ReLU, no pooling
  ASSERT_TRUE(applyReluAndPooling(back, plain).ok());
  EXPECT_EQ(back.shown().values(), first.shown().values());
  FeatureMapLabState strided = plain;
  strided.stride = 2;
  EXPECT_FALSE(sameConvolution(plain, strided));
}

TEST(FeatureMapLab, TilesAreReducedToAtMost256AndWhiteAtZero) {
  // 300×300 maps are shown reduced by 2 (150×150); a 0 activation is the diverging map's white
  // (#f7f7f7), the edge (the map's largest |value|) an end of the map: dark red #67001f or dark
  // blue #053061, whose red channels are far from white's.
  FeatureMapLabState state;
  state.bank = "edges";
  state.sharedScale = false;
  state.paddingMode = "replicate"; // no border responses: the edge holds each map's extreme
  Image8 flat{300, 300, 1, std::vector<std::uint8_t>(300 * 300, 128)};
  for (int y = 0; y < 300; ++y)
    for (int x = 150; x < 300; ++x) flat.pixels[size_t(y * 300 + x)] = 255; // one vertical edge
  const FeatureMaps maps = computeFeatureMaps(workingImage(flat, false, 300), state).value();
  const FeatureMapTiles tiles = featureMapTiles(maps, state);
  EXPECT_EQ(tiles.width, 150);
  EXPECT_EQ(tiles.height, 150);
  ASSERT_EQ(tiles.rgba.size(), 8u);
  const std::vector<std::uint8_t>& vertical = tiles.rgba[0];
  ASSERT_EQ(vertical.size(), 150u * 150u * 4u);
  const std::uint8_t* far = &vertical[(75 * 150 + 20) * 4]; // far from the edge: 0
  EXPECT_NEAR(far[0], 0xf7, 2);
  EXPECT_NEAR(far[1], 0xf7, 2);
  EXPECT_NEAR(far[2], 0xf7, 2);
  int strongest = 0; // the edge column holds the map's extreme: an end of the colour map
  for (int x = 70; x < 80; ++x)
    strongest = std::max(strongest, std::abs(int(vertical[(75 * 150 + x) * 4]) - 0xf7));
  EXPECT_GT(strongest, 0xf7 - 0x67 - 4);
}

TEST(FeatureMapLab, ItsWorkingImageIsSharedWithOtherLabs) {
  // Drawing the lab publishes its working image (grey, [H, W] in [0, 1]) in LabShared, with a new
  // version whenever the image changes.
  auto gl = gl::HeadlessContext::create();
  if (!gl) GTEST_SKIP() << "no EGL surfaceless GL here: " << gl.error().message();
  ImGuiContext* imgui = ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.DisplaySize = ImVec2(1200, 800);
  io.DeltaTime = 1.0f / 60;
  unsigned char* pixels;
  int w, h;
  io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
  MessageLog messages;
  const plot::PlotStyle style;
  LabShared shared;
  std::unique_ptr<Lab> lab = createFeatureMapLab();
  auto frame = [&] {
    ImGui::NewFrame();
    ImGui::Begin("lab");
    lab->draw(LabContext{messages, style, 1.0f, false, nullptr, &shared});
    ImGui::End();
    ImGui::Render();
  };
  ASSERT_TRUE(lab->loadState({{"image", "checkerboard"}, {"working_size", 64}}).ok());
  frame();
  ASSERT_EQ(shared.convolutionImage.shape(), (Shape{64, 64}));
  EXPECT_EQ(shared.convolutionImageName, "checkerboard");
  EXPECT_FLOAT_EQ(shared.convolutionImage(0, 0), 0.0f);  // top-left square black
  EXPECT_FLOAT_EQ(shared.convolutionImage(0, 10), 1.0f); // the next one white (8-pixel squares)
  const std::uint64_t version = shared.convolutionImageVersion;
  frame();
  EXPECT_EQ(shared.convolutionImageVersion, version); // unchanged: no new version
  ASSERT_TRUE(lab->loadState({{"image", "test_card"}, {"working_size", 32}, {"rgb", true}}).ok());
  frame();
  EXPECT_GT(shared.convolutionImageVersion, version);
  EXPECT_EQ(shared.convolutionImage.shape(), (Shape{32, 32})); // grey even when the lab is RGB
  EXPECT_EQ(shared.convolutionImageName, "test_card");
  ASSERT_TRUE(lab->loadState({{"stride", 2}}).ok()); // a change computed on the worker
  frame();
  lab->finishBackgroundWork(); // waits for it; the lab is then destroyed with no job running
  frame();
  lab.reset();
  ImGui::DestroyContext(imgui);
}

TEST(FeatureMapLab, FiveHundredTwelveSquaredWithEightFiltersIsInteractive) {
  FeatureMapLabState state;
  state.bank = "gabor";
  state.gaborCount = 8;
  state.padding = 3;
  state.workingSize = 512;
  const Tensor input = workingImage(checkerboardImage(), false, 512); // 256 -> stays 256: make 512
  Tensor big(Shape{1, 1, 512, 512});
  for (int y = 0; y < 512; ++y)
    for (int x = 0; x < 512; ++x) big(0, 0, y, x) = input(0, 0, y / 2, x / 2);
  double best = 1e9, bestPixels = 1e9;
  for (int run = 0; run < 5; ++run) {
    const auto t0 = std::chrono::steady_clock::now();
    Result<FeatureMaps> maps = computeFeatureMaps(big, state);
    ASSERT_TRUE(maps.ok());
    const auto t1 = std::chrono::steady_clock::now();
    const plot::FigureGrid grid = featureMapFigureGrid(*maps, state);
    for (int f = 0; f < 8; ++f) {
      plot::Heatmap h;
      h.rows = h.cols = 512;
      h.values.assign(maps->shown().data() + f * 512 * 512,
                      maps->shown().data() + (f + 1) * 512 * 512);
      h.colormap = plot::Colormap::Diverging;
      (void)plot::heatmapToRgba(h, true);
    }
    const auto t2 = std::chrono::steady_clock::now();
    best = std::min(best, std::chrono::duration<double, std::milli>(t1 - t0).count());
    bestPixels = std::min(bestPixels, std::chrono::duration<double, std::milli>(t2 - t1).count());
  }
  std::printf("512x512, 8 Gabor 7x7: engine %.1f ms, figure + RGBA of 8 maps %.1f ms\n", best,
              bestPixels);
  for (ConvAlgorithm algorithm : {ConvAlgorithm::Direct, ConvAlgorithm::Im2colGemm}) {
    ConvOptions options = featureMapConvOptions(state);
    options.algorithm = algorithm;
    const Tensor weight = featureBank(state, 1).weight;
    double fastest = 1e9;
    for (int run = 0; run < 5; ++run) {
      const auto t0 = std::chrono::steady_clock::now();
      ASSERT_TRUE(conv(big, weight, Tensor(), options).ok());
      fastest = std::min(
          fastest,
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::printf("  conv alone, %s: %.1f ms\n",
                algorithm == ConvAlgorithm::Direct ? "direct" : "im2col+GEMM", fastest);
  }
  RecordProperty("engine_ms", std::to_string(best));
  EXPECT_LT(best, 500.0);
}

} // namespace
} // namespace nnlab::app
