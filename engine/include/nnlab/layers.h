// layers.h: the layers of a small trainable network, each with forward and backward.
//
// Sections: parameters and initialisation · the Layer interface · the layers · softmax +
// cross-entropy.
//
// Layouts are PyTorch's, batch first: a fully connected activation is [N, F], an image
// activation [N, C, H, W]. A layer is built once for the shape of ONE sample (`build`), which
// creates its parameters with PyTorch's shapes (Linear weight [out, in], Conv2d weight
// [F, C, k, k], bias [out]); a shape that does not fit is an Error naming the layer.
//
// Training step, for every layer in order and then in reverse:
//   y  = layer.forward(x, LayerMode::Training)      keeps what backward needs (x, mask, x̂, ...)
//   dx = layer.backward(dy)                          writes each Parameter::grad (overwrites)
// `infer` is the evaluation-mode forward of a const layer: nothing cached, so the GUI can run a
// copy of the network (decision boundary, misclassified samples) while the worker trains.
//
// The layers reuse the engine's operators, so the lab trains exactly what the other labs show:
//   Conv2d     conv() and convBackward() (conv.h): cross-correlation, zero padding
//   MaxPool,
//   AvgPool    pool() and poolBackward() (pool.h)
//   BatchNorm  normForward() / normBackward() (norm.h), running statistics, train/eval mode
//   Dropout    dropoutTrain() / dropoutBackward() (dropout.h), inverted form as nn.Dropout
//   Activation the formulas of activations.h; ReLU, tanh and sigmoid vectorised, the others
//              element by element through activate() / activationDerivative()
//
// Determinism: Linear and Conv2d split the batch into a number of chunks fixed by the sizes alone,
// compute each chunk single-threaded and add the chunks' parameter gradients in chunk order, so
// the numbers do not depend on how many threads run (see layers.cpp).
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "nnlab/activations.h"
#include "nnlab/status.h"
#include "nnlab/tensor.h"

namespace nnlab {

// ---- Parameters and initialisation -------------------------------------------------------------

// How a parameter is initialised: weights from their fans, biases and BatchNorm's β at 0,
// BatchNorm's γ at 1 (PyTorch's defaults for the last three).
enum class ParameterRole { Weight, Bias, Gamma, Beta };

struct Parameter {
  std::string name; // "weight", "bias", "gamma", "beta"
  ParameterRole role = ParameterRole::Weight;
  Tensor value;
  Tensor grad;      // ∂L/∂value, same shape; written by the owning layer's backward
  Index fanIn = 0;  // weights: inputs per output unit (in, or C·k·k)
  Index fanOut = 0; // weights: outputs per input unit (out, or F·k·k), as torch.nn.init
};

// Weight initialisation, as torch.nn.init (gain 1 for Xavier, √2 for He):
//   xavier_uniform  U(−a, a),  a = √(6 / (fan_in + fan_out))
//   xavier_normal   N(0, σ²),  σ = √(2 / (fan_in + fan_out))
//   he_uniform      U(−a, a),  a = √(6 / fan_in)        (kaiming_uniform_, nonlinearity='relu')
//   he_normal       N(0, σ²),  σ = √(2 / fan_in)        (kaiming_normal_)
//   auto            He (uniform) for a weight followed (after optional BatchNorm, dropout or
//                   pooling) by a ReLU-family activation, Xavier (uniform) otherwise; and the
//                   output layer's Xavier weights scaled by 0.1, so the initial logits are near 0,
//                   softmax near uniform and the first loss near ln C ("verify the loss at init",
//                   Karpathy's recipe for training neural networks). The four explicit schemes
//                   apply unscaled to every layer: the lab shows the difference.
enum class InitScheme { Auto, XavierUniform, XavierNormal, HeUniform, HeNormal };

// "auto", "xavier_uniform", "xavier_normal", "he_uniform", "he_normal".
std::string_view initSchemeId(InitScheme scheme);
Result<InitScheme> parseInitScheme(std::string_view id);

// Fills a weight with `scheme` (not Auto) from `rng`; the draws come from the raw 32-bit output of
// std::mt19937 (uniform) and Box–Muller (normal), so a seed gives the same weights everywhere.
void initializeWeight(Parameter& weight, InitScheme scheme, std::mt19937& rng);

// ---- The Layer interface
// -------------------------------------------------------------------------

enum class LayerKind { Linear, Conv2d, Activation, MaxPool, AvgPool, BatchNorm, Dropout, Flatten };
enum class LayerMode { Training, Evaluation };

class Layer {
public:
  virtual ~Layer() = default;

