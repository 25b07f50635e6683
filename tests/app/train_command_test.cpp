// `nnlab train` (core/train_command.h): the JSON keys the issue names, reproducibility (the same
// arguments twice give the same numbers), the first loss at ln C, flags wired through CLI11
// (schedule, warmup, clip, corrupted burst, spike makers), the text table, and usage errors that
// name the flag and exit with kUsageError.
#include "core/train_command.h"

#include <CLI/CLI.hpp>
#include <cmath>
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
  return test::runSubcommand(&addTrainCommand, "train", std::move(argv));
}

json runJson(const std::vector<std::string>& argv) {
  CommandRun r = runCli(argv);
  EXPECT_EQ(r.code, kExitOk) << r.err;
  return json::parse(r.out);
}

TEST(TrainCommand, JsonHasTheIssuesKeysAndStartsAtLnC) {
  const json doc = runJson({"--dataset", "blobs:classes=4", "--model", "mlp", "--optimizer", "adam",
                            "--lr", "0.01", "--batch", "16", "--epochs", "2", "--json"});
  ASSERT_TRUE(doc.contains("history") && doc.contains("val") && doc.contains("classes") &&
              doc.contains("initial_loss"));
  EXPECT_EQ(doc["classes"], 4);
  // 1000 samples / 4 classes -> 250 each, 200 train per class = 800 / 16 = 50 steps per epoch.
  EXPECT_EQ(doc["history"].size(), 100u);
  EXPECT_EQ(doc["val"].size(), 2u);
  for (const char* key : {"loss", "acc", "lr", "grad_norm"})
    EXPECT_TRUE(doc["history"][0].contains(key)) << key;
  for (const char* key : {"loss", "acc"}) EXPECT_TRUE(doc["val"][0].contains(key)) << key;
  EXPECT_NEAR(doc["history"][0]["loss"].get<double>(), std::log(4.0), 0.1 * std::log(4.0));
  EXPECT_NEAR(doc["initial_loss"].get<double>(), std::log(4.0), 0.1 * std::log(4.0));
  EXPECT_LT(doc["val"][1]["loss"].get<double>(), doc["initial_loss"].get<double>());
  EXPECT_DOUBLE_EQ(doc["history"][0]["lr"].get<double>(), 0.01);
}

TEST(TrainCommand, SameArgumentsTwiceGiveTheSameNumbers) {
  const std::vector<std::string> args{"--dataset",   "shapes:samples=300,size=16",
                                      "--model",     "small_cnn",
                                      "--optimizer", "momentum",
                                      "--lr",        "0.05",
                                      "--epochs",    "1",
                                      "--seed",      "3",
                                      "--json"};
  const json a = runJson(args), b = runJson(args);
  EXPECT_EQ(a["history"], b["history"]);
  EXPECT_EQ(a["val"], b["val"]);
  std::vector<std::string> other = args;
  other[other.size() - 2] = "4"; // --seed 4
  EXPECT_NE(runJson(other)["history"], a["history"]);
  std::vector<std::string> oneThread = args;
  oneThread.insert(oneThread.end(), {"--threads", "1"});
  EXPECT_EQ(runJson(oneThread)["history"], a["history"]);
}

TEST(TrainCommand, ScheduleWarmupClipAndCorruptionReachTheRun) {
  const json doc =
      runJson({"--dataset", "moons", "--model", "linear:16,relu,linear", "--optimizer", "sgd",
               "--lr", "0.2", "--schedule", "step:step_size=20,gamma=0.1", "--warmup", "5",
               "--clip", "0.5", "--corrupt-at", "30", "--max-steps", "40", "--json"});
  const json& h = doc["history"];
  ASSERT_EQ(h.size(), 40u);
  EXPECT_DOUBLE_EQ(h[0]["lr"].get<double>(), 0.04); // 0.2 · 1/5
  EXPECT_DOUBLE_EQ(h[4]["lr"].get<double>(), 0.2);
  EXPECT_NEAR(h[25]["lr"].get<double>(), 0.02, 1e-15); // t = 26: k = 20 after warmup
  EXPECT_TRUE(h[29]["corrupted"].get<bool>());
  EXPECT_FALSE(h[28]["corrupted"].get<bool>());
  for (const json& s : h) EXPECT_EQ(s["clipped"].get<bool>(), s["grad_norm"].get<double>() > 0.5);
}

