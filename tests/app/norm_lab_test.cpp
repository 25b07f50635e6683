// The normalization lab without a window: its scene state round-trips, a bad field is named and
// changes nothing, the colouring groups elements exactly as NormLayout (and the GroupNorm paper's
// figure) says, the finite-difference column agrees with the chain-rule gradients, the feature-map
// source is the convolution lab's image through named filters (recomputed only when it changes),
// and the export is the grouping picture in categorical colours with the values in the cells.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "core/lab.h"
#include "core/scene.h"
#include "plot/colormap.h"
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

  const std::string path =
      (std::filesystem::temp_directory_path() / "nnlab-norm-lab-test.json").string();
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
  for (const Case& bad :
       {Case{"kind", "batchy"}, Case{"channels", 0}, Case{"eps", "small"}, Case{"eps", -1.0},
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
    Result<NormLayout> expected =
        NormLayout::make(r.input.shape(), kind, kind == NormKind::Group ? 2 : 1);
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
              EXPECT_EQ(normStatisticColor(k1).toRgba8() == normStatisticColor(k2).toRgba8(),
                        share);
            }
          }
    // The exported figure is that grouping: heatmap cell (row c·H + h, col n·W + w) holds k.
    const plot::Figure figure = normGroupingFigure(r);
    ASSERT_TRUE(figure.heatmap.has_value());
    EXPECT_EQ(figure.validate(), "");
    EXPECT_EQ(figure.heatmap->values[size_t((3 * 2 + 1) * 6 + (2 * 2 + 1))],
              float(layout.statisticIndex(2, 3)));
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
  EXPECT_NEAR(r.stepRunningMean.back(), 2.0, 0.3)
      << "the running mean converges to the population mean";
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

// A 64×64 image of vertical stripes 8 pixels wide (0 | 1): every edge in it is vertical.
Tensor verticalStripes() {
  Tensor image(Shape{64, 64});
  for (Index r = 0; r < 64; ++r)
    for (Index c = 0; c < 64; ++c) image(r, c) = float((c / 8) % 2);
  return image;
}

double channelMean(const Tensor& maps, Index c) {
  double sum = 0;
  for (Index n = 0; n < maps.dim(0); ++n)
    for (Index h = 0; h < maps.dim(2); ++h)
      for (Index w = 0; w < maps.dim(3); ++w) sum += maps(n, c, h, w);
  return sum / double(maps.dim(0) * maps.dim(2) * maps.dim(3));
}

// Worked example: on vertical stripes the vertical-edge filter [[1 0 −1]]×3 answers ±3 at every
// stripe boundary (ReLU keeps the +3 side), the horizontal-edge filter sees constant columns and
// answers 0 everywhere, and the blur of a stripe's interior is 1.
TEST(NormLab, FeatureMapsAreTheImageThroughNamedFilters) {
  const NormFeatureMaps f = computeNormFeatureMaps(verticalStripes(), 3, 5, 4, 4);
  ASSERT_TRUE(f.status.ok()) << f.status.error().message();
  EXPECT_EQ(f.maps.shape(), (Shape{3, 5, 4, 4}));
  ASSERT_EQ(f.filterNames.size(), 5u);
  EXPECT_EQ(f.filterNames[0], "vert. edge");
  EXPECT_EQ(f.filterNames[1], "horiz. edge");
  EXPECT_GT(channelMean(f.maps, 0), 0.2) << "vertical edges light the vertical-edge channel";
  EXPECT_NEAR(channelMean(f.maps, 1), 0.0, 1e-6) << "no horizontal edge in vertical stripes";
  // The blur is a convex combination of pixels in [0, 1], so it stays in [0, 1]; inside an 8-pixel
  // bright stripe its 5×5 support sees only ones, so some pooled cell reaches 1.
  float blurMax = 0.0f;
  for (Index n = 0; n < f.maps.dim(0); ++n)
    for (Index h = 0; h < f.maps.dim(2); ++h)
      for (Index w = 0; w < f.maps.dim(3); ++w) {
        EXPECT_LE(f.maps(n, 4, h, w), 1.0f + 1e-5f);
        blurMax = std::max(blurMax, f.maps(n, 4, h, w));
      }
  EXPECT_NEAR(blurMax, 1.0f, 1e-4f) << "a bright stripe's interior blurs to 1";
  for (float v : f.maps.values()) EXPECT_GE(v, 0.0f) << "maps are after ReLU";
  // The default 8 filters are distinct kernels: on the bundled photo, no two channels agree.
  NormFeatureMapCache cache;
  NormTensorState state;
  state.batch = 4;
  state.channels = 8;
  state.height = state.width = 6;
  cache.update(nullptr, state);
  ASSERT_TRUE(cache.maps().status.ok()) << cache.maps().status.error().message();
  EXPECT_TRUE(cache.usesSample());
  const Tensor& maps = cache.maps().maps;
  EXPECT_EQ(maps.shape(), (Shape{4, 8, 6, 6}));
  std::set<std::string> names(cache.maps().filterNames.begin(), cache.maps().filterNames.end());
  EXPECT_EQ(names.size(), 8u);
  for (Index c1 = 0; c1 < 8; ++c1)
    for (Index c2 = c1 + 1; c2 < 8; ++c2) {
      double difference = 0;
      for (Index n = 0; n < 4; ++n)
        for (Index i = 0; i < 36; ++i)
          difference = std::max(
              difference, double(std::abs(maps(n, c1, i / 6, i % 6) - maps(n, c2, i / 6, i % 6))));
      EXPECT_GT(difference, 1e-3) << "channels " << c1 << " and " << c2 << " should differ";
    }
  // The N samples are different windows: sample 0 and sample 3 differ.
  double sampleDifference = 0;
  for (Index i = 0; i < 8 * 36; ++i)
    sampleDifference += std::abs(maps.data()[i] - maps.data()[3 * 8 * 36 + i]);
  EXPECT_GT(sampleDifference, 1e-2);
  // Too small an image is a status, not a crash.
  EXPECT_FALSE(computeNormFeatureMaps(Tensor(Shape{5, 5}, 0.5f), 2, 2, 12, 12).status.ok());
}

