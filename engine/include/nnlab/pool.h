// pool.h: max and average pooling of rank 1, 2 and 3 (forward and backward), global average pool.
//
// Layout [N, C, spatial...] as in PyTorch; each channel is pooled on its own. Output size per
// dimension, PyTorch's rule:
//   out = ⌊(in + 2p − k) / s⌋ + 1            (floor mode)
//   out = ⌈(in + 2p − k) / s⌉ + 1            (ceil mode), minus 1 when the last window would start
//                                             in the right padding: (out − 1)·s ≥ in + p
// Padding is at most half the kernel. Max pooling pads with −∞; average pooling divides by the
// window clipped to the padded input (countIncludePad, PyTorch's default) or by the cells of the
// real input it covers.
//
//   PoolOptions opt;  opt.kind = PoolKind::Max;  opt.kernel = {3};  opt.stride = {2};
//   Result<Tensor> y = pool(x, opt);                  // [1,16,31,31] -> [1,16,15,15]
#pragma once

#include <vector>

#include "nnlab/conv.h" // DimValues
#include "nnlab/status.h"
#include "nnlab/tensor.h"

namespace nnlab {

enum class PoolKind { Max, Average };

struct PoolOptions {
  PoolKind kind = PoolKind::Max;
  DimValues kernel{2};
  DimValues stride{};   // empty: equal to the kernel (PyTorch's default)
  DimValues padding{0}; // symmetric
  bool ceilMode = false;
  bool countIncludePad = true; // average pooling only
};

struct PoolGeometry {
  int spatialRank = 0;
  std::vector<Index> inputSize, kernel, stride, padding, outputSize;
};

// Checks and resolves the geometry for the spatial sizes of one channel.
Result<PoolGeometry> poolGeometry(const std::vector<Index>& inputSize, const PoolOptions& options);

// [N, C, spatial...] -> [N, C, outputSize...]
Result<Tensor> pool(const Tensor& input, const PoolOptions& options);
// ∂L/∂x given ∂L/∂y: max pooling routes each gradient to the first maximum of its window, average
// pooling spreads it evenly (divided by the same count as the forward pass).
Result<Tensor> poolBackward(const Tensor& input, const Tensor& gradOutput,
                            const PoolOptions& options);

// Mean over all spatial positions: [N, C, spatial...] -> [N, C, 1, ...] (same rank).
Result<Tensor> globalAveragePool(const Tensor& input);

} // namespace nnlab
