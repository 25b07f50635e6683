#include "nnlab/conv.h"

#include <algorithm>

#include "conv_kernels.h"

namespace nnlab {
namespace {

using detail::Conv3;
using detail::PadMap;

std::string countNoun(size_t n, const char* noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

// One value for every spatial dimension, or one per dimension, expanded to one per dimension.
Result<std::vector<Index>> expandDims(const DimValues& values, int rank, const char* name,
                                      Index fallback) {
  if (values.empty()) return std::vector<Index>(static_cast<size_t>(rank), fallback);
  if (values.size() == 1) return std::vector<Index>(static_cast<size_t>(rank), values[0]);
  if (values.size() == static_cast<size_t>(rank)) return values;
  return Error{name, "give 1 value or " + std::to_string(rank) +
                         " (one per spatial dimension), got " + std::to_string(values.size())};
}

Status checkAtLeast(const std::vector<Index>& values, Index minimum, const char* name,
                    const std::vector<std::string>& dims) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i] < minimum) {
      std::string where = values.size() > 1 ? " along " + dims[i] : "";
      return Error{name, "must be at least " + std::to_string(minimum) + where + " (got " +
                             std::to_string(values[i]) + ")"};
    }
  }
  return {};
}

std::array<PadMap, 3> padMaps(const ConvGeometry& g, PaddingMode mode) {
  std::array<PadMap, 3> maps{PadMap{0}, PadMap{0}, PadMap{0}};
  const int lead = 3 - g.spatialRank;
  for (int i = 0; i < g.spatialRank; ++i) {
    const size_t s = static_cast<size_t>(i);
    maps[static_cast<size_t>(lead + i)] =
        detail::makePadMap(g.inputSize[s], g.padBefore[s], g.padAfter[s], mode);
  }
  return maps;
}

std::array<Index, 3> size3(const std::vector<Index>& size) {
  std::array<Index, 3> s{1, 1, 1};
  const size_t lead = 3 - size.size();
  for (size_t i = 0; i < size.size(); ++i) s[lead + i] = size[i];
  return s;
}

bool hasPadding(const ConvGeometry& g) {
  for (int i = 0; i < g.spatialRank; ++i)
    if (g.padBefore[static_cast<size_t>(i)] || g.padAfter[static_cast<size_t>(i)]) return true;
  return false;
}

// The kernel reversed along every spatial axis: for a row-major block that is the flat reverse.
Tensor flippedKernels(const Tensor& weight) {
  Tensor flipped = weight;
  const Index k = weight.numel() / (weight.dim(0) * weight.dim(1));
  for (Index i = 0; i < weight.dim(0) * weight.dim(1); ++i)
    std::reverse(flipped.data() + i * k, flipped.data() + (i + 1) * k);
  return flipped;
}

// The input padded by rule and mode into `storage`, or the input itself when there is no padding.
const float* paddedInput(const Tensor& input, const ConvGeometry& g, PaddingMode mode,
                         std::vector<float>& storage) {
  if (!hasPadding(g)) return input.data();
  const Conv3 c = detail::toConv3(g);
  storage.resize(static_cast<size_t>(g.batch * g.inChannels * c.paddedVolume()));
  detail::gatherPadded(input.data(), storage.data(), g.batch * g.inChannels, size3(g.inputSize),
                       padMaps(g, mode));
  return storage.data();
}

Status checkBias(const Tensor& bias, Index channels) {
  if (bias.empty()) return {};
  if (bias.rank() != 1 || bias.dim(0) != channels)
    return Error{"bias", "shape " + bias.shape().toString() + " should be " +
                             std::to_string(channels) + " (one per output channel)"};
  return {};
}

