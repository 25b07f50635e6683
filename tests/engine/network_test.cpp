// Tests for network.h: the model-spec language (presets, defaults, errors naming the token),
// building (shapes, parameter counts, errors naming the layer, the same shapes and errors from
// outputShapes without building), copies, and whole networks against PyTorch 1.13
// (tests/golden/make_train_golden.py): the same weights and batch give the same logits, loss and
// every parameter gradient, and three SGD-momentum / Adam steps the same losses and parameters
// (the training step of training.h, with ParameterOptimizer).
#include "nnlab/network.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "nnlab/param_optim.h"

namespace nnlab {
namespace {

using nlohmann::json;

// ---- The spec language --------------------------------------------------------------------------

TEST(ModelSpec, PresetsParseAndExpandDefaults) {
  Result<ModelSpec> cnn = parseModelSpec("small_cnn");
  ASSERT_TRUE(cnn) << cnn.error().message();
  EXPECT_EQ(cnn->name, "small_cnn");
  // conv:8 -> 3×3, stride 1, padding 3/2 = 1; maxpool -> 2×2 stride 2.
  EXPECT_EQ(cnn->text(),
            "conv:8:3:1:1,relu,maxpool:2:2,conv:16:3:1:1,relu,maxpool:2:2,flatten,linear");
  for (const std::string& name : modelPresetNames()) EXPECT_TRUE(parseModelSpec(name)) << name;
  EXPECT_EQ(mlpSpec({32, 16}, Activation::Tanh, true),
            "linear:32,bn,tanh,linear:16,bn,tanh,linear");
}

TEST(ModelSpec, LayerListWithSpacesAndAliases) {
  Result<ModelSpec> spec = parseModelSpec(" linear:64 , relu, dropout:0.2, batchnorm, linear ");
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(spec->name, "custom");
  EXPECT_EQ(spec->text(), "linear:64,relu,dropout:0.2,bn,linear");
}

TEST(ModelSpec, ErrorsNameTheToken) {
  struct Case {
    const char* text;
    const char* expected;
  };
  for (const Case& c :
       {Case{"linear:64,relu,lnear", "token 3 'lnear': unknown layer 'lnear'"},
        Case{"conv", "token 1 'conv': needs the number of filters"},
        Case{"conv:8:0", "token 1 'conv:8:0': K (kernel) must be a whole number ≥ 1"},
        Case{"linear:abc", "token 1 'linear:abc': OUT must be a whole number"},
        Case{"dropout:1.5", "token 1 'dropout:1.5': P is the drop probability"},
        Case{"relu:3", "token 1 'relu:3': takes at most 0 arguments"},
        Case{"linear,,relu", "token 2 is empty"}, Case{"", "empty"}}) {
    Result<ModelSpec> spec = parseModelSpec(c.text);
    ASSERT_FALSE(spec) << c.text;
    EXPECT_EQ(spec.error().where, "model");
    EXPECT_NE(spec.error().what.find(c.expected), std::string::npos)
        << c.text << " -> " << spec.error().what;
  }
}

// ---- Building -----------------------------------------------------------------------------------

TEST(Network, SmallCnnShapesAndParameterCount) {
  // 28×28 → conv 8 (8·1·9 + 8 = 80) → pool 14×14 → conv 16 (16·8·9 + 16 = 1168) → pool 7×7 →
  // flatten 784 → linear 10 (7840 + 10 = 7850): 9098 parameters.
  Result<Network> built = Network::build(*parseModelSpec("small_cnn"), Shape{1, 28, 28}, 10);
  ASSERT_TRUE(built) << built.error().message();
  Network net = std::move(built).value();
  EXPECT_EQ(net.parameterCount(), 9098);
  EXPECT_EQ(net.parameters().size(), 6u);
  Tensor x(Shape{3, 1, 28, 28}, 0.5f);
  EXPECT_EQ(net.forward(x, LayerMode::Training).shape(), (Shape{3, 10}));
  EXPECT_EQ(net.infer(x).shape(), (Shape{3, 10}));
}

TEST(Network, OutputLayerIsAddedWhenMissing) {
  Result<Network> net = Network::build(*parseModelSpec("linear:8,relu"), Shape{2}, 3);
  ASSERT_TRUE(net) << net.error().message();
  EXPECT_EQ(net->layers().size(), 3u);
  EXPECT_EQ(net->layers().back()->describe(), "Linear(8 → 3)");
}

TEST(Network, BuildErrorsNameTheLayer) {
  Result<Network> flat = Network::build(*parseModelSpec("conv:4,relu"), Shape{2}, 2);
  ASSERT_FALSE(flat);
  EXPECT_NE(flat.error().what.find("layer 1 'conv:4'"), std::string::npos) << flat.error().what;
  Result<Network> noFlatten = Network::build(*parseModelSpec("conv:4,linear"), Shape{1, 8, 8}, 2);
  ASSERT_FALSE(noFlatten);
  EXPECT_NE(noFlatten.error().what.find("layer 2 'linear'"), std::string::npos);
  EXPECT_NE(noFlatten.error().what.find("flatten"), std::string::npos);
  Result<Network> wrongOut = Network::build(*parseModelSpec("linear:5"), Shape{2}, 3);
  ASSERT_FALSE(wrongOut);
  EXPECT_NE(wrongOut.error().what.find("3 classes"), std::string::npos) << wrongOut.error().what;
  Result<Network> tooSmall =
      Network::build(*parseModelSpec("maxpool:4,flatten,linear"), Shape{1, 3, 3}, 2);
  ASSERT_FALSE(tooSmall);
  EXPECT_NE(tooSmall.error().what.find("layer 1 'maxpool:4'"), std::string::npos);
}

TEST(Network, OutputShapesAreTheBuiltShapesAndBuildsErrors) {
  // small_cnn on 28×28: [8, 28, 28] → relu → pool [8, 14, 14] → [16, 14, 14] → relu →
  // [16, 7, 7] → flatten [784] → linear [10], as describe() of the built network lists them.
  const ModelSpec cnn = *parseModelSpec("small_cnn");
  Result<std::vector<Shape>> shapes = Network::outputShapes(cnn, Shape{1, 28, 28}, 10);
  ASSERT_TRUE(shapes) << shapes.error().message();
  EXPECT_EQ(*shapes, (std::vector<Shape>{{8, 28, 28},
                                         {8, 28, 28},
                                         {8, 14, 14},
                                         {16, 14, 14},
                                         {16, 14, 14},
                                         {16, 7, 7},
                                         {784},
                                         {10}}));
  // The completed spec: "linear:8,relu" gains its output layer.
  EXPECT_EQ(Network::outputShapes(*parseModelSpec("linear:8,relu"), Shape{2}, 3)->size(), 3u);
  // Every build error comes from outputShapes, word for word.
  struct Case {
    const char* spec;
    Shape sample;
    Index classes;
  };
  for (const Case& c :
       {Case{"conv:4,relu", Shape{2}, 2}, Case{"conv:4,linear", Shape{1, 8, 8}, 2},
        Case{"linear:5", Shape{2}, 3}, Case{"maxpool:4,flatten,linear", Shape{1, 3, 3}, 2},
        Case{"mlp", Shape{2}, 1}}) {
    const ModelSpec spec = *parseModelSpec(c.spec);
    Result<std::vector<Shape>> checked = Network::outputShapes(spec, c.sample, c.classes);
    Result<Network> built = Network::build(spec, c.sample, c.classes);
    ASSERT_FALSE(checked) << c.spec;
    ASSERT_FALSE(built) << c.spec;
    EXPECT_EQ(checked.error().message(), built.error().message()) << c.spec;
  }
}

TEST(Network, SeededInitialisationAndIndependentCopies) {
  const ModelSpec spec = *parseModelSpec("mlp");
  Network a = *Network::build(spec, Shape{2}, 2, InitScheme::Auto, 5);
  Network b = *Network::build(spec, Shape{2}, 2, InitScheme::Auto, 5);
  Network c = *Network::build(spec, Shape{2}, 2, InitScheme::Auto, 6);
  EXPECT_EQ(a.parameters()[0]->value.values(), b.parameters()[0]->value.values());
  EXPECT_NE(a.parameters()[0]->value.values(), c.parameters()[0]->value.values());
  Network copy = a;
  copy.parameters()[0]->value.fill(0.0f);
  EXPECT_EQ(a.parameters()[0]->value.values(), b.parameters()[0]->value.values());
}

// ---- PyTorch agreement --------------------------------------------------------------------------

json loadGolden() {
  std::ifstream in(std::string(NNLAB_GOLDEN_DIR) + "/train_networks.json");
  EXPECT_TRUE(in) << "missing golden file; run tests/golden/make_train_golden.py";
  json doc;
  in >> doc;
  return doc;
}

Tensor tensorOf(const json& shape, const json& values) {
  return Tensor(Shape(shape.get<std::vector<Index>>()), values.get<std::vector<float>>());
}

void expectValuesNear(const std::vector<float>& actual, const json& expected, double tolerance,
                      const std::string& what) {
  const std::vector<float> want = expected.get<std::vector<float>>();
  ASSERT_EQ(actual.size(), want.size()) << what;
  for (size_t i = 0; i < want.size(); ++i)
    ASSERT_NEAR(actual[i], want[i], tolerance * (1 + std::fabs(want[i])))
        << what << "[" << i << "]";
}

Network networkFromGolden(const json& c) {
  Result<ModelSpec> spec = parseModelSpec(c["spec"].get<std::string>());
  EXPECT_TRUE(spec);
  std::vector<Index> xShape = c["x_shape"].get<std::vector<Index>>();
  xShape.erase(xShape.begin());
  Result<Network> built = Network::build(*spec, Shape(xShape), c["classes"].get<Index>());
  EXPECT_TRUE(built) << built.error().message();
  Network net = std::move(built).value();
  std::vector<Parameter*> params = net.parameters();
  EXPECT_EQ(params.size(), c["parameters"].size());
  for (size_t i = 0; i < params.size(); ++i) {
    const json& p = c["parameters"][i];
    Tensor value = tensorOf(p["shape"], p["value"]);
    EXPECT_EQ(value.shape(), params[i]->value.shape()) << c["name"] << " parameter " << i;
    params[i]->value = value;
  }
  return net;
}

TEST(NetworkGolden, LossLogitsAndEveryGradientMatchPyTorch) {
  const json doc = loadGolden();
  for (const json& c : doc["cases"]) {
    const std::string name = c["name"];
    Network net = networkFromGolden(c);
    const Tensor x = tensorOf(c["x_shape"], c["x"]);
    const std::vector<int> labels = c["labels"].get<std::vector<int>>();
    const Tensor logits = net.forward(x, LayerMode::Training);
    expectValuesNear(logits.toVector(), c["logits"], 1e-5, name + " logits");
    const CrossEntropy ce = softmaxCrossEntropy(logits, labels);
    EXPECT_NEAR(ce.loss, c["loss"].get<double>(), 1e-5) << name;
    net.backward(ce.gradLogits);
    std::vector<Parameter*> params = net.parameters();
    for (size_t i = 0; i < params.size(); ++i)
      expectValuesNear(params[i]->grad.toVector(), c["grads"][i], 1e-4,
                       name + " grad of parameter " + std::to_string(i) + " (" + params[i]->name +
                           ")");
  }
}

TEST(NetworkGolden, ThreeOptimizerStepsMatchPyTorch) {
  // torch.optim.SGD(lr=0.1, momentum=0.9) and Adam(lr=0.01) on float32 parameters, 3 steps on
  // the same batch in training mode.
  const json doc = loadGolden();
  for (const json& c : doc["cases"]) {
    for (const json& run : c["runs"]) {
      const std::string name =
          c["name"].get<std::string>() + "/" + run["optimizer"].get<std::string>();
      Network net = networkFromGolden(c);
      const Tensor x = tensorOf(c["x_shape"], c["x"]);
      const std::vector<int> labels = c["labels"].get<std::vector<int>>();
      const OptimizerKind kind =
          run["optimizer"] == "adam" ? OptimizerKind::Adam : OptimizerKind::Momentum;
      OptimizerConfig config = defaultOptimizerConfig(kind);
      config.lr = run["lr"].get<double>();
      ParameterOptimizer opt = *ParameterOptimizer::make(kind, config);
      for (size_t step = 0; step < 3; ++step) {
        const CrossEntropy ce = softmaxCrossEntropy(net.forward(x, LayerMode::Training), labels);
        EXPECT_NEAR(ce.loss, run["losses"][step].get<double>(), 1e-4) << name << " step " << step;
        net.backward(ce.gradLogits);
        opt.step(net.parameters(), config.lr);
      }
      std::vector<Parameter*> params = net.parameters();
      for (size_t i = 0; i < params.size(); ++i) {
        // A bias right before BatchNorm has gradient 0 in exact arithmetic (the normalization
        // subtracts it again); both frameworks get rounding noise ~1e-9 there, which Adam's
        // m / √v turns into steps of ±η with a random sign. Nothing to compare.
        const std::vector<float> g0 = c["grads"][i].get<std::vector<float>>();
        const float largest = std::abs(*std::max_element(
            g0.begin(), g0.end(), [](float a, float b) { return std::abs(a) < std::abs(b); }));
        if (kind == OptimizerKind::Adam && largest < 1e-5f) continue;
        expectValuesNear(params[i]->value.toVector(), run["after"][i], 1e-4,
                         name + " parameter " + std::to_string(i) + " after 3 steps");
      }
    }
  }
}

} // namespace
} // namespace nnlab
