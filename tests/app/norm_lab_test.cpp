// The normalization lab without a window: its scene state round-trips, a bad field is named and
// changes nothing, the colouring groups elements exactly as NormLayout (and the GroupNorm paper's
// figure) says, and the finite-difference column agrees with the chain-rule gradients.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/lab.h"
#include "core/scene.h"
#include "labs/norm_lab.h"

namespace nnlab::app {
namespace {

TEST(NormLab, EditedStateRoundTripsThroughASceneFile) {
  std::unique_ptr<Lab> lab = findLab("norm")->create();
  nlohmann::json state = lab->saveState();
  state["kind"] = "group";
  state["channels"] = 4;
  state["groups"] = 4;
  state["batch"] = 1;
  state["height"] = 1;
  state["width"] = 2;
  state["source"] = "edited";
  state["values"] = {0.0, 2.0, 4.0, 6.0, 1.0, 1.0, -1.0, 3.5};
  state["upstream"] = "edited";
  state["upstream_values"] = {1.0, -1.0, 0.5, 0.25, 2.0, 0.0, 0.0, 1.0};
  state["panel"] = "backward";
  state["keep_probability"] = 0.8;
  state["dropout_form"] = "standard";
  ASSERT_TRUE(lab->loadState(state).ok());
  const nlohmann::json saved = lab->saveState();
  EXPECT_EQ(saved["values"], state["values"]);
  EXPECT_EQ(saved["kind"], "group");

  const std::string path = (std::filesystem::temp_directory_path() / "nnlab-norm-lab-test.json").string();
  ASSERT_TRUE(writeSceneFile(path, makeScene("norm", saved)).ok());
  std::unique_ptr<Lab> restored = findLab("norm")->create();
  Status loaded = loadSceneInto(path, "norm", *restored);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  EXPECT_EQ(restored->saveState(), saved);
  std::filesystem::remove(path);
}

TEST(NormLab, MalformedFieldIsNamedAndChangesNothing) {
  std::unique_ptr<Lab> lab = findLab("norm")->create();
  const nlohmann::json before = lab->saveState();
  struct Case {
    const char* field;
    nlohmann::json value;
  };
  for (const Case& bad : {Case{"kind", "batchy"}, Case{"channels", 0}, Case{"eps", "small"}, Case{"eps", -1.0},
                          Case{"groups", 3}, Case{"channel_mean", {1.0}}, Case{"keep_probability", 0.0}}) {
    SCOPED_TRACE(bad.field);
    nlohmann::json state = before;
    state[bad.field] = bad.value;
    Status s = lab->loadState(state);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().where, std::string("state.") + bad.field) << s.error().message();
    EXPECT_EQ(lab->saveState(), before) << "a rejected file must leave the lab unchanged";
  }
  nlohmann::json state = before;
  state["source"] = "edited";
  state["values"] = {1.0, 2.0}; // 2 values for a 3×4×2×2 tensor
  Status s = lab->loadState(state);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().where, "state.values");
  EXPECT_EQ(lab->saveState(), before);
}

// The lab colours element (n, c) with statistic layout.statisticIndex(n, c). Check that this
// grouping is the one each normalization is defined by (GroupNorm paper, figure 2), element pair
// by element pair: same colour exactly when the definition says they share μ and σ².
TEST(NormLab, GroupingOfEachKindMatchesNormLayoutAndTheDefinition) {
  NormTensorState state; // 3 × 4 × 2 × 2, G = 2
  for (NormKind kind : {NormKind::Batch, NormKind::Layer, NormKind::Instance, NormKind::Group}) {
    SCOPED_TRACE(normKindName(kind));
    state.kind = kind;
    const NormLabForward r = computeNormForward(state);
    ASSERT_TRUE(r.status.ok()) << r.status.error().message();
    const NormLayout& layout = r.forward.layout;
    Result<NormLayout> expected = NormLayout::make(r.input.shape(), kind, kind == NormKind::Group ? 2 : 1);
    ASSERT_TRUE(expected.ok());
    EXPECT_EQ(layout.statisticCount(), expected->statisticCount());
    for (Index n1 = 0; n1 < 3; ++n1)
      for (Index c1 = 0; c1 < 4; ++c1)
        for (Index n2 = 0; n2 < 3; ++n2)
          for (Index c2 = 0; c2 < 4; ++c2) {
            bool share = false;
            switch (kind) {
            case NormKind::Batch: share = c1 == c2; break;
            case NormKind::Layer: share = n1 == n2; break;
            case NormKind::Instance: share = n1 == n2 && c1 == c2; break;
            case NormKind::Group: share = n1 == n2 && c1 / 2 == c2 / 2; break;
            }
            const Index k1 = layout.statisticIndex(n1, c1), k2 = layout.statisticIndex(n2, c2);
            EXPECT_EQ(k1 == k2, share) << n1 << c1 << " vs " << n2 << c2;
            EXPECT_EQ(k1, expected->statisticIndex(n1, c1));
            // Up to ten statistics, distinct statistics get distinct colours.
            if (layout.statisticCount() <= 10) {
              EXPECT_EQ(normStatisticColor(k1).toRgba8() == normStatisticColor(k2).toRgba8(), share);
            }
          }
    // The exported figure is that grouping: heatmap cell (row c·H + h, col n·W + w) holds k.
    const plot::Figure figure = normGroupingFigure(r);
    ASSERT_TRUE(figure.heatmap.has_value());
    EXPECT_EQ(figure.validate(), "");
    EXPECT_EQ(figure.heatmap->values[size_t((3 * 2 + 1) * 6 + (2 * 2 + 1))], float(layout.statisticIndex(2, 3)));
  }
}

