#include "nnlab/conv_arith.h"

#include <cstdio>
#include <functional>
#include <numeric>

namespace nnlab {
namespace {

std::string num(Index v) {
  return withThousandsSeparators(v);
}

// "a · b · c" of the values, for substituted formulas.
std::string product(const std::vector<Index>& values) {
  std::string s;
  for (size_t i = 0; i < values.size(); ++i) s += (i ? " · " : "") + std::to_string(values[i]);
  return s;
}

Index productOf(const std::vector<Index>& values) {
  return std::accumulate(values.begin(), values.end(), Index{1}, std::multiplies<>());
}

std::string shapeText(const std::vector<Index>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// The "x_out" steps of a resolved geometry, one per spatial dimension.
void outputSizeSteps(const ConvGeometry& g, PaddingRule rule, Derivation& steps) {
  const std::vector<std::string> dims = spatialDimNames(g.spatialRank);
  for (size_t i = 0; i < dims.size(); ++i) {
    const std::string& d = dims[i];
    const Index in = g.inputSize[i], k = g.kernel[i], s = g.stride[i], dil = g.dilation[i];
    const Index pb = g.padBefore[i], pa = g.padAfter[i];
    const std::string result = std::to_string(g.outputSize[i]);
    if (rule == PaddingRule::Same) {
      steps.push_back({d + "_out",
                       "⌈" + d + " / s⌉  (\"same\": padding " + std::to_string(pb) + " before, " +
                           std::to_string(pa) + " after)",
                       "⌈" + std::to_string(in) + " / " + std::to_string(s) + "⌉", result});
    } else if (pb == pa) {
      steps.push_back({d + "_out", "⌊(" + d + " + 2p − d·(k − 1) − 1) / s⌋ + 1",
                       "⌊(" + std::to_string(in) + " + 2·" + std::to_string(pb) + " − " +
                           std::to_string(dil) + "·(" + std::to_string(k) + " − 1) − 1) / " +
                           std::to_string(s) + "⌋ + 1",
                       result});
    } else {
      steps.push_back({d + "_out", "⌊(" + d + " + p_before + p_after − d·(k − 1) − 1) / s⌋ + 1",
                       "⌊(" + std::to_string(in) + " + " + std::to_string(pb) + " + " +
                           std::to_string(pa) + " − " + std::to_string(dil) + "·(" +
                           std::to_string(k) + " − 1) − 1) / " + std::to_string(s) + "⌋ + 1",
                       result});
    }
  }
}

std::string spatialSymbols(int rank, const std::string& prefix, const std::string& suffix) {
  std::string s;
  for (const std::string& d : spatialDimNames(rank)) s += " · " + prefix + d + suffix;
  return s;
}

// "[F, H_out, W_out]"
std::string shapeSymbols(const std::string& channels, int rank) {
  std::string s = "[" + channels;
  for (const std::string& d : spatialDimNames(rank)) s += ", " + d + "_out";
  return s + "]";
}

void addCostSteps(LayerCost& c, const std::string& macFormula, const std::string& macValues) {
  c.steps.push_back({"MACs", macFormula, macValues, num(c.macs)});
  c.steps.push_back(
      {"FLOPs", "2 · MACs  (a multiply and an add per MAC)", "2 · " + num(c.macs), num(c.flops())});
  const Index elements = productOf(c.outputShape);
  c.steps.push_back({"output bytes", "output elements · 4  (float32)", num(elements) + " · 4",
                     num(c.outputBytes)});
}

} // namespace

Result<LayerCost> convLayerCost(const ConvLayerSpec& spec) {
  if (spec.input.size() < 2)
    return Error{"input", "needs channels and 1 to 3 spatial sizes, like 3x64x64"};
  const std::vector<Index> spatial(spec.input.begin() + 1, spec.input.end());
  Result<ConvGeometry> geometry =
      convGeometry(spec.input[0], spatial, spec.filters, spec.kernel, spec.options);
  if (!geometry) return geometry.error();
  const ConvGeometry& g = *geometry;
  const int rank = g.spatialRank;
  const Index perGroup = g.inChannels / g.groups;
  const std::string group = g.groups == 1 ? "C" : "(C / g)";
  const std::string groupValue =
      g.groups == 1 ? std::to_string(g.inChannels)
                    : "(" + std::to_string(g.inChannels) + " / " + std::to_string(g.groups) + ")";

  LayerCost c;
  outputSizeSteps(g, spec.options.paddingRule, c.steps);
  c.outputShape = {g.outChannels};
  c.outputShape.insert(c.outputShape.end(), g.outputSize.begin(), g.outputSize.end());
  std::string outSymbols = "F" + spatialSymbols(rank, "", "_out");
  c.steps.push_back({"output shape", shapeSymbols("F", rank), shapeText(c.outputShape),
                     shapeText(c.outputShape)});

  c.weights = g.outChannels * perGroup * productOf(g.kernel);
  std::vector<Index> kernelFactors = g.kernel;
  c.steps.push_back(
      {"weights", "F · " + group + spatialSymbols(rank, "k", ""),
       std::to_string(g.outChannels) + " · " + groupValue + " · " + product(kernelFactors),
       num(c.weights)});
  c.bias = spec.bias ? g.outChannels : 0;
  c.steps.push_back({"bias", spec.bias ? "F (one per filter)" : "none (--no-bias)",
                     spec.bias ? std::to_string(g.outChannels) : "0", num(c.bias)});
  c.steps.push_back(
      {"params", "weights + bias", num(c.weights) + " + " + num(c.bias), num(c.params())});
  c.macs = productOf(c.outputShape) * perGroup * productOf(g.kernel);
  c.outputBytes = productOf(c.outputShape) * 4;
  addCostSteps(c, outSymbols + " · " + group + spatialSymbols(rank, "k", ""),
               product(c.outputShape) + " · " + groupValue + " · " + product(kernelFactors));
  return c;
}

Result<LayerCost> linearLayerCost(const std::vector<Index>& input, Index outFeatures, bool bias) {
  if (input.empty()) return Error{"input", "needs at least one size"};
  for (Index v : input)
    if (v < 1) return Error{"input", "sizes must be at least 1 (got " + std::to_string(v) + ")"};
  if (outFeatures < 1)
    return Error{"out", "must be at least 1 (got " + std::to_string(outFeatures) + ")"};
  const Index in = productOf(input);
  LayerCost c;
  c.steps.push_back({"in features", "flatten the input", product(input), num(in)});
  c.outputShape = {outFeatures};
  c.steps.push_back({"output shape", "out", std::to_string(outFeatures), shapeText(c.outputShape)});
  c.weights = in * outFeatures;
  c.steps.push_back({"weights", "in · out", num(in) + " · " + num(outFeatures), num(c.weights)});
  c.bias = bias ? outFeatures : 0;
  c.steps.push_back(
      {"bias", bias ? "out" : "none (--no-bias)", bias ? num(outFeatures) : "0", num(c.bias)});
  c.steps.push_back(
      {"params", "weights + bias", num(c.weights) + " + " + num(c.bias), num(c.params())});
  c.macs = in * outFeatures;
  c.outputBytes = outFeatures * 4;
  addCostSteps(c, "in · out", num(in) + " · " + num(outFeatures));
  return c;
}

Result<SeparableCost> depthwiseSeparableCost(const ConvLayerSpec& spec) {
  Result<LayerCost> plain = convLayerCost(spec);
  if (!plain) return plain.error();
  if (spec.options.groups != 1)
    return Error{"groups", "the depthwise-separable comparison replaces a plain convolution "
                           "(groups 1, got " +
                               std::to_string(spec.options.groups) + ")"};
  ConvLayerSpec depthwise = spec;
  depthwise.filters = spec.input[0];
  depthwise.options.groups = spec.input[0];
  Result<LayerCost> dw = convLayerCost(depthwise);
  if (!dw) return dw.error();
  ConvLayerSpec pointwise = spec;
  pointwise.input = dw->outputShape;
  pointwise.kernel = {1};
  pointwise.options = ConvOptions();
  Result<LayerCost> pw = convLayerCost(pointwise);
  if (!pw) return pw.error();

  SeparableCost s{*dw, *pw, {}};
  LayerCost& t = s.total;
  t.outputShape = pw->outputShape;
  t.weights = dw->weights + pw->weights;
  t.bias = dw->bias + pw->bias;
  t.macs = dw->macs + pw->macs;
  t.outputBytes = dw->outputBytes + pw->outputBytes;
  t.steps.push_back({"params", "depthwise + pointwise",
                     num(dw->params()) + " + " + num(pw->params()), num(t.params())});
  t.steps.push_back(
      {"MACs", "depthwise + pointwise", num(dw->macs) + " + " + num(pw->macs), num(t.macs)});
  t.steps.push_back({"FLOPs", "2 · MACs", "2 · " + num(t.macs), num(t.flops())});
  t.steps.push_back({"output bytes", "depthwise output + pointwise output",
                     num(dw->outputBytes) + " + " + num(pw->outputBytes), num(t.outputBytes)});
  auto ratio = [](Index a, Index b) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3f", static_cast<double>(a) / static_cast<double>(b));
    return std::string(text);
  };
  t.steps.push_back({"params ratio", "separable / plain convolution",
                     num(t.params()) + " / " + num(plain->params()),
                     ratio(t.params(), plain->params())});
  t.steps.push_back({"MACs ratio", "separable / plain convolution",
                     num(t.macs) + " / " + num(plain->macs), ratio(t.macs, plain->macs)});
  return s;
}

Result<LayerCost> poolLayerCost(const std::vector<Index>& input, const PoolOptions& options) {
  if (input.size() < 2)
    return Error{"input", "needs channels and 1 to 3 spatial sizes, like 16x31x31"};
  if (input[0] < 1)
    return Error{"input", "channels must be at least 1 (got " + std::to_string(input[0]) + ")"};
  const std::vector<Index> spatial(input.begin() + 1, input.end());
  Result<PoolGeometry> geometry = poolGeometry(spatial, options);
  if (!geometry) return geometry.error();
  const PoolGeometry& g = *geometry;
  LayerCost c;
  const std::vector<std::string> dims = spatialDimNames(g.spatialRank);
  for (size_t i = 0; i < dims.size(); ++i) {
    const std::string open = options.ceilMode ? "⌈" : "⌊", close = options.ceilMode ? "⌉" : "⌋";
    std::string formula = open + "(" + dims[i] + " + 2p − k) / s" + close + " + 1";
    if (options.ceilMode) formula += "  (−1 if the last window starts in the right padding)";
    c.steps.push_back({dims[i] + "_out", formula,
                       open + "(" + std::to_string(g.inputSize[i]) + " + 2·" +
                           std::to_string(g.padding[i]) + " − " + std::to_string(g.kernel[i]) +
                           ") / " + std::to_string(g.stride[i]) + close + " + 1",
                       std::to_string(g.outputSize[i])});
  }
  c.outputShape = {input[0]};
  c.outputShape.insert(c.outputShape.end(), g.outputSize.begin(), g.outputSize.end());
  c.steps.push_back({"output shape", shapeSymbols("C", g.spatialRank), shapeText(c.outputShape),
                     shapeText(c.outputShape)});
  c.steps.push_back({"params", "pooling has no parameters", "0", "0"});
  c.outputBytes = productOf(c.outputShape) * 4;
  c.steps.push_back({"output bytes", "output elements · 4  (float32)",
                     num(productOf(c.outputShape)) + " · 4", num(c.outputBytes)});
  return c;
}

} // namespace nnlab
