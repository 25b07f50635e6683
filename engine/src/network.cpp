#include "nnlab/network.h"

#include <charconv>
#include <cstdio>
#include <utility>

#include "random_draws.h"

namespace nnlab {
namespace {

struct Preset {
  std::string_view name, spec;
};
constexpr Preset kPresets[] = {
    {"logistic", "linear"},
    {"mlp", "linear:64,relu,linear:64,relu,linear"},
    {"mlp_bn", "linear:64,bn,relu,linear:64,bn,relu,linear"},
    {"small_cnn", "conv:8,relu,maxpool,conv:16,relu,maxpool,flatten,linear"},
    {"small_cnn_bn", "conv:8,bn,relu,maxpool,conv:16,bn,relu,maxpool,flatten,linear"},
};

constexpr std::string_view kLayerNames =
    "linear, conv, maxpool, avgpool, bn, dropout, flatten, relu, tanh, sigmoid, leaky_relu, elu, "
    "softplus, gelu, silu";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t at = s.find(separator, start);
    parts.push_back(trim(s.substr(start, at == std::string_view::npos ? s.npos : at - start)));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  return parts;
}

template <class T> bool parseNumber(std::string_view s, T& value) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size();
}

Result<LayerSpec> parseLayer(std::string_view token, size_t position) {
  const std::vector<std::string_view> parts = split(token, ':');
  const std::string name(parts[0]);
  const size_t args = parts.size() - 1;
  auto fail = [&](const std::string& what) {
    return Error{"model",
                 "token " + std::to_string(position) + " '" + std::string(token) + "': " + what};
  };
  auto integer = [&](size_t i, Index minimum, const char* what, Index& out) -> Status {
    if (!parseNumber(parts[i], out) || out < minimum)
      return fail(std::string(what) + " must be a whole number ≥ " + std::to_string(minimum) +
                  " (got '" + std::string(parts[i]) + "')");
    return {};
  };
  auto tooMany = [&](size_t allowed, const char* form) {
    return fail("takes at most " + std::to_string(allowed) + " argument" +
                (allowed == 1 ? "" : "s") + ": " + form);
  };

  LayerSpec layer;
  layer.token = std::string(token);
  if (name == "linear" || name == "fc" || name == "dense") {
    layer.kind = LayerKind::Linear;
    if (args > 1) return tooMany(1, "linear[:OUT]");
    if (args == 1)
      if (Status s = integer(1, 1, "OUT", layer.units); !s) return s.error();
  } else if (name == "conv" || name == "conv2d") {
    layer.kind = LayerKind::Conv2d;
    if (args < 1) return fail("needs the number of filters: conv:F[:K[:S[:P]]]");
    if (args > 4) return tooMany(4, "conv:F[:K[:S[:P]]]");
    layer.kernel = 3, layer.stride = 1;
    if (Status s = integer(1, 1, "F (filters)", layer.units); !s) return s.error();
    if (args >= 2)
      if (Status s = integer(2, 1, "K (kernel)", layer.kernel); !s) return s.error();
    if (args >= 3)
      if (Status s = integer(3, 1, "S (stride)", layer.stride); !s) return s.error();
    if (args >= 4)
      if (Status s = integer(4, 0, "P (padding)", layer.padding); !s) return s.error();
    if (layer.padding < 0) layer.padding = layer.kernel / 2;
  } else if (name == "maxpool" || name == "avgpool") {
    layer.kind = name == "maxpool" ? LayerKind::MaxPool : LayerKind::AvgPool;
    if (args > 2) return tooMany(2, (name + "[:K[:S]]").c_str());
    layer.kernel = 2;
    if (args >= 1)
      if (Status s = integer(1, 1, "K (kernel)", layer.kernel); !s) return s.error();
    layer.stride = layer.kernel;
    if (args >= 2)
      if (Status s = integer(2, 1, "S (stride)", layer.stride); !s) return s.error();
  } else if (name == "bn" || name == "batchnorm") {
    layer.kind = LayerKind::BatchNorm;
    if (args > 0) return tooMany(0, "bn");
  } else if (name == "dropout") {
    layer.kind = LayerKind::Dropout;
    if (args > 1) return tooMany(1, "dropout[:P]");
    if (args == 1 && (!parseNumber(parts[1], layer.dropProbability) ||
                      !(layer.dropProbability >= 0.0f && layer.dropProbability < 1.0f)))
      return fail("P is the drop probability, a number in [0, 1) (got '" + std::string(parts[1]) +
                  "')");
  } else if (name == "flatten") {
    layer.kind = LayerKind::Flatten;
    if (args > 0) return tooMany(0, "flatten");
  } else if (std::optional<Activation> a = activationFromId(name)) {
    layer.kind = LayerKind::Activation;
    layer.activation = *a;
    if (args > 0) return tooMany(0, name.c_str());
  } else {
    return fail("unknown layer '" + name + "' (known: " + std::string(kLayerNames) + ")");
  }
  return layer;
}

