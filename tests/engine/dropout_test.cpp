// Tests for dropout.h: masks from a seed, the scaling of each form, expected activations (law of
// large numbers over many masks), and the backward pass against finite differences.
#include "nnlab/dropout.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace nnlab {
namespace {

DropoutSpec specOf(float keep, DropoutForm form) {
  DropoutSpec spec;
  spec.keepProbability = keep;
  spec.form = form;
  return spec;
}

TEST(Dropout, SameSeedSameMaskAndMaskMatchesOutput) {
  Tensor x(Shape{4, 50}, 2.0f);
  auto a = dropoutTrain(x, specOf(0.7f, DropoutForm::Inverted), 123);
  auto b = dropoutTrain(x, specOf(0.7f, DropoutForm::Inverted), 123);
  auto c = dropoutTrain(x, specOf(0.7f, DropoutForm::Inverted), 124);
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->mask.values(), b->mask.values());
  EXPECT_NE(a->mask.values(), c->mask.values());
  // Inverted: kept units become x / p = 2 / 0.7; dropped ones 0.
  for (Index i = 0; i < x.numel(); ++i)
    EXPECT_FLOAT_EQ(a->output.data()[i], a->mask.data()[i] * 2.0f / 0.7f);
}

TEST(Dropout, MaskIsTheFirstDrawsOfMt19937) {
  // The reference: std::mt19937(5)'s raw outputs, top 24 bits as u in [0, 1), kept when u < p.
  std::mt19937 reference(5);
  Tensor x(Shape{1, 16}, 1.0f);
  auto t = dropoutTrain(x, specOf(0.5f, DropoutForm::Standard), 5);
  ASSERT_TRUE(t);
  for (Index i = 0; i < 16; ++i) {
    const double u = static_cast<double>(reference() >> 8) / 16777216.0;
    EXPECT_EQ(t->mask.data()[i], u < 0.5 ? 1.0f : 0.0f) << i;
    EXPECT_EQ(t->output.data()[i], t->mask.data()[i]); // standard: no scaling at training time
  }
}

TEST(Dropout, TestTimeScaling) {
  // Standard scales by p at test time; inverted leaves activations alone.
  Tensor x(Shape{2, 2}, {1, -2, 3, 4});
  auto standard = dropoutTest(x, specOf(0.25f, DropoutForm::Standard));
  auto inverted = dropoutTest(x, specOf(0.25f, DropoutForm::Inverted));
  ASSERT_TRUE(standard && inverted);
  EXPECT_EQ(standard->values(), (std::vector<float>{0.25f, -0.5f, 0.75f, 1.0f}));
  EXPECT_EQ(inverted->values(), x.values());
}

TEST(Dropout, ExpectedActivationMatchesBetweenTrainAndTest) {
  // E[m] = p: standard gives p·a at training and p·a at testing; inverted gives a and a.
  auto standard = dropoutExpectedActivation(2.0, specOf(0.8f, DropoutForm::Standard));
  auto inverted = dropoutExpectedActivation(2.0, specOf(0.8f, DropoutForm::Inverted));
  ASSERT_TRUE(standard && inverted);
  EXPECT_NEAR(standard->training, 0.8 * 2.0, 1e-7);
  EXPECT_NEAR(standard->testing, 0.8 * 2.0, 1e-7);
  EXPECT_NEAR(inverted->training, 2.0, 1e-12);
  EXPECT_DOUBLE_EQ(inverted->testing, 2.0);
}

TEST(Dropout, EmpiricalMeanOfManyMasksApproachesTheExpectation) {
  // Law of large numbers: the mean output over 200000 units with a = 3, p = 0.6 is within
  // 5 standard errors of E[y]. Inverted: y ∈ {0, 5} with P(5) = 0.6, std = 5·√(0.24) ≈ 2.449.
  Tensor x(Shape{1000, 200}, 3.0f);
  for (DropoutForm form : {DropoutForm::Standard, DropoutForm::Inverted}) {
    const DropoutSpec spec = specOf(0.6f, form);
    auto t = dropoutTrain(x, spec, 99);
    ASSERT_TRUE(t);
    double sum = 0;
    for (float v : t->output.values()) sum += v;
    const double mean = sum / static_cast<double>(x.numel());
    const double scale = form == DropoutForm::Inverted ? 1.0 / 0.6 : 1.0;
    const double stdError = 3.0 * scale * std::sqrt(0.6 * 0.4) / std::sqrt(double(x.numel()));
    EXPECT_NEAR(mean, dropoutExpectedActivation(3.0, spec)->training, 5 * stdError);
  }
}

TEST(Dropout, BackwardMatchesFiniteDifferences) {
  // For a fixed mask y is linear in x; L = Σ w·y; central differences with h = 1e-2 in float.
  std::mt19937 rng(3);
  std::normal_distribution<float> normal;
  Tensor x(Shape{3, 7}), w(Shape{3, 7});
  for (float& v : x.values()) v = normal(rng);
  for (float& v : w.values()) v = normal(rng);
  for (DropoutForm form : {DropoutForm::Standard, DropoutForm::Inverted}) {
    const DropoutSpec spec = specOf(0.5f, form);
    auto loss = [&](const Tensor& input) {
      double l = 0;
      auto t = dropoutTrain(input, spec, 17).value();
      for (Index i = 0; i < input.numel(); ++i) l += double(w.data()[i]) * t.output.data()[i];
      return l;
    };
    auto mask = dropoutTrain(x, spec, 17)->mask;
    auto dx = dropoutBackward(w, mask, spec);
    ASSERT_TRUE(dx);
    for (Index i = 0; i < x.numel(); ++i) {
      Tensor up = x, down = x;
      up.data()[i] += 1e-2f;
      down.data()[i] -= 1e-2f;
      const double numeric = (loss(up) - loss(down)) / (double(up.data()[i]) - down.data()[i]);
      EXPECT_NEAR(dx->data()[i], numeric, 1e-4) << i;
    }
  }
}

TEST(Dropout, ErrorsNameTheQuantity) {
  Tensor x(Shape{2}, 1.0f);
  auto zero = dropoutTrain(x, specOf(0.0f, DropoutForm::Inverted), 1);
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().where, "keep probability");
  Tensor nan(Shape{2}, std::nanf(""));
  auto bad = dropoutTest(nan, specOf(0.5f, DropoutForm::Standard));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "input: non-finite value at flat index 0");
}

} // namespace
} // namespace nnlab
