#include "labs/conv_arith_lab.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <imgui.h>
#include <nlohmann/json.hpp>
#include <numeric>
#include <utility>

#include "core/json_fields.h"
#include "nnlab/conv.h"
#include "nnlab/tensor.h"

namespace nnlab::app {

namespace {

int productOf(const std::vector<int>& dims) {
  return std::accumulate(dims.begin(), dims.end(), 1, std::multiplies<>());
}

// Row-major index <-> per-dimension coordinates.
std::vector<int> unravel(int index, const std::vector<int>& dims) {
  std::vector<int> at(dims.size());
  for (size_t i = dims.size(); i-- > 0;) {
    at[i] = index % dims[i];
    index /= dims[i];
  }
  return at;
}

int ravel(const std::vector<int>& at, const std::vector<int>& dims) {
  int index = 0;
  for (size_t i = 0; i < dims.size(); ++i) index = index * dims[i] + at[i];
  return index;
}

Shape batchedShape(const std::vector<int>& spatial) {
  std::vector<Index> dims{1, 1};
  for (int d : spatial) dims.push_back(d);
  return Shape(dims);
}

std::string joinDims(const std::vector<int>& dims, const char* separator = "×") {
  std::string s;
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? separator : "") + std::to_string(dims[i]);
  return s;
}

// "8" for a scalar-valued number of cells, "1,234" for counts: the engine's formatting.
std::string count(Index value) {
  return withThousandsSeparators(value);
}

} // namespace

std::vector<int> inputDims(const ConvArithLabState& state) {
  switch (state.rank) {
  case 1: return {state.inputSize};
  case 3: return {state.frames, state.inputSize, state.inputSize};
  default: return {state.inputSize, state.inputSize};
  }
}

std::vector<int> kernelDims(const ConvArithLabState& state) {
  switch (state.rank) {
  case 1: return {state.kernelSize};
  case 3: return {state.kernelFrames, state.kernelSize, state.kernelSize};
  default: return {state.kernelSize, state.kernelSize};
  }
}

void fillDefaultValues(ConvArithLabState& state) {
  const size_t inputCount = static_cast<size_t>(productOf(inputDims(state)));
  if (state.input.size() != inputCount) {
    // Small integers 0..3 in diagonal stripes: products stay easy to add up in one's head.
    state.input.resize(inputCount);
    for (size_t i = 0; i < inputCount; ++i) state.input[i] = static_cast<float>((i * 7 + 2) % 4);
  }
  const size_t kernelCount = static_cast<size_t>(productOf(kernelDims(state)));
  if (state.kernel.size() != kernelCount) {
    // The 3×3 kernel of Dumoulin & Visin's figures, repeated for other sizes.
    constexpr float kPattern[9] = {0, 1, 2, 2, 2, 0, 0, 1, 2};
    state.kernel.resize(kernelCount);
    for (size_t i = 0; i < kernelCount; ++i) state.kernel[i] = kPattern[i % 9];
  }
}

void randomizeValues(std::vector<float>& values, size_t count, unsigned seed, int low, int high) {
  // A fixed linear congruential generator (Numerical Recipes' constants): the same seed gives the
  // same grid on every platform, unlike std::uniform_int_distribution.
  std::uint32_t x = seed * 2654435761u + 12345u;
  values.resize(count);
  for (float& v : values) {
    x = x * 1664525u + 1013904223u;
    v = static_cast<float>(low +
                           static_cast<int>((x >> 16) % static_cast<unsigned>(high - low + 1)));
  }
}

int ConvArithResult::outputCount() const {
  return productOf(outputSize);
}

double WindowStep::sum() const {
  double total = 0;
  for (const WindowTap& tap : taps) total += static_cast<double>(tap.product());
  return total;
}

