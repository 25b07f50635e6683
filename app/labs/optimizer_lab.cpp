#include "labs/optimizer_lab.h"

#include <imgui.h>

#include <Eigen/Core>
#include <Eigen/Geometry>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <complex>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/expression_surface.h"
#include "core/frame_profile.h"
#include "core/format_number.h"
#include "core/json_fields.h"
#include "core/presets.h"
#include "core/messages.h"
#include "core/paths.h"
#include "core/scene.h"
#include "gl/render_target.h"
#include "gl/shader_program.h"
#include "gl/texture.h"
#include "plot/colormap.h"
#include "plot/export.h"
#include "plot/imgui_canvas.h"
#include "plot/plot_widget.h"

namespace nnlab::app {

// ---------------------------------------------------------------------------------------------
// State, surface, runs (no GL, no ImGui: tests and `nnlab export` use these)
// ---------------------------------------------------------------------------------------------

namespace {

OptimizerSlot makeSlot(OptimizerKind kind, double lr) {
  OptimizerSlot slot;
  slot.kind = kind;
  slot.config = defaultOptimizerConfig(kind);
  slot.config.lr = lr;
  return slot;
}

bool hasMomentumBeta(OptimizerKind k) {
  return k == OptimizerKind::Momentum || k == OptimizerKind::Nesterov ||
         k == OptimizerKind::RMSProp;
}
bool isAdamFamily(OptimizerKind k) {
  return k == OptimizerKind::Adam || k == OptimizerKind::AdamW || k == OptimizerKind::AMSGrad;
}
bool usesEps(OptimizerKind k) {
  return isAdamFamily(k) || k == OptimizerKind::AdaGrad || k == OptimizerKind::RMSProp;
}

const char* legendId(plot::LegendCorner c) {
  switch (c) {
  case plot::LegendCorner::None: return "none";
  case plot::LegendCorner::TopRight: return "top-right";
  case plot::LegendCorner::TopLeft: return "top-left";
  case plot::LegendCorner::BottomRight: return "bottom-right";
  case plot::LegendCorner::BottomLeft: return "bottom-left";
  }
  return "top-right";
}
const std::vector<std::string> kLegendIds = {"none", "top-right", "top-left", "bottom-right",
                                             "bottom-left"};
const std::vector<std::string> kPanelIds = {"loss", "inspector", "rate"};

Box2 viewOf(const OptimizerLabState& state, const Surface& surface) {
  return state.customView ? state.view : surface.domain();
}

int shownSteps(const OptimizerLabState& state, const Trajectory& path) {
  const int n = path.stepsTaken();
  return state.step < 0 ? n : std::min(state.step, n);
}

// Clips the segment a-b to the box (Liang-Barsky); false when it misses the box.
bool clipSegment(Vec2& a, Vec2& b, const Box2& box) {
  double t0 = 0, t1 = 1;
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double p[4] = {-dx, dx, -dy, dy};
  const double q[4] = {a.x - box.xMin, box.xMax - a.x, a.y - box.yMin, box.yMax - a.y};
  for (int i = 0; i < 4; ++i) {
    if (p[i] == 0) {
      if (q[i] < 0) return false;
    } else {
      const double r = q[i] / p[i];
      if (p[i] < 0)
        t0 = std::max(t0, r);
      else
        t1 = std::min(t1, r);
    }
  }
  if (t0 > t1) return false;
  const Vec2 a0 = a;
  a = a0 + t0 * Vec2{dx, dy};
  b = a0 + t1 * Vec2{dx, dy};
  return true;
}

// A curve of n ≫ 1000 points drawn over a few hundred pixels: keep the first, last, smallest and
// largest value of each of ~`buckets` runs of steps, so the envelope (and every spike) survives
// while the renderer gets ~4 × buckets points instead of 10,000.
void appendDecimated(plot::LineSeries& line, const std::vector<double>& values, int n,
                     int buckets) {
  const int per = std::max(1, (n + 1 + buckets - 1) / buckets);
  for (int begin = 0; begin <= n; begin += per) {
    const int end = std::min(n + 1, begin + per);
    int lo = begin, hi = begin;
    for (int t = begin; t < end; ++t) {
      if (values[size_t(t)] < values[size_t(lo)]) lo = t;
      if (values[size_t(t)] > values[size_t(hi)]) hi = t;
    }
    std::vector<int> keep = {begin, lo, hi, end - 1};
    std::sort(keep.begin(), keep.end());
    keep.erase(std::unique(keep.begin(), keep.end()), keep.end());
    for (int t : keep) line.x.push_back(t), line.y.push_back(values[size_t(t)]);
  }
}

} // namespace

OptimizerLabState defaultOptimizerLabState() {
  OptimizerLabState s;
  s.title = "Four optimizers on a bowl with condition number κ = 10";
  s.surface = "quadratic";
  s.params.conditionNumber = 10.0;
  s.params.rotationDegrees = 20.0;
  s.optimizers = {makeSlot(OptimizerKind::SGD, 0.15), makeSlot(OptimizerKind::Momentum, 0.03),
                  makeSlot(OptimizerKind::AdaGrad, 0.5), makeSlot(OptimizerKind::Adam, 0.1)};
  s.start = {-2.5, 2.0};
  s.steps = 100;
  s.inspect = 3;
  return s;
}

Result<std::unique_ptr<Surface>> buildSurface(const OptimizerLabState& state) {
  if (state.surface == "expression") {
    Result<std::unique_ptr<ExpressionSurface>> parsed = ExpressionSurface::parse(state.expression);
    if (!parsed) return Error{"expression", parsed.error().what};
    return std::unique_ptr<Surface>(std::move(parsed.value()));
  }
  const std::optional<SurfaceKind> kind = surfaceKindFromId(state.surface);
  if (!kind) return Error{"surface", "unknown surface '" + state.surface + "'"};
  return makeSurface(*kind, state.params);
}

OptimizerConfig effectiveConfig(const OptimizerLabState& state, const OptimizerSlot& slot) {
  OptimizerConfig config = slot.config;
  if (state.sharedLr) config.lr = state.lr;
  return config;
}

std::string slotLabel(const OptimizerLabState& state, const OptimizerSlot& slot) {
  const OptimizerConfig c = effectiveConfig(state, slot);
  std::string label = std::string(optimizerTitle(slot.kind)) + " η = " + formatNumber(c.lr);
  if (slot.kind == OptimizerKind::Momentum || slot.kind == OptimizerKind::Nesterov)
    label += ", β = " + formatNumber(c.beta);
  if (slot.kind == OptimizerKind::Momentum && c.momentumForm == MomentumForm::Ema)
    label += c.biasCorrection ? " (EMA)" : " (EMA, no correction)";
  if (isAdamFamily(slot.kind)) {
    const OptimizerConfig d = defaultOptimizerConfig(slot.kind);
    if (c.beta1 != d.beta1 || c.beta2 != d.beta2)
      label += ", β₁ = " + formatNumber(c.beta1) + ", β₂ = " + formatNumber(c.beta2);
    if (!c.biasCorrection) label += " (no bias correction)";
  }
  if (slot.schedule != "constant") label += ", " + slot.schedule;
  return label;
}

OptimizerLabRuns computeRuns(const OptimizerLabState& state, const Surface& surface) {
  const auto begin = std::chrono::steady_clock::now();
  OptimizerLabRuns out;
  const std::vector<Vec2> minima = surface.minima();
  out.runs.resize(state.optimizers.size());
  // The slots are independent (each has its own seeded noise): half of them run on a second
  // thread. A plain thread, not OpenMP: libgomp's workers spin after a parallel region ends, and
  // in the GUI that spinning took a core from the software rasterizer (measured with perf).
  // Built-in surfaces are pure functions; a user's expression evaluates through muParser's
  // variables, so the second thread gets its own clone.
  const auto* expression = dynamic_cast<const ExpressionSurface*>(&surface);
  const int slots = int(state.optimizers.size());
  auto runSlots = [&](int first, int last, const Surface& on) {
    for (int i = first; i < last; ++i) {
      const OptimizerSlot& slot = state.optimizers[size_t(i)];
      OptimizerRun& run = out.runs[size_t(i)];
      Result<Schedule> schedule = parseSchedule(slot.schedule);
      Result<std::unique_ptr<Optimizer>> optimizer =
          makeOptimizer(slot.kind, effectiveConfig(state, slot));
      if (!schedule)
        run.error = schedule.error().message();
      else if (!optimizer)
        run.error = optimizer.error().message();
      if (run.error.empty()) {
        TrajectoryOptions options;
        options.start = state.start;
        options.steps = state.steps;
        options.schedule = *schedule;
        options.gradientNoise = state.noise;
        options.seed = unsigned(state.seed);
        run.path = runTrajectory(on, **optimizer, options);
        if (!minima.empty()) run.distance = distanceToNearestMinimum(minima, run.path.points);
      }
    }
  };
  const int half = slots > 2 || (slots == 2 && state.steps >= 1000) ? slots / 2 : 0;
  std::future<void> second;
  if (half > 0)
    second = std::async(std::launch::async, [&] {
      std::unique_ptr<ExpressionSurface> own = expression ? expression->clone() : nullptr;
      runSlots(half, slots, own ? *own : surface);
    });
  runSlots(0, half > 0 ? half : slots, surface);
  if (second.valid()) second.get();
  out.milliseconds =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count();
  return out;
}

double SurfaceGrid::colorCoordinate(double f) const {
  const double v = f - shift;
  double t = 0;
  if (log) {
    const double lo = std::log10(vmin), hi = std::log10(vmax);
    t = v > 0 ? (std::log10(v) - lo) / std::max(hi - lo, 1e-12) : 0.0;
  } else {
    t = (v - vmin) / std::max(vmax - vmin, 1e-300);
  }
  return std::isfinite(t) ? std::clamp(t, 0.0, 1.0) : 0.0;
}

double SurfaceGrid::levelValue(double t) const {
  if (log) return std::pow(10.0, std::log10(vmin) + t * (std::log10(vmax) - std::log10(vmin)));
  return vmin + t * (vmax - vmin);
}

SurfaceGrid sampleSurface(const Surface& surface, Box2 box, int n, bool logColor) {
  SurfaceGrid g;
  g.n = n;
  g.box = box;
  g.values.resize(size_t(n) * size_t(n));
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (int r = 0; r < n; ++r) {
    const double y = box.yMin + (r + 0.5) * (box.yMax - box.yMin) / n;
    for (int c = 0; c < n; ++c) {
      const double x = box.xMin + (c + 0.5) * (box.xMax - box.xMin) / n;
      double f = surface.value({x, y});
      if (!std::isfinite(f))
        f = std::numeric_limits<double>::quiet_NaN();
      else
        lo = std::min(lo, f), hi = std::max(hi, f);
      g.values[size_t(r) * size_t(n) + size_t(c)] = float(f);
    }
  }
  if (!(lo <= hi)) lo = 0, hi = 1; // nothing finite
  if (hi <= lo) hi = lo + 1;
  g.fmin = lo, g.fmax = hi;
  g.log = logColor;
  if (!logColor) {
    g.shift = 0, g.vmin = lo, g.vmax = hi;
    g.colorbarLabel = "loss f(x, y)";
  } else if (lo >= 0) {
    // Four decades below the top: enough to see a valley floor, not so many that the bowl's
    // walls all share one colour.
    g.shift = 0;
    g.vmax = hi;
    g.vmin = std::max(lo, hi * 1e-4);
    g.colorbarLabel = "loss f(x, y), log scale";
  } else {
    g.shift = lo;
    g.vmax = hi - lo;
    g.vmin = g.vmax * 1e-4;
    g.colorbarLabel = "f(x, y) − min f, log scale";
  }
  return g;
}

plot::Figure optimizerSurfaceFigure(const OptimizerLabState& state, const Surface& surface,
                                    const OptimizerLabRuns& runs, const SurfaceGrid& grid,
                                    bool withContours, bool forScreen) {
  plot::Figure fig;
  fig.title = state.title.empty() ? surface.title() : state.title;
  fig.xAxis.label = "x";
  fig.yAxis.label = "y";
  const Box2 box = viewOf(state, surface);
  fig.xAxis.min = box.xMin, fig.xAxis.max = box.xMax;
  fig.yAxis.min = box.yMin, fig.yAxis.max = box.yMax;
  fig.xAxis.gridLines = fig.yAxis.gridLines = false;
  fig.equalAspect = true;
  fig.legend = state.legend;

  plot::Heatmap h;
  h.rows = h.cols = grid.n;
  h.values.resize(grid.values.size());
  for (size_t i = 0; i < grid.values.size(); ++i) h.values[i] = float(grid.values[i] - grid.shift);
  h.x0 = grid.box.xMin, h.x1 = grid.box.xMax, h.y0 = grid.box.yMin, h.y1 = grid.box.yMax;
  h.colormap = plot::Colormap::Viridis;
  h.vmin = grid.vmin, h.vmax = grid.vmax;
  h.logColor = grid.log;
  h.colorbarLabel = grid.colorbarLabel;
  h.nearest = false;
  if (withContours && state.contourLevels > 0) {
    plot::ContourSet contours;
    contours.rows = contours.cols = grid.n;
    contours.values = h.values;
    contours.x0 = h.x0, contours.x1 = h.x1, contours.y0 = h.y0, contours.y1 = h.y1;
    for (int k = 1; k < state.contourLevels; ++k)
      contours.levels.push_back(grid.levelValue(double(k) / state.contourLevels));
    contours.color = plot::Color{0.1f, 0.1f, 0.1f, 0.45f};
    contours.width = 0.6f;
    fig.contours.push_back(std::move(contours));
  }
  fig.heatmap = std::move(h);

  for (size_t i = 0; i < state.optimizers.size() && i < runs.runs.size(); ++i) {
    const OptimizerSlot& slot = state.optimizers[i];
    const Trajectory& path = runs.runs[i].path;
    if (!slot.shown || path.points.empty()) continue;
    const plot::Color color = plot::seriesColor(int(i));
    const int n = shownSteps(state, path);
    plot::LineSeries line;
    line.label = slotLabel(state, slot);
    line.color = color;
    line.width = 2.0f;
    line.markers = state.markers && n <= 400;
    // Points outside the view are clipped here (not left to the renderer): a diverged path's
    // last point may be 1e6 away, and the figure must not stretch to it.
    // Steps shorter than 1/1500 of the view are merged (invisible at any screen size), so a
    // converged 10,000-step path costs the renderer a few hundred points, not 10,000.
    const double minStep = std::max(box.xMax - box.xMin, box.yMax - box.yMin) / 1500;
    Vec2 last = path.points[0];
    bool lastInside = box.contains(last);
    if (lastInside) line.x.push_back(last.x), line.y.push_back(last.y);
    Vec2 kept = last;
    for (int t = 1; t <= n; ++t) {
      Vec2 a = path.points[size_t(t - 1)], b = path.points[size_t(t)];
      const bool inside = box.contains(b);
      if (lastInside && inside) {
        if (line.markers || t == n || std::abs(b.x - kept.x) + std::abs(b.y - kept.y) >= minStep)
          line.x.push_back(b.x), line.y.push_back(b.y), kept = b;
      } else if (clipSegment(a, b, box)) {
        if (!lastInside) {
          line.x.push_back(std::numeric_limits<double>::quiet_NaN());
          line.y.push_back(std::numeric_limits<double>::quiet_NaN());
          line.x.push_back(a.x), line.y.push_back(a.y);
        }
        line.x.push_back(b.x), line.y.push_back(b.y), kept = b;
      }
      lastInside = inside;
    }
    fig.lines.push_back(std::move(line));
    // The current point.
    const Vec2 now = path.points[size_t(n)];
    if (box.contains(now)) {
      plot::Annotation current;
      current.x = now.x, current.y = now.y;
      current.marker = true;
      current.color = color;
      current.flags = plot::AnnotationFlags_NoBackground; // a ring, no text
      fig.annotations.push_back(current);
    }
    // Where it diverged: at the last point still in view, with the reason in short.
    if (path.diverged && n == path.stepsTaken()) {
      Vec2 mark = path.points[0];
      for (const Vec2& p : path.points)
        if (box.contains(p)) mark = p;
      plot::Annotation diverged;
      diverged.x = mark.x, diverged.y = mark.y;
      diverged.marker = true;
      diverged.color = color;
      const char* why = path.diverged->kind == DivergenceKind::LeftBox    ? "left the box"
                        : path.diverged->kind == DivergenceKind::Infinite ? "overflow"
                                                                          : "NaN";
      const std::string step = std::to_string(path.diverged->step);
      diverged.text =
          forScreen ? "diverged, t = " + step : "diverged, step " + step + " (" + why + ")";
      fig.annotations.push_back(diverged);
    }
  }
  plot::Annotation start;
  start.x = state.start.x, start.y = state.start.y;
  start.marker = true;
  start.text = forScreen ? "" : " start";
  if (forScreen) start.flags = plot::AnnotationFlags_NoBackground;
  start.color = plot::Color{0.05f, 0.05f, 0.05f, 1};
  if (box.contains(state.start)) fig.annotations.push_back(start);
  for (const Vec2& m : surface.minima()) {
    if (!box.contains(m)) continue;
    plot::Annotation minimum;
    minimum.x = m.x, minimum.y = m.y;
    minimum.text = "×";
    minimum.color = plot::Color{1, 1, 1, 1};
    minimum.hAlign = plot::HAlign::Center;
    minimum.vAlign = plot::VAlign::Middle;
    minimum.sizeScale = 1.5f;
    minimum.flags = plot::AnnotationFlags_NoBackground;
    fig.annotations.push_back(minimum);
  }
  return fig;
}

plot::Figure optimizerLossFigure(const OptimizerLabState& state, const OptimizerLabRuns& runs,
                                 double lossFloor) {
  plot::Figure fig;
  bool positive = true;
  for (const OptimizerRun& run : runs.runs)
    for (double l : run.path.loss) positive = positive && l > 0;
  fig.title = "Loss per step";
  fig.xAxis.label = "step t";
  fig.yAxis.label = positive ? "loss f(θ_t) (log scale)" : "loss f(θ_t)";
  fig.yAxis.scale = positive ? plot::AxisScale::Log10 : plot::AxisScale::Linear;
  fig.xAxis.min = 0, fig.xAxis.max = std::max(1, state.steps);
  fig.legend = plot::LegendCorner::None; // the surface figure's legend names the colours
  if (!positive && std::isfinite(lossFloor)) {
    // A surface without a lower bound (a saddle): a path that escapes heads to −∞ and would
    // flatten every other curve; show down to a floor a little below the view's lowest loss.
    double lowest = std::numeric_limits<double>::infinity();
    for (const OptimizerRun& run : runs.runs)
      for (double l : run.path.loss) lowest = std::min(lowest, l);
    if (lowest < lossFloor) {
      double start = -std::numeric_limits<double>::infinity();
      for (const OptimizerRun& run : runs.runs)
        if (!run.path.loss.empty()) start = std::max(start, run.path.loss.front());
      fig.yAxis.min = lossFloor;
      fig.yAxis.max = std::max(start + 0.1 * std::abs(start) + 0.1, lossFloor + 1.0);
      fig.yAxis.label += " (clipped)";
    }
  }
  for (size_t i = 0; i < state.optimizers.size() && i < runs.runs.size(); ++i) {
    const Trajectory& path = runs.runs[i].path;
    if (!state.optimizers[i].shown || path.loss.empty()) continue;
    const int n = shownSteps(state, path);
    plot::LineSeries line;
    line.color = plot::seriesColor(int(i));
    line.width = 1.75f;
    appendDecimated(line, path.loss, n, 300);
    fig.lines.push_back(std::move(line));
  }
  return fig;
}

plot::Figure optimizerDistanceFigure(const OptimizerLabState& state, const OptimizerLabRuns& runs) {
  plot::Figure fig;
  fig.title = "Distance to the nearest minimum";
  fig.xAxis.label = "step t";
  fig.yAxis.label = "‖θ_t − θ*‖ (log scale)";
  fig.yAxis.scale = plot::AxisScale::Log10;
  fig.xAxis.min = 0, fig.xAxis.max = std::max(1, state.steps);
  fig.legend = plot::LegendCorner::None;
  for (size_t i = 0; i < state.optimizers.size() && i < runs.runs.size(); ++i) {
    const OptimizerRun& run = runs.runs[i];
    if (!state.optimizers[i].shown || run.distance.empty()) continue;
    const int n = shownSteps(state, run.path);
    plot::LineSeries line;
    line.color = plot::seriesColor(int(i));
    line.width = 1.75f;
    appendDecimated(line, run.distance, n, 300);
    for (double& y : line.y)
      if (!(y > 0)) y = std::numeric_limits<double>::quiet_NaN(); // at the minimum: off a log axis
    fig.lines.push_back(std::move(line));
  }
  return fig;
}

std::string pytorchSnippet(const OptimizerLabState& state, const OptimizerSlot& slot) {
  std::string text = "optimizer = " + pytorchConstructor(slot.kind, effectiveConfig(state, slot));
  Result<Schedule> parsed = parseSchedule(slot.schedule);
  if (!parsed) return text + "\n# schedule: " + parsed.error().message();
  const Schedule& s = *parsed;
  // Stepped once per optimizer step (scheduler.step() after optimizer.step()), as schedules.h.
  std::string scheduler;
  switch (s.kind) {
  case ScheduleKind::Constant: break;
  case ScheduleKind::StepDecay:
    scheduler =
        "torch.optim.lr_scheduler.StepLR(optimizer, step_size=" + std::to_string(s.stepSize) +
        ", gamma=" + formatNumber(s.gamma) + ")";
    break;
  case ScheduleKind::Exponential:
    scheduler =
        "torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=" + formatNumber(s.gamma) + ")";
    break;
  case ScheduleKind::InverseSqrt:
    scheduler = "torch.optim.lr_scheduler.LambdaLR(optimizer, lambda k: 1 / math.sqrt(k + 1))";
    break;
  case ScheduleKind::Cosine:
    scheduler = "torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=" +
                std::to_string(s.tMax > 0 ? s.tMax : state.steps) +
                ", eta_min=" + formatNumber(s.etaMin) + ")";
    break;
  }
  if (s.warmupSteps > 0) {
    const std::string warmup = "torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=" +
                               formatNumber(1.0 / s.warmupSteps) +
                               ", total_iters=" + std::to_string(s.warmupSteps - 1) + ")";
    if (scheduler.empty())
      scheduler = warmup;
    else
      scheduler = "torch.optim.lr_scheduler.SequentialLR(optimizer, [" + warmup + ", " + scheduler +
                  "], milestones=[" + std::to_string(s.warmupSteps) + "])";
  }
  if (!scheduler.empty()) text += "\nscheduler = " + scheduler + "  # scheduler.step() every step";
  return text;
}

double momentumSpectralRadius(double lr, double beta, double lambda, MomentumForm form) {
  const double g = form == MomentumForm::Ema ? (1 - beta) * lambda : lambda;
  const double trace = 1 - lr * g + beta, det = beta;
  const double disc = trace * trace - 4 * det;
  if (disc < 0) return std::sqrt(det); // complex pair: |z|² = det
  const double root = std::sqrt(disc);
  return std::max(std::abs(trace + root), std::abs(trace - root)) / 2;
}

double momentumRate(double lr, double beta, double conditionNumber, MomentumForm form) {
  return std::max(momentumSpectralRadius(lr, beta, 1.0, form),
                  momentumSpectralRadius(lr, beta, conditionNumber, form));
}

RateMap momentumRateMap(double conditionNumber, MomentumForm form, int rows, int cols) {
  RateMap map;
  map.rows = rows, map.cols = cols;
  // η from 1e-3 up to past the largest stable rate (2(1 + β)/κ for heavy ball at β → 1).
  map.logLrMin = std::log10(0.05 / conditionNumber);
  map.logLrMax = std::log10((form == MomentumForm::Ema ? 40.0 : 4.0) / conditionNumber);
  map.rho.resize(size_t(rows) * size_t(cols));
  for (int r = 0; r < rows; ++r) {
    const double beta = (r + 0.5) * map.betaMax / rows;
    for (int c = 0; c < cols; ++c) {
      const double lr =
          std::pow(10.0, map.logLrMin + (c + 0.5) * (map.logLrMax - map.logLrMin) / cols);
      map.rho[size_t(r) * size_t(cols) + size_t(c)] =
          float(std::min(1.2, momentumRate(lr, beta, conditionNumber, form)));
    }
  }
  return map;
}

plot::Figure momentumRateFigure(const RateMap& map, double conditionNumber, MomentumForm form,
                                const OptimizerConfig* current) {
  plot::Figure fig;
  fig.title = std::string(form == MomentumForm::Ema ? "EMA momentum" : "Heavy-ball momentum") +
              " on the bowl κ = " + formatNumber(conditionNumber) +
              ": rate ρ per step (spectral radius)";
  fig.xAxis.label = "log₁₀ learning rate η";
  fig.yAxis.label = "momentum β";
  fig.xAxis.min = map.logLrMin, fig.xAxis.max = map.logLrMax;
  fig.yAxis.min = 0, fig.yAxis.max = map.betaMax;
  fig.legend = plot::LegendCorner::None;
  plot::Heatmap h;
  h.rows = map.rows, h.cols = map.cols;
  h.values = map.rho;
  h.x0 = map.logLrMin, h.x1 = map.logLrMax, h.y0 = 0, h.y1 = map.betaMax;
  // The interesting band is between the best rate, ρ* = (√κ − 1)/(√κ + 1) for heavy ball, and 1.
  const double best = (std::sqrt(conditionNumber) - 1) / (std::sqrt(conditionNumber) + 1);
  h.vmin = std::max(0.0, std::floor((best - 0.1) * 10) / 10), h.vmax = 1.0;
  h.colorbarLabel = "ρ per step (1 = diverges)";
  h.nearest = false;
  plot::ContourSet c;
  c.rows = h.rows, c.cols = h.cols, c.values = h.values;
  c.x0 = h.x0, c.x1 = h.x1, c.y0 = h.y0, c.y1 = h.y1;
  c.levels = {0.5, 0.8, 0.9, 0.95, 0.99, 1.0};
  c.color = plot::Color{1, 1, 1, 0.8f};
  fig.heatmap = std::move(h);
  fig.contours.push_back(std::move(c));
  if (form == MomentumForm::HeavyBall) {
    // Polyak's optimum for μ = 1, L = κ: η* = (2 / (√L + √μ))², β* = ((√κ − 1) / (√κ + 1))².
    const double sk = std::sqrt(conditionNumber);
    const double lrOpt = std::pow(2 / (sk + 1), 2), betaOpt = std::pow((sk - 1) / (sk + 1), 2);
    plot::Annotation best;
    best.x = std::log10(lrOpt), best.y = betaOpt;
    best.marker = true;
    best.color = plot::Color{1, 1, 1, 1};
    best.text = " optimum ρ* = " +
                formatNumber(momentumRate(lrOpt, betaOpt, conditionNumber, form), "%.3f");
    fig.annotations.push_back(best);
  }
  if (current) {
    plot::Annotation now;
    now.x = std::clamp(std::log10(current->lr), map.logLrMin, map.logLrMax);
    now.y = std::clamp(current->beta, 0.0, map.betaMax);
    now.marker = true;
    now.color = plot::Color{1.0f, 0.35f, 0.25f, 1};
    now.text =
        " current ρ = " +
        formatNumber(momentumRate(current->lr, current->beta, conditionNumber, form), "%.3f");
    fig.annotations.push_back(now);
  }
  return fig;
}

// ---------------------------------------------------------------------------------------------
// Scene files
// ---------------------------------------------------------------------------------------------

namespace {

nlohmann::json slotToJson(const OptimizerSlot& slot) {
  const OptimizerConfig& c = slot.config;
  nlohmann::json j = {{"kind", std::string(optimizerId(slot.kind))}, {"lr", c.lr}};
  if (hasMomentumBeta(slot.kind)) j["beta"] = c.beta;
  if (slot.kind == OptimizerKind::Momentum)
    j["momentum_form"] = c.momentumForm == MomentumForm::Ema ? "ema" : "heavy-ball";
  if (isAdamFamily(slot.kind)) j["beta1"] = c.beta1, j["beta2"] = c.beta2;
  if (usesEps(slot.kind)) j["eps"] = c.eps;
  if (isAdamFamily(slot.kind) || slot.kind == OptimizerKind::Momentum)
    j["bias_correction"] = c.biasCorrection;
  if (slot.kind == OptimizerKind::AdamW) j["weight_decay"] = c.weightDecay;
  j["schedule"] = slot.schedule;
  j["shown"] = slot.shown;
  return j;
}

// Reads one optimizer entry ("state.optimizers[2]"): fields a kind does not use may be present.
void readSlot(const nlohmann::json& json, JsonReader& parent, const std::string& key,
              OptimizerSlot& out) {
  if (!json.is_object()) {
    parent.fail(key, "expected an object with \"kind\" and its hyper-parameters");
    return;
  }
  JsonReader reader(json, parent.fieldPath(key));
  std::string kindId = std::string(optimizerId(out.kind));
  reader.choice("kind", kindId, optimizerNames());
  if (!reader.ok()) {
    parent.fail(key + ".kind", reader.status().error().what);
    return;
  }
  OptimizerSlot slot;
  slot.kind = *optimizerKindFromId(kindId);
  slot.config = defaultOptimizerConfig(slot.kind);
  std::string form = "heavy-ball";
  reader.number("lr", slot.config.lr, 1e-8, 100.0)
      .number("beta", slot.config.beta, 0.0, 0.9999)
      .choice("momentum_form", form, {"heavy-ball", "ema"})
      .number("beta1", slot.config.beta1, 0.0, 0.9999)
      .number("beta2", slot.config.beta2, 0.0, 0.9999999)
      .number("eps", slot.config.eps, 1e-16, 1.0)
      .boolean("bias_correction", slot.config.biasCorrection)
      .number("weight_decay", slot.config.weightDecay, 0.0, 10.0)
      .string("schedule", slot.schedule)
      .boolean("shown", slot.shown);
  slot.config.momentumForm = form == "ema" ? MomentumForm::Ema : MomentumForm::HeavyBall;
  if (reader.ok()) {
    if (Status valid = validateOptimizerConfig(slot.kind, slot.config); !valid)
      reader.fail(valid.error().where == "weight-decay" ? "weight_decay" : valid.error().where,
                  valid.error().what);
  }
  if (reader.ok()) {
    if (Result<Schedule> s = parseSchedule(slot.schedule); !s)
      reader.fail("schedule", s.error().what);
  }
  if (!reader.ok()) {
    // Re-raise at the parent so its status (what loadState returns) names the nested field.
    const Error& e = reader.status().error();
    parent.fail(e.where.substr(parent.fieldPath("").size()), e.what);
    return;
  }
  out = slot;
}

} // namespace

nlohmann::json optimizerLabStateToJson(const OptimizerLabState& s) {
  nlohmann::json optimizers = nlohmann::json::array();
  for (const OptimizerSlot& slot : s.optimizers) optimizers.push_back(slotToJson(slot));
  nlohmann::json j = {{"title", s.title},
                      {"surface", s.surface},
                      {"kappa", s.params.conditionNumber},
                      {"angle", s.params.rotationDegrees},
                      {"rosenbrock_a", s.params.rosenbrockA},
                      {"rosenbrock_b", s.params.rosenbrockB},
                      {"expression", s.expression},
                      {"optimizers", optimizers},
                      {"shared_lr", s.sharedLr},
                      {"lr", s.lr},
                      {"start", {s.start.x, s.start.y}},
                      {"steps", s.steps},
                      {"noise", s.noise},
                      {"seed", s.seed},
                      {"log_color", s.logColor},
                      {"contours", s.contourLevels},
                      {"step", s.step},
                      {"speed", s.speed},
                      {"markers", s.markers},
                      {"arrows", s.arrows},
                      {"legend", legendId(s.legend)},
                      {"inspect", s.inspect},
                      {"inspect_step", s.inspectStep},
                      {"view3d", s.view3d},
                      {"camera", {s.yaw, s.pitch, s.zoom}},
                      {"panel", s.panel}};
  if (s.customView) j["view"] = {s.view.xMin, s.view.xMax, s.view.yMin, s.view.yMax};
  return j;
}

Status optimizerLabStateFromJson(const nlohmann::json& json, OptimizerLabState& state) {
  OptimizerLabState next = state;
  JsonReader reader(json, "state");
  std::vector<std::string> surfaces = surfaceNames();
  surfaces.push_back("expression");
  std::vector<double> start{next.start.x, next.start.y};
  std::vector<double> camera{next.yaw, next.pitch, next.zoom};
  std::string legend = legendId(next.legend);
  reader.string("title", next.title)
      .choice("surface", next.surface, surfaces)
      .number("kappa", next.params.conditionNumber, 1.0, 1e4)
      .number("angle", next.params.rotationDegrees, -360.0, 360.0)
      .number("rosenbrock_a", next.params.rosenbrockA, -10.0, 10.0)
      .number("rosenbrock_b", next.params.rosenbrockB, 0.0, 1e4)
      .string("expression", next.expression)
      .boolean("shared_lr", next.sharedLr)
      .number("lr", next.lr, 1e-8, 100.0)
      .numbers("start", start, 2, 2)
      .integer("steps", next.steps, 1, kMaxSteps)
      .number("noise", next.noise, 0.0, 100.0)
      .integer("seed", next.seed, 0, 1 << 30)
      .boolean("log_color", next.logColor)
      .integer("contours", next.contourLevels, 0, 64)
      .integer("step", next.step, -1, kMaxSteps)
      .number("speed", next.speed, 0.1, 10000.0)
      .boolean("markers", next.markers)
      .boolean("arrows", next.arrows)
      .choice("legend", legend, kLegendIds)
      .integer("inspect", next.inspect, 0, kMaxOptimizers - 1)
      .integer("inspect_step", next.inspectStep, 1, kMaxSteps)
      .boolean("view3d", next.view3d)
      .numbers("camera", camera, 3, 3)
      .choice("panel", next.panel, kPanelIds);
  if (reader.ok() && !(std::isfinite(start[0]) && std::isfinite(start[1]) &&
                       std::abs(start[0]) < 1e6 && std::abs(start[1]) < 1e6))
    reader.fail("start", "expected [x, y] with |x|, |y| < 1e6");
  if (reader.ok() && !(camera[1] >= -89 && camera[1] <= 89 && camera[2] >= 0.2 && camera[2] <= 5))
    reader.fail("camera", "expected [yaw, pitch in [-89, 89], zoom in [0.2, 5]] (degrees)");
  next.start = {start[0], start[1]};
  next.yaw = float(camera[0]), next.pitch = float(camera[1]), next.zoom = float(camera[2]);
  for (size_t i = 0; i < kLegendIds.size(); ++i)
    if (legend == kLegendIds[i]) next.legend = plot::LegendCorner(i);
  if (reader.ok() && json.contains("view")) {
    std::vector<double> v;
    reader.numbers("view", v, 4, 4);
    if (reader.ok() && !(v[0] < v[1] && v[2] < v[3] && std::abs(v[0]) < 1e6 &&
                         std::abs(v[1]) < 1e6 && std::abs(v[2]) < 1e6 && std::abs(v[3]) < 1e6))
      reader.fail("view", "expected [x min, x max, y min, y max] with min < max");
    if (reader.ok()) next.customView = true, next.view = {v[0], v[1], v[2], v[3]};
  } else if (reader.ok()) {
    next.customView = false;
  }
  if (reader.ok() && json.contains("optimizers")) {
    const nlohmann::json& list = json["optimizers"];
    if (!list.is_array() || list.empty() || list.size() > size_t(kMaxOptimizers)) {
      reader.fail("optimizers", "expected a list of 1 to 6 optimizers");
    } else {
      std::vector<OptimizerSlot> slots(list.size());
      for (size_t i = 0; i < list.size() && reader.ok(); ++i)
        readSlot(list[i], reader, "optimizers[" + std::to_string(i) + "]", slots[i]);
      if (reader.ok()) next.optimizers = std::move(slots);
    }
  }
  if (reader.ok() && next.optimizers.empty())
    reader.fail("optimizers", "at least one optimizer is needed");
  if (reader.ok() && next.surface == "expression") {
    if (std::optional<ExpressionError> bad = findExpressionError(next.expression))
      reader.fail("expression", bad->message + " at column " + std::to_string(bad->position + 1));
  }
  if (reader.ok()) {
    if (Result<std::unique_ptr<Surface>> s = buildSurface(next); !s)
      reader.fail(s.error().where, s.error().what);
  }
  if (!reader.ok()) return reader.status();
  next.inspect = std::min(next.inspect, int(next.optimizers.size()) - 1);
  state = std::move(next);
  return Status::success();
}

// ---------------------------------------------------------------------------------------------
// GPU views: the shader heatmap (2-D) and the orbiting mesh (3-D)
// ---------------------------------------------------------------------------------------------

namespace {

constexpr int kGridSize = 256; // samples per side of the view (the shader interpolates between)
constexpr int kMeshSize = 128; // vertices per side of the 3-D mesh
constexpr float kMeshHeight = 0.8f;

struct Path3d {
  plot::Color color;
  std::vector<Eigen::Vector3f> points; // world coordinates
  bool markers = false;
};

struct Camera {
  float yaw = 0, pitch = 0, zoom = 1;
};

Eigen::Matrix4f viewProjection(const Camera& camera, float aspect) {
  const float yaw = camera.yaw * float(M_PI) / 180, pitch = camera.pitch * float(M_PI) / 180;
  const Eigen::Vector3f target(0, 0, 0.35f * kMeshHeight);
  const float distance = 4.3f / camera.zoom;
  const Eigen::Vector3f eye =
      target + distance * Eigen::Vector3f(std::cos(pitch) * std::cos(yaw),
                                          std::cos(pitch) * std::sin(yaw), std::sin(pitch));
  const Eigen::Vector3f forward = (target - eye).normalized();
  const Eigen::Vector3f right = forward.cross(Eigen::Vector3f(0, 0, 1)).normalized();
  const Eigen::Vector3f up = right.cross(forward);
  Eigen::Matrix4f view = Eigen::Matrix4f::Identity();
  view.block<1, 3>(0, 0) = right.transpose();
  view.block<1, 3>(1, 0) = up.transpose();
  view.block<1, 3>(2, 0) = -forward.transpose();
  view(0, 3) = -right.dot(eye), view(1, 3) = -up.dot(eye), view(2, 3) = forward.dot(eye);
  const float fovy = 35.0f * float(M_PI) / 180, nearPlane = 0.1f, farPlane = 20.0f;
  const float f = 1.0f / std::tan(fovy / 2);
  Eigen::Matrix4f projection = Eigen::Matrix4f::Zero();
  projection(0, 0) = f / aspect;
  projection(1, 1) = f;
  projection(2, 2) = (farPlane + nearPlane) / (nearPlane - farPlane);
  projection(2, 3) = 2 * farPlane * nearPlane / (nearPlane - farPlane);
  projection(3, 2) = -1;
  return projection * view;
}

// Owns every GL object of the lab. Created on the first draw (there is a GL context then), never
// by the tests or `nnlab export`, which only use the figure functions.
class SurfaceGpu {
public:
  // Loads the three programs once; false (and `error()`) when a shader does not compile.
  bool ready(MessageLog& messages) {
    if (tried_) return error_.empty();
    tried_ = true;
    for (auto [program, name] : {std::pair{&heatmap_, "surface_heatmap"},
                                 {&mesh_, "surface_mesh"},
                                 {&overlay_, "path_overlay"}}) {
      Result<gl::ShaderProgram> loaded = gl::ShaderProgram::load(shadersDir(), name);
      if (!loaded) {
        error_ = loaded.error().message();
        messages.error("optimizer lab: " + error_);
        return false;
      }
      *program = std::move(loaded.value());
    }
    std::vector<std::uint8_t> lut(256 * 4);
    for (int i = 0; i < 256; ++i) {
      const std::uint32_t c = plot::colormapColor(plot::Colormap::Viridis, i / 255.0).toRgba8();
      std::memcpy(&lut[size_t(i) * 4], &c, 4); // 0xAABBGGRR little-endian = R, G, B, A bytes
    }
    colormap_.upload(256, 1, lut.data(), gl::TextureFilter::Linear);
    const float corners[] = {0, 0, 1, 0, 0, 1, 1, 1};
    quad_.upload(corners, 4, {2});
    return true;
  }
  const std::string& error() const { return error_; }