std::unique_ptr<Layer> makeLayer(const LayerSpec& s, Index classes) {
  switch (s.kind) {
  case LayerKind::Linear: return makeLinear(s.units > 0 ? s.units : classes);
  case LayerKind::Conv2d: return makeConv2d(s.units, s.kernel, s.stride, s.padding);
  case LayerKind::Activation: return makeActivation(s.activation);
  case LayerKind::MaxPool: return makeMaxPool(s.kernel, s.stride);
  case LayerKind::AvgPool: return makeAvgPool(s.kernel, s.stride);
  case LayerKind::BatchNorm: return makeBatchNorm();
  case LayerKind::Dropout: return makeDropout(s.dropProbability);
  case LayerKind::Flatten: return makeFlatten();
  }
  return nullptr;
}

bool isReluFamily(Activation a) {
  return a == Activation::ReLU || a == Activation::LeakyReLU || a == Activation::ELU ||
         a == Activation::GELU || a == Activation::SiLU;
}

// Auto: He when the weight layer's output reaches a ReLU-family activation through at most
// BatchNorm, dropout and pooling; Xavier otherwise (tanh, sigmoid, or the logits).
InitScheme resolveAuto(const std::vector<std::unique_ptr<Layer>>& layers, size_t at) {
  for (size_t i = at + 1; i < layers.size(); ++i) {
    const LayerKind k = layers[i]->kind();
    if (k == LayerKind::BatchNorm || k == LayerKind::Dropout || k == LayerKind::MaxPool ||
        k == LayerKind::AvgPool)
      continue;
    if (k == LayerKind::Activation) {
      const std::string id = layers[i]->spec();
      const std::optional<Activation> a = activationFromId(id);
      return a && isReluFamily(*a) ? InitScheme::HeUniform : InitScheme::XavierUniform;
    }
    break;
  }
  return InitScheme::XavierUniform;
}

} // namespace

std::string ModelSpec::text() const {
  std::string out;
  for (const LayerSpec& l : layers) {
    if (!out.empty()) out += ",";
    switch (l.kind) {
    case LayerKind::Linear:
      out += l.units > 0 ? "linear:" + std::to_string(l.units) : std::string("linear");
      break;
    case LayerKind::Conv2d:
      out += "conv:" + std::to_string(l.units) + ":" + std::to_string(l.kernel) + ":" +
             std::to_string(l.stride) + ":" + std::to_string(l.padding);
      break;
    case LayerKind::MaxPool:
    case LayerKind::AvgPool:
      out += std::string(l.kind == LayerKind::MaxPool ? "maxpool:" : "avgpool:") +
             std::to_string(l.kernel) + ":" + std::to_string(l.stride);
      break;
    case LayerKind::BatchNorm: out += "bn"; break;
    case LayerKind::Dropout: {
      char text[32];
      std::snprintf(text, sizeof text, "dropout:%g", static_cast<double>(l.dropProbability));
      out += text;
      break;
    }
    case LayerKind::Flatten: out += "flatten"; break;
    case LayerKind::Activation: out += activationId(l.activation); break;
    }
  }
  return out;
}

