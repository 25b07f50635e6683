// Convolution engine: PyTorch golden files (tests/golden/conv{1,2,3}d.json, conv_transpose.json,
// made by tests/golden/make_conv_golden.py), hand-worked examples, finite differences, errors.
#include "nnlab/conv.h"

#include <gtest/gtest.h>

#include "conv_golden_util.h"

namespace nnlab {
namespace {

using testing::closeToGolden;
using testing::goldenDims;
using testing::goldenTensor;
using testing::loadGolden;

PaddingMode paddingModeNamed(const std::string& name) {
  if (name == "reflect") return PaddingMode::Reflect;
  if (name == "replicate") return PaddingMode::Replicate;
  if (name == "circular") return PaddingMode::Circular;
  return PaddingMode::Zeros;
}

// The options as a user would give them: the rule by name ("same", "causal") where the golden
// used one, explicit (possibly asymmetric) pads otherwise.
ConvOptions optionsFor(const nlohmann::json& c) {
  ConvOptions o;
  o.stride = goldenDims(c["stride"]);
  o.dilation = goldenDims(c["dilation"]);
  o.groups = c["groups"].get<Index>();
  o.paddingMode = paddingModeNamed(c["mode"].get<std::string>());
  o.trueConvolution = c["flip"].get<bool>();
  const std::string rule = c["padding_rule"].get<std::string>();
  if (rule == "same") {
    o.paddingRule = PaddingRule::Same;
  } else if (rule == "causal") {
    o.paddingRule = PaddingRule::Causal;
  } else {
    o.padding = goldenDims(c["pad_before"]);
    o.paddingAfter = goldenDims(c["pad_after"]);
  }
  return o;
}

std::string describe(const nlohmann::json& c) {
  nlohmann::json d = c;
  for (const char* key : {"x", "w", "b", "gy", "y", "gx", "gw", "gb"}) d.erase(key);
  d["x_shape"] = c["x"]["shape"];
  d["w_shape"] = c["w"]["shape"];
  return d.dump();
}

class ConvGolden : public ::testing::TestWithParam<const char*> {};

// Forward on every path (auto, im2col + GEMM, direct, Winograd) and backward, against PyTorch's
// autograd.
TEST_P(ConvGolden, MatchesPyTorch) {
  const nlohmann::json golden = loadGolden(GetParam());
  ASSERT_TRUE(golden.contains("cases"));
  int checked = 0;
  for (const nlohmann::json& c : golden["cases"]) {
    SCOPED_TRACE(describe(c));
    const Tensor x = goldenTensor(c["x"]), w = goldenTensor(c["w"]);
    const bool hasBias = c["bias"].get<bool>();
    const Tensor b = hasBias ? goldenTensor(c["b"]) : Tensor();
    ConvOptions o = optionsFor(c);
    for (ConvAlgorithm algorithm : {ConvAlgorithm::Auto, ConvAlgorithm::Im2colGemm,
                                    ConvAlgorithm::Direct, ConvAlgorithm::Winograd}) {
      o.algorithm = algorithm;
      Result<Tensor> y = conv(x, w, b, o);
      ASSERT_TRUE(y) << y.error().message();
      EXPECT_TRUE(closeToGolden(*y, goldenTensor(c["y"]))) << "algorithm " << int(algorithm);
    }
    Result<ConvGradients> g = convBackward(x, w, hasBias, goldenTensor(c["gy"]), o);
    ASSERT_TRUE(g) << g.error().message();
    EXPECT_TRUE(closeToGolden(g->input, goldenTensor(c["gx"]))) << "grad input";
    EXPECT_TRUE(closeToGolden(g->weight, goldenTensor(c["gw"]))) << "grad weight";
    if (hasBias) {
      EXPECT_TRUE(closeToGolden(g->bias, goldenTensor(c["gb"]))) << "grad bias";
    }
    ++checked;
  }
  EXPECT_GE(checked, 30);
}

INSTANTIATE_TEST_SUITE_P(Files, ConvGolden,
                         ::testing::Values("conv1d.json", "conv2d.json", "conv3d.json",
                                           "conv2d_strided_blocks.json"));

TEST(ConvTransposeGolden, MatchesPyTorch) {
  const nlohmann::json golden = loadGolden("conv_transpose.json");
  ASSERT_TRUE(golden.contains("cases"));
  for (const nlohmann::json& c : golden["cases"]) {
    SCOPED_TRACE(describe(c));
    const Tensor x = goldenTensor(c["x"]), w = goldenTensor(c["w"]);
    const bool hasBias = c["bias"].get<bool>();
    const Tensor b = hasBias ? goldenTensor(c["b"]) : Tensor();
    ConvTransposeOptions o;
    o.stride = goldenDims(c["stride"]);
    o.dilation = goldenDims(c["dilation"]);
    o.padding = goldenDims(c["padding"]);
    o.outputPadding = goldenDims(c["output_padding"]);
    o.groups = c["groups"].get<Index>();
    Result<Tensor> y = convTranspose(x, w, b, o);
    ASSERT_TRUE(y) << y.error().message();
    EXPECT_TRUE(closeToGolden(*y, goldenTensor(c["y"])));
    Result<ConvGradients> g = convTransposeBackward(x, w, hasBias, goldenTensor(c["gy"]), o);
    ASSERT_TRUE(g) << g.error().message();
    EXPECT_TRUE(closeToGolden(g->input, goldenTensor(c["gx"]))) << "grad input";
    EXPECT_TRUE(closeToGolden(g->weight, goldenTensor(c["gw"]))) << "grad weight";
    if (hasBias) {
      EXPECT_TRUE(closeToGolden(g->bias, goldenTensor(c["gb"]))) << "grad bias";
    }
  }
}

// Worked by hand: x = [1 2 3 4], w = [1 0 −1], no padding.
//   cross-correlation: y0 = 1·1 + 0·2 − 1·3 = −2, y1 = 2 − 4 = −2
//   true convolution uses w flipped = [−1 0 1]: y0 = −1 + 3 = 2, y1 = −2 + 4 = 2
TEST(Conv, CrossCorrelationAndTrueConvolutionByHand) {
  const Tensor x(Shape{1, 1, 4}, {1, 2, 3, 4});
  const Tensor w(Shape{1, 1, 3}, {1, 0, -1});
  ConvOptions o;
  Result<Tensor> y = conv(x, w, Tensor(), o);
  ASSERT_TRUE(y);
  EXPECT_EQ(y->values(), (std::vector<float>{-2, -2}));
  o.trueConvolution = true;
  y = conv(x, w, Tensor(), o);
  ASSERT_TRUE(y);
  EXPECT_EQ(y->values(), (std::vector<float>{2, 2}));
}

// Worked by hand, reflect padding 1 on [1 2 3]: padded [2 1 2 3 2]; box [1 1 1] gives
// [2+1+2, 1+2+3, 2+3+2] = [5 6 7]. Causal padding (2 zeros before) gives [1, 1+2, 1+2+3].
TEST(Conv, PaddingModesByHand) {
  const Tensor x(Shape{1, 1, 3}, {1, 2, 3});
  const Tensor w(Shape{1, 1, 3}, {1, 1, 1});
  ConvOptions o;
  o.padding = {1};
  o.paddingMode = PaddingMode::Reflect;
  Result<Tensor> y = conv(x, w, Tensor(), o);
  ASSERT_TRUE(y);
  EXPECT_EQ(y->values(), (std::vector<float>{5, 6, 7}));
  ConvOptions causal;
  causal.paddingRule = PaddingRule::Causal;
  y = conv(x, w, Tensor(), causal);
  ASSERT_TRUE(y);
  EXPECT_EQ(y->values(), (std::vector<float>{1, 3, 6}));
}

// The issue's example: 3x64x64, 16 filters 5x5, stride 2, padding 1:
//   ⌊(64 + 2·1 − 1·(5 − 1) − 1) / 2⌋ + 1 = ⌊61 / 2⌋ + 1 = 31  ->  [16, 31, 31]
TEST(ConvGeometry, IssueExample) {
  ConvOptions o;
  o.stride = {2};
  o.padding = {1};
  Result<ConvGeometry> g = convGeometry(3, {64, 64}, 16, {5}, o);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->outputShape(), (Shape{1, 16, 31, 31}));
}

// TensorFlow "same": out = ⌈in / s⌉; in = 7, k = 4, s = 2: out = 4, total pad = (4−1)·2 + 4 − 7 =
// 3, split 1 before and 2 after (the extra on the far side).
TEST(ConvGeometry, SamePaddingPutsTheExtraAfter) {
  ConvOptions o;
  o.stride = {2};
  o.paddingRule = PaddingRule::Same;
  Result<ConvGeometry> g = convGeometry(1, {7}, 1, {4}, o);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->outputSize, (std::vector<Index>{4}));
  EXPECT_EQ(g->padBefore, (std::vector<Index>{1}));
  EXPECT_EQ(g->padAfter, (std::vector<Index>{2}));
}

