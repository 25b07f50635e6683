#include "conv_kernels.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <numeric>

#ifdef __AVX512F__
#include <immintrin.h>
#endif

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

// im2col + GEMM with Eigen: per (sample, group, tile of output rows) y_tile = W_g · col_tile. Tiles
// keep the column buffer in cache and give every thread its own GEMM (Eigen runs serially inside
// an OpenMP region), which beats one big multithreaded GEMM when the reduction C·k·k is short.
// The portable path; with AVX-512 forwardPackedGemm below replaces it.
[[maybe_unused]] void forwardIm2colEigen(const float* xPadded, const float* weight,
                                         const float* bias, float* y, const Conv3& c) {
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
      if (bias)
        for (Index f = 0; f < fg; ++f) yTile.row(f).array() += bias[g * fg + f];
    }
  }
}

#ifdef __AVX512F__
// Scratch memory reused across calls, a few slots per thread. Buffers of these sizes (0.3–2 MB) are
// otherwise mmap'ed and page-faulted afresh on every call, which measured ~20 % of the 64×56×56
// forward. Contents are unspecified on entry; callers zero what they rely on.
enum ScratchSlot {
  kScratchWeights,
  kScratchInput,
  kScratchPanel,
  kScratchProducts,
  kScratchBlockedWeights, // Winograd's weights, blocked and filter-minor
  kScratchSlots
};
float* scratch(ScratchSlot slot, Index count) {
  thread_local std::array<std::vector<float, Eigen::aligned_allocator<float>>, kScratchSlots> pool;
  auto& buffer = pool[static_cast<size_t>(slot)];
  if (buffer.size() < static_cast<size_t>(count)) buffer.resize(static_cast<size_t>(count));
  return buffer.data();
}

// Pads one row through the W pad map. The unpadded row sits in one piece at
// [before, before + width) of the padded row (the map is the identity there): one memcpy, and the
// map only for the few padded cells at both ends.
class RowPadder {
public:
  RowPadder(const PadMap& mapW, Index width) : mapW_(mapW), width_(width) {
    auto identityFrom = [&](Index start) {
      for (Index i = 0; i < width; ++i)
        if (mapW[static_cast<size_t>(start + i)] != i) return false;
      return true;
    };
    while (!identityFrom(before_)) ++before_; // replicate / circular can map cells before it too
  }
  Index before() const { return before_; } // where the unpadded row starts in the padded one
  // dst [padded width] from src [width]; src null: a zero row (zero padding along H or D).
  void operator()(const float* src, float* dst) const {
    const Index padded = static_cast<Index>(mapW_.size());
    if (!src) {
      std::fill(dst, dst + padded, 0.0f);
      return;
    }
    for (Index p = 0; p < before_; ++p) dst[p] = cell(src, p);
    std::memcpy(dst + before_, src, static_cast<size_t>(width_) * sizeof(float));
    for (Index p = before_ + width_; p < padded; ++p) dst[p] = cell(src, p);
  }

private:
  float cell(const float* src, Index p) const {
    const Index source = mapW_[static_cast<size_t>(p)];
    return source < 0 ? 0.0f : src[source];
  }
  const PadMap& mapW_;
  Index width_, before_ = 0;
};

// Packed GEMM for y_g [Fg, P] = W_g [Fg, K] · col [K, P] (K = Cg·k, P = output positions), written
// for AVX-512 because Eigen's GEMM reaches only about half the FMA peak here.
//
// Blocking (the BLIS scheme, cut down to what convolution shapes need):
//  - W is packed once per call into row blocks of kMr filters, k-major: wPacked[block][k][kMr],
//    zero rows past Fg. A block is K·kMr floats (≤ 20 KB for K ≤ 640), so it stays in L1.
//  - col is never materialized: each thread packs one panel of kNr output positions straight from
//    the padded input, k-major: panel[k][kNr] = x[kOffset[k] + positionOffset[p]]. The positions of
//    one output row are contiguous (see the polyphase layout below), so a panel is one or two
//    runs: two (masked) vector loads per k; only rows narrower than a panel need a gather.
//  - The micro-kernel holds a kMr × kNr block of y in kMr·kNr/16 = 16 zmm accumulators, seeded with
//    the bias; per k it loads 2 vectors of the panel and broadcasts kMr weights: 16 FMAs per 10
//    loads, so it is bound by the FMA port, not by loads.
//  - Every panel is reused by all Fg/kMr row blocks while it is hot in L2.
// Parallel over (sample, group, run of panels): each task writes its own columns of y.
constexpr Index kMr = 8;  // filters per micro-tile
constexpr Index kNr = 32; // output positions per micro-tile (two zmm)

// y[i, j] = bias[i] + Σ_k a[k][i] · b[k][j] for i < rows, j < cols; a is [K][kMr], b is [K][kNr].
// b advances by ldb per k (kNr for a packed panel; the row stride for Winograd's V). NV = 1 reads
// and writes only the first 16 columns (cols ≤ 16): half the work for a narrow last panel.
template <int NV>
void packedMicroKernel(Index K, const float* __restrict a, const float* __restrict b, Index ldb,
                       const float* bias, float* y, Index ldy, Index rows, Index cols) {
  static_assert(NV == 1 || NV == 2);
  __m512 acc0[kMr], acc1[kMr]; // columns 0–15 and 16–31 (acc1 unused for NV = 1)
#pragma GCC unroll 8
  for (Index i = 0; i < kMr; ++i) acc0[i] = acc1[i] = _mm512_set1_ps(bias[i]);
  for (Index k = 0; k < K; ++k, a += kMr, b += ldb) {
    const __m512 b0 = _mm512_load_ps(b);
    const __m512 b1 = NV == 2 ? _mm512_load_ps(b + 16) : b0;
#pragma GCC unroll 8
    for (Index i = 0; i < kMr; ++i) {
      const __m512 ai = _mm512_set1_ps(a[i]);
      acc0[i] = _mm512_fmadd_ps(ai, b0, acc0[i]);
      if constexpr (NV == 2) acc1[i] = _mm512_fmadd_ps(ai, b1, acc1[i]);
    }
  }
  if (cols == 16 * NV) {
    for (Index i = 0; i < rows; ++i) {
      _mm512_storeu_ps(y + i * ldy, acc0[i]);
      if constexpr (NV == 2) _mm512_storeu_ps(y + i * ldy + 16, acc1[i]);
    }
  } else {
    const __mmask16 m0 = static_cast<__mmask16>(cols >= 16 ? 0xFFFF : (1u << cols) - 1);
    const __mmask16 m1 = static_cast<__mmask16>(cols <= 16 ? 0 : (1u << (cols - 16)) - 1);
    for (Index i = 0; i < rows; ++i) {
      _mm512_mask_storeu_ps(y + i * ldy, m0, acc0[i]);
      if constexpr (NV == 2) _mm512_mask_storeu_ps(y + i * ldy + 16, m1, acc1[i]);
    }
  }
}
// The kMr × cols block (cols ≤ kNr) with the narrow kernel when the second vector is not needed.
void packedMicroKernel(Index K, const float* __restrict a, const float* __restrict b, Index ldb,
                       const float* bias, float* y, Index ldy, Index rows, Index cols) {
  if (cols <= 16) {
    packedMicroKernel<1>(K, a, b, ldb, bias, y, ldy, rows, cols);
  } else {
    packedMicroKernel<2>(K, a, b, ldb, bias, y, ldy, rows, cols);
  }
}