void addBias(Tensor& y, const Tensor& bias) {
  if (bias.empty()) return;
  const Index channels = y.dim(1), plane = y.numel() / (y.dim(0) * channels);
  for (Index n = 0; n < y.dim(0); ++n)
    for (Index f = 0; f < channels; ++f) {
      float* p = y.data() + (n * channels + f) * plane;
      const float b = bias.data()[f];
      for (Index i = 0; i < plane; ++i) p[i] += b;
    }
}

Tensor biasGradient(const Tensor& gradOutput) {
  const Index channels = gradOutput.dim(1);
  const Index plane = gradOutput.numel() / (gradOutput.dim(0) * channels);
  Tensor g(Shape{channels});
  for (Index n = 0; n < gradOutput.dim(0); ++n)
    for (Index f = 0; f < channels; ++f) {
      const float* p = gradOutput.data() + (n * channels + f) * plane;
      // Double: a sum over a whole feature map. Eight partial sums so the compiler can vectorize
      // it (one running sum is a strict chain of additions it must keep in order).
      double partial[8] = {};
      Index i = 0;
      for (; i + 8 <= plane; i += 8)
        for (int lane = 0; lane < 8; ++lane) partial[lane] += p[i + lane];
      double sum = 0.0;
      for (; i < plane; ++i) sum += p[i];
      for (double s : partial) sum += s;
      g.data()[f] += static_cast<float>(sum);
    }
  return g;
}

Status checkGradOutput(const Tensor& gradOutput, const Shape& expected) {
  if (gradOutput.shape() != expected)
    return Error{"gradOutput", "shape " + gradOutput.shape().toString() + " should be " +
                                   expected.toString() + " (the output's shape)"};
  return {};
}

} // namespace

Shape ConvGeometry::outputShape() const {
  std::vector<Index> dims{batch, outChannels};
  dims.insert(dims.end(), outputSize.begin(), outputSize.end());
  return Shape(dims);
}

std::vector<std::string> spatialDimNames(int spatialRank) {
  switch (spatialRank) {
  case 1: return {"L"};
  case 2: return {"H", "W"};
  case 3: return {"T", "H", "W"};
  default: return std::vector<std::string>(static_cast<size_t>(std::max(spatialRank, 0)), "?");
  }
}

