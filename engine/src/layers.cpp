#include "nnlab/layers.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

#include <omp.h>

#include "nnlab/conv.h"
#include "nnlab/dropout.h"
#include "nnlab/norm.h"
#include "nnlab/pool.h"
#include "nnlab/tensor_eigen.h"
#include "random_draws.h"

namespace nnlab {
namespace {

// ---- Deterministic batch chunks --------------------------------------------------------------
// Eigen picks its GEMM blocking from the number of threads it may use, so one product can round
// differently with 1 and 2 threads. Linear and Conv2d therefore split the batch into chunks whose
// count depends on the sizes only, run every chunk with one thread (omp_set_num_threads(1) holds
// for the chunk's task: Eigen and conv()'s own loops then stay serial and tile the same way) and
// add the chunks' parameter gradients in chunk order.

constexpr Index kMaxChunks = 8;

// About 512k multiply-adds per chunk at least (below that, waking a second thread costs more
// than it saves, and far more on a loaded machine), at most one sample per chunk, at most 8 chunks.
Index chunkCount(Index batch, double workPerSample) {
  const double total = workPerSample * static_cast<double>(batch);
  const Index byWork = static_cast<Index>(total / 524288.0) + 1;
  return std::clamp<Index>(std::min(byWork, kMaxChunks), 1, std::max<Index>(batch, 1));
}

struct ChunkRange {
  Index begin, end;
};
ChunkRange chunkRange(Index batch, Index chunks, Index c) {
  return {batch * c / chunks, batch * (c + 1) / chunks};
}

template <class Fn> void forEachChunk(Index chunks, Fn fn) {
  if (chunks == 1) { // small work: no parallel region to wake, but still single-threaded inside
    const int threads = omp_get_max_threads();
    omp_set_num_threads(1);
    fn(Index{0});
    omp_set_num_threads(threads);
    return;
  }
#pragma omp parallel for schedule(static)
  for (Index c = 0; c < chunks; ++c) {
    omp_set_num_threads(1);
    fn(c);
  }
}

// Rows [begin, end) of the outermost axis, copied.
Tensor sliceBatch(const Tensor& x, Index begin, Index end) {
  Shape shape = x.shape();
  const Index perSample = x.numel() / std::max<Index>(shape[0], 1);
  shape[0] = end - begin;
  Tensor out(shape);
  std::memcpy(out.data(), x.data() + begin * perSample,
              static_cast<size_t>((end - begin) * perSample) * sizeof(float));
  return out;
}

void copyIntoBatch(const Tensor& part, Tensor& whole, Index begin) {
  std::memcpy(whole.data() + begin * (part.numel() / std::max<Index>(part.dim(0), 1)), part.data(),
              static_cast<size_t>(part.numel()) * sizeof(float));
}

Shape withBatch(Index batch, const Shape& sample) {
  std::vector<Index> dims{batch};
  for (int a = 0; a < sample.rank(); ++a) dims.push_back(sample[a]);
  return Shape(dims);
}

std::string shapeText(const Shape& s) {
  return "[" + s.toString() + "]";
}

// ---- Linear ----------------------------------------------------------------------------------

class LinearLayer final : public Layer {
public:
  LinearLayer(Index out, bool bias) : out_(out), hasBias_(bias) {}

  LayerKind kind() const override { return LayerKind::Linear; }
  std::string spec() const override { return "linear:" + std::to_string(out_); }
  std::string describe() const override {
    return "Linear(" + std::to_string(in_) + " → " + std::to_string(out_) + ")";
  }

  Result<Shape> outputShape(const Shape& sample) const override {
    if (sample.rank() != 1)
      return Error{spec(), "needs a flat input [features], got " + shapeText(sample) +
                               " (put 'flatten' before it)"};
    if (out_ < 1) return Error{spec(), "needs at least 1 output"};
    return Shape{out_};
  }
  Result<Shape> build(const Shape& sample) override {
    Result<Shape> out = outputShape(sample);
    if (!out) return out;
    in_ = sample[0];
    weight_ = {
        "weight", ParameterRole::Weight, Tensor(Shape{out_, in_}), Tensor(Shape{out_, in_}), in_,
        out_};
    if (hasBias_) bias_ = {"bias", ParameterRole::Bias, Tensor(Shape{out_}), Tensor(Shape{out_})};
    return out;
  }