// The packed GEMM on an input already in the stride-phase layout below: every padded row is
// `sw·wq` floats, phase r of it (padded columns r, r + sw, ...) at r·wq.
void packedGemmOnLayout(const float* xLaidOut, Index wq, const float* weight, const float* bias,
                        float* y, const Conv3& c) {
  const Index K = c.inPerGroup() * c.kernelVolume();
  const Index fg = c.outPerGroup();
  const Index P = c.outVolume();
  const auto [pD, pH, pW] = c.padded;
  const Index rowBlocks = (fg + kMr - 1) / kMr;

  // Packed weights and bias per group: [g][block][k][kMr] and [g][block][kMr], zero-padded.
  float* wPacked = scratch(kScratchWeights, c.groups * rowBlocks * K * kMr);
  std::fill(wPacked, wPacked + c.groups * rowBlocks * K * kMr, 0.0f);
  std::vector<float> biasPacked(static_cast<size_t>(c.groups * rowBlocks * kMr), 0.0f);
  for (Index g = 0; g < c.groups; ++g)
    for (Index f = 0; f < fg; ++f) {
      const Index block = g * rowBlocks + f / kMr, lane = f % kMr;
      const float* wRow = weight + (g * fg + f) * K;
      float* dst = wPacked + block * K * kMr + lane;
      for (Index k = 0; k < K; ++k) dst[k * kMr] = wRow[k];
      if (bias) biasPacked[static_cast<size_t>(block * kMr + lane)] = bias[g * fg + f];
    }

  const Index sw = c.stride[2], rowStride = sw * wq;
  const Index channelVolume = pD * pH * rowStride;

  // kOffset[k]: where tap k = (c, kd, kh, kw) starts in the group's laid-out input;
  // positionOffset[p]: where output position p's window starts in one channel.
  std::vector<Index> kOffset(static_cast<size_t>(K));
  for (Index cc = 0, k = 0; cc < c.inPerGroup(); ++cc)
    for (Index kd = 0; kd < c.kernel[0]; ++kd)
      for (Index kh = 0; kh < c.kernel[1]; ++kh)
        for (Index kw = 0; kw < c.kernel[2]; ++kw, ++k) {
          const Index tapW = kw * c.dilation[2];
          kOffset[static_cast<size_t>(k)] =
              ((cc * pD + kd * c.dilation[0]) * pH + kh * c.dilation[1]) * rowStride +
              (tapW % sw) * wq + tapW / sw;
        }
  const Index panels = (P + kNr - 1) / kNr;
  // Offsets of each panel's positions, the tail repeating the last valid one (its results are
  // masked out on store); int32 is enough within one channel.
  std::vector<int32_t, Eigen::aligned_allocator<int32_t>> positionOffset(
      static_cast<size_t>(panels * kNr));
  for (Index od = 0, p = 0; od < c.out[0]; ++od) // counters, not divisions: P can be large
    for (Index oh = 0; oh < c.out[1]; ++oh) {
      const Index rowStart = ((od * c.stride[0]) * pH + oh * c.stride[1]) * rowStride;
      for (Index ow = 0; ow < c.out[2]; ++ow, ++p)
        positionOffset[static_cast<size_t>(p)] = static_cast<int32_t>(rowStart + ow);
    }
  for (Index p = P; p < panels * kNr; ++p)
    positionOffset[static_cast<size_t>(p)] = positionOffset[static_cast<size_t>(P - 1)];
  // A panel is at most two contiguous runs when output rows are at least kNr - 1 wide: lanes
  // [0, split) from o[0], lanes [split, kNr) from o[split]. split = kNr: one run; 0: gather.
  std::vector<Index> split(static_cast<size_t>(panels));
  for (Index panel = 0; panel < panels; ++panel) {
    const int32_t* o = positionOffset.data() + panel * kNr;
    Index j = 1;
    while (j < kNr && o[j] == o[0] + j) ++j;
    Index t = j + 1;
    while (t < kNr && o[t] == o[j] + (t - j)) ++t;
    split[static_cast<size_t>(panel)] = j == kNr ? kNr : t == kNr && o[j] >= j ? j : 0;
  }

  // Runs of panels per task: enough tasks for dynamic balance over the threads.
  const Index threads = omp_get_max_threads();
  const Index panelsPerTask =
      std::clamp<Index>(panels * c.batch * c.groups / (32 * threads), 1, 16);
  const Index runs = (panels + panelsPerTask - 1) / panelsPerTask;
  const Index tasks = c.batch * c.groups * runs;

#pragma omp parallel
  {
    float* pb = scratch(kScratchPanel, K * kNr);
#pragma omp for schedule(dynamic)
    for (Index task = 0; task < tasks; ++task) {
      const Index run = task % runs;
      const Index g = (task / runs) % c.groups;
      const Index n = task / (runs * c.groups);
      const float* x = xLaidOut + (n * c.inChannels + g * c.inPerGroup()) * channelVolume;
      float* yGroup = y + (n * c.outChannels + g * fg) * P;
      const Index panelEnd = std::min(panels, (run + 1) * panelsPerTask);
      for (Index panel = run * panelsPerTask; panel < panelEnd; ++panel) {
        const Index p0 = panel * kNr;
        const int32_t* o = positionOffset.data() + p0;
        const Index j = split[static_cast<size_t>(panel)];
        if (j == kNr) {
          for (Index k = 0; k < K; ++k) {
            const float* src = x + kOffset[static_cast<size_t>(k)] + o[0];
            _mm512_store_ps(pb + k * kNr, _mm512_loadu_ps(src));
            _mm512_store_ps(pb + k * kNr + 16, _mm512_loadu_ps(src + 16));
          }
        } else if (j > 0) {
          // Lane i reads first + i below the split and second + i from it on (masked loads do
          // not touch the lanes they skip).
          const __mmask32 low = static_cast<__mmask32>((uint64_t{1} << j) - 1);
          const __mmask16 low0 = static_cast<__mmask16>(low),
                          low1 = static_cast<__mmask16>(low >> 16);
          for (Index k = 0; k < K; ++k) {
            const float* first = x + kOffset[static_cast<size_t>(k)] + o[0];
            const float* second = x + kOffset[static_cast<size_t>(k)] + (o[j] - j);
            const __m512 v0 = _mm512_mask_loadu_ps(_mm512_maskz_loadu_ps(low0, first),
                                                   static_cast<__mmask16>(~low0), second);
            const __m512 v1 = _mm512_mask_loadu_ps(_mm512_maskz_loadu_ps(low1, first + 16),
                                                   static_cast<__mmask16>(~low1), second + 16);
            _mm512_store_ps(pb + k * kNr, v0);
            _mm512_store_ps(pb + k * kNr + 16, v1);
          }
        } else {
          const __m512i o0 = _mm512_load_si512(o), o1 = _mm512_load_si512(o + 16);
          for (Index k = 0; k < K; ++k) {
            const float* src = x + kOffset[static_cast<size_t>(k)];
            _mm512_store_ps(pb + k * kNr, _mm512_i32gather_ps(o0, src, 4));
            _mm512_store_ps(pb + k * kNr + 16, _mm512_i32gather_ps(o1, src, 4));
          }
        }
        const Index cols = std::min(kNr, P - p0);
        for (Index block = 0; block < rowBlocks; ++block) {
          const Index gb = g * rowBlocks + block;
          packedMicroKernel(K, wPacked + gb * K * kMr, pb, kNr, biasPacked.data() + gb * kMr,
                            yGroup + block * kMr * P + p0, P, std::min(kMr, fg - block * kMr),
                            cols);
        }
      }
    }
  }
}

