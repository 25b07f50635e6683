// Named kernels: the lecture's kernels as printed in the issue, sums and symmetries that define
// each filter, and edges lit where the filter should light them.
#include "nnlab/filters.h"

#include <cmath>
#include <numbers>

#include <gtest/gtest.h>

#include "nnlab/conv.h"

namespace nnlab {
namespace {

float sum(const Tensor& t) {
  float s = 0;
  for (float v : t.values()) s += v;
  return s;
}

TEST(Filters, LectureKernelsAsWritten) {
  EXPECT_EQ(verticalEdgeKernel().values(), (std::vector<float>{1, 0, -1, 1, 0, -1, 1, 0, -1}));
  EXPECT_EQ(horizontalEdgeKernel().values(), (std::vector<float>{1, 1, 1, 0, 0, 0, -1, -1, -1}));
  EXPECT_EQ(sobelKernel(EdgeAxis::Y).values(), (std::vector<float>{-1, -2, -1, 0, 0, 0, 1, 2, 1}));
  EXPECT_EQ(scharrKernel(EdgeAxis::X).values(),
            (std::vector<float>{-3, 0, 3, -10, 0, 10, -3, 0, 3}));
  EXPECT_EQ(laplacianKernel(false).values(), (std::vector<float>{0, 1, 0, 1, -4, 1, 0, 1, 0}));
}

// Blurs preserve brightness (sum 1), derivative kernels ignore it (sum 0), sharpen adds one.
TEST(Filters, DefiningSums) {
  EXPECT_NEAR(sum(boxKernel(5)), 1.0f, 1e-6f);
  EXPECT_NEAR(sum(gaussianKernel(7, 1.5f)), 1.0f, 1e-6f);
  EXPECT_FLOAT_EQ(sum(identityKernel(5)), 1.0f);
  EXPECT_FLOAT_EQ(sum(sharpenKernel()), 1.0f);
  for (const Tensor& k :
       {sobelKernel(EdgeAxis::X), prewittKernel(EdgeAxis::Y), scharrKernel(EdgeAxis::Y),
        laplacianKernel(true), diagonalEdgeKernel(true), diagonalEdgeKernel(false)})
    EXPECT_FLOAT_EQ(sum(k), 0.0f);
}

// Gaussian 3, σ = 1: weights ∝ e^(−r²/2): corner/centre = e^(−1), edge/centre = e^(−1/2).
TEST(Filters, GaussianRatiosByHand) {
  const Tensor g = gaussianKernel(3, 1.0f);
  EXPECT_NEAR(g(0, 0) / g(1, 1), std::exp(-1.0f), 1e-6f);
  EXPECT_NEAR(g(0, 1) / g(1, 1), std::exp(-0.5f), 1e-6f);
}

// θ = 0: the kernel at (row c, column c + x) is exp(−x²/2σ²)·cos(2πx/λ) by the formula with y = 0;
// θ = 90° is the θ = 0 kernel transposed.
TEST(Filters, GaborOrientation) {
  GaborParams p;
  const Tensor k0 = gaborKernel(p);
  const Index c = p.size / 2;
  for (Index x = -c; x <= c; ++x) {
    const double expected = std::exp(-double(x * x) / (2.0 * p.sigma * p.sigma)) *
                            std::cos(2.0 * std::numbers::pi * double(x) / p.wavelength);
    EXPECT_NEAR(k0(c, c + x), expected, 1e-6);
  }
  p.theta = static_cast<float>(std::numbers::pi / 2);
  const Tensor k90 = gaborKernel(p);
  for (Index r = 0; r < p.size; ++r)
    for (Index q = 0; q < p.size; ++q) EXPECT_NEAR(k90(r, q), k0(q, r), 1e-6f);
  EXPECT_EQ(gaborBank(4, GaborParams()).shape(), (Shape{4, 1, 9, 9}));
}

// A dark-left / bright-right image: the vertical-edge kernel lights the columns at the edge
// (|response| 3 per row: three rows of 1·0 + 0 − 1·1 ... = −3) and is 0 in flat regions; the
// horizontal-edge kernel sees nothing.
TEST(Filters, VerticalEdgeLightsTheEdge) {
  Tensor image(Shape{1, 1, 5, 6});
  for (Index r = 0; r < 5; ++r)
    for (Index q = 3; q < 6; ++q) image(0, 0, r, q) = 1.0f;
  const Tensor v = verticalEdgeKernel().reshaped(Shape{1, 1, 3, 3});
  const Tensor h = horizontalEdgeKernel().reshaped(Shape{1, 1, 3, 3});
  const Tensor yv = conv(image, v, Tensor(), {}).value(); // [1, 1, 3, 4]
  const Tensor yh = conv(image, h, Tensor(), {}).value();
  for (Index r = 0; r < 3; ++r) {
    EXPECT_FLOAT_EQ(yv(0, 0, r, 0), 0.0f);  // columns 0..2: flat
    EXPECT_FLOAT_EQ(yv(0, 0, r, 1), -3.0f); // columns 1..3: 1·0 + 0 − 1·1, three rows
    EXPECT_FLOAT_EQ(yv(0, 0, r, 2), -3.0f);
    EXPECT_FLOAT_EQ(yv(0, 0, r, 3), 0.0f);
    for (Index q = 0; q < 4; ++q) EXPECT_FLOAT_EQ(yh(0, 0, r, q), 0.0f);
  }
}

TEST(Filters, EveryNameResolves) {
  for (const std::string& name : kernelNames()) EXPECT_TRUE(namedKernel(name)) << name;
  Result<Tensor> bad = namedKernel("sobel_z");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().where, "kernel");
}

} // namespace
} // namespace nnlab