  Tensor forward(Tensor x, LayerMode) override {
    input_ = std::move(x);
    return infer(input_);
  }

  Tensor infer(const Tensor& x) const override {
    const Index n = x.dim(0);
    Tensor y(Shape{n, out_});
    const Index chunks = chunkCount(n, static_cast<double>(in_ * out_));
    ConstMatrixMap w = asMatrix(weight_.value, out_, in_);
    forEachChunk(chunks, [&](Index c) {
      const auto [b, e] = chunkRange(n, chunks, c);
      ConstMatrixMap xs(x.data() + b * in_, e - b, in_);
      MatrixMap ys(y.data() + b * out_, e - b, out_);
      ys.noalias() = xs * w.transpose();
      if (hasBias_) ys.rowwise() += asMatrix(bias_.value, 1, out_).row(0);
    });
    return y;
  }

  Tensor backward(const Tensor& dy) override {
    const Index n = input_.dim(0);
    Tensor dx(input_.shape());
    const Index chunks = chunkCount(n, static_cast<double>(in_ * out_));
    ConstMatrixMap w = asMatrix(std::as_const(weight_.value), out_, in_);
    std::vector<RowMatrixXf> dW(static_cast<size_t>(chunks));
    std::vector<RowMatrixXf> db(static_cast<size_t>(chunks));
    forEachChunk(chunks, [&](Index c) {
      const auto [b, e] = chunkRange(n, chunks, c);
      ConstMatrixMap xs(input_.data() + b * in_, e - b, in_);
      ConstMatrixMap dys(dy.data() + b * out_, e - b, out_);
      MatrixMap dxs(dx.data() + b * in_, e - b, in_);
      dxs.noalias() = dys * w;                                        // ∂L/∂x = ∂L/∂y W
      dW[static_cast<size_t>(c)].noalias() = dys.transpose() * xs;    // ∂L/∂W = ∂L/∂yᵀ x
      if (hasBias_) db[static_cast<size_t>(c)] = dys.colwise().sum(); // ∂L/∂b = Σ_n ∂L/∂y
    });
    MatrixMap gw = asMatrix(weight_.grad, out_, in_);
    gw = dW[0];
    for (size_t c = 1; c < dW.size(); ++c) gw += dW[c];
    if (hasBias_) {
      MatrixMap gb = asMatrix(bias_.grad, 1, out_);
      gb = db[0];
      for (size_t c = 1; c < db.size(); ++c) gb += db[c];
    }
    return dx;
  }

  std::vector<Parameter*> parameters() override {
    if (hasBias_) return {&weight_, &bias_};
    return {&weight_};
  }
  std::vector<const Parameter*> parameters() const override {
    if (hasBias_) return {&weight_, &bias_};
    return {&weight_};
  }
  std::unique_ptr<Layer> clone() const override { return std::make_unique<LinearLayer>(*this); }

private:
  Index in_ = 0, out_ = 0;
  bool hasBias_ = true;
  Parameter weight_, bias_;
  Tensor input_;
};

// ---- Conv2d ----------------------------------------------------------------------------------

class Conv2dLayer final : public Layer {
public:
  Conv2dLayer(Index filters, Index kernel, Index stride, Index padding, bool bias)
      : filters_(filters), kernel_(kernel), stride_(stride), padding_(padding), hasBias_(bias) {
    options_.stride = {stride};
    options_.padding = {padding};
  }

  LayerKind kind() const override { return LayerKind::Conv2d; }
  std::string spec() const override {
    return "conv:" + std::to_string(filters_) + ":" + std::to_string(kernel_) + ":" +
           std::to_string(stride_) + ":" + std::to_string(padding_);
  }
  std::string describe() const override {
    std::string d = "Conv2d(" + std::to_string(channels_) + " → " + std::to_string(filters_) +
                    ", " + std::to_string(kernel_) + "×" + std::to_string(kernel_);
    if (stride_ != 1) d += ", stride " + std::to_string(stride_);
    if (padding_ != 0) d += ", pad " + std::to_string(padding_);
    return d + ")";
  }