// One padded row split into its sw phases: dst[r·phaseStride + i] = row[r + sw·i] for i < wq,
// row holding sw·wq floats (zero past the padded width). With the stride a compile-time constant
// the compiler de-interleaves with vector permutes; a gather per element measured ~10 cycles on
// this CPU.
template <int S>
void splitPhasesFixed(const float* __restrict row, float* __restrict dst, Index wq,
                      Index phaseStride) {
  for (Index i = 0; i < wq; ++i)
    for (int r = 0; r < S; ++r) dst[r * phaseStride + i] = row[S * i + r];
}
void splitPhases(const float* __restrict row, float* __restrict dst, Index sw, Index wq,
                 Index phaseStride) {
  switch (sw) {
  case 1: std::memcpy(dst, row, static_cast<size_t>(wq) * sizeof(float)); return;
  case 2: splitPhasesFixed<2>(row, dst, wq, phaseStride); return;
  case 3: splitPhasesFixed<3>(row, dst, wq, phaseStride); return;
  case 4: splitPhasesFixed<4>(row, dst, wq, phaseStride); return;
  default:
    for (Index r = 0; r < sw; ++r)
      for (Index i = 0; i < wq; ++i) dst[r * phaseStride + i] = row[r + sw * i];
  }
}

// The phase layout of `rows` padded rows (at most sw·wq floats each) into `phased` (rows × sw·wq):
// padRow(row, buffer) writes padded row `row` into a per-thread buffer, then it is split.
template <class PadRow>
void layOutPhases(float* phased, Index rows, Index sw, Index wq, const PadRow& padRow) {
  const Index rowStride = sw * wq;
#pragma omp parallel
  {
    std::vector<float> buffer(static_cast<size_t>(rowStride), 0.0f); // zero past pW, always
#pragma omp for schedule(static)
    for (Index row = 0; row < rows; ++row) {
      padRow(row, buffer.data());
      splitPhases(buffer.data(), phased + row * rowStride, sw, wq, wq);
    }
  }
}

// A W stride s > 1 is turned into unit stride by splitting every padded row into its s phases
// (polyphase layout): row h becomes [s][wq] with phase r holding x[h, r + s·i], wq = ⌈pW / s⌉.
// Tap kw then reads phase (kw·d) mod s from column ow + ⌊kw·d / s⌋, so the positions of one
// output row are contiguous for every stride and panels pack with plain vector loads.
Index phaseWidth(const Conv3& c) {
  return (c.padded[2] + c.stride[2] - 1) / c.stride[2];
}

void forwardPackedGemm(const float* xPadded, const float* weight, const float* bias, float* y,
                       const Conv3& c) {
  const auto [pD, pH, pW] = c.padded;
  const Index sw = c.stride[2], wq = phaseWidth(c), rowStride = sw * wq;
  const float* xLaidOut = xPadded;
  if (sw > 1) {
    const Index rows = c.batch * c.inChannels * pD * pH;
    float* phased = scratch(kScratchInput, rows * rowStride);
    layOutPhases(phased, rows, sw, wq, [&](Index row, float* buffer) {
      std::memcpy(buffer, xPadded + row * pW, static_cast<size_t>(pW) * sizeof(float));
    });
    xLaidOut = phased;
  }
  packedGemmOnLayout(xLaidOut, wq, weight, bias, y, c);
}

// Winograd F(4×4, 3×3) (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2016)
// for 3×3 kernels with unit stride and dilation on images:
//   y_tile (4×4) = Aᵀ [ Σ_c (G w_fc Gᵀ) ⊙ (Bᵀ d_c B) ] A,   d_c the 6×6 input patch of the tile,
// with the interpolation points 0, ±1, ±2, ∞. The sum over c is, for each of the 36 positions ξ of
// the 6×6 tile, a GEMM M_ξ [F, tiles] = U_ξ [F, C] · V_ξ [C, tiles] run on the packed
// micro-kernel: 36·C·F multiplies per 16 outputs instead of 9·16·C·F, 4× fewer.
// Vectorized across 16 tiles of a tile row: the input is first split into its 4 column phases
// (x[h, 4i + r] at [h][r][i]), so tap j of tile tw is phase j mod 4 at i = tw + ⌊j/4⌋, contiguous
// in tw. Parallel over (sample, group, block of tile rows); a block's tiles are the GEMM columns.
template <class V> inline void winogradInput(const V d[6], V out[6]) { // Bᵀ d
  out[0] = 4.0f * d[0] - 5.0f * d[2] + d[4];
  out[1] = -4.0f * d[1] - 4.0f * d[2] + d[3] + d[4];
  out[2] = 4.0f * d[1] - 4.0f * d[2] - d[3] + d[4];
  out[3] = -2.0f * d[1] - d[2] + 2.0f * d[3] + d[4];
  out[4] = 2.0f * d[1] - d[2] - 2.0f * d[3] + d[4];
  out[5] = 4.0f * d[1] - 5.0f * d[3] + d[5];
}
template <class V> inline void winogradOutput(const V m[6], V out[4]) { // Aᵀ m
  out[0] = m[0] + m[1] + m[2] + m[3] + m[4];
  out[1] = m[1] - m[2] + 2.0f * m[3] - 2.0f * m[4];
  out[2] = m[1] + m[2] + 4.0f * m[3] + 4.0f * m[4];
  out[3] = m[1] - m[2] + 8.0f * m[3] - 8.0f * m[4] + m[5];
}
template <class V> inline void winogradWeight(const V g[3], V out[6]) { // G g
  out[0] = 0.25f * g[0];
  out[1] = (-1.0f / 6.0f) * (g[0] + g[1] + g[2]);
  out[2] = (-1.0f / 6.0f) * (g[0] - g[1] + g[2]);
  out[3] = (1.0f / 24.0f) * g[0] + (1.0f / 12.0f) * g[1] + (1.0f / 6.0f) * g[2];
  out[4] = (1.0f / 24.0f) * g[0] - (1.0f / 12.0f) * g[1] + (1.0f / 6.0f) * g[2];
  out[5] = g[2];
}

// The input layout Winograd reads: per plane [hq][4][wq], x[h, 4i + r] at [h][r][i], rows and
// columns past the padded input zero (they feed only outputs that are never stored).
struct WinogradLayout {
  Index tilesH, tilesW; // 4×4 output tiles
  Index hq, wq;         // phased rows and columns: enough for every tile's 6×6 patch
  explicit WinogradLayout(const Conv3& c) {
    tilesH = (c.out[1] + 3) / 4;
    tilesW = (c.out[2] + 3) / 4;
    hq = 4 * tilesH + 2;
    wq = tilesW + 1;
  }
  Index planeSize() const { return hq * 4 * wq; }
};

