#include "nnlab/tensor.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace nnlab {

Shape::Shape(std::initializer_list<Index> dims) : Shape(std::vector<Index>(dims)) {}

Shape::Shape(const std::vector<Index>& dims) {
  assert(dims.size() <= static_cast<size_t>(kMaxRank) && "Shape: rank above 5");
  rank_ = static_cast<int>(dims.size());
  for (int i = 0; i < rank_; ++i) {
    assert(dims[static_cast<size_t>(i)] >= 0 && "Shape: negative dimension");
    dims_[static_cast<size_t>(i)] = dims[static_cast<size_t>(i)];
  }
}

Index Shape::numel() const {
  Index n = 1;
  for (int i = 0; i < rank_; ++i) n *= dims_[static_cast<size_t>(i)];
  return n;
}

std::string Shape::toString() const {
  if (rank_ == 0) return "scalar";
  std::string s;
  for (int i = 0; i < rank_; ++i) {
    if (i) s += 'x';
    s += std::to_string(dims_[static_cast<size_t>(i)]);
  }
  return s;
}

bool operator==(const Shape& a, const Shape& b) {
  if (a.rank_ != b.rank_) return false;
  return std::equal(a.dims_.begin(), a.dims_.begin() + a.rank_, b.dims_.begin());
}

Tensor::Tensor(const Shape& shape, float fill)
    : shape_(shape), data_(static_cast<size_t>(shape.numel()), fill) {}

Tensor::Tensor(const Shape& shape, const std::vector<float>& values)
    : shape_(shape), data_(values.begin(), values.end()) {
  assert(static_cast<Index>(data_.size()) == shape_.numel() && "Tensor: values do not fit shape");
}

Tensor::Tensor(const Shape& shape, TensorValues values) : shape_(shape), data_(std::move(values)) {
  assert(static_cast<Index>(data_.size()) == shape_.numel() && "Tensor: values do not fit shape");
}

Tensor::Tensor(const Shape& shape, std::initializer_list<float> values)
    : shape_(shape), data_(values.begin(), values.end()) {
  assert(static_cast<Index>(data_.size()) == shape_.numel() && "Tensor: values do not fit shape");
}

Tensor Tensor::uninitialized(const Shape& shape) {
  Tensor t;
  t.shape_ = shape;
  t.data_.resize(static_cast<size_t>(shape.numel())); // default-initialized: no fill
  return t;
}

Index Tensor::stride(int axis) const {
  Index s = 1;
  for (int i = rank() - 1; i > axis; --i) s *= shape_[i];
  return s;
}

Tensor Tensor::reshaped(const Shape& shape) const {
  assert(shape.numel() == numel() && "Tensor::reshaped: element count differs");
  return Tensor(shape, data_);
}

void Tensor::fill(float value) { std::fill(data_.begin(), data_.end(), value); }

void Tensor::checkIndex(std::initializer_list<Index> idx) const {
  if (static_cast<int>(idx.size()) != rank()) {
    std::fprintf(stderr, "Tensor: %zu indices for a rank-%d tensor of shape %s\n", idx.size(),
                 rank(), shape_.toString().c_str());
    std::abort();
  }
  int axis = 0;
  for (Index i : idx) {
    if (i < 0 || i >= shape_[axis]) {
      std::fprintf(stderr, "Tensor: index %lld out of range on axis %d of shape %s\n",
                   static_cast<long long>(i), axis, shape_.toString().c_str());
      std::abort();
    }
    ++axis;
  }
}

float maxAbsDifference(const Tensor& a, const Tensor& b) {
  assert(a.shape() == b.shape());
  float worst = 0.0f;
  for (Index i = 0; i < a.numel(); ++i)
    worst = std::max(worst, std::fabs(a.data()[i] - b.data()[i]));
  return worst;
}

} // namespace nnlab