  virtual LayerKind kind() const = 0;
  // The layer in the model-spec language (network.h): "linear:64", "conv:8:3", "relu".
  virtual std::string spec() const = 0;
  // As the course writes it: "Linear(64 → 10)", "Conv2d(1 → 8, 3×3, pad 1)".
  virtual std::string describe() const = 0;

  // One sample's output shape for one sample of shape `sampleInput` ([F] or [C, H, W]), or the
  // Error build() would give: the shape rules alone, nothing allocated.
  virtual Result<Shape> outputShape(const Shape& sampleInput) const = 0;
  // Checks that `sampleInput` fits (as outputShape), creates the parameters (uninitialised:
  // zeros) and returns one sample's output shape.
  virtual Result<Shape> build(const Shape& sampleInput) = 0;

  // [N, ...] -> [N, ...]; in Training mode keeps what backward needs. The input is taken by
  // value so that a network can move each activation in (a layer keeps it without a copy).
  virtual Tensor forward(Tensor input, LayerMode mode) = 0;
  // ∂L/∂x from ∂L/∂y of the last forward; writes the parameters' grads.
  virtual Tensor backward(const Tensor& gradOutput) = 0;
  // Evaluation-mode forward without caching anything.
  virtual Tensor infer(const Tensor& input) const = 0;

  virtual std::vector<Parameter*> parameters() { return {}; }
  virtual std::vector<const Parameter*> parameters() const { return {}; }
  virtual std::unique_ptr<Layer> clone() const = 0;

  // Dropout's masks: the seed of the next training forward (the network sets it per step).
  virtual void setSeed(std::uint32_t) {}
};

// ---- The layers
// ------------------------------------------------------------------------------------

// y = x Wᵀ + b, W [out, in], b [out]; input [N, in].
std::unique_ptr<Layer> makeLinear(Index outFeatures, bool bias = true);
// Conv2d(C → filters, kernel×kernel, stride, zero padding) via conv(); input [N, C, H, W].
std::unique_ptr<Layer> makeConv2d(Index filters, Index kernel, Index stride, Index padding,
                                  bool bias = true);
// Element-wise f(x); alpha is LeakyReLU's slope and ELU's scale.
std::unique_ptr<Layer> makeActivation(Activation activation, double alpha = 0.01);
// Max or average pooling over kernel×kernel windows with the given stride (0: = kernel).
std::unique_ptr<Layer> makeMaxPool(Index kernel, Index stride = 0);
std::unique_ptr<Layer> makeAvgPool(Index kernel, Index stride = 0);
// Batch normalization over [N, F] (per feature) or [N, C, H, W] (per channel), affine γ, β,
// running statistics with PyTorch's momentum 0.1; evaluation mode uses the running statistics.
std::unique_ptr<Layer> makeBatchNorm(float eps = 1e-5f, float momentum = 0.1f);
// Inverted dropout with DROP probability p (PyTorch's nn.Dropout(p)); identity in evaluation.
std::unique_ptr<Layer> makeDropout(float dropProbability);
// [N, C, H, W] -> [N, C·H·W], row-major (as torch.flatten(x, 1)).
std::unique_ptr<Layer> makeFlatten();

// ---- Softmax + cross-entropy
// ------------------------------------------------------------------------

// The mean cross-entropy of softmax(logits) against integer labels, computed stably:
//   log ŷ_c = z_c − (max z + ln Σ_j e^(z_j − max z))          (log-sum-exp)
//   L = −(1/N) Σ_n log ŷ_{n, y_n},   ∂L/∂z = (ŷ − onehot(y)) / N
// Labels must lie in [0, C).
struct CrossEntropy {
  double loss = 0;   // mean over the batch
  Index correct = 0; // samples whose arg-max logit is the label
  Tensor gradLogits; // ∂L/∂z, [N, C] (empty unless asked for)
};
CrossEntropy softmaxCrossEntropy(const Tensor& logits, const std::vector<int>& labels,
                                 bool withGradient = true);

// Row-wise softmax of [N, C] logits (probabilities for the lab's decision boundary).
Tensor softmax(const Tensor& logits);

} // namespace nnlab