// y = conv(x, w) for a 3×3 unit-stride convolution c whose input is already in WinogradLayout,
// the weights given filter-minor: weightT [g][c][3·3][F/g].
void winogradOnLayout(const float* phased, const float* weightT, const float* bias, float* y,
                      const Conv3& c) {
  const Index C = c.inPerGroup(), F = c.outPerGroup();
  const Index OH = c.out[1], OW = c.out[2];
  const WinogradLayout layout(c);
  const Index tilesH = layout.tilesH, tilesW = layout.tilesW, hq = layout.hq, wq = layout.wq;
  const Index rowBlocks = (F + kMr - 1) / kMr;

  // U_ξ = G w Gᵀ, packed as the micro-kernel's A: [g][ξ][block][c][kMr], zero rows past F.
  // 16 filters per vector: lanes 0–7 fill row block f0 / kMr, lanes 8–15 the next one.
  static_assert(kMr == 8, "a vector of 16 filters covers two row blocks");
  float* uPacked = scratch(kScratchWeights, c.groups * 36 * rowBlocks * C * kMr);
  std::vector<float> biasPacked(static_cast<size_t>(c.groups * rowBlocks * kMr), 0.0f);
  for (Index g = 0; g < c.groups && bias; ++g)
    std::copy(bias + g * F, bias + (g + 1) * F, biasPacked.begin() + g * rowBlocks * kMr);
  const Index filterVectors = (F + 15) / 16;
#pragma omp parallel for schedule(static)
  for (Index task = 0; task < c.groups * C * filterVectors; ++task) {
    const Index g = task / (C * filterVectors), cc = task / filterVectors % C;
    const Index f0 = task % filterVectors * 16, block = f0 / kMr;
    const __mmask16 valid = static_cast<__mmask16>((1u << std::min<Index>(16, F - f0)) - 1);
    const float* w = weightT + (g * C + cc) * 9 * F + f0;
    __m512 taps[3][3], rows[3][6];
    for (int r = 0; r < 3; ++r)
      for (int t = 0; t < 3; ++t) taps[r][t] = _mm512_maskz_loadu_ps(valid, w + (3 * r + t) * F);
    for (int r = 0; r < 3; ++r) winogradWeight(taps[r], rows[r]); // G along kw
    for (int j = 0; j < 6; ++j) {
      const __m512 col[3] = {rows[0][j], rows[1][j], rows[2][j]};
      __m512 u[6];
      winogradWeight(col, u); // G along kh: u[i] = (G w Gᵀ)[i, j]
      for (int i = 0; i < 6; ++i) {
        float* dst = uPacked + (((g * 36 + i * 6 + j) * rowBlocks + block) * C + cc) * kMr;
        _mm256_storeu_ps(dst, _mm512_castps512_ps256(u[i]));
        if (block + 1 < rowBlocks)
          _mm256_storeu_ps(dst + C * kMr,
                           _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(u[i]), 1)));
      }
    }
  }

  // Tile rows per task: the fewest GEMM columns on the busiest thread, counted in the 16-column
  // halves of a panel the micro-kernel computes, among blocks whose V and M stay in L2.
  const Index threads = omp_get_max_threads(), images = c.batch * c.groups;
  constexpr Index kTaskBudget = 1 << 17; // floats of V and M per task: 512 KB
  const Index floatsPerColumn = 36 * (C + rowBlocks * kMr);
  Index rowsPerTask = 1, bestCost = -1;
  for (Index r = 1; r <= tilesH; ++r) {
    if (r > 1 && r * tilesW * floatsPerColumn > kTaskBudget) break;
    const Index tasks = images * ((tilesH + r - 1) / r);
    const Index cost = (tasks + threads - 1) / threads * ((r * tilesW + 15) / 16);
    if (bestCost < 0 || cost < bestCost) bestCost = cost, rowsPerTask = r;
  }
  const Index blocksH = (tilesH + rowsPerTask - 1) / rowsPerTask;
  const Index ldv = (rowsPerTask * tilesW + kNr - 1) / kNr * kNr; // columns of V and M
  const Index chunks = (tilesW + 15) / 16;

#pragma omp parallel
  {
    float* v = scratch(kScratchPanel, 36 * C * ldv);
    float* m = scratch(kScratchProducts, 36 * rowBlocks * kMr * ldv);
    // Static, in task order: each thread reads the input rows it laid out (see
    // forwardBlockedWinograd); the tasks are of equal size.
#pragma omp for schedule(static)
    for (Index task = 0; task < images * blocksH; ++task) {
      const Index th0 = (task % blocksH) * rowsPerTask, image = task / blocksH;
      const Index g = image % c.groups, n = image / c.groups;
      const Index th1 = std::min(tilesH, th0 + rowsPerTask);
      const Index columns = (th1 - th0) * tilesW;
      // V_ξ[c][column] = (Bᵀ d B)_ξ, 16 tiles at a time.
      for (Index cc = 0; cc < C; ++cc) {
        const float* plane = phased + (n * c.inChannels + g * C + cc) * hq * 4 * wq;
        for (Index th = th0; th < th1; ++th)
          for (Index chunk = 0; chunk < chunks; ++chunk) {
            const Index tw0 = chunk * 16;
            const __mmask16 lanes =
                static_cast<__mmask16>((1u << std::min<Index>(16, tilesW - tw0)) - 1);
            __m512 t[6][6]; // t[ξ1][j]: Bᵀ along H of patch column j
            for (int j = 0; j < 6; ++j) {
              __m512 d[6];
              for (int a = 0; a < 6; ++a)
                d[a] = _mm512_maskz_loadu_ps(lanes,
                                             plane + ((4 * th + a) * 4 + j % 4) * wq + tw0 + j / 4);
              __m512 col[6];
              winogradInput(d, col);
              for (int i = 0; i < 6; ++i) t[i][j] = col[i];
            }
            float* dst = v + cc * ldv + (th - th0) * tilesW + tw0;
            for (int i = 0; i < 6; ++i) {
              __m512 row[6];
              winogradInput(t[i], row); // Bᵀ along W
              for (int j = 0; j < 6; ++j)
                _mm512_mask_storeu_ps(dst + (i * 6 + j) * C * ldv, lanes, row[j]);
            }
          }
      }
      // The micro-kernel reads V up to the next 16 columns; those past the block's tiles feed only
      // M columns that are never read, zeroed so that they hold finite values.
      const __mmask16 tail = static_cast<__mmask16>((1u << ((16 - columns % 16) % 16)) - 1);
      for (Index row = 0; row < 36 * C; ++row)
        _mm512_mask_storeu_ps(v + row * ldv + columns, tail, _mm512_setzero_ps());
      // M_ξ = U_ξ · V_ξ (no bias here: it is added once after the output transform).
      const float zeros[kMr] = {};
      for (Index xi = 0; xi < 36; ++xi)
        for (Index block = 0; block < rowBlocks; ++block)
          for (Index p0 = 0; p0 < columns; p0 += kNr)
            packedMicroKernel(C, uPacked + ((g * 36 + xi) * rowBlocks + block) * C * kMr,
                              v + xi * C * ldv + p0, ldv, zeros,
                              m + (xi * rowBlocks + block) * kMr * ldv + p0, ldv, kMr,
                              std::min(kNr, columns - p0));
      // y = b + Aᵀ M A per filter, 16 tiles at a time, stored row by row through a small buffer
      // that undoes the 4-way interleave of the tile columns.
      for (Index f = 0; f < F; ++f) {
        const float b = biasPacked[static_cast<size_t>((g * rowBlocks + f / kMr) * kMr + f % kMr)];
        float* yPlane = y + (n * c.outChannels + g * F + f) * OH * OW;
        for (Index th = th0; th < th1; ++th)
          for (Index chunk = 0; chunk < chunks; ++chunk) {
            const Index tw0 = chunk * 16;
            const float* src = m + f * ldv + (th - th0) * tilesW + tw0;
            __m512 s[6][4]; // s[ξ1][b]: Aᵀ along W
            for (int i = 0; i < 6; ++i) {
              __m512 row[6];
              for (int j = 0; j < 6; ++j)
                row[j] = _mm512_loadu_ps(src + (i * 6 + j) * rowBlocks * kMr * ldv);
              winogradOutput(row, s[i]);
            }
            alignas(64) float out[4][64]; // out[a][4·tw + b]
            for (int bb = 0; bb < 4; ++bb) {
              __m512 col[6], o[4];
              for (int i = 0; i < 6; ++i) col[i] = s[i][bb];
              winogradOutput(col, o); // Aᵀ along H
              for (int a = 0; a < 4; ++a) {
                alignas(64) float lane[16];
                _mm512_store_ps(lane, _mm512_add_ps(o[a], _mm512_set1_ps(b)));
                for (int l = 0; l < 16; ++l) out[a][4 * l + bb] = lane[l];
              }
            }
            const Index width = std::min<Index>(64, OW - 4 * tw0);
            for (Index a = 0; a < 4 && 4 * th + a < OH; ++a)
              std::memcpy(yPlane + (4 * th + a) * OW + 4 * tw0, out[a],
                          static_cast<size_t>(width) * sizeof(float));
          }
      }
    }
  }
}

