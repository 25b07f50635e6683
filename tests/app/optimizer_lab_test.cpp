// The optimizer lab without a window: its scene state round-trips, a malformed field is named and
// changes nothing, every preset scene loads, the momentum convergence-rate map agrees with cases
// worked by hand, and the divergence preset says why its path ended.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/lab.h"
#include "core/scene.h"
#include "labs/optimizer_lab.h"

namespace nnlab::app {
namespace {

std::string scenePath(const std::string& name) {
  return std::string(NNLAB_SOURCE_DIR) + "/assets/scenes/" + name;
}

TEST(OptimizerLab, EditedStateRoundTripsThroughASceneFile) {
  std::unique_ptr<Lab> lab = findLab("optimizers")->create();
  nlohmann::json state = lab->saveState();
  state["surface"] = "rosenbrock";
  state["rosenbrock_b"] = 20.0;
  state["optimizers"] = {
      {{"kind", "adam"}, {"lr", 0.02}, {"beta1", 0.8}, {"bias_correction", false}},
      {{"kind", "momentum"},
       {"lr", 0.001},
       {"beta", 0.95},
       {"momentum_form", "ema"},
       {"schedule", "cosine:warmup=10"}}};
  state["start"] = {-1.0, 2.0};
  state["steps"] = 750;
  state["noise"] = 0.1;
  state["seed"] = 7;
  state["view"] = {-1.5, 1.5, -0.5, 2.5};
  state["panel"] = "inspector";
  state["view3d"] = true;
  ASSERT_TRUE(lab->loadState(state).ok());
  const nlohmann::json saved = lab->saveState();
  EXPECT_EQ(saved["optimizers"][0]["bias_correction"], false);
  EXPECT_EQ(saved["optimizers"][1]["momentum_form"], "ema");
  EXPECT_EQ(saved["optimizers"][1]["schedule"], "cosine:warmup=10");
  EXPECT_EQ(saved["view"], state["view"]);

  const std::string path =
      (std::filesystem::temp_directory_path() / "nnlab-optimizer-lab-test.json").string();
  ASSERT_TRUE(writeSceneFile(path, makeScene("optimizers", saved)).ok());
  std::unique_ptr<Lab> restored = findLab("optimizers")->create();
  Status loaded = loadSceneInto(path, "optimizers", *restored);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  EXPECT_EQ(restored->saveState(), saved);
  std::filesystem::remove(path);
}

TEST(OptimizerLab, MalformedFieldIsNamedAndChangesNothing) {
  std::unique_ptr<Lab> lab = findLab("optimizers")->create();
  const nlohmann::json before = lab->saveState();
  struct Case {
    const char* field;
    nlohmann::json value;
    std::string where;
  };
  const std::vector<Case> cases = {
      {"surface", "rosenbrok", "state.surface"},
      {"steps", 0, "state.steps"},
      {"steps", 10001, "state.steps"},
      {"noise", -0.5, "state.noise"},
      {"start", {1.0}, "state.start"},
      {"kappa", 0.5, "state.kappa"},
      {"legend", "middle", "state.legend"},
      {"optimizers", nlohmann::json::array(), "state.optimizers"},
      {"optimizers", {{{"kind", "adamax"}}}, "state.optimizers[0].kind"},
      {"optimizers",
       {{{"kind", "sgd"}, {"lr", 0.1}}, {{"kind", "adam"}, {"lr", "fast"}}},
       "state.optimizers[1].lr"},
      {"optimizers", {{{"kind", "adam"}, {"beta2", 1.5}}}, "state.optimizers[0].beta2"},
      {"optimizers",
       {{{"kind", "sgd"}, {"schedule", "step:gama=0.5"}}},
       "state.optimizers[0].schedule"},
  };
  for (const Case& bad : cases) {
    SCOPED_TRACE(bad.where);
    nlohmann::json state = before;
    state[bad.field] = bad.value;
    Status s = lab->loadState(state);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().where, bad.where) << s.error().message();
    EXPECT_EQ(lab->saveState(), before) << "a rejected file must leave the lab unchanged";
  }
  // A user expression that does not parse: named, with the column of the fault.
  nlohmann::json state = before;
  state["surface"] = "expression";
  state["expression"] = "x^2 + * y";
  Status s = lab->loadState(state);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().where, "state.expression");
  EXPECT_NE(s.error().what.find("column"), std::string::npos) << s.error().what;
  EXPECT_EQ(lab->saveState(), before);
}

