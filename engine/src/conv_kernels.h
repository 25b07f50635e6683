// conv_kernels.h (private): the three convolution kernels every public entry point reduces to.
//
// Ranks 1 and 2 are run as rank 3 with leading spatial sizes of 1, so one set of loops serves
// sequences, images and videos. The kernels see an input that is already padded (the padding rule
// and mode are applied by gather/scatter index maps in conv.cpp), so they never test bounds.
#pragma once

#include <array>
#include <vector>

#include "nnlab/conv.h"

namespace nnlab::detail {

// A convolution on an already padded input, every spatial quantity as [D, H, W].
struct Conv3 {
  Index batch = 1, inChannels = 1, outChannels = 1, groups = 1;
  std::array<Index, 3> padded{1, 1, 1}; // input size after padding
  std::array<Index, 3> kernel{1, 1, 1}, stride{1, 1, 1}, dilation{1, 1, 1};
  std::array<Index, 3> out{1, 1, 1};

  Index inPerGroup() const { return inChannels / groups; }
  Index outPerGroup() const { return outChannels / groups; }
  Index kernelVolume() const { return kernel[0] * kernel[1] * kernel[2]; }
  Index paddedVolume() const { return padded[0] * padded[1] * padded[2]; }
  Index outVolume() const { return out[0] * out[1] * out[2]; }
};

// Lifts a resolved geometry to rank 3 (leading sizes 1); padded = in + padBefore + padAfter.
Conv3 toConv3(const ConvGeometry& geometry);

// y [N, F, out] = b + conv(xPadded [N, C, padded], w [F, C/g, k]); y is overwritten. `bias` [F]
// may be null (no bias).
void convForwardKernel(const float* xPadded, const float* weight, const float* bias, float* y,
                       const Conv3& c, ConvAlgorithm algorithm);
// The direct path for short 2-D kernels on one input channel per group (edge filters, Gabor
// banks, depthwise layers) with unit W stride reads the unpadded input x [N, C, height, width]
// itself: rows through mapH, border columns through mapW, the interior straight from the source
// rows; each output is written once.
bool directUnpaddedApplies(const Conv3& c, ConvAlgorithm algorithm);
void convForwardDirectUnpadded(const float* x, const float* weight, const float* bias, float* y,
                               const Conv3& c, Index height, Index width,
                               const std::vector<Index>& mapH, const std::vector<Index>& mapW);
// The packed GEMM for a W stride above 1 (AVX-512 builds) reads the unpadded input
// x [N, C, size] itself: padding and the split of each row into its stride phases happen in one
// gather pass instead of a padded copy and a second pass over it.
bool phasedGemmApplies(const Conv3& c, ConvAlgorithm algorithm);
void convForwardPhasedGemm(const float* x, const float* weight, const float* bias, float* y,
                           const Conv3& c, const std::array<Index, 3>& size,
                           const std::array<std::vector<Index>, 3>& maps);
// Winograd F(4×4, 3×3) (AVX-512 builds) for images whose kernel is 3×3 at unit stride, or whose
// stride cuts it into 3×3 blocks (⌈k/s⌉ = 3 along H and W: 11×11 at stride 4, 5×5 at stride 2):
// those run as a unit-stride 3×3 convolution on the input's s×s blocks taken as channels
// (space-to-depth). Reads the unpadded input x [N, C, size] through the pad maps.
// Auto: the geometry fits and there are ≥ 16 channels in (after blocking) and out per group;
// Winograd (forced): the geometry fits.
bool winogradApplies(const Conv3& c, ConvAlgorithm algorithm);
void convForwardWinogradUnpadded(const float* x, const float* weight, const float* bias, float* y,
                                 const Conv3& c, const std::array<Index, 3>& size,
                                 const std::array<std::vector<Index>, 3>& maps);
// gradPadded [N, C, padded] += adjoint of the forward map applied to gradY [N, F, out].
void convBackwardDataKernel(const float* gradY, const float* weight, float* gradPadded,
                            const Conv3& c);
// gradWeight [F, C/g, k] += Σ_n gradY ⋆ xPadded.
void convBackwardWeightKernel(const float* xPadded, const float* gradY, float* gradWeight,
                              const Conv3& c);

// Where each padded position reads from, per dimension: index into the unpadded axis, or -1 for a
// zero. Built once per call from the padding mode (reflect, replicate, circular, zeros).
using PadMap = std::vector<Index>;
PadMap makePadMap(Index size, Index before, Index after, PaddingMode mode);

// xPadded[n, c, p] = x[n, c, map(p)] (0 where the map says -1). Shapes [N·C, D, H, W].
void gatherPadded(const float* x, float* xPadded, Index planes, const std::array<Index, 3>& size,
                  const std::array<PadMap, 3>& maps);
// The adjoint: grad[n, c, map(p)] += gradPadded[n, c, p]; grad must be zeroed by the caller.
void scatterPadded(const float* gradPadded, float* grad, Index planes,
                   const std::array<Index, 3>& size, const std::array<PadMap, 3>& maps);

} // namespace nnlab::detail