// Space-to-depth turns a strided convolution into a unit-stride one. Cut the padded input into
// sh×sw blocks and take each block's pixels as channels: x'[(c, a, b), h, w] = x[c, sh·h + a,
// sw·w + b]. With i = sh·i' + a and j = sw·j' + b,
//   y[f, oh, ow] = Σ_{c,i,j} w[f, c, i, j] · x[c, sh·oh + i, sw·ow + j]
//                = Σ_{(c,a,b),i',j'} w'[f, (c, a, b), i', j'] · x'[(c, a, b), oh + i', ow + j'],
// a unit-stride convolution with the ⌈kh/sh⌉×⌈kw/sw⌉ kernel w'[f, (c, a, b), i', j'] =
// w[f, c, sh·i' + a, sw·j' + b], zero past the kernel. When that kernel is 3×3 (AlexNet's 11×11
// at stride 4, 5×5 or 6×6 at stride 2) Winograd F(4×4, 3×3) runs on it: a quarter of the
// multiplies per blocked tap, for 9·sh·sw blocked taps per channel instead of kh·kw taps.
// Stride 1 is the plain Winograd convolution (x' = x, w' = w).
Index blockedKernel(Index kernel, Index stride) {
  return (kernel + stride - 1) / stride;
}

void forwardBlockedWinograd(const float* x, const float* weight, const float* bias, float* y,
                            const Conv3& c, const std::array<Index, 3>& size,
                            const std::array<PadMap, 3>& maps) {
  const Index sh = c.stride[1], sw = c.stride[2], kh = c.kernel[1], kw = c.kernel[2];
  const Index blockChannels = sh * sw;
  const Index pH = c.padded[1], pW = c.padded[2];
  Conv3 blocked = c;
  blocked.inChannels = c.inChannels * blockChannels;
  blocked.padded = {1, c.out[1] + 2, c.out[2] + 2};
  blocked.kernel = {1, 3, 3};
  blocked.stride = blocked.dilation = {1, 1, 1};

  // x' straight into Winograd's layout, one padded source row at a time: row ph is padded through
  // the W map into a buffer (zero past the padded width), split into its sw column phases b (the
  // rows of x' planes (c, ph mod sh, b)), and each of those into Winograd's 4 phases. Rows past
  // the padded input are zero.
  const WinogradLayout layout(blocked);
  const Index planes = c.batch * c.inChannels;
  const Index blockedWidth = 4 * layout.wq; // x' columns Winograd reads
  float* phased = scratch(kScratchInput, planes * blockChannels * layout.planeSize());
  const RowPadder padRow(maps[2], size[2]);
#pragma omp parallel
  {
    std::vector<float> padded(static_cast<size_t>(std::max(pW, sw * blockedWidth)), 0.0f);
    std::vector<float> blockRows(static_cast<size_t>(sw * blockedWidth));
#pragma omp for schedule(static)
    for (Index row = 0; row < planes * layout.hq * sh; ++row) {
      // Sample-major, then row-major across channels: with the same static split a thread lays
      // out the rows of the tile rows winogradOnLayout hands it, instead of pulling them from
      // the other core's cache (measured: the layout took twice as long on two threads).
      const Index n = row / (layout.hq * sh * c.inChannels);
      const Index ph = row / c.inChannels % (layout.hq * sh);
      const Index plane = n * c.inChannels + row % c.inChannels;
      const Index sourceRow = ph < pH ? maps[1][static_cast<size_t>(ph)] : -1;
      padRow(sourceRow < 0 ? nullptr : x + (plane * size[1] + sourceRow) * size[2], padded.data());
      const float* rowsOfBlocks = padded.data();
      if (sw > 1) {
        splitPhases(padded.data(), blockRows.data(), sw, blockedWidth, blockedWidth);
        rowsOfBlocks = blockRows.data();
      }
      for (Index b = 0; b < sw; ++b) {
        const Index blockedPlane = plane * blockChannels + (ph % sh) * sw + b;
        splitPhases(rowsOfBlocks + b * blockedWidth,
                    phased + blockedPlane * layout.planeSize() + (ph / sh) * 4 * layout.wq, 4,
                    layout.wq, layout.wq);
      }
    }
  }

  // w' filter-minor, as winogradOnLayout reads it: [g][(c, a, b)][i·3 + j][F/g].
  const Index inPerGroup = c.inPerGroup(), filtersPerGroup = c.outPerGroup();
  const Index blockedPerGroup = inPerGroup * blockChannels;
  float* wBlocked =
      scratch(kScratchBlockedWeights, c.groups * blockedPerGroup * 9 * filtersPerGroup);
  // One destination row [F/g] per (g, blocked channel, tap): contiguous writes, many rows to share.
#pragma omp parallel for schedule(static)
  for (Index row = 0; row < c.groups * blockedPerGroup * 9; ++row) {
    const Index g = row / (blockedPerGroup * 9), cb = row / 9 % blockedPerGroup, tap = row % 9;
    const Index cc = cb / blockChannels, a = cb / sw % sh, b = cb % sw;
    const Index ki = sh * (tap / 3) + a, kj = sw * (tap % 3) + b;
    float* dst = wBlocked + row * filtersPerGroup;
    if (ki >= kh || kj >= kw) {
      std::fill(dst, dst + filtersPerGroup, 0.0f);
      continue;
    }
    const float* source =
        weight + ((g * filtersPerGroup) * inPerGroup + cc) * kh * kw + ki * kw + kj;
    for (Index f = 0; f < filtersPerGroup; ++f) dst[f] = source[f * inPerGroup * kh * kw];
  }
  winogradOnLayout(phased, wBlocked, bias, y, blocked);
}

// Winograd on an input that is already padded (the adjoint passes build one): identity pad maps.
void forwardWinograd(const float* xPadded, const float* weight, const float* bias, float* y,
                     const Conv3& c) {
  std::array<PadMap, 3> identity;
  for (size_t d = 0; d < 3; ++d) {
    identity[d].resize(static_cast<size_t>(c.padded[d]));
    std::iota(identity[d].begin(), identity[d].end(), Index{0});
  }
  forwardBlockedWinograd(xPadded, weight, bias, y, c, c.padded, identity);
}
#endif