TEST(ConvGeometry, ErrorsNameTheQuantityAndTheAmount) {
  ConvOptions o;
  o.stride = {0};
  Result<ConvGeometry> g = convGeometry(3, {8, 8}, 4, {3}, o);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().where, "stride");
  EXPECT_NE(g.error().what.find("got 0"), std::string::npos);

  // Kernel 7 on 4 + 2·1 = 6: over by 1.
  o = ConvOptions();
  o.padding = {1};
  g = convGeometry(3, {4, 8}, 4, {7}, o);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().where, "kernel");
  EXPECT_NE(g.error().what.find("along H by 1"), std::string::npos) << g.error().message();

  o = ConvOptions();
  o.dilation = {0};
  g = convGeometry(3, {8, 8}, 4, {3}, o);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().where, "dilation");

  o = ConvOptions();
  o.groups = 2;
  g = convGeometry(3, {8, 8}, 4, {3}, o);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().where, "groups");
  EXPECT_NE(g.error().what.find("remainder 1"), std::string::npos);

  // Reflect needs pad ≤ size − 1: pad 3 on size 3 is over by 1.
  o = ConvOptions();
  o.padding = {3};
  o.paddingMode = PaddingMode::Reflect;
  g = convGeometry(1, {3}, 1, {3}, o);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().where, "padding");
  EXPECT_NE(g.error().what.find("over by 1"), std::string::npos);

  o = ConvOptions();
  o.stride = {1, 2, 3};
  g = convGeometry(3, {8, 8}, 4, {3}, o);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().where, "stride");

  // A weight whose channels do not fit the input.
  Result<Tensor> y = conv(Tensor(Shape{1, 3, 5, 5}), Tensor(Shape{2, 2, 3, 3}), Tensor(), {});
  ASSERT_FALSE(y);
  EXPECT_EQ(y.error().where, "weight");
}