  Result<Shape> outputShape(const Shape& sample) const override {
    if (sample.rank() != 3)
      return Error{spec(), "needs an image input [C, H, W], got " + shapeText(sample)};
    Result<ConvGeometry> g =
        convGeometry(sample[0], {sample[1], sample[2]}, filters_, {kernel_, kernel_}, options_);
    if (!g) return Error{spec(), g.error().message() + " for input " + shapeText(sample)};
    return Shape{filters_, g->outputSize[0], g->outputSize[1]};
  }
  Result<Shape> build(const Shape& sample) override {
    Result<Shape> out = outputShape(sample);
    if (!out) return out;
    channels_ = sample[0];
    const Shape w{filters_, channels_, kernel_, kernel_};
    const Index k2 = kernel_ * kernel_;
    weight_ = {"weight",  ParameterRole::Weight, Tensor(w),
               Tensor(w), channels_ * k2,        filters_ * k2};
    if (hasBias_)
      bias_ = {"bias", ParameterRole::Bias, Tensor(Shape{filters_}), Tensor(Shape{filters_})};
    outputPlane_ = (*out)[1] * (*out)[2];
    return out;
  }

  Tensor forward(Tensor x, LayerMode) override {
    // The chunks are kept for backward, which works on the same split.
    const Index n = x.dim(0), chunks = chunkCount(n, workPerSample());
    inputChunks_.clear();
    if (chunks == 1) {
      inputChunks_.push_back(std::move(x));
    } else {
      for (Index c = 0; c < chunks; ++c) {
        const auto [b, e] = chunkRange(n, chunks, c);
        inputChunks_.push_back(sliceBatch(x, b, e));
      }
    }
    return convolveChunks(inputChunks_, n);
  }

  Tensor infer(const Tensor& x) const override {
    const Index n = x.dim(0), chunks = chunkCount(n, workPerSample());
    std::vector<Tensor> parts;
    for (Index c = 0; c < chunks; ++c) {
      const auto [b, e] = chunkRange(n, chunks, c);
      parts.push_back(chunks == 1 ? x : sliceBatch(x, b, e));
    }
    return convolveChunks(parts, n);
  }

  Tensor backward(const Tensor& dy) override {
    const Index n = dy.dim(0);
    const Index chunks = static_cast<Index>(inputChunks_.size());
    std::vector<ConvGradients> parts(static_cast<size_t>(chunks));
    forEachChunk(chunks, [&](Index c) {
      const auto [b, e] = chunkRange(n, chunks, c);
      Result<ConvGradients> g =
          convBackward(inputChunks_[static_cast<size_t>(c)], weight_.value, hasBias_,
                       chunks == 1 ? dy : sliceBatch(dy, b, e), options_);
      assert(g && "Conv2d: geometry was checked by build()");
      parts[static_cast<size_t>(c)] = std::move(g).value();
    });
    if (chunks == 1) {
      weight_.grad = std::move(parts[0].weight);
      if (hasBias_) bias_.grad = std::move(parts[0].bias);
      return std::move(parts[0].input);
    }
    Shape inputShape = inputChunks_[0].shape();
    inputShape[0] = n;
    Tensor dx(inputShape);
    Eigen::Map<Eigen::VectorXf> gw = asVector(weight_.grad);
    gw.setZero();
    if (hasBias_) bias_.grad.fill(0.0f);
    for (Index c = 0; c < chunks; ++c) { // in chunk order: the same sums with any thread count
      const ConvGradients& g = parts[static_cast<size_t>(c)];
      copyIntoBatch(g.input, dx, chunkRange(n, chunks, c).begin);
      gw += asVector(g.weight);
      if (hasBias_) asVector(bias_.grad) += asVector(g.bias);
    }
    return dx;
  }

