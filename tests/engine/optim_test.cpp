// Optimizers: the first three steps of each on hand-worked cases (the arithmetic is in the
// comments), whole 200-step paths against PyTorch 1.13 in float64 (tests/golden/optim_paths.json,
// made by make_optim_golden.py), the Adam ≈ AdaGrad identity, and the factory's checks.
#include "nnlab/optim.h"

#include <cmath>
#include <fstream>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "nnlab/schedules.h"
#include "nnlab/surfaces.h"
#include "nnlab/trajectory.h"

namespace nnlab {
namespace {

#define EXPECT_VEC2_NEAR(actual, ex, ey, tol)                                                      \
  do {                                                                                             \
    const Vec2 a_ = (actual);                                                                      \
    EXPECT_NEAR(a_.x, (ex), (tol)) << #actual ".x";                                                \
    EXPECT_NEAR(a_.y, (ey), (tol)) << #actual ".y";                                                \
  } while (0)

std::unique_ptr<Optimizer> make(OptimizerKind kind, OptimizerConfig config) {
  Result<std::unique_ptr<Optimizer>> made = makeOptimizer(kind, config);
  EXPECT_TRUE(made.ok()) << (made ? "" : made.error().message());
  return std::move(made).value();
}

OptimizerConfig configFor(OptimizerKind kind, double lr) {
  OptimizerConfig c = defaultOptimizerConfig(kind);
  c.lr = lr;
  return c;
}

// The gradient sequence the SGD-family cases are fed, from θ₀ = (1, 1) with η = 0.1, β = 0.5.
constexpr Vec2 kG1{4, -2}, kG2{2, 0}, kG3{-2, 4};

TEST(Sgd, ThreeHandWorkedSteps) {
  // θ ← θ − ηg: (1, 1) − 0.1(4, −2) = (0.6, 1.2); − 0.1(2, 0) = (0.4, 1.2); − 0.1(−2, 4) = (0.6,
  // 0.8).
  auto sgd = make(OptimizerKind::SGD, configFor(OptimizerKind::SGD, 0.1));
  OptimizerState s;
  Vec2 theta = sgd->step({1, 1}, kG1, 0.1, s);
  EXPECT_VEC2_NEAR(theta, 0.6, 1.2, 1e-15);
  theta = sgd->step(theta, kG2, 0.1, s);
  EXPECT_VEC2_NEAR(theta, 0.4, 1.2, 1e-15);
  theta = sgd->step(theta, kG3, 0.1, s);
  EXPECT_VEC2_NEAR(theta, 0.6, 0.8, 1e-15);
  EXPECT_EQ(s.t, 3);
  EXPECT_VEC2_NEAR(s.step, 0.2, -0.4, 1e-15);
  EXPECT_VEC2_NEAR(s.effectiveLr, 0.1, 0.1, 0);
}

TEST(Momentum, HeavyBallThreeHandWorkedSteps) {
  // m ← βm + g, θ ← θ − ηm with β = 0.5, η = 0.1:
  //   m₁ = (4, −2)                       θ₁ = (1, 1) − (0.4, −0.2) = (0.6, 1.2)
  //   m₂ = (2, −1) + (2, 0) = (4, −1)     θ₂ = (0.6, 1.2) − (0.4, −0.1) = (0.2, 1.3)
  //   m₃ = (2, −0.5) + (−2, 4) = (0, 3.5) θ₃ = (0.2, 1.3) − (0, 0.35) = (0.2, 0.95)
  OptimizerConfig c = configFor(OptimizerKind::Momentum, 0.1);
  c.beta = 0.5;
  auto momentum = make(OptimizerKind::Momentum, c);
  OptimizerState s;
  Vec2 theta = momentum->step({1, 1}, kG1, 0.1, s);
  EXPECT_VEC2_NEAR(theta, 0.6, 1.2, 1e-15);
  EXPECT_VEC2_NEAR(s.m, 4, -2, 0);
  theta = momentum->step(theta, kG2, 0.1, s);
  EXPECT_VEC2_NEAR(theta, 0.2, 1.3, 1e-15);
  EXPECT_VEC2_NEAR(s.m, 4, -1, 0);
  theta = momentum->step(theta, kG3, 0.1, s);
  EXPECT_VEC2_NEAR(theta, 0.2, 0.95, 1e-15);
  EXPECT_VEC2_NEAR(s.m, 0, 3.5, 0);
  EXPECT_TRUE(momentum->fields().m);
  EXPECT_FALSE(momentum->fields().v);
}

TEST(Momentum, EmaFormWithAndWithoutBiasCorrection) {
  // m ← βm + (1 − β)g, m̂ = m / (1 − βᵗ), θ ← θ − ηm̂ with β = 0.5, η = 0.1:
  //   m₁ = 0.5(4, −2) = (2, −1)              m̂₁ = m₁ / 0.5 = (4, −2)       θ₁ = (0.6, 1.2)
  //   m₂ = (1, −0.5) + (1, 0) = (2, −0.5)    m̂₂ = m₂ / 0.75 = (8/3, −2/3)  θ₂ = (1/3, 19/15)
  //   m₃ = (1, −0.25) + (−1, 2) = (0, 1.75)  m̂₃ = m₃ / 0.875 = (0, 2)      θ₃ = (1/3, 16/15)
  // Without the correction θ moves by ηm: θ₁ = (0.8, 1.1), θ₂ = (0.6, 1.15), θ₃ = (0.6, 0.975).
  OptimizerConfig c = configFor(OptimizerKind::Momentum, 0.1);
  c.beta = 0.5;
  c.momentumForm = MomentumForm::Ema;
  auto corrected = make(OptimizerKind::Momentum, c);
  c.biasCorrection = false;
  auto raw = make(OptimizerKind::Momentum, c);
  OptimizerState s, r;
  Vec2 theta = corrected->step({1, 1}, kG1, 0.1, s), plain = raw->step({1, 1}, kG1, 0.1, r);
  EXPECT_VEC2_NEAR(theta, 0.6, 1.2, 1e-15);
  EXPECT_VEC2_NEAR(s.m, 2, -1, 0);
  EXPECT_VEC2_NEAR(s.mHat, 4, -2, 0);
  EXPECT_VEC2_NEAR(plain, 0.8, 1.1, 1e-15);
  theta = corrected->step(theta, kG2, 0.1, s), plain = raw->step(plain, kG2, 0.1, r);
  EXPECT_VEC2_NEAR(theta, 1.0 / 3, 19.0 / 15, 1e-15);
  EXPECT_VEC2_NEAR(s.mHat, 8.0 / 3, -2.0 / 3, 1e-15);
  EXPECT_VEC2_NEAR(plain, 0.6, 1.15, 1e-15);
  theta = corrected->step(theta, kG3, 0.1, s), plain = raw->step(plain, kG3, 0.1, r);
  EXPECT_VEC2_NEAR(theta, 1.0 / 3, 16.0 / 15, 1e-15);
  EXPECT_VEC2_NEAR(s.mHat, 0, 2, 1e-15);
  EXPECT_VEC2_NEAR(plain, 0.6, 0.975, 1e-15);
  EXPECT_VEC2_NEAR(r.mHat, 0, 1.75, 0); // no correction: m̂ is m
}

TEST(Nesterov, ThreeHandWorkedSteps) {
  // m ← βm + g, θ ← θ − η(g + βm) with β = 0.5, η = 0.1:
  //   m₁ = (4, −2)       g + βm = (6, −3)       θ₁ = (1, 1) − (0.6, −0.3) = (0.4, 1.3)
  //   m₂ = (4, −1)       g + βm = (4, −0.5)     θ₂ = (0.4, 1.3) − (0.4, −0.05) = (0, 1.35)
  //   m₃ = (0, 3.5)      g + βm = (−2, 5.75)    θ₃ = (0, 1.35) − (−0.2, 0.575) = (0.2, 0.775)
  OptimizerConfig c = configFor(OptimizerKind::Nesterov, 0.1);
  c.beta = 0.5;
  auto nesterov = make(OptimizerKind::Nesterov, c);
  OptimizerState s;
  Vec2 theta = nesterov->step({1, 1}, kG1, 0.1, s);
  EXPECT_VEC2_NEAR(theta, 0.4, 1.3, 1e-15);
  EXPECT_VEC2_NEAR(s.direction, 6, -3, 0);
  theta = nesterov->step(theta, kG2, 0.1, s);
  EXPECT_VEC2_NEAR(theta, 0, 1.35, 1e-15);
  theta = nesterov->step(theta, kG3, 0.1, s);
  EXPECT_VEC2_NEAR(theta, 0.2, 0.775, 1e-15);
  EXPECT_VEC2_NEAR(s.m, 0, 3.5, 0);
}

TEST(AdaGrad, ThreeHandWorkedSteps) {
  // G ← G + g², θ ← θ − ηg / √G with η = 0.1, ε = 0, gradients (3, 4), (4, 3), (12, 0):
  //   G₁ = (9, 16),   √G = (3, 4):   θ₁ = (1, 1) − 0.1(3/3, 4/4) = (0.9, 0.9)
  //   G₂ = (25, 25),  √G = (5, 5):   θ₂ = (0.9, 0.9) − 0.1(4/5, 3/5) = (0.82, 0.84)
  //   G₃ = (169, 25), √G = (13, 5):  θ₃ = (0.82 − 0.1·12/13, 0.84) = (0.727692307..., 0.84)
  OptimizerConfig c = configFor(OptimizerKind::AdaGrad, 0.1);
  c.eps = 0;
  auto adagrad = make(OptimizerKind::AdaGrad, c);
  OptimizerState s;
  Vec2 theta = adagrad->step({1, 1}, {3, 4}, 0.1, s);
  EXPECT_VEC2_NEAR(theta, 0.9, 0.9, 1e-15);
  theta = adagrad->step(theta, {4, 3}, 0.1, s);
  EXPECT_VEC2_NEAR(theta, 0.82, 0.84, 1e-15);
  EXPECT_VEC2_NEAR(s.effectiveLr, 0.1 / 5, 0.1 / 5, 1e-17);
  theta = adagrad->step(theta, {12, 0}, 0.1, s);
  EXPECT_VEC2_NEAR(theta, 0.82 - 1.2 / 13, 0.84, 1e-15);
  EXPECT_VEC2_NEAR(s.v, 169, 25, 0);
}

TEST(RmsProp, ThreeHandWorkedSteps) {
  // v ← αv + (1 − α)g², θ ← θ − ηg / √v with α = 0.75, η = 0.1, ε = 0:
  //   g₁ = (2, 4):    v₁ = 0.25(4, 16) = (1, 4)               θ₁ = (1, 1) − 0.1(2/1, 4/2) = (0.8,
  //   0.8) g₂ = (1, 2):    v₂ = (0.75, 3) + 0.25(1, 4) = (1, 4)    θ₂ = (0.8, 0.8) − 0.1(1, 1) =
  //   (0.7, 0.7) g₃ = (−1, −2):  v₃ = (1, 4) again                       θ₃ = (0.7, 0.7) + 0.1(1,
  //   1) = (0.8, 0.8)
  OptimizerConfig c = configFor(OptimizerKind::RMSProp, 0.1);
  c.beta = 0.75;
  c.eps = 0;
  auto rmsprop = make(OptimizerKind::RMSProp, c);
  OptimizerState s;
  Vec2 theta = rmsprop->step({1, 1}, {2, 4}, 0.1, s);
  EXPECT_VEC2_NEAR(theta, 0.8, 0.8, 1e-15);
  EXPECT_VEC2_NEAR(s.v, 1, 4, 0);
  theta = rmsprop->step(theta, {1, 2}, 0.1, s);
  EXPECT_VEC2_NEAR(theta, 0.7, 0.7, 1e-15);
  theta = rmsprop->step(theta, {-1, -2}, 0.1, s);
  EXPECT_VEC2_NEAR(theta, 0.8, 0.8, 1e-15);
  EXPECT_VEC2_NEAR(s.effectiveLr, 0.1, 0.05, 1e-17);
}

// Adam family: β₁ = 0.5, β₂ = 0.9375 (so 1 − β₂ = 1/16), η = 0.1, ε = 0, θ₀ = (1, 1), gradients
// (2, −4), (1, 2), (0, 0).
OptimizerConfig adamConfig(OptimizerKind kind) {
  OptimizerConfig c = defaultOptimizerConfig(kind);
  c.lr = 0.1, c.beta1 = 0.5, c.beta2 = 0.9375, c.eps = 0;
  return c;
}
constexpr Vec2 kA1{2, -4}, kA2{1, 2}, kA3{0, 0};

TEST(Adam, ThreeHandWorkedSteps) {
  // t = 1: m = 0.5(2, −4) = (1, −2), v = (4, 16)/16 = (0.25, 1); 1 − β₁ = 0.5, 1 − β₂ = 0.0625;
  //        m̂ = (2, −4), v̂ = (4, 16): the first step is −η·sign(g): θ₁ = (0.9, 1.1).
  // t = 2: m = (0.5, −1) + (0.5, 1) = (1, 0), v = 0.9375(0.25, 1) + (1, 4)/16 = (0.296875, 1.1875);
  //        1 − β₁² = 0.75, 1 − β₂² = 0.12109375; m̂ = (4/3, 0), v̂ = (2.4516129, 9.8064516);
  //        step x = −0.1·(4/3)/√2.4516129 = −0.0851555165: θ₂ = (0.8148444835, 1.1).
  // t = 3: m = (0.5, 0), v = 0.9375·v₂ = (0.2783203125, 1.11328125); 1 − β₁³ = 0.875,
  //        1 − β₂³ = 0.176025390625; m̂ = (0.5714286, 0), v̂ = (1.5811373, 6.3245492);
  //        step x = −0.1·0.5714286/√1.5811373 = −0.0454440635: θ₃ = (0.7694004200, 1.1).
  auto adam = make(OptimizerKind::Adam, adamConfig(OptimizerKind::Adam));
  OptimizerState s;
  Vec2 theta = adam->step({1, 1}, kA1, 0.1, s);
  EXPECT_VEC2_NEAR(theta, 0.9, 1.1, 1e-15);
  EXPECT_VEC2_NEAR(s.m, 1, -2, 0);
  EXPECT_VEC2_NEAR(s.v, 0.25, 1, 0);
  EXPECT_VEC2_NEAR(s.mHat, 2, -4, 0);
  EXPECT_VEC2_NEAR(s.vHat, 4, 16, 0);
  EXPECT_VEC2_NEAR(s.effectiveLr, 0.05, 0.025, 1e-17); // η / √v̂
  theta = adam->step(theta, kA2, 0.1, s);
  EXPECT_VEC2_NEAR(theta, 0.8148444835121993, 1.1, 1e-12);
  EXPECT_VEC2_NEAR(s.vHat, 0.296875 / 0.12109375, 1.1875 / 0.12109375, 1e-12);
  theta = adam->step(theta, kA3, 0.1, s);
  EXPECT_VEC2_NEAR(theta, 0.7694004200135621, 1.1, 1e-12);
  EXPECT_VEC2_NEAR(s.m, 0.5, 0, 0);
  EXPECT_VEC2_NEAR(s.v, 0.2783203125, 1.11328125, 1e-15);
}

TEST(Adam, WithoutBiasCorrectionTheFirstStepIsTooLong) {
  // θ ← θ − ηm / √v. t = 1: m = (1, −2), √v = (0.5, 1): the step is 0.1·(2, −2), twice Adam's,
  // since (1 − β₁)/√(1 − β₂) = 0.5/0.25 = 2 (with PyTorch's defaults 0.1/√0.001 ≈ 3.16).
  // t = 2: m = (1, 0), v = (0.296875, ·): step x = −0.1/√0.296875 = −0.1835325871: θ₂ =
  // (0.6164674129, 1.2). t = 3: m = (0.5, 0), v = (0.2783203125, ·): step x = −0.05/√0.2783203125 =
  // −0.0947758204.
  OptimizerConfig c = adamConfig(OptimizerKind::Adam);
  c.biasCorrection = false;
  auto adam = make(OptimizerKind::Adam, c);
  OptimizerState s;
  Vec2 theta = adam->step({1, 1}, kA1, 0.1, s);
  EXPECT_VEC2_NEAR(theta, 0.8, 1.2, 1e-15);
  EXPECT_VEC2_NEAR(s.mHat, 1, -2, 0); // m̂ is m when uncorrected
  theta = adam->step(theta, kA2, 0.1, s);
  EXPECT_VEC2_NEAR(theta, 0.6164674129035507, 1.2, 1e-12);
  theta = adam->step(theta, kA3, 0.1, s);
  EXPECT_VEC2_NEAR(theta, 0.521691592462096, 1.2, 1e-12);
  EXPECT_FALSE(adam->fields().mHat);
}

TEST(AmsGrad, KeepsTheLargestSecondMoment) {
  // Steps 1 and 2 equal Adam's (v grows). At t = 3 the gradient is 0, so v shrinks to
  // (0.2783203125, ·) but v_max stays v₂ = (0.296875, 1.1875): v̂ = 0.296875 / 0.176025390625
  // = 1.6865465, step x = −0.1·0.5714286/√1.6865465 = −0.0440010253: θ₃ = (0.7708434582, 1.1),
  // a shorter step than Adam's 0.0454.
  auto ams = make(OptimizerKind::AMSGrad, adamConfig(OptimizerKind::AMSGrad));
  OptimizerState s;
  Vec2 theta = ams->step({1, 1}, kA1, 0.1, s);
  theta = ams->step(theta, kA2, 0.1, s);
  EXPECT_VEC2_NEAR(theta, 0.8148444835121993, 1.1, 1e-12);
  theta = ams->step(theta, kA3, 0.1, s);
  EXPECT_VEC2_NEAR(theta, 0.7708434582336458, 1.1, 1e-12);
  EXPECT_VEC2_NEAR(s.vMax, 0.296875, 1.1875, 0);
  EXPECT_VEC2_NEAR(s.v, 0.2783203125, 1.11328125, 1e-15);
  EXPECT_TRUE(ams->fields().vMax);
}

TEST(AdamW, DecaysTheWeightsBeforeTheAdamStep) {
  // θ ← θ(1 − ηλ) with λ = 0.5, η = 0.1 (a factor 0.95), then Adam's step:
  //   θ₁ = 0.95(1, 1) + (−0.1, 0.1) = (0.85, 1.05)
  //   θ₂ = 0.95(0.85, 1.05) + (−0.0851555165, 0) = (0.7223444835, 0.9975)
  //   θ₃ = 0.95(0.7223444835, 0.9975) + (−0.0454440635, 0) = (0.6407831958, 0.947625)
  OptimizerConfig c = adamConfig(OptimizerKind::AdamW);
  c.weightDecay = 0.5;
  auto adamw = make(OptimizerKind::AdamW, c);
  OptimizerState s;
  Vec2 theta = adamw->step({1, 1}, kA1, 0.1, s);
  EXPECT_VEC2_NEAR(theta, 0.85, 1.05, 1e-15);
  EXPECT_VEC2_NEAR(s.step, -0.15, 0.05, 1e-15); // the step includes the decay
  theta = adamw->step(theta, kA2, 0.1, s);
  EXPECT_VEC2_NEAR(theta, 0.7223444835121993, 0.9975, 1e-12);
  theta = adamw->step(theta, kA3, 0.1, s);
  EXPECT_VEC2_NEAR(theta, 0.6407831958379521, 0.947625, 1e-12);
}

TEST(Optimizer, ResetForgetsTheMoments) {
  // The same three gradients after reset() give the same points as a fresh optimizer.
  auto adam = make(OptimizerKind::Adam, adamConfig(OptimizerKind::Adam));
  OptimizerState s;
  Vec2 first = adam->step(adam->step({1, 1}, kA1, 0.1, s), kA2, 0.1, s);
  adam->reset();
  EXPECT_EQ(adam->stepCount(), 0);
  Vec2 second = adam->step(adam->step({1, 1}, kA1, 0.1, s), kA2, 0.1, s);
  EXPECT_EQ(first, second);
  EXPECT_EQ(s.t, 2);
}

// ---- PyTorch goldens ------------------------------------------------------------------------

TEST(Optimizers, MatchPyTorchPathsOver200Steps) {
  // Each case: the surface, optimizer, hyper-parameters, schedule and start recorded by
  // make_optim_golden.py; torch.optim ran it in float64 with autograd gradients.
  std::ifstream file(NNLAB_GOLDEN_DIR "/optim_paths.json");
  ASSERT_TRUE(file) << "missing golden file optim_paths.json";
  const nlohmann::json golden = nlohmann::json::parse(file);
  std::set<std::string> optimizersSeen;
  for (const nlohmann::json& c : golden["cases"]) {
    const std::string id = c["optimizer"], surfaceSpec = c["surface"], scheduleSpec = c["schedule"];
    SCOPED_TRACE(id + " on " + surfaceSpec + " with " + scheduleSpec);
    const std::optional<OptimizerKind> kind = optimizerKindFromId(id);
    ASSERT_TRUE(kind);
    OptimizerConfig config = defaultOptimizerConfig(*kind);
    const nlohmann::json& h = c["config"];
    config.lr = h["lr"];
    config.beta = h.value("beta", config.beta);
    config.beta1 = h.value("beta1", config.beta1);
    config.beta2 = h.value("beta2", config.beta2);
    config.eps = h.value("eps", config.eps);
    config.weightDecay = h.value("weight_decay", config.weightDecay);
    auto surface = makeSurface(surfaceSpec);
    ASSERT_TRUE(surface) << surface.error().message();
    auto schedule = parseSchedule(scheduleSpec);
    ASSERT_TRUE(schedule) << schedule.error().message();
    auto optimizer = makeOptimizer(*kind, config);
    ASSERT_TRUE(optimizer) << optimizer.error().message();

    const int steps = c["steps"];
    const Trajectory path =
        runTrajectory(**surface, **optimizer,
                      {.start = {c["start"][0].get<double>(), c["start"][1].get<double>()},
                       .steps = steps,
                       .schedule = *schedule});
    ASSERT_FALSE(path.diverged) << path.diverged->reason;
    ASSERT_EQ(path.points.size(), c["points"].size());
    for (int t = 0; t <= steps; ++t) {
      const double x = c["points"][t][0], y = c["points"][t][1], loss = c["loss"][t];
      ASSERT_NEAR(path.points[t].x, x, 1e-5) << "step " << t;
      ASSERT_NEAR(path.points[t].y, y, 1e-5) << "step " << t;
      ASSERT_NEAR(path.loss[t], loss, 1e-5 * (1 + std::fabs(loss))) << "step " << t;
      if (t < steps) {
        const double lr = c["lr"][t];
        ASSERT_NEAR(path.lr[t], lr, 1e-12 * lr) << "step " << t + 1;
      }
    }
    optimizersSeen.insert(id);
  }
  EXPECT_EQ(golden["cases"].size(), 22u);
  EXPECT_EQ(optimizersSeen.size(), 8u); // every optimizer but the EMA momentum form has a golden
}

TEST(Optimizers, AdamWithBeta1ZeroAndBeta2NearOneFollowsAdaGrad) {
  // With β₁ = 0, m = g; with β₂ = 1 − δ, v̂_t = Σᵢ β₂^(t−i)(1 − β₂)gᵢ² / (1 − β₂ᵗ) → (1/t)Σ gᵢ² as
  // δ → 0. So with η_t = η₀/√t, Adam's step η₀/√t · g / √((1/t)Σ g²) = η₀ g / √(Σ g²): AdaGrad's
  // with rate η₀ (ε = 0 in both). The residual is O(tδ) relative per step: 200 steps with
  // δ = 1e-8 stay within 1e-6 of each other on the ill-conditioned bowl and on Rosenbrock.
  for (const char* spec : {"quadratic:kappa=20,angle=30", "rosenbrock"}) {
    SCOPED_TRACE(spec);
    auto surface = makeSurface(spec);
    ASSERT_TRUE(surface);
    OptimizerConfig a = defaultOptimizerConfig(OptimizerKind::Adam);
    a.lr = 0.3, a.beta1 = 0, a.beta2 = 1 - 1e-8, a.eps = 0;
    OptimizerConfig g = defaultOptimizerConfig(OptimizerKind::AdaGrad);
    g.lr = 0.3, g.eps = 0;
    auto adam = make(OptimizerKind::Adam, a);
    auto adagrad = make(OptimizerKind::AdaGrad, g);
    const Trajectory adamPath = runTrajectory(
        **surface, *adam,
        {.start = {-1.5, 2}, .steps = 200, .schedule = {.kind = ScheduleKind::InverseSqrt}});
    const Trajectory adagradPath =
        runTrajectory(**surface, *adagrad, {.start = {-1.5, 2}, .steps = 200});
    ASSERT_EQ(adamPath.points.size(), 201u);
    ASSERT_EQ(adagradPath.points.size(), 201u);
    double largestGap = 0;
    for (size_t t = 0; t < adamPath.points.size(); ++t)
      largestGap = std::max(largestGap, norm(adamPath.points[t] - adagradPath.points[t]));
    EXPECT_LT(largestGap, 1e-6);
    // ... while the paths do go somewhere (0.43 on Rosenbrock's valley floor, more on the bowl).
    EXPECT_GT(norm(adagradPath.points.back() - adagradPath.points.front()), 0.4);
    // And with β₂ = 0.999 (Adam's default) the identity fails visibly.
    a.beta2 = 0.999;
    auto adamDefault = make(OptimizerKind::Adam, a);
    const Trajectory far = runTrajectory(
        **surface, *adamDefault,
        {.start = {-1.5, 2}, .steps = 200, .schedule = {.kind = ScheduleKind::InverseSqrt}});
    EXPECT_GT(norm(far.points.back() - adagradPath.points.back()), 1e-3);
  }
}

// ---- names, defaults, factory ---------------------------------------------------------------

TEST(OptimizerFactory, NamesRoundTripAndDefaultsArePyTorchs) {
  const std::vector<std::string> names = optimizerNames();
  ASSERT_EQ(names.size(), kAllOptimizerKinds.size());
  for (OptimizerKind kind : kAllOptimizerKinds) {
    EXPECT_EQ(optimizerKindFromId(optimizerId(kind)), kind);
    auto made = makeOptimizer(optimizerId(kind), defaultOptimizerConfig(kind));
    ASSERT_TRUE(made) << made.error().message();
    EXPECT_EQ((*made)->kind(), kind);
  }
  // torch 1.13 defaults: Adam lr 1e-3, betas (0.9, 0.999), eps 1e-8; Adagrad eps 1e-10;
  // RMSprop alpha 0.99; AdamW weight_decay 0.01.
  EXPECT_EQ(defaultOptimizerConfig(OptimizerKind::Adam).lr, 1e-3);
  EXPECT_EQ(defaultOptimizerConfig(OptimizerKind::AdaGrad).eps, 1e-10);
  EXPECT_EQ(defaultOptimizerConfig(OptimizerKind::RMSProp).beta, 0.99);
  EXPECT_EQ(defaultOptimizerConfig(OptimizerKind::AdamW).weightDecay, 0.01);
  EXPECT_EQ(defaultOptimizerConfig(OptimizerKind::Adam).weightDecay, 0.0);
}

TEST(OptimizerFactory, BadSettingsNameTheField) {
  auto unknown = makeOptimizer("adamax", {});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().where, "optimizer");
  EXPECT_NE(unknown.error().what.find("'adamax'"), std::string::npos);
  EXPECT_NE(unknown.error().what.find("amsgrad"), std::string::npos); // lists the known names