  void uploadGrid(const SurfaceGrid& grid) {
    loss_.upload(grid.n, grid.n, grid.values.data());
    // Mesh: x, y in [-1, 1] scaled to the box's aspect, z from the colour coordinate.
    const int m = kMeshSize, stride = std::max(1, grid.n / m);
    const int count = grid.n / stride;
    std::vector<float> vertices;
    vertices.reserve(size_t(count) * size_t(count) * 4);
    for (int r = 0; r < count; ++r)
      for (int c = 0; c < count; ++c) {
        const int gr = r * stride, gc = c * stride;
        const double x = grid.box.xMin + (gc + 0.5) * (grid.box.xMax - grid.box.xMin) / grid.n;
        const double y = grid.box.yMin + (gr + 0.5) * (grid.box.yMax - grid.box.yMin) / grid.n;
        const Eigen::Vector3f w =
            world(grid, x, y, grid.values[size_t(gr) * size_t(grid.n) + size_t(gc)]);
        const float t =
            float(grid.colorCoordinate(grid.values[size_t(gr) * size_t(grid.n) + size_t(gc)]));
        vertices.insert(vertices.end(), {w.x(), w.y(), w.z(), t});
      }
    std::vector<std::uint32_t> indices;
    indices.reserve(size_t(count - 1) * size_t(count - 1) * 6);
    for (int r = 0; r + 1 < count; ++r)
      for (int c = 0; c + 1 < count; ++c) {
        const std::uint32_t i = std::uint32_t(r * count + c);
        indices.insert(indices.end(), {i, i + 1, i + std::uint32_t(count), i + 1,
                                       i + std::uint32_t(count) + 1, i + std::uint32_t(count)});
      }
    surfaceMesh_.upload(vertices.data(), count * count, {3, 1}, indices.data(),
                        int(indices.size()));
    gridBox_ = grid.box;
  }