std::vector<std::string> modelPresetNames() {
  std::vector<std::string> names;
  for (const Preset& p : kPresets) names.emplace_back(p.name);
  return names;
}

std::string modelPresetSpec(std::string_view name) {
  for (const Preset& p : kPresets)
    if (p.name == name) return std::string(p.spec);
  return {};
}

std::string mlpSpec(const std::vector<Index>& widths, Activation activation, bool batchNorm) {
  std::string spec;
  for (Index w : widths) {
    spec += "linear:" + std::to_string(w) + (batchNorm ? ",bn," : ",");
    spec += std::string(activationId(activation)) + ",";
  }
  return spec + "linear";
}

Result<ModelSpec> parseModelSpec(std::string_view text) {
  text = trim(text);
  ModelSpec spec;
  spec.name = "custom";
  std::string list(text);
  if (std::string preset = modelPresetSpec(text); !preset.empty()) {
    spec.name = std::string(text);
    list = preset;
  }
  if (trim(list).empty())
    return Error{"model", "empty: give a preset (logistic, mlp, mlp_bn, small_cnn, small_cnn_bn) "
                          "or a layer list such as linear:64,relu,linear"};
  const std::vector<std::string_view> tokens = split(list, ',');
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].empty())
      return Error{"model", "token " + std::to_string(i + 1) + " is empty (two commas in a row?)"};
    Result<LayerSpec> layer = parseLayer(tokens[i], i + 1);
    if (!layer) return layer.error();
    spec.layers.push_back(std::move(layer).value());
  }
  return spec;
}

// ---- Network -----------------------------------------------------------------------------------

namespace {
// The spec's layers with the output layer a spec may leave out (see network.h).
std::vector<LayerSpec> completedLayers(const ModelSpec& spec) {
  std::vector<LayerSpec> layers = spec.layers;
  if (layers.empty() || layers.back().kind != LayerKind::Linear) {
    LayerSpec out;
    out.kind = LayerKind::Linear;
    out.token = "linear";
    layers.push_back(out);
  }
  return layers;
}
} // namespace

Result<std::vector<Shape>> Network::outputShapes(const ModelSpec& spec, const Shape& sampleShape,
                                                 Index classes) {
  if (classes < 2) return Error{"classes", "need at least 2 (got " + std::to_string(classes) + ")"};
  const std::vector<LayerSpec> layers = completedLayers(spec);
  std::vector<Shape> shapes;
  Shape shape = sampleShape;
  for (size_t i = 0; i < layers.size(); ++i) {
    Result<Shape> out = makeLayer(layers[i], classes)->outputShape(shape);
    if (!out)
      return Error{"model", "layer " + std::to_string(i + 1) + " '" + layers[i].token +
                                "': " + out.error().what};
    shape = *out;
    shapes.push_back(shape);
  }
  if (shape.rank() != 1 || shape[0] != classes)
    return Error{"model", "the last layer gives " + shape.toString() +
                              " outputs but the data has " + std::to_string(classes) +
                              " classes (end with 'linear')"};
  return shapes;
}

Result<Network> Network::build(const ModelSpec& spec, const Shape& sampleShape, Index classes,
                               InitScheme init, std::uint32_t seed) {
  Result<std::vector<Shape>> shapes = outputShapes(spec, sampleShape, classes);
  if (!shapes) return shapes.error();
  Network net;
  net.sampleShape_ = sampleShape;
  net.classes_ = classes;
  net.outputShapes_ = std::move(shapes).value();
  const std::vector<LayerSpec> layers = completedLayers(spec);
  for (size_t i = 0; i < layers.size(); ++i) {
    std::unique_ptr<Layer> layer = makeLayer(layers[i], classes);
    [[maybe_unused]] Result<Shape> out =
        layer->build(i == 0 ? sampleShape : net.outputShapes_[i - 1]);
    assert(out && *out == net.outputShapes_[i] && "checked by outputShapes");
    net.layers_.push_back(std::move(layer));
  }
  net.initialize(init, seed);
  return net;
}