TEST(OptimizerLab, EveryPresetSceneLoadsAndExports) {
  const std::vector<std::pair<std::string, std::string>> presets = {
      {"optimizers_adam_vs_adagrad.json", "Adam vs AdaGrad on an ill-conditioned bowl"},
      {"optimizers_adam_no_bias_correction.json", "Adam without bias correction — the first step"},
      {"optimizers_momentum_rosenbrock.json", "Momentum overshoots on Rosenbrock"},
      {"optimizers_adam_is_adagrad.json", "Adam ≈ AdaGrad (β1 = 0, β2 → 1, lr ∝ 1/√t)"},
      {"optimizers_saddle_escape.json", "Saddle point: who escapes"},
      {"optimizers_lr_too_high.json", "Learning rate too high: divergence"}};
  for (const auto& [file, title] : presets) {
    SCOPED_TRACE(file);
    std::unique_ptr<Lab> lab = findLab("optimizers")->create();
    Status loaded = loadSceneInto(scenePath(file), "optimizers", *lab);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message();
    EXPECT_EQ(lab->saveState()["title"], title);
    const plot::Figure figure = lab->exportFigure();
    EXPECT_EQ(figure.validate(), "");
    EXPECT_EQ(figure.title, title);
    ASSERT_TRUE(figure.heatmap.has_value());
    EXPECT_EQ(figure.contours.size(), 1u);
    EXPECT_EQ(figure.lines.size(), lab->saveState()["optimizers"].size())
        << "one path per optimizer";
  }
}

// Adam with β1 = 0, β2 → 1 and η_t = η0/√t takes AdaGrad's steps (optim.h), so in the preset the
// two paths end close together while Adam with its defaults ends elsewhere.
TEST(OptimizerLab, AdamAdaGradPresetPathsCoincide) {
  OptimizerLabState state;
  ASSERT_TRUE(optimizerLabStateFromJson(
                  readSceneFile(scenePath("optimizers_adam_is_adagrad.json"))->state, state)
                  .ok());
  const OptimizerLabRuns runs = computeRuns(state, *buildSurface(state).value());
  ASSERT_EQ(runs.runs.size(), 3u);
  const Vec2 adagrad = runs.runs[0].path.points.back(), adamLike = runs.runs[1].path.points.back();
  const Vec2 adam = runs.runs[2].path.points.back();
  EXPECT_LT(norm(adagrad - adamLike), 0.02);
  EXPECT_GT(norm(adagrad - adam), 10 * norm(adagrad - adamLike));
}

TEST(OptimizerLab, DivergencePresetReportsItsReason) {
  OptimizerLabState state;
  ASSERT_TRUE(optimizerLabStateFromJson(
                  readSceneFile(scenePath("optimizers_lr_too_high.json"))->state, state)
                  .ok());
  const OptimizerLabRuns runs = computeRuns(state, *buildSurface(state).value());
  ASSERT_EQ(runs.runs.size(), 3u);
  EXPECT_FALSE(runs.runs[0].path.diverged) << "η = 0.1 < 2/κ converges";
  EXPECT_FALSE(runs.runs[1].path.diverged) << "η = 0.19 < 2/κ = 0.2 zigzags but converges";
  ASSERT_TRUE(runs.runs[2].path.diverged) << "η = 0.21 > 2/κ: |1 − ηκ| = 1.1 per step";
  EXPECT_EQ(runs.runs[2].path.diverged->kind, DivergenceKind::LeftBox);
  // y grows by 1.1 per step from 1: beyond 1e6 after ln(1e6)/ln(1.1) ≈ 145 steps.
  EXPECT_EQ(runs.runs[2].path.diverged->step, 145);
  // The figure marks where: an annotation naming the step, at a point inside the view.
  const plot::Figure figure = optimizerSurfaceFigure(
      state, *buildSurface(state).value(), runs,
      sampleSurface(*buildSurface(state).value(), {-3, 3, -3, 3}, 16, true), true);
  bool marked = false;
  for (const plot::Annotation& a : figure.annotations)
    if (a.text.find("diverged, step 145 (left the box)") != std::string::npos) {
      marked = true;
      EXPECT_LE(std::abs(a.y), 3.0);
    }
  EXPECT_TRUE(marked);
}