Result<ConvGeometry> convGeometry(Index inChannels, const std::vector<Index>& inputSize,
                                  Index filters, const std::vector<Index>& kernelValues,
                                  const ConvOptions& options) {
  const int rank = static_cast<int>(inputSize.size());
  if (rank < 1 || rank > 3)
    return Error{"input", "needs 1 to 3 spatial dimensions after the channels (got " +
                              countNoun(inputSize.size(), "dimension") + ")"};
  const std::vector<std::string> dims = spatialDimNames(rank);
  if (inChannels < 1)
    return Error{"input", "channels must be at least 1 (got " + std::to_string(inChannels) + ")"};
  if (Status s = checkAtLeast(inputSize, 1, "input", dims); !s) return s.error();
  if (filters < 1)
    return Error{"filters", "must be at least 1 (got " + std::to_string(filters) + ")"};

  ConvGeometry g;
  g.spatialRank = rank;
  g.inChannels = inChannels;
  g.outChannels = filters;
  g.groups = options.groups;
  g.inputSize = inputSize;
  auto kernel = expandDims(kernelValues, rank, "kernel", 1);
  auto stride = expandDims(options.stride, rank, "stride", 1);
  auto dilation = expandDims(options.dilation, rank, "dilation", 1);
  auto padding = expandDims(options.padding, rank, "padding", 0);
  auto paddingAfter = expandDims(
      options.paddingAfter.empty() ? options.padding : options.paddingAfter, rank, "padding", 0);
  for (const auto* r : {&kernel, &stride, &dilation, &padding, &paddingAfter})
    if (!*r) return r->error();
  g.kernel = *kernel;
  g.stride = *stride;
  g.dilation = *dilation;
  if (Status s = checkAtLeast(g.kernel, 1, "kernel", dims); !s) return s.error();
  if (Status s = checkAtLeast(g.stride, 1, "stride", dims); !s) return s.error();
  if (Status s = checkAtLeast(g.dilation, 1, "dilation", dims); !s) return s.error();
  if (Status s = checkAtLeast(*padding, 0, "padding", dims); !s) return s.error();
  if (Status s = checkAtLeast(*paddingAfter, 0, "padding", dims); !s) return s.error();

  if (g.groups < 1)
    return Error{"groups", "must be at least 1 (got " + std::to_string(g.groups) + ")"};
  if (inChannels % g.groups != 0)
    return Error{"groups", "input channels " + std::to_string(inChannels) +
                               " are not divisible by groups " + std::to_string(g.groups) +
                               " (remainder " + std::to_string(inChannels % g.groups) + ")"};
  if (filters % g.groups != 0)
    return Error{"groups", "filters " + std::to_string(filters) + " are not divisible by groups " +
                               std::to_string(g.groups) + " (remainder " +
                               std::to_string(filters % g.groups) + ")"};

  g.padBefore = *padding;
  g.padAfter = *paddingAfter;
  for (int i = 0; i < rank; ++i) {
    const size_t s = static_cast<size_t>(i);
    const Index span = g.dilation[s] * (g.kernel[s] - 1) + 1; // dilated kernel extent
    if (options.paddingRule == PaddingRule::Same) {
      // TensorFlow: out = ⌈in / s⌉, total = max((out − 1)·s + span − in, 0), extra on the far side.
      const Index out = (inputSize[s] + g.stride[s] - 1) / g.stride[s];
      const Index total = std::max<Index>((out - 1) * g.stride[s] + span - inputSize[s], 0);
      g.padBefore[s] = total / 2;
      g.padAfter[s] = total - total / 2;
    } else if (options.paddingRule == PaddingRule::Causal && i == 0) {
      g.padBefore[s] = span - 1;
      g.padAfter[s] = 0;
    }
  }

  g.outputSize.resize(static_cast<size_t>(rank));
  for (int i = 0; i < rank; ++i) {
    const size_t s = static_cast<size_t>(i);
    const Index in = inputSize[s], before = g.padBefore[s], after = g.padAfter[s];
    const Index largest = std::max(before, after);
    if (options.paddingMode == PaddingMode::Reflect && largest > in - 1)
      return Error{"padding", "reflect padding " + std::to_string(largest) + " along " + dims[s] +
                                  " must be below the size " + std::to_string(in) + " (over by " +
                                  std::to_string(largest - in + 1) + ")"};
    if (options.paddingMode == PaddingMode::Circular && largest > in)
      return Error{"padding", "circular padding " + std::to_string(largest) + " along " + dims[s] +
                                  " must not exceed the size " + std::to_string(in) + " (over by " +
                                  std::to_string(largest - in) + ")"};
    const Index span = g.dilation[s] * (g.kernel[s] - 1) + 1;
    const Index padded = in + before + after;
    if (span > padded)
      return Error{"kernel", "dilated size " + std::to_string(span) +
                                 " (d·(k−1)+1 with k=" + std::to_string(g.kernel[s]) +
                                 ", d=" + std::to_string(g.dilation[s]) +
                                 ") exceeds the padded input " + std::to_string(padded) +
                                 " along " + dims[s] + " by " + std::to_string(span - padded)};
    g.outputSize[s] = (padded - span) / g.stride[s] + 1;
  }
  return g;
}

