#include "labs/feature_map_lab.h"

#include <imgui.h>

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <Eigen/Core>
#include <omp.h>
#include <nlohmann/json.hpp>
#include <numbers>
#include <future>
#include <memory>
#include <optional>
#include <tuple>

#include "core/frame_profile.h"
#include "core/json_fields.h"
#include "core/messages.h"
#include "core/paths.h"
#include "gl/texture.h"
#include "nnlab/filters.h"
#include "nnlab/pool.h"
#include "plot/colormap.h"
#include "plot/export.h"
#include "plot/plot_widget.h"

namespace nnlab::app {

// ---------------------------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------------------------

const std::vector<std::string>& featureMapSampleNames() {
  static const std::vector<std::string> names = {"camera",  "brick",        "astronaut", "coffee",
                                                 "chelsea", "checkerboard", "test_card"};
  return names;
}

Image8 checkerboardImage() {
  constexpr int kSize = 256, kSquare = 32;
  Image8 image{kSize, kSize, 1, std::vector<std::uint8_t>(kSize * kSize)};
  for (int y = 0; y < kSize; ++y)
    for (int x = 0; x < kSize; ++x)
      image.pixels[static_cast<size_t>(y * kSize + x)] =
          ((x / kSquare + y / kSquare) % 2) ? 255 : 0;
  return image;
}

Image8 testCardImage() {
  constexpr int kSize = 256;
  Image8 image{kSize, kSize, 1, std::vector<std::uint8_t>(kSize * kSize, 220)};
  auto set = [&](int x, int y, std::uint8_t v) {
    if (x >= 0 && y >= 0 && x < kSize && y < kSize)
      image.pixels[static_cast<size_t>(y * kSize + x)] = v;
  };
  for (int y = 0; y < kSize; ++y)
    for (int x = 0; x < kSize; ++x) {
      const double discR = std::hypot(x - 70.0, y - 75.0);  // a dark disc
      const double ringR = std::hypot(x - 185.0, y - 75.0); // a ring
      if (discR < 45) set(x, y, 30);
      if (ringR < 45 && ringR > 30) set(x, y, 60);
      if (std::abs((x - 128) - (y - 128)) < 6 && y > 125 && y < 175 && x > 20) set(x, y, 90); // bar
    }
  // "NN LAB" in 5×7 block letters, 6-pixel cells: text edges in every direction.
  const char* glyphN[7] = {"10001", "11001", "10101", "10011", "10001", "10001", "10001"};
  const char* glyphL[7] = {"10000", "10000", "10000", "10000", "10000", "10000", "11111"};
  const char* glyphA[7] = {"01110", "10001", "10001", "11111", "10001", "10001", "10001"};
  const char* glyphB[7] = {"11110", "10001", "10001", "11110", "10001", "10001", "11110"};
  const char** text[6] = {glyphN, glyphN, nullptr, glyphL, glyphA, glyphB};
  constexpr int kCell = 6, kTop = 190, kLeft = 20;
  for (int letter = 0; letter < 6; ++letter) {
    if (!text[letter]) continue;
    for (int gy = 0; gy < 7; ++gy)
      for (int gx = 0; gx < 5; ++gx)
        if (text[letter][gy][gx] == '1')
          for (int py = 0; py < kCell; ++py)
            for (int px = 0; px < kCell; ++px)
              set(kLeft + letter * 6 * kCell + gx * kCell + px, kTop + gy * kCell + py, 0);
  }
  return image;
}

Result<Image8> loadFeatureMapImage(const std::string& image, const std::string& imagePath) {
  if (image == "checkerboard") return checkerboardImage();
  if (image == "test_card") return testCardImage();
  if (image == "file") {
    if (imagePath.empty())
      return Error{"image path", "empty (type the path of a PNG or JPEG file)"};
    return readImage(imagePath, 3);
  }
  const auto& names = featureMapSampleNames();
  if (std::find(names.begin(), names.end(), image) == names.end())
    return Error{"image", "unknown sample \"" + image + "\""};
  return readImage(assetPath("images/" + image + ".png").string(), 3);
}

Tensor workingImage(const Image8& image, bool rgb, int workingSize) {
  const int longest = std::max(image.width, image.height);
  const double scale = std::min(1.0, static_cast<double>(workingSize) / longest);
  const int width = std::max(1, static_cast<int>(std::lround(image.width * scale)));
  const int height = std::max(1, static_cast<int>(std::lround(image.height * scale)));
  const int channels = rgb ? 3 : 1;
  Tensor out(Shape{1, channels, height, width});
  float* data = out.data();
  for (int y = 0; y < height; ++y) {
    // Area average: every source pixel whose index maps into this target pixel.
    const int sy0 = y * image.height / height,
              sy1 = std::max(sy0 + 1, (y + 1) * image.height / height);
    for (int x = 0; x < width; ++x) {
      const int sx0 = x * image.width / width,
                sx1 = std::max(sx0 + 1, (x + 1) * image.width / width);
      double sum[3] = {0, 0, 0};
      for (int sy = sy0; sy < sy1; ++sy)
        for (int sx = sx0; sx < sx1; ++sx) {
          const std::uint8_t* p =
              &image.pixels[(static_cast<size_t>(sy) * image.width + sx) * image.channels];
          const double r = p[0], g = image.channels >= 3 ? p[1] : p[0],
                       b = image.channels >= 3 ? p[2] : p[0];
          if (rgb) {
            sum[0] += r, sum[1] += g, sum[2] += b;
          } else {
            sum[0] += 0.299 * r + 0.587 * g + 0.114 * b; // ITU-R BT.601 luma
          }
        }
      const double count = 255.0 * (sy1 - sy0) * (sx1 - sx0);
      for (int c = 0; c < channels; ++c)
        data[(static_cast<size_t>(c) * height + y) * width + x] =
            static_cast<float>(sum[c] / count);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Filters and maps
// ---------------------------------------------------------------------------------------------

namespace {

struct EdgeFilter {
  const char* name;
  const char* label;
};
constexpr EdgeFilter kEdgeBank[] = {{"vertical_edge", "vertical edge"},
                                    {"horizontal_edge", "horizontal edge"},
                                    {"sobel_x", "Sobel x"},
                                    {"sobel_y", "Sobel y"},
                                    {"diagonal_main", "diagonal (main)"},
                                    {"diagonal_anti", "diagonal (anti)"},
                                    {"laplacian8", "Laplacian (8)"},
                                    {"emboss", "emboss"}};

// Gabor kernels with their mean taken out: a cosine Gabor's weights do not sum to 0, so it would
// answer flat regions with the local brightness and drown the oriented texture it is for. With the
// DC removed, flat regions give 0 (white) and every map shows structure at its orientation only.
void removeMean(Tensor& kernel) {
  double sum = 0;
  for (float v : kernel.values()) sum += v;
  const float mean = static_cast<float>(sum / static_cast<double>(kernel.numel()));
  for (float& v : kernel.values()) v -= mean;
}

GaborParams gaborParams(double wavelength) {
  GaborParams p;
  p.size = 7;
  p.wavelength = static_cast<float>(wavelength);
  p.sigma = static_cast<float>(0.5 * wavelength);
  return p;
}

std::string formatValue(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", v);
  return text;
}

// Each [k, k] kernel repeated over the input channels: a filter is as deep as its input.
Tensor repeatOverChannels(const std::vector<Tensor>& kernels, Index channels) {
  const Index k = kernels.front().dim(0);
  Tensor weight(Shape{static_cast<Index>(kernels.size()), channels, k, k});
  for (size_t f = 0; f < kernels.size(); ++f)
    for (Index c = 0; c < channels; ++c)
      std::copy(kernels[f].data(), kernels[f].data() + k * k,
                weight.data() + (static_cast<Index>(f) * channels + c) * k * k);
  return weight;
}

PaddingMode paddingModeFromName(const std::string& name) {
  if (name == "reflect") return PaddingMode::Reflect;
  if (name == "replicate") return PaddingMode::Replicate;
  if (name == "circular") return PaddingMode::Circular;
  return PaddingMode::Zeros;
}

} // namespace

Result<Tensor> presetKernel(const std::string& name, double gaborWavelength) {
  if (name.rfind("gabor_", 0) == 0) {
    Result<Tensor> check = namedKernel(name); // the engine's name check
    if (!check) return check.error();
    GaborParams p = gaborParams(gaborWavelength);
    p.theta = static_cast<float>(std::stoi(name.substr(6)) * std::numbers::pi / 180.0);
    Tensor kernel = gaborKernel(p);
    removeMean(kernel);
    return kernel;
  }
  return namedKernel(name);
}

FeatureBank featureBank(const FeatureMapLabState& state, Index channels) {
  FeatureBank bank;
  std::vector<Tensor> kernels;
  if (state.bank == "edges") {
    for (const EdgeFilter& f : kEdgeBank) {
      kernels.push_back(namedKernel(f.name).value());
      bank.labels.push_back(f.label);
    }
  } else if (state.bank == "gabor") {
    const Tensor gabor = gaborBank(state.gaborCount, gaborParams(state.gaborWavelength));
    const Index k = gabor.dim(2);
    for (Index f = 0; f < gabor.dim(0); ++f) {
      Tensor kernel(Shape{k, k});
      std::copy(gabor.data() + f * k * k, gabor.data() + (f + 1) * k * k, kernel.data());
      removeMean(kernel);
      kernels.push_back(std::move(kernel));
      bank.labels.push_back(
          "Gabor θ = " + formatValue(180.0 * static_cast<double>(f) / state.gaborCount) + "°");
    }
  } else {
    const Index k = state.kernelSize;
    std::vector<float> values(state.kernel.begin(), state.kernel.end());
    values.resize(static_cast<size_t>(k * k), 0.0f);
    kernels.emplace_back(Shape{k, k}, std::move(values));
    std::string label = state.preset == "custom" ? std::string("custom kernel") : state.preset;
    std::replace(label.begin(), label.end(), '_', ' ');
    bank.labels.push_back(label);
  }
  bank.weight = repeatOverChannels(kernels, channels);
  return bank;
}

ConvOptions featureMapConvOptions(const FeatureMapLabState& state) {
  ConvOptions options;
  options.stride = {state.stride};
  options.dilation = {state.dilation};
  options.padding = {state.padding};
  options.paddingMode = paddingModeFromName(state.paddingMode);
  return options;
}

Result<FeatureMaps> computeFeatureMaps(const Tensor& input, const FeatureMapLabState& state) {
  FeatureMaps maps;
  maps.input = input;
  const Index channels = input.dim(1);
  FeatureBank bank = featureBank(state, channels);
  maps.weight = std::move(bank.weight);
  maps.labels = std::move(bank.labels);
  const ConvOptions options = featureMapConvOptions(state);
  Result<Tensor> output = conv(input, maps.weight, Tensor(), options);
  if (!output) return output.error();
  maps.convOutput = std::move(output).value();
  if (Status after = applyReluAndPooling(maps, state); !after) return after.error();
  return maps;
}

bool sameConvolution(const FeatureMapLabState& a, const FeatureMapLabState& b) {
  FeatureMapLabState a2 = a, b2 = b;
  for (FeatureMapLabState* s : {&a2, &b2})
    s->relu = false, s->pool = "none", s->poolSize = 2, s->sharedScale = true, s->probe = {};
  return a2 == b2;
}

Status applyReluAndPooling(FeatureMaps& maps, const FeatureMapLabState& state) {
  maps.afterConv = Tensor();
  maps.minimum.clear();
  maps.maximum.clear();
  if (state.relu) {
    maps.afterConv = maps.convOutput;
    for (float& v : maps.afterConv.values()) v = std::max(v, 0.0f); // ReLU: max(0, x)
  }
  if (state.pool != "none") {
    PoolOptions pooling;
    pooling.kind = state.pool == "max" ? PoolKind::Max : PoolKind::Average;
    pooling.kernel = {state.poolSize};
    Result<Tensor> pooled = pool(maps.shown(), pooling);
    if (!pooled) return Error{"pooling", pooled.error().message()};
    maps.afterConv = std::move(pooled).value();
  }
  const Tensor& shown = maps.shown();
  const Index filters = shown.dim(1), plane = shown.dim(2) * shown.dim(3);
  for (Index f = 0; f < filters; ++f) {
    const float* first = shown.data() + f * plane;
    // Eigen's reductions are vectorized; std::minmax_element compares one element at a time and
    // took as long as the 8 × 7×7 convolution at 512².
    const Eigen::Map<const Eigen::ArrayXf> values(first, plane);
    maps.minimum.push_back(values.minCoeff());
    maps.maximum.push_back(values.maxCoeff());
  }
  return Status::success();
}

FeatureMapTiles featureMapTiles(const FeatureMaps& maps, const FeatureMapLabState& state) {
  const Tensor& shown = maps.shown();
  const int count = static_cast<int>(shown.dim(1)), h = static_cast<int>(shown.dim(2)),
            w = static_cast<int>(shown.dim(3));
  double shared = 1e-12;
  for (size_t f = 0; f < maps.minimum.size(); ++f)
    shared =
        std::max({shared, std::abs(double(maps.minimum[f])), std::abs(double(maps.maximum[f]))});
  // Tiles are a few hundred pixels wide at most: maps larger than 256 are shown reduced by an
  // integer factor, each block by its value of largest magnitude (so a 1-pixel edge stays as
  // strong as it is, unlike an average). Numbers, hover and exports use the full maps.
  const int factor = std::max(1, (std::max(h, w) + 255) / 256);
  FeatureMapTiles tiles;
  tiles.width = (w + factor - 1) / factor, tiles.height = (h + factor - 1) / factor;
  tiles.rgba.resize(static_cast<size_t>(count));
  // Serial on purpose: 8 maps of 512² take ~1 ms on one core, and OpenMP threads that wait at a
  // barrier while llvmpipe's threads hold both cores cost more than they save (measured: 8 ms).
  for (int f = 0; f < count; ++f) {
    plot::Heatmap heatmap;
    heatmap.rows = tiles.height, heatmap.cols = tiles.width;
    heatmap.colormap = plot::Colormap::Diverging;
    const float* map = shown.data() + static_cast<Index>(f) * h * w;
    heatmap.values.assign(static_cast<size_t>(tiles.height) * tiles.width, 0.0f);
    // Keep the value of larger magnitude (the earlier one on a tie): a select, not a branch, so
    // the loops vectorize.
    auto larger = [](float kept, float v) { return std::abs(v) > std::abs(kept) ? v : kept; };
    for (int y = 0; y < h; ++y) {
      float* __restrict cells =
          heatmap.values.data() + static_cast<size_t>(y / factor) * tiles.width;
      const float* __restrict row = map + static_cast<size_t>(y) * w;
      if (factor == 1) {
        for (int x = 0; x < w; ++x) cells[x] = larger(cells[x], row[x]);
      } else if (factor == 2 && w % 2 == 0) {
        for (int bx = 0; bx < tiles.width; ++bx)
          cells[bx] = larger(larger(cells[bx], row[2 * bx]), row[2 * bx + 1]);
      } else {
        for (int bx = 0; bx < tiles.width; ++bx) {
          float kept = cells[bx];
          for (int x = bx * factor, end = std::min(w, x + factor); x < end; ++x)
            kept = larger(kept, row[x]);
          cells[bx] = kept;
        }
      }
    }
    const double own = std::max({1e-12, std::abs(double(maps.minimum[size_t(f)])),
                                 std::abs(double(maps.maximum[size_t(f)]))});
    const double m = state.sharedScale ? shared : own;
    heatmap.vmin = -m, heatmap.vmax = m;
    tiles.rgba[size_t(f)] = plot::heatmapToRgba(heatmap, true);
  }
  return tiles;
}

Status addPaddedInput(FeatureMaps& maps, const FeatureMapLabState& state) {
  // A 1×1 kernel of 1 per channel with the lab's padding reproduces x_pad exactly, so the
  // explained patch is what the engine's conv read. (The engine's Auto choice takes its direct
  // loop for this depthwise 1×1 case: 0.1 ms at 512², bench/feature_map_bench.cpp.)
  const Index channels = maps.input.dim(1);
  ConvOptions padOnly;
  padOnly.padding = {state.padding};
  padOnly.paddingMode = paddingModeFromName(state.paddingMode);
  padOnly.groups = channels;
  Result<Tensor> padded =
      conv(maps.input, Tensor(Shape{channels, 1, 1, 1}, 1.0f), Tensor(), padOnly);
  if (!padded) return padded.error();
  maps.paddedInput = std::move(padded).value();
  return Status::success();
}

Result<UnitExplanation> explainUnit(const FeatureMaps& maps, const FeatureMapLabState& state,
                                    int filter, int row, int col) {
  assert(!maps.paddedInput.empty() && "explainUnit: call addPaddedInput first");
  const Shape& out = maps.convOutput.shape();
  if (filter < 0 || filter >= out[1]) return Error{"filter", "no filter " + std::to_string(filter)};
  if (row < 0 || row >= out[2] || col < 0 || col >= out[3])
    return Error{"unit", "(" + std::to_string(row) + ", " + std::to_string(col) +
                             ") is outside the " + std::to_string(out[2]) + "×" +
                             std::to_string(out[3]) + " output"};
  UnitExplanation e;
  e.filter = filter, e.row = row, e.col = col;
  e.channels = static_cast<int>(maps.weight.dim(1));
  e.kernelSize = static_cast<int>(maps.weight.dim(2));
  e.dilation = state.dilation;
  e.inputRow = row * state.stride - state.padding;
  e.inputCol = col * state.stride - state.padding;
  const int k = e.kernelSize;
  // y[f, o] = Σ_c Σ_i Σ_j w[f, c, i, j] · x_pad[c, o_r·s + i·d, o_c·s + j·d]   (conv.h)
  for (int c = 0; c < e.channels; ++c)
    for (int i = 0; i < k; ++i)
      for (int j = 0; j < k; ++j) {
        const float x = maps.paddedInput(0, c, row * state.stride + i * state.dilation,
                                         col * state.stride + j * state.dilation);
        const float w = maps.weight(filter, c, i, j);
        e.patch.push_back(x);
        e.kernel.push_back(w);
        e.dotProduct += static_cast<double>(w) * x;
      }
  e.engineOutput = maps.convOutput(0, filter, row, col);
  return e;
}

namespace {

// The largest |value| of map f, or of every map (f < 0); never 0, so a scale ±m is valid.
double maxAbs(const FeatureMaps& maps, int f) {
  double m = 1e-12;
  for (size_t i = 0; i < maps.minimum.size(); ++i)
    if (f < 0 || size_t(f) == i)
      m = std::max({m, std::abs(double(maps.minimum[i])), std::abs(double(maps.maximum[i]))});
  return m;
}

// A map's name in a panel of its bank: the Gabor bank's maps say only their angle ("θ = 45°");
// the grid's title names the bank.
std::string panelName(const std::string& label) {
  const std::string gabor = "Gabor ";
  return label.rfind(gabor, 0) == 0 ? label.substr(gabor.size()) : label;
}

// What comes out of the layer: "conv", "ReLU(conv)", "max-pool 2×2 of ReLU(conv)".
std::string stageName(const FeatureMapLabState& state) {
  std::string stage = state.relu ? "ReLU(conv)" : "conv";
  if (state.pool != "none")
    stage = state.pool + "-pool " + std::to_string(state.poolSize) + "×" +
            std::to_string(state.poolSize) + " of " + stage;
  return stage;
}

// An image panel's axes: pixel columns to the right, rows downwards, one unit as long on both.
void pixelAxes(plot::Figure& figure, const char* x, const char* y) {
  figure.xAxis.label = x;
  figure.yAxis.label = y;
  figure.xAxis.gridLines = figure.yAxis.gridLines = false;
  figure.yAxis.invert = true;
  figure.equalAspect = true;
  figure.legend = plot::LegendCorner::None;
}

// Map f as a heatmap over its pixels, diverging (white 0) on the symmetric scale ±scaleMax.
plot::Heatmap mapHeatmap(const FeatureMaps& maps, int f, double scaleMax) {
  const Tensor& shown = maps.shown();
  const int h = static_cast<int>(shown.dim(2)), w = static_cast<int>(shown.dim(3));
  plot::Heatmap heatmap;
  heatmap.rows = h, heatmap.cols = w;
  heatmap.values.assign(shown.data() + static_cast<Index>(f) * h * w,
                        shown.data() + static_cast<Index>(f + 1) * h * w);
  heatmap.x0 = 0, heatmap.x1 = w, heatmap.y0 = 0, heatmap.y1 = h;
  heatmap.colormap = plot::Colormap::Diverging;
  heatmap.vmin = -scaleMax, heatmap.vmax = scaleMax;
  return heatmap;
}

} // namespace

plot::Figure featureMapFigure(const FeatureMaps& maps, const FeatureMapLabState& state, int f) {
  plot::Figure figure;
  figure.title = maps.labels[size_t(f)] + "   [min " + formatValue(maps.minimum[size_t(f)]) +
                 ", max " + formatValue(maps.maximum[size_t(f)]) + "]";
  figure.heatmap = mapHeatmap(maps, f, maxAbs(maps, state.sharedScale ? -1 : f));
  figure.heatmap->colorbarLabel = state.relu ? "activation after ReLU" : "activation";
  pixelAxes(figure, "x (output pixels)", "y (output pixels)");
  return figure;
}

plot::FigureGrid featureMapFigureGrid(const FeatureMaps& maps, const FeatureMapLabState& state) {
  const int count = static_cast<int>(maps.shown().dim(1));
  plot::FigureGrid grid;
  // The title names the bank and the layer; panels then need only the map's own name.
  std::string bank = maps.labels.size() == 1 ? maps.labels.front() : "filter bank";
  if (state.bank == "gabor")
    bank = std::to_string(count) + " Gabor filters (λ = " + formatValue(state.gaborWavelength) +
           " px)";
  else if (state.bank == "edges")
    bank = std::to_string(count) + " edge filters";
  grid.title = bank + ": " + stageName(state) + ", stride " + std::to_string(state.stride) +
               ", padding " + std::to_string(state.padding) + " (" + state.paddingMode +
               "), dilation " + std::to_string(state.dilation);

  // The input as a picture (grey or RGB): pictures take no part in the shared colour scale. Its
  // values, for CSV, are the grey levels in [0, 1] (the luma when RGB, ITU-R 601).
  const Tensor& input = maps.input;
  const int channels = static_cast<int>(input.dim(1)), ih = static_cast<int>(input.dim(2)),
            iw = static_cast<int>(input.dim(3));
  plot::Figure inputPanel;
  const std::string imageName = state.image == "file"
                                    ? std::filesystem::path(state.imagePath).filename().string()
                                    : state.image;
  inputPanel.title = "input: " + imageName + " " + std::to_string(iw) + "×" + std::to_string(ih);
  plot::Heatmap picture;
  picture.rows = ih, picture.cols = iw;
  picture.x0 = 0, picture.x1 = iw, picture.y0 = 0, picture.y1 = ih;
  picture.colormap = plot::Colormap::Gray;
  picture.colorbar = false;
  picture.colorbarLabel = channels == 3 ? "input luma" : "input grey level";
  picture.rgba.assign(static_cast<size_t>(iw) * ih * 4, 255);
  picture.values.resize(static_cast<size_t>(iw) * ih);
  for (int y = 0; y < ih; ++y)
    for (int x = 0; x < iw; ++x) {
      const size_t at = static_cast<size_t>(y) * iw + x;
      float rgb[3];
      for (int c = 0; c < 3; ++c) rgb[c] = input(0, std::min(c, channels - 1), y, x);
      for (int c = 0; c < 3; ++c)
        picture.rgba[at * 4 + size_t(c)] =
            static_cast<std::uint8_t>(std::lround(255 * std::clamp(rgb[c], 0.0f, 1.0f)));
      picture.values[at] =
          channels == 3 ? 0.299f * rgb[0] + 0.587f * rgb[1] + 0.114f * rgb[2] : rgb[0];
    }
  inputPanel.heatmap = std::move(picture);
  pixelAxes(inputPanel, "x (px)", "y (px)");
  grid.panels.push_back(std::move(inputPanel));

  // One panel per map. Shared: every map on ±(the bank's max |value|) and one colorbar right of
  // the grid; per map: each on its own ±max |value| with its own colorbar, as the lab shows them.
  grid.sharedColorScale = state.sharedScale;
  grid.colorbarLabel = state.relu ? "activation after ReLU" : "activation";
  for (int f = 0; f < count; ++f) {
    plot::Figure panel;
    panel.title = panelName(maps.labels[size_t(f)]);
    panel.heatmap = mapHeatmap(maps, f, maxAbs(maps, state.sharedScale ? -1 : f));
    panel.heatmap->colorbar = !state.sharedScale;
    panel.heatmap->colorbarLabel = "activation";
    pixelAxes(panel, "x (px)", "y (px)");
    grid.panels.push_back(std::move(panel));
  }

  // Square-ish: 3 panels in a row, 4 as 2×2, up to 9 as 3 columns. The page gives each image
  // about 1.75 in on its longer side, plus what a panel needs around it (title, ticks, axis labels:
  // ~65 pt across, ~80 pt down; its own colorbar: ~66 pt), the shared colorbar and the title.
  const int panels = count + 1;
  grid.cols = panels <= 3 ? panels : static_cast<int>(std::ceil(std::sqrt(double(panels))));
  const int rows = (panels + grid.cols - 1) / grid.cols;
  const double aspect = std::clamp(double(ih) / iw, 0.25, 4.0); // height / width
  constexpr double kImageSide = 126;
  const double imageWidth = aspect <= 1 ? kImageSide : kImageSide / aspect,
               imageHeight = aspect <= 1 ? kImageSide * aspect : kImageSide;
  const double panelWidth = imageWidth + 65 + (state.sharedScale ? 0 : 66),
               panelHeight = imageHeight + 80;
  grid.minPageWidthPt = float(grid.cols * panelWidth + (state.sharedScale ? 80 : 0));
  grid.minPageHeightPt = float(rows * panelHeight + 32);
  return grid;
}

// ---------------------------------------------------------------------------------------------
// The lab
// ---------------------------------------------------------------------------------------------

namespace {

const std::vector<std::string> kBanks = {"kernel", "edges", "gabor"};
const std::vector<std::string> kPaddingModes = {"zeros", "reflect", "replicate", "circular"};
const std::vector<std::string> kPools = {"none", "max", "average"};

// Everything the maps depend on (the probe is only what is explained).
FeatureMapLabState computationKey(FeatureMapLabState state) {
  state.probe = {0, 0, 0};
  return state;
}

class FeatureMapLab final : public Lab {
public:
  FeatureMapLab() {
    Result<Image8> image = loadFeatureMapImage(state_.image, state_.imagePath);
    if (image) {
      source_ = std::move(image).value();
    } else { // assets missing: keep the lab usable on a drawn image
      imageError_ = image.error().message();
      state_.image = "checkerboard";
      source_ = checkerboardImage();
    }
  }

  void draw(const LabContext& context) override {
    const float em = ImGui::GetFontSize();
    ImGui::BeginChild("controls",
                      ImVec2(std::min(19 * em, 0.33f * ImGui::GetContentRegionAvail().x), 0));
    drawControls(context);
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("figures");
    recomputeIfNeeded(context.shared);
    if (!computeError_.empty()) {
      ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.75f, 0.1f, 0.1f, 1));
      ImGui::TextWrapped("Cannot compute the feature maps: %s", computeError_.c_str());
      ImGui::PopStyleColor();
    }
    if (maps_) {
      const ImVec2 available = ImGui::GetContentRegionAvail();
      // The strip is sized for its pictures; it grows (up to 45 %) to what its text needed last
      // frame, so a projector's large text does not scroll. The pictures keep their size, so the
      // text and the height it needs settle in one frame.
      const float baseHeight =
          std::max(7 * ImGui::GetTextLineHeightWithSpacing(), 0.3f * available.y);
      const float stripHeight =
          std::clamp(stripContentHeight_, baseHeight, std::max(baseHeight, 0.45f * available.y));
      ImGui::BeginChild("strip", ImVec2(0, stripHeight));
      drawInputAndExplanation(baseHeight);
      stripContentHeight_ = ImGui::GetCursorPosY();
      ImGui::EndChild();
      const auto start = std::chrono::steady_clock::now();
      drawMapGrid(context);
      figureMilliseconds_ =
          std::chrono::duration<float, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
    }
    ImGui::EndChild();
  }

  nlohmann::json saveState() const override {
    return {{"image", state_.image},
            {"image_path", state_.imagePath},
            {"rgb", state_.rgb},
            {"working_size", state_.workingSize},
            {"bank", state_.bank},
            {"kernel_size", state_.kernelSize},
            {"kernel", state_.kernel},
            {"preset", state_.preset},
            {"gabor_count", state_.gaborCount},
            {"gabor_wavelength", state_.gaborWavelength},
            {"stride", state_.stride},
            {"padding", state_.padding},
            {"padding_mode", state_.paddingMode},
            {"dilation", state_.dilation},
            {"relu", state_.relu},
            {"pool", state_.pool},
            {"pool_size", state_.poolSize},
            {"shared_scale", state_.sharedScale},
            {"probe", state_.probe}};
  }

  Status loadState(const nlohmann::json& json) override {
    FeatureMapLabState next = state_;
    JsonReader reader(json, "state");
    std::vector<std::string> images = featureMapSampleNames();
    images.push_back("file");
    std::vector<std::string> presets = kernelNames();
    presets.push_back("custom");
    reader.choice("image", next.image, images)
        .string("image_path", next.imagePath)
        .boolean("rgb", next.rgb)
        .integer("working_size", next.workingSize, 16, 512)
        .choice("bank", next.bank, kBanks)
        .integer("kernel_size", next.kernelSize, 3, 7)
        .choice("preset", next.preset, presets)
        .integer("gabor_count", next.gaborCount, 2, 8)
        .number("gabor_wavelength", next.gaborWavelength, 2.0, 12.0)
        .integer("stride", next.stride, 1, 4)
        .integer("padding", next.padding, 0, 3)
        .choice("padding_mode", next.paddingMode, kPaddingModes)
        .integer("dilation", next.dilation, 1, 3)
        .boolean("relu", next.relu)
        .choice("pool", next.pool, kPools)
        .integer("pool_size", next.poolSize, 2, 4)
        .boolean("shared_scale", next.sharedScale);
    if (reader.ok() && json.contains("kernel")) {
      const size_t cells = static_cast<size_t>(next.kernelSize * next.kernelSize);
      reader.numbers("kernel", next.kernel, cells, cells);
      if (reader.ok())
        for (double v : next.kernel)
          if (!(std::abs(v) <= 100)) reader.fail("kernel", "weights must lie in [-100, 100]");
    } else if (reader.ok() &&
               next.kernel.size() != static_cast<size_t>(next.kernelSize * next.kernelSize)) {
      reader.fail("kernel", "expected " + std::to_string(next.kernelSize * next.kernelSize) +
                                " numbers for a " + std::to_string(next.kernelSize) + "×" +
                                std::to_string(next.kernelSize) + " kernel");
    }
    if (reader.ok() && json.contains("probe")) {
      std::vector<double> probe;
      reader.numbers("probe", probe, 3, 3);
      if (reader.ok()) {
        for (double v : probe)
          if (v < 0 || v > 4096 || v != std::floor(v))
            reader.fail("probe", "expected [filter, row, col], whole numbers ≥ 0");
        if (reader.ok()) next.probe = {int(probe[0]), int(probe[1]), int(probe[2])};
      }
    }
    if (!reader.ok()) return reader.status();
    Image8 image;
    const bool newImage = next.image != state_.image || next.imagePath != state_.imagePath;
    if (newImage) {
      Result<Image8> loaded = loadFeatureMapImage(next.image, next.imagePath);
      if (!loaded) {
        const Error& e = loaded.error();
        return Error{next.image == "file" ? "state.image_path" : "state.image", e.message()};
      }
      image = std::move(loaded).value();
    }
    state_ = next;
    if (newImage) setSource(std::move(image));
    return Status::success();
  }

  // One kernel: its map. A bank: the map of the probed filter (the grid is exportFigureGrid).
  plot::Figure exportFigure() const override {
    Result<FeatureMaps> maps =
        computeFeatureMaps(workingImage(source_, state_.rgb, state_.workingSize), state_);
    if (!maps) return cannotCompute(maps.error());
    const int count = static_cast<int>(maps->shown().dim(1));
    return featureMapFigure(*maps, state_, std::clamp(state_.probe[0], 0, count - 1));
  }

  // A bank (edges, Gabor): the input and one panel per map. One kernel: none (exportFigure()).
  std::optional<plot::FigureGrid> exportFigureGrid() const override {
    if (state_.bank == "kernel") return std::nullopt;
    Result<FeatureMaps> maps =
        computeFeatureMaps(workingImage(source_, state_.rgb, state_.workingSize), state_);
    if (!maps) {
      plot::FigureGrid grid;
      grid.panels.push_back(cannotCompute(maps.error()));
      return grid;
    }
    return featureMapFigureGrid(*maps, state_);
  }

  void finishBackgroundWork() override {
    if (job_.valid()) takeJob(job_.get());
    finishNow_ = true; // from now on compute on the spot: the next frame shows the state's maps
  }

  bool acceptDroppedFile(const std::string& path, MessageLog& messages) override {
    if (openFile(path))
      messages.info("opened image " + path);
    else
      messages.error(imageError_);
    return true;
  }

private:
  static plot::Figure cannotCompute(const Error& error) {
    plot::Figure figure;
    figure.title = "Cannot compute the feature maps: " + error.message();
    return figure;
  }

  void setSource(Image8 image) {
    source_ = std::move(image);
    ++sourceVersion_;
    imageError_.clear();
  }

  // Reads a user's file; on failure keeps the previous image and says why.
  bool openFile(const std::string& path) {
    Result<Image8> loaded = loadFeatureMapImage("file", path);
    if (!loaded) {
      imageError_ = loaded.error().message();
      return false;
    }
    state_.image = "file";
    state_.imagePath = path;
    setSource(std::move(loaded).value());
    return true;
  }

  void selectSample(const std::string& name) {
    Result<Image8> loaded = loadFeatureMapImage(name, "");
    if (!loaded) {
      imageError_ = loaded.error().message();
      return;
    }
    state_.image = name;
    setSource(std::move(loaded).value());
  }

  // ---- computing: on a worker thread ----
  //
  // STYLE: long work goes to a worker. A slider that moves starts a job (conv, ReLU, pooling, the
  // padded input for the hover panel, and the colour-mapped tiles); frames go on drawing the last
  // maps, and the new ones replace them in the first frame after the job ends. Moves made while a
  // job runs are coalesced: when it ends, one job runs for the latest state. A ReLU, pooling or
  // colour-scale change reuses the last convolution output. The first maps of the lab are
  // computed on the spot, so it never opens empty and a screenshot of a scene is deterministic.

  using WorkingKey = std::tuple<int, bool, int>; // source version, rgb, working size

  struct MapsJob {
    FeatureMapLabState key; // computationKey() of the state computed
    int sourceVersion = 0;
    WorkingKey workingFor{-1, false, 0};     // the working image the maps were computed on
    std::shared_ptr<const FeatureMaps> maps; // null when the geometry was refused
    FeatureMapTiles tiles;
    std::string error;
    float milliseconds = 0;
  };

  static MapsJob runMapsJob(std::shared_ptr<const Tensor> working, WorkingKey workingFor,
                            FeatureMapLabState key, int sourceVersion,
                            std::shared_ptr<const FeatureMaps> previous) {
    const auto start = std::chrono::steady_clock::now();
    MapsJob job;
    job.key = key, job.sourceVersion = sourceVersion, job.workingFor = workingFor;
    Result<FeatureMaps> maps = Error{"maps", "not computed"};
    if (previous) { // same convolution: only ReLU, pooling and the scales changed
      FeatureMaps reused = *previous;
      if (Status s = applyReluAndPooling(reused, key); s)
        maps = std::move(reused);
      else
        maps = s.error();
    } else {
      maps = computeFeatureMaps(*working, key);
    }
    if (maps && maps->paddedInput.empty()) (void)addPaddedInput(maps.value(), key);
    if (!maps) {
      job.error = maps.error().message();
    } else {
      job.tiles = featureMapTiles(*maps, key);
      job.maps = std::make_shared<const FeatureMaps>(std::move(maps).value());
    }
    job.milliseconds =
        std::chrono::duration<float, std::milli>(std::chrono::steady_clock::now() - start).count();
    return job;
  }

  // The working image at the state's size, and what other labs see of it (LabShared).
  void updateWorkingImage(LabShared* shared) {
    const auto wanted = std::make_tuple(sourceVersion_, state_.rgb, state_.workingSize);
    if (working_ && workingFor_ == wanted) return;
    working_ =
        std::make_shared<const Tensor>(workingImage(source_, state_.rgb, state_.workingSize));
    workingFor_ = wanted;
    if (!shared) return;
    // [H, W] grey in [0, 1]: the grey working image itself, or the luma of the RGB one.
    const Tensor grey = state_.rgb ? workingImage(source_, false, state_.workingSize) : *working_;
    shared->convolutionImage = grey.reshaped(Shape{grey.dim(2), grey.dim(3)});
    shared->convolutionImageName =
        state_.image == "file" ? std::filesystem::path(state_.imagePath).filename().string()
        : state_.image == "checkerboard" || state_.image == "test_card" ? state_.image
                                                                        : state_.image + ".png";
    ++shared->convolutionImageVersion;
  }

  void recomputeIfNeeded(LabShared* shared) {
    ProfileScope profile(ProfileStage::Compute);
    updateWorkingImage(shared);
    // The frame after a slider move waits (once, at most kJobWait) for the job it started, so
    // the new maps land on that frame rather than on a later one when the rasterizer held the
    // cores; a slow job (a huge image) is never waited for again and the window keeps drawing.
    constexpr auto kJobWait = std::chrono::milliseconds(8);
    if (job_.valid() && job_.wait_for(jobWaited_ ? std::chrono::milliseconds(0) : kJobWait) ==
                            std::future_status::ready)
      takeJob(job_.get());
    jobWaited_ = true;
    const FeatureMapLabState key = computationKey(state_);
    const bool current = key == computedFor_ && sourceVersion_ == computedVersion_;
    const bool pending = job_.valid() && key == jobFor_ && sourceVersion_ == jobVersion_;
    if (current || pending || job_.valid()) return; // a running job for an older state: wait for it
    std::shared_ptr<const FeatureMaps> previous =
        maps_ && mapsVersion_ == sourceVersion_ && sameConvolution(mapsFor_, key) ? maps_ : nullptr;
    jobFor_ = key, jobVersion_ = sourceVersion_;
    if ((!maps_ && computeError_.empty()) ||
        finishNow_) { // the lab's first maps, or a screenshot's
      takeJob(runMapsJob(working_, workingFor_, key, sourceVersion_, previous));
      return;
    }
    job_ = std::async(std::launch::async, [working = working_, workingFor = workingFor_, key,
                                           version = sourceVersion_, previous]() {
      // One OpenMP thread on this (fresh, short-lived) thread: the window's software rasterizer
      // needs the other core meanwhile, and threads waiting at a barrier behind it cost more
      // than they save (the first maps, computed on the GUI thread, use all cores).
      omp_set_num_threads(1);
      return runMapsJob(working, workingFor, key, version, previous);
    });
    jobWaited_ = false;
  }

  void takeJob(MapsJob job) {
    computedFor_ = job.key;
    computedVersion_ = job.sourceVersion;
    computeMilliseconds_ = job.milliseconds;
    if (!job.maps) { // bad geometry: say so, keep drawing the last good maps
      computeError_ = job.error;
      return;
    }
    computeError_.clear();
    if (job.workingFor != mapsWorkingFor_) inputUploaded_ = false; // a new input image
    mapsWorkingFor_ = job.workingFor;
    mapsFor_ = job.key, mapsVersion_ = job.sourceVersion;
    maps_ = std::move(job.maps);
    tiles_ = std::move(job.tiles);
    mapTexturesStale_ = true;
    ++mapsRevision_;
    singleFigure_ =
        maps_->shown().dim(1) == 1 ? std::optional<plot::Figure>(mapFigure(0)) : std::nullopt;
  }

  // One map as a figure of its own: the single-kernel view and the export of one tile.
  plot::Figure mapFigure(int f) const {
    plot::Figure figure = featureMapFigure(*maps_, state_, f);
    figure.heatmap->revision = mapsRevision_; // the GPU canvas need not hash 512² values per frame
    return figure;
  }

  // The worker's tiles to the GPU, once per new set of maps.
  void uploadMapTextures() {
    if (!mapTexturesStale_) return;
    ProfileScope profile(ProfileStage::Upload);
    mapTextures_.resize(tiles_.rgba.size());
    for (size_t f = 0; f < tiles_.rgba.size(); ++f)
      mapTextures_[f].upload(tiles_.width, tiles_.height, tiles_.rgba[f].data(),
                             gl::TextureFilter::Nearest);
    mapTexturesStale_ = false;
  }

  // The unit of the conv output behind a shown pixel: itself, or through the pooling window
  // (max pooling: the window's largest unit, the one whose value went through).
  std::array<int, 3> convUnitForShown(int filter, int row, int col) const {
    if (state_.pool == "none") return {filter, row, col};
    const int ps = state_.poolSize;
    const Tensor& conv = maps_->convOutput;
    int bestRow = row * ps, bestCol = col * ps;
    if (state_.pool == "max") {
      float best = -INFINITY;
      for (int r = row * ps; r < std::min<int>(row * ps + ps, int(conv.dim(2))); ++r)
        for (int c = col * ps; c < std::min<int>(col * ps + ps, int(conv.dim(3))); ++c)
          if (conv(0, filter, r, c) > best) best = conv(0, filter, r, c), bestRow = r, bestCol = c;
    }
    return {filter, bestRow, bestCol};
  }

  // ---- drawing -------------------------------------------------------------------------------

  bool comboOf(const char* label, std::string& value, const std::vector<std::string>& ids,
               const std::vector<std::string>& names) {
    bool changed = false;
    const auto at = std::find(ids.begin(), ids.end(), value);
    const std::string shown =
        at == ids.end() ? value : names[static_cast<size_t>(at - ids.begin())];
    ImGui::SetNextItemWidth(-1);
    if (ImGui::BeginCombo(label, shown.c_str())) {
      for (size_t i = 0; i < ids.size(); ++i)
        if (ImGui::Selectable(names[i].c_str(), ids[i] == value)) value = ids[i], changed = true;
      ImGui::EndCombo();
    }
    return changed;
  }

  void drawControls(const LabContext& context) {
    (void)context;
    ImGui::TextDisabled("INPUT IMAGE");
    std::vector<std::string> ids = featureMapSampleNames(), names = ids;
    names[5] = "checkerboard (drawn)", names[6] = "test card (drawn)";
    if (state_.image == "file")
      ids.push_back("file"),
          names.push_back(std::filesystem::path(state_.imagePath).filename().string());
    std::string chosen = state_.image;
    if (comboOf("##image", chosen, ids, names) && chosen != "file") selectSample(chosen);
    if (pathInput_.empty() && state_.image == "file") pathInput_ = state_.imagePath;
    char buffer[1024];
    std::snprintf(buffer, sizeof buffer, "%s", pathInput_.c_str());
    ImGui::SetNextItemWidth(-4.5f * ImGui::GetFontSize());
    const bool entered =
        ImGui::InputTextWithHint("##path", "PNG / JPEG path, or drop a file", buffer, sizeof buffer,
                                 ImGuiInputTextFlags_EnterReturnsTrue);
    pathInput_ = buffer;
    ImGui::SameLine();
    if ((ImGui::Button("Open") || entered) && !pathInput_.empty()) (void)openFile(pathInput_);
    if (!imageError_.empty()) {
      ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.75f, 0.1f, 0.1f, 1));
      ImGui::PushTextWrapPos(0);
      ImGui::TextUnformatted(imageError_.c_str());
      ImGui::PopTextWrapPos();
      ImGui::PopStyleColor();
    }
    ImGui::Checkbox("RGB (3 channels)", &state_.rgb);
    ImGui::SetNextItemWidth(-1);
    ImGui::SliderInt("##working", &state_.workingSize, 16, 512, "working size %d px");

    ImGui::Spacing();
    ImGui::TextDisabled("FILTERS");
    comboOf("##bank", state_.bank, kBanks,
            {"one kernel (editable)", "edge bank (8 filters)", "Gabor bank"});
    if (state_.bank == "kernel") drawKernelEditor();
    if (state_.bank == "gabor") {
      ImGui::SetNextItemWidth(-1);
      ImGui::SliderInt("##gaborCount", &state_.gaborCount, 2, 8, "%d orientations");
      ImGui::SetNextItemWidth(-1);
      ImGui::SliderScalar("##lambda", ImGuiDataType_Double, &state_.gaborWavelength,
                          &kWavelengthMin, &kWavelengthMax, "wavelength λ = %.1f px");
    }

    ImGui::Spacing();
    ImGui::TextDisabled("CONVOLUTION");
    ImGui::SetNextItemWidth(-1);
    ImGui::SliderInt("##stride", &state_.stride, 1, 4, "stride %d");
    ImGui::SetNextItemWidth(-1);
    ImGui::SliderInt("##padding", &state_.padding, 0, 3, "padding %d");
    comboOf("##paddingMode", state_.paddingMode, kPaddingModes,
            {"zero padding", "reflect padding", "replicate padding", "circular padding"});
    ImGui::SetNextItemWidth(-1);
    ImGui::SliderInt("##dilation", &state_.dilation, 1, 3, "dilation %d");
    ImGui::Checkbox("ReLU", &state_.relu);
    comboOf("##pool", state_.pool, kPools, {"no pooling", "max pooling", "average pooling"});
    if (state_.pool != "none") {
      ImGui::SetNextItemWidth(-1);
      ImGui::SliderInt("##poolSize", &state_.poolSize, 2, 4, "pool size %d (stride = size)");
    }
    ImGui::Checkbox("One colour scale for all maps", &state_.sharedScale);

    if (maps_) {
      ImGui::Spacing();
      const Shape& in = maps_->input.shape();
      const Shape& out = maps_->shown().shape();
      ImGui::TextDisabled("%lld×%lld×%lld input → %lld map(s) of %lld×%lld", (long long)in[1],
                          (long long)in[2], (long long)in[3], (long long)out[1], (long long)out[2],
                          (long long)out[3]);
      ImGui::TextDisabled("engine %.1f ms · figures %.1f ms", computeMilliseconds_,
                          figureMilliseconds_);
    }
  }

  void drawKernelEditor() {
    std::vector<std::string> ids = kernelNames();
    ids.push_back("custom");
    std::string preset = state_.preset;
    if (comboOf("##preset", preset, ids, ids) && preset != "custom") {
      Result<Tensor> kernel = presetKernel(preset, state_.gaborWavelength);
      if (kernel && kernel->dim(0) <= 7) {
        state_.preset = preset;
        state_.kernelSize = static_cast<int>(kernel->dim(0));
        state_.kernel.assign(kernel->values().begin(), kernel->values().end());
      }
    }
    int size = state_.kernelSize;
    ImGui::SetNextItemWidth(-1);
    if (ImGui::SliderInt("##ksize", &size, 3, 7, "kernel size %d") && size != state_.kernelSize) {
      // Keep the old weights centred in the new grid.
      std::vector<double> resized(static_cast<size_t>(size * size), 0.0);
      const int shift = (size - state_.kernelSize) / 2;
      for (int r = 0; r < state_.kernelSize; ++r)
        for (int c = 0; c < state_.kernelSize; ++c)
          if (r + shift >= 0 && r + shift < size && c + shift >= 0 && c + shift < size)
            resized[static_cast<size_t>((r + shift) * size + c + shift)] =
                state_.kernel[static_cast<size_t>(r * state_.kernelSize + c)];
      state_.kernelSize = size;
      state_.kernel = std::move(resized);
      state_.preset = "custom";
    }
    const int k = state_.kernelSize;
    const float cell =
        (ImGui::GetContentRegionAvail().x - (k - 1) * ImGui::GetStyle().ItemSpacing.x) / k;
    for (int r = 0; r < k; ++r)
      for (int c = 0; c < k; ++c) {
        ImGui::PushID(r * k + c);
        if (c > 0) ImGui::SameLine();
        ImGui::SetNextItemWidth(cell);
        float v = static_cast<float>(state_.kernel[static_cast<size_t>(r * k + c)]);
        if (ImGui::DragFloat("##w", &v, 0.02f, -100.0f, 100.0f, k <= 5 ? "%.2f" : "%.1f")) {
          state_.kernel[static_cast<size_t>(r * k + c)] = v;
          state_.preset = "custom";
        }
        ImGui::PopID();
      }
    ImGui::TextDisabled("drag a cell or double-click to type");
  }

  void uploadInput() {
    if (inputUploaded_) return;
    ProfileScope profile(ProfileStage::Upload);
    const Tensor& input = maps_->input;
    const int c = static_cast<int>(input.dim(1)), h = static_cast<int>(input.dim(2)),
              w = static_cast<int>(input.dim(3));
    std::vector<std::uint8_t> rgba(static_cast<size_t>(w) * h * 4, 255);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        for (int ch = 0; ch < 3; ++ch)
          rgba[(static_cast<size_t>(y) * w + x) * 4 + ch] = static_cast<std::uint8_t>(
              std::lround(255 * std::clamp(input(0, std::min(ch, c - 1), y, x), 0.0f, 1.0f)));
    inputTexture_.upload(w, h, rgba.data(), gl::TextureFilter::Nearest);
    inputUploaded_ = true;
  }

  // Input image (with the explained patch outlined) and the explanation of one unit.
  void drawInputAndExplanation(float height) {
    uploadInput();
    const Tensor& input = maps_->input;
    const float ih = static_cast<float>(input.dim(2)), iw = static_cast<float>(input.dim(3));
    const float em = ImGui::GetFontSize();
    const float boxH =
        height - ImGui::GetTextLineHeightWithSpacing() - ImGui::GetStyle().ItemSpacing.y;
    const float scale = std::min(boxH / ih, 0.3f * ImGui::GetContentRegionAvail().x / iw);
    ImGui::BeginGroup();
    ImGui::Text("input %d×%d", int(iw), int(ih));
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(inputTexture_.id())),
                 ImVec2(iw * scale, ih * scale));
    ImGui::EndGroup();

