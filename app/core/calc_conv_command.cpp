// `nnlab calc conv|linear|pool|rf`: layer arithmetic with the worked steps (see calc_conv.h).
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>

#include "core/calc_command.h"
#include "core/calc_conv.h"
#include "core/nested_list.h"
#include "core/shape_args.h"
#include "nnlab/conv.h"
#include "nnlab/conv_arith.h"
#include "nnlab/pool.h"
#include "nnlab/receptive_field.h"

namespace nnlab::app {
namespace {

using nlohmann::json;

// The engine names quantities in its own words ("kernel"); the user typed flags ("--kernel").
Error asFlag(Error e, const std::string& inputFlag = "--input") {
  if (e.where == "input")
    e.where = inputFlag;
  else if (e.where == "filters" || e.where == "kernel" || e.where == "stride" ||
           e.where == "padding" || e.where == "dilation" || e.where == "groups" || e.where == "out")
    e.where = "--" + e.where;
  return e;
}

json stepsJson(const Derivation& steps) {
  json list = json::array();
  for (const DerivationStep& s : steps)
    list.push_back({{"quantity", s.quantity},
                    {"formula", s.formula},
                    {"substituted", s.substituted},
                    {"result", s.result}});
  return list;
}

json costJson(const LayerCost& c) {
  return {{"output_shape", c.outputShape},
          {"params", {{"weights", c.weights}, {"bias", c.bias}, {"total", c.params()}}},
          {"macs", c.macs},
          {"flops", c.flops()},
          {"output_bytes", c.outputBytes},
          {"steps", stepsJson(c.steps)}};
}

void printSteps(std::ostream& out, const Derivation& steps) {
  for (const DerivationStep& s : steps) {
    out << "  " << s.quantity << " = " << s.formula << "\n";
    if (s.substituted != s.result) out << "      = " << s.substituted << "\n";
    out << "      = " << s.result << "\n";
  }
}

std::string shapeText(const std::vector<Index>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

void printSummary(std::ostream& out, const LayerCost& c) {
  out << "output shape   " << shapeText(c.outputShape) << "\n"
      << "params         " << withThousandsSeparators(c.weights) << " weights + "
      << withThousandsSeparators(c.bias) << " bias = " << withThousandsSeparators(c.params())
      << "\n"
      << "MACs           " << withThousandsSeparators(c.macs) << "\n"
      << "FLOPs          " << withThousandsSeparators(c.flops()) << "  (2 × MACs)\n"
      << "output bytes   " << withThousandsSeparators(c.outputBytes) << "  (float32)\n";
}

// The nested list of one sample without its batch axis.
json sampleJson(const Tensor& batched) {
  std::vector<Index> dims = batched.shape().toVector();
  dims.erase(dims.begin());
  return nestedListFromTensor(batched.reshaped(Shape(dims)));
}

} // namespace

int runCalcConv(const CalcConvArgs& args, std::ostream& out, std::ostream& err) {
  Result<std::vector<Index>> input = parseSizes(args.input, "--input", 1);
  if (!input) return usageError(err, input.error());
  if (input->size() < 2 || input->size() > 4)
    return usageError(err, {"--input", "expected channels then 1 to 3 sizes (CxL, CxHxW or "
                                       "CxTxHxW), got \"" +
                                           args.input + "\""});
  ConvLayerSpec spec;
  spec.input = *input;
  spec.filters = args.filters;
  spec.bias = !args.noBias;
  spec.options.groups = args.groups;
  Result<std::vector<Index>> kernel = parseSizes(args.kernel, "--kernel");
  Result<std::vector<Index>> stride = parseSizes(args.stride, "--stride");
  Result<std::vector<Index>> dilation = parseSizes(args.dilation, "--dilation");
  for (const auto* r : {&kernel, &stride, &dilation})
    if (!*r) return usageError(err, r->error());
  spec.kernel = *kernel;
  spec.options.stride = *stride;
  spec.options.dilation = *dilation;
  if (args.padding == "same") {
    spec.options.paddingRule = PaddingRule::Same;
  } else if (args.padding == "causal") {
    spec.options.paddingRule = PaddingRule::Causal;
  } else {
    Result<std::vector<Index>> padding = parseSizes(args.padding, "--padding");
    if (!padding)
      return usageError(err, {"--padding", "expected sizes like 1 or 1x2, \"same\" or \"causal\" "
                                           "(got \"" +
                                               args.padding + "\")"});
    spec.options.padding = *padding;
  }

  Result<LayerCost> cost = convLayerCost(spec);
  if (!cost) return usageError(err, asFlag(cost.error()));
  std::optional<SeparableCost> separable;
  if (args.depthwiseSeparable) {
    Result<SeparableCost> s = depthwiseSeparableCost(spec);
    if (!s) return usageError(err, asFlag(s.error()));
    separable = *s;
  }

  // Optional numbers: --x, --w (and --b) give the output values themselves.
  std::optional<Tensor> output;
  if (!args.x.empty() || !args.w.empty() || !args.b.empty()) {
    if (args.x.empty() || args.w.empty())
      return usageError(err, {args.x.empty() ? "--x" : "--w",
                              "is needed with " + std::string(args.x.empty() ? "--w" : "--x") +
                                  " to compute the output"});
    Result<Tensor> x = parseNestedList(args.x, "--x");
    if (!x) return usageError(err, x.error());
    if (x->shape() != Shape(*input))
      return usageError(
          err, {"--x", "shape " + x->shape().toString() + " does not match --input " + args.input});
    Result<Tensor> w = parseNestedList(args.w, "--w");
    if (!w) return usageError(err, w.error());
    std::vector<Index> expectedW{args.filters, (*input)[0] / args.groups};
    for (size_t i = 1; i < input->size(); ++i)
      expectedW.push_back(spec.kernel.size() == 1 ? spec.kernel[0] : spec.kernel[i - 1]);
    if (w->shape() != Shape(expectedW))
      return usageError(err, {"--w", "shape " + w->shape().toString() + " should be " +
                                         Shape(expectedW).toString() + " (F x C/groups x kernel)"});
    Tensor b;
    if (!args.b.empty()) {
      Result<Tensor> parsed = parseNestedList(args.b, "--b");
      if (!parsed) return usageError(err, parsed.error());
      if (args.noBias) return usageError(err, {"--b", "contradicts --no-bias"});
      b = *parsed;
    }
    std::vector<Index> batched = x->shape().toVector();
    batched.insert(batched.begin(), 1);
    Result<Tensor> y = conv(x->reshaped(Shape(batched)), *w, b, spec.options);
    if (!y) return usageError(err, asFlag(y.error(), "--x"));
    output = *y;
  }

  if (args.json) {
    json j = costJson(*cost);
    if (separable) {
      j["depthwise"] = costJson(separable->depthwise);
      j["pointwise"] = costJson(separable->pointwise);
      j["separable_total"] = costJson(separable->total);
    }
    if (output) j["output"] = sampleJson(*output);
    out << j.dump(2) << "\n";
    return kExitOk;
  }
  out << "conv: input " << args.input << ", " << args.filters << " filters, kernel " << args.kernel
      << ", stride " << args.stride << ", padding " << args.padding << ", dilation "
      << args.dilation << ", groups " << args.groups << (args.noBias ? ", no bias" : "") << "\n\n";
  printSteps(out, cost->steps);
  out << "\n";
  printSummary(out, *cost);
  if (separable) {
    out << "\ndepthwise-separable replacement:\n\ndepthwise " << args.kernel << " (groups = C):\n";
    printSteps(out, separable->depthwise.steps);
    out << "\npointwise 1x1:\n";
    printSteps(out, separable->pointwise.steps);
    out << "\ntotal:\n";
    printSteps(out, separable->total.steps);
  }
  if (output) out << "\noutput = " << sampleJson(*output).dump() << "\n";
  return kExitOk;
}

int runCalcLinear(const CalcLinearArgs& args, std::ostream& out, std::ostream& err) {
  Result<std::vector<Index>> in = parseSizes(args.in, "--in", 1);
  if (!in) return usageError(err, in.error());
  Result<LayerCost> cost = linearLayerCost(*in, args.out, !args.noBias);
  if (!cost) return usageError(err, asFlag(cost.error(), "--in"));
  if (args.json) {
    out << costJson(*cost).dump(2) << "\n";
    return kExitOk;
  }
  out << "linear: input " << args.in << " (flattened), " << args.out << " outputs"
      << (args.noBias ? ", no bias" : "") << "\n\n";
  printSteps(out, cost->steps);
  out << "\n";
  printSummary(out, *cost);
  return kExitOk;
}

int runCalcPool(const CalcPoolArgs& args, std::ostream& out, std::ostream& err) {
  Result<std::vector<Index>> input = parseSizes(args.input, "--input", 1);
  if (!input) return usageError(err, input.error());
  PoolOptions options;
  options.ceilMode = args.ceil;
  Result<std::vector<Index>> kernel = parseSizes(args.kernel, "--kernel");
  Result<std::vector<Index>> padding = parseSizes(args.padding, "--padding");
  if (!kernel) return usageError(err, kernel.error());
  if (!padding) return usageError(err, padding.error());
  options.kernel = *kernel;
  options.padding = *padding;
  if (!args.stride.empty()) {
    Result<std::vector<Index>> stride = parseSizes(args.stride, "--stride");
    if (!stride) return usageError(err, stride.error());
    options.stride = *stride;
  }
  Result<LayerCost> cost = poolLayerCost(*input, options);
  if (!cost) return usageError(err, asFlag(cost.error()));
  if (args.json) {
    out << costJson(*cost).dump(2) << "\n";
    return kExitOk;
  }
  out << "pool: input " << args.input << ", kernel " << args.kernel << ", stride "
      << (args.stride.empty() ? args.kernel : args.stride) << ", padding " << args.padding
      << (args.ceil ? ", ceil mode" : "") << "\n\n";
  printSteps(out, cost->steps);
  out << "\noutput shape   " << shapeText(cost->outputShape) << "\noutput bytes   "
      << withThousandsSeparators(cost->outputBytes) << "  (float32)\n";
  return kExitOk;
}

int runCalcRf(const CalcRfArgs& args, std::ostream& out, std::ostream& err) {
  if (args.layers.empty()) return usageError(err, {"--layer", "give at least one layer"});
  std::vector<RfLayer> layers;
  size_t rank = 1;
  for (const std::string& text : args.layers) {
    Result<RfLayer> layer = parseRfLayer(text, "--layer");
    if (!layer) return usageError(err, layer.error());
    for (const DimValues* v : {&layer->kernel, &layer->stride, &layer->padding, &layer->dilation})
      rank = std::max(rank, v->size());
    layers.push_back(*layer);
  }
  std::vector<Index> inputSize;
  if (!args.input.empty()) {
    Result<std::vector<Index>> size = parseSizes(args.input, "--input", 1);
    if (!size) return usageError(err, size.error());
    inputSize = *size;
    if (rank > 1 && inputSize.size() != rank)
      return usageError(err, {"--input", "has " + std::to_string(inputSize.size()) +
                                             " sizes but the layers have " + std::to_string(rank) +
                                             " dimensions"});
    rank = inputSize.size();
  }
  Result<ReceptiveFieldTable> table = receptiveFields(layers, static_cast<int>(rank), inputSize);
  if (!table) {
    Error e = table.error();
    if (e.where.rfind("layer ", 0) == 0) e.where = "--layer " + e.where.substr(6);
    return usageError(err, asFlag(e));
  }
  // A 1-D stack prints plain numbers; otherwise one value per spatial dimension.
  auto value = [rank](const std::vector<Index>& v) -> json {
    return rank == 1 ? json(v[0]) : json(v);
  };
  auto expanded = [rank](const DimValues& v) {
    return v.size() == 1 ? std::vector<Index>(rank, v[0]) : v;
  };
  if (args.json) {
    json list = json::array();
    for (size_t l = 0; l < layers.size(); ++l) {
      const RfLayerInfo& info = table->layers[l + 1];
      json entry = {{"layer", args.layers[l]},
                    {"kind", layers[l].kind == RfLayerKind::Conv ? "conv" : "pool"},
                    {"kernel", value(expanded(layers[l].kernel))},
                    {"stride", value(expanded(layers[l].stride))},
                    {"padding", value(expanded(layers[l].padding))},
                    {"dilation", value(expanded(layers[l].dilation))},
                    {"rf", value(info.rf)},
                    {"jump", value(info.jump)},
                    {"start", value(info.start)}};
      if (!info.outputSize.empty()) entry["output_size"] = value(info.outputSize);
      list.push_back(entry);
    }
    out << json{{"layers", list}, {"receptive_field", value(table->layers.back().rf)}}.dump(2)
        << "\n";
    return kExitOk;
  }
  out << "receptive field, from the input (rf 1, jump 1, start 0):\n"
      << "  rf_l = rf_{l−1} + (d·(k − 1)) · jump_{l−1}   jump_l = jump_{l−1} · s   "
         "start_l = start_{l−1} − p · jump_{l−1}\n\n";
  // Negative starts with the minus sign of the formulas (U+2212), not a hyphen.
  auto signedText = [](Index v) { return v < 0 ? "−" + std::to_string(-v) : std::to_string(v); };
  auto text = [rank, &signedText](const std::vector<Index>& v) {
    if (rank == 1) return signedText(v[0]);
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "x" : "") + signedText(v[i]);
    return s;
  };
  for (size_t l = 0; l < layers.size(); ++l) {
    const RfLayerInfo& prev = table->layers[l];
    const RfLayerInfo& info = table->layers[l + 1];
    const std::vector<Index> k = expanded(layers[l].kernel), d = expanded(layers[l].dilation),
                             s = expanded(layers[l].stride), p = expanded(layers[l].padding);
    out << "  layer " << l + 1 << "  " << args.layers[l] << "\n";
    for (size_t i = 0; i < rank; ++i) {
      const std::string dim = rank == 1 ? "" : " [" + spatialDimNames(int(rank))[i] + "]";
      out << "    rf" << dim << " = " << prev.rf[i] << " + " << d[i] << "·(" << k[i] << " − 1)·"
          << prev.jump[i] << " = " << info.rf[i] << ",  jump = " << prev.jump[i] << "·" << s[i]
          << " = " << info.jump[i] << ",  start = " << signedText(prev.start[i]) << " − " << p[i]
          << "·" << prev.jump[i] << " = " << signedText(info.start[i]) << "\n";
    }
    if (!info.outputSize.empty()) out << "    output size " << text(info.outputSize) << "\n";
  }
  out << "\nreceptive field " << text(table->layers.back().rf) << " input pixels (jump "
      << text(table->layers.back().jump) << ", unit 0 starts at "
      << text(table->layers.back().start) << ")\n";
  return kExitOk;
}

void addCalcConvCommands(CLI::App& calc, CommandAction& action) {
  auto conv = std::make_shared<CalcConvArgs>();
  CLI::App* c = calc.add_subcommand("conv", "Convolution output shape, parameters, MACs, FLOPs");
  c->add_option("--input", conv->input, "Input size, channels first: CxL, CxHxW or CxTxHxW")
      ->required();
  c->add_option("--filters", conv->filters, "Number of filters (output channels)")->required();
  c->add_option("--kernel", conv->kernel, "Kernel size: one for every dimension, or 4x5")
      ->required();
  c->add_option("--stride", conv->stride, "Stride, e.g. 2 or 1x2")->capture_default_str();
  c->add_option("--padding", conv->padding, "Padding per side (1, 1x2), same or causal")
      ->capture_default_str();
  c->add_option("--dilation", conv->dilation, "Dilation")->capture_default_str();
  c->add_option("--groups", conv->groups, "Groups (= channels for depthwise)")
      ->capture_default_str();
  c->add_flag("--no-bias", conv->noBias, "No bias term");
  c->add_flag("--depthwise-separable", conv->depthwiseSeparable,
              "Also cost the depthwise k×k + pointwise 1×1 pair that replaces it");
  c->add_option("--x", conv->x, "Input values, nested JSON list C×spatial");
  c->add_option("--w", conv->w, "Weights, nested JSON list F×C/groups×kernel");
  c->add_option("--b", conv->b, "Bias, JSON list of F values");
  c->add_flag("--json", conv->json, "Print JSON instead of text");
  c->callback(
      [conv, &action] { action = [conv] { return runCalcConv(*conv, std::cout, std::cerr); }; });

  auto linear = std::make_shared<CalcLinearArgs>();
  CLI::App* l = calc.add_subcommand("linear", "Fully connected layer on the flattened input");
  l->add_option("--in", linear->in, "Input size, e.g. 3x32x32 (flattened)")->required();
  l->add_option("--out", linear->out, "Output features")->required();
  l->add_flag("--no-bias", linear->noBias, "No bias term");
  l->add_flag("--json", linear->json, "Print JSON instead of text");
  l->callback([linear, &action] {
    action = [linear] { return runCalcLinear(*linear, std::cout, std::cerr); };
  });

  auto pool = std::make_shared<CalcPoolArgs>();
  CLI::App* p = calc.add_subcommand("pool", "Pooling output shape");
  p->add_option("--input", pool->input, "Input size, channels first: CxHxW")->required();
  p->add_option("--kernel", pool->kernel, "Window size")->required();
  p->add_option("--stride", pool->stride, "Stride (default: the kernel)");
  p->add_option("--padding", pool->padding, "Padding per side")->capture_default_str();
  p->add_flag("--ceil", pool->ceil, "Ceil mode (PyTorch's ceil_mode=True)");
  p->add_flag("--json", pool->json, "Print JSON instead of text");
  p->callback(
      [pool, &action] { action = [pool] { return runCalcPool(*pool, std::cout, std::cerr); }; });

  auto rf = std::make_shared<CalcRfArgs>();
  CLI::App* r = calc.add_subcommand("rf", "Receptive field, jump and start over a layer stack");
  r->add_option("--layer", rf->layers, "conv:k=3,s=1,p=1,d=1 or pool:k=2,s=2 (repeat, in order)")
      ->required();
  r->add_option("--input", rf->input, "Optional spatial input size (HxW) for output sizes");
  r->add_flag("--json", rf->json, "Print JSON instead of text");
  r->callback([rf, &action] { action = [rf] { return runCalcRf(*rf, std::cout, std::cerr); }; });
}

} // namespace nnlab::app
