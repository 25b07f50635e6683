// The convolution arithmetic lab: scene round trip, malformed fields rejected by name, the
// window's products summing to the engine's output at every position, the greyed cells of odd
// geometry, and the PyTorch line.
#include "labs/conv_arith_lab.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace nnlab::app {
namespace {

ConvArithLabState loaded(const nlohmann::json& fields) {
  std::unique_ptr<Lab> lab = createConvArithLab();
  EXPECT_TRUE(lab->loadState(fields).ok());
  ConvArithLabState state;
  const nlohmann::json saved = lab->saveState();
  state.rank = saved["mode"].get<std::string>()[0] - '0';
  state.inputSize = saved["input_size"];
  state.frames = saved["frames"];
  state.kernelSize = saved["kernel_size"];
  state.kernelFrames = saved["kernel_frames"];
  state.stride = saved["stride"];
  state.padding = saved["padding"];
  state.causal = saved["causal"];
  state.dilation = saved["dilation"];
  state.transposed = saved["transposed"];
  state.outputPadding = saved["output_padding"];
  state.flip = saved["flip"];
  state.input = saved["input"].get<std::vector<float>>();
  state.kernel = saved["kernel"].get<std::vector<float>>();
  state.position = saved["position"];
  state.inChannels = saved["in_channels"];
  state.filters = saved["filters"];
  return state;
}

TEST(ConvArithLab, SceneRoundTrip) {
  std::unique_ptr<Lab> lab = createConvArithLab();
  const nlohmann::json fields = {{"mode", "3d"},     {"input_size", 4},    {"frames", 3},
                                 {"kernel_size", 2}, {"kernel_frames", 2}, {"stride", 2},
                                 {"padding", 1},     {"causal", true},     {"dilation", 1},
                                 {"flip", true},     {"position", 5},      {"speed", 3.5},
                                 {"in_channels", 8}, {"filters", 32}};
  ASSERT_TRUE(lab->loadState(fields).ok());
  const nlohmann::json saved = lab->saveState();
  EXPECT_EQ(saved["mode"], "3d");
  EXPECT_EQ(saved["input"].size(), 3u * 4 * 4) << "values filled in for the T×H×W grid";
  EXPECT_EQ(saved["kernel"].size(), 2u * 2 * 2);
  std::unique_ptr<Lab> again = createConvArithLab();
  ASSERT_TRUE(again->loadState(saved).ok());
  EXPECT_EQ(again->saveState(), saved);
}

TEST(ConvArithLab, MalformedFieldsAreRejectedByNameAndChangeNothing) {
  std::unique_ptr<Lab> lab = createConvArithLab();
  ASSERT_TRUE(lab->loadState({{"stride", 2}, {"input_size", 6}}).ok());
  const nlohmann::json before = lab->saveState();
  struct Case {
    nlohmann::json fields;
    const char* field;
  };
  const Case cases[] = {
      {{{"stride", "big"}}, "state.stride"},
      {{{"input_size", 40}}, "state.input_size"},
      {{{"mode", "4d"}}, "state.mode"},
      {{{"padding", 1}, {"kernel", {1, 2, 3}}}, "state.kernel"}, // 3 values for a 3×3 kernel
      {{{"input", std::vector<int>(36, 1)}, {"input_size", 5}}, "state.input"}, // 36 for 5×5
      {{{"input", {1, "x"}}}, "state.input"},
      {{{"flip", 1}}, "state.flip"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.fields.dump());
    const Status status = lab->loadState(c.fields);
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.error().message().find(c.field), std::string::npos)
        << status.error().message();
    EXPECT_EQ(lab->saveState(), before) << "a bad scene must not half-change the lab";
  }
}