Result<ConvArithResult> computeConvArith(const ConvArithLabState& stateIn) {
  ConvArithLabState state = stateIn;
  fillDefaultValues(state);
  ConvArithResult r;
  r.rank = state.rank;
  r.inputSize = inputDims(state);
  r.kernelSize = kernelDims(state);
  r.input = state.input;
  r.kernel = state.kernel;
  r.flip = state.flip && !state.transposed;
  r.transposed = state.transposed;
  const size_t rank = r.inputSize.size();
  const Tensor x(batchedShape(r.inputSize), state.input);
  const Tensor w(batchedShape(r.kernelSize), state.kernel);

  // Flipping along every spatial axis of a row-major kernel reverses its values.
  std::vector<float> flippedKernel(state.kernel.rbegin(), state.kernel.rend());
  std::vector<Index> kernel(r.kernelSize.begin(), r.kernelSize.end());
  ConvLayerSpec spec;
  spec.input = {state.inChannels};
  for (int d : r.inputSize) spec.input.push_back(d);
  spec.filters = state.filters;
  spec.kernel = kernel;

  if (!state.transposed) {
    ConvOptions options;
    options.stride = {state.stride};
    options.dilation = {state.dilation};
    options.padding = {state.padding};
    if (state.causal && state.rank != 2) options.paddingRule = PaddingRule::Causal;
    Result<ConvGeometry> geometry = convGeometry(x.shape(), w.shape(), options);
    if (!geometry) return geometry.error();
    Result<Tensor> y = conv(x, w, Tensor(), options);
    if (!y) return y.error();
    r.output = y->toVector();
    if (r.flip) {
      ConvOptions trueConvolution = options;
      trueConvolution.trueConvolution = true;
      Result<Tensor> flipped = conv(x, w, Tensor(), trueConvolution);
      if (!flipped) return flipped.error();
      r.flippedOutput = flipped->toVector();
    }
    for (size_t i = 0; i < rank; ++i) {
      const ConvGeometry& g = *geometry;
      r.outputSize.push_back(static_cast<int>(g.outputSize[i]));
      r.canvasSize.push_back(static_cast<int>(g.padBefore[i] + g.inputSize[i] + g.padAfter[i]));
      r.windowOffset.push_back(0);
      r.windowStride.push_back(static_cast<int>(g.stride[i]));
      r.dilation.push_back(static_cast<int>(g.dilation[i]));
    }
    // The window of true convolution lays the flipped kernel on the input.
    r.appliedKernel = r.flip ? flippedKernel : state.kernel;
    const int cells = productOf(r.canvasSize);
    r.canvasKind.assign(static_cast<size_t>(cells), CanvasCell::Padding);
    r.canvasSource.assign(static_cast<size_t>(cells), -1);
    r.canvasValue.assign(static_cast<size_t>(cells), 0.0f);
    for (int c = 0; c < cells; ++c) {
      std::vector<int> at = unravel(c, r.canvasSize);
      bool inside = true;
      for (size_t i = 0; i < rank; ++i) {
        at[i] -= static_cast<int>(geometry->padBefore[i]);
        inside = inside && at[i] >= 0 && at[i] < r.inputSize[i];
      }
      if (!inside) continue;
      const int source = ravel(at, r.inputSize);
      r.canvasKind[static_cast<size_t>(c)] = CanvasCell::Input;
      r.canvasSource[static_cast<size_t>(c)] = source;
      r.canvasValue[static_cast<size_t>(c)] = state.input[static_cast<size_t>(source)];
    }
    spec.options = options;
    Result<LayerCost> cost = convLayerCost(spec);
    if (!cost) return cost.error();
    r.cost = *cost;
    for (const DerivationStep& step : r.cost.steps)
      if (step.quantity.size() > 4 && step.quantity.ends_with("_out")) r.shapeSteps.push_back(step);
    Result<SeparableCost> separable = depthwiseSeparableCost(spec);
    if (separable) r.separable = *separable;
  } else {
    ConvTransposeOptions options;
    options.stride = {state.stride};
    options.dilation = {state.dilation};
    options.padding = {state.padding};
    options.outputPadding = {state.outputPadding};
    Result<ConvGeometry> geometry = convTransposeGeometry(x.shape(), w.shape(), options);
    if (!geometry) return geometry.error();
    Result<Tensor> y = convTranspose(x, w, Tensor(), options);
    if (!y) return y.error();
    r.output = y->toVector();
    const int s = state.stride, d = state.dilation, p = state.padding, op = state.outputPadding;
    for (size_t i = 0; i < rank; ++i) {
      const int border = d * (r.kernelSize[i] - 1);
      r.outputSize.push_back(static_cast<int>(y->dim(static_cast<int>(i) + 2)));
      r.canvasSize.push_back((r.inputSize[i] - 1) * s + 1 + 2 * border + op);
      r.windowOffset.push_back(p);
      r.windowStride.push_back(1);
      r.dilation.push_back(d);
    }
    r.appliedKernel = flippedKernel;
    const int cells = productOf(r.canvasSize);
    r.canvasKind.assign(static_cast<size_t>(cells), CanvasCell::Padding);
    r.canvasSource.assign(static_cast<size_t>(cells), -1);
    r.canvasValue.assign(static_cast<size_t>(cells), 0.0f);
    for (int c = 0; c < cells; ++c) {
      std::vector<int> at = unravel(c, r.canvasSize);
      bool spread = true, onInput = true; // inside the spread-out input; on one of its cells
      for (size_t i = 0; i < rank; ++i) {
        const int u = at[i] - d * (r.kernelSize[i] - 1);
        spread = spread && u >= 0 && u <= (r.inputSize[i] - 1) * s;
        onInput = onInput && u >= 0 && u % s == 0 && u / s < r.inputSize[i];
        at[i] = onInput ? u / s : 0;
      }
      if (!spread) continue;
      if (!onInput) {
        r.canvasKind[static_cast<size_t>(c)] = CanvasCell::Inserted;
        continue;
      }
      const int source = ravel(at, r.inputSize);
      r.canvasKind[static_cast<size_t>(c)] = CanvasCell::Input;
      r.canvasSource[static_cast<size_t>(c)] = source;
      r.canvasValue[static_cast<size_t>(c)] = state.input[static_cast<size_t>(source)];
    }
    // conv_arith.h has no transposed layer cost (yet): the standard counts, stated here.
    // Weights [C, F, k...]; every input element is multiplied by every filter tap once.
    const std::vector<std::string> names = spatialDimNames(state.rank);
    for (size_t i = 0; i < rank; ++i) {
      const std::string dim = names[i];
      r.shapeSteps.push_back(
          {dim + "_out", "(" + dim + " − 1)·s − 2p + d·(k − 1) + output_padding + 1",
           "(" + std::to_string(r.inputSize[i]) + " − 1)·" + std::to_string(s) + " − 2·" +
               std::to_string(p) + " + " + std::to_string(d) + "·(" +
               std::to_string(r.kernelSize[i]) + " − 1) + " + std::to_string(op) + " + 1",
           std::to_string(r.outputSize[i])});
    }
    const Index taps = productOf(r.kernelSize);
    const Index C = state.inChannels, F = state.filters;
    r.cost.outputShape = {F};
    for (int o : r.outputSize) r.cost.outputShape.push_back(o);
    r.cost.weights = C * F * taps;
    r.cost.bias = F;
    r.cost.macs = C * F * taps * productOf(r.inputSize);
    r.cost.outputBytes = F * productOf(r.outputSize) * 4;
    r.cost.steps = {{"weights", "C · F · Πk",
                     count(C) + " · " + count(F) + " · " + joinDims(r.kernelSize, " · "),
                     count(r.cost.weights)},
                    {"bias", "F (one per filter)", count(F), count(F)},
                    {"params", "weights + bias", count(r.cost.weights) + " + " + count(F),
                     count(r.cost.params())},
                    {"MACs", "C · Πin · F · Πk  (every input cell meets every tap)",
                     count(C) + " · " + joinDims(r.inputSize, " · ") + " · " + count(F) + " · " +
                         joinDims(r.kernelSize, " · "),
                     count(r.cost.macs)}};
  }

  // What no window position reaches: before the first window (cropped by transposed padding) and
  // after the last one, which floor division leaves unused.
  const int cells = productOf(r.canvasSize);
  r.canvasUnused.assign(static_cast<size_t>(cells), false);
  for (int c = 0; c < cells; ++c) {
    const std::vector<int> at = unravel(c, r.canvasSize);
    for (size_t i = 0; i < rank; ++i) {
      const int first = r.windowOffset[i];
      const int last =
          first + (r.outputSize[i] - 1) * r.windowStride[i] + r.dilation[i] * (r.kernelSize[i] - 1);
      if (at[i] < first || at[i] > last) r.canvasUnused[static_cast<size_t>(c)] = true;
    }
  }
  r.pytorch = pytorchLine(state);
  return r;
}

WindowStep windowAt(const ConvArithResult& r, int position) {
  WindowStep step;
  step.outputIndex = std::clamp(position, 0, std::max(r.outputCount() - 1, 0));
  step.outputAt = unravel(step.outputIndex, r.outputSize);
  for (size_t i = 0; i < r.outputSize.size(); ++i)
    step.start.push_back(r.windowOffset[i] + step.outputAt[i] * r.windowStride[i]);
  const int taps = productOf(r.kernelSize);
  for (int k = 0; k < taps; ++k) {
    const std::vector<int> kAt = unravel(k, r.kernelSize);
    std::vector<int> at(kAt.size());
    for (size_t i = 0; i < kAt.size(); ++i) at[i] = step.start[i] + kAt[i] * r.dilation[i];
    WindowTap tap;
    tap.canvasIndex = ravel(at, r.canvasSize);
    tap.kernelIndex = k;
    tap.value = r.canvasValue[static_cast<size_t>(tap.canvasIndex)];
    tap.weight = r.appliedKernel[static_cast<size_t>(k)];
    step.taps.push_back(tap);
  }
  return step;
}

