// conv_arith.h: shape, parameter and cost arithmetic of layers, with the worked steps.
//
// What `nnlab calc conv|linear|pool` prints and the labs' formula panels show. Pure functions of
// the sizes (no tensors). Conventions, stated once:
//   shapes are channels first without the batch: [C, H, W]; costs are for one sample;
//   MACs count the multiply-accumulates of the weights (bias additions are not counted);
//   FLOPs = 2 × MACs (one multiply and one add per MAC);
//   output bytes = output elements × 4 (float32).
//
//   ConvLayerSpec spec{{3, 64, 64}, 16, {5}};  spec.options.stride = {2};  spec.options.padding =
//   {1}; Result<LayerCost> c = convLayerCost(spec);   // [16, 31, 31], params 1216, MACs 1,153,200
#pragma once

#include <vector>

#include "nnlab/conv.h"
#include "nnlab/derivation.h"
#include "nnlab/pool.h"
#include "nnlab/status.h"

namespace nnlab {

struct LayerCost {
  std::vector<Index> outputShape; // channels first, no batch
  Index weights = 0;
  Index bias = 0;
  Index macs = 0;
  Index outputBytes = 0; // float32
  Derivation steps;      // the worked derivation, in order

  Index params() const { return weights + bias; }
  Index flops() const { return 2 * macs; } // one multiply + one add per MAC
};

struct ConvLayerSpec {
  std::vector<Index> input; // [C, spatial...], 1 to 3 spatial dimensions
  Index filters = 1;
  DimValues kernel{3};
  ConvOptions options; // stride, dilation, padding (rule), groups; the padding mode costs nothing
  bool bias = true;
};

// Output shape, weights F·(C/g)·Πk, bias F, MACs = F·Πout·(C/g)·Πk, output bytes.
Result<LayerCost> convLayerCost(const ConvLayerSpec& spec);

// A fully connected layer on the flattened input: weights in·out, bias out, MACs in·out.
Result<LayerCost> linearLayerCost(const std::vector<Index>& input, Index outFeatures, bool bias);

// The depthwise-separable pair that replaces spec's convolution: a depthwise k×k convolution
// (groups = C, one filter per channel, spec's stride/padding/dilation) then a 1×1 pointwise
// convolution C -> F. `total` sums params, MACs and output bytes (both activations are written).
struct SeparableCost {
  LayerCost depthwise;
  LayerCost pointwise;
  LayerCost total; // outputShape = the pointwise output; steps compare with the plain convolution
};
Result<SeparableCost> depthwiseSeparableCost(const ConvLayerSpec& spec);

// Pooling: output shape and bytes, no parameters, no MACs (steps show the output size).
Result<LayerCost> poolLayerCost(const std::vector<Index>& input, const PoolOptions& options);

} // namespace nnlab