// Central finite differences on L = Σ y·gy. Convolution is linear in x and in w, so the central
// difference is exact up to float rounding; a 2-D case with reflect padding, groups 2, dilation 2,
// stride 2 and asymmetric sizes exercises the folding of padded gradients back onto the input.
TEST(ConvBackward, MatchesFiniteDifferences) {
  ConvOptions o;
  o.stride = {2, 1};
  o.dilation = {1, 2};
  o.padding = {2, 1};
  o.paddingAfter = {1, 2};
  o.paddingMode = PaddingMode::Reflect;
  o.groups = 2;
  Tensor x(Shape{1, 4, 5, 6}), w(Shape{2, 2, 3, 2}), b(Shape{2});
  for (Index i = 0; i < x.numel(); ++i) x.data()[i] = std::sin(0.7f * static_cast<float>(i));
  for (Index i = 0; i < w.numel(); ++i) w.data()[i] = std::cos(1.3f * static_cast<float>(i));
  b.data()[0] = 0.5f;
  b.data()[1] = -0.25f;
  Result<Tensor> y = conv(x, w, b, o);
  ASSERT_TRUE(y);
  Tensor gy(y->shape());
  for (Index i = 0; i < gy.numel(); ++i) gy.data()[i] = std::cos(0.3f * static_cast<float>(i));
  Result<ConvGradients> g = convBackward(x, w, true, gy, o);
  ASSERT_TRUE(g);
  auto loss = [&](const Tensor& xs, const Tensor& ws, const Tensor& bs) {
    Tensor out = conv(xs, ws, bs, o).value();
    double sum = 0;
    for (Index i = 0; i < out.numel(); ++i) sum += double(out.data()[i]) * gy.data()[i];
    return sum;
  };
  const float h = 0.01f;
  auto check = [&](Tensor& param, const Tensor& grad, const char* name) {
    for (Index i = 0; i < param.numel(); ++i) {
      const float saved = param.data()[i];
      param.data()[i] = saved + h;
      const double up = loss(x, w, b);
      param.data()[i] = saved - h;
      const double down = loss(x, w, b);
      param.data()[i] = saved;
      EXPECT_NEAR(grad.data()[i], (up - down) / (2 * h), 2e-3) << name << " element " << i;
    }
  };
  check(x, g->input, "input");
  check(w, g->weight, "weight");
  check(b, g->bias, "bias");
}