TEST(NormLab, FeatureMapsAreRecomputedOnlyWhenTheImageOrShapeChanges) {
  LabShared shared;
  shared.convolutionImage = verticalStripes();
  shared.convolutionImageName = "stripes";
  shared.convolutionImageVersion = 1;
  NormTensorState state;
  state.source = NormSource::FeatureMaps;
  NormFeatureMapCache cache;
  EXPECT_TRUE(cache.update(&shared, state));
  EXPECT_EQ(cache.computations(), 1);
  EXPECT_FALSE(cache.usesSample());
  EXPECT_EQ(cache.maps().imageName, "stripes");
  EXPECT_FALSE(cache.update(&shared, state)) << "same version, same shape: nothing to do";
  state.gamma = 2.0;
  state.kind = NormKind::Layer;
  EXPECT_FALSE(cache.update(&shared, state)) << "γ and the kind do not change the input";
  shared.convolutionImage(0, 0) = 0.25f; // pixels changed without a version bump: not noticed
  EXPECT_FALSE(cache.update(&shared, state));
  ++shared.convolutionImageVersion;
  EXPECT_TRUE(cache.update(&shared, state)) << "a new version is a new image";
  state.height = 3;
  EXPECT_TRUE(cache.update(&shared, state));
  EXPECT_EQ(cache.maps().maps.shape(), (Shape{3, 4, 3, 2}));
  EXPECT_EQ(cache.computations(), 3);
  // Through the lab's forward pass: x is the maps, channels named after their filters.
  const NormLabForward r = computeNormForward(state, &cache.maps());
  ASSERT_TRUE(r.status.ok()) << r.status.error().message();
  EXPECT_EQ(maxAbsDifference(r.input, cache.maps().maps), 0.0f);
  EXPECT_EQ(r.channelNames, cache.maps().filterNames);
  EXPECT_FALSE(computeNormForward(state, nullptr).status.ok())
      << "no maps: said, not a random tensor";
}

TEST(NormLab, FeatureMapSourceIsSavedWithoutPixelsAndExports) {
  std::unique_ptr<Lab> lab = findLab("norm")->create();
  nlohmann::json state = lab->saveState();
  state["source"] = "feature_maps";
  ASSERT_TRUE(lab->loadState(state).ok());
  const nlohmann::json saved = lab->saveState();
  EXPECT_EQ(saved["source"], "feature_maps");
  EXPECT_FALSE(saved.contains("values")) << "the scene stores the source, not the pixels";
  // Headless (never drawn): the export uses the bundled sample image.
  const plot::Figure grouping = lab->exportFigure();
  EXPECT_EQ(grouping.validate(), "");
  ASSERT_TRUE(grouping.heatmap.has_value());
  EXPECT_EQ(grouping.yAxis.tickLabels,
            (std::vector<std::string>{"vert. edge", "horiz. edge", "Laplacian", "Gabor 45°"}));
}

