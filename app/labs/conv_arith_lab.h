// conv_arith_lab.h: the sliding window. A small input grid, a kernel, and the window stepping over
// the (padded) input; at each position the products of the taps are shown and summed into the
// highlighted output cell. Stride, padding, dilation, the transposed form, true convolution vs
// cross-correlation, 1-D sequences (causal padding) and 3-D video (T×H×W) — with the output-shape
// formula, parameter and MAC counts, the depthwise-separable comparison and the PyTorch line.
//
// Every output value comes from the engine (conv() / convTranspose()); the lab only lays the
// window's taps out for display (windowAt), and the tests check that their products sum to the
// engine's output at every position.
//
// The window slides over a "canvas": the grid the kernel actually touches.
//   convolution:            the input with its padding around it (zero cells drawn distinctly);
//   transposed convolution: the equivalent direct convolution (Dumoulin & Visin, "A guide to
//                           convolution arithmetic", §4): s − 1 zeros inserted between input cells,
//                           d·(k − 1) zeros around them (+ output_padding at the far side), the
//                           kernel flipped, stride 1, and the first p rows/columns cropped.
// Canvas cells no window position reaches (what the floor division leaves, or what transposed
// padding crops) are "unused" and drawn greyed.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/lab.h"
#include "nnlab/conv_arith.h"
#include "nnlab/derivation.h"
#include "nnlab/status.h"

namespace nnlab::app {

struct ConvArithLabState {
  int rank = 2;         // spatial dimensions: 1 sequence [L], 2 image [H, W], 3 video [T, H, W]
  int inputSize = 5;    // L, or H = W (3..16)
  int frames = 3;       // T of a video (3-D only)
  int kernelSize = 3;   // k (1..7), kH = kW
  int kernelFrames = 2; // kT (3-D only)
  int stride = 1;       // s; 0 is accepted so that the engine can say why it is wrong
  int padding = 1;      // p, zeros on both sides of every spatial dimension
  bool causal = false;  // 1-D and 3-D: d·(k − 1) zeros before the first dimension, none after
  int dilation = 1;     // d: taps d cells apart (d − 1 holes between them)
  bool transposed = false;
  int outputPadding = 0;    // transposed only: extra rows/columns at the far side (< max(s, d))
  bool flip = false;        // also show true convolution (kernel flipped) next to cross-correlation
  std::vector<float> input; // row-major over [T,] H, W (or L); empty: the built-in pattern
  std::vector<float> kernel; // row-major over [kT,] kH, kW (or kL); empty: the built-in pattern
  int position = 0;          // the window's step: row-major index of the output cell being computed
  float speed = 2.0f;        // animation, steps per second
  int inChannels = 3;        // C, for the parameter and MAC counts (the grids show one channel)
  int filters = 16;          // F, for the counts

  bool operator==(const ConvArithLabState&) const = default;
};

// Spatial sizes, outermost first: {L}, {H, W} or {T, H, W}.
std::vector<int> inputDims(const ConvArithLabState& state);
std::vector<int> kernelDims(const ConvArithLabState& state);
// Fills empty or mis-sized input/kernel values with the built-in small integers.
void fillDefaultValues(ConvArithLabState& state);
// Replaces the input (or kernel) with small random integers from `seed` (same seed, same values).
void randomizeValues(std::vector<float>& values, size_t count, unsigned seed, int low, int high);

enum class CanvasCell {
  Input,    // one of the input's values
  Padding,  // a zero added around the input
  Inserted, // a zero inserted between input cells (transposed convolution, stride > 1)
};

// Everything the lab draws for one state, computed once when the state changes.
struct ConvArithResult {
  int rank = 2;
  std::vector<int> inputSize, kernelSize, outputSize; // per spatial dimension
  std::vector<int> canvasSize;                        // the grid the window slides over
  std::vector<int> windowOffset; // canvas index of output 0's first tap (p when transposed)
  std::vector<int> windowStride; // s (1 when transposed)
  std::vector<int> dilation;
  std::vector<CanvasCell> canvasKind; // row-major over canvasSize
  std::vector<int> canvasSource;      // input index of an Input cell, else −1
  std::vector<float> canvasValue;     // the value the window multiplies (0 off the input)
  std::vector<bool> canvasUnused;     // no window position reaches it: drawn greyed
  std::vector<float> input, kernel;   // as in the state
  std::vector<float> appliedKernel;   // the kernel as laid on the canvas (flipped for true
                                      // convolution and for the transposed equivalent)
  std::vector<float> output;          // engine: cross-correlation (or convTranspose)
  std::vector<float> flippedOutput;   // engine: true convolution (only when state.flip)
  bool flip = false, transposed = false;

  Derivation shapeSteps; // "H_out = ⌊(5 + 2·1 − 1·(3 − 1) − 1) / 1⌋ + 1 = 5", ...
  LayerCost cost;        // for state.inChannels → state.filters
  std::optional<SeparableCost> separable; // not for transposed convolution
  std::string pytorch;                    // "nn.Conv2d(3, 16, kernel_size=3, padding=1)"

  int outputCount() const;
};

Result<ConvArithResult> computeConvArith(const ConvArithLabState& state);

// One tap of the window: canvas cell × kernel value.
struct WindowTap {
  int canvasIndex = 0; // row-major in the canvas
  int kernelIndex = 0; // row-major in the applied kernel
  float value = 0, weight = 0;
  float product() const { return value * weight; }
};

struct WindowStep {
  int outputIndex = 0;         // row-major in the output
  std::vector<int> outputAt;   // per dimension
  std::vector<int> start;      // canvas index of the first tap, per dimension
  std::vector<WindowTap> taps; // in the applied kernel's row-major order
  double sum() const;
};

// The window at step `position` (0 ≤ position < outputCount()).
WindowStep windowAt(const ConvArithResult& result, int position);

// "nn.Conv2d(3, 16, kernel_size=3, stride=2, padding=1)" for the state (Conv1d/Conv3d,
// ConvTranspose1d/2d/3d; causal 1-D padding as an nn.ConstantPad in front).
std::string pytorchLine(const ConvArithLabState& state);

// The export: the output as a heatmap with its values and the current cell marked.
plot::Figure convArithFigure(const ConvArithLabState& state, const ConvArithResult& result);

std::unique_ptr<Lab> createConvArithLab();

} // namespace nnlab::app