// The animation shows the products of the taps; their sum must be what engine conv() (or
// convTranspose(), or conv() with trueConvolution) computed for that output cell, at every
// position, for every kind of geometry the lab offers.
TEST(ConvArithLab, WindowProductsSumToTheEngineOutputEverywhere) {
  std::vector<ConvArithLabState> states;
  for (int rank = 1; rank <= 3; ++rank)
    for (int stride = 1; stride <= 3; ++stride)
      for (int padding = 0; padding <= 2; ++padding)
        for (int dilation = 1; dilation <= 2; ++dilation)
          for (int mode = 0; mode < 4; ++mode) { // plain, flipped, causal, transposed
            ConvArithLabState s;
            s.rank = rank;
            s.inputSize = rank == 3 ? 5 : 7;
            s.frames = 4;
            s.kernelSize = 3;
            s.kernelFrames = 2;
            s.stride = stride;
            s.padding = padding;
            s.dilation = dilation;
            s.flip = mode == 1;
            s.causal = mode == 2 && rank != 2;
            s.transposed = mode == 3;
            s.outputPadding = mode == 3 && stride > 1 ? 1 : 0;
            randomizeValues(s.input,
                            static_cast<size_t>(rank == 1   ? 7
                                                : rank == 2 ? 49
                                                            : 100),
                            static_cast<unsigned>(states.size()), -3, 4);
            randomizeValues(s.kernel,
                            static_cast<size_t>(rank == 1   ? 3
                                                : rank == 2 ? 9
                                                            : 18),
                            static_cast<unsigned>(states.size()) + 1000, -2, 2);
            states.push_back(s);
          }
  int checkedPositions = 0;
  for (const ConvArithLabState& s : states) {
    SCOPED_TRACE(pytorchLine(s) + (s.flip ? " flip" : ""));
    Result<ConvArithResult> result = computeConvArith(s);
    if (!result) continue; // e.g. 7 taps dilated 2 do not fit a 5-frame video: tested below
    const std::vector<float>& engine = s.flip ? result->flippedOutput : result->output;
    ASSERT_EQ(static_cast<int>(engine.size()), result->outputCount());
    for (int p = 0; p < result->outputCount(); ++p) {
      const WindowStep step = windowAt(*result, p);
      ASSERT_EQ(step.taps.size(), result->appliedKernel.size());
      EXPECT_NEAR(step.sum(), engine[static_cast<size_t>(p)], 1e-4) << "position " << p;
      ++checkedPositions;
    }
  }
  EXPECT_GT(checkedPositions, 3000);
}

TEST(ConvArithLab, FlipShowsTrueConvolutionBesideCrossCorrelation) {
  ConvArithLabState s; // 1-D: x = [1 2 3], w = [1 0 −1], no padding: one output
  s.rank = 1;
  s.inputSize = 3;
  s.padding = 0;
  s.input = {1, 2, 3};
  s.kernel = {1, 0, -1};
  s.flip = true;
  Result<ConvArithResult> r = computeConvArith(s);
  ASSERT_TRUE(r.ok());
  // cross-correlation: 1·1 + 2·0 + 3·(−1) = −2; true convolution flips w: 1·(−1) + 3·1 = 2.
  EXPECT_EQ(r->output, std::vector<float>({-2}));
  EXPECT_EQ(r->flippedOutput, std::vector<float>({2}));
  EXPECT_EQ(r->appliedKernel, std::vector<float>({-1, 0, 1}));
}

// Input 6×6, kernel 3, stride 2, no padding:
//   H_out = ⌊(6 − 3) / 2⌋ + 1 = ⌊1.5⌋ + 1 = 2,
//   the last window starts at (2 − 1)·2 = 2 and ends at 2 + 3 − 1 = 4,
// so row 5 and column 5 are never reached: the floor division threw them away.
TEST(ConvArithLab, RowsAndColumnsFloorDivisionLeavesAreGreyed) {
  ConvArithLabState s;
  s.inputSize = 6;
  s.kernelSize = 3;
  s.stride = 2;
  s.padding = 0;
  Result<ConvArithResult> r = computeConvArith(s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outputSize, std::vector<int>({2, 2}));
  ASSERT_EQ(r->canvasSize, std::vector<int>({6, 6}));
  for (int y = 0; y < 6; ++y)
    for (int x = 0; x < 6; ++x)
      EXPECT_EQ(r->canvasUnused[static_cast<size_t>(y * 6 + x)], y == 5 || x == 5) << y << "," << x;
  ASSERT_EQ(r->shapeSteps.size(), 2u);
  EXPECT_EQ(r->shapeSteps[0].quantity, "H_out");
  EXPECT_EQ(r->shapeSteps[0].substituted, "⌊(6 + 2·0 − 1·(3 − 1) − 1) / 2⌋ + 1");
  EXPECT_EQ(r->shapeSteps[0].result, "2");

  // Padding 1 makes 8 cells: ⌊(6 + 2 − 3) / 2⌋ + 1 = 3 windows, reaching 0..6: only the last
  // padding row/column (index 7) is unused, and the first padding row is used.
  s.padding = 1;
  r = computeConvArith(s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outputSize, std::vector<int>({3, 3}));
  EXPECT_TRUE(r->canvasUnused[7]);
  EXPECT_FALSE(r->canvasUnused[0]);
  EXPECT_EQ(r->canvasKind[0], CanvasCell::Padding);
  EXPECT_EQ(r->canvasKind[9], CanvasCell::Input);
}