  OptimizerConfig c = defaultOptimizerConfig(OptimizerKind::Adam);
  c.beta2 = 1.0; // would make 1 − β₂ᵗ = 0
  auto badBeta2 = makeOptimizer(OptimizerKind::Adam, c);
  ASSERT_FALSE(badBeta2);
  EXPECT_EQ(badBeta2.error().message(), "beta2: must be in [0, 1) (got 1)");

  c = defaultOptimizerConfig(OptimizerKind::SGD);
  c.lr = -0.1;
  EXPECT_EQ(makeOptimizer(OptimizerKind::SGD, c).error().where, "lr");
  c = defaultOptimizerConfig(OptimizerKind::Momentum);
  c.beta = -0.5;
  EXPECT_EQ(makeOptimizer(OptimizerKind::Momentum, c).error().where, "beta");
  // SGD does not read beta, so a nonsense beta is no error for it.
  EXPECT_TRUE(makeOptimizer(OptimizerKind::SGD, c).ok());
  c = defaultOptimizerConfig(OptimizerKind::AdaGrad);
  c.eps = std::nan("");
  EXPECT_EQ(makeOptimizer(OptimizerKind::AdaGrad, c).error().where, "eps");
}

TEST(OptimizerFactory, PyTorchConstructorLines) {
  EXPECT_EQ(pytorchConstructor(OptimizerKind::Adam, defaultOptimizerConfig(OptimizerKind::Adam)),
            "torch.optim.Adam(params, lr=0.001, betas=(0.9, 0.999), eps=1e-08)");
  EXPECT_EQ(
      pytorchConstructor(OptimizerKind::Nesterov, defaultOptimizerConfig(OptimizerKind::Nesterov)),
      "torch.optim.SGD(params, lr=0.01, momentum=0.9, nesterov=True)");
  EXPECT_EQ(
      pytorchConstructor(OptimizerKind::AMSGrad, defaultOptimizerConfig(OptimizerKind::AMSGrad)),
      "torch.optim.Adam(params, lr=0.001, betas=(0.9, 0.999), eps=1e-08, amsgrad=True)");
  OptimizerConfig c = defaultOptimizerConfig(OptimizerKind::Adam);
  c.biasCorrection = false;
  EXPECT_NE(pytorchConstructor(OptimizerKind::Adam, c).find("# PyTorch has no switch"),
            std::string::npos);
}

} // namespace
} // namespace nnlab