Network::Network(const Network& other)
    : outputShapes_(other.outputShapes_), sampleShape_(other.sampleShape_),
      classes_(other.classes_) {
  for (const auto& layer : other.layers_) layers_.push_back(layer->clone());
}

Network& Network::operator=(const Network& other) {
  if (this != &other) *this = Network(other);
  return *this;
}

Tensor Network::forward(const Tensor& input, LayerMode mode) {
  Tensor x = input;
  for (auto& layer : layers_) x = layer->forward(std::move(x), mode);
  return x;
}

Tensor Network::backward(const Tensor& gradLogits) {
  Tensor g = gradLogits;
  for (auto it = layers_.rbegin(); it != layers_.rend(); ++it) g = (*it)->backward(g);
  return g;
}

Tensor Network::infer(const Tensor& input) const {
  Tensor x = input;
  for (const auto& layer : layers_) x = layer->infer(x);
  return x;
}

void Network::initialize(InitScheme init, std::uint32_t seed) {
  std::mt19937 rng(seed);
  for (size_t i = 0; i < layers_.size(); ++i) {
    const InitScheme scheme = init == InitScheme::Auto ? resolveAuto(layers_, i) : init;
    const bool outputLayer = i + 1 == layers_.size();
    for (Parameter* p : layers_[i]->parameters()) {
      switch (p->role) {
      case ParameterRole::Weight:
        initializeWeight(*p, scheme, rng);
        if (init == InitScheme::Auto && outputLayer) // small logits: the loss starts at ln C
          for (float& w : p->value.values()) w *= 0.1f;
        break;
      case ParameterRole::Bias:
      case ParameterRole::Beta: p->value.fill(0.0f); break;
      case ParameterRole::Gamma: p->value.fill(1.0f); break;
      }
      p->grad.fill(0.0f);
    }
  }
}

void Network::setDropoutSeed(std::uint32_t seed) {
  for (size_t i = 0; i < layers_.size(); ++i)
    layers_[i]->setSeed(detail::deriveSeed(seed, static_cast<std::uint32_t>(i)));
}

std::vector<Parameter*> Network::parameters() {
  std::vector<Parameter*> all;
  for (auto& layer : layers_)
    for (Parameter* p : layer->parameters()) all.push_back(p);
  return all;
}

std::vector<const Parameter*> Network::parameters() const {
  std::vector<const Parameter*> all;
  for (const auto& layer : layers_)
    for (const Parameter* p : std::as_const(*layer).parameters()) all.push_back(p);
  return all;
}

Index Network::parameterCount() const {
  Index count = 0;
  for (const Parameter* p : parameters()) count += p->value.numel();
  return count;
}

namespace {
// Pads `text` with spaces to `width` terminal columns: one column per UTF-8 code point (→, ×).
std::string padded(const std::string& text, size_t width) {
  size_t columns = 0;
  for (unsigned char c : text) columns += (c & 0xC0) != 0x80;
  return text + std::string(width > columns ? width - columns : 1, ' ');
}
} // namespace

std::string Network::describe() const {
  std::string out = padded("input", 34) + padded("[" + sampleShape_.toString() + "]", 14) + "\n";
  for (size_t i = 0; i < layers_.size(); ++i) {
    Index count = 0;
    for (const Parameter* p : std::as_const(*layers_[i]).parameters()) count += p->value.numel();
    out += padded(layers_[i]->describe(), 34) +
           padded("[" + outputShapes_[i].toString() + "]", 14) +
           (count ? std::to_string(count) + " parameters" : std::string()) + "\n";
  }
  return out + "total " + std::to_string(parameterCount()) + " parameters\n";
}

} // namespace nnlab