  std::vector<Parameter*> parameters() override {
    if (hasBias_) return {&weight_, &bias_};
    return {&weight_};
  }
  std::vector<const Parameter*> parameters() const override {
    if (hasBias_) return {&weight_, &bias_};
    return {&weight_};
  }
  std::unique_ptr<Layer> clone() const override { return std::make_unique<Conv2dLayer>(*this); }

private:
  Tensor convolveChunks(const std::vector<Tensor>& chunks, Index n) const {
    const Index count = static_cast<Index>(chunks.size());
    std::vector<Tensor> parts(chunks.size());
    forEachChunk(count, [&](Index c) {
      Result<Tensor> y = conv(chunks[static_cast<size_t>(c)], weight_.value,
                              hasBias_ ? bias_.value : Tensor(), options_);
      assert(y && "Conv2d: geometry was checked by build()");
      parts[static_cast<size_t>(c)] = std::move(y).value();
    });
    if (count == 1) return std::move(parts[0]);
    Shape outShape = parts[0].shape();
    outShape[0] = n;
    Tensor y(outShape);
    for (Index c = 0; c < count; ++c)
      copyIntoBatch(parts[static_cast<size_t>(c)], y, chunkRange(n, count, c).begin);
    return y;
  }

  double workPerSample() const {
    return static_cast<double>(filters_ * channels_ * kernel_ * kernel_ * outputPlane_);
  }

  Index filters_, kernel_, stride_, padding_;
  bool hasBias_;
  Index channels_ = 0, outputPlane_ = 0;
  ConvOptions options_;
  Parameter weight_, bias_;
  std::vector<Tensor> inputChunks_; // the last training input, split as backward will use it
};

// ---- Activation ------------------------------------------------------------------------------

// Element-wise loops are memory-bound: a second thread pays off only on large activations (and
// every parallel region is a chance to wait for a descheduled thread on a loaded machine).
constexpr Index kParallelElements = 1 << 20;

// body(begin, end) over [0, n): inline below kParallelElements, else one contiguous chunk per
// OpenMP thread. The body's plain loop is what the compiler vectorizes: GCC 12 left the loop of
// `parallel for simd ... if (...)` scalar and branchy, and ran it through the outlined parallel
// function even when the if clause was false (measured 15 % of a small-CNN step in ReLU').
template <class Body> void elementwise(Index n, Body body) {
  if (n <= kParallelElements) {
    body(Index{0}, n);
    return;
  }
  const Index chunks = omp_get_max_threads();
#pragma omp parallel for schedule(static)
  for (Index chunk = 0; chunk < chunks; ++chunk) body(n * chunk / chunks, n * (chunk + 1) / chunks);
}

class ActivationLayer final : public Layer {
public:
  ActivationLayer(Activation a, double alpha) : activation_(a), alpha_(alpha) {}

  LayerKind kind() const override { return LayerKind::Activation; }
  std::string spec() const override { return std::string(activationId(activation_)); }
  std::string describe() const override { return std::string(activationName(activation_)); }
  Result<Shape> outputShape(const Shape& sample) const override { return sample; }
  Result<Shape> build(const Shape& sample) override { return outputShape(sample); }

  Tensor forward(Tensor x, LayerMode) override {
    // ReLU, tanh and sigmoid differentiate from their output (y > 0, 1 − y², y(1 − y)); the
    // others from their input.
    output_ = infer(x);
    if (usesOutput()) return output_;
    input_ = std::move(x);
    return output_;
  }

  Tensor infer(const Tensor& x) const override {
    Tensor y(x.shape());
    const float* in = x.data();
    float* out = y.data();
    const Index n = x.numel();
    switch (activation_) {
    case Activation::ReLU:
      elementwise(n, [=](Index begin, Index end) {
        for (Index i = begin; i < end; ++i) out[i] = in[i] > 0.0f ? in[i] : 0.0f;
      });
      break;
    case Activation::Tanh: asVector(y) = asVector(x).array().tanh().matrix(); break;
    case Activation::Sigmoid:
      // σ(x) = 1 / (1 + e⁻ˣ); e⁻ˣ overflowing to +∞ gives σ = 0, the right limit.
      asVector(y) = (1.0f + (-asVector(x).array()).exp()).inverse().matrix();
      break;
    default:
      for (Index i = 0; i < n; ++i)
        out[i] = static_cast<float>(activate(activation_, in[i], alpha_));
    }
    return y;
  }