  // World position of (x, y) with loss f on the mesh (NaN-safe: a NaN lies on the floor).
  static Eigen::Vector3f world(const SurfaceGrid& grid, double x, double y, double f) {
    const double cx = (grid.box.xMin + grid.box.xMax) / 2, cy = (grid.box.yMin + grid.box.yMax) / 2;
    const double half = std::max(grid.box.xMax - grid.box.xMin, grid.box.yMax - grid.box.yMin) / 2;
    const double t = std::isfinite(f) ? grid.colorCoordinate(f) : 0.0;
    return {float((x - cx) / half), float((y - cy) / half), float(t) * kMeshHeight};
  }

  // The heatmap with contours at width x height pixels; returns the texture to show.
  unsigned renderHeatmap(int width, int height, const SurfaceGrid& grid, int levels,
                         float lineWidth) {
    target2d_.resize(width, height);
    if (!target2d_.complete()) return 0;
    gl::RenderPass pass(target2d_, {1, 1, 1, 1}, false);
    heatmap_.use();
    gl::bindTexture(0, loss_.id());
    gl::bindTexture(1, colormap_.id());
    heatmap_.setInt("uLoss", 0);
    heatmap_.setInt("uColormap", 1);
    heatmap_.setFloat("uShift", float(grid.shift));
    heatmap_.setFloat("uVmin", float(grid.vmin));
    heatmap_.setFloat("uVmax", float(grid.vmax));
    heatmap_.setInt("uLogScale", grid.log ? 1 : 0);
    heatmap_.setFloat("uLevels", float(levels));
    heatmap_.setFloat("uLineWidth", lineWidth);
    heatmap_.setVec4("uLineColor", 0.08f, 0.08f, 0.08f, 0.5f);
    quad_.draw(gl::Primitive::TriangleStrip);
    return target2d_.texture();
  }