TEST(NormLab, FiniteDifferenceColumnAgreesForEveryKindAndGradient) {
  NormTensorState state;
  state.gamma = 1.5;
  state.beta = -0.5;
  state.eps = 1e-3;
  for (NormKind kind : {NormKind::Batch, NormKind::Layer, NormKind::Instance, NormKind::Group}) {
    SCOPED_TRACE(normKindName(kind));
    state.kind = kind;
    const NormLabForward r = computeNormForward(state);
    ASSERT_TRUE(r.status.ok()) << r.status.error().message();
    for (const GradientCheck& check : r.checks) {
      SCOPED_TRACE(check.name);
      EXPECT_EQ(check.checked, check.analytic.numel()) << "small tensors are checked in full";
      EXPECT_GT(check.maxAbsAnalytic, 0.0);
      EXPECT_TRUE(check.agrees()) << "max |analytic − FD| = " << check.maxAbsDifference << " of "
                                  << check.maxAbsAnalytic;
      EXPECT_LT(check.maxAbsDifference, 5e-3 * std::max(1.0, check.maxAbsAnalytic));
    }
  }
  // A large tensor is checked on a sample, and still agrees.
  state.batch = 8;
  state.channels = 8;
  state.height = state.width = 12;
  state.kind = NormKind::Group;
  const NormLabForward big = computeNormForward(state);
  ASSERT_TRUE(big.status.ok());
  EXPECT_LT(big.checks[3].checked, big.checks[3].analytic.numel());
  for (const GradientCheck& check : big.checks) EXPECT_TRUE(check.agrees()) << check.name;
}

TEST(NormLab, BatchNoiseShrinksWithBatchSizeAndEvalModeIgnoresTheBatch) {
  const NormBatchNoise r = computeNormBatchNoise(2.0, 1.0, 1e-5, NormBatchPanelState{});
  ASSERT_TRUE(r.status.ok()) << r.status.error().message();
  ASSERT_EQ(r.batchSizes.size(), 9u);
  EXPECT_EQ(r.batchSizes.back(), 256);
  // Standard error of a mean: σ/√B. B = 1 spreads like the population (≈ 1), B = 256 ≈ 1/16.
  EXPECT_NEAR(r.spread.front(), 1.0, 0.2);
  EXPECT_NEAR(r.spread.back(), 1.0 / 16, 0.02);
  EXPECT_NEAR(r.meanOfMeans.back(), 2.0, 0.03);
  EXPECT_EQ(r.batchOfOneOutput, 0.0) << "training mode with one sample normalizes it to 0";
  EXPECT_NEAR(r.stepRunningMean.back(), 2.0, 0.3) << "the running mean converges to the population mean";
  EXPECT_NEAR(r.evalOutput, 1.0, 0.35) << "x = μ + σ is about +1 in evaluation mode";
}

TEST(NormLab, InvertedDropoutAveragesToTheTestTimeActivation) {
  Tensor x(Shape{1, 4}, std::vector<float>{1.0f, 2.0f, -1.0f, 0.5f});
  NormDropoutState state;
  state.keepProbability = 0.5;
  const NormDropoutResult r = computeNormDropout(x, state);
  ASSERT_TRUE(r.status.ok()) << r.status.error().message();
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(r.testInverted[i], r.activation[i]);
    EXPECT_DOUBLE_EQ(r.testStandard[i], 0.5 * r.activation[i]);
    EXPECT_DOUBLE_EQ(r.expectedTrain[i], r.expectedTest[i]);
    EXPECT_NEAR(r.averageTrain[i], r.activation[i], 0.1 * std::abs(r.activation[i]) + 0.02);
    EXPECT_DOUBLE_EQ(r.trainInverted[i], r.mask[i] * r.activation[i] / 0.5);
  }
}

} // namespace
} // namespace nnlab::app
