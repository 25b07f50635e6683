#include "labs/training_lab.h"

#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>
#include <omp.h>
#include <set>
#include <utility>

#include "core/format_number.h"
#include "core/json_fields.h"
#include "core/presets.h"
#include "core/messages.h"
#include "core/paths.h"
#include "core/scene.h"
#include "plot/plot_widget.h"
#include "plot/ticks.h"

namespace nnlab::app {

namespace {

// The schedule without its warmup: the scene stores warmup as its own field (its own slider).
std::string scheduleWithoutWarmup(Schedule schedule) {
  schedule.warmupSteps = 0;
  return schedule.toString();
}

const plot::Color kChanceColor = {0.35f, 0.35f, 0.35f, 1.0f};

} // namespace

// ---- Settings and scene files ---------------------------------------------------------------

TrainingRunSettings defaultTrainingRunSettings() {
  TrainingRunSettings s;
  s.config.dataset = *parseDatasetSpec("spirals:noise=0.2");
  s.config.model = "mlp";
  s.config.optimizer = OptimizerKind::Adam;
  s.config.optimizerConfig = defaultOptimizerConfig(OptimizerKind::Adam);
  s.config.optimizerConfig.lr = 0.01;
  s.config.batchSize = 32;
  s.config.epochs = 20;
  s.config.seed = 7;
  s.config.threads = 1; // one core for the worker, one for the UI
  return s;
}

TrainingLabState defaultTrainingLabState() {
  TrainingLabState state;
  state.settings = defaultTrainingRunSettings();
  return state;
}

nlohmann::json trainingRunSettingsToJson(const TrainingRunSettings& s) {
  const TrainingConfig& c = s.config;
  const OptimizerConfig& o = c.optimizerConfig;
  nlohmann::json j = {{"dataset", c.dataset.toString()},
                      {"model", c.model},
                      {"optimizer", std::string(optimizerId(c.optimizer))},
                      {"lr", o.lr},
                      {"beta", o.beta},
                      {"beta1", o.beta1},
                      {"beta2", o.beta2},
                      {"eps", o.eps},
                      {"weight_decay", o.weightDecay},
                      {"schedule", scheduleWithoutWarmup(c.schedule)},
                      {"warmup", c.schedule.warmupSteps},
                      {"batch", c.batchSize},
                      {"epochs", c.epochs},
                      {"clip", c.clipNorm},
                      {"corrupt_at", c.corruptAt},
                      {"corrupt_steps", c.corruptSteps},
                      {"seed", c.seed}};
  if (!s.label.empty()) j["label"] = s.label;
  return j;
}

nlohmann::json trainingLabStateToJson(const TrainingLabState& state) {
  nlohmann::json runs = nlohmann::json::array();
  for (const TrainingRunSettings& r : state.runs) runs.push_back(trainingRunSettingsToJson(r));
  nlohmann::json j = {{"settings", trainingRunSettingsToJson(state.settings)},
                      {"runs", runs},
                      {"autorun", state.autorun},
                      {"smoothing", state.smoothing},
                      {"show_raw", state.showRaw},
                      {"boundary_run", state.boundaryRun}};
  if (!state.title.empty()) j["title"] = state.title;
  if (!state.note.empty()) j["note"] = state.note;
  return j;
}

namespace {

// Reads the fields present in `json` over `out` (which holds the defaults or the base settings).
Status readRunSettings(const nlohmann::json& json, const std::string& path,
                       TrainingRunSettings& out) {
  if (!json.is_object()) return Error{path, "expected an object of run settings"};
  TrainingRunSettings next = out;
  TrainingConfig& c = next.config;
  JsonReader reader(json, path);
  std::string dataset = c.dataset.toString(), model = c.model,
              optimizer = std::string(optimizerId(c.optimizer)),
              schedule = scheduleWithoutWarmup(c.schedule);
  int warmup = c.schedule.warmupSteps, batch = int(c.batchSize), seed = int(c.seed);
  reader.string("label", next.label)
      .string("dataset", dataset)
      .string("model", model)
      .choice("optimizer", optimizer, optimizerNames())
      .string("schedule", schedule)
      .integer("warmup", warmup, 0, 100000)
      .integer("batch", batch, 1, 4096)
      .integer("epochs", c.epochs, 1, 1000)
      .number("clip", c.clipNorm, 0.0, 1e6)
      .integer("corrupt_at", c.corruptAt, 0, 1000000)
      .integer("corrupt_steps", c.corruptSteps, 1, 100000)
      .integer("seed", seed, 0, 1 << 30);
  if (!reader.ok()) return reader.status();
  if (optimizer != optimizerId(c.optimizer)) {
    const double lr = c.optimizerConfig.lr;
    c.optimizer = *optimizerKindFromId(optimizer);
    c.optimizerConfig = defaultOptimizerConfig(c.optimizer);
    c.optimizerConfig.lr = lr;
  }
  OptimizerConfig& o = c.optimizerConfig;
  reader.number("lr", o.lr, 1e-7, 100.0)
      .number("beta", o.beta, 0.0, 0.9999)
      .number("beta1", o.beta1, 0.0, 0.9999)
      .number("beta2", o.beta2, 0.0, 0.999999)
      .number("eps", o.eps, 0.0, 1.0)
      .number("weight_decay", o.weightDecay, 0.0, 10.0);
  if (!reader.ok()) return reader.status();
  if (Result<DatasetOptions> d = parseDatasetSpec(dataset); !d)
    reader.fail("dataset", d.error().what);
  else
    c.dataset = *d;
  if (Result<ModelSpec> m = parseModelSpec(model); !m)
    reader.fail("model", m.error().what);
  else
    c.model = model;
  if (Result<Schedule> s = parseSchedule(schedule); !s)
    reader.fail("schedule", s.error().what);
  else
    c.schedule = *s;
  if (!reader.ok()) return reader.status();
  c.schedule.warmupSteps = warmup;
  c.batchSize = batch;
  c.seed = std::uint32_t(seed);
  c.threads = 1;
  if (Status v = validateTrainingConfig(c); !v) {
    reader.fail(v.error().where == "batch" ? "batch" : v.error().where, v.error().what);
    return reader.status();
  }
  out = next;
  return Status::success();
}

} // namespace

Status trainingLabStateFromJson(const nlohmann::json& json, TrainingLabState& state) {
  if (!json.is_object()) return Error{"state", "expected an object"};
  TrainingLabState next = state;
  JsonReader reader(json, "state");
  reader.string("title", next.title)
      .string("note", next.note)
      .boolean("autorun", next.autorun)
      .number("smoothing", next.smoothing, 0.0, 0.999)
      .boolean("show_raw", next.showRaw)
      .integer("boundary_run", next.boundaryRun, -1, kMaxTrainingRuns - 1);
  if (!reader.ok()) return reader.status();
  // A scene is a whole picture: what it does not say comes from the defaults, not from whatever
  // the lab showed before (except display settings read above).
  if (!json.contains("title")) next.title.clear();
  if (!json.contains("note")) next.note.clear();
  if (json.contains("settings")) {
    TrainingRunSettings base = defaultTrainingRunSettings();
    if (Status s = readRunSettings(json["settings"], "state.settings", base); !s) return s;
    next.settings = base;
  }
  if (json.contains("runs")) {
    const nlohmann::json& list = json["runs"];
    if (!list.is_array() || list.size() > size_t(kMaxTrainingRuns))
      return Error{"state.runs", "expected a list of at most " + std::to_string(kMaxTrainingRuns) +
                                     " run settings"};
    next.runs.clear();
    for (size_t i = 0; i < list.size(); ++i) {
      TrainingRunSettings run = next.settings;
      run.label.clear();
      if (Status s = readRunSettings(list[i], "state.runs[" + std::to_string(i) + "]", run); !s)
        return s;
      next.runs.push_back(run);
    }
  }
  state = next;
  return Status::success();
}

std::string runSettingsText(const TrainingConfig& c) {
  std::string text =
      std::string(optimizerTitle(c.optimizer)) + " η=" + formatNumber(c.optimizerConfig.lr, "%.3g");
  const Schedule& s = c.schedule;
  switch (s.kind) {
  case ScheduleKind::Constant: break;
  case ScheduleKind::StepDecay:
    text += " · step ×" + formatNumber(s.gamma) + "/" + std::to_string(s.stepSize);
    break;
  case ScheduleKind::Exponential: text += " · exp ×" + formatNumber(s.gamma); break;
  case ScheduleKind::InverseSqrt: text += " · 1/√t"; break;
  case ScheduleKind::Cosine: text += " · cosine"; break;
  }
  if (s.warmupSteps > 0) text += " · warmup " + std::to_string(s.warmupSteps);
  text += " · " + c.model;
  if (c.batchSize != 32) text += " · B=" + std::to_string(c.batchSize);
  if (c.clipNorm > 0) text += " · clip " + formatNumber(c.clipNorm);
  if (c.corruptAt > 0) text += " · bad labels @" + std::to_string(c.corruptAt);
  return text;
}

std::string runLegend(const TrainingRunSettings& settings) {
  const std::string text = runSettingsText(settings.config);
  return settings.label.empty() ? text : settings.label + ": " + text;
}

// ---- Smoothing ------------------------------------------------------------------------------

double LossSmoother::add(double y) {
  if (!std::isfinite(y)) return y;
  last = last * weight + (1 - weight) * y;
  ++count;
  const double debias = weight == 1.0 ? 1.0 : 1.0 - std::pow(weight, count);
  return last / debias;
}

std::vector<double> smoothLosses(const std::vector<double>& values, double weight) {
  LossSmoother smoother{weight};
  std::vector<double> out;
  out.reserve(values.size());
  for (double v : values) out.push_back(smoother.add(v));
  return out;
}

// ---- Running a whole run here ---------------------------------------------------------------

Result<RunCurves> trainToEnd(const TrainingRunSettings& settings, double smoothing) {
  Result<std::unique_ptr<TrainingRun>> made = TrainingRun::create(settings.config);
  if (!made) return made.error();
  TrainingRun& run = *made.value();
  while (!run.done()) {
    run.step();
    if (run.history().diverged) break;
  }
  RunCurves curves;
  curves.settings = settings;
  curves.steps = run.history().steps;
  curves.epochs = run.history().epochs;
  curves.classes = run.history().classes;
  curves.chanceLoss = run.history().chanceLoss;
  curves.initialLoss = run.history().initialLoss;
  curves.totalSteps = run.totalSteps();
  curves.status = run.history().diverged ? TrainingStatus::Diverged : TrainingStatus::Finished;
  curves.smoother.weight = smoothing;
  for (const StepRecord& s : curves.steps) curves.smoothed.push_back(curves.smoother.add(s.loss));
  return curves;
}

// ---- Figures ----------------------------------------------------------------------------------

namespace {

plot::Color runColor(const RunCurves& run, float alpha = 1.0f) {
  plot::Color c = plot::seriesColor(run.colorIndex);
  c.a = alpha;
  return c;
}

int axisMax(const std::vector<const RunCurves*>& runs, int stepAxisMax) {
  int m = stepAxisMax;
  for (const RunCurves* r : runs) m = std::max({m, r->totalSteps, int(r->steps.size())});
  return std::max(m, 1);
}

// Fixed y ticks from 0 to a nice maximum over `top`, their labels padded with figure spaces
// (U+2007, a digit's width) to `digits` digit widths, so that stacked figures whose labels have
// the same padded width put their plot boxes at the same x (DejaVu's digits are all one width).
void setAlignedTicks(plot::Axis& axis, double top, int digits) {
  const plot::Ticks ticks = plot::niceTicks(0.0, top, 5);
  axis.min = 0.0;
  axis.max = top;
  axis.ticks = ticks.major;
  axis.tickLabels.clear();
  for (double t : ticks.major) {
    std::string label = plot::formatTick(t, ticks.step);
    int count = 0;
    bool dot = false;
    for (char ch : label) count += (ch >= '0' && ch <= '9'), dot |= ch == '.';
    std::string pad;
    for (int i = count; i < digits; ++i) pad += "\u2007";
    if (!dot) pad += "\u2008"; // punctuation space: the width of the missing '.'
    axis.tickLabels.push_back(pad + label);
  }
}

// The widest label's digit count of setAlignedTicks(top) (before padding).
int tickDigits(double top) {
  const plot::Ticks ticks = plot::niceTicks(0.0, top, 5);
  int widest = 0;
  for (double t : ticks.major) {
    const std::string label = plot::formatTick(t, ticks.step);
    int count = 0;
    for (char ch : label) count += ch >= '0' && ch <= '9';
    if (label.find_first_not_of("0123456789.") != std::string::npos) return -1; // 2×10⁻⁵
    widest = std::max(widest, count);
  }
  return widest;
}

double niceTop(double maxValue) {
  if (!(maxValue > 0) || !std::isfinite(maxValue)) return 1.0;
  const plot::Ticks ticks = plot::niceTicks(0.0, maxValue * 1.05, 5);
  const double step = ticks.step > 0 ? ticks.step : maxValue;
  return std::ceil(maxValue * 1.05 / step) * step;
}

double lossTop(const std::vector<const RunCurves*>& runs, bool /*showRaw*/) {
  double top = 0;
  for (const RunCurves* r : runs) {
    top = std::max(top, r->chanceLoss * 1.15);
    // The smoothed curve sets the range: a raw batch that spikes to 20× the rest would flatten
    // everything else (it is drawn clipped at the box's top).
    for (size_t i = 0; i < r->smoothed.size(); ++i)
      if (std::isfinite(r->smoothed[i])) top = std::max(top, r->smoothed[i]);
    // Validation losses too (overfitting shows as a rising validation curve), but a one-epoch
    // spike counts only up to its higher neighbour: it is drawn clipped at the box's top rather
    // than squeezing 60 epochs of plateaus into the bottom third.
    const std::vector<EpochRecord>& e = r->epochs;
    for (size_t i = 0; i < e.size(); ++i) {
      double v = e[i].validationLoss;
      if (e.size() > 1) {
        const double before = i > 0 ? e[i - 1].validationLoss : -INFINITY;
        const double after = i + 1 < e.size() ? e[i + 1].validationLoss : -INFINITY;
        v = std::min(v, std::max(before, after));
      }
      if (std::isfinite(v)) top = std::max(top, v);
    }
  }
  return niceTop(top);
}

double lrTop(const std::vector<const RunCurves*>& runs) {
  double top = 0;
  for (const RunCurves* r : runs) {
    top = std::max(top, r->settings.config.optimizerConfig.lr);
    for (const StepRecord& s : r->steps) top = std::max(top, s.lr);
  }
  return niceTop(top);
}

void alignLossAndRate(plot::Figure& loss, plot::Figure& rate, double lossMax, double rateMax) {
  const int a = tickDigits(lossMax), b = tickDigits(rateMax);
  if (a < 0 || b < 0) return; // scientific labels: leave both to the automatic ticks
  setAlignedTicks(loss.yAxis, lossMax, std::max(a, b));
  setAlignedTicks(rate.yAxis, rateMax, std::max(a, b));
}

// Legend entries say what differs between the runs shown: "step decay: step ×0.2/400" and
// "constant: constant" rather than the whole settings twice (one run: all of them).
std::vector<std::string> distinctLegends(const std::vector<const RunCurves*>& runs) {
  auto tokens = [](const std::string& text) {
    std::vector<std::string> out;
    size_t start = 0;
    const std::string sep = " · ";
    for (size_t at; (at = text.find(sep, start)) != std::string::npos; start = at + sep.size())
      out.push_back(text.substr(start, at - start));
    out.push_back(text.substr(start));
    return out;
  };
  std::vector<std::vector<std::string>> all;
  for (const RunCurves* r : runs) all.push_back(tokens(runSettingsText(r->settings.config)));
  std::vector<std::string> legends;
  for (size_t i = 0; i < runs.size(); ++i) {
    std::string text;
    for (const std::string& t : all[i]) {
      bool everywhere = runs.size() > 1;
      for (const auto& other : all)
        everywhere &= std::find(other.begin(), other.end(), t) != other.end();
      if (!everywhere) text += (text.empty() ? "" : " · ") + t;
    }
    // Runs differing in nothing the text shows (the seed, say): keep the label alone.
    const std::string& label = runs[i]->settings.label;
    if (text.empty())
      text = label.empty() ? runSettingsText(runs[i]->settings.config) : label;
    else if (!label.empty() && label.find(text) == std::string::npos)
      text = label + ": " + text; // "warmup 100", not "warmup 100: warmup 100"
    else if (!label.empty())
      text = label;
    legends.push_back(text);
  }
  return legends;
}

// The steps whose labels the spike maker corrupted, shaded grey across the plot box (once per
// distinct burst among the runs), so that a student reads the loss inside it as "measured on
// wrong labels" and looks at what happens after it.
// [bottom, top]: the y range the band covers (rects take part in the axis fit, so not ±∞).
void addCorruptedBands(plot::Figure& f, const std::vector<const RunCurves*>& runs, double bottom,
                       double top, bool labelled) {
  std::set<std::pair<int, int>> drawn;
  for (const RunCurves* r : runs) {
    const TrainingConfig& c = r->settings.config;
    if (c.corruptAt <= 0 || !drawn.insert({c.corruptAt, c.corruptSteps}).second) continue;
    plot::RectMark band;
    band.x0 = c.corruptAt - 0.5;
    band.x1 = c.corruptAt + c.corruptSteps - 0.5;
    band.y0 = bottom;
    band.y1 = top;
    band.color = plot::Color{0.5f, 0.5f, 0.5f, 0.18f};
    band.filled = true;
    band.width = 0;
    f.rects.push_back(band);
    if (!labelled) continue;
    // Left of the band, half-way up: clear of the legend in the top right corner.
    plot::Annotation a;
    a.x = c.corruptAt - 1;
    a.y = 0.5 * top;
    a.text = "wrong labels";
    a.color = kChanceColor;
    a.hAlign = plot::HAlign::Right;
    a.vAlign = plot::VAlign::Middle;
    a.flags = plot::AnnotationFlags_NoBackground;
    f.annotations.push_back(a);
  }
}

plot::Figure lossFigureWithTop(const std::vector<const RunCurves*>& runs, bool showRaw,
                               int stepAxisMax) {
  plot::Figure f;
  f.title = "Training loss per step (smoothed) · validation ●";
  f.xAxis.label = "step";
  f.yAxis.label = "cross-entropy loss";
  f.xAxis.min = 0;
  f.xAxis.max = axisMax(runs, stepAxisMax);
  // One run: the run list says its settings; the legend would only take room from the curve.
  f.legend = runs.size() > 1 ? plot::LegendCorner::TopRight : plot::LegendCorner::None;
  std::set<long long> chanceDrawn;
  for (const RunCurves* r : runs) {
    if (showRaw) {
      plot::LineSeries raw;
      raw.color = runColor(*r, 0.28f);
      raw.width = 1.0f;
      for (const StepRecord& s : r->steps) raw.x.push_back(s.step), raw.y.push_back(s.loss);
      f.lines.push_back(std::move(raw));
    }
  }
  const std::vector<std::string> legends = distinctLegends(runs);
  for (size_t i = 0; i < runs.size(); ++i) {
    const RunCurves* r = runs[i];
    plot::LineSeries smooth;
    smooth.label = legends[i];
    smooth.color = runColor(*r);
    smooth.width = 2.0f;
    for (size_t i = 0; i < r->steps.size(); ++i)
      smooth.x.push_back(r->steps[i].step), smooth.y.push_back(r->smoothed[i]);
    f.lines.push_back(std::move(smooth));
    plot::LineSeries validation;
    validation.color = runColor(*r);
    validation.width = 1.2f;
    validation.style = plot::LineStyle::Dashed;
    validation.markers = true;
    for (const EpochRecord& e : r->epochs)
      validation.x.push_back(e.step), validation.y.push_back(e.validationLoss);
    if (!validation.x.empty()) f.lines.push_back(std::move(validation));
    // Chance loss ln C (once per class count among the runs).
    if (r->classes > 0 && chanceDrawn.insert(r->classes).second) {
      plot::LineSeries chance;
      chance.color = kChanceColor;
      chance.style = plot::LineStyle::Dashed;
      chance.width = 1.5f;
      chance.x = {0.0, *f.xAxis.max};
      chance.y = {r->chanceLoss, r->chanceLoss};
      f.lines.push_back(std::move(chance));
      plot::Annotation label;
      label.x = 0.02 * *f.xAxis.max;
      label.y = r->chanceLoss + 0.02 * lossTop(runs, showRaw); // just above its line
      label.text = "chance loss ln " + std::to_string(r->classes) + " = " +
                   formatNumber(r->chanceLoss, "%.2f");
      label.color = kChanceColor;
      label.hAlign = plot::HAlign::Left;
      label.vAlign = plot::VAlign::Bottom;
      label.flags = plot::AnnotationFlags_NoBackground;
      f.annotations.push_back(label);
    }
  }
  addCorruptedBands(f, runs, 0.0, lossTop(runs, showRaw), true);
  return f;
}

} // namespace

plot::Figure trainingLossFigure(const std::vector<const RunCurves*>& runs, bool showRaw,
                                int stepAxisMax) {
  plot::Figure f = lossFigureWithTop(runs, showRaw, stepAxisMax);
  plot::Figure rate = learningRateFigure(runs, stepAxisMax);
  alignLossAndRate(f, rate, lossTop(runs, showRaw), lrTop(runs));
  return f;
}

plot::Figure learningRateFigure(const std::vector<const RunCurves*>& runs, int stepAxisMax) {
  plot::Figure f;
  f.title = "Learning rate η_t (same steps)";
  f.xAxis.label = "step";
  f.yAxis.label = "η";
  f.xAxis.min = 0;
  f.xAxis.max = axisMax(runs, stepAxisMax);
  f.legend = plot::LegendCorner::None;
  for (const RunCurves* r : runs) {
    plot::LineSeries lr;
    lr.color = runColor(*r);
    lr.width = 2.0f;
    for (const StepRecord& s : r->steps) lr.x.push_back(s.step), lr.y.push_back(s.lr);
    f.lines.push_back(std::move(lr));
  }
  plot::Figure loss; // only for the shared tick width
  alignLossAndRate(loss, f, 1.0, lrTop(runs));
  return f;
}

plot::Figure gradientNormFigure(const std::vector<const RunCurves*>& runs, int stepAxisMax) {
  plot::Figure f;
  f.title = "Gradient norm ‖∂L/∂θ‖ (before clipping)";
  f.xAxis.label = "step";
  f.yAxis.label = "‖g‖";
  f.yAxis.scale = plot::AxisScale::Log10;
  f.xAxis.min = 0;
  f.xAxis.max = axisMax(runs, stepAxisMax);
  f.legend = plot::LegendCorner::None;
  for (const RunCurves* r : runs) {
    plot::LineSeries g;
    g.color = runColor(*r, 0.8f);
    g.width = 1.2f;
    for (const StepRecord& s : r->steps)
      g.x.push_back(s.step), g.y.push_back(s.gradNorm > 0 ? s.gradNorm : NAN);
    f.lines.push_back(std::move(g));
    if (r->settings.config.clipNorm > 0) {
      plot::LineSeries clip;
      clip.color = runColor(*r);
      clip.style = plot::LineStyle::Dashed;
      clip.width = 1.2f;
      clip.x = {0.0, *f.xAxis.max};
      clip.y = {r->settings.config.clipNorm, r->settings.config.clipNorm};
      f.lines.push_back(std::move(clip));
      plot::Annotation a;
      a.x = *f.xAxis.max;
      a.y = r->settings.config.clipNorm;
      a.text = "clip at " + formatNumber(r->settings.config.clipNorm);
      a.color = runColor(*r);
      a.hAlign = plot::HAlign::Right;
      a.vAlign = plot::VAlign::Top;
      a.flags = plot::AnnotationFlags_NoBackground;
      f.annotations.push_back(a);
    }
  }
  bool any = false;
  for (const plot::LineSeries& l : f.lines)
    for (double y : l.y) any |= std::isfinite(y);
  if (!any) f.yAxis.scale = plot::AxisScale::Linear; // nothing yet: a log axis has no range
  double lo = INFINITY, hi = 0;
  for (const plot::LineSeries& l : f.lines)
    for (double y : l.y)
      if (std::isfinite(y) && y > 0) lo = std::min(lo, y), hi = std::max(hi, y);
  if (any && hi > 0) addCorruptedBands(f, runs, lo, hi, false);
  return f;
}

plot::Figure accuracyFigure(const std::vector<const RunCurves*>& runs) {
  plot::Figure f;
  f.title = "Accuracy · validation ● · train - -";
  f.xAxis.label = "epoch";
  f.yAxis.label = "accuracy";
  f.yAxis.min = 0;
  f.yAxis.max = 1.05;
  f.xAxis.min = 0;
  int epochs = 1;
  for (const RunCurves* r : runs) epochs = std::max(epochs, r->settings.config.epochs);
  f.xAxis.max = epochs;
  f.legend = plot::LegendCorner::None;
  std::set<long long> chanceDrawn;
  for (const RunCurves* r : runs) {
    plot::LineSeries val, train;
    val.color = train.color = runColor(*r);
    val.markers = true;
    train.style = plot::LineStyle::Dashed;
    train.width = 1.2f;
    for (const EpochRecord& e : r->epochs) {
      val.x.push_back(e.epoch), val.y.push_back(e.validationAccuracy);
      train.x.push_back(e.epoch), train.y.push_back(e.trainAccuracy);
    }
    f.lines.push_back(std::move(val));
    f.lines.push_back(std::move(train));
    if (r->classes > 0 && chanceDrawn.insert(r->classes).second) {
      const double chance = 1.0 / double(r->classes);
      plot::LineSeries line;
      line.color = kChanceColor;
      line.style = plot::LineStyle::Dashed;
      line.width = 1.5f;
      line.x = {0.0, double(epochs)};
      line.y = {chance, chance};
      f.lines.push_back(std::move(line));
      plot::Annotation a;
      a.x = 0.98 * epochs;
      a.y = chance;
      a.text = "chance 1/" + std::to_string(r->classes) + " = " + formatNumber(chance, "%.2f");
      a.color = kChanceColor;
      a.hAlign = plot::HAlign::Right;
      a.vAlign = plot::VAlign::Bottom;
      a.flags = plot::AnnotationFlags_NoBackground;
      f.annotations.push_back(a);
    }
  }
  return f;
}

plot::FigureGrid lossAndLearningRateGrid(const std::vector<const RunCurves*>& runs, bool showRaw) {
  plot::FigureGrid grid;
  grid.cols = 1;
  plot::Figure loss = lossFigureWithTop(runs, showRaw, 0);
  plot::Figure rate = learningRateFigure(runs, 0);
  alignLossAndRate(loss, rate, lossTop(runs, showRaw), lrTop(runs));
  grid.panels = {std::move(loss), std::move(rate)};
  return grid;
}

std::string trainingHistoryCsv(const std::vector<const RunCurves*>& runs) {
  std::string csv = "run,settings,step,epoch,loss,acc,lr,grad_norm\n";
  char line[256];
  for (size_t r = 0; r < runs.size(); ++r) {
    std::string settings = runLegend(runs[r]->settings);
    std::string quoted = "\"";
    for (char ch : settings) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    quoted += "\"";
    for (const StepRecord& s : runs[r]->steps) {
      std::snprintf(line, sizeof line, ",%d,%d,%.9g,%.9g,%.9g,%.9g\n", s.step, s.epoch, s.loss,
                    s.accuracy, s.lr, s.gradNorm);
      csv += std::to_string(r + 1) + "," + quoted + line;
    }
  }
  return csv;
}

// ---- Model pictures ---------------------------------------------------------------------------

namespace {

// Softmax probabilities of each row of logits [N, C].
std::vector<float> softmaxRows(const Tensor& logits) {
  const Index n = logits.shape()[0], c = logits.shape()[1];
  std::vector<float> p(size_t(n * c));
  for (Index i = 0; i < n; ++i) {
    float m = -INFINITY;
    for (Index k = 0; k < c; ++k) m = std::max(m, logits.data()[i * c + k]);
    double sum = 0;
    for (Index k = 0; k < c; ++k) sum += std::exp(double(logits.data()[i * c + k] - m));
    for (Index k = 0; k < c; ++k)
      p[size_t(i * c + k)] = float(std::exp(double(logits.data()[i * c + k] - m)) / sum);
  }
  return p;
}

std::vector<int> argmaxRows(const Tensor& logits) {
  const Index n = logits.shape()[0], c = logits.shape()[1];
  std::vector<int> out(size_t(n), 0);
  for (Index i = 0; i < n; ++i)
    for (Index k = 1; k < c; ++k)
      if (logits.data()[i * c + k] > logits.data()[i * c + out[size_t(i)]]) out[size_t(i)] = int(k);
  return out;
}

void hideTicks(plot::Axis& axis) {
  axis.ticks = {-1e30};
  axis.tickLabels = {""};
  axis.gridLines = false;
}

} // namespace

plot::Figure decisionBoundaryFigure(const Network& network, const Dataset& dataset, int n,
                                    const std::string& title) {
  plot::Figure f;
  f.title = title;
  f.equalAspect = true;
  f.legend = plot::LegendCorner::None;
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (const Tensor* x : {&dataset.trainX, &dataset.validationX})
    for (Index i = 0; i < x->shape()[0]; ++i) {
      x0 = std::min(x0, double(x->data()[2 * i])), x1 = std::max(x1, double(x->data()[2 * i]));
      y0 = std::min(y0, double(x->data()[2 * i + 1])),
      y1 = std::max(y1, double(x->data()[2 * i + 1]));
    }
  const double margin = 0.08 * std::max(x1 - x0, y1 - y0);
  x0 -= margin, x1 += margin, y0 -= margin, y1 += margin;
  Tensor grid(Shape{Index(n) * n, 2});
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c) {
      grid.data()[2 * (r * n + c)] = float(x0 + (c + 0.5) * (x1 - x0) / n);
      grid.data()[2 * (r * n + c) + 1] = float(y0 + (r + 0.5) * (y1 - y0) / n);
    }
  const Tensor logits = network.infer(grid);
  const std::vector<float> p = softmaxRows(logits);
  const Index classes = logits.shape()[1];
  plot::Heatmap h;
  h.rows = h.cols = n;
  h.x0 = x0, h.x1 = x1, h.y0 = y0, h.y1 = y1;
  h.colorbar = false;
  h.rgba.resize(size_t(n) * n * 4);
  h.values.resize(size_t(n) * n);
  for (int i = 0; i < n * n; ++i) {
    int best = 0;
    for (Index k = 1; k < classes; ++k)
      if (p[size_t(i * classes + k)] > p[size_t(i * classes + best)]) best = int(k);
    const float confidence = p[size_t(i * classes + best)];
    // Paler where the network is unsure (confidence 1/C), never as strong as the points.
    const float strength =
        0.12f +
        0.38f * std::clamp((confidence - 1.0f / classes) / (1.0f - 1.0f / classes), 0.f, 1.f);
    const plot::Color c = plot::seriesColor(best);
    h.rgba[size_t(i) * 4 + 0] = std::uint8_t(255 * (1 - strength + strength * c.r));
    h.rgba[size_t(i) * 4 + 1] = std::uint8_t(255 * (1 - strength + strength * c.g));
    h.rgba[size_t(i) * 4 + 2] = std::uint8_t(255 * (1 - strength + strength * c.b));
    h.rgba[size_t(i) * 4 + 3] = 255;
    h.values[size_t(i)] = float(best);
  }
  f.heatmap = std::move(h);
  plot::ScatterSeries points;
  points.radius = 2.2f;
  for (Index i = 0; i < dataset.validationX.shape()[0]; ++i) {
    points.x.push_back(dataset.validationX.data()[2 * i]);
    points.y.push_back(dataset.validationX.data()[2 * i + 1]);
    points.category.push_back(dataset.validationY[size_t(i)]);
  }
  f.scatters.push_back(std::move(points));
  f.xAxis.min = x0, f.xAxis.max = x1, f.yAxis.min = y0, f.yAxis.max = y1;
  f.xAxis.label = "x₁";
  f.yAxis.label = "x₂";
  return f;
}