  unsigned render3d(int width, int height, const SurfaceGrid& grid, int levels,
                    const Camera& camera, const std::vector<Path3d>& paths, float pixelWidth) {
    target3d_.resize(width, height);
    if (!target3d_.complete()) return 0;
    const Eigen::Matrix4f vp = viewProjection(camera, float(width) / float(height));
    gl::RenderPass pass(target3d_, {1, 1, 1, 1}, true);
    mesh_.use();
    gl::bindTexture(1, colormap_.id());
    mesh_.setInt("uColormap", 1);
    mesh_.setMat4("uViewProjection", vp.data());
    const Eigen::Vector3f light = Eigen::Vector3f(0.3f, -0.4f, 1.0f).normalized();
    mesh_.setVec3("uLightDirection", light.x(), light.y(), light.z());
    mesh_.setFloat("uLevels", float(levels));
    mesh_.setVec4("uLineColor", 0.05f, 0.05f, 0.05f, 0.35f);
    surfaceMesh_.draw(gl::Primitive::Triangles);

    // Paths and the floor outline as ribbons of constant pixel width, projected here.
    std::vector<float> v;
    auto project = [&](const Eigen::Vector3f& p, Eigen::Vector3f& ndc) {
      const Eigen::Vector4f clip = vp * Eigen::Vector4f(p.x(), p.y(), p.z(), 1.0f);
      if (clip.w() <= 1e-4f) return false;
      ndc = clip.head<3>() / clip.w();
      ndc.z() -= 0.004f; // drawn just in front of the mesh they lie on
      return true;
    };
    auto emit = [&](const Eigen::Vector3f& p, const plot::Color& c) {
      v.insert(v.end(), {p.x(), p.y(), p.z(), c.r, c.g, c.b, c.a});
    };
    const float sx = 2.0f / float(width), sy = 2.0f / float(height);
    auto segment = [&](const Eigen::Vector3f& a3, const Eigen::Vector3f& b3, const plot::Color& c,
                       float w) {
      Eigen::Vector3f a, b;
      if (!project(a3, a) || !project(b3, b)) return;
      float dx = (b.x() - a.x()) / sx, dy = (b.y() - a.y()) / sy;
      const float length = std::hypot(dx, dy);
      if (length < 1e-3f) return;
      dx /= length, dy /= length;
      const Eigen::Vector3f offset(-dy * w / 2 * sx, dx * w / 2 * sy, 0);
      emit(a - offset, c), emit(a + offset, c), emit(b + offset, c);
      emit(a - offset, c), emit(b + offset, c), emit(b - offset, c);
    };
    auto square = [&](const Eigen::Vector3f& p3, const plot::Color& c, float w) {
      Eigen::Vector3f p;
      if (!project(p3, p)) return;
      const float hx = w / 2 * sx, hy = w / 2 * sy;
      const Eigen::Vector3f a = p + Eigen::Vector3f(-hx, -hy, 0),
                            b = p + Eigen::Vector3f(hx, -hy, 0),
                            cc = p + Eigen::Vector3f(hx, hy, 0),
                            d = p + Eigen::Vector3f(-hx, hy, 0);
      emit(a, c), emit(b, c), emit(cc, c), emit(a, c), emit(cc, c), emit(d, c);
    };
    const plot::Color frame{0.35f, 0.35f, 0.35f, 1};
    const Eigen::Vector3f c0 = world(grid, gridBox_.xMin, gridBox_.yMin, 0),
                          c1 = world(grid, gridBox_.xMax, gridBox_.yMin, 0),
                          c2 = world(grid, gridBox_.xMax, gridBox_.yMax, 0),
                          c3 = world(grid, gridBox_.xMin, gridBox_.yMax, 0);
    auto floor = [](Eigen::Vector3f p) { return Eigen::Vector3f(p.x(), p.y(), 0.0f); };
    segment(floor(c0), floor(c1), frame, pixelWidth * 0.6f);
    segment(floor(c1), floor(c2), frame, pixelWidth * 0.6f);
    segment(floor(c2), floor(c3), frame, pixelWidth * 0.6f);
    segment(floor(c3), floor(c0), frame, pixelWidth * 0.6f);
    for (const Path3d& path : paths) {
      const plot::Color dark{0.05f, 0.05f, 0.05f, 1};
      for (size_t i = 1; i < path.points.size(); ++i)
        segment(path.points[i - 1], path.points[i], dark, pixelWidth * 2.0f); // outline
      for (size_t i = 1; i < path.points.size(); ++i)
        segment(path.points[i - 1], path.points[i], path.color, pixelWidth);
      if (path.markers)
        for (const Eigen::Vector3f& p : path.points) square(p, path.color, pixelWidth * 2.2f);
      if (!path.points.empty())
        square(path.points.back(), dark, pixelWidth * 5.0f),
            square(path.points.back(), path.color, pixelWidth * 3.5f);
    }
    if (!v.empty()) {
      pass.setBlend(true);
      pass.setDepthWrite(false);
      overlayMesh_.upload(v.data(), int(v.size() / 7), {3, 4});
      overlay_.use();
      overlayMesh_.draw(gl::Primitive::Triangles);
    }
    return target3d_.texture();
  }

private:
  bool tried_ = false;
  std::string error_;
  gl::ShaderProgram heatmap_, mesh_, overlay_;
  gl::FloatTexture loss_;
  gl::Texture colormap_;
  gl::Mesh quad_, surfaceMesh_, overlayMesh_;
  gl::RenderTarget target2d_, target3d_;
  Box2 gridBox_{};
};

// Draws every primitive of a figure through ImGui, except that the heatmap's image is replaced by
// the shader's render target: axes, ticks, colorbar, paths and legend stay plot/'s.
class ShaderHeatmapCanvas final : public plot::Canvas {
public:
  // `heatmapRect`: where the figure's heatmap lands; other images (the colorbar) pass through.
  ShaderHeatmapCanvas(plot::ImGuiCanvas& inner, ImDrawList* drawList, unsigned texture,
                      plot::Rect heatmapRect)
      : inner_(inner), drawList_(drawList), texture_(texture), heatmapRect_(heatmapRect) {}
  void polyline(const plot::Point* points, int count, float width, plot::Color color,
                plot::LineStyle style, bool closed) override {
    inner_.polyline(points, count, width, color, style, closed);
  }
  void fillRect(plot::Rect rect, plot::Color color) override { inner_.fillRect(rect, color); }
  void strokeRect(plot::Rect rect, float width, plot::Color color) override {
    inner_.strokeRect(rect, width, color);
  }
  void fillCircle(plot::Point center, float radius, plot::Color color) override {
    inner_.fillCircle(center, radius, color);
  }
  void strokeCircle(plot::Point center, float radius, float width, plot::Color color) override {
    inner_.strokeCircle(center, radius, width, color);
  }
  plot::Size measureText(std::string_view text, float size) override {
    return inner_.measureText(text, size);
  }
  void text(plot::Point anchor, std::string_view text, float size, plot::Color color,
            plot::HAlign hAlign, plot::VAlign vAlign, bool rotated) override {
    inner_.text(anchor, text, size, color, hAlign, vAlign, rotated);
  }
  void image(const plot::ImageSource& source, plot::Rect dest, plot::ImageFilter filter) override {
    const bool isHeatmap =
        std::abs(dest.x - heatmapRect_.x) < 1.5f && std::abs(dest.y - heatmapRect_.y) < 1.5f &&
        std::abs(dest.w - heatmapRect_.w) < 1.5f && std::abs(dest.h - heatmapRect_.h) < 1.5f;
    if (texture_ == 0 || !isHeatmap) return inner_.image(source, dest, filter);
    // GL's row 0 is the bottom of the render target: flip v.
    drawList_->AddImage(ImTextureID(intptr_t(texture_)), ImVec2(dest.x, dest.y),
                        ImVec2(dest.right(), dest.bottom()), ImVec2(0, 1), ImVec2(1, 0));
  }
  void pushClip(plot::Rect rect) override { inner_.pushClip(rect); }
  void popClip() override { inner_.popClip(); }

private:
  plot::ImGuiCanvas& inner_;
  ImDrawList* drawList_;
  unsigned texture_;
  plot::Rect heatmapRect_;
};

} // namespace

// ---------------------------------------------------------------------------------------------
// The lab
// ---------------------------------------------------------------------------------------------

namespace {

ImU32 imColor(const plot::Color& c, float alpha = 1.0f) {
  return IM_COL32(int(c.r * 255), int(c.g * 255), int(c.b * 255), int(c.a * alpha * 255));
}

bool overlaps(const plot::Rect& a, const plot::Rect& b) {
  return a.x < b.right() && b.x < a.right() && a.y < b.bottom() && b.y < a.bottom();
}

// What a label on the surface must not cover, in screen pixels: points along the paths, rings,
// arrows, and the labels already placed.
struct LabelObstacles {
  std::vector<ImVec2> points;
  std::vector<plot::Rect> labels;

