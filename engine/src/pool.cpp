#include "nnlab/pool.h"

#include <algorithm>
#include <array>
#include <limits>

namespace nnlab {
namespace {

struct Window {
  Index start, end;  // clipped to the real input [0, in)
  Index paddedCount; // cells of the window inside the padded input
};

// PyTorch's window for output o: [o·s − p, o·s − p + k) clipped to the padded input, then to the
// real input.
Window window(Index o, Index in, Index k, Index s, Index p) {
  const Index start = o * s - p;
  const Index end = std::min(start + k, in + p);
  return {std::max<Index>(start, 0), std::min(end, in), end - start};
}

struct Pool3 {
  std::array<Index, 3> in{1, 1, 1}, k{1, 1, 1}, s{1, 1, 1}, p{0, 0, 0}, out{1, 1, 1};
};

Pool3 toPool3(const PoolGeometry& g) {
  Pool3 q;
  const size_t lead = static_cast<size_t>(3 - g.spatialRank);
  for (size_t i = 0; i < g.inputSize.size(); ++i) {
    q.in[lead + i] = g.inputSize[i];
    q.k[lead + i] = g.kernel[i];
    q.s[lead + i] = g.stride[i];
    q.p[lead + i] = g.padding[i];
    q.out[lead + i] = g.outputSize[i];
  }
  return q;
}

Result<PoolGeometry> geometryFor(const Shape& input, const PoolOptions& options) {
  if (input.rank() < 3 || input.rank() > 5)
    return Error{"input", "shape " + input.toString() +
                              " should be [N, C, spatial...] with 1 to 3 spatial dimensions"};
  std::vector<Index> size;
  for (int a = 2; a < input.rank(); ++a) size.push_back(input[a]);
  return poolGeometry(size, options);
}

// Visits every output cell with its window: fn(plane, outIndex, windows[3]).
template <class Fn> void forEachWindow(const Pool3& q, Index planes, Fn fn) {
  const Index outVolume = q.out[0] * q.out[1] * q.out[2];
#pragma omp parallel for schedule(static)
  for (Index plane = 0; plane < planes; ++plane)
    for (Index od = 0; od < q.out[0]; ++od)
      for (Index oh = 0; oh < q.out[1]; ++oh)
        for (Index ow = 0; ow < q.out[2]; ++ow) {
          const std::array<Window, 3> w{window(od, q.in[0], q.k[0], q.s[0], q.p[0]),
                                        window(oh, q.in[1], q.k[1], q.s[1], q.p[1]),
                                        window(ow, q.in[2], q.k[2], q.s[2], q.p[2])};
          fn(plane, plane * outVolume + (od * q.out[1] + oh) * q.out[2] + ow, w);
        }
}

// The common layer of a CNN: non-overlapping k×k windows (stride = kernel), no padding, so every
// window lies inside the input (floor mode: the ragged edge is dropped). Direct loops over each
// plane, visiting a window in the same order as forEachWindow so the results are identical; the
// generic path spends most of its time building the clipped windows.
bool isTiled(const Pool3& q) {
  for (size_t a = 0; a < 3; ++a)
    if (q.p[a] != 0 || q.s[a] != q.k[a] || q.out[a] * q.s[a] > q.in[a]) return false;
  return q.in[0] == 1; // rank 1 or 2
}

template <bool isMax> void tiledForward(const float* x, float* y, Index planes, const Pool3& q) {
  const Index kh = q.k[1], kw = q.k[2], inH = q.in[1], inW = q.in[2], outH = q.out[1],
              outW = q.out[2];
  const double count = static_cast<double>(kh * kw);
#pragma omp parallel for schedule(static)
  for (Index plane = 0; plane < planes; ++plane)
    for (Index oh = 0; oh < outH; ++oh)
      for (Index ow = 0; ow < outW; ++ow) {
        const float* window = x + plane * inH * inW + oh * kh * inW + ow * kw;
        float best = -std::numeric_limits<float>::infinity();
        double sum = 0.0;
        for (Index h = 0; h < kh; ++h)
          for (Index v = 0; v < kw; ++v) {
            const float value = window[h * inW + v];
            if constexpr (isMax)
              best = std::max(best, value);
            else
              sum += value;
          }
        y[(plane * outH + oh) * outW + ow] = isMax ? best : static_cast<float>(sum / count);
      }
}

template <bool isMax>
void tiledBackward(const float* x, const float* gy, float* gx, Index planes, const Pool3& q) {
  const Index kh = q.k[1], kw = q.k[2], inH = q.in[1], inW = q.in[2], outH = q.out[1],
              outW = q.out[2];
  const float count = static_cast<float>(kh * kw);
#pragma omp parallel for schedule(static)
  for (Index plane = 0; plane < planes; ++plane)
    for (Index oh = 0; oh < outH; ++oh)
      for (Index ow = 0; ow < outW; ++ow) {
        const Index base = plane * inH * inW + oh * kh * inW + ow * kw;
        const float g = gy[(plane * outH + oh) * outW + ow];
        if constexpr (isMax) {
          Index argmax = base;
          float best = x[base];
          for (Index h = 0; h < kh; ++h)
            for (Index v = 0; v < kw; ++v)
              if (x[base + h * inW + v] > best)
                best = x[base + h * inW + v], argmax = base + h * inW + v;
          gx[argmax] += g;
        } else {
          const float share = g / count;
          for (Index h = 0; h < kh; ++h)
            for (Index v = 0; v < kw; ++v) gx[base + h * inW + v] += share;
        }
      }
}

Index divisor(const std::array<Window, 3>& w, bool countIncludePad) {
  Index n = 1;
  for (const Window& x : w) n *= countIncludePad ? x.paddedCount : x.end - x.start;
  return n;
}

} // namespace

Result<PoolGeometry> poolGeometry(const std::vector<Index>& inputSize, const PoolOptions& options) {
  const int rank = static_cast<int>(inputSize.size());
  if (rank < 1 || rank > 3)
    return Error{"input", "needs 1 to 3 spatial dimensions after the channels (got " +
                              std::to_string(rank) + ")"};
  const std::vector<std::string> dims = spatialDimNames(rank);
  auto expand = [rank](const DimValues& v, const char* name) -> Result<std::vector<Index>> {
    if (v.size() == 1) return std::vector<Index>(static_cast<size_t>(rank), v[0]);
    if (v.size() == static_cast<size_t>(rank)) return v;
    return Error{name, "give 1 value or " + std::to_string(rank) +
                           " (one per spatial dimension), got " + std::to_string(v.size())};
  };
  PoolGeometry g;
  g.spatialRank = rank;
  g.inputSize = inputSize;
  auto kernel = expand(options.kernel, "kernel");
  if (!kernel) return kernel.error();
  auto stride = expand(options.stride.empty() ? *kernel : options.stride, "stride");
  auto padding = expand(options.padding, "padding");
  if (!stride) return stride.error();
  if (!padding) return padding.error();
  g.kernel = *kernel;
  g.stride = *stride;
  g.padding = *padding;
  for (int i = 0; i < rank; ++i) {
    const size_t a = static_cast<size_t>(i);
    const std::string along = rank > 1 ? " along " + dims[a] : "";
    const Index in = inputSize[a], k = g.kernel[a], s = g.stride[a], p = g.padding[a];
    if (in < 1)
      return Error{"input", "must be at least 1" + along + " (got " + std::to_string(in) + ")"};
    if (k < 1)
      return Error{"kernel", "must be at least 1" + along + " (got " + std::to_string(k) + ")"};
    if (s < 1)
      return Error{"stride", "must be at least 1" + along + " (got " + std::to_string(s) + ")"};
    if (p < 0)
      return Error{"padding", "must be at least 0" + along + " (got " + std::to_string(p) + ")"};
    if (2 * p > k)
      return Error{"padding", std::to_string(p) + along + " must be at most half the kernel " +
                                  std::to_string(k) + " (over by " + std::to_string(p - k / 2) +
                                  ")"};
    if (k > in + 2 * p)
      return Error{"kernel", std::to_string(k) + " exceeds the padded input " +
                                 std::to_string(in + 2 * p) + along + " by " +
                                 std::to_string(k - in - 2 * p)};
    const Index span = in + 2 * p - k;
    Index out = (options.ceilMode ? (span + s - 1) / s : span / s) + 1;
    // Ceil mode must not start a window inside the right padding (PyTorch's pooling_output_shape).
    if (options.ceilMode && (out - 1) * s >= in + p) --out;
    g.outputSize.push_back(out);
  }
  return g;
}

Result<Tensor> pool(const Tensor& input, const PoolOptions& options) {
  Result<PoolGeometry> geometry = geometryFor(input.shape(), options);
  if (!geometry) return geometry.error();
  std::vector<Index> dims{input.dim(0), input.dim(1)};
  dims.insert(dims.end(), geometry->outputSize.begin(), geometry->outputSize.end());
  Tensor y{Shape(dims)};
  const Pool3 q = toPool3(*geometry);
  const Index inVolume = q.in[0] * q.in[1] * q.in[2];
  const float* x = input.data();
  float* out = y.data();
  const bool isMax = options.kind == PoolKind::Max;
  if (isTiled(q)) {
    if (isMax)
      tiledForward<true>(x, out, input.dim(0) * input.dim(1), q);
    else
      tiledForward<false>(x, out, input.dim(0) * input.dim(1), q);
    return y;
  }
  forEachWindow(q, input.dim(0) * input.dim(1), [&](Index plane, Index o, const auto& w) {
    const float* xp = x + plane * inVolume;
    float best = -std::numeric_limits<float>::infinity();
    double sum = 0.0;
    for (Index d = w[0].start; d < w[0].end; ++d)
      for (Index h = w[1].start; h < w[1].end; ++h)
        for (Index v = w[2].start; v < w[2].end; ++v) {
          const float value = xp[(d * q.in[1] + h) * q.in[2] + v];
          best = std::max(best, value);
          sum += value;
        }
    const Index count = divisor(w, options.countIncludePad);
    out[o] =
        isMax ? best : (count > 0 ? static_cast<float>(sum / static_cast<double>(count)) : 0.0f);
  });
  return y;
}

Result<Tensor> poolBackward(const Tensor& input, const Tensor& gradOutput,
                            const PoolOptions& options) {
  Result<PoolGeometry> geometry = geometryFor(input.shape(), options);
  if (!geometry) return geometry.error();
  const Pool3 q = toPool3(*geometry);
  std::vector<Index> dims{input.dim(0), input.dim(1)};
  dims.insert(dims.end(), geometry->outputSize.begin(), geometry->outputSize.end());
  if (gradOutput.shape() != Shape(dims))
    return Error{"gradOutput", "shape " + gradOutput.shape().toString() + " should be " +
                                   Shape(dims).toString() + " (the output's shape)"};
  Tensor grad(input.shape());
  const Index inVolume = q.in[0] * q.in[1] * q.in[2];
  const float* x = input.data();
  const float* gy = gradOutput.data();
  float* gx = grad.data();
  const bool isMax = options.kind == PoolKind::Max;
  if (isTiled(q)) {
    if (isMax)
      tiledBackward<true>(x, gy, gx, input.dim(0) * input.dim(1), q);
    else
      tiledBackward<false>(x, gy, gx, input.dim(0) * input.dim(1), q);
    return grad;
  }
  // Each plane is written by one thread only (forEachWindow splits by plane), so no races.
  forEachWindow(q, input.dim(0) * input.dim(1), [&](Index plane, Index o, const auto& w) {
    const float* xp = x + plane * inVolume;
    float* gp = gx + plane * inVolume;
    if (isMax) {
      Index argmax = -1;
      float best = -std::numeric_limits<float>::infinity();
      for (Index d = w[0].start; d < w[0].end; ++d)
        for (Index h = w[1].start; h < w[1].end; ++h)
          for (Index v = w[2].start; v < w[2].end; ++v) {
            const Index at = (d * q.in[1] + h) * q.in[2] + v;
            if (argmax < 0 || xp[at] > best) best = xp[at], argmax = at;
          }
      if (argmax >= 0) gp[argmax] += gy[o];
      return;
    }
    const Index count = divisor(w, options.countIncludePad);
    if (count == 0) return;
    const float share = gy[o] / static_cast<float>(count);
    for (Index d = w[0].start; d < w[0].end; ++d)
      for (Index h = w[1].start; h < w[1].end; ++h)
        for (Index v = w[2].start; v < w[2].end; ++v) gp[(d * q.in[1] + h) * q.in[2] + v] += share;
  });
  return grad;
}

Result<Tensor> globalAveragePool(const Tensor& input) {
  if (input.rank() < 3)
    return Error{"input", "shape " + input.shape().toString() + " should be [N, C, spatial...]"};
  std::vector<Index> dims(static_cast<size_t>(input.rank()), 1);
  dims[0] = input.dim(0);
  dims[1] = input.dim(1);
  Tensor y{Shape(dims)};
  const Index planes = input.dim(0) * input.dim(1), plane = input.numel() / planes;
  for (Index i = 0; i < planes; ++i) {
    double sum = 0.0;
    for (Index j = 0; j < plane; ++j) sum += input.data()[i * plane + j];
    y.data()[i] = static_cast<float>(sum / static_cast<double>(plane));
  }
  return y;
}

} // namespace nnlab
