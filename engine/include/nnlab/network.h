// network.h: a network as a sequence of layers, built from a preset or a layer-list SPEC.
//
// The model-spec language (`nnlab train --model`, the lab's layer editor, scene files): layers
// separated by commas, each NAME or NAME:ARG[:ARG...], spaces ignored.
//
//   linear[:OUT]            fully connected; OUT omitted = the number of classes (the last layer)
//   conv:F[:K[:S[:P]]]      Conv2d with F filters, K×K kernel (3), stride S (1), zero padding P
//                           (K / 2: "same" size for odd K at stride 1)
//   maxpool[:K[:S]]         max pooling K×K (2), stride S (= K)
//   avgpool[:K[:S]]         average pooling
//   bn | batchnorm          batch normalization (per feature, or per channel after a conv)
//   dropout[:P]             inverted dropout with DROP probability P (0.5), as nn.Dropout(p)
//   flatten                 [C, H, W] -> [C·H·W]
//   relu | tanh | sigmoid | leaky_relu | elu | softplus | gelu | silu    (activations.h)
//
// The output layer must produce one logit per class: a spec whose last layer is not
// linear / linear:C is completed with a final "linear" (said in describe()).
// Presets, by name:
//   logistic        linear                                          (softmax regression)
//   mlp             linear:64,relu,linear:64,relu,linear
//   mlp_bn          linear:64,bn,relu,linear:64,bn,relu,linear
//   small_cnn       conv:8,relu,maxpool,conv:16,relu,maxpool,flatten,linear
//   small_cnn_bn    conv:8,bn,relu,maxpool,conv:16,bn,relu,maxpool,flatten,linear
//
// Errors name the token: "model: token 3 'lnear:10': unknown layer 'lnear' (known: ...)".
//
//   Result<ModelSpec> spec = parseModelSpec("mlp");
//   Result<Network> net = Network::build(*spec, Shape{2}, /*classes=*/3, InitScheme::Auto, 7);
//   Tensor logits = net->forward(x, LayerMode::Training);        // [N, 3]
//   CrossEntropy ce = softmaxCrossEntropy(logits, labels);
//   net->backward(ce.gradLogits);                                // every Parameter::grad set
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nnlab/layers.h"
#include "nnlab/status.h"
#include "nnlab/tensor.h"

namespace nnlab {

// One layer of a spec, parsed but not yet sized.
struct LayerSpec {
  LayerKind kind = LayerKind::Linear;
  Index units = 0;    // linear: outputs (0 = the number of classes); conv: filters
  Index kernel = 0;   // conv, pools
  Index stride = 0;   // conv, pools (0 = default)
  Index padding = -1; // conv (−1 = K / 2)
  float dropProbability = 0.5f;
  Activation activation = Activation::ReLU;
  std::string token; // as written, for messages
};

struct ModelSpec {
  std::string name; // the preset's name, or "custom"
  std::vector<LayerSpec> layers;

  // The layer list in canonical form, defaults written out (parseModelSpec(text()) gives the
  // same layers).
  std::string text() const;
};

// A preset name or a layer list.
Result<ModelSpec> parseModelSpec(std::string_view text);
std::vector<std::string> modelPresetNames();
// The layer list of a preset ("" when unknown).
std::string modelPresetSpec(std::string_view name);
// "linear:W1,relu,linear:W2,relu,linear" (with bn before each activation when batchNorm).
std::string mlpSpec(const std::vector<Index>& widths, Activation activation = Activation::ReLU,
                    bool batchNorm = false);

class Network {
public:
  // Builds the layers for samples of shape `sampleShape` ([F] or [C, H, W]) and `classes` outputs
  // and initialises them from `seed`. Errors name the layer that does not fit.
  static Result<Network> build(const ModelSpec& spec, const Shape& sampleShape, Index classes,
                               InitScheme init = InitScheme::Auto, std::uint32_t seed = 0);
  // One sample's output shape after each layer (the output "linear" included when the spec
  // leaves it out), with the errors build() gives, but nothing allocated or drawn: cheap enough
  // to check a model against a data set's sample shape before either exists.
  static Result<std::vector<Shape>> outputShapes(const ModelSpec& spec, const Shape& sampleShape,
                                                 Index classes);

  Network() = default;
  Network(const Network& other);
  Network& operator=(const Network& other);
  Network(Network&&) = default;
  Network& operator=(Network&&) = default;

  // [N, sample...] -> logits [N, classes].
  Tensor forward(const Tensor& input, LayerMode mode);
  // From ∂L/∂logits back to ∂L/∂input; every parameter's grad is written.
  Tensor backward(const Tensor& gradLogits);
  // Evaluation mode without touching the training caches (safe on a copy from another thread).
  Tensor infer(const Tensor& input) const;
  // Re-draws every weight from `seed` (biases and β zero, γ one).
  void initialize(InitScheme init, std::uint32_t seed);
  // Seeds the dropout masks of the next training forward (the training loop passes the step).
  void setDropoutSeed(std::uint32_t seed);

  std::vector<Parameter*> parameters();
  std::vector<const Parameter*> parameters() const;
  Index parameterCount() const;
  const std::vector<std::unique_ptr<Layer>>& layers() const { return layers_; }
  const Shape& sampleShape() const { return sampleShape_; }
  Index classes() const { return classes_; }
  // One line per layer: "Conv2d(1 → 8, 3×3, pad 1)   [8, 28, 28]   80 parameters".
  std::string describe() const;

private:
  std::vector<std::unique_ptr<Layer>> layers_;
  std::vector<Shape> outputShapes_; // per layer, one sample
  Shape sampleShape_;
  Index classes_ = 0;
};

} // namespace nnlab