std::string pytorchLine(const ConvArithLabState& state) {
  const int rank = state.rank;
  const std::string r = std::to_string(rank);
  auto perDim = [&](int temporal, int spatial) {
    if (rank != 3 || temporal == spatial) return std::to_string(spatial);
    return "(" + std::to_string(temporal) + ", " + std::to_string(spatial) + ", " +
           std::to_string(spatial) + ")";
  };
  const bool causal = state.causal && rank != 2 && !state.transposed;
  std::string line = std::string("nn.") + (state.transposed ? "ConvTranspose" : "Conv") + r + "d(" +
                     std::to_string(state.inChannels) + ", " + std::to_string(state.filters) +
                     ", kernel_size=" + perDim(state.kernelFrames, state.kernelSize);
  if (state.stride != 1) line += ", stride=" + std::to_string(state.stride);
  // Causal: PyTorch has no such padding; pad the time axis in front, d·(k − 1) steps.
  const int front = state.dilation * ((rank == 3 ? state.kernelFrames : state.kernelSize) - 1);
  if (causal && rank == 3) {
    if (state.padding != 0)
      line += ", padding=(0, " + std::to_string(state.padding) + ", " +
              std::to_string(state.padding) + ")";
  } else if (!causal && state.padding != 0) {
    line += ", padding=" + std::to_string(state.padding);
  }
  if (state.transposed && state.outputPadding != 0)
    line += ", output_padding=" + std::to_string(state.outputPadding);
  if (state.dilation != 1) line += ", dilation=" + std::to_string(state.dilation);
  line += ")";
  if (causal) {
    const std::string pad =
        rank == 1 ? "nn.ConstantPad1d((" + std::to_string(front) + ", 0), 0.0)"
                  : "nn.ConstantPad3d((0, 0, 0, 0, " + std::to_string(front) + ", 0), 0.0)";
    line = "nn.Sequential(" + pad + ", " + line + ")";
  }
  if (state.flip && !state.transposed)
    line += "  # PyTorch cross-correlates: flip the weight for true convolution";
  return line;
}

plot::Figure convArithFigure(const ConvArithLabState& state, const ConvArithResult& r) {
  plot::Figure figure;
  const WindowStep step = windowAt(r, state.position);
  const int rank = r.rank;
  const int rows = rank == 1 ? 1 : r.outputSize[static_cast<size_t>(rank - 2)];
  const int cols = r.outputSize.back();
  const int frames = rank == 3 ? r.outputSize[0] : 1;
  char title[160];
  std::snprintf(title, sizeof title, "%s output %s: step %d of %d, the window gives %g",
                r.transposed ? "Transposed-convolution" : "Convolution",
                joinDims(r.outputSize).c_str(), step.outputIndex + 1, r.outputCount(),
                r.output[static_cast<size_t>(step.outputIndex)]);
  figure.title = title;
  plot::Heatmap heatmap;
  heatmap.rows = rows;
  heatmap.cols = frames * cols; // video frames side by side, separated by lines
  heatmap.values.resize(static_cast<size_t>(rows * frames * cols));
  for (int t = 0; t < frames; ++t)
    for (int y = 0; y < rows; ++y)
      for (int x = 0; x < cols; ++x)
        heatmap.values[static_cast<size_t>(y * frames * cols + t * cols + x)] =
            r.output[static_cast<size_t>((t * rows + y) * cols + x)];
  heatmap.x1 = frames * cols;
  heatmap.y1 = rows;
  heatmap.showValues = true;
  heatmap.colorbarLabel = "output value";
  figure.heatmap = heatmap;
  for (int t = 1; t < frames; ++t) {
    plot::LineSeries divider;
    divider.x = {double(t * cols), double(t * cols)};
    divider.y = {0.0, double(rows)};
    divider.color = plot::Color{1, 1, 1, 1};
    divider.width = 3.0f;
    figure.lines.push_back(divider);
  }
  const int at = rank == 3 ? step.outputAt[0] : 0;
  // The current cell outlined (a marker would cover its value).
  const double cx = at * cols + step.outputAt.back();
  const double cy = rank == 1 ? 0 : step.outputAt[static_cast<size_t>(rank - 2)];
  plot::LineSeries current;
  current.x = {cx, cx + 1, cx + 1, cx, cx};
  current.y = {cy, cy, cy + 1, cy + 1, cy};
  current.color = plot::Color::rgb(230, 120, 0);
  current.width = 3.5f;
  figure.lines.push_back(current);
  figure.xAxis.label =
      rank == 3 ? "frames t side by side, column w" : (rank == 1 ? "l" : "column w");
  figure.yAxis.label = rank == 1 ? "" : "row h";
  figure.yAxis.invert = true;
  figure.xAxis.gridLines = figure.yAxis.gridLines = false;
  figure.legend = plot::LegendCorner::None;
  figure.equalAspect = true;
  return figure;
}

namespace {

// ---------------------------------------------------------------------------------------------
// Drawing
// ---------------------------------------------------------------------------------------------

constexpr ImU32 kInk = IM_COL32(25, 25, 30, 255);
constexpr ImU32 kGridLine = IM_COL32(150, 150, 160, 255);
constexpr ImU32 kInputFill = IM_COL32(255, 255, 255, 255);
constexpr ImU32 kPaddingFill = IM_COL32(255, 236, 179, 255);  // zeros around the input
constexpr ImU32 kInsertedFill = IM_COL32(225, 212, 250, 255); // zeros between (transposed)
constexpr ImU32 kUnusedFill = IM_COL32(190, 190, 195, 255);   // never reached: greyed
constexpr ImU32 kFaintInk = IM_COL32(120, 120, 128, 255);
constexpr ImU32 kKernelFill = IM_COL32(214, 236, 214, 255);
constexpr ImU32 kTapFill = IM_COL32(255, 170, 60, 255); // under the window
constexpr ImU32 kWindowEdge = IM_COL32(215, 95, 0, 255);
constexpr ImU32 kCurrentFill = IM_COL32(255, 140, 0, 255); // the output cell being summed
constexpr ImU32 kDoneFill = IM_COL32(255, 240, 220, 255);  // output cells already computed

std::string valueText(float v) {
  char text[24];
  std::snprintf(text, sizeof text, "%g", static_cast<double>(v));
  return text;
}

// One labelled grid of cells on screen: frames side by side (video), each rows × cols.
struct GridBlock {
  std::string title, detail;
  std::vector<int> dims; // spatial dims of the grid, as in the result
  int frames() const { return dims.size() == 3 ? dims[0] : 1; }
  int rows() const { return dims.size() == 1 ? 1 : dims[dims.size() - 2]; }
  int cols() const { return dims.back(); }
  static constexpr float kFrameGap = 0.5f; // in cells
  float widthCells() const { return frames() * cols() + (frames() - 1) * kFrameGap; }
  // Top-left of cell `index` (row-major over dims) relative to the grid's origin.
  ImVec2 cellOffset(int index, float cell) const {
    const std::vector<int> at = unravel(index, dims);
    const int t = dims.size() == 3 ? at[0] : 0;
    const int y = dims.size() == 1 ? 0 : at[dims.size() - 2];
    const float x = (t * (cols() + kFrameGap) + at.back()) * cell;
    return ImVec2(x, y * cell);
  }
};

struct PlacedBlock {
  GridBlock block;
  ImVec2 origin; // top-left of the cells (under the title lines)
  float width = 0;
};

class ConvArithLab final : public Lab {
public:
  ConvArithLab() { fillDefaultValues(state_); }

