// receptive_field_lab.h: how far one unit of a deep layer sees. A stack of conv / pool / dilated
// conv layers is run on a sample image (one channel, real forward pass); clicking a unit of any
// layer's map draws its receptive field on the input and lights the units it depends on in every
// layer between; the effective receptive field (|∂ unit / ∂ input| through the stack, from the
// engine's backward pass) is drawn over the theoretical box: Gaussian-like and smaller.
//
// Index
//   RfLayerSpec, ReceptiveFieldLabState    what a scene stores
//   receptiveFieldPreset()                 the presets by name (two 3×3 vs one 5×5, dilated, ...)
//   computeReceptiveField()                forward pass, rf table, dependencies, ERF
//   erfMassInside()                        share of the ERF inside an input box
//   receptiveFieldFigure()                 the exported overlay: grey input, box, ERF iso-lines
//   effectiveFieldFigure()                 the on-screen ERF heatmap over the box
//
// Scene fields ("state"): image (a square sample: "camera" | "brick" | "astronaut" |
// "checkerboard" | "test_card"), input_size (16-256), layers (list of {"kind": "conv" | "pool",
// "k": 1-11, "s": 1-4, "p": 0-5, "d": 1-8}, at most 12), pool ("max" | "average"), weights
// ("uniform" | "random"), seed (0-1000), unit ([layer, row, col], layer counted from 1).
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "core/lab.h"
#include "nnlab/receptive_field.h"
#include "nnlab/tensor.h"

namespace nnlab::app {

struct RfLayerSpec {
  std::string kind = "conv"; // "conv" (dilation d) or "pool" (d ignored)
  int kernel = 3, stride = 1, padding = 0, dilation = 1;
  bool operator==(const RfLayerSpec&) const = default;
};

struct ReceptiveFieldLabState {
  std::string preset = "two_3x3"; // the last preset chosen, "custom" once edited
  std::string image = "camera";
  int inputSize = 64;
  std::vector<RfLayerSpec> layers = {{"conv", 3, 1, 0, 1}, {"conv", 3, 1, 0, 1}};
  std::string pool = "max";        // kind of every pool layer
  std::string weights = "uniform"; // conv weights: all 1/k², or seeded N(0, 1/k²)
  int seed = 1;
  std::array<int, 3> unit{2, 30, 30}; // [layer (1..L), row, col] of the clicked unit

  bool operator==(const ReceptiveFieldLabState&) const = default;
};

// Preset ids in menu order, their titles, and the stacks.
const std::vector<std::string>& receptiveFieldPresetIds();
std::string receptiveFieldPresetTitle(const std::string& id);
// The state of a preset (layers, input size, unit in the middle of the last layer).
Result<ReceptiveFieldLabState> receptiveFieldPreset(const std::string& id);

std::vector<RfLayer> toRfLayers(const std::vector<RfLayerSpec>& layers);

struct ReceptiveFieldResult {
  Tensor input;               // [1, 1, N, N] in [0, 1]
  std::vector<Tensor> maps;   // maps[l]: output of layer l + 1, [1, 1, h, w]
  std::vector<Tensor> weights; // conv layers' [1, 1, k, k]; empty Tensor for pool layers
  ReceptiveFieldTable table;  // layers[0] is the input
  UnitDependencies dependencies; // of the selected unit (clamped into its layer)
  std::array<int, 3> unit{};  // the selected unit after clamping
  Tensor erf;                 // |∂ unit / ∂ input|, [N, N]
};
Result<ReceptiveFieldResult> computeReceptiveField(const Tensor& input, const ReceptiveFieldLabState& state);

// Σ erf inside the input box [first, last] (rows and cols, inclusive) / Σ erf.
double erfMassInside(const Tensor& erf, const std::vector<Index>& first, const std::vector<Index>& last);

// The overlay `nnlab export` writes: the input in grey, the theoretical box, the ERF's iso-lines.
plot::Figure receptiveFieldFigure(const ReceptiveFieldResult& result, const ReceptiveFieldLabState& state);
// The on-screen ERF: |∂ unit / ∂ pixel| as a heatmap, zoomed on the box.
plot::Figure effectiveFieldFigure(const ReceptiveFieldResult& result, const ReceptiveFieldLabState& state);

std::unique_ptr<Lab> createReceptiveFieldLab();

} // namespace nnlab::app