  Tensor backward(const Tensor& dy) override {
    Tensor dx(dy.shape());
    const float* g = dy.data();
    const float* x = input_.data();
    const float* y = output_.data();
    float* out = dx.data();
    const Index n = dy.numel();
    switch (activation_) {
    case Activation::ReLU: // ReLU'(0) = 0, PyTorch's convention (activations.h): y > 0 ⇔ x > 0
      elementwise(n, [=](Index begin, Index end) {
        for (Index i = begin; i < end; ++i) out[i] = y[i] > 0.0f ? g[i] : 0.0f;
      });
      break;
    case Activation::Tanh: // tanh' = 1 − y²
      for (Index i = 0; i < n; ++i) out[i] = g[i] * (1.0f - y[i] * y[i]);
      break;
    case Activation::Sigmoid: // σ' = σ(1 − σ)
      for (Index i = 0; i < n; ++i) out[i] = g[i] * y[i] * (1.0f - y[i]);
      break;
    default:
      for (Index i = 0; i < n; ++i)
        out[i] = static_cast<float>(g[i] * activationDerivative(activation_, x[i], alpha_));
    }
    return dx;
  }

  std::unique_ptr<Layer> clone() const override { return std::make_unique<ActivationLayer>(*this); }

private:
  bool usesOutput() const {
    return activation_ == Activation::ReLU || activation_ == Activation::Tanh ||
           activation_ == Activation::Sigmoid;
  }

  Activation activation_;
  double alpha_;
  Tensor input_, output_;
};

// ---- Pooling ---------------------------------------------------------------------------------

class PoolLayer final : public Layer {
public:
  PoolLayer(PoolKind kind, Index kernel, Index stride)
      : kernel_(kernel), stride_(stride == 0 ? kernel : stride) {
    options_.kind = kind;
    options_.kernel = {kernel_};
    options_.stride = {stride_};
  }

  LayerKind kind() const override {
    return options_.kind == PoolKind::Max ? LayerKind::MaxPool : LayerKind::AvgPool;
  }
  std::string spec() const override {
    return std::string(options_.kind == PoolKind::Max ? "maxpool:" : "avgpool:") +
           std::to_string(kernel_) + ":" + std::to_string(stride_);
  }
  std::string describe() const override {
    return std::string(options_.kind == PoolKind::Max ? "MaxPool(" : "AvgPool(") +
           std::to_string(kernel_) + "×" + std::to_string(kernel_) +
           (stride_ != kernel_ ? ", stride " + std::to_string(stride_) : std::string()) + ")";
  }

  Result<Shape> outputShape(const Shape& sample) const override {
    if (sample.rank() != 3)
      return Error{spec(), "needs an image input [C, H, W], got " + shapeText(sample)};
    Result<PoolGeometry> g = poolGeometry({sample[1], sample[2]}, options_);
    if (!g) return Error{spec(), g.error().message() + " for input " + shapeText(sample)};
    return Shape{sample[0], g->outputSize[0], g->outputSize[1]};
  }
  Result<Shape> build(const Shape& sample) override { return outputShape(sample); }

  Tensor forward(Tensor x, LayerMode) override {
    input_ = std::move(x);
    return infer(input_);
  }
  Tensor infer(const Tensor& x) const override {
    Result<Tensor> y = pool(x, options_);
    assert(y && "pooling geometry was checked by build()");
    return std::move(y).value();
  }
  Tensor backward(const Tensor& dy) override {
    Result<Tensor> dx = poolBackward(input_, dy, options_);
    assert(dx && "pooling geometry was checked by build()");
    return std::move(dx).value();
  }
  std::unique_ptr<Layer> clone() const override { return std::make_unique<PoolLayer>(*this); }

private:
  Index kernel_, stride_;
  PoolOptions options_;
  Tensor input_;
};

// ---- BatchNorm -------------------------------------------------------------------------------

class BatchNormLayer final : public Layer {
public:
  BatchNormLayer(float eps, float momentum) {
    spec_.kind = NormKind::Batch;
    spec_.eps = eps;
    spec_.momentum = momentum;
  }