  void draw(const LabContext& context) override {
    const float em = ImGui::GetFontSize();
    ImGui::BeginChild("controls",
                      ImVec2(std::min(18 * em, 0.3f * ImGui::GetContentRegionAvail().x), 0));
    drawControls();
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("window");
    recomputeIfChanged();
    drawPlayback();
    if (!error_.empty()) {
      ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.75f, 0.1f, 0.1f, 1));
      ImGui::TextWrapped("Cannot compute this geometry: %s%s", error_.c_str(),
                         result_ ? "  (showing the last valid one)" : "");
      ImGui::PopStyleColor();
    }
    if (result_) drawGridsAndArithmetic(context);
    ImGui::EndChild();
  }

  nlohmann::json saveState() const override {
    static const char* kModes[] = {"", "1d", "2d", "3d"};
    return {{"mode", kModes[state_.rank]},
            {"input_size", state_.inputSize},
            {"frames", state_.frames},
            {"kernel_size", state_.kernelSize},
            {"kernel_frames", state_.kernelFrames},
            {"stride", state_.stride},
            {"padding", state_.padding},
            {"causal", state_.causal},
            {"dilation", state_.dilation},
            {"transposed", state_.transposed},
            {"output_padding", state_.outputPadding},
            {"flip", state_.flip},
            {"input", state_.input},
            {"kernel", state_.kernel},
            {"position", state_.position},
            {"speed", state_.speed},
            {"in_channels", state_.inChannels},
            {"filters", state_.filters}};
  }

  Status loadState(const nlohmann::json& json) override {
    ConvArithLabState next = state_;
    JsonReader reader(json, "state");
    std::string mode = std::to_string(next.rank) + "d";
    reader.choice("mode", mode, {"1d", "2d", "3d"})
        .integer("input_size", next.inputSize, 3, 16)
        .integer("frames", next.frames, 1, 8)
        .integer("kernel_size", next.kernelSize, 1, 7)
        .integer("kernel_frames", next.kernelFrames, 1, 5)
        .integer("stride", next.stride, 0, 4)
        .integer("padding", next.padding, 0, 4)
        .boolean("causal", next.causal)
        .integer("dilation", next.dilation, 1, 4)
        .boolean("transposed", next.transposed)
        .integer("output_padding", next.outputPadding, 0, 3)
        .boolean("flip", next.flip)
        .integer("position", next.position, 0, 100000)
        .number("speed", next.speed, 0.1, 20.0)
        .integer("in_channels", next.inChannels, 1, 4096)
        .integer("filters", next.filters, 1, 4096);
    next.rank = mode[0] - '0';
    readValues(reader, json, "input", static_cast<size_t>(productOf(inputDims(next))), next.input);
    readValues(reader, json, "kernel", static_cast<size_t>(productOf(kernelDims(next))),
               next.kernel);
    if (!reader.ok()) return reader.status();
    fillDefaultValues(next);
    state_ = next;
    return Status::success();
  }

  plot::Figure exportFigure() const override {
    Result<ConvArithResult> result = computeConvArith(state_);
    if (result) return convArithFigure(state_, *result);
    plot::Figure figure;
    figure.title = "Invalid geometry: " + result.error().message();
    return figure;
  }