  // Points every ~3 px from a to b, so a long straight step still blocks the labels it crosses.
  void addSegment(ImVec2 a, ImVec2 b) {
    const int n = std::clamp(int(std::hypot(b.x - a.x, b.y - a.y) / 3.0f), 1, 200);
    for (int k = 0; k <= n; ++k) {
      const float t = float(k) / float(n);
      points.emplace_back(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t);
    }
  }
  bool hits(const plot::Rect& r) const {
    for (const plot::Rect& l : labels)
      if (overlaps(r, l)) return true;
    for (const ImVec2& p : points)
      if (r.contains({p.x, p.y})) return true;
    return false;
  }
};

// An arrow from `from` to `to` (screen pixels) with a head, outlined so it reads on any colour.
// The label sits beyond the head, pushed sideways (`side` = +1 / −1: to one side or the other;
// 0: straight ahead) past its own half-width, so two arrows pointing the same way keep their
// labels apart; it stays inside `bounds` and off the labels in `obstacles` (and off the paths when
// it can), and is added to them.
void drawArrow(ImDrawList* list, ImVec2 from, ImVec2 to, ImU32 color, float thickness,
               const char* label, float side, const plot::Rect& bounds, LabelObstacles& obstacles) {
  const float dx = to.x - from.x, dy = to.y - from.y, length = std::hypot(dx, dy);
  if (length < 1.0f) return;
  const float ux = dx / length, uy = dy / length, head = std::min(length * 0.5f, 4.0f * thickness);
  const ImVec2 left(to.x - ux * head - uy * head * 0.55f, to.y - uy * head + ux * head * 0.55f);
  const ImVec2 right(to.x - ux * head + uy * head * 0.55f, to.y - uy * head - ux * head * 0.55f);
  const ImVec2 neck(to.x - ux * head * 0.8f, to.y - uy * head * 0.8f);
  const ImU32 dark = IM_COL32(20, 20, 20, 230);
  list->AddLine(from, neck, dark, thickness + 2.0f);
  list->AddTriangleFilled(to, left, right, dark);
  list->AddLine(from, neck, color, thickness);
  list->AddTriangleFilled(to, ImVec2(left.x + ux, left.y + uy), ImVec2(right.x + ux, right.y + uy),
                          color);
  obstacles.addSegment(from, to);
  if (!label || !*label) return;
  const float em = ImGui::GetFontSize();
  const ImVec2 size = ImGui::CalcTextSize(label);
  // Half the label's extent along the arrow and across it: the centre goes that far (+ a gap)
  // beyond the head and to the side, so the text clears the shaft and the head.
  const float nx = -uy, ny = ux;
  const float along = std::abs(ux) * size.x / 2 + std::abs(uy) * size.y / 2 + 0.2f * em;
  const float across = std::abs(nx) * size.x / 2 + std::abs(ny) * size.y / 2 + 0.3f * em;
  // Places further out to its side, then on the other side; the first that covers no label and
  // no path, else the first that covers no label, else the nearest.
  auto place = [&](float multiple) {
    const float sideways = (side == 0 ? 1.0f : side) * across * multiple;
    const float cx = to.x + ux * along + nx * sideways, cy = to.y + uy * along + ny * sideways;
    return plot::Rect{std::clamp(cx - size.x / 2, bounds.x + 2, bounds.right() - size.x - 2),
                      std::clamp(cy - size.y / 2, bounds.y + 2, bounds.bottom() - size.y - 2),
                      size.x, size.y};
  };
  const float multiples[] = {1, 2, 3, -1, -2, -3};
  const float centred[] = {0, 1, -1, 2, -2, 3};
  plot::Rect box = place(side == 0 ? 0.0f : 1.0f);
  bool found = false;
  for (int pass = 0; pass < 2 && !found; ++pass)
    for (int k = 0; k < 6 && !found; ++k) {
      const plot::Rect candidate = place(side == 0 ? centred[k] : multiples[k]);
      bool free = true;
      for (const plot::Rect& l : obstacles.labels) free = free && !overlaps(candidate, l);
      if (free && (pass == 1 || !obstacles.hits(candidate))) box = candidate, found = true;
    }
  list->AddText(ImVec2(box.x + 1, box.y + 1), dark, label);
  list->AddText(ImVec2(box.x, box.y), color, label);
  obstacles.labels.push_back(box);
}

class OptimizerLab final : public Lab {
public:
  OptimizerLab() : state_(defaultOptimizerLabState()) { syncExpressionBuffer(); }

  void draw(const LabContext& context) override {
    update(context.messages);
    const float em = ImGui::GetFontSize();
    ImGui::BeginChild("controls",
                      ImVec2(std::min(20 * em, 0.32f * ImGui::GetContentRegionAvail().x), 0));
    drawControls(context);
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("views");
    drawToolbar();
    // The surface is square (equalAspect), so a short wide view wastes its sides while the plots
    // below get squeezed (presentation mode at 1280 × 800: fonts × 1.5, ~600 px left). When the
    // view is wide enough the panels go beside the surface, full height; else below it, never
    // shorter than 12 em (or half the height) so two log-scale plots keep their titles, ticks and
    // axis labels.
    const ImVec2 available = ImGui::GetContentRegionAvail();
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    const float surfaceWidth = std::min(available.y + 2 * em, 0.55f * available.x);
    const bool besides =
        available.x >= 1.25f * available.y && available.x - surfaceWidth - spacing >= 12 * em;
    const float panelHeight = std::min(std::max(12 * em, 0.38f * available.y), 0.5f * available.y);
    const ImVec2 surfaceSize =
        besides ? ImVec2(surfaceWidth, available.y)
                : ImVec2(available.x, std::max(8 * em, available.y - panelHeight));
    if (state_.view3d)
      draw3d(context, surfaceSize);
    else
      draw2d(context, surfaceSize);
    if (besides) ImGui::SameLine();
    ImGui::BeginChild("panels");
    drawBottomPanels(context);
    ImGui::EndChild();
    ImGui::EndChild();
  }

  nlohmann::json saveState() const override { return optimizerLabStateToJson(state_); }

  Status loadState(const nlohmann::json& json) override {
    Status s = optimizerLabStateFromJson(json, state_);
    if (s) {
      playing_ = false;
      panelFromScene_ = true;
      syncExpressionBuffer();
    }
    return s;
  }

  plot::Figure exportFigure() const override {
    Result<std::unique_ptr<Surface>> surface = buildSurface(state_);
    if (!surface) return plot::Figure{};
    const OptimizerLabRuns runs = computeRuns(state_, **surface);
    const SurfaceGrid grid =
        sampleSurface(**surface, viewOf(state_, **surface), 200, state_.logColor);
    return optimizerSurfaceFigure(state_, **surface, runs, grid, true);
  }

private:
  // ---- caches: recomputed only when the part of the state they depend on changed ----

  static std::string surfaceKey(const OptimizerLabState& s) {
    nlohmann::json j = optimizerLabStateToJson(s);
    return nlohmann::json{
        j["surface"],      j["kappa"],
        j["angle"],        j["rosenbrock_a"],
        j["rosenbrock_b"], s.surface == "expression" ? j["expression"] : nlohmann::json()}
        .dump();
  }
  static std::string runsKey(const OptimizerLabState& s, const std::string& surface) {
    nlohmann::json j = optimizerLabStateToJson(s);
    for (nlohmann::json& o : j["optimizers"]) o.erase("shown");
    return surface + nlohmann::json{j["optimizers"], j["shared_lr"], j["lr"],  j["start"],
                                    j["steps"],      j["noise"],     j["seed"]}
                         .dump();
  }

  void update(MessageLog& messages) {
    const std::string sKey = surfaceKey(state_);
    if (sKey != surfaceKey_ || !surface_) {
      Result<std::unique_ptr<Surface>> built = buildSurface(state_);
      if (built) {
        surface_ = std::move(built.value());
      } else if (!surface_) {
        messages.error(built.error().message()); // cannot happen after loadState's checks
        state_ = defaultOptimizerLabState();
        surface_ = std::move(buildSurface(state_).value());
      }
      surfaceKey_ = sKey;
    }
    const std::string rKey = runsKey(state_, sKey);
    if (rKey != runsKey_) {
      ProfileScope profile(ProfileStage::Compute);
      runs_ = computeRuns(state_, *surface_);
      runsKey_ = rKey;
      ++runsVersion_;
    }
    const Box2 box = viewOf(state_, *surface_);
    const std::string gKey = sKey + formatNumber(box.xMin, "%.17g") +
                             formatNumber(box.xMax, "%.17g") + formatNumber(box.yMin, "%.17g") +
                             formatNumber(box.yMax, "%.17g") + (state_.logColor ? "L" : "l");
    if (gKey != gridKey_) {
      ProfileScope profile(ProfileStage::Compute);
      grid_ = sampleSurface(*surface_, box, kGridSize, state_.logColor);
      gridKey_ = gKey;
      ++gridVersion_;
    }
    int maxTaken = 0;
    for (const OptimizerRun& run : runs_.runs) maxTaken = std::max(maxTaken, run.path.stepsTaken());
    maxTaken_ = maxTaken;
    if (playing_) {
      accumulator_ += state_.speed * ImGui::GetIO().DeltaTime;
      const int advance = int(accumulator_);
      accumulator_ -= advance;
      const int current = state_.step < 0 ? maxTaken : state_.step;
      if (current + advance >= maxTaken) {
        state_.step = -1;
        playing_ = false;
      } else {
        state_.step = current + advance;
      }
    }
    if (state_.step > maxTaken) state_.step = -1;
    state_.inspect = std::clamp(state_.inspect, 0, int(state_.optimizers.size()) - 1);
    // What the figures show: the runs, the sampled surface and the display settings.
    displayKey_ = std::to_string(runsVersion_) + "/" + std::to_string(gridVersion_) + "/" +
                  optimizerLabStateToJson(state_).dump();
  }

  void syncExpressionBuffer() {
    std::snprintf(expressionBuffer_, sizeof expressionBuffer_, "%s", state_.expression.c_str());
    expressionError_.reset();
  }

  const std::vector<ScenePreset>& presets() {
    if (!presetsScanned_) {
      presetsScanned_ = true;
      presets_ = findScenePresets("optimizers");
    }
    return presets_;
  }

  // ---- controls ----

  static bool logSlider(const char* id, double& value, double min, double max, const char* format,
                        float width = -1) {
    ImGui::SetNextItemWidth(width);
    return ImGui::SliderScalar(id, ImGuiDataType_Double, &value, &min, &max, format,
                               ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp);
  }
  static bool slider(const char* id, double& value, double min, double max, const char* format) {
    ImGui::SetNextItemWidth(-1);
    return ImGui::SliderScalar(id, ImGuiDataType_Double, &value, &min, &max, format,
                               ImGuiSliderFlags_AlwaysClamp);
  }

  void drawControls(const LabContext& context) {
    ImGui::TextDisabled("PRESET");
    ScenePresetCombo(presets(), "optimizers", state_.title, *this, context.messages);

    ImGui::Spacing();
    ImGui::TextDisabled("SURFACE");
    drawSurfaceControls();

    ImGui::Spacing();
    ImGui::TextDisabled("RUN");
    float start[2] = {float(state_.start.x), float(state_.start.y)};
    ImGui::SetNextItemWidth(-1);
    if (ImGui::DragFloat2("##start", start, 0.01f, -1e5f, 1e5f, "%.3f"))
      state_.start = {start[0], start[1]};
    ImGui::TextDisabled("start (x, y): or click the surface");
    ImGui::SetNextItemWidth(-1);
    ImGui::SliderInt("##steps", &state_.steps, 1, kMaxSteps, "%d steps",
                     ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp);
    slider("##noise", state_.noise, 0.0, 5.0, "gradient noise σ = %.3f");
    if (state_.noise > 0) {
      ImGui::SetNextItemWidth(-1);
      if (ImGui::InputInt("##seed", &state_.seed)) state_.seed = std::max(0, state_.seed);
      ImGui::TextDisabled("noise seed");
    }
    ImGui::Checkbox("One learning rate for all", &state_.sharedLr);
    if (state_.sharedLr) logSlider("##sharedlr", state_.lr, 1e-5, 10.0, "η = %.4g");

    ImGui::Spacing();
    ImGui::TextDisabled("OPTIMIZERS");
    int remove = -1;
    for (size_t i = 0; i < state_.optimizers.size(); ++i) {
      ImGui::PushID(int(i));
      if (drawSlot(int(i), context)) remove = int(i);
      ImGui::PopID();
    }
    if (remove >= 0 && state_.optimizers.size() > 1)
      state_.optimizers.erase(state_.optimizers.begin() + remove);
    if (int(state_.optimizers.size()) < kMaxOptimizers && ImGui::Button("+ Add optimizer")) {
      const OptimizerKind next =
          kAllOptimizerKinds[state_.optimizers.size() % kAllOptimizerKinds.size()];
      state_.optimizers.push_back(makeSlot(next, next == OptimizerKind::AdaGrad ? 0.5 : 0.05));
    }

    ImGui::Spacing();
    ImGui::TextDisabled("DISPLAY");
    ImGui::Checkbox("Log colour scale", &state_.logColor);
    ImGui::SetNextItemWidth(-1);
    ImGui::SliderInt("##levels", &state_.contourLevels, 0, 40, "%d contour bands");
    ImGui::Checkbox("Marker per step", &state_.markers);
    ImGui::Checkbox("Arrows: −∇f, −m̂, step", &state_.arrows);
    const char* corners[] = {"no legend", "legend top right", "legend top left",
                             "legend bottom right", "legend bottom left"};
    int corner = int(state_.legend);
    ImGui::SetNextItemWidth(-1);
    if (ImGui::Combo("##legend", &corner, corners, 5)) state_.legend = plot::LegendCorner(corner);
    if (state_.customView && ImGui::Button("Reset view")) state_.customView = false;
    ImGui::Spacing();
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled("%d × %d steps computed in %.2f ms. Wheel zooms, drag pans the view.",
                        int(state_.optimizers.size()), state_.steps, runs_.milliseconds);
    if (surfacePassMs_ > 0)
      ImGui::TextDisabled("Surface pass %d×%d px: %.2f ms (only when the view changes).",
                          passWidth_, passHeight_, surfacePassMs_);
    if (!gpu_.error().empty())
      ImGui::TextColored(ImVec4(0.9f, 0.3f, 0.25f, 1), "%s", gpu_.error().c_str());
    ImGui::PopTextWrapPos();
  }

