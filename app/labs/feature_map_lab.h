// feature_map_lab.h: filters on real images. A kernel (or a whole bank: edge detectors, 8 Gabor
// orientations) slides over a photo, a checkerboard or a test card; the feature maps appear in a
// diverging colormap (blue negative, white 0, red positive), optionally through ReLU and pooling.
// Hovering an output pixel shows the input patch, the kernel and the dot product that made it.
//
// Index
//   FeatureMapLabState          what a scene stores (fields documented below, names in quotes)
//   loadFeatureMapImage()       sample / procedural / file image -> Image8
//   workingImage()              Image8 -> [1, C, H, W] in [0, 1] at the working size
//   featureBank()               the filters of the state: labels and a conv weight [F, C, k, k]
//   computeFeatureMaps()        the engine's conv (+ ReLU + pooling) and each map's min / max
//   featureMapTiles()           the maps reduced and colour-mapped for the screen
//   explainUnit()               patch, kernel and dot product behind one output unit
//   featureMapFigure()          one map with pixel axes and its colorbar (one kernel, one tile)
//   featureMapFigureGrid()      a bank's export: the input, then one panel per map
//
// Scene fields ("state"): image ("camera" | "brick" | "astronaut" | "coffee" | "chelsea" |
// "checkerboard" | "test_card" | "file"), image_path (when image is "file"), rgb, working_size
// (16-512), bank ("kernel" | "edges" | "gabor"), kernel_size (3-7), kernel (kernel_size² numbers,
// row-major), preset (a name of nnlab::kernelNames() or "custom"), gabor_count (2-8),
// gabor_wavelength (2-12), stride (1-4), padding (0-3), padding_mode ("zeros" | "reflect" |
// "replicate" | "circular"), dilation (1-3), relu, pool ("none" | "max" | "average"), pool_size
// (2-4), shared_scale, probe ([filter, row, col] of the unit explained when the mouse is
// elsewhere).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/image_io.h"
#include "core/lab.h"
#include "nnlab/conv.h"
#include "nnlab/tensor.h"

namespace nnlab::app {

struct FeatureMapLabState {
  std::string image = "camera";
  std::string imagePath; // used when image == "file"
  bool rgb = false;      // false: one grey channel (ITU-R 601 luma)
  int workingSize = 256; // longest side after downscaling (never upscaled), pixels

  std::string bank = "kernel"; // "kernel": the edited kernel; "edges": 8 classic edge filters;
                               // "gabor": gaborCount orientations θ = i·180°/count
  int kernelSize = 3;
  std::vector<double> kernel{1, 0, -1, 1, 0, -1, 1, 0, -1}; // kernelSize², row-major, row 0 on top
  std::string preset = "vertical_edge";                     // "custom" once a cell is edited
  int gaborCount = 8;
  double gaborWavelength = 4.0; // λ in pixels; kernels are 7×7, σ = 0.5 λ

  int stride = 1;
  int padding = 1;
  std::string paddingMode = "zeros";
  int dilation = 1;
  bool relu = false;
  std::string pool = "none"; // after ReLU
  int poolSize = 2;          // kernel = stride
  bool sharedScale = true;   // one colour scale for the whole bank (else one per map)

  std::array<int, 3> probe{0, 64, 64}; // [filter, row, col] of the explained unit (conv output)

  bool operator==(const FeatureMapLabState&) const = default;
};

// Built-in image names, in menu order.
const std::vector<std::string>& featureMapSampleNames();
// The sample by name (assets/images/<name>.png, or drawn here: "checkerboard", "test_card"), or
// the file at state.imagePath when state.image == "file". Errors name the file.
Result<Image8> loadFeatureMapImage(const std::string& image, const std::string& imagePath);
// A 256×256 grey checkerboard of 32-pixel squares (0 and 1), top-left square black.
Image8 checkerboardImage();
// A 256×256 grey test card: a disc, a ring, a diagonal bar and the letters "NN LAB".
Image8 testCardImage();

// [1, C, H, W] in [0, 1], C = 3 (rgb) or 1 (grey), area-averaged so the longest side is at most
// workingSize.
Tensor workingImage(const Image8& image, bool rgb, int workingSize);

struct FeatureBank {
  std::vector<std::string> labels; // one per filter: "vertical edge", "Gabor θ = 45°"
  Tensor weight;                   // [F, C, k, k]: each kernel repeated over the C input channels
};
FeatureBank featureBank(const FeatureMapLabState& state, Index channels);

// The edited kernel of a named preset at kernel-editor size (Gabor presets 7×7), or an Error.
Result<Tensor> presetKernel(const std::string& name, double gaborWavelength);

ConvOptions featureMapConvOptions(const FeatureMapLabState& state);

struct FeatureMaps {
  Tensor input;  // [1, C, H, W]
  Tensor weight; // [F, C, k, k]
  std::vector<std::string> labels;
  Tensor convOutput; // [1, F, oh, ow]: conv (no bias)
  Tensor afterConv;  // convOutput after ReLU and pooling; empty when there is neither
  std::vector<float> minimum, maximum; // of each shown map
  Tensor paddedInput; // [1, C, H + 2p, W + 2p]: filled on demand by addPaddedInput()