#ifdef __AVX512F__
// One step of fusedRow: NV vectors of 16 outputs from `o` on, lanes past `count` masked (masked
// loads never touch them). KW > 0 fixes the kernel width at compile time (the tap loop unrolls)
// and DW > 0 the dilation (constant load offsets: the unrolled loads need no index registers);
// 0 reads them from kwRuntime / dwRuntime.
template <int NV, int KW, int DW, bool Full>
__attribute__((always_inline)) inline void
fusedStep(const float* const* rows, Index kh, Index kwRuntime, Index dwRuntime, const float* w,
          float b, bool accumulate, float* __restrict y, Index o, Index count) {
  const Index kw = KW > 0 ? KW : kwRuntime, dw = DW > 0 ? DW : dwRuntime;
  __mmask16 m[NV];
  __m512 acc[NV]; // unrolled loops keep these in registers
  // Full steps load and store plainly; the last one masks the lanes past `count`.
  auto load = [&](int v, const float* at) {
    return Full ? _mm512_loadu_ps(at) : _mm512_maskz_loadu_ps(m[v], at);
  };
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v) {
    const Index left = std::clamp<Index>(count - o - 16 * v, 0, 16);
    m[v] = static_cast<__mmask16>((1u << left) - 1);
    acc[v] = accumulate ? load(v, y + o + 16 * v) : _mm512_set1_ps(b);
  }
  for (Index i = 0; i < kh; ++i) {
    const float* r = rows[i] + o;
    const float* wr = w + i * kw;
    for (Index j = 0; j < kw; ++j) {
      const __m512 wv = _mm512_set1_ps(wr[j]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v)
        acc[v] = _mm512_fmadd_ps(wv, load(v, r + j * dw + 16 * v), acc[v]);
    }
  }
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v) {
    if (Full)
      _mm512_storeu_ps(y + o + 16 * v, acc[v]);
    else
      _mm512_mask_storeu_ps(y + o + 16 * v, m[v], acc[v]);
  }
}

template <int KW, int DW>
void fusedRowSteps(const float* const* rows, Index kh, Index kw, Index dw, const float* w, float b,
                   bool accumulate, float* __restrict y, Index count) {
  // Four independent accumulators per full step (one FMA chain would wait on the FMA latency);
  // the last step uses as many vectors as outputs remain, so a short tail costs one step.
  Index o = 0;
  for (; o + 64 <= count; o += 64)
    fusedStep<4, KW, DW, true>(rows, kh, kw, dw, w, b, accumulate, y, o, count);
  switch ((count - o + 15) / 16) {
  case 1: fusedStep<1, KW, DW, false>(rows, kh, kw, dw, w, b, accumulate, y, o, count); break;
  case 2: fusedStep<2, KW, DW, false>(rows, kh, kw, dw, w, b, accumulate, y, o, count); break;
  case 3: fusedStep<3, KW, DW, false>(rows, kh, kw, dw, w, b, accumulate, y, o, count); break;
  case 4: fusedStep<4, KW, DW, false>(rows, kh, kw, dw, w, b, accumulate, y, o, count); break;
  default: break; // nothing left
  }
}
#endif

// One output row of a 2-D filter with unit stride along W, one input channel:
//   y[o] = seed[o] + Σ_{i<kh, j<kw} w[i·kw + j] · rows[i][o + j·dw]   for o < count,
// seed = b everywhere (accumulate false) or y itself (accumulate true: a further input channel or
// kernel depth slice). All taps in one pass: each output is loaded and stored once, not once per
// tap, which is what makes the 7×7 Gabor bank and depthwise layers cheap.
void fusedRow(const float* const* rows, Index kh, Index kw, Index dw, const float* w, float b,
              bool accumulate, float* __restrict y, Index count) {
#ifdef __AVX512F__
  if (dw == 1) { // the common odd widths unrolled
    switch (kw) {
    case 3: fusedRowSteps<3, 1>(rows, kh, kw, dw, w, b, accumulate, y, count); return;
    case 5: fusedRowSteps<5, 1>(rows, kh, kw, dw, w, b, accumulate, y, count); return;
    case 7: fusedRowSteps<7, 1>(rows, kh, kw, dw, w, b, accumulate, y, count); return;
    default: break;
    }
  }
  fusedRowSteps<0, 0>(rows, kh, kw, dw, w, b, accumulate, y, count);
#else
  if (!accumulate) std::fill(y, y + count, b);
  for (Index i = 0; i < kh; ++i)
    for (Index j = 0; j < kw; ++j) {
      const float wk = w[i * kw + j];
      const float* __restrict s = rows[i] + j * dw;
      for (Index o = 0; o < count; ++o) y[o] += wk * s[o];
    }
#endif
}

// Blocks of output rows per plane for the direct loops: ~64 KB of output per block, few enough to
// keep scheduling cheap, at least 4 blocks per thread.
Index directBlocksPerPlane(Index planes, Index rowsPerPlane, Index ow) {
  const Index threads = omp_get_max_threads();
  Index blocks = std::max<Index>(1, rowsPerPlane * ow / (1 << 14));
  blocks = std::max(blocks, (4 * threads + planes - 1) / planes);
  return std::min(blocks, rowsPerPlane);
}

// One output row of the 2-D 3×3 filter with unit stride and dilation:
// y[o] = b + Σ_{i,j<3} w[i, j] · x_i[o + j] for o < count, x_0..x_2 the three input rows.
inline void fused3x3Row(const float* __restrict x0, const float* __restrict x1,
                        const float* __restrict x2, const float* w, float b, float* __restrict yRow,
                        Index count) {
  const float w00 = w[0], w01 = w[1], w02 = w[2], w10 = w[3], w11 = w[4], w12 = w[5], w20 = w[6],
              w21 = w[7], w22 = w[8];
  Index o = 0;
#ifdef __AVX512F__
  // 16 outputs per step, nine unaligned loads and nine FMAs; the tail masked.
  const __m512 v00 = _mm512_set1_ps(w00), v01 = _mm512_set1_ps(w01), v02 = _mm512_set1_ps(w02),
               v10 = _mm512_set1_ps(w10), v11 = _mm512_set1_ps(w11), v12 = _mm512_set1_ps(w12),
               v20 = _mm512_set1_ps(w20), v21 = _mm512_set1_ps(w21), v22 = _mm512_set1_ps(w22),
               vb = _mm512_set1_ps(b);
  auto nineTaps = [&](__mmask16 m, Index at) {
    __m512 acc = _mm512_fmadd_ps(v00, _mm512_maskz_loadu_ps(m, x0 + at), vb);
    acc = _mm512_fmadd_ps(v01, _mm512_maskz_loadu_ps(m, x0 + at + 1), acc);
    acc = _mm512_fmadd_ps(v02, _mm512_maskz_loadu_ps(m, x0 + at + 2), acc);
    acc = _mm512_fmadd_ps(v10, _mm512_maskz_loadu_ps(m, x1 + at), acc);
    acc = _mm512_fmadd_ps(v11, _mm512_maskz_loadu_ps(m, x1 + at + 1), acc);
    acc = _mm512_fmadd_ps(v12, _mm512_maskz_loadu_ps(m, x1 + at + 2), acc);
    acc = _mm512_fmadd_ps(v20, _mm512_maskz_loadu_ps(m, x2 + at), acc);
    acc = _mm512_fmadd_ps(v21, _mm512_maskz_loadu_ps(m, x2 + at + 1), acc);
    acc = _mm512_fmadd_ps(v22, _mm512_maskz_loadu_ps(m, x2 + at + 2), acc);
    _mm512_mask_storeu_ps(yRow + at, m, acc);
  };
  for (; o + 16 <= count; o += 16) nineTaps(0xFFFF, o);
  if (o < count) nineTaps(static_cast<__mmask16>((1u << (count - o)) - 1), o);
  o = count;
#endif
  for (; o < count; ++o)
    yRow[o] = b + w00 * x0[o] + w01 * x0[o + 1] + w02 * x0[o + 2] + w10 * x1[o] + w11 * x1[o + 1] +
              w12 * x1[o + 2] + w20 * x2[o] + w21 * x2[o + 1] + w22 * x2[o + 2];
}

