#include "nnlab/schedules.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "nnlab/named_spec.h"

namespace nnlab {

namespace {

constexpr double kPi = 3.14159265358979323846;

constexpr std::array<std::string_view, 5> kIds = {"constant", "step", "exponential", "inv-sqrt",
                                                  "cosine"};

double defaultGamma(ScheduleKind kind) {
  return kind == ScheduleKind::Exponential ? 0.99 : 0.5;
}

std::string formatNumber(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.15g", v);
  return buffer;
}

// A count key (step_size, t_max, warmup) must be a whole number in [minimum, 10⁹].
Result<int> wholeNumber(const NamedSpec& spec, std::string_view key, int fallback, int minimum) {
  const double v = spec.get(key, fallback);
  if (!(v >= minimum && v <= 1e9 && v == std::floor(v)))
    return Error{"schedule", "key '" + std::string(key) + "' must be a whole number ≥ " +
                                 std::to_string(minimum) + " (got " + formatNumber(v) + ")"};
  return static_cast<int>(v);
}

} // namespace

double Schedule::learningRate(double baseLr, int t, int totalSteps) const {
  if (warmupSteps > 0) {
    if (t <= warmupSteps) return baseLr * t / warmupSteps;
    t -= warmupSteps;
    totalSteps -= warmupSteps;
  }
  const int k = t - 1; // scheduler.step() calls before this update
  switch (kind) {
  case ScheduleKind::Constant: return baseLr;
  case ScheduleKind::StepDecay: return baseLr * std::pow(gamma, k / stepSize);
  case ScheduleKind::Exponential: return baseLr * std::pow(gamma, k);
  case ScheduleKind::InverseSqrt: return baseLr / std::sqrt(static_cast<double>(t));
  case ScheduleKind::Cosine: {
    const int period = tMax > 0 ? tMax : std::max(totalSteps, 1);
    const double progress = static_cast<double>(std::min(k, period)) / period;
    return etaMin + (baseLr - etaMin) * (1 + std::cos(kPi * progress)) / 2;
  }
  }
  return baseLr;
}

std::string Schedule::toString() const {
  std::string keys;
  auto add = [&keys](std::string_view key, double v) {
    keys += (keys.empty() ? ":" : ",") + std::string(key) + "=" + formatNumber(v);
  };
  if (kind == ScheduleKind::StepDecay && stepSize != 100) add("step_size", stepSize);
  if ((kind == ScheduleKind::StepDecay || kind == ScheduleKind::Exponential) &&
      gamma != defaultGamma(kind))
    add("gamma", gamma);
  if (kind == ScheduleKind::Cosine && tMax != 0) add("t_max", tMax);
  if (kind == ScheduleKind::Cosine && etaMin != 0) add("eta_min", etaMin);
  if (warmupSteps != 0) add("warmup", warmupSteps);
  return std::string(scheduleId(kind)) + keys;
}

std::string_view scheduleId(ScheduleKind kind) {
  return kIds[static_cast<int>(kind)];
}

std::vector<std::string> scheduleNames() {
  return {kIds.begin(), kIds.end()};
}

Result<Schedule> parseSchedule(std::string_view text) {
  Result<NamedSpec> parsed = parseNamedSpec(text, "schedule");
  if (!parsed) return parsed.error();
  const NamedSpec& spec = parsed.value();

  Schedule schedule;
  Status keys = Status::success();
  if (spec.name == "constant" || spec.name == "warmup") {
    keys = requireKnownKeys(spec, {"warmup"}, "schedule");
  } else if (spec.name == "step") {
    schedule.kind = ScheduleKind::StepDecay;
    keys = requireKnownKeys(spec, {"step_size", "gamma", "warmup"}, "schedule");
  } else if (spec.name == "exponential") {
    schedule.kind = ScheduleKind::Exponential;
    keys = requireKnownKeys(spec, {"gamma", "warmup"}, "schedule");
  } else if (spec.name == "inv-sqrt") {
    schedule.kind = ScheduleKind::InverseSqrt;
    keys = requireKnownKeys(spec, {"warmup"}, "schedule");
  } else if (spec.name == "cosine") {
    schedule.kind = ScheduleKind::Cosine;
    keys = requireKnownKeys(spec, {"t_max", "eta_min", "warmup"}, "schedule");
  } else {
    return Error{"schedule",
                 "unknown schedule '" + spec.name +
                     "' (known: constant, step, exponential, inv-sqrt, cosine, warmup)"};
  }
  if (!keys) return keys.error();

  schedule.gamma = spec.get("gamma", defaultGamma(schedule.kind));
  if (!(schedule.gamma > 0 && std::isfinite(schedule.gamma)))
    return Error{"schedule", "key 'gamma' must be a finite number > 0 (got " +
                                 formatNumber(schedule.gamma) + ")"};
  schedule.etaMin = spec.get("eta_min", 0.0);
  if (!(schedule.etaMin >= 0 && std::isfinite(schedule.etaMin)))
    return Error{"schedule", "key 'eta_min' must be a finite number ≥ 0 (got " +
                                 formatNumber(schedule.etaMin) + ")"};
  Result<int> stepSize = wholeNumber(spec, "step_size", 100, 1);
  if (!stepSize) return stepSize.error();
  Result<int> tMax = wholeNumber(spec, "t_max", 0, 0);
  if (!tMax) return tMax.error();
  Result<int> warmup = wholeNumber(spec, "warmup", 0, 0);
  if (!warmup) return warmup.error();
  schedule.stepSize = *stepSize;
  schedule.tMax = *tMax;
  schedule.warmupSteps = *warmup;
  return schedule;
}

} // namespace nnlab