private:
  // A list of values of the given count (the grid's cells), each a number in [−99, 99].
  static void readValues(JsonReader& reader, const nlohmann::json& json, const char* key,
                         size_t expected, std::vector<float>& out) {
    if (!reader.ok() || !json.contains(key)) return;
    std::vector<double> values;
    reader.numbers(key, values, 0, 4096);
    if (!reader.ok()) return;
    if (values.size() != expected) {
      reader.fail(key, "expected " + std::to_string(expected) +
                           " values (the grid's cells, row-major), got " +
                           std::to_string(values.size()));
      return;
    }
    for (size_t i = 0; i < values.size(); ++i)
      if (!(values[i] >= -99 && values[i] <= 99)) {
        reader.fail(std::string(key) + "[" + std::to_string(i) + "]",
                    "expected a number in [−99, 99]");
        return;
      }
    out.assign(values.begin(), values.end());
  }

  void recomputeIfChanged() {
    fillDefaultValues(state_);
    ConvArithLabState key = state_; // the window's position and speed do not change the result
    key.position = 0;
    key.speed = 0;
    if (!computed_ || !(key == computedFor_)) {
      Result<ConvArithResult> result = computeConvArith(state_);
      if (result) {
        result_ = std::move(result).value();
        error_.clear();
      } else {
        error_ = result.error().message();
      }
      computedFor_ = key;
      computed_ = true;
    }
    if (result_) state_.position = std::clamp(state_.position, 0, result_->outputCount() - 1);
  }

  void drawControls() {
    ImGui::TextDisabled("INPUT");
    int modeIndex = state_.rank - 1;
    const char* modes[] = {"1-D sequence", "2-D image", "3-D video"};
    ImGui::SetNextItemWidth(-1);
    if (ImGui::Combo("##mode", &modeIndex, modes, 3)) state_.rank = modeIndex + 1;
    ImGui::SetNextItemWidth(-1);
    ImGui::SliderInt("##size", &state_.inputSize, 3, 16,
                     state_.rank == 1 ? "length L = %d" : "H = W = %d");
    if (state_.rank == 3) {
      ImGui::SetNextItemWidth(-1);
      ImGui::SliderInt("##frames", &state_.frames, 1, 6, "frames T = %d");
    }
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("Randomize");
    ImGui::SameLine();
    if (ImGui::Button("input")) randomizeValues(state_.input, state_.input.size(), ++seed_, 0, 4);
    ImGui::SameLine();
    if (ImGui::Button("kernel"))
      randomizeValues(state_.kernel, state_.kernel.size(), ++seed_, -2, 2);
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled(
        "Click a cell: +1, right-click: −1. Click an output cell to move the window there.");
    ImGui::PopTextWrapPos();

    ImGui::Spacing();
    ImGui::TextDisabled("KERNEL AND GEOMETRY");
    ImGui::SetNextItemWidth(-1);
    ImGui::SliderInt("##kernel", &state_.kernelSize, 1, 7, "kernel k = %d");
    if (state_.rank == 3) {
      ImGui::SetNextItemWidth(-1);
      ImGui::SliderInt("##kernelFrames", &state_.kernelFrames, 1, 4, "temporal k_T = %d");
    }
    ImGui::SetNextItemWidth(-1);
    ImGui::SliderInt("##stride", &state_.stride, 0, 4, "stride s = %d");
    ImGui::SetNextItemWidth(-1);
    ImGui::SliderInt("##padding", &state_.padding, 0, 4, "padding p = %d");
    ImGui::SetNextItemWidth(-1);
    ImGui::SliderInt("##dilation", &state_.dilation, 1, 4, "dilation d = %d");
    if (state_.rank != 2 && !state_.transposed)
      ImGui::Checkbox(state_.rank == 1 ? "Causal (no future steps)" : "Causal in time",
                      &state_.causal);
    ImGui::Checkbox("Transposed convolution", &state_.transposed);
    if (state_.transposed) {
      ImGui::SetNextItemWidth(-1);
      ImGui::SliderInt("##outputPadding", &state_.outputPadding, 0, 3, "output_padding = %d");
    } else {
      ImGui::Checkbox("Flip: true convolution", &state_.flip);
    }

    ImGui::Spacing();
    ImGui::TextDisabled("LAYER FOR THE COUNTS");
    ImGui::SetNextItemWidth(-1);
    ImGui::SliderInt("##channels", &state_.inChannels, 1, 512, "in channels C = %d",
                     ImGuiSliderFlags_Logarithmic);
    ImGui::SetNextItemWidth(-1);
    ImGui::SliderInt("##filters", &state_.filters, 1, 512, "filters F = %d",
                     ImGuiSliderFlags_Logarithmic);
  }

  void drawPlayback() {
    const ImGuiIO& io = ImGui::GetIO();
    const int steps = result_ ? result_->outputCount() : 1;
    // Animation time is ImGui's frame time, never the wall clock: a screenshot is a function of
    // the state and the frame count.
    if (playing_ && steps > 0) {
      playClock_ += io.DeltaTime * state_.speed;
      while (playClock_ >= 1.0f) {
        playClock_ -= 1.0f;
        state_.position = (state_.position + 1) % steps;
      }
    }
    const float em = ImGui::GetFontSize();
    if (ImGui::Button(playing_ ? "Pause" : "Play", ImVec2(4.5f * em, 0))) {
      playing_ = !playing_;
      playClock_ = 0;
    }
    ImGui::SameLine();
    if (ImGui::Button("◀ Back")) state_.position = (state_.position + steps - 1) % steps;
    ImGui::SameLine();
    if (ImGui::Button("Step ▶")) state_.position = (state_.position + 1) % steps;
    ImGui::SameLine();
    ImGui::SetNextItemWidth(8 * em);
    ImGui::SliderFloat("##speed", &state_.speed, 0.25f, 10.0f, "%.2g steps/s",
                       ImGuiSliderFlags_Logarithmic);
    ImGui::SameLine();
    char format[48];
    std::snprintf(format, sizeof format, "step %%d of %d", steps);
    int shown = state_.position + 1;
    ImGui::SetNextItemWidth(-1);
    if (ImGui::SliderInt("##timeline", &shown, 1, std::max(steps, 1), format))
      state_.position = shown - 1;
  }

  ImFont* monoFont(const LabContext& context) const {
    return context.monoFont ? context.monoFont : ImGui::GetFont();
  }

  std::vector<GridBlock> makeBlocks(const ConvArithResult& r) const {
    std::vector<GridBlock> blocks;
    const std::string in = joinDims(r.inputSize);
    GridBlock canvas{"INPUT " + in, "", r.canvasSize};
    if (r.transposed)
      canvas.detail = "zeros: s−1 between,\nborder d(k−1)"; // two lines: narrow on a projector
    else if (r.canvasSize != r.inputSize)
      canvas.detail = "padded to " + joinDims(r.canvasSize);
    else
      canvas.detail = "no padding";
    if (r.dilation[0] > 1) canvas.detail += "; d = " + std::to_string(r.dilation[0]) + ": holes";
    blocks.push_back(canvas);
    if (r.flip) {
      blocks.push_back({"KERNEL " + joinDims(r.kernelSize), "as stored", r.kernelSize});
      blocks.push_back({"FLIPPED", "true convolution", r.kernelSize});
    } else {
      blocks.push_back({"KERNEL " + joinDims(r.kernelSize),
                        r.transposed ? "flipped, as applied" : "", r.kernelSize});
    }
    const std::string out = joinDims(r.outputSize);
    blocks.push_back(
        {"OUTPUT " + out, r.transposed ? "transposed conv" : "cross-correlation", r.outputSize});
    if (r.flip) blocks.push_back({"OUTPUT " + out, "true convolution", r.outputSize});
    return blocks;
  }

  // The title line and the detail lines (one or more) above every grid.
  static float labelHeightOf(const std::vector<GridBlock>& blocks) {
    float detail = ImGui::GetTextLineHeight();
    for (const GridBlock& b : blocks)
      detail = std::max(detail, ImGui::CalcTextSize(b.detail.c_str()).y);
    return ImGui::GetTextLineHeight() + detail + 0.2f * ImGui::GetFontSize();
  }

  // Places the blocks in one row (input | kernel | output) or two (input above kernel | output),
  // whichever gives larger cells; returns the cell size.
  float layoutBlocks(const std::vector<GridBlock>& blocks, ImVec2 origin, ImVec2 area,
                     float labelHeight, std::vector<PlacedBlock>& placed) const {
    const float em = ImGui::GetFontSize();
    const float maxCell = 2.6f * em, minCell = 0.5f * em;
    float bestCell = 0;
    for (int rows = 1; rows <= 2; ++rows) {
      for (float cell = maxCell; cell >= minCell; cell -= 1.0f) {
        std::vector<PlacedBlock> attempt;
        float x = origin.x, y = origin.y + labelHeight, rowHeight = 0, widest = 0;
        for (size_t b = 0; b < blocks.size(); ++b) {
          if (rows == 2 && b == 1) {
            x = origin.x;
            y += rowHeight + labelHeight + 0.6f * em;
            rowHeight = 0;
          }
          const float width = std::max(blocks[b].widthCells() * cell,
                                       std::max(ImGui::CalcTextSize(blocks[b].title.c_str()).x,
                                                ImGui::CalcTextSize(blocks[b].detail.c_str()).x));
          attempt.push_back({blocks[b], ImVec2(x, y), width});
          x += width + std::max(cell, em);
          widest = std::max(widest, x - origin.x - std::max(cell, em));
          rowHeight =
              std::max(rowHeight, blocks[b].rows() * cell + (blocks[b].frames() > 1 ? em : 0.0f));
        }
        const float height = y + rowHeight - origin.y;
        if (widest <= area.x && height <= area.y) {
          if (cell > bestCell) {
            bestCell = cell;
            placed = attempt;
          }
          break;
        }
      }
    }
    if (bestCell == 0) { // too small even at the minimum: draw at the minimum, clipped
      bestCell = minCell;
      placed.clear();
      float x = origin.x;
      for (const GridBlock& b : blocks) {
        const float width =
            std::max(b.widthCells() * minCell, std::max(ImGui::CalcTextSize(b.title.c_str()).x,
                                                        ImGui::CalcTextSize(b.detail.c_str()).x));
        placed.push_back({b, ImVec2(x, origin.y + labelHeight), width});
        x += width + em;
      }
    }
    return bestCell;
  }

  void drawValue(ImDrawList* draw, ImFont* font, float cell, ImVec2 p, const std::string& text,
                 ImU32 color) const {
    float size = std::min(ImGui::GetFontSize(), 0.5f * cell);
    const float width = font->CalcTextSizeA(size, FLT_MAX, 0, text.c_str()).x;
    if (width > 0.88f * cell) size *= 0.88f * cell / width;
    if (size < 7.0f) return;
    const ImVec2 extent = font->CalcTextSizeA(size, FLT_MAX, 0, text.c_str());
    draw->AddText(font, size,
                  ImVec2(p.x + 0.5f * (cell - extent.x), p.y + 0.5f * (cell - extent.y)), color,
                  text.c_str());
  }

  void drawGrids(const LabContext& context, ImVec2 area) {
    const ConvArithResult& r = *result_;
    const WindowStep step = windowAt(r, state_.position);
    const std::vector<GridBlock> blocks = makeBlocks(r);
    const float em = ImGui::GetFontSize();
    const float line = ImGui::GetTextLineHeight();
    const float labelHeight = labelHeightOf(blocks);
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    std::vector<PlacedBlock> placed;
    const float cell = layoutBlocks(blocks, origin, area, labelHeight, placed);
    ImDrawList* draw = ImGui::GetWindowDrawList();
    ImFont* mono = monoFont(context);
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    const bool hovered = ImGui::IsWindowHovered();
    const int clicked = ImGui::IsMouseClicked(0) ? 1 : (ImGui::IsMouseClicked(1) ? -1 : 0);
    auto cellHit = [&](ImVec2 p) {
      return hovered && clicked != 0 && mouse.x >= p.x && mouse.x < p.x + cell && mouse.y >= p.y &&
             mouse.y < p.y + cell;
    };

    for (size_t b = 0; b < placed.size(); ++b) {
      const PlacedBlock& pb = placed[b];
      const GridBlock& block = pb.block;
      draw->AddText(ImVec2(pb.origin.x, pb.origin.y - labelHeight), kInk, block.title.c_str());
      draw->AddText(ImVec2(pb.origin.x, pb.origin.y - labelHeight + line), kFaintInk,
                    block.detail.c_str());
      const int cells = productOf(block.dims);
      const bool isCanvas = b == 0;
      const bool isKernel =
          !isCanvas && block.dims == r.kernelSize && b < placed.size() - (r.flip ? 2 : 1);
      const bool isFlippedOutput = r.flip && b == placed.size() - 1;
      for (int c = 0; c < cells; ++c) {
        const ImVec2 offset = block.cellOffset(c, cell);
        const ImVec2 p(pb.origin.x + offset.x, pb.origin.y + offset.y);
        const ImVec2 q(p.x + cell, p.y + cell);
        ImU32 fill = kInputFill, ink = kInk;
        std::string text;
        if (isCanvas) {
          const CanvasCell kind = r.canvasKind[static_cast<size_t>(c)];
          fill = kind == CanvasCell::Input
                     ? kInputFill
                     : (kind == CanvasCell::Padding ? kPaddingFill : kInsertedFill);
          ink = kind == CanvasCell::Input ? kInk : kFaintInk;
          if (r.canvasUnused[static_cast<size_t>(c)]) {
            fill = kUnusedFill;
            ink = kFaintInk;
          }
          text = valueText(r.canvasValue[static_cast<size_t>(c)]);
          if (cellHit(p) && kind == CanvasCell::Input)
            editValue(state_.input, r.canvasSource[static_cast<size_t>(c)], clicked);
        } else if (isKernel) {
          fill = kKernelFill;
          // The first kernel block shows the kernel as applied (flipped in transposed mode); with
          // the flip toggle it shows the stored kernel, and the block after it the flipped one.
          const bool stored = r.flip && b == 1;
          const std::vector<float>& values = stored ? r.kernel : r.appliedKernel;
          text = valueText(values[static_cast<size_t>(c)]);
          const bool reversed = r.transposed || (r.flip && b == 2);
          if (cellHit(p)) editValue(state_.kernel, reversed ? cells - 1 - c : c, clicked);
        } else {
          const std::vector<float>& values = isFlippedOutput ? r.flippedOutput : r.output;
          const bool current = c == step.outputIndex;
          const bool done = c < step.outputIndex;
          fill = current ? kCurrentFill : (done ? kDoneFill : kInputFill);
          if (current || done) text = valueText(values[static_cast<size_t>(c)]);
          if (cellHit(p) && clicked > 0) state_.position = c;
        }
        draw->AddRectFilled(p, q, fill);
        draw->AddRect(p, q, kGridLine);
        if (!text.empty()) drawValue(draw, mono, cell, p, text, ink);
      }
      if (block.frames() > 1) { // frame labels under a video's frames
        for (int t = 0; t < block.frames(); ++t) {
          const std::string label = "t = " + std::to_string(t);
          const float x = pb.origin.x + t * (block.cols() + GridBlock::kFrameGap) * cell;
          draw->AddText(ImVec2(x, pb.origin.y + block.rows() * cell + 0.1f * em), kFaintInk,
                        label.c_str());
        }
      }
      if (isCanvas) drawWindow(draw, mono, pb, step, cell);
      if (isKernel && (!r.flip || b == 2 || r.transposed)) drawKernelEdge(draw, pb, cell);
    }
    float bottom = origin.y;
    for (const PlacedBlock& pb : placed)
      bottom = std::max(bottom,
                        pb.origin.y + pb.block.rows() * cell + (pb.block.frames() > 1 ? em : 0.0f));
    ImGui::Dummy(ImVec2(area.x, bottom - origin.y + 0.3f * em));
  }

  void drawKernelEdge(ImDrawList* draw, const PlacedBlock& pb, float cell) const {
    const ImVec2 end(pb.origin.x + pb.block.widthCells() * cell,
                     pb.origin.y + pb.block.rows() * cell);
    draw->AddRect(pb.origin, end, kWindowEdge, 0, 0, std::max(2.0f, 0.12f * ImGui::GetFontSize()));
  }

  // The window on the canvas: its taps filled, a thick edge around its span (dilation's holes are
  // the unfilled cells inside it), per video frame it reaches; each tap shows "×w" in its corner.
  void drawWindow(ImDrawList* draw, ImFont* font, const PlacedBlock& pb, const WindowStep& step,
                  float cell) const {
    const ConvArithResult& r = *result_;
    const float thickness = std::max(2.0f, 0.14f * ImGui::GetFontSize());
    for (const WindowTap& tap : step.taps) {
      const ImVec2 offset = pb.block.cellOffset(tap.canvasIndex, cell);
      const ImVec2 p(pb.origin.x + offset.x, pb.origin.y + offset.y);
      draw->AddRectFilled(p, ImVec2(p.x + cell, p.y + cell), kTapFill);
      draw->AddRect(p, ImVec2(p.x + cell, p.y + cell), kGridLine);
      drawValue(draw, font, cell, p, valueText(tap.value), kInk);
      const std::string weight = "×" + valueText(tap.weight);
      const float size = 0.3f * cell;
      if (size >= 7.0f) {
        const ImVec2 extent = font->CalcTextSizeA(size, FLT_MAX, 0, weight.c_str());
        draw->AddText(font, size, ImVec2(p.x + cell - extent.x - 1, p.y + cell - extent.y),
                      kWindowEdge, weight.c_str());
      }
    }
    // The span's edge, frame by frame (a video kernel reaches k_T frames).
    const size_t rank = r.kernelSize.size();
    const int spatialRows = rank == 1 ? 1 : r.dilation[rank - 2] * (r.kernelSize[rank - 2] - 1) + 1;
    const int spatialCols = r.dilation.back() * (r.kernelSize.back() - 1) + 1;
    const int framesReached = rank == 3 ? r.kernelSize[0] : 1;
    for (int kt = 0; kt < framesReached; ++kt) {
      std::vector<int> at = step.start;
      if (rank == 3) at[0] += kt * r.dilation[0];
      const ImVec2 offset = pb.block.cellOffset(ravel(at, r.canvasSize), cell);
      const ImVec2 p(pb.origin.x + offset.x, pb.origin.y + offset.y);
      draw->AddRect(p, ImVec2(p.x + spatialCols * cell, p.y + spatialRows * cell), kWindowEdge, 0,
                    0, thickness);
      if (rank == 3) { // the frame itself is inside the kernel's temporal extent
        const float frameX = pb.origin.x + at[0] * (pb.block.cols() + GridBlock::kFrameGap) * cell;
        draw->AddRect(
            ImVec2(frameX - 3, pb.origin.y - 3),
            ImVec2(frameX + pb.block.cols() * cell + 3, pb.origin.y + pb.block.rows() * cell + 3),
            kWindowEdge, 0, 0, 0.5f * thickness);
      }
    }
  }

  static void editValue(std::vector<float>& values, int index, int delta) {
    if (index < 0 || index >= static_cast<int>(values.size())) return;
    float& v = values[static_cast<size_t>(index)];
    v = std::clamp(v + static_cast<float>(delta), -9.0f, 9.0f);
  }

  // ---- the arithmetic beside or under the grids ----
  //
  // The panel is a list of lines measured before they are drawn, so the lab can choose where it
  // goes: beside the grids (one column) when that leaves them cells at least as large as under
  // them (two columns), and never so tall that a projector's large text has to scroll.

  struct PanelLine {
    enum class Kind { Heading, Text, Faint, Sum, Split, CopyButton };
    Kind kind = Kind::Text;
    std::string text;               // Split: the parts joined by spaces
    std::string tail;               // Sum: the engine's value beside it
    std::vector<std::string> parts; // Split: pieces a line too wide breaks between, each further
                                    // line indented ("H_out" | "= ⌊…⌋ + 1" | "= 3")
  };

  // This step: the products of the taps, a line per kernel row, then their sum beside the
  // engine's value for the same cell (equal by construction; the tests check it), and the
  // matching PyTorch layer.
  std::vector<PanelLine> stepLines() const {
    using Kind = PanelLine::Kind;
    const ConvArithResult& r = *result_;
    const WindowStep step = windowAt(r, state_.position);
    std::vector<PanelLine> lines;
    std::string where;
    for (size_t i = 0; i < step.outputAt.size(); ++i)
      where += (i ? ", " : "") + std::to_string(step.outputAt[i]);
    lines.push_back(panelLine(Kind::Heading, "THIS STEP: OUTPUT (" + where + ")"));
    const int perRow = r.kernelSize.back();
    const int rowCount = static_cast<int>(step.taps.size()) / perRow;
    constexpr int kMaxLines = 4;
    for (int row = 0; row < rowCount; ++row) {
      if (row == kMaxLines && rowCount > kMaxLines + 1) {
        lines.push_back(panelLine(Kind::Faint, "+ … " + std::to_string(rowCount - kMaxLines) +
                                                   " more rows of products"));
        break;
      }
      std::string text = row == 0 ? "  " : "+ ";
      for (int k = 0; k < perRow; ++k) {
        const WindowTap& tap = step.taps[static_cast<size_t>(row * perRow + k)];
        text += (k ? " + " : "") + valueText(tap.value) + "·" +
                (tap.weight < 0 ? "(" + valueText(tap.weight) + ")" : valueText(tap.weight));
      }
      lines.push_back(panelLine(Kind::Text, text));
    }
    const float engine =
        (r.flip ? r.flippedOutput : r.output)[static_cast<size_t>(step.outputIndex)];
    lines.push_back(
        panelLine(Kind::Sum, "= " + valueText(static_cast<float>(step.sum())),
                  std::string(" engine ") +
                      (r.transposed ? "convTranspose()" : (r.flip ? "true conv" : "conv()")) +
                      ": " + valueText(engine)));
    lines.push_back(panelLine(Kind::CopyButton, "Copy as PyTorch"));
    lines.push_back(panelLine(Kind::Text, r.pytorch));
    return lines;
  }

  // The output-size formula with this case's numbers, the layer's counts and the
  // depthwise-separable comparison.
  std::vector<PanelLine> sizeLines() const {
    using Kind = PanelLine::Kind;
    const ConvArithResult& r = *result_;
    std::vector<PanelLine> lines;
    lines.push_back(panelLine(Kind::Heading, "OUTPUT SIZE"));
    std::string lastFormula;
    for (size_t i = 0; i < r.shapeSteps.size(); ++i) {
      const DerivationStep& s = r.shapeSteps[i];
      // The symbolic formula once per distinct form (causal time differs from symmetric space).
      std::string formula = s.formula;
      const size_t dim = formula.find(s.quantity.substr(0, s.quantity.size() - 4));
      if (dim != std::string::npos) formula.replace(dim, s.quantity.size() - 4, "in");
      if (formula != lastFormula) lines.push_back(panelLine(Kind::Faint, "out = " + formula));
      lastFormula = formula;
      // Dims with the same numbers share one line: "H_out = W_out = ⌊(6 + 2·1 − …) / 2⌋ + 1".
      std::string quantities = s.quantity;
      while (i + 1 < r.shapeSteps.size() && r.shapeSteps[i + 1].substituted == s.substituted &&
             r.shapeSteps[i + 1].formula.size() == s.formula.size())
        quantities += " = " + r.shapeSteps[++i].quantity;
      lines.push_back(split({quantities, "= " + s.substituted, "= " + s.result}));
    }
    lines.push_back(panelLine(Kind::Heading,
                              "LAYER: " + std::to_string(state_.inChannels) + " → " +
                                  std::to_string(state_.filters) + " CHANNELS",
                              ""));
    lines.push_back(split({"params " + count(r.cost.params()), "· MACs " + count(r.cost.macs)}));
    if (r.separable) {
      const SeparableCost& sep = *r.separable;
      auto stepResult = [](const Derivation& steps, const char* quantity) {
        for (const DerivationStep& s : steps)
          if (s.quantity == quantity) return s.result;
        return std::string("?");
      };
      lines.push_back(
          split({"depthwise-separable:",
                 "params " + count(sep.total.params()) + " (" + count(sep.depthwise.params()) +
                     " + " + count(sep.pointwise.params()) + ")",
                 "· MACs " + count(sep.total.macs)}));
      lines.push_back(
          split({"separable / plain:", "params " + stepResult(sep.total.steps, "params ratio"),
                 "· MACs " + stepResult(sep.total.steps, "MACs ratio")}));
    } else {
      lines.push_back(
          panelLine(Kind::Faint, "(no depthwise-separable form of a transposed convolution here)"));
    }
    return lines;
  }

  static PanelLine panelLine(PanelLine::Kind kind, std::string text, std::string tail = "") {
    return PanelLine{kind, std::move(text), std::move(tail), {}};
  }
  static PanelLine split(std::vector<std::string> parts) {
    PanelLine line{PanelLine::Kind::Split, "", "", std::move(parts)};
    for (const std::string& part : line.parts) line.text += (line.text.empty() ? "" : " ") + part;
    return line;
  }

  // A Split line's rows in a column `width` wide: parts fill a row while they fit; the rows after
  // the first are indented (splitIndent()). A part wider than its row wraps there.
  static float splitIndent() { return 2 * ImGui::GetFontSize(); }
  static std::vector<std::string> splitRows(const PanelLine& line, float width) {
    std::vector<std::string> rows;
    for (const std::string& part : line.parts) {
      const float room = rows.size() <= 1 ? width : width - splitIndent();
      if (!rows.empty() && ImGui::CalcTextSize((rows.back() + " " + part).c_str()).x <= room)
        rows.back() += " " + part;
      else
        rows.push_back(part);
    }
    return rows;
  }

  // The panel's lines sit closer than ImGui's items: they read as a block, and a projector's large
  // text then fits beside the grids.
  static float lineSpacing() { return 0.4f * ImGui::GetStyle().ItemSpacing.y; }

  // Height of the lines drawn by drawLines() in a column `width` wide.
  static float linesHeight(const std::vector<PanelLine>& lines, float width) {
    float height = 0;
    for (const PanelLine& line : lines) {
      switch (line.kind) {
      case PanelLine::Kind::CopyButton: height += lineSpacing() + ImGui::GetFrameHeight(); break;
      case PanelLine::Kind::Split: {
        const std::vector<std::string> rows = splitRows(line, width);
        for (size_t i = 0; i < rows.size(); ++i)
          height +=
              (i ? lineSpacing() : 0.0f) + ImGui::CalcTextSize(rows[i].c_str(), nullptr, false,
                                                               i ? width - splitIndent() : width)
                                               .y;
        break;
      }
      case PanelLine::Kind::Sum: height += ImGui::GetTextLineHeight(); break;
      default: height += ImGui::CalcTextSize(line.text.c_str(), nullptr, false, width).y;
      }
      height += lineSpacing();
    }
    return height;
  }

  void drawLines(const std::vector<PanelLine>& lines) {
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing,
                        ImVec2(ImGui::GetStyle().ItemSpacing.x, lineSpacing()));
    ImGui::PushTextWrapPos(0);
    for (const PanelLine& line : lines) {
      switch (line.kind) {
      case PanelLine::Kind::Heading:
      case PanelLine::Kind::Faint: ImGui::TextDisabled("%s", line.text.c_str()); break;
      case PanelLine::Kind::Text: ImGui::TextUnformatted(line.text.c_str()); break;
      case PanelLine::Kind::Sum:
        ImGui::TextUnformatted(line.text.c_str());
        ImGui::SameLine();
        ImGui::TextDisabled("%s", line.tail.c_str());
        break;
      case PanelLine::Kind::Split: {
        const std::vector<std::string> rows = splitRows(line, ImGui::GetContentRegionAvail().x);
        for (size_t i = 0; i < rows.size(); ++i) {
          if (i == 1) ImGui::Indent(splitIndent());
          ImGui::TextUnformatted(rows[i].c_str());
        }
        if (rows.size() > 1) ImGui::Unindent(splitIndent());
        break;
      }
      case PanelLine::Kind::CopyButton:
        ImGui::Dummy(ImVec2(0, 0));
        if (ImGui::Button(line.text.c_str())) ImGui::SetClipboardText(result_->pytorch.c_str());
        break;
      }
    }
    ImGui::PopTextWrapPos();
    ImGui::PopStyleVar();
  }

  // The cell size the grids get in `area` (what layoutBlocks() chooses) and the width they use.
  std::pair<float, float> gridCell(ImVec2 area) const {
    const std::vector<GridBlock> blocks = makeBlocks(*result_);
    std::vector<PlacedBlock> placed;
    if (area.x <= 0 || area.y <= 0) return {0.0f, 0.0f};
    const float cell = layoutBlocks(blocks, ImVec2(0, 0), area, labelHeightOf(blocks), placed);
    float width = 0;
    for (const PlacedBlock& pb : placed) width = std::max(width, pb.origin.x + pb.width);
    return {cell, width};
  }

  void drawGridsAndArithmetic(const LabContext& context) {
    const float em = ImGui::GetFontSize();
    const ImGuiStyle& style = ImGui::GetStyle();
    const ImVec2 available = ImGui::GetContentRegionAvail();
    const std::vector<PanelLine> step = stepLines(), size = sizeLines();

    // Beside: one column that fits the height without scrolling; of the widths tried, the one
    // that leaves the grids the largest cells (the widest of equals: fewer wrapped lines).
    const float sideGap = em;
    float sideCell = 0, sideUsed = 0;
    for (float fraction : {0.6f, 0.55f, 0.5f, 0.45f, 0.4f, 0.35f}) {
      const float width = fraction * available.x;
      if (linesHeight(step, width - em) + style.ItemSpacing.y + linesHeight(size, width - em) >
          available.y)
        continue;
      const auto [cell, used] = gridCell(ImVec2(available.x - width - sideGap, available.y));
      if (cell > sideCell + 0.5f) sideCell = cell, sideUsed = used;
    }
    const ImVec2 sideGrids(sideUsed + 1, available.y);

    // Under: two columns (40 % | 60 %) in a table, as tall as the taller one.
    const float cellPadding = 2 * style.CellPadding.x + 2;
    const float belowHeight = std::max(linesHeight(step, 0.4f * available.x - cellPadding),
                                       linesHeight(size, 0.6f * available.x - cellPadding)) +
                              2 * style.CellPadding.y + style.ItemSpacing.y;
    const ImVec2 belowGrids(available.x, std::max(0.45f * available.y, available.y - belowHeight));
    const float belowCell = gridCell(belowGrids).first;

    if (sideCell > belowCell) {
      // The grids take the width their cells need; the text gets the rest (fewer wrapped lines).
      ImGui::BeginGroup();
      drawGrids(context, sideGrids);
      ImGui::EndGroup();
      ImGui::SameLine(0, sideGap);
      ImGui::BeginChild("arithmetic", ImVec2(0, 0));
      const ImVec2 top = ImGui::GetCursorScreenPos();
      ImGui::GetWindowDrawList()->AddLine(
          ImVec2(top.x - 0.5f * sideGap, top.y),
          ImVec2(top.x - 0.5f * sideGap, top.y + ImGui::GetContentRegionAvail().y),
          ImGui::GetColorU32(ImGuiCol_Separator));
      drawLines(step);
      ImGui::Spacing();
      drawLines(size);
      ImGui::EndChild();
      return;
    }
    drawGrids(context, belowGrids);
    const ImGuiTableFlags flags =
        ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_ScrollY;
    if (!ImGui::BeginTable("arithmetic", 2, flags, ImGui::GetContentRegionAvail())) return;
    ImGui::TableSetupColumn("step", ImGuiTableColumnFlags_WidthStretch, 0.4f);
    ImGui::TableSetupColumn("formula", ImGuiTableColumnFlags_WidthStretch, 0.6f);
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    drawLines(step);
    ImGui::TableNextColumn();
    drawLines(size);
    ImGui::EndTable();
  }

  ConvArithLabState state_;
  ConvArithLabState computedFor_; // the state the result is for (position and speed zeroed)
  bool computed_ = false;
  std::optional<ConvArithResult> result_; // the last valid geometry's result: stays on an error
  std::string error_;                     // the engine's reason the current state has no result
  bool playing_ = false;                  // not in scenes: a loaded scene shows a fixed step
  float playClock_ = 0;                   // steps accumulated from ImGui's DeltaTime
  unsigned seed_ = 0;                     // for "Random input/kernel"
};

} // namespace

std::unique_ptr<Lab> createConvArithLab() {
  return std::make_unique<ConvArithLab>();
}

} // namespace nnlab::app
