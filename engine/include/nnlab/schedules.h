// schedules.h: learning-rate schedules η_t = schedule(η₀, t) for the optimizer lab.
//
// Written as "NAME[:key=value,...]" on the command line and in scene files (see named_spec.h).
// Step t counts from 1 (the first update); k = t − 1 is the number of scheduler.step() calls
// PyTorch would have made before step t, so each schedule equals its torch.optim.lr_scheduler
// namesake stepped once per update:
//   constant                      η₀
//   step:step_size=S,gamma=γ      η₀ γ^⌊k / S⌋                   StepLR(step_size=S, gamma=γ)
//   exponential:gamma=γ           η₀ γ^k                         ExponentialLR(gamma=γ)
//   inv-sqrt                      η₀ / √t                        LambdaLR(lambda k: 1/sqrt(k+1))
//   cosine:t_max=T,eta_min=η_min  η_min + (η₀ − η_min)(1 + cos(π k / T)) / 2, k capped at T
//                                                                 CosineAnnealingLR(T_max=T,
//                                                                 eta_min)
//                                 t_max = 0 (the default) means "the length of the run". Past T
//                                 η stays at η_min (torch's keeps following the cosine back up).
// Any of them takes warmup=W: for t ≤ W, η_t = η₀ t / W (linear from η₀/W up to η₀, as
// LinearLR(start_factor=1/W, total_iters=W−1)); afterwards the schedule runs from its own
// step 1, i.e. at t − W (what SequentialLR(milestones=[W]) intends). "warmup:warmup=W" alone is
// constant after the warmup. Defaults: step_size = 100, gamma = 0.5 (step) or 0.99 (exponential).
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "nnlab/status.h"

namespace nnlab {

enum class ScheduleKind { Constant, StepDecay, Exponential, InverseSqrt, Cosine };

struct Schedule {
  ScheduleKind kind = ScheduleKind::Constant;
  int stepSize = 100;  // step: decay every S steps
  double gamma = 0.5;  // step, exponential: the factor per decay
  int tMax = 0;        // cosine: half-period in steps; 0 = the run's length
  double etaMin = 0.0; // cosine: the floor
  int warmupSteps = 0; // linear warmup before the schedule; 0 = none

  // η_t for step t ≥ 1 of a run of `totalSteps` updates (used by cosine when tMax = 0).
  double learningRate(double baseLr, int t, int totalSteps) const;
  // Back to the "NAME[:key=value,...]" form, only non-default keys written: parse(toString()) ==
  // *this.
  std::string toString() const;

  friend bool operator==(const Schedule&, const Schedule&) = default;
};

std::string_view
scheduleId(ScheduleKind kind); // "constant", "step", "exponential", "inv-sqrt", "cosine"
std::vector<std::string> scheduleNames();

// "cosine:t_max=500,warmup=50". Errors have where = "schedule" and name the bad key or value:
//   "step:gama=0.5" -> "unknown key 'gama' for 'step' (known keys: step_size, gamma, warmup)"
Result<Schedule> parseSchedule(std::string_view text);

} // namespace nnlab
