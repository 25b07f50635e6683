// Shape, parameter and cost arithmetic: the issue's worked example, hand-worked linear and
// depthwise-separable counts, and an exhaustive grid against an independent count of windows.
#include "nnlab/conv_arith.h"

#include <gtest/gtest.h>

namespace nnlab {
namespace {

// The issue's example: 3x64x64, 16 filters 5x5, stride 2, padding 1.
//   out = ⌊(64 + 2 − 4 − 1) / 2⌋ + 1 = 31 -> [16, 31, 31]
//   weights 16·3·5·5 = 1200, bias 16, params 1216
//   MACs = 16·31·31 · 3·5·5 = 15,376 · 75 = 1,153,200; FLOPs 2,306,400; bytes 15,376·4 = 61,504
TEST(ConvLayerCost, IssueExample) {
  ConvLayerSpec spec{{3, 64, 64}, 16, {5}, {}};
  spec.options.stride = {2};
  spec.options.padding = {1};
  Result<LayerCost> c = convLayerCost(spec);
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->outputShape, (std::vector<Index>{16, 31, 31}));
  EXPECT_EQ(c->weights, 1200);
  EXPECT_EQ(c->bias, 16);
  EXPECT_EQ(c->params(), 1216);
  EXPECT_EQ(c->macs, 1153200);
  EXPECT_EQ(c->flops(), 2306400);
  EXPECT_EQ(c->outputBytes, 61504);
  ASSERT_FALSE(c->steps.empty());
  EXPECT_EQ(c->steps[0].quantity, "H_out");
  EXPECT_EQ(c->steps[0].substituted, "⌊(64 + 2·1 − 1·(5 − 1) − 1) / 2⌋ + 1");
  EXPECT_EQ(c->steps[0].result, "31");
  bool sawMacs = false;
  for (const DerivationStep& s : c->steps)
    if (s.quantity == "MACs") sawMacs = (s.result == "1,153,200");
  EXPECT_TRUE(sawMacs);
}

// Linear on 3x32x32 -> 10: in = 3072, weights 30,720, bias 10, MACs 30,720.
TEST(LinearLayerCost, FlattensTheInput) {
  Result<LayerCost> c = linearLayerCost({3, 32, 32}, 10, true);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->weights, 30720);
  EXPECT_EQ(c->params(), 30730);
  EXPECT_EQ(c->macs, 30720);
  EXPECT_EQ(linearLayerCost({3, 32, 32}, 10, false)->params(), 30720);
}

// Depthwise-separable replacing 32 -> 64 filters 3x3 pad 1 on 32x56x56:
//   depthwise: weights 32·1·9 = 288, bias 32, MACs 32·56·56·9 = 903,168
//   pointwise: weights 64·32 = 2048, bias 64, MACs 64·56·56·32 = 6,422,528
//   total params 288 + 32 + 2048 + 64 = 2432; plain: 64·32·9 + 64 = 18,496
TEST(DepthwiseSeparableCost, ByHand) {
  ConvLayerSpec spec{{32, 56, 56}, 64, {3}, {}};
  spec.options.padding = {1};
  Result<SeparableCost> s = depthwiseSeparableCost(spec);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->depthwise.weights, 288);
  EXPECT_EQ(s->depthwise.macs, 903168);
  EXPECT_EQ(s->pointwise.weights, 2048);
  EXPECT_EQ(s->pointwise.macs, 6422528);
  EXPECT_EQ(s->total.params(), 2432);
  EXPECT_EQ(s->total.macs, 903168 + 6422528);
  EXPECT_EQ(s->total.outputShape, (std::vector<Index>{64, 56, 56}));
  EXPECT_EQ(convLayerCost(spec)->params(), 18496);
}

// Pooling 16x31x31, kernel 3, stride 2: ⌊(31 − 3) / 2⌋ + 1 = 15.
TEST(PoolLayerCost, ByHand) {
  PoolOptions o;
  o.kernel = {3};
  o.stride = {2};
  Result<LayerCost> c = poolLayerCost({16, 31, 31}, o);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->outputShape, (std::vector<Index>{16, 15, 15}));
  EXPECT_EQ(c->params(), 0);
}

// Exhaustive over small sizes: the output size must equal the number of window positions o ≥ 0
// with o·s + d·(k − 1) ≤ H + 2p − 1 (counted by enumeration, independent of the closed form), and
// invalid geometry must be an error exactly when there is no window at all. MACs must equal the
// number of output cells times the reduction C·k² (counted the same way).
TEST(ConvLayerCost, ExhaustiveGridAgainstWindowCount) {
  int checked = 0;
  for (Index h = 1; h <= 12; ++h)
    for (Index k = 1; k <= 5; ++k)
      for (Index s = 1; s <= 3; ++s)
        for (Index p = 0; p <= 2; ++p)
          for (Index d = 1; d <= 2; ++d) {
            Index windows = 0;
            for (Index o = 0; o * s + d * (k - 1) <= h + 2 * p - 1; ++o) ++windows;
            ConvLayerSpec spec{{2, h, h + 1}, 3, {k}, {}};
            spec.options.stride = {s};
            spec.options.padding = {p};
            spec.options.dilation = {d};
            Result<LayerCost> c = convLayerCost(spec);
            Index windowsW = 0;
            for (Index o = 0; o * s + d * (k - 1) <= h + 1 + 2 * p - 1; ++o) ++windowsW;
            if (windows == 0) {
              ASSERT_FALSE(c) << "h=" << h << " k=" << k << " s=" << s << " p=" << p << " d=" << d;
              EXPECT_EQ(c.error().where, "kernel");
              continue;
            }
            ASSERT_TRUE(c) << c.error().message();
            EXPECT_EQ(c->outputShape, (std::vector<Index>{3, windows, windowsW}));
            EXPECT_EQ(c->macs, 3 * windows * windowsW * 2 * k * k);
            ++checked;
          }
  EXPECT_GT(checked, 900); // of 12·5·3·3·2 = 1080 combinations, the rest are errors
}

// Same padding over a grid: out = ⌈H / s⌉ always (TensorFlow's definition).
TEST(ConvLayerCost, SamePaddingGrid) {
  for (Index h = 1; h <= 20; ++h)
    for (Index k = 1; k <= 5; ++k)
      for (Index s = 1; s <= 4; ++s) {
        ConvLayerSpec spec{{1, h}, 1, {k}, {}};
        spec.options.stride = {s};
        spec.options.paddingRule = PaddingRule::Same;
        Result<LayerCost> c = convLayerCost(spec);
        ASSERT_TRUE(c);
        EXPECT_EQ(c->outputShape[1], (h + s - 1) / s) << "h=" << h << " k=" << k << " s=" << s;
      }
}

} // namespace
} // namespace nnlab