// The fast paths against each other on sizes larger than the goldens (many tiles and threads):
// the same sums in a different order, so they agree to float rounding.
TEST(Conv, DirectAndGemmPathsAgreeOnLargerImages) {
  Tensor x(Shape{2, 4, 37, 41}), w(Shape{4, 1, 3, 3});
  for (Index i = 0; i < x.numel(); ++i)
    x.data()[i] = std::sin(0.01f * static_cast<float>(i * i % 977));
  for (Index i = 0; i < w.numel(); ++i) w.data()[i] = 0.1f * static_cast<float>(i % 7) - 0.3f;
  ConvOptions o;
  o.groups = 4;
  o.padding = {1};
  o.algorithm = ConvAlgorithm::Direct;
  Tensor direct = conv(x, w, Tensor(), o).value();
  o.algorithm = ConvAlgorithm::Im2colGemm;
  Tensor gemm = conv(x, w, Tensor(), o).value();
  EXPECT_LT(maxAbsDifference(direct, gemm), 1e-5f);
}

// The direct path for one input channel per group runs rows in steps of 64 outputs with a masked
// last step, pads rows itself (or, for 3×3, reads borders through the pad map), and unrolls the
// kernel widths 3, 5 and 7: every row length from 1 to 140 (all remainders mod 64) against
// im2col + GEMM (checked against PyTorch by the goldens), for each padding mode, kernel size
// 1–7, dilation 1–2, vertical stride 1–2, several filters per group and a bias.
TEST(Conv, DirectPathAgreesWithGemmOnEveryRowLength) {
  for (Index width = 1; width <= 140; width += width < 70 ? 1 : 7)
    for (Index k : {1, 3, 5, 7})
      for (Index d : {1, 2})
        for (PaddingMode mode : {PaddingMode::Zeros, PaddingMode::Reflect, PaddingMode::Replicate,
                                 PaddingMode::Circular}) {
          const Index pad = k / 2 * d;
          if (mode == PaddingMode::Reflect && pad >= width) continue; // reflect needs pad < size
          if (mode == PaddingMode::Circular && pad > width) continue; // circular: pad ≤ size
          if (width + 2 * pad < (k - 1) * d + 1) continue;            // kernel wider than input
          Tensor x(Shape{1, 2, 9, width}), w(Shape{4, 1, k, k}), bias(Shape{4});
          for (Index i = 0; i < x.numel(); ++i) x.data()[i] = std::sin(0.37f * float(i));
          for (Index i = 0; i < w.numel(); ++i) w.data()[i] = std::cos(0.11f * float(i));
          for (Index i = 0; i < 4; ++i) bias.data()[i] = 0.25f * float(i) - 0.5f;
          ConvOptions o;
          o.groups = 2;
          o.padding = {pad};
          o.paddingMode = mode;
          o.dilation = {d};
          o.stride = {1 + width % 2, 1}; // H stride 2 on odd widths
          SCOPED_TRACE("width " + std::to_string(width) + " k " + std::to_string(k) + " d " +
                       std::to_string(d) + " mode " + std::to_string(int(mode)));
          o.algorithm = ConvAlgorithm::Direct;
          Result<Tensor> direct = conv(x, w, bias, o);
          o.algorithm = ConvAlgorithm::Im2colGemm;
          Result<Tensor> gemm = conv(x, w, bias, o);
          ASSERT_TRUE(direct.ok()) << direct.error().message();
          ASSERT_TRUE(gemm.ok()) << gemm.error().message();
          ASSERT_LT(maxAbsDifference(*direct, *gemm), 1e-4f);
        }
}

