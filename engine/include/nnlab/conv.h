// conv.h: convolution of rank 1, 2 and 3, forward and backward, plain and transposed.
//
// Sections: options and geometry · forward · backward · transposed convolution.
//
// Layouts are PyTorch's, batch first and channels first:
//   input  [N, C, L] / [N, C, H, W] / [N, C, T, H, W]
//   weight [F, C/groups, kL] / [F, C/groups, kH, kW] / [F, C/groups, kT, kH, kW]
//   bias   [F], or an empty Tensor for "no bias"
//   output [N, F, spatial...]
//
// Convention: cross-correlation, as in every framework,
//   y[n, f, o] = b[f] + Σ_c Σ_k w[f, c, k] · x_pad[n, g·C/groups + c, o·s + k·d]
// with one (o, k, s, d) per spatial dimension and x_pad the input padded by the chosen rule and
// mode. `trueConvolution` flips the kernel along every spatial axis first (the textbook
// convolution). Output size per dimension (explicit padding p_before + p_after):
//   out = ⌊(in + p_before + p_after − d·(k − 1) − 1) / s⌋ + 1
//
//   ConvOptions opt;
//   opt.stride = {2};  opt.padding = {1};
//   Result<Tensor> y = conv(x, w, b, opt);             // x [1,3,64,64], w [16,3,5,5] ->
//   [1,16,31,31] if (!y) report(y.error().message());               // "stride: must be at least 1
//   (got 0)"
//
// Bad geometry (stride or dilation 0, kernel larger than the padded input, channels not divisible
// by groups, a weight that does not fit the input) is returned as an Error naming the quantity and
// by how much it is off; nothing here aborts on a user's numbers.
#pragma once

#include <string>
#include <vector>

#include "nnlab/status.h"
#include "nnlab/tensor.h"

namespace nnlab {

// ---------------------------------------------------------------------------------------------
// Options and geometry
// ---------------------------------------------------------------------------------------------

// Per-dimension values (kernel, stride, padding, dilation): either one value that applies to every
// spatial dimension or exactly one per spatial dimension, outermost first ({kH, kW}).
using DimValues = std::vector<Index>;

// What fills the padding.
enum class PaddingMode {
  Zeros,     // 0
  Reflect,   // mirror without repeating the edge: [a b c] -> b | a b c | b  (needs pad < size)
  Replicate, // repeat the edge value: a | a b c | c
  Circular,  // wrap around: c | a b c | a                                  (needs pad <= size)
};

// How much padding.
enum class PaddingRule {
  Explicit, // `padding` (and `paddingAfter` when asymmetric)
  Same, // TensorFlow's "same": out = ⌈in / s⌉, total padding split with the extra on the far side
  Causal, // sequences: d·(k − 1) before the first spatial dimension (L or T), none after, so no
          // output sees a later time step; the other dimensions use `padding`
};

// Which forward implementation. Auto picks the direct loop for small kernels on one input channel
// per group (edge filters, depthwise), Winograd F(4×4, 3×3) for images with a 3×3 kernel at unit
// stride or a stride that cuts the kernel into 3×3 blocks (11×11 at stride 4, 5×5 at stride 2:
// space-to-depth) with at least 16 channels in (after blocking) and out per group, and
// im2col + GEMM otherwise; the others force a path
// (tests, benchmarks; Winograd falls back to im2col + GEMM where it does not apply). All give the
// same numbers up to float rounding (Winograd's rounding is a few times larger, ~1e-6 relative).
enum class ConvAlgorithm { Auto, Im2colGemm, Direct, Winograd };

struct ConvOptions {
  DimValues stride{1};
  DimValues dilation{1};
  DimValues padding{0};     // both sides, or the near side when paddingAfter is given
  DimValues paddingAfter{}; // empty: symmetric; otherwise the far side (asymmetric padding)
  PaddingRule paddingRule = PaddingRule::Explicit;
  PaddingMode paddingMode = PaddingMode::Zeros;
  Index groups = 1;             // depthwise when groups == C (and F == C·multiplier)
  bool trueConvolution = false; // flip the kernel: convolution proper instead of cross-correlation
  ConvAlgorithm algorithm = ConvAlgorithm::Auto;
};

// Everything resolved: one value per spatial dimension, padding made explicit, output size known.
struct ConvGeometry {
  int spatialRank = 0; // 1, 2 or 3
  Index batch = 1;
  Index inChannels = 0;
  Index outChannels = 0; // filters
  Index groups = 1;
  std::vector<Index> inputSize, kernel, stride, dilation, padBefore, padAfter, outputSize;

  Shape outputShape() const; // [N, F, outputSize...]
};

// Resolves and checks the geometry from sizes alone (used by the calculator, which has no tensors).
Result<ConvGeometry> convGeometry(Index inChannels, const std::vector<Index>& inputSize,
                                  Index filters, const std::vector<Index>& kernel,
                                  const ConvOptions& options);
// The same from the tensors' shapes; also checks that the weight fits the input
// (input [N, C, spatial...], weight [F, C/groups, kernel...]).
Result<ConvGeometry> convGeometry(const Shape& input, const Shape& weight,
                                  const ConvOptions& options);

// Names of the spatial dimensions for messages: {"L"}, {"H","W"}, {"T","H","W"}.
std::vector<std::string> spatialDimNames(int spatialRank);

// ---------------------------------------------------------------------------------------------
// Forward
// ---------------------------------------------------------------------------------------------

// y = conv(x, w) + b. `bias` empty means no bias.
Result<Tensor> conv(const Tensor& input, const Tensor& weight, const Tensor& bias,
                    const ConvOptions& options);

// ---------------------------------------------------------------------------------------------
// Backward
// ---------------------------------------------------------------------------------------------

// Gradients of a scalar loss L given gradOutput = ∂L/∂y (shape of y).
struct ConvGradients {
  Tensor input;  // ∂L/∂x, shape of x (padding folded back: reflected cells add to their source)
  Tensor weight; // ∂L/∂w, shape of w
  Tensor bias;   // ∂L/∂b = Σ over n and positions of ∂L/∂y; empty when there is no bias
};

Result<ConvGradients> convBackward(const Tensor& input, const Tensor& weight, bool hasBias,
                                   const Tensor& gradOutput, const ConvOptions& options);

// ---------------------------------------------------------------------------------------------
// Transposed convolution ("deconvolution"): the adjoint of conv with the same weight, as in
// torch.nn.functional.conv_transpose{1,2,3}d.
//   input  [N, Cin, spatial...],  weight [Cin, Cout/groups, kernel...],  bias [Cout]
//   out = (in − 1)·s − 2p + d·(k − 1) + output_padding + 1,  output_padding < max(s, d)
// Zero padding only (p crops the full output); output_padding adds rows at the far side.
// ---------------------------------------------------------------------------------------------

struct ConvTransposeOptions {
  DimValues stride{1};
  DimValues dilation{1};
  DimValues padding{0};
  DimValues outputPadding{0};
  Index groups = 1;
};

Result<ConvGeometry> convTransposeGeometry(const Shape& input, const Shape& weight,
                                           const ConvTransposeOptions& options);
Result<Tensor> convTranspose(const Tensor& input, const Tensor& weight, const Tensor& bias,
                             const ConvTransposeOptions& options);
Result<ConvGradients> convTransposeBackward(const Tensor& input, const Tensor& weight, bool hasBias,
                                            const Tensor& gradOutput,
                                            const ConvTransposeOptions& options);

} // namespace nnlab