namespace {

// A figure that is one picture: no ticks, no axis labels, square data units.
plot::Figure mosaicFigure(std::string title, double width, double height) {
  plot::Figure f;
  f.title = std::move(title);
  f.legend = plot::LegendCorner::None;
  f.equalAspect = true;
  f.yAxis.invert = true; // row 0 at the top, like an image
  f.xAxis.min = 0, f.xAxis.max = width;
  f.yAxis.min = 0, f.yAxis.max = height;
  hideTicks(f.xAxis);
  hideTicks(f.yAxis);
  return f;
}

} // namespace

plot::Figure misclassifiedFigure(const Network& network, const Dataset& dataset, int count,
                                 int cols) {
  const Index total = std::min<Index>(dataset.validationSize(), 160);
  if (total == 0 || !dataset.isImage()) return mosaicFigure("Misclassified", 1, 1);
  const Index h = dataset.sampleShape[1], w = dataset.sampleShape[2];
  const Index pixels = h * w;
  Tensor batch(Shape{total, 1, h, w});
  std::copy(dataset.validationX.data(), dataset.validationX.data() + total * pixels, batch.data());
  const std::vector<int> predicted = argmaxRows(network.infer(batch));
  std::vector<Index> wrong;
  for (Index i = 0; i < total && int(wrong.size()) < count; ++i)
    if (predicted[size_t(i)] != dataset.validationY[size_t(i)]) wrong.push_back(i);
  if (wrong.empty()) {
    plot::Figure f = mosaicFigure("Misclassified: none", 1, 0.3);
    plot::Annotation a;
    a.x = 0.5, a.y = 0.15;
    a.text = "all of the first " + std::to_string(total) + " validation images are right";
    a.hAlign = plot::HAlign::Center, a.vAlign = plot::VAlign::Middle;
    a.flags = plot::AnnotationFlags_NoBackground;
    f.annotations.push_back(a);
    return f;
  }
  // Tiles of h × w pixels, each over two text lines ("disc", "→ square") of `line` pixel rows,
  // with `gap` white pixels between tiles: one heatmap, so the images get the room, not axes.
  const int n = int(wrong.size()), c = std::min(cols, n), r = (n + c - 1) / c;
  const Index gap = std::max<Index>(2, w / 4), line = std::max<Index>(6, h / 4);
  const Index cellW = w + gap, cellH = h + 2 * line + gap;
  const Index width = c * cellW - gap, height = r * cellH - gap;
  plot::Figure f = mosaicFigure("Misclassified (true → predicted)", double(width), double(height));
  plot::Heatmap img;
  img.rows = int(height), img.cols = int(width);
  img.x1 = double(width), img.y1 = double(height);
  img.colormap = plot::Colormap::Gray;
  img.vmin = 0, img.vmax = 1;
  img.colorbar = false;
  img.values.assign(size_t(width * height), 1.0f); // white between the tiles
  for (int k = 0; k < n; ++k) {
    const Index i = wrong[size_t(k)], x0 = (k % c) * cellW, y0 = (k / c) * cellH;
    for (Index y = 0; y < h; ++y)
      for (Index x = 0; x < w; ++x)
        img.values[size_t((y0 + y) * width + x0 + x)] =
            float(batch.data()[i * pixels + y * w + x] * dataset.pixelStd + dataset.pixelMean);
    const int truth = dataset.validationY[size_t(i)];
    plot::Annotation name;
    name.x = double(x0) + w / 2.0;
    name.y = double(y0 + h) + line / 2.0;
    name.text = dataset.classNames[size_t(truth)];
    name.hAlign = plot::HAlign::Center, name.vAlign = plot::VAlign::Middle;
    name.flags = plot::AnnotationFlags_NoBackground;
    f.annotations.push_back(name);
    plot::Annotation guess = name;
    guess.y += double(line);
    guess.text = "→ " + dataset.classNames[size_t(predicted[size_t(i)])];
    guess.color = plot::seriesColor(1); // vermillion: the wrong answer
    f.annotations.push_back(guess);
  }
  f.heatmap = std::move(img);
  return f;
}

