#include "core/train_command.h"

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "core/format_number.h"
#include "nnlab/datasets.h"
#include "nnlab/network.h"
#include "nnlab/optim.h"
#include "nnlab/schedules.h"
#include "nnlab/training.h"

namespace nnlab::app {
namespace {

using nlohmann::json;

constexpr long long kMaxEpochs = 10'000;
constexpr long long kMaxSteps = 1'000'000;

std::string joined(const std::vector<std::string>& names) {
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
  return list;
}

int list(const TrainArgs& args, std::ostream& out) {
  json presets = json::array();
  for (const std::string& name : modelPresetNames())
    presets.push_back({{"name", name}, {"spec", modelPresetSpec(name)}});
  json spikes = json::array();
  for (SpikeMaker m : {SpikeMaker::HighLearningRate, SpikeMaker::CorruptedLabels,
                       SpikeMaker::AdamNoWarmup, SpikeMaker::TinyBatch})
    spikes.push_back({{"name", spikeMakerId(m)},
                      {"spike", spikeMakerDescription(m, false)},
                      {"fix", spikeMakerDescription(m, true)}});
  json datasets = json::array();
  for (const std::string& name : datasetNames()) {
    const DatasetOptions o = *parseDatasetSpec(name);
    datasets.push_back({{"name", name}, {"defaults", o.toString()}});
  }
  const json doc = {{"datasets", datasets},
                    {"models", presets},
                    {"optimizers", optimizerNames()},
                    {"schedules", scheduleNames()},
                    {"spikes", spikes}};
  if (args.json) {
    out << doc.dump(2) << "\n";
    return kExitOk;
  }
  out << "data sets (--dataset NAME[:key=value,...]):\n";
  for (const json& d : datasets) out << "  " << d["defaults"].get<std::string>() << "\n";
  out << "models (--model NAME, or a layer list such as linear:64,relu,linear):\n";
  for (const json& m : presets)
    out << "  " << m["name"].get<std::string>() << "  " << m["spec"].get<std::string>() << "\n";
  out << "optimizers: " << joined(optimizerNames()) << "\n";
  out << "schedules: " << joined(scheduleNames()) << " (NAME[:key=value,...], warmup=W)\n";
  out << "spike makers (--spike NAME, --fix for its fix):\n";
  for (const json& s : spikes)
    out << "  " << s["name"].get<std::string>() << ": " << s["spike"].get<std::string>()
        << "; fix: " << s["fix"].get<std::string>() << "\n";
  return kExitOk;
}

json optimizerJson(const TrainingConfig& c) {
  json o = {{"name", optimizerId(c.optimizer)},
            {"lr", c.optimizerConfig.lr},
            {"pytorch", pytorchConstructor(c.optimizer, c.optimizerConfig)}};
  if (optimizerReadsFlag(c.optimizer, "--beta")) o["beta"] = c.optimizerConfig.beta;
  if (optimizerReadsFlag(c.optimizer, "--beta1"))
    o["beta1"] = c.optimizerConfig.beta1, o["beta2"] = c.optimizerConfig.beta2;
  if (optimizerReadsFlag(c.optimizer, "--eps")) o["eps"] = c.optimizerConfig.eps;
  if (optimizerReadsFlag(c.optimizer, "--weight-decay"))
    o["weight_decay"] = c.optimizerConfig.weightDecay;
  return o;
}

void printRow(std::ostream& out, const StepRecord& s) {
  char line[160];
  std::snprintf(line, sizeof line, "%7d %6d %10.5f %7.3f %11.4g %10.4g%s%s\n", s.step, s.epoch,
                s.loss, s.accuracy, s.lr, s.gradNorm, s.clipped ? "  clipped" : "",
                s.corrupted ? "  corrupted labels" : "");
  out << line;
}

} // namespace

int runTrainCommand(const TrainArgs& args, std::ostream& out, std::ostream& err) {
  if (args.list) return list(args, out);

  TrainingConfig config;
  if (!args.spike.empty()) {
    Result<SpikeMaker> spike = parseSpikeMaker(args.spike);
    if (!spike) return usageError(err, "--spike", spike.error().what);
    config = applySpikeMaker(config, *spike, args.fix);
  } else if (args.fix) {
    return usageError(err, "--fix", "only with --spike NAME (the fix of that spike maker)");
  }

  if (args.dataset.empty())
    return usageError(err, "--dataset", "required: " + joined(datasetNames()) + " (see --list)");
  Result<DatasetOptions> dataset = parseDatasetSpec(args.dataset);
  if (!dataset) return usageError(err, "--dataset", dataset.error().what);
  config.dataset = *dataset;

  if (args.model.empty())
    return usageError(err, "--model",
                      "required: " + joined(modelPresetNames()) +
                          " or a layer list such as linear:64,relu,linear");
  if (Result<ModelSpec> spec = parseModelSpec(args.model); !spec)
    return usageError(err, "--model", spec.error().what);
  config.model = args.model;

  if (args.optimizer.empty() && args.spike.empty())
    return usageError(err, "--optimizer", "required: " + joined(optimizerNames()));
  if (!args.optimizer.empty()) {
    const std::optional<OptimizerKind> kind = optimizerKindFromId(args.optimizer);
    if (!kind)
      return usageError(err, "--optimizer",
                        "unknown optimizer '" + args.optimizer +
                            "' (known: " + joined(optimizerNames()) + ")");
    if (*kind != config.optimizer || args.spike.empty()) {
      const double lr = config.optimizerConfig.lr;
      config.optimizer = *kind;
      config.optimizerConfig = defaultOptimizerConfig(*kind);
      if (!args.spike.empty()) config.optimizerConfig.lr = lr; // keep the spike maker's rate
    }
  }
  OptimizerConfig& oc = config.optimizerConfig;
  if (Status s = applyHyperParameterFlags(config.optimizer, args.hyper, oc); !s)
    return usageError(err, s.error().where, s.error().what);
  if (Status s = validateOptimizerConfig(config.optimizer, oc); !s)
    return usageError(err, "--" + s.error().where, s.error().what);

  if (!args.schedule.empty()) {
    Result<Schedule> schedule = parseSchedule(args.schedule);
    if (!schedule) return usageError(err, "--schedule", schedule.error().what);
    const int warmup = config.schedule.warmupSteps; // a spike maker's fix may have set it
    config.schedule = *schedule;
    if (config.schedule.warmupSteps == 0) config.schedule.warmupSteps = warmup;
  }
  if (args.warmup >= 0) {
    if (args.warmup > kMaxSteps)
      return usageError(err, "--warmup", "at most " + std::to_string(kMaxSteps) + " steps");
    config.schedule.warmupSteps = static_cast<int>(args.warmup);
  } else if (args.warmup != -1) {
    return usageError(err, "--warmup", "must be ≥ 0 (got " + std::to_string(args.warmup) + ")");
  }

  Result<InitScheme> init = parseInitScheme(args.init);
  if (!init) return usageError(err, "--init", init.error().what);
  config.init = *init;

  struct Count {
    const char* flag;
    long long value, minimum, maximum;
  };
  for (const Count& c :
       {Count{"--batch", args.batch, 1, 65536}, Count{"--epochs", args.epochs, 1, kMaxEpochs},
        Count{"--max-steps", args.maxSteps, 1, kMaxSteps},
        Count{"--corrupt-at", args.corruptAt, 1, kMaxSteps},
        Count{"--corrupt-steps", args.corruptSteps, 1, kMaxSteps},
        Count{"--threads", args.threads, 1, 256}}) {
    if (c.value == -1) continue;
    if (c.value < c.minimum || c.value > c.maximum)
      return usageError(err, c.flag,
                        "must be " + std::to_string(c.minimum) + " to " +
                            std::to_string(c.maximum) + " (got " + std::to_string(c.value) + ")");
  }
  if (args.batch != -1) config.batchSize = args.batch;
  if (args.epochs != -1) config.epochs = static_cast<int>(args.epochs);
  if (args.maxSteps != -1) config.maxSteps = static_cast<int>(args.maxSteps);
  if (args.corruptAt != -1) config.corruptAt = static_cast<int>(args.corruptAt);
  if (args.corruptSteps != -1) config.corruptSteps = static_cast<int>(args.corruptSteps);
  if (args.threads != -1) config.threads = static_cast<int>(args.threads);
  if (args.clipGiven) {
    if (!(std::isfinite(args.clip) && args.clip >= 0))
      return usageError(err, "--clip",
                        "must be a finite number ≥ 0, 0 for none (got " + formatNumber(args.clip) +
                            ")");
    config.clipNorm = args.clip;
  }
  config.seed = args.seed;

  Result<std::unique_ptr<TrainingRun>> created = TrainingRun::create(config);
  if (!created) {
    const Error& e = created.error();
    const bool isFlag = e.where == "dataset" || e.where == "model" || e.where == "batch" ||
                        e.where == "epochs" || e.where == "clip" || e.where == "lr";
    // Errors name the setting ("model", "batch"): report them against its flag.
    return isFlag ? usageError(err, "--" + e.where, e.what) : usageError(err, "", e.message());
  }
  TrainingRun& run = **created;
  if (static_cast<long long>(run.totalSteps()) > kMaxSteps)
    return usageError(err, "--epochs",
                      "the run would take " + std::to_string(run.totalSteps()) +
                          " steps (at most " + std::to_string(kMaxSteps) + ")");

  const TrainingHistory& h = run.history();
  const Dataset& data = run.dataset();
  if (!args.json) {
    out << "dataset    " << config.dataset.toString() << "  (" << data.trainSize() << " train, "
        << data.validationSize() << " validation, " << data.classes << " classes)\n"
        << "model      " << args.model << "\n"
        << run.network().describe() << "optimizer  "
        << pytorchConstructor(config.optimizer, config.optimizerConfig) << "\n"
        << "schedule   " << config.schedule.toString() << "   batch " << config.batchSize
        << "   epochs " << config.epochs << "   steps " << run.totalSteps()
        << (config.clipNorm > 0 ? "   clip " + formatNumber(config.clipNorm) : std::string())
        << (config.corruptAt > 0
                ? "   corrupted labels at steps " + std::to_string(config.corruptAt) + ".." +
                      std::to_string(config.corruptAt + config.corruptSteps - 1)
                : std::string())
        << "   seed " << config.seed << "\n"
        << "chance loss ln " << data.classes << " = " << formatNumber(h.chanceLoss)
        << "   initial validation loss " << formatNumber(h.initialLoss) << "\n\n";
    char header[160];
    std::snprintf(header, sizeof header, "%7s %6s %10s %7s %11s %10s\n", "step", "epoch", "loss",
                  "acc", "lr", "grad_norm");
    out << header;
  }
  const int every = std::max(1, run.totalSteps() / 40);
  size_t epochsShown = 0;
  while (!run.done()) {
    const StepRecord& s = run.step();
    if (args.json) continue;
    if (s.step <= 20 || s.step % every == 0 || s.corrupted || run.done()) printRow(out, s);
    for (; epochsShown < h.epochs.size(); ++epochsShown) {
      const EpochRecord& e = h.epochs[epochsShown];
      char line[200];
      std::snprintf(line, sizeof line,
                    "  epoch %d: train loss %.5f acc %.3f   validation loss %.5f acc %.3f\n",
                    e.epoch, e.trainLoss, e.trainAccuracy, e.validationLoss, e.validationAccuracy);
      out << line;
    }
  }
  if (!args.json) {
    if (h.diverged)
      out << "diverged: the loss became NaN or infinite at step " << h.steps.back().step << "\n";
    return kExitOk;
  }

  json history = json::array(), val = json::array();
  for (const StepRecord& s : h.steps)
    history.push_back({{"step", s.step},
                       {"epoch", s.epoch},
                       {"loss", std::isfinite(s.loss) ? json(s.loss) : json(nullptr)},
                       {"acc", s.accuracy},
                       {"lr", s.lr},
                       {"grad_norm", std::isfinite(s.gradNorm) ? json(s.gradNorm) : json(nullptr)},
                       {"clipped", s.clipped},
                       {"corrupted", s.corrupted}});
  for (const EpochRecord& e : h.epochs)
    val.push_back({{"epoch", e.epoch},
                   {"step", e.step},
                   {"loss", e.validationLoss},
                   {"acc", e.validationAccuracy},
                   {"train_loss", e.trainLoss},
                   {"train_acc", e.trainAccuracy}});
  json layers = json::array();
  for (const auto& layer : run.network().layers()) layers.push_back(layer->describe());
  const json doc = {
      {"history", history},
      {"val", val},
      {"classes", h.classes},
      {"class_names", data.classNames},
      {"chance_loss", h.chanceLoss},
      {"initial_loss", h.initialLoss},
      {"initial_acc", h.initialAccuracy},
      {"diverged", h.diverged},
      {"dataset", config.dataset.toString()},
      {"model",
       {{"spec", args.model}, {"parameters", run.network().parameterCount()}, {"layers", layers}}},
      {"optimizer", optimizerJson(config)},
      {"schedule", config.schedule.toString()},
      {"batch", config.batchSize},
      {"epochs", config.epochs},
      {"steps", run.totalSteps()},
      {"clip", config.clipNorm},
      {"seed", config.seed}};
  out << doc.dump() << "\n";
  return kExitOk;
}

void addTrainCommand(CLI::App& root, CommandAction& action) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* command = root.add_subcommand(
      "train", "Train a small network on a generated data set (progress table or JSON history)");
  command->add_option("--dataset", args->dataset,
                      "spirals | moons | circles | xor | blobs | shapes, [:key=value,...] "
                      "(e.g. spirals:classes=3,noise=0.2)");
  command->add_option("--model", args->model,
                      "Preset (logistic, mlp, mlp_bn, small_cnn, small_cnn_bn) or a layer list, "
                      "e.g. linear:64,relu,linear");
  command->add_option("--optimizer", args->optimizer,
                      "sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw or amsgrad");
  addHyperParameterOptions(*command, args->hyper, "Base learning rate η₀");
  command->add_option("--batch", args->batch, "Mini-batch size B (default 32)");
  command->add_option("--epochs", args->epochs, "Passes over the training set (default 10)");
  command->add_option("--max-steps", args->maxSteps, "Stop after N steps");
  command->add_option("--schedule", args->schedule,
                      "constant | step | exponential | inv-sqrt | cosine, [:key=value,...]");
  command->add_option("--warmup", args->warmup, "Linear warmup over the first STEPS steps");
  CLI::Option* clip =
      command->add_option("--clip", args->clip, "Clip the global gradient norm to NORM");
  command->add_option("--corrupt-at", args->corruptAt,
                      "Spike maker: wrong labels from step STEP on (--corrupt-steps, default 10)");
  command->add_option("--corrupt-steps", args->corruptSteps, "Length of the label burst");
  command->add_option("--init", args->init,
                      "auto | xavier_uniform | xavier_normal | he_uniform | he_normal");
  command->add_option("--spike", args->spike,
                      "Spike maker: high-lr | corrupt | adam-no-warmup | tiny-batch");
  command->add_flag("--fix", args->fix, "With --spike: apply the spike maker's fix");
  command->add_option("--seed", args->seed, "Seed of data, weights, shuffling (default 0)");
  command->add_option("--threads", args->threads,
                      "OpenMP threads (default: all); the numbers are the same with any count");
  command->add_flag("--json", args->json, "Print JSON: history, val, classes, initial_loss");
  command->add_flag("--list", args->list, "List data sets, models, optimizers, spike makers");
  command->callback([args, clip, &action] {
    args->clipGiven = clip->count() > 0;
    action = [args] { return runTrainCommand(*args, std::cout, std::cerr); };
  });
}

} // namespace nnlab::app