  LayerKind kind() const override { return LayerKind::BatchNorm; }
  std::string spec() const override { return "bn"; }
  std::string describe() const override { return "BatchNorm(" + std::to_string(channels_) + ")"; }

  Result<Shape> outputShape(const Shape& sample) const override {
    if (sample.rank() != 1 && sample.rank() != 3)
      return Error{spec(), "needs [features] or [C, H, W], got " + shapeText(sample)};
    return sample;
  }
  Result<Shape> build(const Shape& sample) override {
    Result<Shape> out = outputShape(sample);
    if (!out) return out;
    channels_ = sample[0];
    const Shape c{channels_};
    gamma_ = {"gamma", ParameterRole::Gamma, Tensor(c, 1.0f), Tensor(c)};
    beta_ = {"beta", ParameterRole::Beta, Tensor(c), Tensor(c)};
    running_ = RunningStats::initial(channels_);
    return out;
  }

  Tensor forward(Tensor x, LayerMode mode) override {
    if (mode == LayerMode::Evaluation) return infer(x);
    NormSpec spec = spec_;
    spec.mode = NormMode::Training;
    Result<NormForward> f = normForward(x, spec, {gamma_.value, beta_.value}, &running_);
    if (!f) return nanLike(x); // a diverged run (NaN input): keep going, the loss shows it
    input_ = std::move(x);
    running_ = f->running;
    forward_ = std::move(f).value();
    return forward_.output;
  }

  Tensor infer(const Tensor& x) const override {
    NormSpec spec = spec_;
    spec.mode = NormMode::Evaluation;
    Result<NormForward> f = normForward(x, spec, {gamma_.value, beta_.value}, &running_);
    if (!f) return nanLike(x);
    return std::move(f).value().output;
  }

  Tensor backward(const Tensor& dy) override {
    Result<NormBackward> b = normBackward(dy, input_, forward_, {gamma_.value, beta_.value});
    if (!b) {
      gamma_.grad.fill(NAN);
      beta_.grad.fill(NAN);
      return nanLike(dy);
    }
    gamma_.grad = b->dGamma;
    beta_.grad = b->dBeta;
    return b->dInput;
  }

  std::vector<Parameter*> parameters() override { return {&gamma_, &beta_}; }
  std::vector<const Parameter*> parameters() const override { return {&gamma_, &beta_}; }
  std::unique_ptr<Layer> clone() const override { return std::make_unique<BatchNormLayer>(*this); }

private:
  static Tensor nanLike(const Tensor& x) { return Tensor(x.shape(), NAN); }

  NormSpec spec_;
  Index channels_ = 0;
  Parameter gamma_, beta_;
  RunningStats running_;
  Tensor input_;
  NormForward forward_;
};

// ---- Dropout ---------------------------------------------------------------------------------

class DropoutLayer final : public Layer {
public:
  explicit DropoutLayer(float drop) : drop_(drop) { spec_.keepProbability = 1.0f - drop; }

  LayerKind kind() const override { return LayerKind::Dropout; }
  std::string spec() const override {
    char text[32];
    std::snprintf(text, sizeof text, "dropout:%g", static_cast<double>(drop_));
    return text;
  }
  std::string describe() const override {
    char text[32];
    std::snprintf(text, sizeof text, "Dropout(p=%g)", static_cast<double>(drop_));
    return text;
  }
  Result<Shape> outputShape(const Shape& sample) const override {
    if (!(drop_ >= 0.0f && drop_ < 1.0f))
      return Error{spec(), "the drop probability must lie in [0, 1)"};
    return sample;
  }
  Result<Shape> build(const Shape& sample) override { return outputShape(sample); }

