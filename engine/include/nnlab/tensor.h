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

#include <algorithm>
#include <array>
#include <cassert>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
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

// A std::allocator that leaves elements created without a value uninitialized (resize(n),
// vector(n)); elements given a value are constructed as usual. Tensor::uninitialized relies on it
// to skip the zero fill of an output whose every element is written next (a serial memset that
// measured ~12 % of a depthwise convolution).
template <class T> struct DefaultInitAllocator : std::allocator<T> {
  template <class U> struct rebind { using other = DefaultInitAllocator<U>; };
  DefaultInitAllocator() = default;
  template <class U> DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}
  template <class U> void construct(U* p) noexcept { ::new (static_cast<void*>(p)) U; }
  template <class U, class... Args> void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

// A tensor's values: a std::vector of float with the allocator above.
using TensorValues = std::vector<float, DefaultInitAllocator<float>>;
inline bool operator==(const TensorValues& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}
inline bool operator==(const std::vector<float>& a, const TensorValues& b) {
  return b == a;
}

class Tensor {
public:
  Tensor() = default; // rank 0 with no storage: empty()
  explicit Tensor(const Shape& shape, float fill = 0.0f);
  // values.size() must equal numel.
  Tensor(const Shape& shape, const std::vector<float>& values);
  Tensor(const Shape& shape, TensorValues values);
  Tensor(const Shape& shape, std::initializer_list<float> values);
  // Values left unspecified, for outputs whose every element the caller writes next.
  static Tensor uninitialized(const Shape& shape);

  const Shape& shape() const { return shape_; }
  int rank() const { return shape_.rank(); }
  Index dim(int axis) const { return shape_[axis]; }
  Index numel() const { return static_cast<Index>(data_.size()); }
  bool empty() const { return data_.empty(); }

  float* data() { return data_.data(); }
  const float* data() const { return data_.data(); }
  TensorValues& values() { return data_; }
  const TensorValues& values() const { return data_; }
  // A copy as a plain std::vector.
  std::vector<float> toVector() const { return {data_.begin(), data_.end()}; }

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
  TensorValues data_;
};

// Largest absolute difference; shapes must match.
float maxAbsDifference(const Tensor& a, const Tensor& b);

} // namespace nnlab