// Transposed 1-D: x = [a b c], k 3, s 2, p 1: spread-out input a 0 b 0 c with a border of
// d(k − 1) = 2 zeros: 9 cells; out = (3 − 1)·2 − 2 + 2 + 1 = 5; p = 1 crops the first and last.
TEST(ConvArithLab, TransposedInsertsZerosAndCropsByPadding) {
  ConvArithLabState s;
  s.rank = 1;
  s.inputSize = 3;
  s.kernelSize = 3;
  s.stride = 2;
  s.padding = 1;
  s.transposed = true;
  Result<ConvArithResult> r = computeConvArith(s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->canvasSize, std::vector<int>({9}));
  EXPECT_EQ(r->outputSize, std::vector<int>({5}));
  using C = CanvasCell;
  EXPECT_EQ(r->canvasKind, std::vector<C>({C::Padding, C::Padding, C::Input, C::Inserted, C::Input,
                                           C::Inserted, C::Input, C::Padding, C::Padding}));
  EXPECT_EQ(r->canvasUnused,
            std::vector<bool>({true, false, false, false, false, false, false, false, true}));
}

TEST(ConvArithLab, InvalidGeometryIsTheEnginesError) {
  ConvArithLabState s;
  s.stride = 0;
  Result<ConvArithResult> r = computeConvArith(s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("stride"), std::string::npos) << r.error().message();
  s.stride = 1;
  s.inputSize = 3;
  s.kernelSize = 7;
  s.padding = 0;
  r = computeConvArith(s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("kernel"), std::string::npos) << r.error().message();
}

TEST(ConvArithLab, PytorchLineMatchesTheState) {
  ConvArithLabState s; // 2-D, k 3, p 1, C 3, F 16
  EXPECT_EQ(pytorchLine(s), "nn.Conv2d(3, 16, kernel_size=3, padding=1)");
  s.stride = 2;
  s.dilation = 2;
  s.padding = 0;
  EXPECT_EQ(pytorchLine(s), "nn.Conv2d(3, 16, kernel_size=3, stride=2, dilation=2)");
  s = ConvArithLabState{};
  s.transposed = true;
  s.stride = 2;
  s.outputPadding = 1;
  s.inChannels = 16;
  s.filters = 8;
  EXPECT_EQ(pytorchLine(s),
            "nn.ConvTranspose2d(16, 8, kernel_size=3, stride=2, padding=1, output_padding=1)");
  s = ConvArithLabState{};
  s.rank = 1;
  s.causal = true;
  s.dilation = 2;
  EXPECT_EQ(
      pytorchLine(s),
      "nn.Sequential(nn.ConstantPad1d((4, 0), 0.0), nn.Conv1d(3, 16, kernel_size=3, dilation=2))");
  s = ConvArithLabState{};
  s.rank = 3;
  s.kernelFrames = 2;
  EXPECT_EQ(pytorchLine(s), "nn.Conv3d(3, 16, kernel_size=(2, 3, 3), padding=1)");
}

TEST(ConvArithLab, CountsComeFromTheEngine) {
  ConvArithLabState s; // 5×5, C 3 → F 16, k 3: weights 16·3·3·3 = 432, + 16 bias = 448
  Result<ConvArithResult> r = computeConvArith(s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->cost.params(), 448);
  EXPECT_EQ(r->cost.macs, 16 * 5 * 5 * 3 * 9); // F·H_out·W_out·C·k²
  ASSERT_TRUE(r->separable.has_value());
  // depthwise 3·9 + 3 bias = 30, pointwise 16·3 + 16 = 64
  EXPECT_EQ(r->separable->total.params(), 94);
}

TEST(ConvArithLab, ScenePresetsLoadAndCompute) {
  int found = 0;
  for (const auto& entry : std::filesystem::directory_iterator(NNLAB_SOURCE_DIR "/assets/scenes")) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("conv_arith_", 0) != 0) continue;
    SCOPED_TRACE(name);
    std::ifstream file(entry.path());
    const nlohmann::json scene = nlohmann::json::parse(file);
    ASSERT_EQ(scene["lab"], "conv_arith");
    const ConvArithLabState state = loaded(scene["state"]);
    Result<ConvArithResult> r = computeConvArith(state);
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_LT(state.position, r->outputCount());
    ++found;
  }
  EXPECT_GE(found, 3);
}

} // namespace
} // namespace nnlab::app
