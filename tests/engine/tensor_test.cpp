// Tensor basics: row-major layout as in PyTorch (a contiguous tensor's stride(i) is the product of
// the dimensions after i), shapes, reshape, Eigen views sharing storage.
#include "nnlab/tensor.h"
#include "nnlab/tensor_eigen.h"
#include "nnlab/derivation.h"

#include <gtest/gtest.h>

namespace nnlab {
namespace {

TEST(Shape, NumelAndNotation) {
  const Shape s{3, 64, 64};
  EXPECT_EQ(s.rank(), 3);
  EXPECT_EQ(s.numel(), 3 * 64 * 64);
  EXPECT_EQ(s.toString(), "3x64x64");
  EXPECT_EQ(Shape{}.numel(), 1);
  EXPECT_EQ(Shape{}.toString(), "scalar");
  EXPECT_EQ(Shape({2, 0, 4}).numel(), 0);
  EXPECT_NE(Shape({2, 3}), Shape({3, 2}));
}

TEST(Tensor, RowMajorLayoutMatchesPyTorchStrides) {
  // torch.zeros(2, 3, 4, 5).stride() == (60, 20, 5, 1)
  Tensor t(Shape{2, 3, 4, 5});
  EXPECT_EQ(t.stride(0), 60);
  EXPECT_EQ(t.stride(1), 20);
  EXPECT_EQ(t.stride(2), 5);
  EXPECT_EQ(t.stride(3), 1);
  t(1, 2, 3, 4) = 7.0f; // offset 1·60 + 2·20 + 3·5 + 4 = 119, the last element
  EXPECT_EQ(t.data()[119], 7.0f);
  t(0, 1, 0, 2) = 5.0f; // offset 20 + 2 = 22
  EXPECT_EQ(t.data()[22], 5.0f);
}

TEST(Tensor, ReshapeKeepsValues) {
  Tensor t(Shape{2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor r = t.reshaped(Shape{3, 2});
  EXPECT_EQ(r(2, 1), 6.0f);
  EXPECT_EQ(r(1, 0), 3.0f);
}

TEST(Tensor, EigenViewSharesStorage) {
  Tensor t(Shape{2, 3}, {1, 2, 3, 4, 5, 6});
  MatrixMap m = asMatrix(t, 2, 3);
  EXPECT_EQ(m(1, 0), 4.0f);
  m(0, 2) = 9.0f;
  EXPECT_EQ(t(0, 2), 9.0f);
  const Eigen::Vector3f ones = Eigen::Vector3f::Ones();
  const Eigen::Vector2f rowSums = m * ones; // [1+2+9, 4+5+6]
  EXPECT_EQ(rowSums(0), 12.0f);
  EXPECT_EQ(rowSums(1), 15.0f);
  const Tensor copy = tensorFromMatrix(Eigen::Matrix2f::Identity());
  EXPECT_EQ(copy.shape(), Shape({2, 2}));
  EXPECT_EQ(copy(1, 1), 1.0f);
  EXPECT_EQ(copy(0, 1), 0.0f);
}

TEST(Tensor, MaxAbsDifference) {
  Tensor a(Shape{3}, {1, 2, 3});
  Tensor b(Shape{3}, {1, 2.5f, 2});
  EXPECT_FLOAT_EQ(maxAbsDifference(a, b), 1.0f);
}

TEST(Derivation, ThousandsSeparators) {
  EXPECT_EQ(withThousandsSeparators(1153200), "1,153,200");
  EXPECT_EQ(withThousandsSeparators(999), "999");
  EXPECT_EQ(withThousandsSeparators(1000), "1,000");
  EXPECT_EQ(withThousandsSeparators(-1234567), "-1,234,567");
  EXPECT_EQ(withThousandsSeparators(0), "0");
}

} // namespace
} // namespace nnlab
