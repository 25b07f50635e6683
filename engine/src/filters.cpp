#include "nnlab/filters.h"

#include <cmath>
#include <numbers>

namespace nnlab {
namespace {

Tensor kernel3(const std::vector<float>& values) {
  return Tensor(Shape{3, 3}, values);
}

Tensor transposed3(const Tensor& k) {
  Tensor t(Shape{3, 3});
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) t(r, c) = k(c, r);
  return t;
}

// Derivative along x: −side/centre/side on the left column, + on the right; y is its transpose.
Tensor derivative3(float side, float centre, EdgeAxis axis) {
  Tensor x = kernel3({-side, 0, side, -centre, 0, centre, -side, 0, side});
  return axis == EdgeAxis::X ? x : transposed3(x);
}

} // namespace

Tensor identityKernel(Index size) {
  Tensor k(Shape{size, size});
  k(size / 2, size / 2) = 1.0f;
  return k;
}

Tensor boxKernel(Index size) {
  return Tensor(Shape{size, size}, 1.0f / static_cast<float>(size * size));
}

Tensor gaussianKernel(Index size, float sigma) {
  Tensor k(Shape{size, size});
  const double c = (static_cast<double>(size) - 1.0) / 2.0;
  double sum = 0.0;
  for (Index r = 0; r < size; ++r)
    for (Index q = 0; q < size; ++q) {
      const double dx = static_cast<double>(q) - c, dy = static_cast<double>(r) - c;
      const double v = std::exp(-(dx * dx + dy * dy) / (2.0 * sigma * sigma));
      k(r, q) = static_cast<float>(v);
      sum += v;
    }
  for (float& v : k.values()) v = static_cast<float>(v / sum);
  return k;
}

Tensor sharpenKernel() {
  return kernel3({0, -1, 0, -1, 5, -1, 0, -1, 0});
}
Tensor embossKernel() {
  return kernel3({-2, -1, 0, -1, 1, 1, 0, 1, 2});
}

Tensor laplacianKernel(bool eightNeighbour) {
  return eightNeighbour ? kernel3({1, 1, 1, 1, -8, 1, 1, 1, 1})
                        : kernel3({0, 1, 0, 1, -4, 1, 0, 1, 0});
}

Tensor sobelKernel(EdgeAxis axis) {
  return derivative3(1, 2, axis);
}
Tensor prewittKernel(EdgeAxis axis) {
  return derivative3(1, 1, axis);
}
Tensor scharrKernel(EdgeAxis axis) {
  return derivative3(3, 10, axis);
}
Tensor verticalEdgeKernel() {
  return kernel3({1, 0, -1, 1, 0, -1, 1, 0, -1});
}
Tensor horizontalEdgeKernel() {
  return kernel3({1, 1, 1, 0, 0, 0, -1, -1, -1});
}

Tensor diagonalEdgeKernel(bool mainDiagonal) {
  return mainDiagonal ? kernel3({0, 1, 2, -1, 0, 1, -2, -1, 0})
                      : kernel3({-2, -1, 0, -1, 0, 1, 0, 1, 2});
}

Tensor gaborKernel(const GaborParams& p) {
  Tensor k(Shape{p.size, p.size});
  const double c = (static_cast<double>(p.size) - 1.0) / 2.0;
  const double ct = std::cos(p.theta), st = std::sin(p.theta);
  for (Index r = 0; r < p.size; ++r)
    for (Index q = 0; q < p.size; ++q) {
      const double x = static_cast<double>(q) - c, y = static_cast<double>(r) - c;
      const double xr = x * ct + y * st, yr = -x * st + y * ct;
      const double envelope =
          std::exp(-(xr * xr + p.aspect * p.aspect * yr * yr) / (2.0 * p.sigma * p.sigma));
      k(r, q) = static_cast<float>(envelope *
                                   std::cos(2.0 * std::numbers::pi * xr / p.wavelength + p.phase));
    }
  return k;
}

Tensor gaborBank(Index count, const GaborParams& params) {
  Tensor bank(Shape{count, 1, params.size, params.size});
  const Index plane = params.size * params.size;
  for (Index i = 0; i < count; ++i) {
    GaborParams p = params;
    p.theta =
        static_cast<float>(std::numbers::pi * static_cast<double>(i) / static_cast<double>(count));
    const Tensor k = gaborKernel(p);
    std::copy(k.data(), k.data() + plane, bank.data() + i * plane);
  }
  return bank;
}

std::vector<std::string> kernelNames() {
  return {"identity",        "box3",          "box5",          "gaussian3",
          "gaussian5",       "sharpen",       "emboss",        "laplacian4",
          "laplacian8",      "sobel_x",       "sobel_y",       "prewitt_x",
          "prewitt_y",       "scharr_x",      "scharr_y",      "vertical_edge",
          "horizontal_edge", "diagonal_main", "diagonal_anti", "gabor_0",
          "gabor_45",        "gabor_90",      "gabor_135"};
}

Result<Tensor> namedKernel(const std::string& name) {
  if (name == "identity") return identityKernel(3);
  if (name == "box3") return boxKernel(3);
  if (name == "box5") return boxKernel(5);
  if (name == "gaussian3") return gaussianKernel(3, 0.8f);
  if (name == "gaussian5") return gaussianKernel(5, 1.0f);
  if (name == "sharpen") return sharpenKernel();
  if (name == "emboss") return embossKernel();
  if (name == "laplacian4") return laplacianKernel(false);
  if (name == "laplacian8") return laplacianKernel(true);
  if (name == "sobel_x") return sobelKernel(EdgeAxis::X);
  if (name == "sobel_y") return sobelKernel(EdgeAxis::Y);
  if (name == "prewitt_x") return prewittKernel(EdgeAxis::X);
  if (name == "prewitt_y") return prewittKernel(EdgeAxis::Y);
  if (name == "scharr_x") return scharrKernel(EdgeAxis::X);
  if (name == "scharr_y") return scharrKernel(EdgeAxis::Y);
  if (name == "vertical_edge") return verticalEdgeKernel();
  if (name == "horizontal_edge") return horizontalEdgeKernel();
  if (name == "diagonal_main") return diagonalEdgeKernel(true);
  if (name == "diagonal_anti") return diagonalEdgeKernel(false);
  for (int degrees : {0, 45, 90, 135}) {
    if (name == "gabor_" + std::to_string(degrees)) {
      GaborParams p;
      p.theta = static_cast<float>(degrees * std::numbers::pi / 180.0);
      return gaborKernel(p);
    }
  }
  std::string known;
  for (const std::string& n : kernelNames()) known += (known.empty() ? "" : ", ") + n;
  return Error{"kernel", "unknown name \"" + name + "\" (known: " + known + ")"};
}

} // namespace nnlab