    // Which unit: the hovered one, else the pinned probe (clamped into the current output).
    std::array<int, 3> unit = hovered_.value_or(state_.probe);
    const Shape& out = maps_->convOutput.shape();
    unit[0] = std::clamp(unit[0], 0, int(out[1]) - 1);
    unit[1] = std::clamp(unit[1], 0, int(out[2]) - 1);
    unit[2] = std::clamp(unit[2], 0, int(out[3]) - 1);
    if (maps_->paddedInput.empty()) return; // the worker makes it with the maps
    Result<UnitExplanation> explained = explainUnit(*maps_, state_, unit[0], unit[1], unit[2]);
    if (!explained) return;
    const UnitExplanation& e = *explained;
    const float span = static_cast<float>((e.kernelSize - 1) * e.dilation + 1);
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const ImVec2 p0(origin.x + e.inputCol * scale, origin.y + e.inputRow * scale);
    const ImVec2 p1(p0.x + span * scale, p0.y + span * scale);
    draw->AddRect(ImVec2(p0.x - 1, p0.y - 1), ImVec2(p1.x + 1, p1.y + 1),
                  IM_COL32(255, 255, 255, 255), 0, 0, 4.0f);
    draw->AddRect(p0, p1, IM_COL32(230, 120, 0, 255), 0, 0, 2.0f);

