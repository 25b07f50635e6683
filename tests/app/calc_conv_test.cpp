// `nnlab calc conv|linear|pool|rf`, parsed by CLI11 as main() does and run: JSON keys and values
// of the issue's examples (worked by hand in the comments), and one-line errors naming the flag.
#include <CLI/CLI.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <algorithm>
#include <iostream>
#include <sstream>

#include "core/calc_command.h"
#include "core/calc_conv.h"
#include "core/shape_args.h"

namespace nnlab::app {
namespace {

struct CalcRun {
  int code = -1;
  std::string out, err;
};

// Parses `calc <args...>` with the real subcommands, as main() does, and runs the selected action
// with std::cout and std::cerr captured.
CalcRun runCalc(std::vector<std::string> args) {
  CLI::App root("nnlab");
  CommandAction action;
  CLI::App* calc = root.add_subcommand("calc");
  addCalcConvCommands(*calc, action);
  std::vector<std::string> argv = {"nnlab", "calc"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<const char*> cargv;
  for (const std::string& a : argv) cargv.push_back(a.c_str());
  CalcRun run;
  try {
    root.parse(static_cast<int>(cargv.size()), cargv.data());
  } catch (const CLI::ParseError& e) {
    run.code = kUsageError;
    run.err = e.what();
    return run;
  }
  EXPECT_TRUE(static_cast<bool>(action)) << "no subcommand selected";
  if (!action) return run;
  std::ostringstream out, err;
  std::streambuf* savedOut = std::cout.rdbuf(out.rdbuf());
  std::streambuf* savedErr = std::cerr.rdbuf(err.rdbuf());
  run.code = action();
  std::cout.rdbuf(savedOut);
  std::cerr.rdbuf(savedErr);
  run.out = out.str();
  run.err = err.str();
  return run;
}

// The issue's example: output [16, 31, 31], params 1200 + 16 = 1216, MACs 1,153,200
// (16·31·31 outputs · 3·5·5 = 15,376 · 75), FLOPs 2 × MACs, bytes 15,376 · 4.
TEST(CalcConv, IssueExampleJson) {
  CalcRun r = runCalc({"conv", "--input", "3x64x64", "--filters", "16", "--kernel", "5", "--stride",
                       "2", "--padding", "1", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["output_shape"], nlohmann::json({16, 31, 31}));
  EXPECT_EQ(j["params"]["weights"], 1200);
  EXPECT_EQ(j["params"]["bias"], 16);
  EXPECT_EQ(j["params"]["total"], 1216);
  EXPECT_EQ(j["macs"], 1153200);
  EXPECT_EQ(j["flops"], 2306400);
  EXPECT_EQ(j["output_bytes"], 61504);
  ASSERT_TRUE(j["steps"].is_array());
  for (const auto& step : j["steps"])
    for (const char* key : {"quantity", "formula", "substituted", "result"})
      EXPECT_TRUE(step.contains(key));
}

TEST(CalcConv, TextShowsTheSteps) {
  CalcRun r = runCalc({"conv", "--input", "3x64x64", "--filters", "16", "--kernel", "5", "--stride",
                       "2", "--padding", "1"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("⌊(64 + 2·1 − 1·(5 − 1) − 1) / 2⌋ + 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1,153,200"), std::string::npos);
  EXPECT_NE(r.out.find("1,216"), std::string::npos);
}

// Depthwise-separable replacement of 3 -> 16 filters 5x5, stride 2, pad 1 on 3x64x64:
//   depthwise weights 3·1·25 = 75 (+3 bias), MACs 3·31·31·25 = 72,075
//   pointwise weights 16·3 = 48 (+16 bias), MACs 16·31·31·3 = 46,128; total params 142
TEST(CalcConv, DepthwiseSeparableKeys) {
  CalcRun r = runCalc({"conv", "--input", "3x64x64", "--filters", "16", "--kernel", "5", "--stride",
                       "2", "--padding", "1", "--depthwise-separable", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["depthwise"]["params"]["weights"], 75);
  EXPECT_EQ(j["depthwise"]["macs"], 72075);
  EXPECT_EQ(j["pointwise"]["params"]["weights"], 48);
  EXPECT_EQ(j["pointwise"]["macs"], 46128);
  EXPECT_EQ(j["separable_total"]["params"]["total"], 75 + 3 + 48 + 16);
  EXPECT_EQ(j["separable_total"]["macs"], 72075 + 46128);
}

// x = [[1 2 3 4]], w = [[[1 0 −1]]], b = [0.5]: cross-correlation [1 − 3, 2 − 4] + 0.5 = [−1.5
// −1.5].
TEST(CalcConv, OutputValuesFromJsonLists) {
  CalcRun r = runCalc({"conv", "--input", "1x4", "--filters", "1", "--kernel", "3", "--x",
                       "[[1,2,3,4]]", "--w", "[[[1,0,-1]]]", "--b", "[0.5]", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["output"], nlohmann::json::parse("[[-1.5,-1.5]]"));
}

// Linear 3x32x32 -> 10: 3072·10 = 30,720 weights + 10 bias.
TEST(CalcLinear, Json) {
  CalcRun r = runCalc({"linear", "--in", "3x32x32", "--out", "10", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["params"]["total"], 30730);
  EXPECT_EQ(j["macs"], 30720);
  EXPECT_EQ(j["output_shape"], nlohmann::json({10}));
}

// Pool 16x31x31, kernel 3, stride 2: ⌊(31 − 3) / 2⌋ + 1 = 15.
TEST(CalcPool, Json) {
  CalcRun r = runCalc({"pool", "--input", "16x31x31", "--kernel", "3", "--stride", "2", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["output_shape"], nlohmann::json({16, 15, 15}));
}

// The issue's stack: rf 3, 4, 12; jump 1, 2, 2; start −1 (see receptive_field_test.cpp).
TEST(CalcRf, IssueStackJson) {
  CalcRun r = runCalc({"rf", "--layer", "conv:k=3,s=1,p=1", "--layer", "pool:k=2,s=2", "--layer",
                       "conv:k=3,d=2", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["layers"].size(), 3u);
  EXPECT_EQ(j["layers"][0]["rf"], 3);
  EXPECT_EQ(j["layers"][1]["rf"], 4);
  EXPECT_EQ(j["layers"][2]["rf"], 12);
  EXPECT_EQ(j["layers"][2]["jump"], 2);
  EXPECT_EQ(j["layers"][2]["start"], -1);
  EXPECT_EQ(j["receptive_field"], 12);
}

// The worked steps in text: layer 1 moves the start by its padding, 0 − 1·1 = −1, written with
// the formulas' minus sign; the summary carries the same −1.
TEST(CalcRf, TextStepsWriteNegativeStartsWithTheMinusSign) {
  CalcRun r = runCalc({"rf", "--layer", "conv:k=3,s=1,p=1", "--layer", "pool:k=2,s=2"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("start = 0 − 1·1 = −1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("start = −1 − 0·1 = −1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("unit 0 starts at −1)"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("= -1"), std::string::npos) << r.out;
}

// Each bad argument: exit code 2 and one line that names the flag.
TEST(CalcConv, BadArgumentsNameTheFlag) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"conv", "--input", "3x64x64", "--filters", "16", "--kernel", "5", "--stride", "0"},
       "--stride"},
      {{"conv", "--input", "3x4x4", "--filters", "16", "--kernel", "7"}, "--kernel"},
      {{"conv", "--input", "3x64", "--filters", "4", "--kernel", "3", "--groups", "2"}, "--groups"},
      {{"conv", "--input", "3xx64", "--filters", "4", "--kernel", "3"}, "--input"},
      {{"conv", "--input", "3x64x64", "--filters", "4", "--kernel", "3", "--padding", "lots"},
       "--padding"},
      {{"conv", "--input", "3x64x64", "--filters", "4", "--kernel", "3", "--dilation", "0"},
       "--dilation"},
      {{"conv", "--input", "1x4", "--filters", "1", "--kernel", "3", "--x", "[[1,2]]", "--w",
        "[[[1,0,-1]]]"},
       "--x"},
      {{"linear", "--in", "3x32x32", "--out", "0"}, "--out"},
      {{"pool", "--input", "16x31x31", "--kernel", "3", "--padding", "2"}, "--padding"},
      {{"rf", "--layer", "conv:k=3,q=1"}, "--layer"},
      {{"rf", "--layer", "dense:k=3"}, "--layer"},
  };
  for (const auto& [args, flag] : cases) {
    CalcRun r = runCalc(args);
    EXPECT_EQ(r.code, kUsageError) << args[0] << " " << flag;
    EXPECT_EQ(r.err.rfind("nnlab: error: " + flag, 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  // A non-number is CLI11's conversion error, which also names the flag.
  CalcRun r = runCalc({"conv", "--input", "3x64x64", "--filters", "many", "--kernel", "3"});
  EXPECT_EQ(r.code, kUsageError);
  EXPECT_NE(r.err.find("--filters"), std::string::npos) << r.err;
}

TEST(ShapeArgs, ParsesSizesAndLayers) {
  EXPECT_EQ(*parseSizes("3x64x64", "--input"), (std::vector<Index>{3, 64, 64}));
  EXPECT_FALSE(parseSizes("3x", "--input"));
  EXPECT_FALSE(parseSizes("-3", "--input"));
  Result<RfLayer> pool = parseRfLayer("pool:k=2", "--layer");
  ASSERT_TRUE(pool);
  EXPECT_EQ(pool->stride, (DimValues{2})); // a pool's stride defaults to its kernel
}

} // namespace
} // namespace nnlab::app