TEST(TrainCommand, SpikeMakerAndItsFix) {
  const json spike = runJson({"--dataset", "moons", "--model", "mlp", "--spike", "adam-no-warmup",
                              "--max-steps", "40", "--seed", "7", "--json"});
  const json fixed = runJson({"--dataset", "moons", "--model", "mlp", "--spike", "adam-no-warmup",
                              "--fix", "--max-steps", "40", "--seed", "7", "--json"});
  double spikeMax = 0, fixedMax = 0;
  for (const json& s : spike["history"]) spikeMax = std::max(spikeMax, s["loss"].get<double>());
  for (const json& s : fixed["history"]) fixedMax = std::max(fixedMax, s["loss"].get<double>());
  EXPECT_GT(spikeMax, 2 * std::log(2.0));
  EXPECT_LT(fixedMax, 1.1 * std::log(2.0));
  EXPECT_EQ(fixed["optimizer"]["name"], "adam");
}

TEST(TrainCommand, TextModePrintsAProgressTable) {
  const CommandRun r = runCli({"--dataset", "xor", "--model", "logistic", "--optimizer", "sgd",
                               "--lr", "0.1", "--epochs", "1"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_NE(r.out.find("grad_norm"), std::string::npos);
  EXPECT_NE(r.out.find("chance loss ln 2 = 0.693147"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("epoch 1: train loss"), std::string::npos);
  EXPECT_NE(r.out.find("Linear(2 → 2)"), std::string::npos);
}

TEST(TrainCommand, ListsEverything) {
  const json doc = runJson({"--list", "--json"});
  EXPECT_EQ(doc["datasets"].size(), 6u);
  EXPECT_GE(doc["models"].size(), 3u);
  EXPECT_EQ(doc["spikes"].size(), 4u);
}

TEST(TrainCommand, BadArgumentsNameTheFlag) {
  struct Case {
    std::vector<std::string> argv;
    const char* flag;
  };
  const std::vector<std::string> ok{"--dataset", "moons", "--model", "mlp", "--optimizer", "sgd"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = ok;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  for (const Case& c :
       {Case{{"--model", "mlp", "--optimizer", "sgd"}, "--dataset"},
        Case{{"--dataset", "nope", "--model", "mlp", "--optimizer", "sgd"}, "--dataset"},
        Case{{"--dataset", "spirals:classes=20", "--model", "mlp", "--optimizer", "sgd"},
             "--dataset"},
        Case{{"--dataset", "moons", "--model", "linear:8,rleu", "--optimizer", "sgd"}, "--model"},
        Case{{"--dataset", "moons", "--model", "small_cnn", "--optimizer", "sgd"}, "--model"},
        Case{{"--dataset", "moons", "--model", "mlp", "--optimizer", "adamm"}, "--optimizer"},
        Case{with({"--lr", "-1"}), "--lr"}, Case{with({"--beta1", "0.5"}), "--beta1"},
        Case{with({"--batch", "0"}), "--batch"}, Case{with({"--batch", "5000"}), "--batch"},
        Case{with({"--epochs", "0"}), "--epochs"}, Case{with({"--clip", "-2"}), "--clip"},
        Case{with({"--schedule", "cosin"}), "--schedule"},
        Case{with({"--warmup", "-3"}), "--warmup"},
        Case{with({"--corrupt-at", "0"}), "--corrupt-at"},
        Case{with({"--init", "glorot"}), "--init"}, Case{with({"--spike", "boom"}), "--spike"},
        Case{with({"--fix"}), "--fix"}, Case{with({"--threads", "0"}), "--threads"}}) {
    const CommandRun r = runCli(c.argv);
    EXPECT_EQ(r.code, kUsageError) << c.flag << ": " << r.out;
    EXPECT_NE(r.err.find(std::string(c.flag) + ":"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

} // namespace
} // namespace nnlab::app
