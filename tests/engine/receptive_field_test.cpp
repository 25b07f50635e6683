// Receptive-field algebra: the issue's stack worked by hand, and the algebra against brute-force
// dependency sets over random stacks.
#include "nnlab/receptive_field.h"

#include <random>

#include <gtest/gtest.h>

namespace nnlab {
namespace {

// conv k3 s1 p1, pool k2 s2, conv k3 d2 (the issue's `nnlab calc rf` example):
//   layer 1: rf = 1 + 2·1 = 3,  jump 1, start 0 − 1·1 = −1
//   layer 2: rf = 3 + 1·1 = 4,  jump 2, start −1
//   layer 3: k_eff = 2·2 + 1 = 5, rf = 4 + 4·2 = 12, jump 2, start −1
TEST(ReceptiveField, IssueStackByHand) {
  const std::vector<RfLayer> net = {RfLayer::conv(3, 1, 1), RfLayer::pool(2, 2),
                                    RfLayer::conv(3, 1, 0, 2)};
  Result<ReceptiveFieldTable> t = receptiveFields(net, 2);
  ASSERT_TRUE(t);
  ASSERT_EQ(t->layers.size(), 4u);
  EXPECT_EQ(t->layers[1].rf, (std::vector<Index>{3, 3}));
  EXPECT_EQ(t->layers[2].rf, (std::vector<Index>{4, 4}));
  EXPECT_EQ(t->layers[3].rf, (std::vector<Index>{12, 12}));
  EXPECT_EQ(t->layers[3].jump, (std::vector<Index>{2, 2}));
  EXPECT_EQ(t->layers[3].start, (std::vector<Index>{-1, -1}));
}

// Dilation leaves holes: one conv k3 d2 unit 0 reads input 0, 2, 4 only (box 0..4, rf 5).
TEST(ReceptiveField, DilationLeavesHoles) {
  Result<UnitDependencies> d = unitDependencies({RfLayer::conv(3, 1, 0, 2)}, 1, 1, {0}, {9});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->units[0][0], (std::vector<Index>{0, 2, 4}));
  EXPECT_EQ(d->inputBoxFirst[0], 0);
  EXPECT_EQ(d->inputBoxLast[0], 4);
}

// Random stacks: without an input size (padding positions kept), the input dependency set of
// unit u spans exactly [start + u·jump, start + u·jump + rf − 1] of the algebra, and it has no
// holes (size = rf) when no layer is dilated and every kernel covers its stride (k ≥ s). Brute
// force = propagating index sets, the algebra = the recurrences.
TEST(ReceptiveField, AlgebraMatchesPropagatedSets) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<RfLayer> net;
    const int depth = 1 + static_cast<int>(rng() % 5);
    for (int l = 0; l < depth; ++l) {
      const Index k = 1 + rng() % 4, s = 1 + rng() % 3, p = rng() % 2, d = 1 + rng() % 2;
      net.push_back(rng() % 3 ? RfLayer::conv(k, s, p, d) : RfLayer::pool(k, s, 0));
    }
    bool plain = true; // no dilation and every kernel covers its stride: no holes can appear
    for (const RfLayer& layer : net)
      plain = plain && layer.dilation[0] == 1 && layer.kernel[0] >= layer.stride[0];
    const Index unit = rng() % 4;
    Result<ReceptiveFieldTable> t = receptiveFields(net, 1);
    Result<UnitDependencies> d = unitDependencies(net, 1, depth, {unit});
    ASSERT_TRUE(t && d);
    const RfLayerInfo& last = t->layers.back();
    const std::vector<Index>& input = d->units[0][0];
    EXPECT_EQ(input.front(), last.start[0] + unit * last.jump[0]);
    EXPECT_EQ(input.back(), last.start[0] + unit * last.jump[0] + last.rf[0] - 1);
    EXPECT_LE(static_cast<Index>(input.size()), last.rf[0]);
    if (plain) {
      EXPECT_EQ(static_cast<Index>(input.size()), last.rf[0]);
    }
  }
}

TEST(ReceptiveField, ErrorsNameTheLayer) {
  Result<ReceptiveFieldTable> t = receptiveFields({RfLayer::conv(3, 0)}, 2);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().where, "layer 1 stride");
  t = receptiveFields({RfLayer::conv(3), RfLayer::conv(9)}, 1, {8});
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().where, "layer 2 kernel"); // 9 on 8 − 2 = 6: over by 3
  EXPECT_NE(t.error().what.find("by 3"), std::string::npos);
}

} // namespace
} // namespace nnlab
