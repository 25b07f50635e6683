// conv_golden_util.h: reading the PyTorch golden files of tests/golden/make_conv_golden.py and
// comparing tensors with them (shared by conv_test.cpp and pool_test.cpp).
#pragma once

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "nnlab/conv.h"
#include "nnlab/tensor.h"

namespace nnlab::testing {

inline nlohmann::json loadGolden(const std::string& name) {
  std::ifstream in(std::string(NNLAB_GOLDEN_DIR) + "/" + name);
  EXPECT_TRUE(in.good()) << "missing golden file " << name
                         << " (regenerate: /usr/bin/python3 tests/golden/make_conv_golden.py)";
  nlohmann::json j;
  if (in.good()) in >> j;
  return j;
}

inline Tensor goldenTensor(const nlohmann::json& t) {
  return Tensor(Shape(t.at("shape").get<std::vector<Index>>()),
                t.at("data").get<std::vector<float>>());
}

inline DimValues goldenDims(const nlohmann::json& v) {
  return v.get<std::vector<Index>>();
}

// Agreement to 1e-4 relative, with an absolute floor of 1e-4 for values near zero (the reference
// values are O(1) sums of products of O(1) numbers, so the floor is 1e-4 of their scale).
inline ::testing::AssertionResult closeToGolden(const Tensor& actual, const Tensor& expected) {
  if (actual.shape() != expected.shape())
    return ::testing::AssertionFailure()
           << "shape " << actual.shape().toString() << " vs golden " << expected.shape().toString();
  for (Index i = 0; i < actual.numel(); ++i) {
    const float a = actual.data()[i], e = expected.data()[i];
    if (!(std::abs(a - e) <= 1e-4f * std::max(1.0f, std::abs(e))))
      return ::testing::AssertionFailure() << "element " << i << ": " << a << " vs golden " << e;
  }
  return ::testing::AssertionSuccess();
}

} // namespace nnlab::testing
