// Pooling: PyTorch golden file (tests/golden/pool.json, made by make_conv_golden.py: max_pool,
// avg_pool with ceil mode and count_include_pad, adaptive_avg_pool2d(1), autograd gradients),
// hand-worked sizes and errors.
#include "nnlab/pool.h"

#include <gtest/gtest.h>

#include "conv_golden_util.h"

namespace nnlab {
namespace {

using testing::closeToGolden;
using testing::goldenDims;
using testing::goldenTensor;
using testing::loadGolden;

TEST(PoolGolden, MatchesPyTorch) {
  const nlohmann::json golden = loadGolden("pool.json");
  ASSERT_TRUE(golden.contains("cases"));
  int checked = 0;
  for (const nlohmann::json& c : golden["cases"]) {
    nlohmann::json options = c;
    for (const char* key : {"x", "gy", "y", "gx"}) options.erase(key);
    SCOPED_TRACE(options.dump() + " x " + c["x"]["shape"].dump());
    const Tensor x = goldenTensor(c["x"]);
    if (c["kind"] == "global_avg") {
      Result<Tensor> y = globalAveragePool(x);
      ASSERT_TRUE(y);
      EXPECT_TRUE(closeToGolden(*y, goldenTensor(c["y"])));
      continue;
    }
    PoolOptions o;
    o.kind = c["kind"] == "max" ? PoolKind::Max : PoolKind::Average;
    o.kernel = goldenDims(c["kernel"]);
    o.stride = goldenDims(c["stride"]);
    o.padding = goldenDims(c["padding"]);
    o.ceilMode = c["ceil_mode"].get<bool>();
    o.countIncludePad = c["count_include_pad"].get<bool>();
    Result<Tensor> y = pool(x, o);
    ASSERT_TRUE(y) << y.error().message();
    EXPECT_TRUE(closeToGolden(*y, goldenTensor(c["y"])));
    Result<Tensor> gx = poolBackward(x, goldenTensor(c["gy"]), o);
    ASSERT_TRUE(gx) << gx.error().message();
    EXPECT_TRUE(closeToGolden(*gx, goldenTensor(c["gx"]))) << "grad input";
    ++checked;
  }
  EXPECT_GE(checked, 50);
}

// Worked by hand: 16x31x31, kernel 3, stride 2: ⌊(31 − 3) / 2⌋ + 1 = 15.
// Ceil mode on 6 with kernel 3, stride 2: ⌈(6 − 3) / 2⌉ + 1 = 3 (last window [4, 7) starts at 4 <
// 6). Ceil mode on 5, kernel 2, stride 2, padding 1: ⌈(5 + 2 − 2) / 2⌉ + 1 = 4, but window 4 would
// start at (4 − 1)·2 = 6 ≥ 5 + 1 (inside the right padding), so 3.
TEST(PoolGeometry, OutputSizesByHand) {
  PoolOptions o;
  o.kernel = {3};
  o.stride = {2};
  EXPECT_EQ(poolGeometry({31, 31}, o)->outputSize, (std::vector<Index>{15, 15}));
  o.ceilMode = true;
  EXPECT_EQ(poolGeometry({6}, o)->outputSize, (std::vector<Index>{3}));
  o.kernel = {2};
  o.padding = {1};
  EXPECT_EQ(poolGeometry({5}, o)->outputSize, (std::vector<Index>{3}));
}

TEST(PoolGeometry, ErrorsNameTheQuantity) {
  PoolOptions o;
  o.kernel = {2};
  o.padding = {2}; // more than half the kernel
  Result<PoolGeometry> g = poolGeometry({8, 8}, o);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().where, "padding");
  o = PoolOptions();
  o.kernel = {5}; // 5 on 3: over by 2
  g = poolGeometry({3}, o);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().where, "kernel");
  EXPECT_NE(g.error().what.find("by 2"), std::string::npos);
  o = PoolOptions();
  o.stride = {0};
  g = poolGeometry({3}, o);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().where, "stride");
}

// Worked by hand: max of [1 5 2 4] in windows of 2 is [5 4]; the gradient goes to positions 1, 3.
TEST(Pool, MaxRoutesGradientToTheMaximum) {
  const Tensor x(Shape{1, 1, 4}, {1, 5, 2, 4});
  PoolOptions o;
  o.kernel = {2};
  EXPECT_EQ(pool(x, o)->values(), (std::vector<float>{5, 4}));
  const Tensor gy(Shape{1, 1, 2}, {10, 20});
  EXPECT_EQ(poolBackward(x, gy, o)->values(), (std::vector<float>{0, 10, 0, 20}));
}

} // namespace
} // namespace nnlab