  Tensor forward(Tensor x, LayerMode mode) override {
    if (mode == LayerMode::Evaluation) return x;
    Result<DropoutTrain> t = dropoutTrain(x, spec_, seed_);
    if (!t) { // non-finite input (a diverged run): pass it through
      mask_ = Tensor(x.shape(), 1.0f);
      return x;
    }
    mask_ = std::move(t->mask);
    return std::move(t->output);
  }
  Tensor infer(const Tensor& x) const override { return x; } // inverted dropout: y = x at test
  Tensor backward(const Tensor& dy) override {
    Result<Tensor> dx = dropoutBackward(dy, mask_, spec_);
    assert(dx);
    return std::move(dx).value();
  }
  void setSeed(std::uint32_t seed) override { seed_ = seed; }
  std::unique_ptr<Layer> clone() const override { return std::make_unique<DropoutLayer>(*this); }

private:
  float drop_;
  DropoutSpec spec_;
  std::uint32_t seed_ = 0;
  Tensor mask_;
};

// ---- Flatten ---------------------------------------------------------------------------------

class FlattenLayer final : public Layer {
public:
  LayerKind kind() const override { return LayerKind::Flatten; }
  std::string spec() const override { return "flatten"; }
  std::string describe() const override { return "Flatten"; }
  Result<Shape> outputShape(const Shape& sample) const override { return Shape{sample.numel()}; }
  Result<Shape> build(const Shape& sample) override {
    sample_ = sample;
    return outputShape(sample);
  }
  Tensor forward(Tensor x, LayerMode) override {
    const Shape flat{x.dim(0), x.numel() / std::max<Index>(x.dim(0), 1)};
    return Tensor(flat, std::move(x.values())); // the same storage, no copy
  }
  Tensor infer(const Tensor& x) const override {
    return x.reshaped(Shape{x.dim(0), x.numel() / std::max<Index>(x.dim(0), 1)});
  }
  Tensor backward(const Tensor& dy) override { return dy.reshaped(withBatch(dy.dim(0), sample_)); }
  std::unique_ptr<Layer> clone() const override { return std::make_unique<FlattenLayer>(*this); }

private:
  Shape sample_;
};

} // namespace

// ---- Initialisation --------------------------------------------------------------------------

namespace {
constexpr std::pair<InitScheme, std::string_view> kInitIds[] = {
    {InitScheme::Auto, "auto"},
    {InitScheme::XavierUniform, "xavier_uniform"},
    {InitScheme::XavierNormal, "xavier_normal"},
    {InitScheme::HeUniform, "he_uniform"},
    {InitScheme::HeNormal, "he_normal"},
};
} // namespace

std::string_view initSchemeId(InitScheme scheme) {
  for (const auto& [s, id] : kInitIds)
    if (s == scheme) return id;
  return "auto";
}

Result<InitScheme> parseInitScheme(std::string_view id) {
  std::string known;
  for (const auto& [s, name] : kInitIds) {
    if (name == id) return s;
    known += (known.empty() ? "" : ", ") + std::string(name);
  }
  return Error{"init", "unknown scheme '" + std::string(id) + "' (known: " + known + ")"};
}

void initializeWeight(Parameter& weight, InitScheme scheme, std::mt19937& rng) {
  assert(scheme != InitScheme::Auto && "resolve Auto per layer first (network.cpp)");
  const double fanIn = static_cast<double>(std::max<Index>(weight.fanIn, 1));
  const double fanOut = static_cast<double>(std::max<Index>(weight.fanOut, 1));
  const bool uniform = scheme == InitScheme::XavierUniform || scheme == InitScheme::HeUniform;
  const bool he = scheme == InitScheme::HeUniform || scheme == InitScheme::HeNormal;
  // Both families are "variance = gain² · 2 / fans", with fans = fan_in + fan_out (Xavier, gain 1)
  // or fan_in (He, gain √2 for ReLU): σ² = 2 / (fan_in + fan_out) or 2 / fan_in. A uniform
  // U(−a, a) has variance a² / 3, hence a = √3 σ.
  const double std = he ? std::sqrt(2.0 / fanIn) : std::sqrt(2.0 / (fanIn + fanOut));
  const double bound = std::sqrt(3.0) * std;
  float* w = weight.value.data();
  for (Index i = 0; i < weight.value.numel(); ++i)
    w[i] = static_cast<float>(uniform ? detail::uniform(rng, -bound, bound)
                                      : std * detail::standardNormal(rng));
}

// ---- Factories -------------------------------------------------------------------------------

std::unique_ptr<Layer> makeLinear(Index outFeatures, bool bias) {
  return std::make_unique<LinearLayer>(outFeatures, bias);
}
std::unique_ptr<Layer> makeConv2d(Index filters, Index kernel, Index stride, Index padding,
                                  bool bias) {
  return std::make_unique<Conv2dLayer>(filters, kernel, stride, padding, bias);
}
std::unique_ptr<Layer> makeActivation(Activation activation, double alpha) {
  return std::make_unique<ActivationLayer>(activation, alpha);
}
std::unique_ptr<Layer> makeMaxPool(Index kernel, Index stride) {
  return std::make_unique<PoolLayer>(PoolKind::Max, kernel, stride);
}
std::unique_ptr<Layer> makeAvgPool(Index kernel, Index stride) {
  return std::make_unique<PoolLayer>(PoolKind::Average, kernel, stride);
}
std::unique_ptr<Layer> makeBatchNorm(float eps, float momentum) {
  return std::make_unique<BatchNormLayer>(eps, momentum);
}
std::unique_ptr<Layer> makeDropout(float dropProbability) {
  return std::make_unique<DropoutLayer>(dropProbability);
}
std::unique_ptr<Layer> makeFlatten() {
  return std::make_unique<FlattenLayer>();
}

// ---- Softmax + cross-entropy -----------------------------------------------------------------

CrossEntropy softmaxCrossEntropy(const Tensor& logits, const std::vector<int>& labels,
                                 bool withGradient) {
  const Index n = logits.dim(0), classes = logits.dim(1);
  assert(static_cast<Index>(labels.size()) == n);
  CrossEntropy out;
  if (withGradient) out.gradLogits = Tensor(logits.shape());
  double total = 0;
  std::vector<double> p(static_cast<size_t>(classes));
  for (Index i = 0; i < n; ++i) {
    const float* z = logits.data() + i * classes;
    const int label = labels[static_cast<size_t>(i)];
    assert(label >= 0 && label < classes);
    Index best = 0;
    for (Index c = 1; c < classes; ++c)
      if (z[c] > z[best]) best = c;
    // log-sum-exp shifted by the maximum: every exponent ≤ 0, so nothing overflows.
    const double zMax = z[best];
    double sum = 0;
    for (Index c = 0; c < classes; ++c) sum += (p[static_cast<size_t>(c)] = std::exp(z[c] - zMax));
    const double logSum = zMax + std::log(sum);
    total += logSum - z[label]; // −log ŷ_label
    if (best == label) ++out.correct;
    if (withGradient) {
      float* g = out.gradLogits.data() + i * classes;
      for (Index c = 0; c < classes; ++c)
        g[c] = static_cast<float>((p[static_cast<size_t>(c)] / sum - (c == label ? 1.0 : 0.0)) /
                                  static_cast<double>(n));
    }
  }
  out.loss = n > 0 ? total / static_cast<double>(n) : 0.0;
  return out;
}

Tensor softmax(const Tensor& logits) {
  const Index n = logits.dim(0), classes = logits.dim(1);
  Tensor p(logits.shape());
  for (Index i = 0; i < n; ++i) {
    const float* z = logits.data() + i * classes;
    float* out = p.data() + i * classes;
    const float zMax = *std::max_element(z, z + classes);
    double sum = 0;
    for (Index c = 0; c < classes; ++c) sum += std::exp(static_cast<double>(z[c] - zMax));
    for (Index c = 0; c < classes; ++c)
      out[c] = static_cast<float>(std::exp(static_cast<double>(z[c] - zMax)) / sum);
  }
  return p;
}

} // namespace nnlab
