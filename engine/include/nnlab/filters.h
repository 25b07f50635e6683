// filters.h: the named kernels the convolution labs offer, as [k, k] tensors (row-major, row 0 at
// the top). Applied with conv() they are cross-correlations, like every framework's filters.
//
// Orientation convention: an "x" (horizontal-derivative) kernel responds to vertical edges,
// a "y" kernel to horizontal edges; y grows downwards, so sobel(y) = [[−1 −2 −1], [0 0 0], [1 2
// 1]].
//
//   Tensor g = gaussianKernel(5, 1.0f);           // sums to 1
//   Result<Tensor> k = namedKernel("sobel_x");    // the same lookup the UI's dropdown uses
#pragma once

#include <string>
#include <vector>

#include "nnlab/status.h"
#include "nnlab/tensor.h"

namespace nnlab {

enum class EdgeAxis { X, Y }; // derivative along x (finds vertical edges) or along y

Tensor identityKernel(Index size = 3);          // 1 at the centre (odd size)
Tensor boxKernel(Index size);                   // every weight 1 / size²
Tensor gaussianKernel(Index size, float sigma); // exp(−(x² + y²) / 2σ²), normalised to sum 1
Tensor sharpenKernel();                         // [[0 −1 0], [−1 5 −1], [0 −1 0]]
Tensor embossKernel();                          // [[−2 −1 0], [−1 1 1], [0 1 2]]
Tensor laplacianKernel(bool eightNeighbour);    // 4: [[0 1 0],[1 −4 1],[0 1 0]]; 8: centre −8
Tensor sobelKernel(EdgeAxis axis);              // x: [[−1 0 1], [−2 0 2], [−1 0 1]]
Tensor prewittKernel(EdgeAxis axis);            // x: [[−1 0 1], [−1 0 1], [−1 0 1]]
Tensor scharrKernel(EdgeAxis axis);             // x: [[−3 0 3], [−10 0 10], [−3 0 3]]
Tensor verticalEdgeKernel();   // [[1 0 −1], [1 0 −1], [1 0 −1]] (the lecture's)
Tensor horizontalEdgeKernel(); // [[1 1 1], [0 0 0], [−1 −1 −1]]
Tensor
diagonalEdgeKernel(bool mainDiagonal); // main: [[0 1 2], [−1 0 1], [−2 −1 0]]; anti: mirrored

// Gabor: exp(−(x'² + γ²·y'²) / 2σ²) · cos(2π·x'/λ + ψ) with x' = x·cosθ + y·sinθ,
// y' = −x·sinθ + y·cosθ, (x, y) measured from the centre, y downwards.
struct GaborParams {
  Index size = 9;
  float sigma = 2.0f;
  float theta = 0.0f;      // orientation in radians (0: stripes are vertical)
  float wavelength = 4.0f; // λ in pixels
  float phase = 0.0f;      // ψ
  float aspect = 0.5f;     // γ
};
Tensor gaborKernel(const GaborParams& params);
// `count` orientations θ = i·π / count, otherwise `params`: [count, 1, size, size], ready as a
// conv weight for a one-channel image.
Tensor gaborBank(Index count, const GaborParams& params);

// The library by name: identity, box3, box5, gaussian3, gaussian5, sharpen, emboss, laplacian4,
// laplacian8, sobel_x, sobel_y, prewitt_x, prewitt_y, scharr_x, scharr_y, vertical_edge,
// horizontal_edge, diagonal_main, diagonal_anti, gabor_0, gabor_45, gabor_90, gabor_135.
std::vector<std::string> kernelNames();
Result<Tensor> namedKernel(const std::string& name);

} // namespace nnlab
