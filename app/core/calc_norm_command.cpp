// `nnlab calc norm`: normalization statistics with the worked steps (see calc_norm.h).
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "core/calc_command.h"
#include "core/calc_norm.h"
#include "core/nested_list.h"
#include "nnlab/norm.h"

namespace nnlab::app {
namespace {

using nlohmann::json;

// The engine names quantities in its own words; on the command line the user typed flags.
std::string flagFor(const std::string& engineWhere) {
  if (engineWhere == "input") return "--values";
  if (engineWhere == "eps") return "--eps";
  if (engineWhere == "groups") return "--groups";
  return engineWhere;
}

const char* groupingDescription(NormKind kind) {
  switch (kind) {
  case NormKind::Batch: return "one μ, σ² per channel, over the batch and every position";
  case NormKind::Layer: return "one μ, σ² per sample, over every channel and position";
  case NormKind::Instance: return "one μ, σ² per sample and channel, over every position";
  case NormKind::Group: return "one μ, σ² per sample and group of C/G consecutive channels";
  }
  return "";
}

// "[-1.34164, -0.447214]" style, nested, with the steps' number format.
std::string formatNested(const Tensor& t, int axis, Index offset) {
  if (axis == t.rank()) return formatNormNumber(t.data()[offset]);
  std::string s = "[";
  for (Index i = 0; i < t.dim(axis); ++i) {
    if (i) s += ", ";
    s += formatNested(t, axis + 1, offset + i * t.stride(axis));
  }
  return s + "]";
}

// The input's axes in the course's letters: N, C, then L / H, W / D, H, W.
std::string axesDescription(const Shape& shape) {
  static const char* const kSpatial[4][3] = {{}, {"L"}, {"H", "W"}, {"D", "H", "W"}};
  const int spatialRank = shape.rank() - 2;
  std::string s = "N=" + std::to_string(shape[0]) + ", C=" + std::to_string(shape[1]);
  for (int i = 0; i < spatialRank; ++i)
    s += std::string(", ") + kSpatial[spatialRank][i] + "=" + std::to_string(shape[2 + i]);
  return s;
}

void printText(std::ostream& out, const Tensor& input, const NormForward& f) {
  const NormLayout& layout = f.layout;
  out << normKindName(layout.kind()) << " normalization of a " << input.shape().toString()
      << " input (" << axesDescription(input.shape()) << ")";
  if (layout.kind() == NormKind::Group) out << ", G = " << layout.groups();
  out << ", ε = " << formatNormNumber(f.eps) << "\n";
  std::string statShape;
  for (Index d : layout.statisticsShape().toVector()) {
    if (!statShape.empty()) statShape += ", ";
    statShape += std::to_string(d);
  }
  out << "statistics: " << groupingDescription(layout.kind()) << "; shape [" << statShape
      << "]\n\n";
  for (const DerivationStep& step : normDerivation(input, f)) {
    out << "  " << step.quantity << ":  " << step.formula << "\n";
    out << "      = " << step.substituted << "\n";
    out << "      = " << step.result << "\n";
  }
  out << "\nmean       = " << formatNested(f.mean, 0, 0) << "\n";
  out << "var        = " << formatNested(f.var, 0, 0) << "   (biased: divides by m)\n";
  out << "normalized = " << formatNested(f.normalized, 0, 0) << "\n";
}

void printJson(std::ostream& out, const Tensor& input, const NormForward& f) {
  json steps = json::array();
  for (const DerivationStep& step : normDerivation(input, f))
    steps.push_back({{"quantity", step.quantity},
                     {"formula", step.formula},
                     {"substituted", step.substituted},
                     {"result", step.result}});
  json doc = {{"kind", normKindName(f.layout.kind())},
              {"shape", input.shape().toVector()},
              {"statistics_shape", f.layout.statisticsShape().toVector()},
              {"eps", roundTripDouble(f.eps)},
              {"mean", nestedListFromTensor(f.mean)},
              {"var", nestedListFromTensor(f.var)},
              {"normalized", nestedListFromTensor(f.normalized)},
              {"steps", steps}};
  if (f.layout.kind() == NormKind::Group) doc["groups"] = f.layout.groups();
  out << doc.dump(2) << "\n";
}

} // namespace

int runCalcNorm(const CalcNormArgs& args, std::ostream& out, std::ostream& err) {
  const std::optional<NormKind> kind = parseNormKind(args.kind);
  if (!kind)
    return usageError(err, "--kind",
                      "expected batch, layer, instance or group (got \"" + args.kind + "\")");
  if (*kind == NormKind::Group && !args.groupsGiven)
    return usageError(err, "--groups", "required with --kind group (G must divide C)");
  if (*kind != NormKind::Group && args.groupsGiven)
    return usageError(err, "--groups", "only used with --kind group");

  Result<Tensor> input = parseNestedList(args.values, "--values");
  if (!input) return usageError(err, input.error().where, input.error().what);

  NormSpec spec;
  spec.kind = *kind;
  spec.groups = args.groupsGiven ? args.groups : 1;
  spec.eps = static_cast<float>(args.eps);
  if (args.eps > 0 && !(spec.eps > 0.0f)) // a positive double that underflows to 0 as a float
    return usageError(err, "--eps",
                      "too small for single precision (got " + formatNormNumber(args.eps) + ")");
  Result<NormForward> f = normForward(input.value(), spec);
  if (!f) return usageError(err, flagFor(f.error().where), f.error().what);

  if (args.json)
    printJson(out, input.value(), f.value());
  else
    printText(out, input.value(), f.value());
  return kExitOk;
}

void addCalcNormCommand(CLI::App& calc, CommandAction& action) {
  auto args = std::make_shared<CalcNormArgs>();
  CLI::App* norm = calc.add_subcommand(
      "norm", "Normalization statistics (mean, biased variance, x̂) with the worked steps");
  norm->add_option("--kind", args->kind, "batch | layer | instance | group")->required();
  CLI::Option* groups =
      norm->add_option("--groups", args->groups, "G for --kind group (must divide C)");
  norm->add_option("--eps", args->eps, "ε under the square root")->capture_default_str();
  norm->add_option("--values", args->values,
                   "Nested JSON list, N×C or N×C×H×W (also N×C×L, N×C×D×H×W), e.g. "
                   "[[[[0,2],[4,6]],[[1,1],[1,1]]]]")
      ->required();
  norm->add_flag("--json", args->json, "Print JSON: mean, var (statistics shape), normalized");
  norm->callback([args, groups, &action] {
    args->groupsGiven = groups->count() > 0;
    action = [args] { return runCalcNorm(*args, std::cout, std::cerr); };
  });
}

} // namespace nnlab::app
