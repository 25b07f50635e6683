// Tests for datasets.h: seeded reproducibility, balanced classes and a stratified split, the
// geometry each 2-D set promises (radii of the circles, XOR quadrants, blob centres), the image
// set's shapes (a disc lights its centre, a ring does not), standardisation, named errors, the
// layout known before generating (sizes and errors as makeDataset's), and cancelling.
#include "nnlab/datasets.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <map>

namespace nnlab {
namespace {

Dataset make(const std::string& spec, std::uint32_t seed = 1) {
  Result<DatasetOptions> o = parseDatasetSpec(spec);
  EXPECT_TRUE(o) << spec << ": " << o.error().message();
  Result<Dataset> d = makeDataset(*o, seed);
  EXPECT_TRUE(d) << spec << ": " << d.error().message();
  return std::move(d).value();
}

std::map<int, int> countLabels(const std::vector<int>& labels) {
  std::map<int, int> counts;
  for (int y : labels) ++counts[y];
  return counts;
}

TEST(Datasets, SameSeedSameDataOtherSeedOtherData) {
  for (const std::string& name : datasetNames()) {
    const Dataset a = make(name, 4), b = make(name, 4), c = make(name, 5);
    EXPECT_EQ(a.trainX.values(), b.trainX.values()) << name;
    EXPECT_EQ(a.validationY, b.validationY) << name;
    EXPECT_NE(a.trainX.values(), c.trainX.values()) << name;
  }
}

TEST(Datasets, BalancedClassesAndStratifiedSplit) {
  // spirals:classes=3,samples=600 -> 200 per class; val 0.2 -> 40 per class validate.
  const Dataset d = make("spirals:classes=3,samples=600");
  EXPECT_EQ(d.trainSize(), 480);
  EXPECT_EQ(d.validationSize(), 120);
  for (auto [label, count] : countLabels(d.trainY)) EXPECT_EQ(count, 160) << label;
  for (auto [label, count] : countLabels(d.validationY)) EXPECT_EQ(count, 40) << label;
  EXPECT_EQ(d.sampleShape, (Shape{2}));
  EXPECT_EQ(d.trainX.shape(), (Shape{480, 2}));
}

TEST(Datasets, CirclesWithoutNoiseLieOnTheirRadii) {
  const Dataset d = make("circles:noise=0,factor=0.4");
  for (Index i = 0; i < d.trainSize(); ++i) {
    const double r = std::hypot(d.trainX(i, 0), d.trainX(i, 1));
    EXPECT_NEAR(r, d.trainY[static_cast<size_t>(i)] == 0 ? 1.0 : 0.4, 1e-5);
  }
}

TEST(Datasets, XorLabelsAreTheQuadrantsSignProduct) {
  const Dataset d = make("xor:noise=0");
  for (Index i = 0; i < d.trainSize(); ++i) {
    const bool sameSign = (d.trainX(i, 0) > 0) == (d.trainX(i, 1) > 0);
    EXPECT_EQ(d.trainY[static_cast<size_t>(i)], sameSign ? 0 : 1);
  }
}

TEST(Datasets, BlobsCentreOnACircleOfRadiusTwo) {
  // Class k's mean is 2(cos 2πk/K, sin 2πk/K) up to σ/√n = 0.5/√200.
  const Dataset d = make("blobs:classes=4,samples=1000");
  std::vector<double> sx(4), sy(4), n(4);
  for (Index i = 0; i < d.trainSize(); ++i) {
    const size_t k = static_cast<size_t>(d.trainY[static_cast<size_t>(i)]);
    sx[k] += d.trainX(i, 0), sy[k] += d.trainX(i, 1), n[k] += 1;
  }
  for (size_t k = 0; k < 4; ++k) {
    EXPECT_NEAR(sx[k] / n[k], 2 * std::cos(M_PI / 2 * k), 0.15);
    EXPECT_NEAR(sy[k] / n[k], 2 * std::sin(M_PI / 2 * k), 0.15);
  }
}

TEST(Datasets, ShapesAreStandardisedImagesWithTheirClassNames) {
  const Dataset d = make("shapes:classes=4,size=20,samples=400,noise=0");
  EXPECT_TRUE(d.isImage());
  EXPECT_EQ(d.sampleShape, (Shape{1, 20, 20}));
  EXPECT_EQ(d.classNames, (std::vector<std::string>{"disc", "ring", "square", "frame"}));
  // Standardised by the training pixels: mean 0, std 1.
  double sum = 0, sumSq = 0;
  for (float v : d.trainX.values()) sum += v, sumSq += double(v) * v;
  const double n = static_cast<double>(d.trainX.numel());
  EXPECT_NEAR(sum / n, 0.0, 1e-4);
  EXPECT_NEAR(sumSq / n, 1.0, 1e-3);
  // Ink per image: a disc of radius 0.9 covers π·0.9² ≈ 2.54 (in its own units), a ring of
  // width 0.36 at radius 0.72 only 2π·0.72·0.36 ≈ 1.63, so the discs' mean pixel is higher.
  double disc = 0, ring = 0;
  int discs = 0, rings = 0;
  const Index pixels = 20 * 20;
  for (Index i = 0; i < d.trainSize(); ++i) {
    double sumPixels = 0;
    for (Index j = 0; j < pixels; ++j) sumPixels += d.trainX.data()[i * pixels + j];
    const int y = d.trainY[static_cast<size_t>(i)];
    if (y == 0) disc += sumPixels / pixels, ++discs;
    if (y == 1) ring += sumPixels / pixels, ++rings;
  }
  EXPECT_GT(disc / discs, ring / rings + 0.1);
}

TEST(Datasets, ErrorsNameTheOption) {
  Result<DatasetOptions> unknown = parseDatasetSpec("spiral");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().what.find("unknown dataset 'spiral'"), std::string::npos);
  Result<DatasetOptions> badKey = parseDatasetSpec("moons:classes=3");
  ASSERT_FALSE(badKey);
  EXPECT_NE(badKey.error().what.find("classes"), std::string::npos) << badKey.error().what;
  Result<Dataset> tooMany = makeDataset(*parseDatasetSpec("spirals:classes=12"), 0);
  ASSERT_FALSE(tooMany);
  EXPECT_EQ(tooMany.error().where, "classes");
  Result<Dataset> tooBig = makeDataset(*parseDatasetSpec("shapes:size=64"), 0);
  ASSERT_FALSE(tooBig);
  EXPECT_EQ(tooBig.error().where, "size");
}

TEST(Datasets, LayoutIsWhatMakeDatasetGivesWithTheSameErrors) {
  // spirals:classes=3,samples=601 -> 200 per class (1 dropped); val 0.15 -> round(30) = 30 per
  // class validate: 510 train, 90 validation. shapes:samples=405,classes=4,size=16,val=0.33 -> 101
  // per class, round(33.33) = 33 validate: 272 train, 132 validation.
  for (const char* spec : {"spirals:classes=3,samples=601,val=0.15", "moons", "circles:val=0",
                           "xor:samples=50", "blobs:classes=7",
                           "shapes:samples=405,classes=4,"
                           "size=16,val=0.33"}) {
    const DatasetOptions o = *parseDatasetSpec(spec);
    Result<DatasetLayout> layout = datasetLayout(o);
    ASSERT_TRUE(layout) << spec << ": " << layout.error().message();
    const Dataset d = make(spec, 3);
    EXPECT_EQ(layout->sampleShape, d.sampleShape) << spec;
    EXPECT_EQ(layout->classes, d.classes) << spec;
    EXPECT_EQ(layout->trainSize, d.trainSize()) << spec;
    EXPECT_EQ(layout->validationSize, d.validationSize()) << spec;
  }
  EXPECT_EQ(datasetLayout(*parseDatasetSpec("spirals:classes=3,samples=601,val=0.15"))->trainSize,
            510);
  EXPECT_EQ(datasetLayout(*parseDatasetSpec("shapes:samples=405,classes=4,size=16,val=0.33"))
                ->validationSize,
            132);
  for (const char* spec : {"spirals:classes=12", "shapes:size=64", "moons:noise=9",
                           "blobs:samples=30", "circles:factor=1", "xor:val=0.95"}) {
    Result<DatasetLayout> layout = datasetLayout(*parseDatasetSpec(spec));
    Result<Dataset> data = makeDataset(*parseDatasetSpec(spec), 0);
    ASSERT_FALSE(layout) << spec;
    ASSERT_FALSE(data) << spec;
    EXPECT_EQ(layout.error().message(), data.error().message()) << spec;
  }
}

TEST(Datasets, CancelStopsTheGeneration) {
  const std::atomic<bool> cancel{true};
  Result<Dataset> d = makeDataset(*parseDatasetSpec("shapes"), 1, &cancel);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().message(), "cancelled");
  const std::atomic<bool> goOn{false};
  EXPECT_TRUE(makeDataset(*parseDatasetSpec("moons"), 1, &goOn));
}

} // namespace
} // namespace nnlab
