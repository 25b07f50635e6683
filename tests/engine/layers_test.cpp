// Tests for layers.h: every layer's analytic backward against central differences (input and
// parameter gradients), softmax + cross-entropy against hand-worked values and its ŷ − y
// gradient, initialisation statistics, and the shape errors of build().
//
// Finite differences run on the float layers with h = 1e-2 and the loss L = Σ r ⊙ y summed in
// double: rounding then costs ~1e-4 in the quotient and truncation O(h²) ~1e-4, so a gradient
// agrees to 2e-3 absolute plus 2% relative. Inputs keep ReLU's kink and max pooling's ties more
// than h away, where the derivative is not defined.
#include "nnlab/layers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>

namespace nnlab {
namespace {

Tensor randomTensor(const Shape& shape, std::mt19937& rng, float scale = 1.0f) {
  std::normal_distribution<float> normal(0.0f, scale);
  Tensor t(shape);
  for (float& v : t.values()) v = normal(rng);
  return t;
}

// Values away from 0 by at least `gap` (ReLU's kink).
Tensor awayFromZero(const Shape& shape, std::mt19937& rng, float gap = 0.05f) {
  Tensor t = randomTensor(shape, rng);
  for (float& v : t.values()) v = v >= 0 ? v + gap : v - gap;
  return t;
}

// A permutation of evenly spaced values 0.1 apart: no two in a pooling window within 2h.
Tensor distinctValues(const Shape& shape, std::mt19937& rng) {
  Tensor t(shape);
  std::vector<int> order(static_cast<size_t>(t.numel()));
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  for (Index i = 0; i < t.numel(); ++i)
    t.data()[i] = 0.1f * static_cast<float>(order[static_cast<size_t>(i)]) - 0.05f * t.numel();
  return t;
}

Shape sampleOf(const Shape& batch) {
  std::vector<Index> dims = batch.toVector();
  dims.erase(dims.begin());
  return Shape(dims);
}

double weightedSum(const Tensor& y, const Tensor& r) {
  double s = 0;
  for (Index i = 0; i < y.numel(); ++i) s += static_cast<double>(y.data()[i]) * r.data()[i];
  return s;
}

void expectClose(double analytic, double numeric, const std::string& what) {
  EXPECT_NEAR(analytic, numeric, 2e-3 + 0.02 * std::fabs(numeric)) << what;
}

// Checks ∂L/∂x and every ∂L/∂θ of `layer` (already built) at `x` for L = Σ r ⊙ y.
void checkGradients(Layer& layer, const Tensor& x, std::uint32_t seed = 3) {
  std::mt19937 rng(seed);
  constexpr float h = 1e-2f;
  auto forward = [&](const Tensor& input) {
    layer.setSeed(99); // dropout: the same mask at every evaluation
    return layer.forward(input, LayerMode::Training);
  };
  const Tensor y = forward(x);
  const Tensor r = randomTensor(y.shape(), rng);
  const Tensor dx = layer.backward(r);
  ASSERT_EQ(dx.shape(), x.shape());
  std::vector<Tensor> grads;
  for (Parameter* p : layer.parameters()) grads.push_back(p->grad);

  // Input: up to 40 elements spread over the tensor.
  const Index stride = std::max<Index>(1, x.numel() / 40);
  for (Index i = 0; i < x.numel(); i += stride) {
    Tensor plus = x, minus = x;
    plus.data()[i] += h;
    minus.data()[i] -= h;
    const double numeric =
        (weightedSum(forward(plus), r) - weightedSum(forward(minus), r)) / (2 * h);
    expectClose(dx.data()[i], numeric, layer.describe() + " dL/dx[" + std::to_string(i) + "]");
  }
  // Parameters: up to 30 elements of each.
  std::vector<Parameter*> params = layer.parameters();
  for (size_t k = 0; k < params.size(); ++k) {
    Tensor& value = params[k]->value;
    const Index step = std::max<Index>(1, value.numel() / 30);
    for (Index i = 0; i < value.numel(); i += step) {
      const float saved = value.data()[i];
      value.data()[i] = saved + h;
      const double up = weightedSum(forward(x), r);
      value.data()[i] = saved - h;
      const double down = weightedSum(forward(x), r);
      value.data()[i] = saved;
      expectClose(grads[k].data()[i], (up - down) / (2 * h),
                  layer.describe() + " dL/d" + params[k]->name + "[" + std::to_string(i) + "]");
    }
  }
}

// Builds `layer` for `x`'s sample shape and fills its parameters with N(0, 0.5²) (γ near 1).
void buildRandom(Layer& layer, const Tensor& x, std::mt19937& rng) {
  ASSERT_TRUE(layer.build(sampleOf(x.shape())));
  for (Parameter* p : layer.parameters()) {
    p->value = randomTensor(p->value.shape(), rng, 0.5f);
    if (p->role == ParameterRole::Gamma)
      for (float& v : p->value.values()) v += 1.0f;
  }
}

// ---- Gradient checks, one per layer -------------------------------------------------------------

TEST(LayerGradient, Linear) {
  std::mt19937 rng(1);
  auto layer = makeLinear(7);
  const Tensor x = randomTensor({5, 6}, rng);
  buildRandom(*layer, x, rng);
  checkGradients(*layer, x);
}

TEST(LayerGradient, LinearLargeBatchUsesSeveralChunks) {
  // 64 × 256 × 128 multiply-adds: split into chunks whose weight gradients are summed in order.
  std::mt19937 rng(2);
  auto layer = makeLinear(128);
  const Tensor x = randomTensor({64, 256}, rng);
  buildRandom(*layer, x, rng);
  checkGradients(*layer, x);
}

TEST(LayerGradient, Conv2dPaddedAndStrided) {
  std::mt19937 rng(3);
  for (auto [stride, padding] : {std::pair<Index, Index>{1, 1}, {2, 0}, {2, 1}}) {
    auto layer = makeConv2d(3, 3, stride, padding);
    const Tensor x = randomTensor({2, 2, 7, 7}, rng);
    buildRandom(*layer, x, rng);
    checkGradients(*layer, x);
  }
}

TEST(LayerGradient, Conv2dBatchSplitIntoChunks) {
  // 16 samples × 8·4·9·(12·12) multiply-adds: several chunks, gradients added in chunk order.
  std::mt19937 rng(4);
  auto layer = makeConv2d(8, 3, 1, 1);
  const Tensor x = randomTensor({16, 4, 12, 12}, rng);
  buildRandom(*layer, x, rng);
  checkGradients(*layer, x);
}

TEST(LayerGradient, Activations) {
  std::mt19937 rng(5);
  for (Activation a :
       {Activation::ReLU, Activation::Tanh, Activation::Sigmoid, Activation::LeakyReLU,
        Activation::ELU, Activation::GELU, Activation::SiLU, Activation::Softplus}) {
    auto layer = makeActivation(a);
    const Tensor x = awayFromZero({3, 2, 4, 4}, rng);
    ASSERT_TRUE(layer->build(sampleOf(x.shape())));
    checkGradients(*layer, x);
  }
}

TEST(LayerGradient, MaxAndAveragePool) {
  std::mt19937 rng(6);
  std::vector<std::unique_ptr<Layer>> pools;
  pools.push_back(makeMaxPool(2));
  pools.push_back(makeAvgPool(2));
  pools.push_back(makeMaxPool(3, 2));
  pools.push_back(makeAvgPool(3, 1));
  for (auto& pool : pools) {
    const Tensor x = distinctValues({2, 3, 7, 7}, rng);
    ASSERT_TRUE(pool->build(sampleOf(x.shape())));
    checkGradients(*pool, x);
  }
}

TEST(LayerGradient, BatchNormFlatAndImage) {
  std::mt19937 rng(7);
  for (Shape shape : {Shape{8, 5}, Shape{4, 3, 3, 3}}) {
    auto layer = makeBatchNorm();
    const Tensor x = randomTensor(shape, rng);
    buildRandom(*layer, x, rng);
    checkGradients(*layer, x);
  }
}

TEST(LayerGradient, DropoutAndFlatten) {
  std::mt19937 rng(8);
  auto dropout = makeDropout(0.3f);
  const Tensor x = randomTensor({4, 10}, rng);
  ASSERT_TRUE(dropout->build(sampleOf(x.shape())));
  checkGradients(*dropout, x);
  auto flatten = makeFlatten();
  const Tensor image = randomTensor({2, 3, 2, 2}, rng);
  Result<Shape> out = flatten->build(sampleOf(image.shape()));
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, (Shape{12}));
  checkGradients(*flatten, image);
}

// ---- Forward behaviour --------------------------------------------------------------------------

TEST(Layers, LinearComputesXWTransposePlusB) {
  // W = [[1, 2], [3, 4], [5, 6]], b = [0.5, −1, 2], x = [1, −1]:
  //   y = [1−2+0.5, 3−4−1, 5−6+2] = [−0.5, −2, 1]
  auto layer = makeLinear(3);
  ASSERT_TRUE(layer->build(Shape{2}));
  layer->parameters()[0]->value = Tensor({3, 2}, {1, 2, 3, 4, 5, 6});
  layer->parameters()[1]->value = Tensor({3}, {0.5f, -1, 2});
  const Tensor y = layer->forward(Tensor({1, 2}, {1, -1}), LayerMode::Training);
  EXPECT_EQ(y.values(), (std::vector<float>{-0.5f, -2, 1}));
}

TEST(Layers, DropoutIsIdentityInEvaluationAndBatchNormUsesRunningStatistics) {
  std::mt19937 rng(9);
  auto dropout = makeDropout(0.5f);
  const Tensor x = randomTensor({4, 6}, rng);
  ASSERT_TRUE(dropout->build(Shape{6}));
  EXPECT_EQ(dropout->forward(x, LayerMode::Evaluation).values(), x.values());
  // BatchNorm before any training step: running mean 0, var 1, so y = x / √(1 + ε).
  auto bn = makeBatchNorm();
  ASSERT_TRUE(bn->build(Shape{6}));
  const Tensor y = bn->infer(x);
  for (Index i = 0; i < x.numel(); ++i)
    EXPECT_NEAR(y.data()[i], x.data()[i] / std::sqrt(1.0 + 1e-5), 1e-6);
}

TEST(Layers, BuildErrorsNameTheLayer) {
  Result<Shape> linear = makeLinear(4)->build(Shape{1, 8, 8});
  ASSERT_FALSE(linear);
  EXPECT_NE(linear.error().message().find("flatten"), std::string::npos)
      << linear.error().message();
  Result<Shape> conv = makeConv2d(4, 5, 1, 0)->build(Shape{1, 3, 3});
  ASSERT_FALSE(conv);
  EXPECT_EQ(conv.error().where, "conv:4:5:1:0");
  EXPECT_FALSE(makeMaxPool(2)->build(Shape{10}));
}

// ---- Softmax + cross-entropy --------------------------------------------------------------------

TEST(CrossEntropy, UniformLogitsGiveLnCAndGradientIsPredictionMinusTarget) {
  // z = 0 for C = 4 classes: ŷ = 1/4 each, L = ln 4; ∂L/∂z = (ŷ − y) / N.
  const Tensor logits({2, 4}, 0.0f);
  const CrossEntropy ce = softmaxCrossEntropy(logits, {1, 3});
  EXPECT_NEAR(ce.loss, std::log(4.0), 1e-12);
  EXPECT_NEAR(ce.gradLogits(0, 1), (0.25 - 1) / 2, 1e-7);
  EXPECT_NEAR(ce.gradLogits(0, 0), 0.25 / 2, 1e-7);
  EXPECT_NEAR(ce.gradLogits(1, 3), (0.25 - 1) / 2, 1e-7);
}

TEST(CrossEntropy, StableForHugeLogits) {
  // z = [1000, 0]: naive e^1000 overflows; log-sum-exp gives L = ln(1 + e^−1000) ≈ 0 for label 0
  // and 1000 for label 1.
  const Tensor logits({2, 2}, {1000, 0, 1000, 0});
  const CrossEntropy ce = softmaxCrossEntropy(logits, {0, 1});
  EXPECT_NEAR(ce.loss, 500.0, 1e-9);
  EXPECT_EQ(ce.correct, 1);
  for (float g : ce.gradLogits.values()) EXPECT_TRUE(std::isfinite(g));
}

TEST(CrossEntropy, GradientMatchesFiniteDifferences) {
  std::mt19937 rng(10);
  const Tensor logits = randomTensor({3, 5}, rng, 2.0f);
  const std::vector<int> labels{4, 0, 2};
  const CrossEntropy ce = softmaxCrossEntropy(logits, labels);
  for (Index i = 0; i < logits.numel(); ++i) {
    Tensor plus = logits, minus = logits;
    plus.data()[i] += 1e-2f;
    minus.data()[i] -= 1e-2f;
    const double numeric = (softmaxCrossEntropy(plus, labels, false).loss -
                            softmaxCrossEntropy(minus, labels, false).loss) /
                           2e-2;
    EXPECT_NEAR(ce.gradLogits.data()[i], numeric, 1e-4);
  }
}

// ---- Initialisation -----------------------------------------------------------------------------

TEST(Initialisation, VariancesFollowTheFans) {
  // fan_in 400, fan_out 200: He σ² = 2/400 = 0.005, Xavier σ² = 2/600 ≈ 0.00333 (both forms).
  for (InitScheme scheme : {InitScheme::HeUniform, InitScheme::HeNormal, InitScheme::XavierUniform,
                            InitScheme::XavierNormal}) {
    Parameter w{"weight", ParameterRole::Weight, Tensor({200, 400}), Tensor({200, 400}), 400, 200};
    std::mt19937 rng(11);
    initializeWeight(w, scheme, rng);
    double sum = 0, sumSq = 0;
    for (float v : w.value.values()) sum += v, sumSq += double(v) * v;
    const double n = static_cast<double>(w.value.numel());
    const double var = sumSq / n - (sum / n) * (sum / n);
    const bool he = scheme == InitScheme::HeUniform || scheme == InitScheme::HeNormal;
    EXPECT_NEAR(var, he ? 0.005 : 2.0 / 600, 0.03 * (he ? 0.005 : 2.0 / 600))
        << initSchemeId(scheme);
    EXPECT_NEAR(sum / n, 0.0, 0.002);
  }
  EXPECT_EQ(*parseInitScheme("he_normal"), InitScheme::HeNormal);
  EXPECT_FALSE(parseInitScheme("glorot"));
}

} // namespace
} // namespace nnlab