Result<ConvGeometry> convGeometry(const Shape& input, const Shape& weight,
                                  const ConvOptions& options) {
  if (input.rank() < 3 || input.rank() > 5)
    return Error{"input", "shape " + input.toString() +
                              " should be [N, C, spatial...] with 1 to 3 spatial dimensions"};
  if (weight.rank() != input.rank())
    return Error{"weight", "shape " + weight.toString() + " should have rank " +
                               std::to_string(input.rank()) + " like the input " +
                               input.toString() + ": [F, C/groups, kernel...]"};
  std::vector<Index> inputSize, kernel;
  for (int a = 2; a < input.rank(); ++a) {
    inputSize.push_back(input[a]);
    kernel.push_back(weight[a]);
  }
  Result<ConvGeometry> g = convGeometry(input[1], inputSize, weight[0], kernel, options);
  if (!g) return g;
  if (weight[1] * g->groups != input[1])
    return Error{"weight", "has " + std::to_string(weight[1]) + " input channels per filter; " +
                               "input channels " + std::to_string(input[1]) + " / groups " +
                               std::to_string(g->groups) + " = " +
                               std::to_string(input[1] / g->groups)};
  ConvGeometry geometry = std::move(g).value();
  geometry.batch = input[0];
  return geometry;
}

Result<Tensor> conv(const Tensor& input, const Tensor& weight, const Tensor& bias,
                    const ConvOptions& options) {
  Result<ConvGeometry> geometry = convGeometry(input.shape(), weight.shape(), options);
  if (!geometry) return geometry.error();
  if (Status s = checkBias(bias, geometry->outChannels); !s) return s.error();
  const ConvGeometry& g = *geometry;
  const Tensor w = options.trueConvolution ? flippedKernels(weight) : weight;
  Tensor y = Tensor::uninitialized(g.outputShape()); // every forward path overwrites y
  const Conv3 c = detail::toConv3(g);
  if (detail::directUnpaddedApplies(c, options.algorithm)) {
    // Memory-bound: reading the unpadded input directly saves writing and re-reading a copy.
    const std::array<PadMap, 3> maps = padMaps(g, options.paddingMode);
    const std::array<Index, 3> size = size3(g.inputSize);
    detail::convForwardDirectUnpadded(input.data(), w.data(), bias.empty() ? nullptr : bias.data(),
                                      y.data(), c, size[1], size[2], maps[1], maps[2]);
    return y;
  }
  if (detail::winogradApplies(c, options.algorithm)) {
    detail::convForwardWinogradUnpadded(input.data(), w.data(),
                                        bias.empty() ? nullptr : bias.data(), y.data(), c,
                                        size3(g.inputSize), padMaps(g, options.paddingMode));
    return y;
  }
  if (detail::phasedGemmApplies(c, options.algorithm)) {
    detail::convForwardPhasedGemm(input.data(), w.data(), bias.empty() ? nullptr : bias.data(),
                                  y.data(), c, size3(g.inputSize), padMaps(g, options.paddingMode));
    return y;
  }
  std::vector<float> padded;
  const float* x = paddedInput(input, g, options.paddingMode, padded);
  detail::convForwardKernel(x, w.data(), bias.empty() ? nullptr : bias.data(), y.data(), c,
                            options.algorithm);
  return y;
}

Result<ConvGradients> convBackward(const Tensor& input, const Tensor& weight, bool hasBias,
                                   const Tensor& gradOutput, const ConvOptions& options) {
  Result<ConvGeometry> geometry = convGeometry(input.shape(), weight.shape(), options);
  if (!geometry) return geometry.error();
  const ConvGeometry& g = *geometry;
  if (Status s = checkGradOutput(gradOutput, g.outputShape()); !s) return s.error();
  const Conv3 c = detail::toConv3(g);
  const Tensor w = options.trueConvolution ? flippedKernels(weight) : weight;

  ConvGradients grads;
  grads.input = Tensor(input.shape());
  if (hasPadding(g)) {
    std::vector<float> gradPadded(static_cast<size_t>(g.batch * g.inChannels * c.paddedVolume()));
    detail::convBackwardDataKernel(gradOutput.data(), w.data(), gradPadded.data(), c);
    detail::scatterPadded(gradPadded.data(), grads.input.data(), g.batch * g.inChannels,
                          size3(g.inputSize), padMaps(g, options.paddingMode));
  } else {
    detail::convBackwardDataKernel(gradOutput.data(), w.data(), grads.input.data(), c);
  }

  std::vector<float> padded;
  const float* x = paddedInput(input, g, options.paddingMode, padded);
  grads.weight = Tensor(weight.shape());
  detail::convBackwardWeightKernel(x, gradOutput.data(), grads.weight.data(), c);
  // y depends on w through the flipped copy; flipping the gradient back is its chain rule.
  if (options.trueConvolution) grads.weight = flippedKernels(grads.weight);
  if (hasBias) grads.bias = biasGradient(gradOutput);
  return grads;
}

