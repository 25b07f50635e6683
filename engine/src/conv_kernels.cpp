#include "conv_kernels.h"

#include <algorithm>
#include <cstring>

#include <omp.h>

#include "nnlab/tensor_eigen.h"

namespace nnlab::detail {
namespace {

using StridedMap = Eigen::Map<RowMatrixXf, 0, Eigen::OuterStride<>>;
using ConstStridedMap = Eigen::Map<const RowMatrixXf, 0, Eigen::OuterStride<>>;

// im2col for one sample and one group: col[(c, kd, kh, kw), (od, oh, ow)] = x[c, od·s + kd·d, ...]
// for the output rows (od, oh) in [row0, row0 + rows), each row contributing `out[2]` columns.
// `x` points at the group's first channel of the padded sample; col is [Cg·K, rows·OW].
void im2colRows(const float* x, float* col, const Conv3& c, Index row0, Index rows) {
  const Index ow = c.out[2], oh = c.out[1];
  const Index cols = rows * ow;
  const auto [pD, pH, pW] = c.padded;
  Index r = 0;
  for (Index cc = 0; cc < c.inPerGroup(); ++cc)
    for (Index kd = 0; kd < c.kernel[0]; ++kd)
      for (Index kh = 0; kh < c.kernel[1]; ++kh)
        for (Index kw = 0; kw < c.kernel[2]; ++kw, ++r) {
          float* dst = col + r * cols;
          for (Index rr = row0; rr < row0 + rows; ++rr, dst += ow) {
            const Index od = rr / oh, ohh = rr % oh;
            const float* src = x +
                               ((cc * pD + od * c.stride[0] + kd * c.dilation[0]) * pH +
                                ohh * c.stride[1] + kh * c.dilation[1]) *
                                   pW +
                               kw * c.dilation[2];
            if (c.stride[2] == 1) {
              std::memcpy(dst, src, static_cast<size_t>(ow) * sizeof(float));
            } else {
              for (Index o = 0; o < ow; ++o) dst[o] = src[o * c.stride[2]];
            }
          }
        }
}

// The adjoint of im2colRows over all output rows: x[c, od·s + kd·d, ...] += col[...].
void col2im(const float* col, float* x, const Conv3& c) {
  const Index ow = c.out[2], oh = c.out[1];
  const Index cols = c.outVolume();
  const auto [pD, pH, pW] = c.padded;
  Index r = 0;
  for (Index cc = 0; cc < c.inPerGroup(); ++cc)
    for (Index kd = 0; kd < c.kernel[0]; ++kd)
      for (Index kh = 0; kh < c.kernel[1]; ++kh)
        for (Index kw = 0; kw < c.kernel[2]; ++kw, ++r) {
          const float* src = col + r * cols;
          for (Index rr = 0; rr < c.out[0] * oh; ++rr, src += ow) {
            const Index od = rr / oh, ohh = rr % oh;
            float* dst = x +
                         ((cc * pD + od * c.stride[0] + kd * c.dilation[0]) * pH +
                          ohh * c.stride[1] + kh * c.dilation[1]) *
                             pW +
                         kw * c.dilation[2];
            for (Index o = 0; o < ow; ++o) dst[o * c.stride[2]] += src[o];
          }
        }
}

// im2col + GEMM: per (sample, group, tile of output rows) y_tile = W_g · col_tile. Tiles keep the
// column buffer in cache and give every thread its own GEMM (Eigen runs serially inside an OpenMP
// region), which beats one big multithreaded GEMM when the reduction C·k·k is short.
void forwardIm2col(const float* xPadded, const float* weight, float* y, const Conv3& c) {
  const Index cgk = c.inPerGroup() * c.kernelVolume();
  const Index fg = c.outPerGroup();
  const Index rowsTotal = c.out[0] * c.out[1];
  const Index ow = c.out[2];
  const Index outVolume = c.outVolume();
  const Index threads = omp_get_max_threads();
  // About 1 MB of column buffer per tile, and at least 4 tiles per thread when the work allows.
  constexpr Index kColumnBudget = 1 << 18; // floats
  Index tiles = std::max<Index>(1, (rowsTotal * ow * cgk + kColumnBudget - 1) / kColumnBudget);
  tiles = std::max(tiles, (4 * threads + c.batch * c.groups - 1) / (c.batch * c.groups));
  tiles = std::min(tiles, rowsTotal);
  const Index rowsPerTile = (rowsTotal + tiles - 1) / tiles;
  tiles = (rowsTotal + rowsPerTile - 1) / rowsPerTile;
  const Index tasks = c.batch * c.groups * tiles;

#pragma omp parallel
  {
    std::vector<float> col(static_cast<size_t>(cgk * rowsPerTile * ow));
#pragma omp for schedule(dynamic)
    for (Index task = 0; task < tasks; ++task) {
      const Index tile = task % tiles;
      const Index g = (task / tiles) % c.groups;
      const Index n = task / (tiles * c.groups);
      const Index row0 = tile * rowsPerTile;
      const Index rows = std::min(rowsPerTile, rowsTotal - row0);
      const Index cols = rows * ow;
      const float* x = xPadded + (n * c.inChannels + g * c.inPerGroup()) * c.paddedVolume();
      im2colRows(x, col.data(), c, row0, rows);
      ConstMatrixMap w(weight + g * fg * cgk, fg, cgk);
      ConstMatrixMap colMatrix(col.data(), cgk, cols);
      StridedMap yTile(y + (n * c.outChannels + g * fg) * outVolume + row0 * ow, fg, cols,
                       Eigen::OuterStride<>(outVolume));
      yTile.noalias() = w * colMatrix;
    }
  }
}

// Direct loop for short reductions (one input channel per group, small kernel): each output row
// accumulates k taps of contiguous input rows, which the compiler vectorizes when the stride along
// W is 1; no column buffer, no GEMM packing. Parallel over output rows of every (n, f) plane.
void forwardDirect(const float* xPadded, const float* weight, float* y, const Conv3& c) {
  const auto [pD, pH, pW] = c.padded;
  const Index oh = c.out[1], ow = c.out[2];
  const Index rowsPerPlane = c.out[0] * oh;
  const Index k = c.kernelVolume();
  const Index totalRows = c.batch * c.outChannels * rowsPerPlane;
  const Index sw = c.stride[2], dw = c.dilation[2];
#pragma omp parallel for schedule(static)
  for (Index task = 0; task < totalRows; ++task) {
    const Index rr = task % rowsPerPlane;
    const Index f = (task / rowsPerPlane) % c.outChannels;
    const Index n = task / (rowsPerPlane * c.outChannels);
    const Index g = f / c.outPerGroup();
    const Index od = rr / oh, ohh = rr % oh;
    float* __restrict yRow = y + (n * c.outChannels + f) * c.outVolume() + rr * ow;
    std::fill(yRow, yRow + ow, 0.0f);
    const float* w = weight + f * c.inPerGroup() * k;
    for (Index cc = 0; cc < c.inPerGroup(); ++cc)
      for (Index kd = 0; kd < c.kernel[0]; ++kd)
        for (Index kh = 0; kh < c.kernel[1]; ++kh) {
          const float* __restrict xRow =
              xPadded + (((n * c.inChannels + g * c.inPerGroup() + cc) * pD + od * c.stride[0] +
                          kd * c.dilation[0]) *
                             pH +
                         ohh * c.stride[1] + kh * c.dilation[1]) *
                            pW;
          const float* wRow = w + ((cc * c.kernel[0] + kd) * c.kernel[1] + kh) * c.kernel[2];
          if (sw == 1 && c.kernel[2] == 3) {
            // The common 3-tap row fused: one load/store of y per three multiply-adds.
            const float w0 = wRow[0], w1 = wRow[1], w2 = wRow[2];
            const float* __restrict x1 = xRow + dw;
            const float* __restrict x2 = xRow + 2 * dw;
            for (Index o = 0; o < ow; ++o) yRow[o] += w0 * xRow[o] + w1 * x1[o] + w2 * x2[o];
          } else if (sw == 1) {
            for (Index kw = 0; kw < c.kernel[2]; ++kw) {
              const float wk = wRow[kw];
              const float* __restrict xs = xRow + kw * dw;
              for (Index o = 0; o < ow; ++o) yRow[o] += wk * xs[o];
            }
          } else {
            for (Index kw = 0; kw < c.kernel[2]; ++kw) {
              const float wk = wRow[kw];
              const float* xs = xRow + kw * dw;
              for (Index o = 0; o < ow; ++o) yRow[o] += wk * xs[o * sw];
            }
          }
        }
  }
}

} // namespace

Conv3 toConv3(const ConvGeometry& geometry) {
  Conv3 c;
  c.batch = geometry.batch;
  c.inChannels = geometry.inChannels;
  c.outChannels = geometry.outChannels;
  c.groups = geometry.groups;
  const int lead = 3 - geometry.spatialRank;
  for (int i = 0; i < geometry.spatialRank; ++i) {
    const size_t s = static_cast<size_t>(i), t = static_cast<size_t>(lead + i);
    c.padded[t] = geometry.inputSize[s] + geometry.padBefore[s] + geometry.padAfter[s];
    c.kernel[t] = geometry.kernel[s];
    c.stride[t] = geometry.stride[s];
    c.dilation[t] = geometry.dilation[s];
    c.out[t] = geometry.outputSize[s];
  }
  return c;
}

void convForwardKernel(const float* xPadded, const float* weight, float* y, const Conv3& c,
                       ConvAlgorithm algorithm) {
  if (algorithm == ConvAlgorithm::Auto) {
    // The direct loop wins while the reduction per output is short and the W stride is 1;
    // beyond that GEMM's register blocking pays for the im2col copy.
    const bool shortReduction = c.inPerGroup() == 1 && c.kernelVolume() <= 64;
    algorithm =
        shortReduction && c.stride[2] == 1 ? ConvAlgorithm::Direct : ConvAlgorithm::Im2colGemm;
  }
  if (algorithm == ConvAlgorithm::Direct) {
    forwardDirect(xPadded, weight, y, c);
  } else {
    forwardIm2col(xPadded, weight, y, c);
  }
}

void convBackwardDataKernel(const float* gradY, const float* weight, float* gradPadded,
                            const Conv3& c) {
  const Index cgk = c.inPerGroup() * c.kernelVolume();
  const Index fg = c.outPerGroup();
  const Index outVolume = c.outVolume();
  const Index tasks = c.batch * c.groups;
  // Different (n, g) write disjoint channels, so they run in parallel without races; with one
  // task the GEMM itself is multithreaded by Eigen.
#pragma omp parallel if (tasks > 1)
  {
    RowMatrixXf col(cgk, outVolume);
#pragma omp for schedule(dynamic)
    for (Index task = 0; task < tasks; ++task) {
      const Index g = task % c.groups, n = task / c.groups;
      ConstMatrixMap w(weight + g * fg * cgk, fg, cgk);
      ConstMatrixMap gy(gradY + (n * c.outChannels + g * fg) * outVolume, fg, outVolume);
      col.noalias() = w.transpose() * gy;
      col2im(col.data(), gradPadded + (n * c.inChannels + g * c.inPerGroup()) * c.paddedVolume(),
             c);
    }
  }
}

void convBackwardWeightKernel(const float* xPadded, const float* gradY, float* gradWeight,
                              const Conv3& c) {
  const Index cgk = c.inPerGroup() * c.kernelVolume();
  const Index fg = c.outPerGroup();
  const Index outVolume = c.outVolume();
  // Groups write disjoint weight rows: parallel over g, samples accumulated in order.
#pragma omp parallel if (c.groups > 1)
  {
    std::vector<float> col(static_cast<size_t>(cgk * outVolume));
#pragma omp for schedule(dynamic)
    for (Index g = 0; g < c.groups; ++g) {
      MatrixMap gw(gradWeight + g * fg * cgk, fg, cgk);
      for (Index n = 0; n < c.batch; ++n) {
        im2colRows(xPadded + (n * c.inChannels + g * c.inPerGroup()) * c.paddedVolume(), col.data(),
                   c, 0, c.out[0] * c.out[1]);
        ConstMatrixMap colMatrix(col.data(), cgk, outVolume);
        ConstMatrixMap gy(gradY + (n * c.outChannels + g * fg) * outVolume, fg, outVolume);
        gw.noalias() += gy * colMatrix.transpose();
      }
    }
  }
}

PadMap makePadMap(Index size, Index before, Index after, PaddingMode mode) {
  PadMap map(static_cast<size_t>(before + size + after));
  for (Index p = 0; p < before + size + after; ++p) {
    const Index i = p - before; // position on the unpadded axis, possibly outside it
    Index source = i;
    if (i < 0 || i >= size) {
      switch (mode) {
      case PaddingMode::Zeros: source = -1; break;
      case PaddingMode::Reflect: source = i < 0 ? -i : 2 * (size - 1) - i; break;
      case PaddingMode::Replicate: source = std::clamp<Index>(i, 0, size - 1); break;
      case PaddingMode::Circular: source = ((i % size) + size) % size; break;
      }
    }
    map[static_cast<size_t>(p)] = source;
  }
  return map;
}

void gatherPadded(const float* x, float* xPadded, Index planes, const std::array<Index, 3>& size,
                  const std::array<PadMap, 3>& maps) {
  const Index pD = static_cast<Index>(maps[0].size()), pH = static_cast<Index>(maps[1].size()),
              pW = static_cast<Index>(maps[2].size());
#pragma omp parallel for schedule(static)
  for (Index task = 0; task < planes * pD * pH; ++task) {
    const Index ph = task % pH, pd = (task / pH) % pD, plane = task / (pH * pD);
    float* dst = xPadded + task * pW;
    const Index sd = maps[0][static_cast<size_t>(pd)], sh = maps[1][static_cast<size_t>(ph)];
    if (sd < 0 || sh < 0) {
      std::fill(dst, dst + pW, 0.0f);
      continue;
    }
    const float* src = x + ((plane * size[0] + sd) * size[1] + sh) * size[2];
    for (Index pw = 0; pw < pW; ++pw) {
      const Index sw = maps[2][static_cast<size_t>(pw)];
      dst[pw] = sw < 0 ? 0.0f : src[sw];
    }
  }
}

void scatterPadded(const float* gradPadded, float* grad, Index planes,
                   const std::array<Index, 3>& size, const std::array<PadMap, 3>& maps) {
  const Index pD = static_cast<Index>(maps[0].size()), pH = static_cast<Index>(maps[1].size()),
              pW = static_cast<Index>(maps[2].size());
  // Parallel over planes only: within a plane several padded cells can fold onto one source.
#pragma omp parallel for schedule(static)
  for (Index plane = 0; plane < planes; ++plane)
    for (Index pd = 0; pd < pD; ++pd)
      for (Index ph = 0; ph < pH; ++ph) {
        const Index sd = maps[0][static_cast<size_t>(pd)], sh = maps[1][static_cast<size_t>(ph)];
        if (sd < 0 || sh < 0) continue;
        const float* src = gradPadded + ((plane * pD + pd) * pH + ph) * pW;
        float* dst = grad + ((plane * size[0] + sd) * size[1] + sh) * size[2];
        for (Index pw = 0; pw < pW; ++pw) {
          const Index sw = maps[2][static_cast<size_t>(pw)];
          if (sw >= 0) dst[sw] += src[pw];
        }
      }
}

} // namespace nnlab::detail