plot::Figure firstLayerFilterFigure(const Network& network, int cols) {
  for (const auto& layer : network.layers()) {
    if (layer->kind() != LayerKind::Conv2d) continue;
    const std::vector<const Parameter*> params = std::as_const(*layer).parameters();
    if (params.empty()) break;
    const Tensor& wt = params[0]->value; // [F, C, K, K]
    const Index filters = wt.shape()[0], channels = wt.shape()[1], k = wt.shape()[2];
    // The kernels side by side, one cell of white (weight 0 on the diverging scale) between
    // them: one heatmap and one colorbar, so every kernel is drawn as large as the room allows.
    const Index c = std::min<Index>(filters, cols), r = (filters + c - 1) / c;
    const Index width = c * (k + 1) - 1, height = r * (k + 1) - 1;
    plot::Figure f = mosaicFigure("First conv layer's " + std::to_string(filters) + " filters (" +
                                      std::to_string(k) + "×" + std::to_string(k) + ")",
                                  double(width), double(height));
    plot::Heatmap h;
    h.rows = int(height), h.cols = int(width);
    h.x1 = double(width), h.y1 = double(height);
    h.colormap = plot::Colormap::Diverging; // white = 0, blue and red the signs, one scale
    h.colorbarLabel = "weight";
    h.values.assign(size_t(width * height), 0.0f);
    h.cellColors.assign(size_t(width * height), plot::Color{1, 1, 1, 0});
    for (Index y = 0; y < height; ++y)
      for (Index x = 0; x < width; ++x)
        if (x % (k + 1) == k || y % (k + 1) == k)
          h.cellColors[size_t(y * width + x)] = plot::Color{1, 1, 1, 1}; // the gaps
    for (Index filter = 0; filter < filters; ++filter) {
      const Index x0 = (filter % c) * (k + 1), y0 = (filter / c) * (k + 1);
      for (Index y = 0; y < k; ++y)
        for (Index x = 0; x < k; ++x)
          h.values[size_t((y0 + y) * width + x0 + x)] =
              wt.data()[((filter * channels) * k + y) * k + x]; // channel 0
      // An outline per kernel: a weight near 0 is as white as the gaps.
      plot::RectMark outline;
      outline.x0 = double(x0), outline.y0 = double(y0);
      outline.x1 = double(x0 + k), outline.y1 = double(y0 + k);
      outline.color = kChanceColor;
      outline.width = 1.0f;
      f.rects.push_back(outline);
    }
    f.heatmap = std::move(h);
    return f;
  }
  return mosaicFigure("No convolution layer", 1, 1);
}