// Runs `o` with Winograd forced and with im2col + GEMM on smooth inputs of the given shapes and
// compares. Winograd's transforms scale terms by up to 8² before the sums cancel, so its rounding
// error grows with the output's magnitude, not with each element's: measured ~1e-5 of the largest
// output at most, here bounded by 3e-5 of it (outputs up to ~50; an indexing error would be off
// by O(1)).
void expectWinogradMatchesGemm(const Shape& input, const Shape& weight, ConvOptions o) {
  SCOPED_TRACE("input " + input.toString() + ", weight " + weight.toString());
  Tensor x(input), w(weight), b(Shape{weight[0]});
  for (Index i = 0; i < x.numel(); ++i)
    x.data()[i] = std::sin(0.01f * static_cast<float>(i * i % 977));
  for (Index i = 0; i < w.numel(); ++i) w.data()[i] = std::cos(0.7f * static_cast<float>(i));
  for (Index i = 0; i < b.numel(); ++i) b.data()[i] = 0.1f * static_cast<float>(i % 5);
  o.algorithm = ConvAlgorithm::Winograd;
  const Tensor winograd = conv(x, w, b, o).value();
  o.algorithm = ConvAlgorithm::Im2colGemm;
  const Tensor gemm = conv(x, w, b, o).value();
  ASSERT_EQ(winograd.shape(), gemm.shape());
  float largest = 0.0f;
  for (Index i = 0; i < gemm.numel(); ++i) largest = std::max(largest, std::abs(gemm.data()[i]));
  EXPECT_GT(largest, 10.0f);
  EXPECT_LT(maxAbsDifference(winograd, gemm), 3e-5f * largest);
}

// Winograd F(4×4, 3×3) on sizes the goldens do not reach: 20 → 24 channels (a partial micro-tile
// of filters), output 23×29 (partial 4×4 tiles on both edges, more than 16 tiles per row), batch
// 2, bias; and 64 → 64 on 56×56 (the bench's case).
TEST(Conv, WinogradMatchesGemm) {
  ConvOptions o;
  o.padding = {1};
  expectWinogradMatchesGemm(Shape{2, 20, 23, 29}, Shape{24, 20, 3, 3}, o);
  expectWinogradMatchesGemm(Shape{2, 64, 56, 56}, Shape{64, 64, 3, 3}, o);
}

// Space-to-depth + Winograd on the bench's AlexNet layer (3×227×227 → 64, 11×11, stride 4, pad 2:
// 16·3 = 48 blocked channels, 55×55 outputs, partial 4×4 tiles on both edges) with batch 2, and on
// a 5×5 stride-2 layer with groups and reflect padding.
TEST(Conv, SpaceToDepthWinogradMatchesGemm) {
  ConvOptions alexNet;
  alexNet.stride = {4};
  alexNet.padding = {2};
  expectWinogradMatchesGemm(Shape{2, 3, 227, 227}, Shape{64, 3, 11, 11}, alexNet);
  ConvOptions grouped;
  grouped.stride = {2};
  grouped.padding = {2};
  grouped.groups = 2;
  grouped.paddingMode = PaddingMode::Reflect;
  expectWinogradMatchesGemm(Shape{2, 16, 37, 37}, Shape{32, 8, 5, 5}, grouped);
}

} // namespace
} // namespace nnlab