// ---------------------------------------------------------------------------------------------
// Transposed convolution: run as the adjoint (backward-data) of the conv that maps the transposed
// output (padded by p, plus output_padding) back to the transposed input.
// ---------------------------------------------------------------------------------------------

namespace {

// The conv whose adjoint the transposed conv is: input = transposed output (channels Cout),
// output = transposed input (channels Cin), weight as given [Cin, Cout/g, k].
Conv3 adjointConv(const ConvGeometry& t) {
  ConvGeometry conv = t;
  conv.inChannels = t.outChannels;
  conv.outChannels = t.inChannels;
  conv.inputSize = t.outputSize;
  conv.outputSize = t.inputSize;
  // Padded size out + 2p: output_padding is already inside `out`, at the far side.
  return detail::toConv3(conv);
}

std::array<PadMap, 3> cropMaps(const ConvGeometry& t) {
  std::array<PadMap, 3> maps{PadMap{0}, PadMap{0}, PadMap{0}};
  const int lead = 3 - t.spatialRank;
  for (int i = 0; i < t.spatialRank; ++i) {
    const size_t s = static_cast<size_t>(i);
    maps[static_cast<size_t>(lead + i)] =
        detail::makePadMap(t.outputSize[s], t.padBefore[s], t.padAfter[s], PaddingMode::Zeros);
  }
  return maps;
}

} // namespace

Result<ConvGeometry> convTransposeGeometry(const Shape& input, const Shape& weight,
                                           const ConvTransposeOptions& options) {
  if (input.rank() < 3 || input.rank() > 5)
    return Error{"input", "shape " + input.toString() +
                              " should be [N, Cin, spatial...] with 1 to 3 spatial dimensions"};
  const int rank = input.rank() - 2;
  const std::vector<std::string> dims = spatialDimNames(rank);
  if (weight.rank() != input.rank())
    return Error{"weight", "shape " + weight.toString() + " should have rank " +
                               std::to_string(input.rank()) + ": [Cin, Cout/groups, kernel...]"};
  if (options.groups < 1)
    return Error{"groups", "must be at least 1 (got " + std::to_string(options.groups) + ")"};
  if (input[1] % options.groups != 0)
    return Error{"groups", "input channels " + std::to_string(input[1]) +
                               " are not divisible by groups " + std::to_string(options.groups) +
                               " (remainder " + std::to_string(input[1] % options.groups) + ")"};
  if (weight[0] != input[1])
    return Error{"weight", "first dimension " + std::to_string(weight[0]) +
                               " should equal the input channels " + std::to_string(input[1])};
  ConvGeometry g;
  g.spatialRank = rank;
  g.batch = input[0];
  g.inChannels = input[1];
  g.outChannels = weight[1] * options.groups;
  g.groups = options.groups;
  auto stride = expandDims(options.stride, rank, "stride", 1);
  auto dilation = expandDims(options.dilation, rank, "dilation", 1);
  auto padding = expandDims(options.padding, rank, "padding", 0);
  auto outputPadding = expandDims(options.outputPadding, rank, "output_padding", 0);
  for (const auto* r : {&stride, &dilation, &padding, &outputPadding})
    if (!*r) return r->error();
  g.stride = *stride;
  g.dilation = *dilation;
  if (Status s = checkAtLeast(g.stride, 1, "stride", dims); !s) return s.error();
  if (Status s = checkAtLeast(g.dilation, 1, "dilation", dims); !s) return s.error();
  if (Status s = checkAtLeast(*padding, 0, "padding", dims); !s) return s.error();
  if (Status s = checkAtLeast(*outputPadding, 0, "output_padding", dims); !s) return s.error();
  for (int i = 0; i < rank; ++i) {
    const size_t s = static_cast<size_t>(i);
    const Index in = input[i + 2], k = weight[i + 2], op = (*outputPadding)[s];
    if (in < 1 || k < 1)
      return Error{in < 1 ? "input" : "kernel", "must be at least 1 along " + dims[s] + " (got " +
                                                    std::to_string(in < 1 ? in : k) + ")"};
    const Index limit = std::max(g.stride[s], g.dilation[s]);
    if (op >= limit)
      return Error{"output_padding",
                   std::to_string(op) + " along " + dims[s] +
                       " must be below max(stride, dilation) = " + std::to_string(limit)};
    const Index out = (in - 1) * g.stride[s] - 2 * (*padding)[s] + g.dilation[s] * (k - 1) + op + 1;
    if (out < 1)
      return Error{"padding", "2·" + std::to_string((*padding)[s]) + " along " + dims[s] +
                                  " crops the whole output (size would be " + std::to_string(out) +
                                  ", short by " + std::to_string(1 - out) + ")"};
    g.inputSize.push_back(in);
    g.kernel.push_back(k);
    g.outputSize.push_back(out);
    g.padBefore.push_back((*padding)[s]);
    g.padAfter.push_back((*padding)[s]);
  }
  return g;
}

