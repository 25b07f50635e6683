#include "core/trajectory_command.h"

#include <CLI/CLI.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "core/expression_surface.h"
#include "core/format_number.h"
#include "nnlab/optim.h"
#include "nnlab/schedules.h"
#include "nnlab/surfaces.h"
#include "nnlab/trajectory.h"

namespace nnlab::app {
namespace {

using nlohmann::json;

constexpr long long kMaxSteps = 1'000'000; // the state of a million steps is ~100 MB of JSON

// "X,Y" -> Vec2; both parts must be whole numbers of the form from_chars reads ("-1.5", "2e-3").
std::optional<Vec2> parsePoint(const std::string& text) {
  const size_t comma = text.find(',');
  if (comma == std::string::npos) return std::nullopt;
  auto number = [](std::string_view s) -> std::optional<double> {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    double v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
  };
  const std::optional<double> x = number(std::string_view(text).substr(0, comma));
  const std::optional<double> y = number(std::string_view(text).substr(comma + 1));
  if (!x || !y) return std::nullopt;
  return Vec2{*x, *y};
}

json toJson(Vec2 p) {
  return json::array({p.x, p.y});
}

json surfaceJson(const Surface& s) {
  const Box2 box = s.domain();
  json minima = json::array();
  for (Vec2 m : s.minima()) minima.push_back(toJson(m));
  return {{"name", s.name()},
          {"title", s.title()},
          {"formula", s.formula()},
          {"domain", {box.xMin, box.xMax, box.yMin, box.yMax}},
          {"minima", minima}};
}

json configJson(OptimizerKind kind, const OptimizerConfig& c) {
  json config = {{"lr", c.lr}};
  if (optimizerReadsFlag(kind, "--beta")) config["beta"] = c.beta;
  if (optimizerReadsFlag(kind, "--beta1")) config["beta1"] = c.beta1, config["beta2"] = c.beta2;
  if (optimizerReadsFlag(kind, "--eps")) config["eps"] = c.eps;
  if (optimizerReadsFlag(kind, "--weight-decay")) config["weight_decay"] = c.weightDecay;
  if (kind == OptimizerKind::Momentum)
    config["momentum_form"] = c.momentumForm == MomentumForm::HeavyBall ? "heavy-ball" : "ema";
  const bool hasCorrection =
      optimizerReadsFlag(kind, "--beta1") ||
      (kind == OptimizerKind::Momentum && c.momentumForm == MomentumForm::Ema);
  if (hasCorrection) config["bias_correction"] = c.biasCorrection;
  return config;
}

json stateJson(const OptimizerState& s, OptimizerFields fields) {
  json state = {{"t", s.t}, {"lr", s.lr}, {"gradient", toJson(s.gradient)}};
  if (fields.m) state["m"] = toJson(s.m);
  if (fields.v) state["v"] = toJson(s.v);
  if (fields.mHat) state["m_hat"] = toJson(s.mHat);
  if (fields.vHat) state["v_hat"] = toJson(s.vHat);
  if (fields.vMax) state["v_max"] = toJson(s.vMax);
  state["direction"] = toJson(s.direction);
  state["effective_lr"] = toJson(s.effectiveLr);
  state["step"] = toJson(s.step);
  return state;
}

int listSurfaces(const TrajectoryArgs& args, std::ostream& out) {
  json list = json::array();
  for (SurfaceKind kind : kAllSurfaceKinds) list.push_back(surfaceJson(*makeSurface(kind)));
  if (args.json) {
    out << list.dump(2) << "\n";
    return kExitOk;
  }
  for (const json& s : list) {
    std::string minima;
    for (const json& m : s["minima"])
      minima += (minima.empty() ? "" : " ") + std::string("(") + formatNumber(m[0]) + ", " +
                formatNumber(m[1]) + ")";
    const json& d = s["domain"];
    out << s["name"].get<std::string>() << "\n    f = " << s["formula"].get<std::string>()
        << "\n    domain x ∈ [" << formatNumber(d[0]) << ", " << formatNumber(d[1]) << "], y ∈ ["
        << formatNumber(d[2]) << ", " << formatNumber(d[3]) << "]"
        << "\n    minima " << (minima.empty() ? "none" : minima) << "\n";
  }
  out << "or a formula in x and y, e.g. --surface \"x^2 + 10*y^2\" (muParser syntax)\n";
  return kExitOk;
}

int listOptimizers(const TrajectoryArgs& args, std::ostream& out) {
  json list = json::array();
  for (OptimizerKind kind : kAllOptimizerKinds) {
    const OptimizerConfig defaults = defaultOptimizerConfig(kind);
    list.push_back({{"name", optimizerId(kind)},
                    {"title", optimizerTitle(kind)},
                    {"update", optimizerFormula(kind)},
                    {"defaults", configJson(kind, defaults)},
                    {"pytorch", pytorchConstructor(kind, defaults)}});
  }
  if (args.json) {
    out << list.dump(2) << "\n";
    return kExitOk;
  }
  for (const json& o : list)
    out << o["name"].get<std::string>() << "\n    " << o["update"].get<std::string>() << "\n    "
        << o["pytorch"].get<std::string>() << "\n";
  return kExitOk;
}

void printText(std::ostream& out, const Surface& surface, OptimizerKind kind,
               const OptimizerConfig& config, const Schedule& schedule, const Trajectory& path) {
  out << "surface    " << surface.name() << ": f = " << surface.formula() << "\n"
      << "optimizer  " << optimizerId(kind) << ": " << pytorchConstructor(kind, config) << "\n"
      << "schedule   " << schedule.toString() << "\n\n";
  char line[160];
  std::snprintf(line, sizeof line, "%8s %14s %14s %14s %12s %12s\n", "step", "x", "y", "loss", "lr",
                "|step|");
  out << line;
  for (size_t t = 0; t < path.points.size(); ++t) {
    const Vec2 p = path.points[t];
    if (t == 0)
      std::snprintf(line, sizeof line, "%8zu %14.8g %14.8g %14.8g %12s %12s\n", t, p.x, p.y,
                    path.loss[t], "", "");
    else
      std::snprintf(line, sizeof line, "%8zu %14.8g %14.8g %14.8g %12.6g %12.6g\n", t, p.x, p.y,
                    path.loss[t], path.lr[t - 1], norm(p - path.points[t - 1]));
    out << line;
  }
  if (path.diverged) {
    out << "diverged: " << path.diverged->reason << "\n";
    return;
  }
  const std::vector<Vec2> minima = surface.minima();
  if (!minima.empty()) {
    const double d = distanceToNearestMinimum(minima, {path.points.back()}).front();
    out << "distance to the nearest known minimum: " << formatNumber(d) << "\n";
  }
}

} // namespace

int runTrajectoryCommand(const TrajectoryArgs& args, std::ostream& out, std::ostream& err) {
  if (args.listSurfaces) return listSurfaces(args, out);
  if (args.listOptimizers) return listOptimizers(args, out);

  if (args.surface.empty()) return usageError(err, "--surface", "required (see --list-surfaces)");
  if (args.optimizer.empty())
    return usageError(err, "--optimizer", "required (see --list-optimizers)");
  if (args.start.empty())
    return usageError(err, "--start", "required, as X,Y (e.g. --start=-1.5,2)");
  if (args.steps < 0) return usageError(err, "--steps", "required: the number of updates N ≥ 0");
  if (args.steps > kMaxSteps)
    return usageError(err, "--steps",
                      "at most " + std::to_string(kMaxSteps) + " (got " +
                          std::to_string(args.steps) + ")");

  Result<std::unique_ptr<Surface>> surface = makeSurfaceOrExpression(args.surface);
  if (!surface) return usageError(err, "--surface", surface.error().what);

  const std::optional<OptimizerKind> kind = optimizerKindFromId(args.optimizer);
  if (!kind) {
    std::string names;
    for (const std::string& n : optimizerNames()) names += (names.empty() ? "" : ", ") + n;
    return usageError(err, "--optimizer",
                      "unknown optimizer '" + args.optimizer + "' (known: " + names + ")");
  }
  OptimizerConfig config = defaultOptimizerConfig(*kind);
  if (Status s = applyHyperParameterFlags(*kind, args.hyper, config); !s)
    return usageError(err, s.error().where, s.error().what);
  if (!args.momentumForm.empty()) {
    if (!optimizerReadsFlag(*kind, "--momentum-form"))
      return usageError(err, "--momentum-form",
                        "only used by momentum (got --optimizer " + args.optimizer + ")");
    if (args.momentumForm == "heavy-ball")
      config.momentumForm = MomentumForm::HeavyBall;
    else if (args.momentumForm == "ema")
      config.momentumForm = MomentumForm::Ema;
    else
      return usageError(err, "--momentum-form",
                        "expected heavy-ball or ema (got \"" + args.momentumForm + "\")");
  }
  if (args.noBiasCorrection) {
    const bool corrects =
        optimizerReadsFlag(*kind, "--beta1") ||
        (*kind == OptimizerKind::Momentum && config.momentumForm == MomentumForm::Ema);
    if (!corrects)
      return usageError(err, "--no-bias-correction",
                        "only used by adam, adamw, amsgrad and momentum with --momentum-form ema");
    config.biasCorrection = false;
  }
  Result<std::unique_ptr<Optimizer>> optimizer = makeOptimizer(*kind, config);
  if (!optimizer) return usageError(err, "--" + optimizer.error().where, optimizer.error().what);

  Result<Schedule> schedule = parseSchedule(args.schedule);
  if (!schedule) return usageError(err, "--schedule", schedule.error().what);
  if (!(std::isfinite(args.noise) && args.noise >= 0))
    return usageError(err, "--noise",
                      "σ must be a finite number ≥ 0 (got " + formatNumber(args.noise) + ")");
  const std::optional<Vec2> start = parsePoint(args.start);
  if (!start || !isFinite(*start))
    return usageError(err, "--start",
                      "expected X,Y with two finite numbers, e.g. --start=-1.5,2 (got \"" +
                          args.start + "\")");

  const Trajectory path = runTrajectory(**surface, **optimizer,
                                        {.start = *start,
                                         .steps = static_cast<int>(args.steps),
                                         .schedule = *schedule,
                                         .gradientNoise = args.noise,
                                         .seed = args.seed});
  if (!args.json) {
    printText(out, **surface, *kind, config, *schedule, path);
    return kExitOk;
  }
  json points = json::array(), states = json::array();
  for (Vec2 p : path.points) points.push_back(toJson(p));
  const OptimizerFields fields = (*optimizer)->fields();
  for (const OptimizerState& s : path.state) states.push_back(stateJson(s, fields));
  json doc = {{"surface", surfaceJson(**surface)},
              {"optimizer",
               {{"name", optimizerId(*kind)},
                {"config", configJson(*kind, config)},
                {"pytorch", pytorchConstructor(*kind, config)}}},
              {"schedule", schedule->toString()},
              {"start", toJson(*start)},
              {"steps", args.steps},
              {"noise", args.noise},
              {"seed", args.seed},
              {"points", points},
              {"loss", path.loss},
              {"lr", path.lr},
              {"state", states},
              {"diverged", path.diverged ? json(path.diverged->reason) : json(nullptr)},
              {"diverged_step", path.diverged ? json(path.diverged->step) : json(nullptr)}};
  out << doc.dump() << "\n";
  return kExitOk;
}

void addTrajectoryCommand(CLI::App& root, CommandAction& action) {
  auto args = std::make_shared<TrajectoryArgs>();
  CLI::App* command = root.add_subcommand(
      "trajectory", "An optimizer's path over a loss surface, step by step (text table or JSON)");
  command->add_option("--surface", args->surface,
                      "Built-in NAME[:key=value,...] (see --list-surfaces) or a formula in x, y");
  command->add_option("--optimizer", args->optimizer,
                      "sgd, momentum, nesterov, adagrad, rmsprop, "
                      "adam, adamw or amsgrad");
  addHyperParameterOptions(*command, args->hyper, "Base learning rate η₀ (default: PyTorch's)");
  command->add_option("--momentum-form", args->momentumForm,
                      "heavy-ball (m ← βm + g, default) or ema (m ← βm + (1 − β)g)");
  command->add_flag("--no-bias-correction", args->noBiasCorrection,
                    "Adam family, EMA momentum: skip the division by 1 − βᵗ");
  command
      ->add_option("--schedule", args->schedule,
                   "constant | step | exponential | inv-sqrt | cosine, [:key=value,...], any "
                   "with warmup=W (e.g. cosine:t_max=500,warmup=50)")
      ->capture_default_str();
  command->add_option("--noise", args->noise,
                      "σ of Gaussian noise added to each gradient coordinate");
  command->add_option("--seed", args->seed, "Seed of the gradient noise (std::mt19937)");
  command->add_option("--start", args->start, "Start point X,Y (negative: --start=-1.5,2)");
  command->add_option("--steps", args->steps, "Number of updates N");
  command->add_flag("--json", args->json, "Print JSON: points, loss, lr, state, diverged");
  command->add_flag("--list-surfaces", args->listSurfaces, "List the built-in surfaces and exit");
  command->add_flag("--list-optimizers", args->listOptimizers, "List the optimizers and exit");
  command->callback([args, &action] {
    action = [args] { return runTrajectoryCommand(*args, std::cout, std::cerr); };
  });
}

} // namespace nnlab::app