  // What the maps draw: [1, F, h, w].
  const Tensor& shown() const { return afterConv.empty() ? convOutput : afterConv; }
};
Result<FeatureMaps> computeFeatureMaps(const Tensor& input, const FeatureMapLabState& state);
// Redoes ReLU, pooling and min / max on maps.convOutput for `state` (what computeFeatureMaps does
// after the conv): a ReLU or pooling toggle need not run the convolution again.
Status applyReluAndPooling(FeatureMaps& maps, const FeatureMapLabState& state);
// Whether two states give the same convolution output (they differ at most in ReLU, pooling,
// colour scale or probe).
bool sameConvolution(const FeatureMapLabState& a, const FeatureMapLabState& b);

// The shown maps as the lab draws them: each reduced to at most 256 pixels a side (by integer
// blocks, keeping each block's value of largest magnitude) and colour-mapped (diverging, shared
// or per-map scale), RGBA8, row 0 on top. Pure: the lab makes them on its worker thread.
struct FeatureMapTiles {
  int width = 0, height = 0;
  std::vector<std::vector<std::uint8_t>> rgba; // one per map, width * height * 4 bytes
};
FeatureMapTiles featureMapTiles(const FeatureMaps& maps, const FeatureMapLabState& state);
// The padded input the conv read, made by the engine (padding mode applied), for explainUnit.
// Separate because only the hover panel needs it.
Status addPaddedInput(FeatureMaps& maps, const FeatureMapLabState& state);

// One output unit of the conv, taken apart (maps need their paddedInput): out = Σ_c Σ_i Σ_j
// kernel[c,i,j] · patch[c,i,j].
struct UnitExplanation {
  int filter = 0, row = 0, col = 0; // conv output unit
  int channels = 0, kernelSize = 0;
  int inputRow = 0, inputCol = 0; // input pixel under the patch's top-left tap (may be < 0)
  int dilation = 1;
  std::vector<float> patch, kernel; // [C, k, k] each: padded input under the taps, weights
  double dotProduct = 0;            // Σ kernel · patch, summed here in double
  float engineOutput = 0;           // convOutput at the unit, from the engine
};
Result<UnitExplanation> explainUnit(const FeatureMaps& maps, const FeatureMapLabState& state,
                                    int filter, int row, int col);

// Shown map `filter` as a figure of its own: titled with its label and min / max, output pixels
// on the axes, diverging colours on ±max |value| (of the bank when state.sharedScale, else of the
// map) with a colorbar. The one-kernel view draws it; exports of one kernel or one tile write it.
plot::Figure featureMapFigure(const FeatureMaps& maps, const FeatureMapLabState& state, int filter);

// A bank's exported figure, as a textbook draws one: panel 0 the input image (a picture, grey or
// RGB), then one panel per shown map titled with its name ("vertical edge", "θ = 45°"), all with
// "x (px)" / "y (px)" axes; the grid's title names the bank and the layer. The diverging colours
// match the lab: state.sharedScale puts every map on ±(the bank's max |value|) with one colorbar
// right of the grid, else each map has its own ±max |value| and its own colorbar. The grid asks
// for a page big enough for its panels (FigureGrid::minPageWidthPt).
// CSV (plot::figureGridToCsv, long format panel,kind,series,label,x,y,value): panel 0 holds the
// input's grey levels in [0, 1] (label "input grey level" / "input luma"), panel k the values of
// map k − 1 in bank order (featureBank()'s labels), x, y the pixel centre (column + 0.5, row +
// 0.5).
plot::FigureGrid featureMapFigureGrid(const FeatureMaps& maps, const FeatureMapLabState& state);

std::unique_ptr<Lab> createFeatureMapLab();

} // namespace nnlab::app
