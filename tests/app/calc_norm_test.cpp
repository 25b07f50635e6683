// Tests for `nnlab calc norm` (calc_norm.h, calc_norm_command.cpp) and nested_list.h.
// Reference: the worked example of issue 5, values [[[[0,2],[4,6]],[[1,1],[1,1]]]] (N=1, C=2):
//   batch mean [3, 1] (channel 0: (0+2+4+6)/4; channel 1: all 1), var [5, 0]
//   layer mean [2] ((0+2+4+6+1+1+1+1)/8 = 16/8), var [3.5] ((4+0+4+16+1+1+1+1)/8 = 28/8)
//   instance mean [[3, 1]], group G=2 the same, group G=1 [[2]].
#include <CLI/CLI.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/calc_command.h"
#include "core/calc_norm.h"
#include "core/command.h"
#include "core/nested_list.h"

namespace nnlab::app {
namespace {

using nlohmann::json;

const char* const kIssueExample = "[[[[0,2],[4,6]],[[1,1],[1,1]]]]";

struct CommandRun {
  int code = -1;
  std::string out, err;
};

CommandRun run(CalcNormArgs args) {
  std::ostringstream out, err;
  CommandRun r;
  r.code = runCalcNorm(args, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

CalcNormArgs argsFor(const std::string& kind, const std::string& values, bool asJson = true) {
  CalcNormArgs args;
  args.kind = kind;
  args.values = values;
  args.json = asJson;
  return args;
}

json runJson(CalcNormArgs args) {
  CommandRun r = run(args);
  EXPECT_EQ(r.code, kExitOk) << r.err;
  return json::parse(r.out);
}

TEST(CalcNorm, IssueExampleStatisticsForEveryKind) {
  json batch = runJson(argsFor("batch", kIssueExample));
  EXPECT_EQ(batch["mean"], json::parse("[3, 1]"));
  EXPECT_EQ(batch["var"], json::parse("[5, 0]"));
  EXPECT_EQ(batch["statistics_shape"], json::parse("[2]"));
  json layer = runJson(argsFor("layer", kIssueExample));
  EXPECT_EQ(layer["mean"], json::parse("[2]"));
  EXPECT_EQ(layer["var"], json::parse("[3.5]"));
  json instance = runJson(argsFor("instance", kIssueExample));
  EXPECT_EQ(instance["mean"], json::parse("[[3, 1]]"));
  EXPECT_EQ(instance["var"], json::parse("[[5, 0]]"));

  CalcNormArgs group = argsFor("group", kIssueExample);
  group.groupsGiven = true;
  group.groups = 2;
  EXPECT_EQ(runJson(group)["mean"], json::parse("[[3, 1]]"));
  group.groups = 1;
  json group1 = runJson(group);
  EXPECT_EQ(group1["mean"], json::parse("[[2]]"));
  EXPECT_EQ(group1["groups"], 1);
}

TEST(CalcNorm, NormalizedHasTheInputShapeAndValues) {
  // Batch, channel 0: x̂ = (x − 3) / √(5 + 1e-5) → ±1.341639, ±0.447213; channel 1: x̂ = 0.
  json batch = runJson(argsFor("batch", kIssueExample));
  const json& xhat = batch["normalized"];
  ASSERT_EQ(xhat.size(), 1u);
  ASSERT_EQ(xhat[0].size(), 2u);
  ASSERT_EQ(xhat[0][0].size(), 2u);
  ASSERT_EQ(xhat[0][0][0].size(), 2u);
  EXPECT_NEAR(xhat[0][0][0][0].get<double>(), -3.0 / std::sqrt(5.00001), 1e-6);
  EXPECT_NEAR(xhat[0][0][1][0].get<double>(), 1.0 / std::sqrt(5.00001), 1e-6);
  EXPECT_EQ(xhat[0][1], json::parse("[[0, 0], [0, 0]]"));
  EXPECT_EQ(batch["shape"], json::parse("[1, 2, 2, 2]"));
  EXPECT_EQ(batch["eps"], 1e-5);
  EXPECT_FALSE(batch["steps"].empty());
}

TEST(CalcNorm, FullyConnectedActivations) {
  // N×C = [[1, 2], [3, 6]]: batch means per column [2, 4], layer means per row [1.5, 4.5].
  EXPECT_EQ(runJson(argsFor("batch", "[[1,2],[3,6]]"))["mean"], json::parse("[2, 4]"));
  EXPECT_EQ(runJson(argsFor("layer", "[[1,2],[3,6]]"))["mean"], json::parse("[1.5, 4.5]"));
  // var of row [3, 6] around 4.5: (2.25 + 2.25) / 2 = 2.25
  EXPECT_EQ(runJson(argsFor("layer", "[[1,2],[3,6]]"))["var"], json::parse("[0.25, 2.25]"));
}

TEST(CalcNorm, TextModeShowsTheWorkedSteps) {
  CommandRun r = run(argsFor("batch", kIssueExample, false));
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_NE(r.out.find("μ[0]:  μ = (1/m) Σ x"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("= (0 + 2 + 4 + 6) / 4"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("= ((0 − 3)² + (2 − 3)² + (4 − 3)² + (6 − 3)²) / 4"), std::string::npos);
  EXPECT_NE(r.out.find("mean       = [3, 1]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("var        = [5, 0]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(N=1, C=2, H=2, W=2)"), std::string::npos) << r.out;
  EXPECT_TRUE(r.err.empty());
}

// Every usage error: exit code 2 and exactly one line on stderr naming the flag.
void expectUsageError(const CalcNormArgs& args, const std::string& line) {
  CommandRun r = run(args);
  EXPECT_EQ(r.code, kUsageError);
  EXPECT_EQ(r.err, "nnlab: error: " + line + "\n");
  EXPECT_TRUE(r.out.empty());
}

TEST(CalcNorm, RaggedAndMalformedValuesSayWhere) {
  expectUsageError(argsFor("batch", "[[1,2],[3,4,5]]"),
                   "--values: ragged list at [1]: expected 2 values, got 3");
  expectUsageError(argsFor("batch", "[[[[0,2],[4,6]],[[1,1],[1,1,1]]]]"),
                   "--values: ragged list at [0][1][1]: expected 2 values, got 3");
  expectUsageError(argsFor("batch", "[[1,2],3]"),
                   "--values: ragged list at [1]: expected a list of 2 values, got a number");
  expectUsageError(argsFor("batch", "[[1,[2]],[3,4]]"),
                   "--values: ragged list at [0][1]: expected a number, got a list of 1 value");
  expectUsageError(argsFor("batch", "[[1,\"a\"],[3,4]]"),
                   "--values: expected a number at [0][1], got a string");
  expectUsageError(argsFor("batch", "[[1,2],[]]"),
                   "--values: ragged list at [1]: expected 2 values, got 0");
  expectUsageError(argsFor("batch", "[[]]"), "--values: empty list at [0]");

  CommandRun malformed = run(argsFor("batch", "[[1,2],[3,4]"));
  EXPECT_EQ(malformed.code, kUsageError);
  EXPECT_EQ(malformed.err.rfind(
                "nnlab: error: --values: malformed JSON: parse error at line 1, column 13", 0),
            0u)
      << malformed.err;
  EXPECT_EQ(std::count(malformed.err.begin(), malformed.err.end(), '\n'), 1);
}

TEST(CalcNorm, BadOptionsNameTheFlag) {
  expectUsageError(argsFor("batchy", kIssueExample),
                   "--kind: expected batch, layer, instance or group (got \"batchy\")");
  expectUsageError(argsFor("group", kIssueExample),
                   "--groups: required with --kind group (G must divide C)");
  CalcNormArgs three = argsFor("group", kIssueExample);
  three.groupsGiven = true;
  three.groups = 3;
  expectUsageError(three, "--groups: C = 2 is not divisible by G = 3");
  CalcNormArgs zeroEps = argsFor("layer", kIssueExample);
  zeroEps.eps = 0;
  expectUsageError(zeroEps, "--eps: must be positive and finite (got 0)");
  expectUsageError(argsFor("layer", "[1,2,3]"),
                   "--values: expected rank 2 (N×C), 3 (N×C×L), 4 (N×C×H×W) or 5 (N×C×D×H×W), "
                   "got rank 1 (shape 3)");
}

TEST(CalcNorm, ThroughTheCommandLineParser) {
  // The way main() runs it: parse, then call the stored action.
  CLI::App root("test", "nnlab");
  CommandAction action;
  addCalcCommand(root, action);
  // nnlab calc norm --kind group --groups 2 --values [[1,2],[3,6]] --json; CLI11 consumes a
  // vector from the back, so it is written reversed.
  std::vector<std::string> argv = {"--json", "[[1,2],[3,6]]", "--values", "2",   "--groups",
                                   "group",  "--kind",        "norm",     "calc"};
  root.parse(argv);
  ASSERT_TRUE(action);
  testing::internal::CaptureStdout();
  const int code = action();
  const std::string out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(code, kExitOk);
  // G = C = 2 on N×C: each group holds one value, so mean = x and x̂ = 0.
  json doc = json::parse(out);
  EXPECT_EQ(doc["mean"], json::parse("[[1, 2], [3, 6]]"));
  EXPECT_EQ(doc["normalized"], json::parse("[[0, 0], [0, 0]]"));
}

TEST(NestedList, RoundTripsShapeAndShortestFloats) {
  Result<Tensor> t = parseNestedList("[[[0.1, -2]], [[3e-3, 4]]]", "--values");
  ASSERT_TRUE(t) << t.error().message();
  EXPECT_EQ(t->shape(), (Shape{2, 1, 2}));
  EXPECT_EQ(nestedListFromTensor(*t).dump(), "[[[0.1,-2.0]],[[0.003,4.0]]]");
}

} // namespace
} // namespace nnlab::app
