#include "core/optimizer_flags.h"

#include <CLI/CLI.hpp>

namespace nnlab::app {

namespace {
// One row per flag: where it is stored on the command line and in the optimizer's config.
struct FlagField {
  const char* flag;
  std::optional<double> HyperParameterFlags::*value;
  double OptimizerConfig::*field;
  const char* help;
};

constexpr FlagField kFlagFields[] = {
    {"--lr", &HyperParameterFlags::lr, &OptimizerConfig::lr, nullptr},
    {"--beta", &HyperParameterFlags::beta, &OptimizerConfig::beta,
     "Momentum/Nesterov β, RMSProp α"},
    {"--beta1", &HyperParameterFlags::beta1, &OptimizerConfig::beta1, "Adam-family β₁"},
    {"--beta2", &HyperParameterFlags::beta2, &OptimizerConfig::beta2, "Adam-family β₂"},
    {"--eps", &HyperParameterFlags::eps, &OptimizerConfig::eps, "ε in the denominator √v + ε"},
    {"--weight-decay", &HyperParameterFlags::weightDecay, &OptimizerConfig::weightDecay,
     "AdamW's decoupled decay λ (default 0.01)"},
};
} // namespace

void addHyperParameterOptions(CLI::App& command, HyperParameterFlags& flags,
                              const std::string& lrHelp) {
  for (const FlagField& f : kFlagFields) {
    std::optional<double>* target = &(flags.*f.value);
    command.add_option_function<double>(
        f.flag, [target](const double& v) { *target = v; }, f.help ? f.help : lrHelp);
  }
}

bool optimizerReadsFlag(OptimizerKind kind, const std::string& flag) {
  const bool adam =
      kind == OptimizerKind::Adam || kind == OptimizerKind::AdamW || kind == OptimizerKind::AMSGrad;
  if (flag == "--beta")
    return kind == OptimizerKind::Momentum || kind == OptimizerKind::Nesterov ||
           kind == OptimizerKind::RMSProp;
  if (flag == "--beta1" || flag == "--beta2") return adam;
  if (flag == "--eps")
    return adam || kind == OptimizerKind::AdaGrad || kind == OptimizerKind::RMSProp;
  if (flag == "--weight-decay") return kind == OptimizerKind::AdamW;
  if (flag == "--momentum-form") return kind == OptimizerKind::Momentum;
  return true;
}

std::string optimizerFlagReaders(const std::string& flag) {
  std::string list;
  for (OptimizerKind kind : kAllOptimizerKinds)
    if (optimizerReadsFlag(kind, flag))
      list += (list.empty() ? "" : ", ") + std::string(optimizerId(kind));
  return list;
}

Status applyHyperParameterFlags(OptimizerKind kind, const HyperParameterFlags& flags,
                                OptimizerConfig& config) {
  for (const FlagField& f : kFlagFields) {
    const std::optional<double>& value = flags.*f.value;
    if (!value) continue;
    if (!optimizerReadsFlag(kind, f.flag))
      return Error{f.flag, "not used by " + std::string(optimizerId(kind)) + " (used by " +
                               optimizerFlagReaders(f.flag) + ")"};
    config.*f.field = *value;
  }
  return Status::success();
}

} // namespace nnlab::app
