// tensor.h: the engine's dense tensor.
//
// Float storage, rank 0 to 5, row-major, channels first as in PyTorch: an image batch is
// [N, C, H, W], a video batch [N, C, T, H, W], a sequence batch [N, C, L].
//
//   Tensor x({1, 3, 64, 64});          // zeros
//   x(0, 2, 10, 5) = 1.0f;             // checked in debug builds (NNLAB_CHECKED_INDEXING)
//   Tensor y = x.reshaped({3, 4096});
//
// Conversion to Eigen lives in tensor_eigen.h so that only units doing linear algebra pay for
// Eigen's headers.
#pragma once

#include <array>
#include <cassert>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace nnlab {

using Index = std::int64_t;

// The dimensions of a tensor, outermost first. Rank at most Shape::kMaxRank.
class Shape {
public:
  static constexpr int kMaxRank = 5;

  Shape() = default;
  Shape(std::initializer_list<Index> dims);
  explicit Shape(const std::vector<Index>& dims);

  int rank() const { return rank_; }
  Index operator[](int axis) const {
    assert(axis >= 0 && axis < rank_);
    return dims_[static_cast<size_t>(axis)];
  }
  Index& operator[](int axis) {
    assert(axis >= 0 && axis < rank_);
    return dims_[static_cast<size_t>(axis)];
  }
  // Number of elements: the product of the dimensions (1 for rank 0).
  Index numel() const;
  std::vector<Index> toVector() const { return {dims_.begin(), dims_.begin() + rank_}; }
  // "3x64x64", the notation of `nnlab calc`; "scalar" for rank 0.
  std::string toString() const;

  friend bool operator==(const Shape& a, const Shape& b);
  friend bool operator!=(const Shape& a, const Shape& b) { return !(a == b); }

private:
  std::array<Index, kMaxRank> dims_{};
  int rank_ = 0;
};

class Tensor {
public:
  Tensor() = default; // rank 0 with no storage: empty()
  explicit Tensor(const Shape& shape, float fill = 0.0f);
  Tensor(const Shape& shape, std::vector<float> values); // values.size() must equal numel

  const Shape& shape() const { return shape_; }
  int rank() const { return shape_.rank(); }
  Index dim(int axis) const { return shape_[axis]; }
  Index numel() const { return static_cast<Index>(data_.size()); }
  bool empty() const { return data_.empty(); }

  float* data() { return data_.data(); }
  const float* data() const { return data_.data(); }
  std::vector<float>& values() { return data_; }
  const std::vector<float>& values() const { return data_; }

  // Element access by one index per axis; the count must equal rank().
  template <class... I>
  float& operator()(I... idx) {
    return data_[static_cast<size_t>(offset({static_cast<Index>(idx)...}))];
  }
  template <class... I>
  float operator()(I... idx) const {
    return data_[static_cast<size_t>(offset({static_cast<Index>(idx)...}))];
  }

  // Row-major strides in elements: stride(rank-1) == 1.
  Index stride(int axis) const;
  // The same values under another shape with the same numel.
  Tensor reshaped(const Shape& shape) const;
  void fill(float value);

private:
  Index offset(std::initializer_list<Index> idx) const {
#if defined(NNLAB_CHECKED_INDEXING)
    checkIndex(idx);
#endif
    Index off = 0;
    int axis = 0;
    for (Index i : idx) off = off * shape_[axis++] + i;
    return off;
  }
  void checkIndex(std::initializer_list<Index> idx) const; // aborts with a message on misuse

  Shape shape_;
  std::vector<float> data_;
};

// Largest absolute difference; shapes must match.
float maxAbsDifference(const Tensor& a, const Tensor& b);

} // namespace nnlab