Result<Tensor> convTranspose(const Tensor& input, const Tensor& weight, const Tensor& bias,
                             const ConvTransposeOptions& options) {
  Result<ConvGeometry> geometry = convTransposeGeometry(input.shape(), weight.shape(), options);
  if (!geometry) return geometry.error();
  if (Status s = checkBias(bias, geometry->outChannels); !s) return s.error();
  const ConvGeometry& g = *geometry;
  const Conv3 c = adjointConv(g);
  std::vector<float> full(static_cast<size_t>(g.batch * g.outChannels * c.paddedVolume()));
  detail::convBackwardDataKernel(input.data(), weight.data(), full.data(), c);
  Tensor y(g.outputShape());
  detail::scatterPadded(full.data(), y.data(), g.batch * g.outChannels, size3(g.outputSize),
                        cropMaps(g));
  addBias(y, bias);
  return y;
}

Result<ConvGradients> convTransposeBackward(const Tensor& input, const Tensor& weight, bool hasBias,
                                            const Tensor& gradOutput,
                                            const ConvTransposeOptions& options) {
  Result<ConvGeometry> geometry = convTransposeGeometry(input.shape(), weight.shape(), options);
  if (!geometry) return geometry.error();
  const ConvGeometry& g = *geometry;
  if (Status s = checkGradOutput(gradOutput, g.outputShape()); !s) return s.error();
  const Conv3 c = adjointConv(g);
  // The adjoint of "crop" is "pad with zeros"; then the adjoint of the adjoint is the conv.
  std::vector<float> full(static_cast<size_t>(g.batch * g.outChannels * c.paddedVolume()));
  detail::gatherPadded(gradOutput.data(), full.data(), g.batch * g.outChannels, size3(g.outputSize),
                       cropMaps(g));
  ConvGradients grads;
  grads.input = Tensor(input.shape());
  detail::convForwardKernel(full.data(), weight.data(), nullptr, grads.input.data(), c,
                            ConvAlgorithm::Auto);
  grads.weight = Tensor(weight.shape());
  detail::convBackwardWeightKernel(full.data(), input.data(), grads.weight.data(), c);
  if (hasBias) grads.bias = biasGradient(gradOutput);
  return grads;
}

} // namespace nnlab