    ImGui::SameLine(0, em);
    ImGui::BeginGroup();
    // The title, and the hint only where it fits: a projector's large text leaves little room.
    char title[160];
    std::snprintf(title, sizeof title, "%s output (%d, %d) of %s", hovered_ ? "hovered" : "pinned",
                  e.row, e.col, maps_->labels[static_cast<size_t>(e.filter)].c_str());
    const char* hint = "  (click a map to pin)";
    const float room = ImGui::GetContentRegionAvail().x;
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(title);
    ImGui::PopTextWrapPos();
    if (!hovered_ && ImGui::CalcTextSize(title).x + ImGui::CalcTextSize(hint).x <= room) {
      ImGui::SameLine(0, 0);
      ImGui::TextDisabled("%s", hint);
    }
    // Patch ⊙ kernel on the left, the sum beside them: the strip is wide, not tall.
    const float gridSize =
        std::max(3 * em, std::min(boxH - 1.5f * ImGui::GetTextLineHeightWithSpacing(),
                                  0.2f * ImGui::GetContentRegionAvail().x));
    const ImVec2 at = ImGui::GetCursorScreenPos();
    drawCells(draw, at, gridSize, e, true);
    drawCells(draw, ImVec2(at.x + gridSize + 2 * em, at.y), gridSize, e, false);
    draw->AddText(ImVec2(at.x + gridSize + 0.5f * em, at.y + gridSize / 2 - em / 2),
                  ImGui::GetColorU32(ImGuiCol_Text), "⊙");
    draw->AddText(ImVec2(at.x, at.y + gridSize + 2), ImGui::GetColorU32(ImGuiCol_TextDisabled),
                  e.channels == 3 ? "patch (R, G, B)" : "input patch");
    const std::string kernelCaption = "kernel" + std::string(e.dilation > 1 ? " (dilated)" : "");
    draw->AddText(ImVec2(at.x + gridSize + 2 * em, at.y + gridSize + 2),
                  ImGui::GetColorU32(ImGuiCol_TextDisabled), kernelCaption.c_str());
    ImGui::Dummy(ImVec2(2 * gridSize + 2 * em, gridSize + ImGui::GetTextLineHeightWithSpacing()));
    ImGui::SameLine(0, em);
    ImGui::BeginGroup();
    drawDotProduct(e);
    ImGui::EndGroup();
    ImGui::EndGroup();
  }

  // A k×k grid of cells: the patch in grey (or RGB), the kernel in the diverging colours, values
  // written in the cells when they fit.
  void drawCells(ImDrawList* draw, ImVec2 at, float size, const UnitExplanation& e, bool patch) {
    const int k = e.kernelSize, plane = k * k;
    const float cell = size / k;
    double kernelMax = 1e-12;
    for (float w : e.kernel) kernelMax = std::max(kernelMax, double(std::abs(w)));
    const bool writeValues =
        cell > std::max(1.6f * ImGui::GetFontSize(), 1.15f * ImGui::CalcTextSize("-0.00").x) &&
        (e.channels == 1 || !patch);
    for (int i = 0; i < k; ++i)
      for (int j = 0; j < k; ++j) {
        const ImVec2 a(at.x + j * cell, at.y + i * cell), b(a.x + cell, a.y + cell);
        ImU32 fill;
        float value;
        if (patch) {
          float rgb[3];
          for (int c = 0; c < 3; ++c)
            rgb[c] = e.patch[static_cast<size_t>(std::min(c, e.channels - 1) * plane + i * k + j)];
          fill = ImGui::ColorConvertFloat4ToU32(ImVec4(rgb[0], rgb[1], rgb[2], 1));
          value = rgb[0];
        } else {
          value = e.kernel[static_cast<size_t>(i * k + j)];
          const plot::Color c =
              plot::colormapColor(plot::Colormap::Diverging, 0.5 + 0.5 * value / kernelMax);
          fill = ImGui::ColorConvertFloat4ToU32(ImVec4(c.r, c.g, c.b, 1));
        }
        draw->AddRectFilled(a, b, fill);
        draw->AddRect(a, b, IM_COL32(120, 120, 120, 255));
        if (writeValues) {
          char text[16];
          std::snprintf(text, sizeof text, patch ? "%.2f" : "%.3g", value);
          const ImVec2 ts = ImGui::CalcTextSize(text);
          const bool dark = patch ? value < 0.5f : false;
          draw->AddText(ImVec2(a.x + (cell - ts.x) / 2, a.y + (cell - ts.y) / 2),
                        dark ? IM_COL32(255, 255, 255, 255) : IM_COL32(20, 20, 20, 255), text);
        }
      }
  }

  void drawDotProduct(const UnitExplanation& e) {
    const int k = e.kernelSize;
    ImGui::PushTextWrapPos(0);
    if (e.channels == 1 && k == 3) {
      // Lines break between terms, never inside a number (ImGui would break after its '.').
      std::string row;
      const float room = ImGui::GetContentRegionAvail().x;
      for (int i = 0; i < 9; ++i) {
        char term[48];
        const float w = e.kernel[size_t(i)];
        std::snprintf(term, sizeof term, w < 0 ? "%s(−%.3g)·%.2f" : "%s%.3g·%.2f", i ? "+ " : "",
                      std::abs(w), e.patch[size_t(i)]);
        if (!row.empty() && ImGui::CalcTextSize((row + " " + term).c_str()).x > room) {
          ImGui::TextUnformatted(row.c_str());
          row.clear();
        }
        row += (row.empty() ? "" : " ") + std::string(term);
      }
      ImGui::TextUnformatted(row.c_str());
    } else {
      ImGui::Text("Σ of %d products kernel · patch%s", e.channels * k * k,
                  e.channels == 3 ? " over R, G, B" : "");
    }
    ImGui::PopTextWrapPos();
    ImGui::Text("= %.5f", e.dotProduct);
    ImGui::TextDisabled("engine's output: %.5f", e.engineOutput);
    if (state_.relu || state_.pool != "none")
      ImGui::TextDisabled("then %s%s", state_.relu ? "ReLU " : "",
                          state_.pool != "none" ? (state_.pool + " pooling").c_str() : "");
  }

  void drawMapGrid(const LabContext& context) {
    hovered_.reset();
    if (singleFigure_) { // one kernel: a full figure with axes and colour bar
      // New maps: PlotFigure colour-maps and uploads them in this call (profiled as the upload).
      std::optional<ProfileScope> upload;
      if (mapTexturesStale_) upload.emplace(ProfileStage::Upload), mapTexturesStale_ = false;
      double mx = 0, my = 0;
      if (plot::PlotFigure("map", *singleFigure_, ImVec2(0, 0), context.plotStyle, &mx, &my))
        hoverShown(0, static_cast<int>(std::floor(my)), static_cast<int>(std::floor(mx)));
      return;
    }
    uploadMapTextures();
    const Tensor& shown = maps_->shown();
    const int count = static_cast<int>(shown.dim(1));
    const float mh = float(shown.dim(2)), mw = float(shown.dim(3));
    const float em = ImGui::GetFontSize();
    const float colorbarWidth = 5.5f * em;
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const ImVec2 available = ImGui::GetContentRegionAvail();
    const float gridWidth = available.x - colorbarWidth, gap = 0.6f * em;
    // Each tile's label (wrapped at spaces when the tile is narrow: "horizontal / edge") and its
    // min … max above it, never wider than the tile's column.
    std::vector<std::string> labels(static_cast<size_t>(count)), ranges(static_cast<size_t>(count));
    float narrowest = 0; // the widest range or single word: no column may be narrower
    for (int f = 0; f < count; ++f) {
      labels[size_t(f)] = panelName(maps_->labels[size_t(f)]);
      ranges[size_t(f)] =
          formatValue(maps_->minimum[size_t(f)]) + " … " + formatValue(maps_->maximum[size_t(f)]);
      narrowest = std::max(narrowest, ImGui::CalcTextSize(ranges[size_t(f)].c_str()).x);
      const std::string& label = labels[size_t(f)];
      for (size_t begin = 0; begin < label.size();) {
        size_t space = label.find(' ', begin);
        if (space == std::string::npos) space = label.size();
        narrowest = std::max(narrowest,
                             ImGui::CalcTextSize(label.c_str() + begin, label.c_str() + space).x);
        begin = space + 1;
      }
    }
    // Labels wrapped at `width`: their widest line and the height of the whole header.
    auto header = [&](float width) {
      ImVec2 size(narrowest, 0);
      for (const std::string& label : labels) {
        const ImVec2 wrapped = ImGui::CalcTextSize(label.c_str(), nullptr, false, width);
        size.x = std::max(size.x, wrapped.x), size.y = std::max(size.y, wrapped.y);
      }
      size.y += ImGui::GetTextLineHeight() + 2; // the range line
      return size;
    };
    // Columns that make the maps largest, of those whose columns are as wide as their text.
    int columns = 1;
    float side = 0, wrapWidth = gridWidth - gap;
    for (int c = 1; c <= count; ++c) {
      const float width = gridWidth / c - gap;
      if (c > 1 && width < narrowest) break;
      const int rows = (count + c - 1) / c;
      const float scale = std::min(width / mw, (available.y / rows - header(width).y - gap) / mh);
      if (scale > side) side = scale, columns = c, wrapWidth = width;
    }
    const float scale = side;
    const ImVec2 text = header(wrapWidth);
    const float line = text.y; // header height
    const float pitch =
        std::max(mw * scale, text.x) + gap; // columns never narrower than their text
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    for (int f = 0; f < count; ++f) {
      const float x = origin.x + (f % columns) * pitch;
      const float y = origin.y + (f / columns) * (mh * scale + line + gap);
      const float labelHeight =
          ImGui::CalcTextSize(labels[size_t(f)].c_str(), nullptr, false, wrapWidth).y;
      const float rangeY = y + line - ImGui::GetTextLineHeight() - 2;
      draw->AddText(ImGui::GetFont(), ImGui::GetFontSize(), ImVec2(x, rangeY - labelHeight),
                    ImGui::GetColorU32(ImGuiCol_Text), labels[size_t(f)].c_str(), nullptr,
                    wrapWidth);
      draw->AddText(ImVec2(x, rangeY), ImGui::GetColorU32(ImGuiCol_TextDisabled),
                    ranges[size_t(f)].c_str());
      const ImVec2 a(x, y + line), b(x + mw * scale, y + line + mh * scale);
      draw->AddImage(
          reinterpret_cast<ImTextureID>(static_cast<intptr_t>(mapTextures_[size_t(f)].id())), a, b);
      draw->AddRect(ImVec2(a.x - 1, a.y - 1), ImVec2(b.x + 1, b.y + 1), IM_COL32(60, 60, 60, 255));
      ImGui::SetCursorScreenPos(a);
      ImGui::PushID(f);
      ImGui::InvisibleButton("##map", ImVec2(b.x - a.x, b.y - a.y));
      if (ImGui::IsItemHovered())
        hoverShown(f, static_cast<int>((mouse.y - a.y) / scale),
                   static_cast<int>((mouse.x - a.x) / scale));
      drawExportPopup(f);
      ImGui::PopID();
    }
    drawColorbar(ImVec2(origin.x + columns * pitch + 0.5f * em, origin.y + line),
                 std::min(available.y - 2 * line, (count > columns ? 2 : 1) * mh * scale));
    ImGui::SetCursorScreenPos(origin);
    ImGui::Dummy(available);
  }

  void hoverShown(int filter, int row, int col) {
    const Tensor& shown = maps_->shown();
    if (row < 0 || col < 0 || row >= shown.dim(2) || col >= shown.dim(3)) return;
    hovered_ = convUnitForShown(filter, row, col);
    if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) state_.probe = *hovered_;
  }

  // The diverging colour scale: shared (values) or per map (each map's own max |value|).
  void drawColorbar(ImVec2 at, float height) {
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const float width = 0.9f * ImGui::GetFontSize();
    constexpr int kSteps = 64;
    for (int i = 0; i < kSteps; ++i) {
      const plot::Color c =
          plot::colormapColor(plot::Colormap::Diverging, 1.0 - (i + 0.5) / kSteps);
      draw->AddRectFilled(ImVec2(at.x, at.y + height * i / kSteps),
                          ImVec2(at.x + width, at.y + height * (i + 1) / kSteps),
                          ImGui::ColorConvertFloat4ToU32(ImVec4(c.r, c.g, c.b, 1)));
    }
    draw->AddRect(at, ImVec2(at.x + width, at.y + height), IM_COL32(60, 60, 60, 255));
    const double m = maxAbs(*maps_, -1);
    const std::string top = state_.sharedScale ? formatValue(m) : "+max",
                      bottom = state_.sharedScale ? formatValue(-m) : "−max";
    const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
    const float th = ImGui::GetFontSize();
    draw->AddText(ImVec2(at.x + width + 4, at.y - th / 2), text, top.c_str());
    draw->AddText(ImVec2(at.x + width + 4, at.y + height / 2 - th / 2), text, "0");
    draw->AddText(ImVec2(at.x + width + 4, at.y + height - th / 2), text, bottom.c_str());
    draw->AddText(ImVec2(at.x, at.y + height + th / 2), ImGui::GetColorU32(ImGuiCol_TextDisabled),
                  state_.sharedScale ? "shared" : "per map");
  }

  // Right-click a tile: export it, or the whole grid, through plot/ (PNG, SVG, PDF, CSV).
  void drawExportPopup(int f) {
    if (!ImGui::BeginPopupContextItem("##export")) return;
    ImGui::Text("Export to exports/");
    for (int whole = 0; whole < 2; ++whole) {
      ImGui::TextDisabled(whole ? "the whole grid" : "this map");
      for (const char* extension : {".png", ".svg", ".pdf", ".csv"}) {
        ImGui::SameLine();
        ImGui::PushID(whole * 8 + extension[1]);
        if (ImGui::SmallButton(extension + 1)) {
          std::error_code ec;
          std::filesystem::create_directories("exports", ec);
          // The whole grid: the input and one panel per map (featureMapFigureGrid).
          const plot::Figure figure = mapFigure(f);
          const std::string path = "exports/" +
                                   plot::exportFileStem(whole ? "feature map grid" : figure.title) +
                                   extension;
          const Status written = whole
                                     ? plot::exportFigureGrid(featureMapFigureGrid(*maps_, state_),
                                                              path, plot::ExportOptions())
                                     : plot::exportFigure(figure, path, plot::ExportOptions());
          exportResult_ = written ? "Wrote " + (std::filesystem::current_path(ec) / path).string()
                                  : written.error().message();
        }
        ImGui::PopID();
      }
    }
    if (!exportResult_.empty()) ImGui::TextUnformatted(exportResult_.c_str());
    ImGui::EndPopup();
  }

  static constexpr double kWavelengthMin = 2.0, kWavelengthMax = 12.0;
  FeatureMapLabState state_;
  Image8 source_;
  int sourceVersion_ = 0;
  std::string imageError_;
  std::string pathInput_;

  std::shared_ptr<const Tensor> working_; // [1, C, H, W]: the source at the working size
  WorkingKey workingFor_{-1, false, 0};
  std::shared_ptr<const FeatureMaps> maps_; // the maps drawn (a job's result; never modified)
  FeatureMapLabState mapsFor_;              // their computation key
  int mapsVersion_ = -1;                    // and source version
  WorkingKey mapsWorkingFor_{-1, false, 0};
  FeatureMapTiles tiles_;          // maps_ reduced and colour-mapped, for the textures
  std::uint64_t mapsRevision_ = 0; // bumped per new maps_: the one-map figure's revision
  FeatureMapLabState computedFor_; // the last job's key (its maps or its error)
  int computedVersion_ = -1;
  std::future<MapsJob> job_; // the job running, if any
  FeatureMapLabState jobFor_;
  int jobVersion_ = -1;
  bool finishNow_ = false; // finishBackgroundWork() was called: no more jobs
  bool jobWaited_ = true;  // the next frame has had its one bounded wait for job_
  std::string computeError_;
  float computeMilliseconds_ = 0; // last recompute: conv, ReLU, pooling, figures' data
  float figureMilliseconds_ = 0;  // last frame's map figures (CPU side, uploads included)
  std::optional<plot::Figure> singleFigure_; // the one-kernel view
  std::vector<gl::Texture> mapTextures_;     // the bank's maps, colour-mapped
  bool mapTexturesStale_ = true;
  std::string exportResult_;
  std::optional<std::array<int, 3>> hovered_; // conv unit under the mouse, this frame
  gl::Texture inputTexture_;
  bool inputUploaded_ = false;
  float stripContentHeight_ = 0; // last frame's height of the input-and-explanation strip
};

} // namespace

std::unique_ptr<Lab> createFeatureMapLab() {
  return std::make_unique<FeatureMapLab>();
}

} // namespace nnlab::app