// ---- The lab ----------------------------------------------------------------------------------

namespace {

// The model panels of one run at one step: decision regions (2-D sets) or misclassified images
// and first-layer filters (image sets). Made off the UI thread (see updateModelPictures).
struct ModelPictures {
  int runId = 0;                        // LiveRun::id; 0: nothing yet
  std::optional<plot::Figure> boundary; // 2-D sets
  plot::Figure misclassified, filters;  // image sets
};

// `cols`: misclassified images per row (2 in presentation mode: the labels are 1.75× wider).
ModelPictures makeModelPictures(const Network& model, const Dataset& dataset, int step, int runId,
                                int cols) {
  ModelPictures out;
  out.runId = runId;
  if (dataset.isImage()) {
    // Two rows; presentation mode (2 columns): one row, so each image is large enough for its
    // 1.75× labels.
    out.misclassified = misclassifiedFigure(model, dataset, cols == 2 ? 2 : 2 * cols, cols);
    out.filters = firstLayerFilterFigure(model, 4);
  } else {
    out.boundary = decisionBoundaryFigure(model, dataset, 56,
                                          "Decision regions at step " + std::to_string(step));
  }
  return out;
}

// A kept run: its curves, and while it trains (or waits for its turn) its engine session.
struct LiveRun {
  int id = 0; // stable while the run is kept (runs_ may move in memory)
  RunCurves curves;
  std::unique_ptr<TrainingSession> session; // null: finished and released, or not started yet
  bool started = false;
  size_t seenSteps = 0, seenEpochs = 0;
  std::shared_ptr<const Network> model;
  int modelStep = -1;
  std::shared_ptr<const Dataset> dataset;
  std::string error; // the engine refused the settings, or the run failed on the worker
};

// The dataset previews of the DATA buttons: each kind once, small.
struct DatasetThumbnail {
  DatasetKind kind;
  Dataset dataset;
};

class TrainingLab final : public Lab {
public:
  TrainingLab() : state_(defaultTrainingLabState()) { syncTextFields(); }