  void drawSurfaceControls() {
    std::vector<std::string> ids = surfaceNames();
    std::string current =
        state_.surface == "expression" ? "Your expression f(x, y)" : surface_->title();
    if (state_.surface != "expression") {
      if (auto kind = surfaceKindFromId(state_.surface)) current = std::string(surfaceId(*kind));
    }
    ImGui::SetNextItemWidth(-1);
    if (ImGui::BeginCombo("##surface", current.c_str())) {
      for (const std::string& id : ids)
        if (ImGui::Selectable(id.c_str(), id == state_.surface)) {
          state_.surface = id;
          state_.customView = false;
        }
      if (ImGui::Selectable("Your expression f(x, y)", state_.surface == "expression")) {
        applyExpression();
      }
      ImGui::EndCombo();
    }
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled("%s", surface_->formula().c_str());
    ImGui::PopTextWrapPos();
    if (state_.surface == "quadratic") {
      logSlider("##kappa", state_.params.conditionNumber, 1.0, 1000.0, "condition number κ = %.1f");
      slider("##angle", state_.params.rotationDegrees, -90.0, 90.0, "rotation θ = %.0f°");
    } else if (state_.surface == "rosenbrock") {
      slider("##ra", state_.params.rosenbrockA, -2.0, 2.0, "a = %.2f");
      logSlider("##rb", state_.params.rosenbrockB, 1.0, 1000.0, "b = %.1f");
    }
    ImGui::SetNextItemWidth(-1);
    if (ImGui::InputTextWithHint("##expression", "f(x, y), Enter to apply", expressionBuffer_,
                                 sizeof expressionBuffer_, ImGuiInputTextFlags_EnterReturnsTrue))
      applyExpression();
    if (expressionError_) {
      // The expression with the faulty character in red, then the parser's words.
      const std::string text = expressionBuffer_;
      const int at = std::clamp(expressionError_->position, 0, int(text.size()));
      const ImVec4 red(0.9f, 0.3f, 0.25f, 1);
      ImGui::TextUnformatted(text.substr(0, size_t(at)).c_str());
      ImGui::SameLine(0, 0);
      ImGui::TextColored(red, "%s",
                         at < int(text.size()) ? text.substr(size_t(at), 1).c_str() : "_");
      if (at + 1 < int(text.size())) {
        ImGui::SameLine(0, 0);
        ImGui::TextUnformatted(text.substr(size_t(at) + 1).c_str());
      }
      ImGui::PushTextWrapPos(0);
      ImGui::TextColored(red, "column %d: %s (the previous surface stays)", at + 1,
                         expressionError_->message.c_str());
      ImGui::PopTextWrapPos();
    }
  }

  void applyExpression() {
    if (std::optional<ExpressionError> bad = findExpressionError(expressionBuffer_)) {
      expressionError_ = bad;
      return;
    }
    expressionError_.reset();
    state_.surface = "expression";
    state_.expression = expressionBuffer_;
    state_.customView = false;
  }

  // One optimizer's block; returns true when its "remove" button was pressed.
  bool drawSlot(int index, const LabContext& context) {
    OptimizerSlot& slot = state_.optimizers[size_t(index)];
    const plot::Color color = plot::seriesColor(index);
    const float em = ImGui::GetFontSize();
    ImDrawList* list = ImGui::GetWindowDrawList();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    list->AddRectFilled(ImVec2(p.x, p.y + 0.2f * em),
                        ImVec2(p.x + 0.35f * em, p.y + 2.3f * ImGui::GetFrameHeight()),
                        imColor(color));
    ImGui::Indent(0.6f * em);
    ImGui::Checkbox("##shown", &slot.shown);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(-2.2f * em);
    if (ImGui::BeginCombo("##kind", std::string(optimizerTitle(slot.kind)).c_str())) {
      for (OptimizerKind kind : kAllOptimizerKinds)
        if (ImGui::Selectable(std::string(optimizerTitle(kind)).c_str(), kind == slot.kind)) {
          const double lr = slot.config.lr;
          slot.kind = kind;
          slot.config = defaultOptimizerConfig(kind);
          slot.config.lr = lr;
        }
      ImGui::EndCombo();
    }
    ImGui::SameLine();
    const bool remove = ImGui::Button("×") && state_.optimizers.size() > 1;
    if (!state_.sharedLr) logSlider("##lr", slot.config.lr, 1e-5, 10.0, "η = %.4g");
    const std::string headerId = "details##" + std::to_string(index);
    if (ImGui::TreeNodeEx(headerId.c_str(), ImGuiTreeNodeFlags_SpanAvailWidth, "%s",
                          std::string(optimizerFormula(slot.kind)).c_str())) {
      OptimizerConfig& c = slot.config;
      if (hasMomentumBeta(slot.kind))
        slider("##beta", c.beta, 0.0, 0.999,
               slot.kind == OptimizerKind::RMSProp ? "α = %.3f" : "β = %.3f");
      if (slot.kind == OptimizerKind::Momentum) {
        bool ema = c.momentumForm == MomentumForm::Ema;
        if (ImGui::Checkbox("EMA form m ← βm + (1−β)g", &ema))
          c.momentumForm = ema ? MomentumForm::Ema : MomentumForm::HeavyBall;
        if (ema) ImGui::Checkbox("bias correction m / (1 − βᵗ)", &c.biasCorrection);
      }
      if (isAdamFamily(slot.kind)) {
        slider("##beta1", c.beta1, 0.0, 0.999, "β₁ = %.3f");
        logSlider("##beta2", c.beta2, 0.5, 0.999999, "β₂ = %.6f");
        ImGui::Checkbox("bias correction", &c.biasCorrection);
      }
      if (slot.kind == OptimizerKind::AdamW)
        slider("##wd", c.weightDecay, 0.0, 1.0, "weight decay λ = %.3f");
      if (usesEps(slot.kind)) logSlider("##eps", c.eps, 1e-12, 1e-1, "ε = %.1e");
      char schedule[128];
      std::snprintf(schedule, sizeof schedule, "%s", slot.schedule.c_str());
      ImGui::SetNextItemWidth(-1);
      if (ImGui::BeginCombo("##schedulekind", slot.schedule.c_str())) {
        for (const char* s : {"constant", "inv-sqrt", "step:step_size=50,gamma=0.5",
                              "exponential:gamma=0.99", "cosine", "cosine:warmup=20"})
          if (ImGui::Selectable(s, slot.schedule == s)) slot.schedule = s;
        ImGui::EndCombo();
      }
      ImGui::SetNextItemWidth(-1);
      if (ImGui::InputText("##schedule", schedule, sizeof schedule,
                           ImGuiInputTextFlags_EnterReturnsTrue)) {
        if (Result<Schedule> parsed = parseSchedule(schedule); parsed)
          slot.schedule = schedule;
        else
          context.messages.error(parsed.error().message());
      }
      if (ImGui::Button("Copy as PyTorch")) {
        const std::string snippet = pytorchSnippet(state_, slot);
        ImGui::SetClipboardText(snippet.c_str());
        context.messages.info("copied: " + snippet);
      }
      ImGui::TreePop();
    }
    if (index < int(runs_.runs.size())) {
      const OptimizerRun& run = runs_.runs[size_t(index)];
      ImGui::PushTextWrapPos(0);
      if (!run.error.empty())
        ImGui::TextColored(ImVec4(0.9f, 0.3f, 0.25f, 1), "%s", run.error.c_str());
      else if (run.path.diverged)
        ImGui::TextColored(ImVec4(0.9f, 0.3f, 0.25f, 1), "diverged: %s",
                           run.path.diverged->reason.c_str());
      ImGui::PopTextWrapPos();
    }
    ImGui::Unindent(0.6f * em);
    ImGui::Spacing();
    return remove;
  }

  void drawToolbar() {
    if (ImGui::Button(playing_ ? "Pause" : "Play")) {
      playing_ = !playing_;
      if (playing_ && state_.step < 0) state_.step = 0; // from the end: start over
      accumulator_ = 0;
    }
    ImGui::SameLine();
    if (ImGui::Button("Step")) {
      playing_ = false;
      const int current = state_.step < 0 ? maxTaken_ : state_.step;
      state_.step = current + 1 >= maxTaken_ ? -1 : current + 1;
    }
    ImGui::SameLine();
    if (ImGui::Button("Reset")) {
      playing_ = false;
      state_.step = 0;
    }
    ImGui::SameLine();
    const float em = ImGui::GetFontSize();
    logSlider("##speed", state_.speed, 1.0, 2000.0, "%.0f steps/s", 7 * em);
    ImGui::SameLine();
    // What the 2-D / 3-D radio buttons after it take, so the scrubber keeps the rest.
    const ImGuiStyle& style = ImGui::GetStyle();
    auto radioWidth = [&](const char* label) {
      return ImGui::GetFrameHeight() + style.ItemInnerSpacing.x + ImGui::CalcTextSize(label).x;
    };
    const float radios = radioWidth("2-D") + radioWidth("3-D") + 2 * style.ItemSpacing.x;
    ImGui::SetNextItemWidth(std::max(6 * em, ImGui::GetContentRegionAvail().x - radios));
    int shown = state_.step < 0 ? maxTaken_ : state_.step;
    const std::string scrub = "step %d of " + std::to_string(maxTaken_);
    if (ImGui::SliderInt("##scrubber", &shown, 0, std::max(1, maxTaken_), scrub.c_str())) {
      playing_ = false;
      state_.step = shown >= maxTaken_ ? -1 : shown;
    }
    ImGui::SameLine();
    int mode = state_.view3d ? 1 : 0;
    ImGui::RadioButton("2-D", &mode, 0);
    ImGui::SameLine();
    ImGui::RadioButton("3-D", &mode, 1);
    state_.view3d = mode == 1;
  }

  // ---- the 2-D view ----

  // The GPU's copy of the sampled surface follows grid_ (uploaded once per change).
  bool gpuReady(MessageLog& messages) {
    if (!gpu_.ready(messages)) return false;
    if (uploadedGridVersion_ != gridVersion_) {
      gpu_.uploadGrid(grid_);
      uploadedGridVersion_ = gridVersion_;
    }
    return true;
  }

  void draw2d(const LabContext& context, ImVec2 size) {
    const bool gpuOk = gpuReady(context.messages);
    if (displayKey_ != figureKey_) {
      ProfileScope profile(ProfileStage::Compute);
      // On screen the shader draws the heatmap and contours; the figure keeps a 2 × 2 stand-in
      // with the same colour range, so the layout reserves the colorbar and draws it.
      SurfaceGrid standIn = grid_;
      if (gpuOk) standIn.n = 2, standIn.values.assign(4, float(grid_.fmin));
      figure_ = optimizerSurfaceFigure(state_, *surface_, runs_, standIn, !gpuOk, true);
      figureKey_ = displayKey_;
    }
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    ImGui::InvisibleButton("##surface", size);
    const bool hovered = ImGui::IsItemHovered();
    ImDrawList* list = ImGui::GetWindowDrawList();
    plot::ImGuiCanvas inner(list, ImGui::GetFont(), &fallbackTextures_,
                            ImGui::GetID("##surfacefig"), ImGui::GetFrameCount());
    const plot::Rect area{origin.x, origin.y, size.x, size.y};
    const plot::FigureLayout layout = plot::layoutFigure(figure_, inner, area, context.plotStyle);
    unsigned texture = 0;
    const Box2 box = grid_.box;
    const float x0 = layout.x.toCanvas(box.xMin), x1 = layout.x.toCanvas(box.xMax);
    const float y0 = layout.y.toCanvas(box.yMax), y1 = layout.y.toCanvas(box.yMin);
    if (gpuOk && layout.error.empty()) {
      const ImVec2 scale = ImGui::GetIO().DisplayFramebufferScale;
      const int w = std::max(1, int(std::lround((x1 - x0) * scale.x)));
      const int h = std::max(1, int(std::lround((y1 - y0) * scale.y)));
      const std::string passKey = std::to_string(gridVersion_) + "/" + std::to_string(w) + "x" +
                                  std::to_string(h) + "/" + std::to_string(state_.contourLevels) +
                                  "/" + std::to_string(context.plotStyle.scale);
      if (passKey != passKey_) {
        const auto begin = std::chrono::steady_clock::now();
        texture_ =
            gpu_.renderHeatmap(w, h, grid_, state_.contourLevels, 1.1f * context.plotStyle.scale);
        gl::finish(); // so the time below is the pass's, not just its submission
        surfacePassMs_ =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin)
                .count();
        passWidth_ = w, passHeight_ = h;
        passKey_ = passKey;
      }
      texture = texture_;
    }
    ShaderHeatmapCanvas canvas(inner, list, texture, plot::Rect{x0, y0, x1 - x0, y1 - y0});
    list->PushClipRect(origin, ImVec2(origin.x + size.x, origin.y + size.y), true);
    const plot::FigureLayout drawn = plot::drawFigure(figure_, canvas, area, context.plotStyle);
    if (drawn.error.empty()) {
      LabelObstacles obstacles = pathObstacles(drawn, context.plotStyle.scale);
      drawStartLabel(list, drawn, obstacles, context.plotStyle);
      if (state_.arrows) drawArrows(list, drawn, obstacles);
    }
    list->PopClipRect();
    if (ImGui::GetFrameCount() % 120 == 0) fallbackTextures_.collect(ImGui::GetFrameCount());
    handleSurfaceMouse(drawn, hovered);
    drawExportPopup(context);
  }