// The 3×3 filter with unit stride and dilation (edge filters, depthwise layers) straight from
// the unpadded rows: nine weights held in registers, borders through mapW one output at a time.
// For nine taps this beats padding rows first (the copy costs about a tenth of the arithmetic).
void forwardDirect3x3Unpadded(const float* x, const float* weight, const float* bias, float* y,
                              const Conv3& c, Index height, Index width, const PadMap& mapH,
                              const PadMap& mapW) {
  const Index oh = c.out[1], ow = c.out[2];
  const Index planes = c.batch * c.outChannels;
  // mapW is the identity on [before, before + width): outputs [before, interiorEnd) read three
  // source columns inside the row and run on the vector loop; the few others go through mapW.
  const Index before = RowPadder(mapW, width).before();
  const Index interiorEnd = std::clamp<Index>(width + before - 2, before, ow);
  const std::vector<float> zeroRow(static_cast<size_t>(width), 0.0f); // a zero-padded row
  Index blocksPerPlane = directBlocksPerPlane(planes, oh, ow);
  const Index rowsPerBlock = (oh + blocksPerPlane - 1) / blocksPerPlane;
  blocksPerPlane = (oh + rowsPerBlock - 1) / rowsPerBlock;
#pragma omp parallel for schedule(static)
  for (Index task = 0; task < planes * blocksPerPlane; ++task) {
    const Index plane = task / blocksPerPlane;
    const Index f = plane % c.outChannels, n = plane / c.outChannels;
    const Index g = f / c.outPerGroup();
    const float* w = weight + f * 9;
    const float b = bias ? bias[f] : 0.0f;
    const float* xPlane = x + (n * c.inChannels + g) * height * width;
    const Index rowEnd = std::min(oh, (task % blocksPerPlane + 1) * rowsPerBlock);
    for (Index r = (task % blocksPerPlane) * rowsPerBlock; r < rowEnd; ++r) {
      const float* rows[3];
      for (Index i = 0; i < 3; ++i) {
        const Index source = mapH[static_cast<size_t>(r + i)];
        rows[i] = source < 0 ? zeroRow.data() : xPlane + source * width;
      }
      float* yRow = y + (plane * oh + r) * ow;
      if (interiorEnd > before)
        fused3x3Row(rows[0], rows[1], rows[2], w, b, yRow + before, interiorEnd - before);
      // Border outputs: padded column o + j reads source column mapW[o + j] (-1: zero).
      auto border = [&](Index o) {
        float sum = b;
        for (Index i = 0; i < 3; ++i)
          for (Index j = 0; j < 3; ++j) {
            const Index source = mapW[static_cast<size_t>(o + j)];
            if (source >= 0) sum += w[3 * i + j] * rows[i][source];
          }
        yRow[o] = sum;
      };
      for (Index o = 0; o < std::min(before, ow); ++o) border(o);
      for (Index o = std::max(interiorEnd, before); o < ow; ++o) border(o);
    }
  }
}

// The fused rows read at most this many kernel rows (direct paths only run short reductions).
constexpr Index kMaxFusedRows = 64;