// Heavy-ball momentum on λ: the iteration matrix [[1 − ηλ, −ηβ], [λ, β]] has characteristic
// polynomial z² − (1 − ηλ + β)z + β.
TEST(OptimizerLab, MomentumRateMatchesHandWorkedCases) {
  // β = 0 is gradient descent: ρ = |1 − ηλ|. η = 0.1, λ = 1: 0.9; λ = 10: 0.
  EXPECT_NEAR(momentumSpectralRadius(0.1, 0.0, 1.0, MomentumForm::HeavyBall), 0.9, 1e-12);
  EXPECT_NEAR(momentumSpectralRadius(0.1, 0.0, 10.0, MomentumForm::HeavyBall), 0.0, 1e-7);
  EXPECT_NEAR(momentumRate(0.1, 0.0, 10.0, MomentumForm::HeavyBall), 0.9, 1e-12);
  // η = 0.1, β = 0.5, λ = 1: z² − 1.4z + 0.5, discriminant 1.96 − 2 < 0, so |z| = √0.5.
  EXPECT_NEAR(momentumSpectralRadius(0.1, 0.5, 1.0, MomentumForm::HeavyBall), std::sqrt(0.5),
              1e-12);
  // η = 0.5, β = 0.1, λ = 1: z² − 0.6z + 0.1, discriminant 0.36 − 0.4 < 0 → √0.1.
  EXPECT_NEAR(momentumSpectralRadius(0.5, 0.1, 1.0, MomentumForm::HeavyBall), std::sqrt(0.1),
              1e-12);
  // η = 1, β = 0.25, λ = 4: z² − (1 − 4 + 0.25)z + 0.25 = z² + 2.75z + 0.25, real roots
  // (−2.75 ± √(7.5625 − 1)) / 2 = (−2.75 ± 2.5617) / 2 → |z| = 2.6559: diverges.
  EXPECT_NEAR(momentumSpectralRadius(1.0, 0.25, 4.0, MomentumForm::HeavyBall),
              (2.75 + std::sqrt(6.5625)) / 2, 1e-12);
  // Polyak's optimum for κ = 4 (μ = 1, L = 4): η* = (2 / (2 + 1))² = 4/9, β* = (1/3)² = 1/9,
  // ρ* = √β* = (√κ − 1)/(√κ + 1) = 1/3 along both eigenvalues.
  EXPECT_NEAR(momentumRate(4.0 / 9, 1.0 / 9, 4.0, MomentumForm::HeavyBall), 1.0 / 3, 1e-6);
  EXPECT_GT(momentumRate(0.4, 1.0 / 9, 4.0, MomentumForm::HeavyBall), 1.0 / 3);
  EXPECT_GT(momentumRate(4.0 / 9, 0.2, 4.0, MomentumForm::HeavyBall), 1.0 / 3);
  // The map's minimum lies at that optimum (within a grid cell).
  const RateMap map = momentumRateMap(4.0, MomentumForm::HeavyBall, 100, 140);
  size_t best = 0;
  for (size_t i = 0; i < map.rho.size(); ++i)
    if (map.rho[i] < map.rho[best]) best = i;
  const double beta = (double(best / size_t(map.cols)) + 0.5) * map.betaMax / map.rows;
  const double logLr = map.logLrMin + (double(best % size_t(map.cols)) + 0.5) *
                                          (map.logLrMax - map.logLrMin) / map.cols;
  EXPECT_NEAR(beta, 1.0 / 9, 0.03);
  EXPECT_NEAR(logLr, std::log10(4.0 / 9), 0.05);
  EXPECT_NEAR(map.rho[best], 1.0 / 3, 0.03);
}

// The rate predicts the path: the distance of a heavy-ball run on the bowl shrinks like ρᵗ.
TEST(OptimizerLab, MomentumRateMatchesATrajectory) {
  OptimizerLabState state = defaultOptimizerLabState();
  state.params = {.conditionNumber = 4.0, .rotationDegrees = 0.0};
  OptimizerSlot slot;
  slot.kind = OptimizerKind::Momentum;
  slot.config = defaultOptimizerConfig(OptimizerKind::Momentum);
  slot.config.lr = 0.2, slot.config.beta = 0.5;
  state.optimizers = {slot};
  state.start = {1.0, 1.0};
  state.steps = 200;
  const OptimizerLabRuns runs = computeRuns(state, *buildSurface(state).value());
  const std::vector<double>& d = runs.runs[0].distance;
  const double empirical = std::pow(d[150] / d[50], 1.0 / 100);
  EXPECT_NEAR(empirical, momentumRate(0.2, 0.5, 4.0, MomentumForm::HeavyBall), 0.01);
}

TEST(OptimizerLab, PytorchSnippetIncludesTheSchedule) {
  OptimizerLabState state = defaultOptimizerLabState();
  OptimizerSlot slot = state.optimizers.back(); // Adam
  slot.schedule = "step:step_size=50,gamma=0.5";
  const std::string text = pytorchSnippet(state, slot);
  EXPECT_NE(text.find("torch.optim.Adam(params, lr=0.1"), std::string::npos) << text;
  EXPECT_NE(text.find("StepLR(optimizer, step_size=50, gamma=0.5)"), std::string::npos) << text;
}

// Six optimizers × 10,000 steps must recompute within a frame when a slider moves.
TEST(OptimizerLab, SixOptimizersTenThousandStepsRecomputeQuickly) {
  OptimizerLabState state = defaultOptimizerLabState();
  state.optimizers.clear();
  for (OptimizerKind kind : {OptimizerKind::SGD, OptimizerKind::Momentum, OptimizerKind::Nesterov,
                             OptimizerKind::AdaGrad, OptimizerKind::RMSProp, OptimizerKind::Adam}) {
    OptimizerSlot slot;
    slot.kind = kind;
    slot.config = defaultOptimizerConfig(kind);
    state.optimizers.push_back(slot);
  }
  state.steps = kMaxSteps;
  double best = 1e9;
  for (int i = 0; i < 5; ++i)
    best = std::min(best, computeRuns(state, *buildSurface(state).value()).milliseconds);
  RecordProperty("recompute_ms", std::to_string(best));
  std::printf("six optimizers x 10000 steps: %.2f ms (best of 5)\n", best);
  EXPECT_LT(best, 50.0) << "generous bound for debug builds; release measures a few ms";
}

} // namespace
} // namespace nnlab::app