  void handleSurfaceMouse(const plot::FigureLayout& layout, bool hovered) {
    if (!layout.error.empty()) return;
    const ImGuiIO& io = ImGui::GetIO();
    const ImVec2 mouse = io.MousePos;
    const bool inPlot = hovered && layout.plot.contains({mouse.x, mouse.y});
    const Box2 box = viewOf(state_, *surface_);
    if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 4.0f)) {
      // Pan: the view follows the mouse.
      const ImVec2 delta = io.MouseDelta;
      const double dx = -delta.x * (box.xMax - box.xMin) / (layout.x.p1 - layout.x.p0);
      const double dy = -delta.y * (box.yMax - box.yMin) / (layout.y.p1 - layout.y.p0);
      state_.view = {box.xMin + dx, box.xMax + dx, box.yMin + dy, box.yMax + dy};
      state_.customView = true;
      dragged_ = true;
    }
    if (ImGui::IsItemDeactivated()) {
      if (!dragged_ && layout.plot.contains({mouse.x, mouse.y}))
        state_.start = {layout.x.toData(mouse.x), layout.y.toData(mouse.y)};
      dragged_ = false;
    }
    if (!inPlot) return;
    const double x = layout.x.toData(mouse.x), y = layout.y.toData(mouse.y);
    if (io.MouseWheel != 0) {
      const double factor = std::pow(0.85, io.MouseWheel);
      state_.view = {x + (box.xMin - x) * factor, x + (box.xMax - x) * factor,
                     y + (box.yMin - y) * factor, y + (box.yMax - y) * factor};
      state_.customView = true;
    }
    if (!ImGui::IsItemActive())
      ImGui::SetTooltip("x = %.4g, y = %.4g\nf = %.6g\nclick: start here", x, y,
                        surface_->value({x, y}));
  }

  // The shown paths (every drawn segment), their current points and the minima, in pixels.
  // plotScale: PlotStyle::scale, which sizes the rings (5 px × scale, plot/draw_figure.cpp).
  LabelObstacles pathObstacles(const plot::FigureLayout& layout, float plotScale) const {
    LabelObstacles obstacles;
    auto toScreen = [&](Vec2 p) { return ImVec2(layout.x.toCanvas(p.x), layout.y.toCanvas(p.y)); };
    const float ring = 7.0f * plotScale;
    auto addRing = [&](ImVec2 c) {
      for (float dx : {-ring, 0.0f, ring})
        for (float dy : {-ring, 0.0f, ring}) obstacles.points.emplace_back(c.x + dx, c.y + dy);
    };
    for (size_t i = 0; i < state_.optimizers.size() && i < runs_.runs.size(); ++i) {
      const Trajectory& path = runs_.runs[i].path;
      if (!state_.optimizers[i].shown || path.points.empty()) continue;
      const int n = shownSteps(state_, path);
      for (int t = 1; t <= n; ++t) {
        Vec2 a = path.points[size_t(t - 1)], b = path.points[size_t(t)];
        if (clipSegment(a, b, grid_.box)) obstacles.addSegment(toScreen(a), toScreen(b));
      }
      if (grid_.box.contains(path.points[size_t(n)])) addRing(toScreen(path.points[size_t(n)]));
    }
    for (const Vec2& m : surface_->minima())
      if (grid_.box.contains(m)) addRing(toScreen(m));
    return obstacles;
  }

  // "start" beside the start ring, at the first free corner (above right, above left, below
  // right, below left, then right, left, above, below), inside the plot box or overlapping its
  // frame by at most a quarter of the text's height (a start near the top edge); left out when
  // every place is taken: the black ring alone still marks the start. Placed before the arrows,
  // whose labels then keep clear of it.
  void drawStartLabel(ImDrawList* list, const plot::FigureLayout& layout, LabelObstacles& obstacles,
                      const plot::PlotStyle& style) const {
    if (!grid_.box.contains(state_.start)) return;
    const ImVec2 c(layout.x.toCanvas(state_.start.x), layout.y.toCanvas(state_.start.y));
    const float size = style.annotationSize * style.scale;
    const char* text = "start";
    const ImVec2 ts = ImGui::GetFont()->CalcTextSizeA(size, FLT_MAX, 0.0f, text);
    // Diagonal places clear the ring (radius 5 px × scale) at its 45° point; straight ones
    // clear it fully.
    const float ring = 5.0f * style.scale, diagonal = 0.75f * ring + 1, off = ring + 2;
    const float pad = 2.0f * style.scale;
    const float w = ts.x + 2 * pad, h = ts.y, slack = 0.25f * h;
    const float middleX = c.x - w / 2, middleY = c.y - h / 2;
    const ImVec2 candidates[] = {{c.x + diagonal, c.y - diagonal - h},
                                 {c.x - diagonal - w, c.y - diagonal - h},
                                 {c.x + diagonal, c.y + diagonal},
                                 {c.x - diagonal - w, c.y + diagonal},
                                 {c.x + off, middleY},
                                 {c.x - off - w, middleY},
                                 {middleX, c.y - off - h},
                                 {middleX, c.y + off}};
    for (const ImVec2& at : candidates) {
      const plot::Rect box{at.x, at.y, w, h};
      if (box.x < layout.plot.x || box.right() > layout.plot.right() ||
          box.y < layout.plot.y - slack || box.bottom() > layout.plot.bottom() + slack ||
          obstacles.hits(box))
        continue;
      list->AddRectFilled(ImVec2(box.x, box.y), ImVec2(box.right(), box.bottom()),
                          IM_COL32(255, 255, 255, 178));
      list->AddText(ImGui::GetFont(), size, ImVec2(box.x + pad, box.y), IM_COL32(13, 13, 13, 255),
                    text);
      obstacles.labels.push_back(box);
      return;
    }
  }

  // −∇f and −m (directions, one length) and the actual step (to scale) where the inspected
  // optimizer is now.
  void drawArrows(ImDrawList* list, const plot::FigureLayout& layout, LabelObstacles& obstacles) {
    if (!layout.error.empty() || state_.inspect >= int(runs_.runs.size())) return;
    const OptimizerSlot& slot = state_.optimizers[size_t(state_.inspect)];
    const Trajectory& path = runs_.runs[size_t(state_.inspect)].path;
    if (!slot.shown || path.state.empty()) return;
    const int n = shownSteps(state_, path);
    const int k = std::min(n, path.stepsTaken() - 1); // the step that leaves θ_k
    const OptimizerState& s = path.state[size_t(k)];
    const Vec2 origin = path.points[size_t(k)];
    const ImVec2 o(layout.x.toCanvas(origin.x), layout.y.toCanvas(origin.y));
    if (!layout.plot.contains({o.x, o.y})) return;
    list->PushClipRect(ImVec2(layout.plot.x, layout.plot.y),
                       ImVec2(layout.plot.right(), layout.plot.bottom()), true);
    const float sx = (layout.x.p1 - layout.x.p0) / float(layout.x.max - layout.x.min);
    const float sy = (layout.y.p1 - layout.y.p0) / float(layout.y.max - layout.y.min);
    const float length = 3.0f * ImGui::GetFontSize();
    auto direction = [&](Vec2 d) {
      const float px = float(d.x) * sx, py = float(d.y) * sy, l = std::hypot(px, py);
      return l > 0 && std::isfinite(l) ? ImVec2(o.x + px / l * length, o.y + py / l * length) : o;
    };
    const float thick = 2.0f * ImGui::GetFontSize() / 13.0f;
    drawArrow(list, o, direction(-1.0 * s.gradient), IM_COL32(255, 255, 255, 255), thick, "−∇f",
              1.0f, layout.plot, obstacles);
    Result<std::unique_ptr<Optimizer>> optimizer =
        makeOptimizer(slot.kind, effectiveConfig(state_, slot));
    if (optimizer && (*optimizer)->fields().m)
      drawArrow(list, o, direction(-1.0 * s.mHat), IM_COL32(255, 170, 220, 255), thick, "−m̂", -1.0f,
                layout.plot, obstacles);
    // The step to scale, but never longer than the plot (a diverging step may be 1e6 long).
    ImVec2 to(o.x + float(s.step.x) * sx, o.y + float(s.step.y) * sy);
    const float stepLength = std::hypot(to.x - o.x, to.y - o.y),
                cap = std::max(layout.plot.w, layout.plot.h);
    if (!std::isfinite(stepLength))
      to = o;
    else if (stepLength > cap)
      to = ImVec2(o.x + (to.x - o.x) * cap / stepLength, o.y + (to.y - o.y) * cap / stepLength);
    drawArrow(list, o, to, imColor(plot::seriesColor(state_.inspect)), thick * 1.3f, "step", 0.0f,
              layout.plot, obstacles);
    list->PopClipRect();
  }

  void drawExportPopup(const LabContext& context) {
    if (!ImGui::BeginPopupContextItem("##surfaceexport")) return;
    ImGui::TextUnformatted("Export this figure (heatmap, contours, paths) to exports/");
    for (const char* extension : {".pdf", ".svg", ".png", ".csv"}) {
      const std::string label = std::string("Export ") + (extension + 1);
      if (ImGui::Button(label.c_str())) {
        std::error_code ec;
        std::filesystem::create_directories("exports", ec);
        const std::string path = "exports/" + plot::exportFileStem(figure_.title) + extension;
        const Status s = plot::exportFigure(exportFigure(), path, plot::ExportOptions{});
        if (s)
          context.messages.info("wrote " + path);
        else
          context.messages.error(s.error().message());
        ImGui::CloseCurrentPopup();
      }
      ImGui::SameLine();
    }
    ImGui::NewLine();
    ImGui::EndPopup();
  }

  // ---- the 3-D view ----

  void draw3d(const LabContext& context, ImVec2 size) {
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    ImGui::InvisibleButton("##mesh", size);
    const ImGuiIO& io = ImGui::GetIO();
    if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 1.0f)) {
      state_.yaw -= io.MouseDelta.x * 0.4f;
      state_.pitch = std::clamp(state_.pitch + io.MouseDelta.y * 0.4f, -5.0f, 89.0f);
    }
    if (ImGui::IsItemHovered() && io.MouseWheel != 0)
      state_.zoom = std::clamp(state_.zoom * std::pow(1.12f, io.MouseWheel), 0.3f, 4.0f);
    ImDrawList* list = ImGui::GetWindowDrawList();
    if (!gpuReady(context.messages)) {
      list->AddText(origin, IM_COL32(220, 60, 50, 255), gpu_.error().c_str());
      return;
    }
    std::vector<Path3d> paths;
    for (size_t i = 0; i < state_.optimizers.size() && i < runs_.runs.size(); ++i) {
      const Trajectory& path = runs_.runs[i].path;
      if (!state_.optimizers[i].shown || path.points.empty()) continue;
      Path3d p;
      p.color = plot::seriesColor(int(i));
      const int n = shownSteps(state_, path);
      p.markers = state_.markers && n <= 400;
      for (int t = 0; t <= n; ++t) {
        const Vec2 q = path.points[size_t(t)];
        if (!grid_.box.contains(q)) break; // a path leaving the view ends at the edge
        p.points.push_back(SurfaceGpu::world(grid_, q.x, q.y, path.loss[size_t(t)]) +
                           Eigen::Vector3f(0, 0, 0.01f));
      }
      paths.push_back(std::move(p));
    }
    const ImVec2 scale = io.DisplayFramebufferScale;
    const int w = std::max(1, int(size.x * scale.x)), h = std::max(1, int(size.y * scale.y));
    const unsigned texture = gpu_.render3d(w, h, grid_, state_.contourLevels,
                                           Camera{state_.yaw, state_.pitch, state_.zoom}, paths,
                                           2.0f * context.plotStyle.scale * scale.x);
    list->AddImage(ImTextureID(intptr_t(texture)), origin,
                   ImVec2(origin.x + size.x, origin.y + size.y), ImVec2(0, 1), ImVec2(1, 0));
    // Title, how to move the camera and the legend as text over the image, kept inside it (the
    // panels may sit just right of it).
    const float em = ImGui::GetFontSize();
    list->PushClipRect(origin, ImVec2(origin.x + size.x, origin.y + size.y), true);
    const std::string title = state_.title.empty() ? surface_->title() : state_.title;
    list->AddText(ImVec2(origin.x + 0.5f * em, origin.y + 0.3f * em), IM_COL32(30, 30, 30, 255),
                  title.c_str());
    list->AddText(ImVec2(origin.x + 0.5f * em, origin.y + 1.5f * em), IM_COL32(90, 90, 90, 255),
                  "3-D: drag to orbit, wheel to zoom");
    float y = origin.y + 2.8f * em;
    for (size_t i = 0; i < state_.optimizers.size(); ++i) {
      if (!state_.optimizers[i].shown) continue;
      list->AddRectFilled(ImVec2(origin.x + 0.5f * em, y + 0.25f * em),
                          ImVec2(origin.x + 1.3f * em, y + 0.85f * em),
                          imColor(plot::seriesColor(int(i))));
      list->AddText(ImVec2(origin.x + 1.6f * em, y), IM_COL32(30, 30, 30, 255),
                    slotLabel(state_, state_.optimizers[i]).c_str());
      y += 1.2f * em;
    }
    list->PopClipRect();
  }

  // ---- below: loss, inspector, rate map ----

  void drawBottomPanels(const LabContext& context) {
    if (!ImGui::BeginTabBar("##panels")) return;
    const bool force = panelFromScene_;
    panelFromScene_ = false;
    // Short names in the narrow column beside the surface; "###id" keeps the selected tab when
    // the layout switches.
    const bool narrow = ImGui::GetContentRegionAvail().x < 30 * ImGui::GetFontSize();
    auto tab = [&](const char* label, const char* shortLabel, const char* id) {
      const ImGuiTabItemFlags flags =
          force && state_.panel == id ? ImGuiTabItemFlags_SetSelected : 0;
      const std::string name = std::string(narrow ? shortLabel : label) + "###" + id;
      const bool open = ImGui::BeginTabItem(name.c_str(), nullptr, flags);
      if (open && !force) state_.panel = id;
      return open;
    };
    if (tab("Loss and distance", "Loss", "loss")) {
      drawLossPanel(context);
      ImGui::EndTabItem();
    }
    if (tab("Inspector: m, v, m̂, v̂", "Inspector", "inspector")) {
      drawInspector(context);
      ImGui::EndTabItem();
    }
    if (tab("Momentum rate map", "Rate map", "rate")) {
      drawRateMap(context);
      ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
  }

  void drawLossPanel(const LabContext& context) {
    const ImVec2 available = ImGui::GetContentRegionAvail();
    // Beside each other below the surface; one above the other in a column beside it, where a
    // plot is short and narrow: there the y labels drop "(log scale)" (the ticks say it), else
    // the rotated label runs past the plot into the title, and the long title gets shorter.
    const bool stacked = isTall(available);
    const std::string key = displayKey_ + (stacked ? "/stacked" : "/wide");
    if (lossKey_ != key) {
      ProfileScope profile(ProfileStage::Compute);
      lossFigure_ =
          optimizerLossFigure(state_, runs_, grid_.fmin - 0.5 * (grid_.fmax - grid_.fmin));
      distanceFigure_ = optimizerDistanceFigure(state_, runs_);
      if (stacked) {
        for (plot::Figure* figure : {&lossFigure_, &distanceFigure_}) {
          std::string& label = figure->yAxis.label;
          const size_t at = label.find(" (log scale)");
          if (at != std::string::npos) label.erase(at, std::string(" (log scale)").size());
        }
        distanceFigure_.title = "Distance to nearest minimum";
      }
      lossKey_ = key;
    }
    const bool minima = !surface_->minima().empty();
    const ImVec2 spacing = ImGui::GetStyle().ItemSpacing;
    ImVec2 size = available;
    if (minima && stacked) size.y = 0.5f * (available.y - spacing.y);
    if (minima && !stacked) size.x = 0.5f * (available.x - spacing.x);
    plot::PlotFigure("loss", lossFigure_, size, context.plotStyle);
    if (minima) {
      if (!stacked) ImGui::SameLine();
      plot::PlotFigure("distance", distanceFigure_, size, context.plotStyle);
    }
  }

  // A panel region taller than wide (the column beside the surface) stacks its parts.
  static bool isTall(ImVec2 available) { return available.y > 1.1f * available.x; }

  void drawInspector(const LabContext& context) {
    const float em = ImGui::GetFontSize();
    const ImVec2 available = ImGui::GetContentRegionAvail();
    const bool stacked = isTall(available);
    ImGui::BeginChild("inspectortable", stacked ? ImVec2(0, 0.55f * available.y)
                                                : ImVec2(std::min(26 * em, 0.5f * available.x), 0));
    std::vector<std::string> names;
    for (const OptimizerSlot& slot : state_.optimizers) names.push_back(slotLabel(state_, slot));
    ImGui::SetNextItemWidth(-1);
    if (ImGui::BeginCombo("##inspect", names[size_t(state_.inspect)].c_str())) {
      for (size_t i = 0; i < names.size(); ++i)
        if (ImGui::Selectable(names[i].c_str(), int(i) == state_.inspect)) state_.inspect = int(i);
      ImGui::EndCombo();
    }
    const Trajectory& path = runs_.runs[size_t(state_.inspect)].path;
    if (path.state.empty()) {
      ImGui::TextDisabled("no steps");
      ImGui::EndChild();
      return;
    }
    state_.inspectStep = std::clamp(state_.inspectStep, 1, path.stepsTaken());
    ImGui::SetNextItemWidth(-1);
    ImGui::SliderInt("##inspectstep", &state_.inspectStep, 1, std::max(1, path.stepsTaken()),
                     "step t = %d");
    const OptimizerState& s = path.state[size_t(state_.inspectStep - 1)];
    const OptimizerSlot& slot = state_.optimizers[size_t(state_.inspect)];
    Result<std::unique_ptr<Optimizer>> optimizer =
        makeOptimizer(slot.kind, effectiveConfig(state_, slot));
    const OptimizerFields fields = optimizer ? (*optimizer)->fields() : OptimizerFields{};
    if (ImGui::BeginTable("state", 3, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg)) {
      ImGui::TableSetupColumn("quantity", ImGuiTableColumnFlags_WidthStretch, 2.2f);
      ImGui::TableSetupColumn("x", ImGuiTableColumnFlags_WidthStretch, 1.0f);
      ImGui::TableSetupColumn("y", ImGuiTableColumnFlags_WidthStretch, 1.0f);
      ImGui::TableHeadersRow();
      auto row = [](const char* name, Vec2 v) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(name);
        ImGui::TableNextColumn();
        ImGui::Text("%.5g", v.x);
        ImGui::TableNextColumn();
        ImGui::Text("%.5g", v.y);
      };
      row("θ before step t", path.points[size_t(state_.inspectStep - 1)]);
      row("gradient g_t", s.gradient);
      if (fields.m) row("m_t", s.m);
      if (fields.mHat) row("m̂_t = m_t / (1 − β₁ᵗ)", s.mHat);
      if (fields.v) row(slot.kind == OptimizerKind::AdaGrad ? "G_t = Σ g²" : "v_t", s.v);
      if (fields.vHat) row("v̂_t = v_t / (1 − β₂ᵗ)", s.vHat);
      if (fields.vMax) row("v_max", s.vMax);
      row("effective rate", s.effectiveLr);
      row("actual step", s.step);
      ImGui::EndTable();
    }
    ImGui::Text("η_t = %.5g (schedule %s)", s.lr, slot.schedule.c_str());
    ImGui::EndChild();
    if (!stacked) ImGui::SameLine();
    if (inspectorKey_ != displayKey_) {
      inspectorFigure_ = biasCorrectionFigure(path, slot);
      inspectorKey_ = displayKey_;
    }
    plot::PlotFigure("biascorrection", inspectorFigure_, ImVec2(0, 0), context.plotStyle);
  }

  // m_t against m̂_t (and the gradient) over the first steps, x coordinate: m starts at (1 − β₁)g,
  // ten times too small for β₁ = 0.9, and m̂ = m / (1 − β₁ᵗ) undoes exactly that shrinkage.
  plot::Figure biasCorrectionFigure(const Trajectory& path, const OptimizerSlot& slot) const {
    plot::Figure fig;
    fig.title =
        std::string(optimizerTitle(slot.kind)) + ": what bias correction fixes (x coordinate)";
    fig.xAxis.label = "step t";
    fig.yAxis.label = "value";
    fig.legend = plot::LegendCorner::TopRight;
    const int n = std::min(path.stepsTaken(), 25);
    plot::LineSeries g, m, mHat;
    g.label = "gradient g_t", m.label = "m_t (biased towards 0)",
    mHat.label = "m̂_t = m_t / (1 − β₁ᵗ)";
    g.color = plot::Color{0.5f, 0.5f, 0.5f, 1}, g.style = plot::LineStyle::Dashed;
    m.color = plot::seriesColor(1), mHat.color = plot::seriesColor(5);
    m.markers = mHat.markers = true;
    // m̂ from m whether or not this optimizer applies the correction, so the figure shows what
    // the correction would do: m is the same moving average either way.
    const double beta1 =
        slot.kind == OptimizerKind::Momentum ? slot.config.beta : slot.config.beta1;
    const bool emaMomentum =
        isAdamFamily(slot.kind) ||
        (slot.kind == OptimizerKind::Momentum && slot.config.momentumForm == MomentumForm::Ema);
    for (int t = 1; t <= n; ++t) {
      const OptimizerState& s = path.state[size_t(t - 1)];
      g.x.push_back(t), g.y.push_back(s.gradient.x);
      m.x.push_back(t), m.y.push_back(s.m.x);
      mHat.x.push_back(t), mHat.y.push_back(s.m.x / (1 - std::pow(beta1, t)));
    }
    fig.lines = {g, m, mHat};
    if (!emaMomentum)
      fig.title = std::string(optimizerTitle(slot.kind)) +
                  ": no averaged first moment (pick Adam or EMA momentum)";
    return fig;
  }

  void drawRateMap(const LabContext& context) {
    if (state_.surface != "quadratic") {
      ImGui::TextWrapped(
          "The convergence-rate map is for momentum on the quadratic bowl (pick the "
          "surface \"quadratic\"): there the rate is exact, from the iteration matrix.");
      return;
    }
    // Follow the inspected optimizer when it is momentum, else the first momentum slot.
    const OptimizerSlot* momentum = nullptr;
    if (state_.optimizers[size_t(state_.inspect)].kind == OptimizerKind::Momentum)
      momentum = &state_.optimizers[size_t(state_.inspect)];
    for (const OptimizerSlot& slot : state_.optimizers)
      if (!momentum && slot.kind == OptimizerKind::Momentum) momentum = &slot;
    const MomentumForm form = momentum ? momentum->config.momentumForm : MomentumForm::HeavyBall;
    const OptimizerConfig current =
        momentum ? effectiveConfig(state_, *momentum) : OptimizerConfig{};
    const float em = ImGui::GetFontSize();
    const ImVec2 available = ImGui::GetContentRegionAvail();
    const bool stacked = isTall(available);
    const std::string key =
        formatNumber(state_.params.conditionNumber) + (form == MomentumForm::Ema ? "e" : "h") +
        (momentum ? formatNumber(current.lr) + "," + formatNumber(current.beta) : "-") +
        (stacked ? "/stacked" : "/wide");
    if (key != rateKey_) {
      rateFigure_ =
          momentumRateFigure(momentumRateMap(state_.params.conditionNumber, form, 160, 220),
                             state_.params.conditionNumber, form, momentum ? &current : nullptr);
      if (stacked) { // a narrow column: a title and colorbar label that fit it
        rateFigure_.title = std::string(form == MomentumForm::Ema ? "EMA" : "Heavy-ball") +
                            " momentum, κ = " + formatNumber(state_.params.conditionNumber);
        if (rateFigure_.heatmap) rateFigure_.heatmap->colorbarLabel = "ρ per step";
      }
      rateKey_ = key;
    }
    plot::PlotFigure("ratemap", rateFigure_,
                     stacked ? ImVec2(0, available.y - std::min(9 * em, 0.4f * available.y))
                             : ImVec2(available.x - std::min(18 * em, 0.3f * available.x), 0),
                     context.plotStyle);
    if (!stacked) ImGui::SameLine();
    ImGui::BeginChild("rateinfo");
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted("ρ = spectral radius of the 2 × 2 iteration matrix of (θ, m) along each "
                           "Hessian eigenvector (λ = 1 and λ = κ), the worse of the two. Computed "
                           "from the matrix, not from trajectories: the error shrinks like ρᵗ.");
    if (momentum)
      ImGui::Text("Current: η = %.4g, β = %.3f → ρ = %.4f", current.lr, current.beta,
                  momentumRate(current.lr, current.beta, state_.params.conditionNumber, form));
    else
      ImGui::TextDisabled("Add a Momentum optimizer to mark its setting.");
    ImGui::PopTextWrapPos();
    ImGui::EndChild();
  }

  OptimizerLabState state_;
  // Caches and their keys.
  std::unique_ptr<Surface> surface_;
  std::string surfaceKey_, runsKey_, gridKey_, displayKey_, figureKey_, passKey_, lossKey_,
      inspectorKey_, rateKey_;
  OptimizerLabRuns runs_;
  SurfaceGrid grid_;
  int runsVersion_ = 0, gridVersion_ = 0, uploadedGridVersion_ = -1, maxTaken_ = 0;
  plot::Figure figure_, lossFigure_, distanceFigure_, inspectorFigure_, rateFigure_;
  // GPU (created on the first draw).
  SurfaceGpu gpu_;
  plot::TextureCache fallbackTextures_; // the CPU heatmap when the shaders fail
  unsigned texture_ = 0;
  double surfacePassMs_ = 0;
  int passWidth_ = 0, passHeight_ = 0;
  // Interaction.
  bool playing_ = false, dragged_ = false, panelFromScene_ = true;
  double accumulator_ = 0;
  char expressionBuffer_[256] = {};
  std::optional<ExpressionError> expressionError_;
  bool presetsScanned_ = false;
  std::vector<ScenePreset> presets_;
};

} // namespace

std::unique_ptr<Lab> createOptimizerLab() {
  return std::make_unique<OptimizerLab>();
}

} // namespace nnlab::app