// Direct loop for short reductions (one input channel per group, small kernel): each output row
// accumulates k taps of contiguous input rows, which the compiler vectorizes when the stride along
// W is 1; no column buffer, no GEMM packing. Parallel over blocks of output rows: a block stays in
// one (n, f) plane, so depthwise layers split by channel and a single image by rows.
void forwardDirect(const float* xPadded, const float* weight, const float* bias, float* y,
                   const Conv3& c) {
  const auto [pD, pH, pW] = c.padded;
  const Index oh = c.out[1], ow = c.out[2];
  const Index rowsPerPlane = c.out[0] * oh;
  const Index k = c.kernelVolume();
  const Index planes = c.batch * c.outChannels;
  const Index sw = c.stride[2], dw = c.dilation[2];
  Index blocksPerPlane = directBlocksPerPlane(planes, rowsPerPlane, ow);
  const Index rowsPerBlock = (rowsPerPlane + blocksPerPlane - 1) / blocksPerPlane;
  blocksPerPlane = (rowsPerPlane + rowsPerBlock - 1) / rowsPerBlock;
#pragma omp parallel for schedule(static)
  for (Index task = 0; task < planes * blocksPerPlane; ++task) {
    const Index plane = task / blocksPerPlane;
    const Index f = plane % c.outChannels, n = plane / c.outChannels;
    const Index g = f / c.outPerGroup();
    const float* w = weight + f * c.inPerGroup() * k;
    const float b = bias ? bias[f] : 0.0f;
    const Index rowEnd = std::min(rowsPerPlane, (task % blocksPerPlane + 1) * rowsPerBlock);
    for (Index rr = (task % blocksPerPlane) * rowsPerBlock; rr < rowEnd; ++rr) {
      const Index od = rr / oh, ohh = rr % oh;
      float* __restrict yRow = y + plane * c.outVolume() + rr * ow;
      const float* rows[kMaxFusedRows];
      for (Index cc = 0; cc < c.inPerGroup(); ++cc)
        for (Index kd = 0; kd < c.kernel[0]; ++kd) {
          const bool first = cc == 0 && kd == 0;
          const float* xSlice = xPadded + (((n * c.inChannels + g * c.inPerGroup() + cc) * pD +
                                            od * c.stride[0] + kd * c.dilation[0]) *
                                               pH +
                                           ohh * c.stride[1]) *
                                              pW;
          const float* wSlice = w + (cc * c.kernel[0] + kd) * c.kernel[1] * c.kernel[2];
          if (sw == 1 && c.kernel[1] <= kMaxFusedRows) {
            for (Index kh = 0; kh < c.kernel[1]; ++kh) rows[kh] = xSlice + kh * c.dilation[1] * pW;
            fusedRow(rows, c.kernel[1], c.kernel[2], dw, wSlice, b, !first, yRow, ow);
            continue;
          }
          if (first) std::fill(yRow, yRow + ow, b);
          for (Index kh = 0; kh < c.kernel[1]; ++kh)
            for (Index kw = 0; kw < c.kernel[2]; ++kw) {
              const float wk = wSlice[kh * c.kernel[2] + kw];
              const float* xs = xSlice + kh * c.dilation[1] * pW + kw * dw;
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

bool directUnpaddedApplies(const Conv3& c, ConvAlgorithm algorithm) {
  const bool shortReduction = c.kernel[1] <= kMaxFusedRows && c.kernel[1] * c.kernel[2] <= 64;
  return (algorithm == ConvAlgorithm::Auto || algorithm == ConvAlgorithm::Direct) &&
         c.inPerGroup() == 1 && c.padded[0] == 1 && c.stride[2] == 1 && shortReduction;
}

void convForwardDirectUnpadded(const float* x, const float* weight, const float* bias, float* y,
                               const Conv3& c, Index height, Index width, const PadMap& mapH,
                               const PadMap& mapW) {
  const Index oh = c.out[1], ow = c.out[2], pW = c.padded[2];
  const Index kh = c.kernel[1], kw = c.kernel[2], dh = c.dilation[1], dw = c.dilation[2];
  const Index sh = c.stride[1], extentH = (kh - 1) * dh + 1;
  if (kh == 3 && kw == 3 && dh == 1 && dw == 1 && sh == 1) {
    forwardDirect3x3Unpadded(x, weight, bias, y, c, height, width, mapH, mapW);
    return;
  }
  const Index fg = c.outPerGroup();
  // A task is a block of output rows of one input plane (one channel per group) for all the
  // group's filters: it pads the input rows the block reads once, into a thread-local buffer that
  // stays in L2, and then every output row, borders included, runs on the fused loop.
  const Index planes = c.batch * c.groups;
  Index blocksPerPlane = directBlocksPerPlane(planes, oh, fg * ow);
  const Index rowsPerBlock = (oh + blocksPerPlane - 1) / blocksPerPlane;
  blocksPerPlane = (oh + rowsPerBlock - 1) / rowsPerBlock;
  const RowPadder padRow(mapW, width);
#pragma omp parallel for schedule(static)
  for (Index task = 0; task < planes * blocksPerPlane; ++task) {
    const Index plane = task / blocksPerPlane;
    const Index g = plane % c.groups, n = plane / c.groups;
    const Index r0 = (task % blocksPerPlane) * rowsPerBlock;
    const Index r1 = std::min(oh, r0 + rowsPerBlock);
    const Index p0 = r0 * sh, p1 = (r1 - 1) * sh + extentH; // padded rows the block reads
    float* padded = scratch(kScratchInput, (p1 - p0) * pW);
    const float* xPlane = x + (n * c.inChannels + g) * height * width;
    for (Index p = p0; p < p1; ++p) {
      const Index source = mapH[static_cast<size_t>(p)];
      padRow(source < 0 ? nullptr : xPlane + source * width, padded + (p - p0) * pW);
    }
    for (Index f = g * fg; f < (g + 1) * fg; ++f) {
      const float* w = weight + f * kh * kw;
      const float b = bias ? bias[f] : 0.0f;
      float* yPlane = y + (n * c.outChannels + f) * oh * ow;
      for (Index r = r0; r < r1; ++r) {
        const float* rows[kMaxFusedRows];
        for (Index i = 0; i < kh; ++i) rows[i] = padded + (r * sh + i * dh - p0) * pW;
        fusedRow(rows, kh, kw, dw, w, b, false, yPlane + r * ow, ow);
      }
    }
  }
}

bool phasedGemmApplies(const Conv3& c, ConvAlgorithm algorithm) {
#ifdef __AVX512F__
  // Asked after winogradApplies: with a W stride above 1 the automatic choice is otherwise the
  // GEMM (see convForwardKernel).
  return (algorithm == ConvAlgorithm::Auto || algorithm == ConvAlgorithm::Im2colGemm) &&
         c.stride[2] > 1;
#else
  (void)c, (void)algorithm;
  return false;
#endif
}

void convForwardPhasedGemm(const float* x, const float* weight, const float* bias, float* y,
                           const Conv3& c, const std::array<Index, 3>& size,
                           const std::array<PadMap, 3>& maps) {
#ifdef __AVX512F__
  const auto [pD, pH, pW] = c.padded;
  const Index sw = c.stride[2], wq = phaseWidth(c), rowStride = sw * wq;
  // Padding and the phase split in one pass over the input: each padded row is built in a
  // per-thread buffer (RowPadder) and split from there, no padded copy of the whole input.
  const Index rows = c.batch * c.inChannels * pD * pH;
  float* phased = scratch(kScratchInput, rows * rowStride);
  const RowPadder padRow(maps[2], size[2]);
  layOutPhases(phased, rows, sw, wq, [&](Index row, float* buffer) {
    const Index ph = row % pH, pd = (row / pH) % pD, plane = row / (pH * pD);
    const Index sd = maps[0][static_cast<size_t>(pd)], sh = maps[1][static_cast<size_t>(ph)];
    padRow(sd < 0 || sh < 0 ? nullptr : x + ((plane * size[0] + sd) * size[1] + sh) * size[2],
           buffer);
  });
  packedGemmOnLayout(phased, wq, weight, bias, y, c);
#else
  (void)x, (void)weight, (void)bias, (void)y, (void)c, (void)size, (void)maps;
#endif
}

bool winogradApplies(const Conv3& c, ConvAlgorithm algorithm) {
#ifdef __AVX512F__
  const bool image = c.padded[0] == 1 && c.kernel[0] == 1;
  const bool blocked3x3 = c.dilation[1] == 1 && c.dilation[2] == 1 &&
                          blockedKernel(c.kernel[1], c.stride[1]) == 3 &&
                          blockedKernel(c.kernel[2], c.stride[2]) == 3;
  if (!image || !blocked3x3) return false;
  // Enough channels on both sides for its 36 GEMMs to amortize the tile transforms (measured in
  // bench/conv_bench.cpp: 64 → 64 channels on 56×56 runs ~2× faster than the packed GEMM).
  if (algorithm == ConvAlgorithm::Auto)
    return c.inPerGroup() * c.stride[1] * c.stride[2] >= 16 && c.outPerGroup() >= 16;
  return algorithm == ConvAlgorithm::Winograd;
#else
  (void)c, (void)algorithm;
  return false;
#endif
}

void convForwardWinogradUnpadded(const float* x, const float* weight, const float* bias, float* y,
                                 const Conv3& c, const std::array<Index, 3>& size,
                                 const std::array<PadMap, 3>& maps) {
#ifdef __AVX512F__
  forwardBlockedWinograd(x, weight, bias, y, c, size, maps);
#else
  (void)x, (void)weight, (void)bias, (void)y, (void)c, (void)size, (void)maps;
#endif
}

void convForwardKernel(const float* xPadded, const float* weight, const float* bias, float* y,
                       const Conv3& c, ConvAlgorithm algorithm) {
  if (algorithm == ConvAlgorithm::Auto) {
    // The direct loop wins while the reduction per output is short and the W stride is 1;
    // beyond that GEMM's register blocking pays for the im2col copy, unless Winograd applies.
    const bool shortReduction = c.inPerGroup() == 1 && c.kernelVolume() <= 64;
    if (shortReduction && c.stride[2] == 1) {
      algorithm = ConvAlgorithm::Direct;
    } else if (winogradApplies(c, ConvAlgorithm::Auto) && c.stride[1] == 1 && c.stride[2] == 1) {
      // Here only for the adjoint passes (conv() takes Winograd before padding); their strided
      // geometries stay on the GEMM, which their goldens cover.
      algorithm = ConvAlgorithm::Winograd;
    } else {
      algorithm = ConvAlgorithm::Im2colGemm;
    }
  }
#ifndef __AVX512F__
  // Winograd is written for AVX-512 only; elsewhere its request is served by im2col + GEMM.
  if (algorithm == ConvAlgorithm::Winograd) algorithm = ConvAlgorithm::Im2colGemm;
#endif
  switch (algorithm) {
  case ConvAlgorithm::Direct: forwardDirect(xPadded, weight, bias, y, c); break;
#ifdef __AVX512F__
  case ConvAlgorithm::Winograd:
    // Forced on a geometry it does not cover (tests run every path on every case): the GEMM.
    if (winogradApplies(c, ConvAlgorithm::Winograd)) {
      forwardWinograd(xPadded, weight, bias, y, c);
    } else {
      forwardPackedGemm(xPadded, weight, bias, y, c);
    }
    break;
  default: forwardPackedGemm(xPadded, weight, bias, y, c); break;
#else
  default: forwardIm2colEigen(xPadded, weight, bias, y, c); break;
#endif
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
  const RowPadder padRow(maps[2], size[2]);
#pragma omp parallel for schedule(static)
  for (Index task = 0; task < planes * pD * pH; ++task) {
    const Index ph = task % pH, pd = (task / pH) % pD, plane = task / (pH * pD);
    const Index sd = maps[0][static_cast<size_t>(pd)], sh = maps[1][static_cast<size_t>(ph)];
    const float* src =
        sd < 0 || sh < 0 ? nullptr : x + ((plane * size[0] + sd) * size[1] + sh) * size[2];
    padRow(src, xPadded + task * pW);
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
