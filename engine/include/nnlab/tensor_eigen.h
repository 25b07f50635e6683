// tensor_eigen.h: zero-copy views of a Tensor as Eigen row-major matrices and vectors.
// Include only where linear algebra happens; it pulls in Eigen/Core.
#pragma once

#include <Eigen/Core>

#include "nnlab/tensor.h"

namespace nnlab {

using RowMatrixXf = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixMap = Eigen::Map<RowMatrixXf>;
using ConstMatrixMap = Eigen::Map<const RowMatrixXf>;

// The tensor's storage seen as rows x cols (row-major); rows * cols must equal numel().
inline MatrixMap asMatrix(Tensor& t, Index rows, Index cols) {
  assert(rows * cols == t.numel());
  return MatrixMap(t.data(), rows, cols);
}
inline ConstMatrixMap asMatrix(const Tensor& t, Index rows, Index cols) {
  assert(rows * cols == t.numel());
  return ConstMatrixMap(t.data(), rows, cols);
}
inline Eigen::Map<Eigen::VectorXf> asVector(Tensor& t) {
  return Eigen::Map<Eigen::VectorXf>(t.data(), t.numel());
}
inline Eigen::Map<const Eigen::VectorXf> asVector(const Tensor& t) {
  return Eigen::Map<const Eigen::VectorXf>(t.data(), t.numel());
}

// A copy of any Eigen matrix as a rank-2 tensor [rows, cols].
template <class Derived>
Tensor tensorFromMatrix(const Eigen::MatrixBase<Derived>& m) {
  Tensor t(Shape{static_cast<Index>(m.rows()), static_cast<Index>(m.cols())});
  asMatrix(t, m.rows(), m.cols()) = m.template cast<float>();
  return t;
}

} // namespace nnlab