// The export is the GroupNorm paper's figure: a Categorical heatmap whose category k is statistic
// k (so one colour per μ, σ²), the value of each element centred in its cell with automatic
// contrast. The histograms (Histograms panel) are bars.
TEST(NormLab, ExportedFigureHasCategoricalCellsWithCentredValues) {
  std::unique_ptr<Lab> lab = findLab("norm")->create();
  Status loaded =
      loadSceneInto(std::string(NNLAB_SOURCE_DIR) + "/assets/scenes/norm_group.json", "norm", *lab);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  const plot::Figure f = lab->exportFigure();
  EXPECT_EQ(f.validate(), "");
  EXPECT_NE(f.title.find("Group norm"), std::string::npos);
  {
    ASSERT_TRUE(f.heatmap.has_value());
    const plot::Heatmap& map = *f.heatmap;
    EXPECT_EQ(map.colormap, plot::Colormap::Categorical);
    EXPECT_EQ(map.rows, 4 * 2);
    EXPECT_EQ(map.cols, 3 * 2);
    // Group norm, G = 2: cell (c=3, h=1; n=2, w=0) belongs to statistic n·G + c/(C/G) = 5.
    EXPECT_EQ(map.values[size_t((3 * 2 + 1) * 6 + 2 * 2)], 5.0f);
    EXPECT_EQ(map.categoryNames.size(), 6u);
    EXPECT_EQ(map.categoryNames[5], "n=2 g=1");
    EXPECT_EQ(plot::categoricalColor(5).toRgba8(), normStatisticColor(5).toRgba8())
        << "screen and export agree";
    ASSERT_EQ(f.annotations.size(), size_t(3 * 4 * 2 * 2)) << "one value per element";
    for (const plot::Annotation& a : f.annotations) {
      EXPECT_EQ(a.hAlign, plot::HAlign::Center);
      EXPECT_EQ(a.vAlign, plot::VAlign::Middle);
      EXPECT_TRUE(a.flags & plot::AnnotationFlags_AutoContrast);
    }
  }
  // The first annotation is x[0, 0, 0, 0].
  NormTensorState scene; // norm_group.json is the default tensor with kind group
  scene.kind = NormKind::Group;
  const NormLabForward r = computeNormForward(scene, nullptr, false);
  EXPECT_NEAR(std::stod(f.annotations[0].text), r.input(0, 0, 0, 0), 0.006);
  // Histograms of x and y are bars over 16 bins, every element counted once.
  for (const Tensor* values : {&r.input, &r.forward.output}) {
    const plot::Figure histogram = normHistogramFigure(*values, "h", "x", plot::seriesColor(0));
    ASSERT_EQ(histogram.bars.size(), 1u);
    ASSERT_EQ(histogram.bars[0].heights.size(), 16u);
    EXPECT_EQ(histogram.bars[0].edges.size(), 17u);
    double total = 0;
    for (double h : histogram.bars[0].heights) total += h;
    EXPECT_EQ(total, 48.0);
    EXPECT_TRUE(histogram.lines.empty());
  }
}

TEST(NormLab, FiniteDifferencesWaitForTheBackwardPanelAndStayCheapWhenLarge) {
  NormTensorState state;
  state.batch = state.channels = 8;
  state.height = state.width = 12;
  state.kind = NormKind::Instance;
  NormLabForward r = computeNormForward(state, nullptr, false);
  ASSERT_TRUE(r.status.ok());
  EXPECT_FALSE(r.checksDone);
  EXPECT_EQ(r.checks[3].checked, 0);
  computeNormGradientChecks(state, r);
  EXPECT_TRUE(r.checksDone);
  for (const GradientCheck& check : r.checks) {
    SCOPED_TRACE(check.name);
    EXPECT_GE(check.checked, std::min<Index>(12, check.analytic.numel()));
    EXPECT_LE(check.checked, 64);
    EXPECT_TRUE(check.agrees()) << check.maxAbsDifference;
  }
}

} // namespace
} // namespace nnlab::app