  ~TrainingLab() override {
    for (LiveRun& run : runs_)
      if (run.session) run.session->cancel();
  }

  void draw(const LabContext& context) override {
    pumpRuns(context.messages);
    const float em = ImGui::GetFontSize();
    // The controls scroll; the plots never do (their heights add up to the room there is). In
    // presentation mode the controls get a quarter of the width: the plots are what the room sees.
    const float share = context.uiScale > 1.2f ? 0.25f : 0.32f;
    ImGui::BeginChild("controls",
                      ImVec2(std::min(20 * em, share * ImGui::GetContentRegionAvail().x), 0));
    drawControls(context);
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("plots", ImVec2(0, 0), false,
                      ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
    drawPlots(context);
    ImGui::EndChild();
  }

  // The kept runs are saved with "autorun": reopening the scene trains them again (same numbers).
  nlohmann::json saveState() const override {
    TrainingLabState saved = state_;
    if (!runs_.empty()) {
      saved.runs.clear();
      for (const LiveRun& run : runs_) saved.runs.push_back(run.curves.settings);
      saved.autorun = true;
    }
    return trainingLabStateToJson(saved);
  }

  Status loadState(const nlohmann::json& json) override {
    TrainingLabState next = state_;
    if (Status s = trainingLabStateFromJson(json, next); !s) return s;
    state_ = next;
    clearRuns();
    // Without "autorun" the listed runs stay settings only (saved back as they came).
    if (state_.autorun) {
      for (const TrainingRunSettings& r : state_.runs) addRun(r);
      if (state_.runs.empty()) addRun(state_.settings);
    }
    syncTextFields();
    return Status::success();
  }

  plot::Figure exportFigure() const override {
    return lossFigureWithTop(exportRuns(), state_.showRaw, 0);
  }

  std::optional<plot::FigureGrid> exportFigureGrid() const override {
    std::vector<RunCurves> finished = finishedCopies();
    std::vector<const RunCurves*> views;
    for (const RunCurves& r : finished) views.push_back(&r);
    plot::FigureGrid grid = lossAndLearningRateGrid(views, state_.showRaw);
    if (!state_.title.empty()) grid.title = state_.title;
    return grid;
  }

  // Screenshots: train every queued run to its end here (see training_lab.h).
  void finishBackgroundWork() override {
    for (LiveRun& run : runs_) {
      if (!run.started) startRun(run);
      if (run.session) run.session->wait();
      poll(run);
    }
    finishModelPictures();
  }

private:
  // ---- runs ----

  void clearRuns() {
    for (LiveRun& run : runs_)
      if (run.session) run.session->cancel();
    runs_.clear();
    ++dataVersion_;
  }

  void addRun(const TrainingRunSettings& settings) {
    if (int(runs_.size()) >= kMaxTrainingRuns) {
      if (runs_.front().session) runs_.front().session->cancel();
      runs_.erase(runs_.begin());
    }
    std::set<int> used;
    for (const LiveRun& r : runs_) used.insert(r.curves.colorIndex);
    int color = 0;
    while (used.count(color)) ++color;
    LiveRun run;
    run.id = ++lastRunId_;
    run.curves.settings = settings;
    run.curves.settings.config.threads = 1;
    run.curves.colorIndex = color;
    run.curves.smoother.weight = state_.smoothing;
    run.curves.totalSteps = plannedSteps(settings.config);
    runs_.push_back(std::move(run));
    ++dataVersion_;
  }

  static int plannedSteps(const TrainingConfig& c) {
    const Index train = Index(double(c.dataset.samples) * (1 - c.dataset.validationFraction));
    const Index perEpoch = std::max<Index>(1, train / std::max<Index>(1, c.batchSize));
    const int total = int(perEpoch) * c.epochs;
    return c.maxSteps > 0 ? std::min(total, c.maxSteps) : total;
  }

  void startRun(LiveRun& run) {
    run.started = true;
    run.session = std::make_unique<TrainingSession>();
    if (Status s = run.session->start(run.curves.settings.config); !s) {
      run.error = s.error().message();
      run.session.reset();
      run.curves.status = TrainingStatus::Cancelled;
      ++dataVersion_;
    }
  }

  // Appends what the worker produced since the last frame: O(new records).
  void poll(LiveRun& run) {
    if (!run.session) return;
    TrainingSnapshot snap = run.session->snapshot(run.seenSteps, run.seenEpochs);
    RunCurves& c = run.curves;
    const bool fresh = !snap.steps.empty() || !snap.epochs.empty() || snap.status != c.status;
    for (const StepRecord& s : snap.steps) {
      c.steps.push_back(s);
      c.smoothed.push_back(c.smoother.add(s.loss));
    }
    for (const EpochRecord& e : snap.epochs) c.epochs.push_back(e);
    run.seenSteps = snap.stepCount;
    run.seenEpochs = snap.epochCount;
    c.status = snap.status;
    c.classes = snap.classes;
    c.chanceLoss = snap.chanceLoss;
    c.initialLoss = snap.initialLoss;
    if (snap.totalSteps > 0) c.totalSteps = snap.totalSteps;
    if (snap.model) run.model = snap.model, run.modelStep = snap.modelStep;
    if (snap.dataset) run.dataset = snap.dataset;
    if (snap.status == TrainingStatus::Failed && run.error.empty())
      run.error = snap.error.message(); // the settings and the other runs stay
    if (fresh) ++dataVersion_;
    if (run.session->finished() && snap.status != TrainingStatus::Preparing &&
        snap.status != TrainingStatus::Running && snap.status != TrainingStatus::Paused) {
      // Every record has been read (finished() was true before this snapshot's copy, or the
      // next frame reads the rest): release the worker once the counts stop growing.
      if (snap.steps.empty() && snap.epochs.empty()) run.session.reset();
    }
  }

  // One run trains at a time (the worker takes one core, the UI keeps the other); the next
  // queued run starts when it ends.
  void pumpRuns(MessageLog& messages) {
    bool busy = false;
    for (LiveRun& run : runs_) {
      if (run.session) {
        const bool hadError = !run.error.empty();
        poll(run);
        if (!hadError && !run.error.empty()) messages.error("training: " + run.error);
        busy |= run.session != nullptr;
      }
    }
    if (busy) return;
    for (LiveRun& run : runs_)
      if (!run.started) {
        startRun(run);
        if (!run.error.empty()) messages.error("training: " + run.error);
        break;
      }
  }

  bool anyTraining() const {
    for (const LiveRun& run : runs_)
      if (run.session || !run.started) return true;
    return false;
  }

  std::vector<const RunCurves*> shownRuns() const {
    std::vector<const RunCurves*> out;
    for (const LiveRun& run : runs_)
      if (run.curves.shown && run.error.empty()) out.push_back(&run.curves);
    return out;
  }

  // Finished curves of every kept run, trained here (synchronously) when the lab's own runs have
  // not finished: what a headless export shows.
  std::vector<RunCurves> finishedCopies() const {
    std::vector<RunCurves> out;
    for (const LiveRun& run : runs_) {
      if (!run.curves.shown || !run.error.empty()) continue;
      const bool done = run.started && !run.session &&
                        (run.curves.status == TrainingStatus::Finished ||
                         run.curves.status == TrainingStatus::Diverged);
      if (done) {
        out.push_back(run.curves);
      } else if (Result<RunCurves> r = trainToEnd(run.curves.settings, state_.smoothing)) {
        RunCurves curves = *r;
        curves.colorIndex = run.curves.colorIndex;
        out.push_back(std::move(curves));
      }
    }
    return out;
  }

  std::vector<const RunCurves*> exportRuns() const {
    exportCache_ = finishedCopies();
    std::vector<const RunCurves*> views;
    for (const RunCurves& r : exportCache_) views.push_back(&r);
    return views;
  }

  void resmooth() {
    for (LiveRun& run : runs_) {
      RunCurves& c = run.curves;
      c.smoother = LossSmoother{state_.smoothing};
      c.smoothed.clear();
      for (const StepRecord& s : c.steps) c.smoothed.push_back(c.smoother.add(s.loss));
    }
    ++dataVersion_;
  }

  // ---- text fields mirrored from the state ----

  void syncTextFields() {
    std::snprintf(modelBuffer_, sizeof modelBuffer_, "%s", state_.settings.config.model.c_str());
    modelError_.clear();
  }

  const std::vector<ScenePreset>& presets() {
    if (!presetsScanned_) {
      presetsScanned_ = true;
      presets_ = findScenePresets("training");
    }
    return presets_;
  }

  // ---- controls ----

  static bool logSlider(const char* id, double& value, double min, double max, const char* format) {
    ImGui::SetNextItemWidth(-1);
    return ImGui::SliderScalar(id, ImGuiDataType_Double, &value, &min, &max, format,
                               ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp);
  }
  static bool slider(const char* id, double& value, double min, double max, const char* format) {
    ImGui::SetNextItemWidth(-1);
    return ImGui::SliderScalar(id, ImGuiDataType_Double, &value, &min, &max, format,
                               ImGuiSliderFlags_AlwaysClamp);
  }

  void drawThumbnail(const Dataset& d, ImVec2 corner, float size) {
    ImDrawList* list = ImGui::GetWindowDrawList();
    list->AddRectFilled(corner, ImVec2(corner.x + size, corner.y + size), IM_COL32_WHITE);
    if (d.isImage()) {
      // Four images, one per class, 2 × 2.
      const Index h = d.sampleShape[1], w = d.sampleShape[2];
      const float cell = (size - 3) / 2 / float(std::max(h, w));
      for (int k = 0; k < 4 && k < d.trainSize(); ++k) {
        Index sample = 0;
        for (Index i = 0; i < d.trainSize(); ++i)
          if (d.trainY[size_t(i)] == k) {
            sample = i;
            break;
          }
        const float ox = corner.x + 1 + (k % 2) * (size - 1) / 2,
                    oy = corner.y + 1 + (k / 2) * (size - 1) / 2;
        for (Index r = 0; r < h; ++r)
          for (Index c = 0; c < w; ++c) {
            const float v = std::clamp(
                float(d.trainX.data()[sample * h * w + r * w + c] * d.pixelStd + d.pixelMean), 0.f,
                1.f);
            const int g = int(255 * (1 - v)); // ink dark on white
            list->AddRectFilled(ImVec2(ox + c * cell, oy + r * cell),
                                ImVec2(ox + (c + 1) * cell, oy + (r + 1) * cell),
                                IM_COL32(g, g, g, 255));
          }
      }
      return;
    }
    float x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (Index i = 0; i < d.trainSize(); ++i) {
      x0 = std::min(x0, d.trainX.data()[2 * i]), x1 = std::max(x1, d.trainX.data()[2 * i]);
      y0 = std::min(y0, d.trainX.data()[2 * i + 1]), y1 = std::max(y1, d.trainX.data()[2 * i + 1]);
    }
    const float span = std::max(x1 - x0, y1 - y0) * 1.1f, cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    for (Index i = 0; i < d.trainSize(); ++i) {
      const float px = corner.x + size * (0.5f + (d.trainX.data()[2 * i] - cx) / span);
      const float py = corner.y + size * (0.5f - (d.trainX.data()[2 * i + 1] - cy) / span);
      list->AddCircleFilled(ImVec2(px, py), std::max(1.2f, size / 40),
                            plot::seriesColor(d.trainY[size_t(i)]).toRgba8(), 6);
    }
  }

  void drawDatasetPicker() {
    if (thumbnails_.empty()) {
      for (const std::string& name : datasetNames()) {
        DatasetOptions o = *parseDatasetSpec(name);
        o.samples = o.kind == DatasetKind::Shapes ? 40 : 240;
        if (o.kind == DatasetKind::Shapes) o.classes = 4, o.imageSize = 16;
        if (Result<Dataset> d = makeDataset(o, 1)) thumbnails_.push_back({o.kind, *d});
      }
    }
    const float size =
        std::floor((ImGui::GetContentRegionAvail().x - 2 * ImGui::GetStyle().ItemSpacing.x) / 3);
    DatasetOptions& current = state_.settings.config.dataset;
    for (size_t i = 0; i < thumbnails_.size(); ++i) {
      if (i % 3) ImGui::SameLine();
      ImGui::PushID(int(i));
      const ImVec2 corner = ImGui::GetCursorScreenPos();
      const bool selected = thumbnails_[i].kind == current.kind;
      if (ImGui::InvisibleButton("thumb", ImVec2(size, size))) {
        const DatasetKind kind = thumbnails_[i].kind;
        if (kind != current.kind) {
          current = defaultDatasetOptions(kind);
          if (kind == DatasetKind::Shapes) {
            current.classes = 10;
            if (state_.settings.config.model.rfind("small_cnn", 0) != 0)
              state_.settings.config.model = "small_cnn";
            if (state_.settings.config.epochs > 8) state_.settings.config.epochs = 5;
          } else if (state_.settings.config.model.rfind("small_cnn", 0) == 0) {
            state_.settings.config.model = "mlp";
          }
          syncTextFields();
        }
      }
      drawThumbnail(thumbnails_[i].dataset, corner, size);
      ImDrawList* list = ImGui::GetWindowDrawList();
      list->AddRect(corner, ImVec2(corner.x + size, corner.y + size),
                    selected ? IM_COL32(0, 114, 178, 255) : IM_COL32(180, 180, 180, 255), 0, 0,
                    selected ? 3.0f : 1.0f);
      if (ImGui::IsItemHovered())
        ImGui::SetTooltip("%s", std::string(datasetId(thumbnails_[i].kind)).c_str());
      ImGui::PopID();
    }
    ImGui::Text("%s", current.toString().c_str());
    slider("##noise", current.noise, 0.0, current.kind == DatasetKind::Shapes ? 0.5 : 1.0,
           "noise σ = %.2f");
    if (current.kind == DatasetKind::Spirals || current.kind == DatasetKind::Blobs ||
        current.kind == DatasetKind::Shapes) {
      int classes = int(current.classes);
      const int hi = current.kind == DatasetKind::Spirals ? 8 : 10;
      const int lo = current.kind == DatasetKind::Shapes ? 4 : 2;
      ImGui::SetNextItemWidth(-1);
      if (ImGui::SliderInt("##classes", &classes, lo, hi, "%d classes")) current.classes = classes;
    }
  }

  void drawModelControls() {
    TrainingConfig& c = state_.settings.config;
    const bool image = c.dataset.kind == DatasetKind::Shapes;
    ImGui::SetNextItemWidth(-1);
    if (ImGui::BeginCombo("##model", c.model.c_str())) {
      for (const std::string& name : modelPresetNames())
        if (ImGui::Selectable(name.c_str(), name == c.model)) {
          c.model = name;
          syncTextFields();
        }
      ImGui::EndCombo();
    }
    if (!image) {
      ImGui::SetNextItemWidth(-1);
      if (ImGui::InputText("##widths", widthsBuffer_, sizeof widthsBuffer_,
                           ImGuiInputTextFlags_EnterReturnsTrue))
        applyWidths();
      ImGui::TextDisabled("MLP widths (Enter): \"64,64\"");
      if (ImGui::Checkbox("BatchNorm in the MLP", &mlpBatchNorm_)) applyWidths();
    }
    ImGui::SetNextItemWidth(-1);
    if (ImGui::InputText("##spec", modelBuffer_, sizeof modelBuffer_,
                         ImGuiInputTextFlags_EnterReturnsTrue)) {
      if (Result<ModelSpec> spec = parseModelSpec(modelBuffer_)) {
        c.model = modelBuffer_;
        modelError_.clear();
      } else {
        modelError_ = spec.error().what; // the previous model stays
      }
    }
    ImGui::TextDisabled("layer list (Enter), e.g. linear:32,tanh,linear");
    if (!modelError_.empty()) {
      ImGui::PushTextWrapPos(0);
      ImGui::TextColored(ImVec4(0.8f, 0.1f, 0.1f, 1), "%s (kept: %s)", modelError_.c_str(),
                         c.model.c_str());
      ImGui::PopTextWrapPos();
    }
  }

  void applyWidths() {
    std::vector<Index> widths;
    std::string text = widthsBuffer_;
    size_t start = 0;
    while (start <= text.size()) {
      const size_t end = std::min(text.find(',', start), text.size());
      const std::string token = text.substr(start, end - start);
      char* rest = nullptr;
      const long w = std::strtol(token.c_str(), &rest, 10);
      if (token.empty() || *rest != '\0' || w < 1 || w > 1024) {
        modelError_ = "widths: '" + token + "' is not a width in 1..1024";
        return;
      }
      widths.push_back(w);
      start = end + 1;
    }
    state_.settings.config.model = mlpSpec(widths, Activation::ReLU, mlpBatchNorm_);
    syncTextFields();
  }

  void drawOptimizerControls(const LabContext& context) {
    TrainingConfig& c = state_.settings.config;
    OptimizerConfig& o = c.optimizerConfig;
    ImGui::SetNextItemWidth(-1);
    if (ImGui::BeginCombo("##optimizer", std::string(optimizerTitle(c.optimizer)).c_str())) {
      for (OptimizerKind kind : kAllOptimizerKinds)
        if (ImGui::Selectable(std::string(optimizerTitle(kind)).c_str(), kind == c.optimizer)) {
          const double lr = o.lr;
          c.optimizer = kind;
          o = defaultOptimizerConfig(kind);
          o.lr = lr;
        }
      ImGui::EndCombo();
    }
    logSlider("##lr", o.lr, 1e-5, 3.0, "η₀ = %.4g");
    if (c.optimizer == OptimizerKind::Momentum || c.optimizer == OptimizerKind::Nesterov)
      slider("##beta", o.beta, 0.0, 0.999, "β = %.3f");
    if (c.optimizer == OptimizerKind::RMSProp) slider("##beta", o.beta, 0.0, 0.999, "α = %.3f");
    if (c.optimizer == OptimizerKind::Adam || c.optimizer == OptimizerKind::AdamW ||
        c.optimizer == OptimizerKind::AMSGrad) {
      slider("##beta1", o.beta1, 0.0, 0.999, "β₁ = %.3f");
      slider("##beta2", o.beta2, 0.9, 0.9999, "β₂ = %.4f");
    }
    if (c.optimizer == OptimizerKind::AdamW)
      logSlider("##wd", o.weightDecay, 1e-5, 1.0, "λ = %.4g");
    if (ImGui::SmallButton("Copy as PyTorch")) {
      ImGui::SetClipboardText(pytorchConstructor(c.optimizer, o).c_str());
      context.messages.info("copied: " + pytorchConstructor(c.optimizer, o));
    }

    ImGui::Spacing();
    ImGui::TextDisabled("SCHEDULE");
    Schedule& s = c.schedule;
    const std::vector<std::string> names = scheduleNames();
    ImGui::SetNextItemWidth(-1);
    if (ImGui::BeginCombo("##schedule", std::string(scheduleId(s.kind)).c_str())) {
      for (const std::string& name : names)
        if (ImGui::Selectable(name.c_str(), name == scheduleId(s.kind))) {
          const int warmup = s.warmupSteps;
          s = *parseSchedule(name);
          s.warmupSteps = warmup;
        }
      ImGui::EndCombo();
    }
    if (s.kind == ScheduleKind::StepDecay) {
      ImGui::SetNextItemWidth(-1);
      ImGui::SliderInt("##stepsize", &s.stepSize, 1, 2000, "every %d steps",
                       ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp);
    }
    if (s.kind == ScheduleKind::StepDecay || s.kind == ScheduleKind::Exponential)
      slider("##gamma", s.gamma, 0.01, 1.0, "× γ = %.3f");
    ImGui::SetNextItemWidth(-1);
    ImGui::SliderInt("##warmup", &s.warmupSteps, 0, 1000,
                     s.warmupSteps ? "warmup %d steps" : "no warmup", ImGuiSliderFlags_AlwaysClamp);
  }

  void drawBatchControls() {
    TrainingConfig& c = state_.settings.config;
    int batch = int(c.batchSize);
    ImGui::SetNextItemWidth(-1);
    if (ImGui::SliderInt("##batch", &batch, 1, 512, "batch %d",
                         ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp))
      c.batchSize = batch;
    ImGui::SetNextItemWidth(-1);
    ImGui::SliderInt("##epochs", &c.epochs, 1, 200, "%d epochs",
                     ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp);
    bool clip = c.clipNorm > 0;
    if (ImGui::Checkbox("Clip ‖g‖", &clip)) c.clipNorm = clip ? 1.0 : 0.0;
    if (clip) {
      ImGui::SameLine();
      double v = c.clipNorm;
      ImGui::SetNextItemWidth(-1);
      const double lo = 0.01, hi = 100;
      if (ImGui::SliderScalar("##clip", ImGuiDataType_Double, &v, &lo, &hi, "≤ %.3g",
                              ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp))
        c.clipNorm = v;
    }
    ImGui::SetNextItemWidth(-1);
    ImGui::SliderInt("##corrupt", &c.corruptAt, 0, 2000,
                     c.corruptAt ? "wrong labels at step %d" : "no label burst",
                     ImGuiSliderFlags_AlwaysClamp);
    int seed = int(c.seed);
    ImGui::SetNextItemWidth(-1);
    if (ImGui::InputInt("##seed", &seed)) c.seed = std::uint32_t(std::max(0, seed));
    ImGui::TextDisabled("seed (data, weights, batches)");
  }

  void drawSpikeMakers() {
    const SpikeMaker makers[] = {SpikeMaker::HighLearningRate, SpikeMaker::CorruptedLabels,
                                 SpikeMaker::AdamNoWarmup, SpikeMaker::TinyBatch};
    for (SpikeMaker m : makers) {
      ImGui::PushID(int(m));
      if (ImGui::SmallButton(std::string(spikeMakerId(m)).c_str())) applySpike(m, false);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", spikeMakerDescription(m, false).c_str());
      ImGui::SameLine();
      if (ImGui::SmallButton("fix")) applySpike(m, true);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", spikeMakerDescription(m, true).c_str());
      ImGui::PopID();
    }
  }

  void applySpike(SpikeMaker maker, bool fixed) {
    TrainingConfig c = applySpikeMaker(state_.settings.config, maker, fixed);
    c.threads = 1;
    state_.settings.config = c;
    state_.settings.label = spikeMakerDescription(maker, fixed);
    state_.title.clear();
    syncTextFields();
  }

  void drawRunsList() {
    int remove = -1;
    for (size_t i = 0; i < runs_.size(); ++i) {
      LiveRun& run = runs_[i];
      ImGui::PushID(int(i));
      const plot::Color col = plot::seriesColor(run.curves.colorIndex);
      ImGui::PushStyleColor(ImGuiCol_CheckMark, ImVec4(col.r, col.g, col.b, 1));
      if (ImGui::Checkbox("##shown", &run.curves.shown)) ++dataVersion_;
      ImGui::PopStyleColor();
      ImGui::SameLine();
      const float em = ImGui::GetFontSize();
      const ImVec2 p = ImGui::GetCursorScreenPos();
      ImGui::GetWindowDrawList()->AddRectFilled(
          ImVec2(p.x, p.y + 0.3f * em), ImVec2(p.x + 0.8f * em, p.y + 1.0f * em), col.toRgba8());
      ImGui::Dummy(ImVec2(0.9f * em, em));
      ImGui::SameLine();
      std::string status;
      if (!run.error.empty())
        status = "error";
      else if (!run.started)
        status = "queued";
      else if (run.curves.status == TrainingStatus::Preparing)
        status = "Preparing data…"; // the worker generates the data set and the network
      else
        status =
            std::to_string(run.curves.steps.size()) + "/" + std::to_string(run.curves.totalSteps);
      ImGui::Text("%s", status.c_str());
      ImGui::SameLine();
      if (ImGui::SmallButton("×")) remove = int(i);
      ImGui::PushTextWrapPos(0);
      ImGui::TextDisabled("%s", runLegend(run.curves.settings).c_str());
      if (!run.error.empty())
        ImGui::TextColored(ImVec4(0.8f, 0.1f, 0.1f, 1), "%s", run.error.c_str());
      ImGui::PopTextWrapPos();
      ImGui::PopID();
    }
    if (remove >= 0) {
      if (runs_[size_t(remove)].session) runs_[size_t(remove)].session->cancel();
      runs_.erase(runs_.begin() + remove);
      ++dataVersion_;
    }
  }

  void drawControls(const LabContext& context) {
    ImGui::TextDisabled("PRESET");
    ScenePresetCombo(presets(), "training", state_.title, *this, context.messages);
    if (!state_.note.empty()) {
      ImGui::PushTextWrapPos(0);
      ImGui::TextUnformatted(state_.note.c_str());
      ImGui::PopTextWrapPos();
    }

    // Train / pause / stop first: the buttons a lecturer reaches for.
    ImGui::Spacing();
    if (ImGui::Button("Train")) {
      addRun(state_.settings);
      state_.settings.label.clear();
    }
    ImGui::SameLine();
    LiveRun* active = nullptr;
    for (LiveRun& run : runs_)
      if (run.session) active = &run;
    if (active) {
      const bool paused = active->curves.status == TrainingStatus::Paused;
      if (ImGui::Button(paused ? "Resume" : "Pause")) {
        if (paused)
          active->session->resume();
        else
          active->session->pause();
      }
      ImGui::SameLine();
      if (ImGui::Button("Stop")) {
        for (LiveRun& run : runs_) {
          if (run.session) run.session->cancel();
          if (!run.started) run.started = true, run.curves.status = TrainingStatus::Cancelled;
        }
      }
      ImGui::SameLine();
    }
    if (ImGui::Button("Clear")) clearRuns();
    ImGui::SameLine();
    if (ImGui::Button("CSV")) {
      const std::string path = "exports/training_history.csv";
      std::error_code ec;
      std::filesystem::create_directories("exports", ec);
      std::vector<const RunCurves*> all;
      for (const LiveRun& run : runs_) all.push_back(&run.curves);
      if (Status s = writeFileAtomically(path, trainingHistoryCsv(all)); !s)
        context.messages.error(s.error().message());
      else
        context.messages.info("history of " + std::to_string(all.size()) + " runs written to " +
                              path);
    }
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip(
          "step,loss,acc,lr,grad_norm of every kept run -> exports/training_history.csv");

    if (!runs_.empty()) {
      ImGui::Spacing();
      ImGui::TextDisabled("RUNS (up to %d, overlaid)", kMaxTrainingRuns);
      drawRunsList();
    }

    ImGui::Spacing();
    ImGui::TextDisabled("DISPLAY");
    if (slider("##smoothing", state_.smoothing, 0.0, 0.999, "smoothing w = %.3f")) resmooth();
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("TensorBoard's: s_t = (w·m_{t−1} + (1−w)·y_t) / (1 − w^t), m₀ = 0");
    if (ImGui::Checkbox("Raw loss (faint)", &state_.showRaw)) ++dataVersion_;

    ImGui::Spacing();
    ImGui::TextDisabled("DATA");
    drawDatasetPicker();
    ImGui::Spacing();
    ImGui::TextDisabled("MODEL");
    drawModelControls();
    ImGui::Spacing();
    ImGui::TextDisabled("OPTIMIZER");
    drawOptimizerControls(context);
    ImGui::Spacing();
    ImGui::TextDisabled("BATCHES, CLIPPING");
    drawBatchControls();
    ImGui::Spacing();
    ImGui::TextDisabled("SPIKE MAKERS (failure · fix)");
    drawSpikeMakers();
  }

  // ---- plots ----

  void rebuildFigures(float presentation) {
    const std::string key = std::to_string(dataVersion_) + "/" + std::to_string(state_.showRaw) +
                            "/" + std::to_string(presentation);
    if (key == figuresKey_) return;
    figuresKey_ = key;
    const std::vector<const RunCurves*> runs = shownRuns();
    lossFigure_ = lossFigureWithTop(runs, state_.showRaw, 0);
    rateFigure_ = learningRateFigure(runs, 0);
    alignLossAndRate(lossFigure_, rateFigure_, lossTop(runs, state_.showRaw), lrTop(runs));
    gradFigure_ = gradientNormFigure(runs, 0);
    // On screen the three step figures are stacked on one axis: only the bottom one names it.
    lossFigure_.xAxis.label.clear();
    rateFigure_.xAxis.label.clear();
    accuracyFigure_ = accuracyFigure(runs);
    if (runs.empty()) lossFigure_.title = "Loss: press Train (or pick a preset)";
  }

  // The run whose model the boundary / image panels show.
  LiveRun* pictureRun() {
    if (runs_.empty()) return nullptr;
    if (state_.boundaryRun >= 0 && state_.boundaryRun < int(runs_.size()))
      return &runs_[size_t(state_.boundaryRun)];
    for (auto it = runs_.rbegin(); it != runs_.rend(); ++it)
      if (it->model) return &*it;
    return nullptr;
  }

  // The pictures are made on a worker thread (std::async) from the run's model snapshot, so the
  // UI never waits for a forward pass: a new job starts when the model pointer changed, at most
  // every 250 ms while training (images: at epoch ends, 160 images through the CNN), one job at a
  // time; until it returns the previous pictures stay on screen.
  void updateModelPictures() {
    using namespace std::chrono_literals;
    if (pictureJob_.valid() && pictureJob_.wait_for(0s) == std::future_status::ready)
      pictures_ = pictureJob_.get();
    LiveRun* run = pictureRun();
    if (!run || !run->model || !run->dataset || pictureJob_.valid()) return;
    const auto now = std::chrono::steady_clock::now();
    const bool finished = !run->session;
    const bool sameRun = run->id == pictureRunId_;
    const bool relaid = pictureColumns_ != pictureColumnsShown_;
    if (sameRun && run->model == pictureModel_ && !relaid) return;
    if (!finished && sameRun && !relaid && now - pictureTime_ < 250ms) return;
    if (run->dataset->isImage() && !finished && sameRun && !relaid &&
        run->curves.epochs.size() == pictureEpochs_)
      return;
    pictureColumnsShown_ = pictureColumns_;
    pictureEpochs_ = run->curves.epochs.size();
    pictureModel_ = run->model; // held: a freed model's address could be reused by the next
    pictureRunId_ = run->id;
    pictureTime_ = now;
    pictureJob_ = std::async(std::launch::async, [model = run->model, dataset = run->dataset,
                                                  step = run->modelStep, id = run->id,
                                                  cols = pictureColumns_] {
      omp_set_num_threads(1); // this thread's forward passes: the other core draws the UI
      return makeModelPictures(*model, *dataset, step, id, cols);
    });
  }

  // For a screenshot: the pictures of the final models, made here before the last frame.
  void finishModelPictures() {
    if (pictureJob_.valid()) pictures_ = pictureJob_.get();
    LiveRun* run = pictureRun();
    if (!run || !run->model || !run->dataset) return;
    if (pictures_.runId == run->id && run->model == pictureModel_ &&
        pictureColumns_ == pictureColumnsShown_)
      return;
    pictures_ =
        makeModelPictures(*run->model, *run->dataset, run->modelStep, run->id, pictureColumns_);
    pictureColumnsShown_ = pictureColumns_;
    pictureModel_ = run->model;
    pictureRunId_ = run->id;
    pictureEpochs_ = run->curves.epochs.size();
  }

  void drawPlots(const LabContext& context) {
    rebuildFigures(context.uiScale);
    pictureColumns_ = context.uiScale > 1.2f ? 2 : 3;
    updateModelPictures();
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float em = ImGui::GetFontSize();
    const float spacing = ImGui::GetStyle().ItemSpacing.y;
    const float leftWidth = std::floor(avail.x * 0.6f);
    const float rightWidth = avail.x - leftWidth - ImGui::GetStyle().ItemSpacing.x;
    // Left: loss (big), learning rate, gradient norm, all on one step axis. Right: accuracy over
    // the model pictures. In presentation mode (fonts 1.75×) five figures do not fit legibly:
    // the gradient norm moves to the right column and the accuracy folds away (the validation
    // dots stay in the loss figure).
    const bool presenting = context.uiScale > 1.2f;
    ImGui::BeginGroup();
    if (presenting) {
      const float lossHeight = std::floor(0.6f * avail.y);
      plot::PlotFigure("loss", lossFigure_, ImVec2(leftWidth, lossHeight), context.plotStyle);
      plot::PlotFigure("lr", rateFigure_, ImVec2(leftWidth, avail.y - lossHeight - spacing),
                       context.plotStyle);
    } else {
      const float lossHeight = std::max(10 * em, 0.5f * avail.y);
      const float rateHeight = std::max(6 * em, 0.24f * avail.y);
      const float gradHeight = std::max(6 * em, avail.y - lossHeight - rateHeight - 2 * spacing);
      plot::PlotFigure("loss", lossFigure_, ImVec2(leftWidth, lossHeight), context.plotStyle);
      plot::PlotFigure("lr", rateFigure_, ImVec2(leftWidth, rateHeight), context.plotStyle);
      plot::PlotFigure("grad", gradFigure_, ImVec2(leftWidth, gradHeight), context.plotStyle);
    }
    ImGui::EndGroup();
    ImGui::SameLine();
    ImGui::BeginGroup();
    LiveRun* run = pictureRun();
    const bool current = run && pictures_.runId == run->id;
    const bool images = current && !pictures_.boundary;
    // Images need the room more than the accuracy curve: two mosaics.
    const float topHeight = std::floor((presenting ? 0.36f : images ? 0.3f : 0.4f) * avail.y);
    if (presenting)
      plot::PlotFigure("grad", gradFigure_, ImVec2(rightWidth, topHeight), context.plotStyle);
    else
      plot::PlotFigure("accuracy", accuracyFigure_, ImVec2(rightWidth, std::max(8 * em, topHeight)),
                       context.plotStyle);
    const float rest = avail.y - std::max(presenting ? 0 : 8 * em, topHeight) - spacing;
    if (current && pictures_.boundary) {
      plot::PlotFigure("boundary", *pictures_.boundary, ImVec2(rightWidth, rest),
                       context.plotStyle);
    } else if (images) {
      const float filtersHeight = std::floor((presenting ? 0.45f : 0.36f) * rest);
      plot::PlotFigure("misclassified", pictures_.misclassified,
                       ImVec2(rightWidth, rest - filtersHeight - spacing), context.plotStyle);
      plot::PlotFigure("filters", pictures_.filters, ImVec2(rightWidth, filtersHeight),
                       context.plotStyle);
    } else {
      ImGui::Dummy(ImVec2(rightWidth, rest));
    }
    ImGui::EndGroup();
  }

  TrainingLabState state_;
  std::vector<LiveRun> runs_;
  std::uint64_t dataVersion_ = 0;
  std::string figuresKey_;
  plot::Figure lossFigure_, rateFigure_, gradFigure_, accuracyFigure_;
  ModelPictures pictures_;                           // what the right column shows
  std::future<ModelPictures> pictureJob_;            // the pictures being made (invalid: none)
  std::shared_ptr<const Network> pictureModel_;      // the model of the last job started
  int pictureColumns_ = 3, pictureColumnsShown_ = 3; // wanted / in pictures_ (or being made)
  int pictureRunId_ = 0, lastRunId_ = 0;
  size_t pictureEpochs_ = 0;
  std::chrono::steady_clock::time_point pictureTime_{};
  std::vector<DatasetThumbnail> thumbnails_;
  char modelBuffer_[256] = {};
  char widthsBuffer_[64] = "64,64";
  bool mlpBatchNorm_ = false;
  std::string modelError_;
  bool presetsScanned_ = false;
  std::vector<ScenePreset> presets_;
  mutable std::vector<RunCurves> exportCache_; // what exportFigure's views point into
};

} // namespace

std::unique_ptr<Lab> createTrainingLab() {
  return std::make_unique<TrainingLab>();
}

} // namespace nnlab::app
