// `nnlab trajectory` (core/trajectory_command.h): JSON shape and contents against the engine's
// PyTorch goldens, flag wiring through CLI11, text output, lists, and usage errors that name the
// flag and exit with kUsageError.
#include "core/trajectory_command.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include <gtest/gtest.h>

#include "run_subcommand.h"

namespace nnlab::app {
namespace {

using nlohmann::json;

using test::CommandRun;

CommandRun runCli(std::vector<std::string> argv) {
  return test::runSubcommand(&addTrajectoryCommand, "trajectory", std::move(argv));
}

json runJson(std::vector<std::string> argv) {
  argv.push_back("--json");
  CommandRun r = runCli(argv);
  EXPECT_EQ(r.code, kExitOk) << r.err;
  return r.code == kExitOk ? json::parse(r.out) : json();
}

TEST(TrajectoryCommand, JsonHasTheIssuesKeysAndLengths) {
  const json doc = runJson(
      {"--surface", "rosenbrock", "--optimizer", "adam", "--start=-1.5,2", "--steps", "50"});
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["points"].size(), 51u);
  EXPECT_EQ(doc["points"][0], json::parse("[-1.5, 2]"));
  EXPECT_EQ(doc["loss"].size(), 51u);
  EXPECT_EQ(doc["lr"].size(), 50u);
  EXPECT_EQ(doc["state"].size(), 50u);
  EXPECT_TRUE(doc["diverged"].is_null());
  // Rosenbrock at (−1.5, 2): (1 + 1.5)² + 100(2 − 2.25)² = 6.25 + 6.25 = 12.5.
  EXPECT_DOUBLE_EQ(doc["loss"][0].get<double>(), 12.5);
  // Adam's state carries its moments; PyTorch's default lr 1e-3 applies when --lr is absent.
  const json& s = doc["state"][0];
  for (const char* key :
       {"t", "lr", "gradient", "m", "v", "m_hat", "v_hat", "direction", "effective_lr", "step"})
    EXPECT_TRUE(s.contains(key)) << key;
  EXPECT_FALSE(s.contains("v_max"));
  EXPECT_EQ(s["lr"], 1e-3);
  EXPECT_EQ(doc["optimizer"]["pytorch"],
            "torch.optim.Adam(params, lr=0.001, betas=(0.9, 0.999), eps=1e-08)");
  // SGD has no moments to show.
  const json sgd =
      runJson({"--surface", "booth", "--optimizer", "sgd", "--start", "0,0", "--steps", "1"});
  EXPECT_FALSE(sgd["state"][0].contains("m"));
}

TEST(TrajectoryCommand, PathMatchesThePyTorchGolden) {
  // tests/golden/optim_paths.json, case "adam on rosenbrock" (lr 0.05, start (−1.5, 2), 200
  // steps): torch.optim.Adam in float64. The command's JSON (17 significant digits) reproduces it.
  std::ifstream file(NNLAB_GOLDEN_DIR "/optim_paths.json");
  ASSERT_TRUE(file);
  const json golden = json::parse(file);
  const json* adam = nullptr;
  for (const json& c : golden["cases"])
    if (c["optimizer"] == "adam" && c["surface"] == "rosenbrock") adam = &c;
  ASSERT_TRUE(adam);
  const json doc = runJson({"--surface", "rosenbrock", "--optimizer", "adam", "--lr", "0.05",
                            "--start=-1.5,2", "--steps", "200"});
  ASSERT_EQ(doc["points"].size(), (*adam)["points"].size());
  for (size_t t = 0; t < doc["points"].size(); ++t) {
    EXPECT_NEAR(doc["points"][t][0].get<double>(), (*adam)["points"][t][0].get<double>(), 1e-5);
    EXPECT_NEAR(doc["points"][t][1].get<double>(), (*adam)["points"][t][1].get<double>(), 1e-5);
  }
}

TEST(TrajectoryCommand, FlagsReachTheOptimizer) {
  // Adam's first step without bias correction is η·(1 − β₁)g / (√((1 − β₂)g²) + ε) ≈ η·0.1/√0.001
  // = 3.162η per coordinate; with it, η·g/(|g| + ε) ≈ η·sign(g). On the saddle from (1, 1),
  // g = (2, −2): m = 0.1·2 = 0.2, v = 0.001·4 = 0.004, ε = 1e-8.
  const json corrected = runJson({"--surface", "saddle", "--optimizer", "adam", "--lr", "0.01",
                                  "--start", "1,1", "--steps", "1"});
  const json raw = runJson({"--surface", "saddle", "--optimizer", "adam", "--lr", "0.01",
                            "--no-bias-correction", "--start", "1,1", "--steps", "1"});
  EXPECT_NEAR(corrected["points"][1][0].get<double>(), 1 - 0.01 * 2 / (2 + 1e-8), 1e-12);
  EXPECT_NEAR(raw["points"][1][0].get<double>(), 1 - 0.01 * 0.2 / (std::sqrt(0.004) + 1e-8), 1e-12);
  EXPECT_NEAR(raw["points"][1][1].get<double>(), 1 + 0.01 * 0.2 / (std::sqrt(0.004) + 1e-8), 1e-12);
  EXPECT_FALSE(raw["state"][0].contains("m_hat"));
  // --beta is momentum's β; EMA form with β = 0.5, η = 0.1 from g = (2, −2): m̂₁ = g, θ₁ =
  // (0.8, 1.2).
  const json ema =
      runJson({"--surface", "saddle", "--optimizer", "momentum", "--lr", "0.1", "--beta", "0.5",
               "--momentum-form", "ema", "--start", "1,1", "--steps", "1"});
  EXPECT_NEAR(ema["points"][1][0].get<double>(), 0.8, 1e-12);
  EXPECT_EQ(ema["state"][0]["m"], json::parse("[1.0, -1.0]"));
  // A schedule: step decay every 2 steps by ½ from η₀ = 0.1.
  const json scheduled =
      runJson({"--surface", "booth", "--optimizer", "sgd", "--lr", "0.1", "--schedule",
               "step:step_size=2,gamma=0.5", "--start", "0,0", "--steps", "4"});
  EXPECT_EQ(scheduled["lr"], json::parse("[0.1, 0.1, 0.05, 0.05]"));
}

TEST(TrajectoryCommand, NoiseIsSeeded) {
  const std::vector<std::string> base = {"--surface", "himmelblau", "--optimizer", "sgd",
                                         "--start",   "0,0",        "--steps",     "20",
                                         "--noise",   "0.5"};
  auto with = [&](const char* seed) {
    std::vector<std::string> argv = base;
    argv.insert(argv.end(), {"--seed", seed});
    return runJson(argv)["points"];
  };
  EXPECT_EQ(with("3"), with("3"));
  EXPECT_NE(with("3"), with("4"));
}

TEST(TrajectoryCommand, DivergenceIsReportedNotFatal) {
  // SGD on x² − y² with η = 5 multiplies y by 11 each step: past the 1e6 box at step 6.
  const json doc = runJson({"--surface", "saddle", "--optimizer", "sgd", "--lr", "5", "--start",
                            "0,1", "--steps", "100"});
  ASSERT_TRUE(doc["diverged"].is_string());
  EXPECT_EQ(doc["diverged"].get<std::string>().rfind("left-box at step 6", 0), 0u);
  EXPECT_EQ(doc["diverged_step"], 6);
  EXPECT_EQ(doc["points"].size(), 7u);
  EXPECT_EQ(doc["lr"].size(), 6u);
}

TEST(TrajectoryCommand, TextIsATable) {
  CommandRun r = runCli({"--surface", "x^2 + y^2", "--optimizer", "sgd", "--lr", "0.25", "--start",
                         "1,1", "--steps", "2"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_NE(r.out.find("surface    x^2 + y^2"), std::string::npos);
  EXPECT_NE(r.out.find("    step"), std::string::npos);
  // SGD with η = 0.25 halves (1, 1): step 2 is at (0.25, 0.25), f = 0.125.
  EXPECT_NE(r.out.find("       2           0.25           0.25          0.125"), std::string::npos)
      << r.out;
}

TEST(TrajectoryCommand, ListsNameEverything) {
  const json surfaces = runJson({"--list-surfaces"});
  ASSERT_EQ(surfaces.size(), 10u);
  EXPECT_EQ(surfaces[1]["name"], "rosenbrock");
  EXPECT_EQ(surfaces[1]["minima"], json::parse("[[1.0, 1.0]]"));
  const json optimizers = runJson({"--list-optimizers"});
  ASSERT_EQ(optimizers.size(), 8u);
  EXPECT_EQ(optimizers[7]["name"], "amsgrad");
  CommandRun text = runCli({"--list-optimizers"});
  EXPECT_NE(text.out.find("nesterov"), std::string::npos);
}

TEST(TrajectoryCommand, UsageErrorsNameTheFlag) {
  struct Case {
    std::vector<std::string> argv;
    std::string expected; // the start of the one line on stderr
  };
  const std::vector<std::string> ok = {"--surface", "saddle", "--optimizer", "adam",
                                       "--start",   "1,1",    "--steps",     "3"};
  // `ok` with one flag's value replaced (or the flag added when `ok` has none).
  auto with = [&](std::vector<std::string> flagAndValue) {
    std::vector<std::string> argv = ok;
    auto at = std::find(argv.begin(), argv.end(), flagAndValue[0]);
    if (at == argv.end())
      argv.insert(argv.end(), flagAndValue.begin(), flagAndValue.end());
    else
      *(at + 1) = flagAndValue[1];
    return argv;
  };
  const std::vector<Case> cases = {
      {{"--optimizer", "adam", "--start", "1,1", "--steps", "3"},
       "nnlab: error: --surface: required"},
      {with({"--surface", "x^2 + * y"}),
       "nnlab: error: --surface: unexpected operator \"*\" at column 7"},
      {with({"--optimizer", "adamax"}), "nnlab: error: --optimizer: unknown optimizer 'adamax'"},
      {with({"--beta", "0.9"}),
       "nnlab: error: --beta: not used by adam (used by momentum, nesterov, rmsprop)"},
      {with({"--beta2", "1"}), "nnlab: error: --beta2: must be in [0, 1) (got 1)"},
      {with({"--lr", "-1"}), "nnlab: error: --lr: must be a finite number ≥ 0 (got -1)"},
      {with({"--schedule", "cosine:tmax=3"}),
       "nnlab: error: --schedule: unknown key 'tmax' for 'cosine'"},
      {with({"--start", "1;1"}), "nnlab: error: --start: expected X,Y"},
      {with({"--steps", "2000000"}), "nnlab: error: --steps: at most 1000000"},
      {with({"--noise", "-0.1"}), "nnlab: error: --noise: σ must be a finite number ≥ 0"},
      {with({"--momentum-form", "ema"}), "nnlab: error: --momentum-form: only used by momentum"},
      {{"--surface", "saddle", "--optimizer", "sgd", "--no-bias-correction", "--start", "1,1",
        "--steps", "3"},
       "nnlab: error: --no-bias-correction: only used by adam"},
  };
  for (const Case& c : cases) {
    CommandRun r = runCli(c.argv);
    EXPECT_EQ(r.code, kUsageError) << c.expected;
    EXPECT_EQ(r.err.rfind(c.expected, 0), 0u) << "got: " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err; // one line
    EXPECT_TRUE(r.out.empty());
  }
}

} // namespace
} // namespace nnlab::app
