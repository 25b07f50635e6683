// optimizer_lab.h: up to six optimizers racing on a 2-D loss surface. The surface is a heatmap
// with contour lines (a fragment shader, shaders/surface_heatmap.frag) or a 3-D mesh; paths are
// drawn over it step by step, with loss and distance-to-minimum curves below, an inspector of the
// optimizer's internal state (m, v, m̂, v̂, effective step), and for momentum on a quadratic the
// convergence-rate map over (learning rate, β).
//
// Index
//   OptimizerSlot, OptimizerLabState   what a scene file stores
//   OptimizerLabRuns, computeRuns()    the engine calls (cached on the state: a slider that moves
//                                      recomputes once, a frame that does nothing recomputes
//                                      nothing)
//   SurfaceGrid, sampleSurface()       the surface sampled over the view, and its colour scale
//   optimizerSurfaceFigure()           the exported figure: heatmap + ContourSet + paths
//   momentumSpectralRadius(), ...      the convergence-rate map
#pragma once

#include <limits>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "core/lab.h"
#include "nnlab/optim.h"
#include "nnlab/schedules.h"
#include "nnlab/surfaces.h"
#include "nnlab/trajectory.h"

namespace nnlab::app {

inline constexpr int kMaxOptimizers = 6;
inline constexpr int kMaxSteps = 10000;

// One racing optimizer: its kind, hyper-parameters and learning-rate schedule.
struct OptimizerSlot {
  OptimizerKind kind = OptimizerKind::Adam;
  OptimizerConfig config = defaultOptimizerConfig(OptimizerKind::Adam);
  std::string schedule = "constant"; // "NAME[:key=value,...]" (nnlab/schedules.h)
  bool shown = true;                 // hidden paths are still computed (cheap) but not drawn
};

struct OptimizerLabState {
  std::string title;                 // the preset's title; empty: the surface's title
  std::string surface = "quadratic"; // a built-in id (surfaces.h), or "expression"
  SurfaceParams params{.conditionNumber = 10.0};
  std::string expression = "x^2 + 10*y^2"; // used when surface == "expression"
  std::vector<OptimizerSlot> optimizers;   // 1 .. kMaxOptimizers
  bool sharedLr = false; // one learning rate for every optimizer (lr), else each its own
  double lr = 0.01;      // the shared rate
  Vec2 start{-2.5, 2.0}; // θ₀, common to every optimizer
  int steps = 200;       // N, 1 .. kMaxSteps
  double noise = 0.0;    // σ of the Gaussian gradient noise
  int seed = 0;          // of the noise

  // Display (does not change the paths).
  bool customView = false; // false: the surface's own domain
  Box2 view{};
  bool logColor = true;   // colour (and contour spacing) by log10 of the loss
  int contourLevels = 16; // colour bands between contour lines; 0 = none
  int step = -1;          // the scrubber: paths drawn up to θ_step; -1 = the end of the run
  double speed = 30.0;    // steps per second while playing
  bool markers = true;    // a dot per step (runs of at most 400 shown steps)
  bool arrows = true;     // −∇f, −m and the step at the inspected optimizer's current point
  plot::LegendCorner legend = plot::LegendCorner::TopRight;
  int inspect = 0;     // which optimizer the inspector, arrows and rate map follow
  int inspectStep = 1; // the inspector's step t (1-based)
  bool view3d = false; // the main view: heatmap (false) or orbiting 3-D mesh
  float yaw = -40.0f, pitch = 40.0f, zoom = 1.0f; // 3-D camera, degrees
  std::string panel = "loss";                     // the tab below: "loss", "inspector", "rate"
};

// The scene file's "state" object, and back. Reading checks every field (names the first bad one,
// "state.optimizers[1].lr") and changes `state` only when all are good.
nlohmann::json optimizerLabStateToJson(const OptimizerLabState& state);
Status optimizerLabStateFromJson(const nlohmann::json& json, OptimizerLabState& state);

// A sensible first scene: Adam, AdaGrad, momentum and SGD on a bowl with κ = 10.
OptimizerLabState defaultOptimizerLabState();

// The surface the state asks for (built-in or expression); the Error names the field at fault.
Result<std::unique_ptr<Surface>> buildSurface(const OptimizerLabState& state);

// The config a slot runs with: its own, or the shared learning rate.
OptimizerConfig effectiveConfig(const OptimizerLabState& state, const OptimizerSlot& slot);

// "Adam η = 0.1", "Adam η = 0.1 (no bias correction)", with β for momentum.
std::string slotLabel(const OptimizerLabState& state, const OptimizerSlot& slot);

struct OptimizerRun {
  Trajectory path;
  std::vector<double> distance; // to the nearest known minimum, per point (NaN when none known)
  std::string error;            // a config the engine rejected (the path is then empty)
};

struct OptimizerLabRuns {
  std::vector<OptimizerRun> runs; // one per slot
  double milliseconds = 0.0;      // wall time of the last recompute (the status line shows it)
};

// Every slot's trajectory on `surface`.
OptimizerLabRuns computeRuns(const OptimizerLabState& state, const Surface& surface);

// The surface sampled at cell centres of an n x n grid over `box` (row 0 at yMin), and how its
// values become colours: t = normalize(f − shift) on a linear or log10 scale between vmin and vmax.
struct SurfaceGrid {
  int n = 0;
  Box2 box{};
  std::vector<float> values; // f, row-major
  double fmin = 0, fmax = 1;
  bool log = false;
  double shift = 0;          // subtracted before colouring (log scale of a surface with f < 0)
  double vmin = 0, vmax = 1; // in shifted units
  std::string colorbarLabel;

  double colorCoordinate(double f) const; // t in [0, 1] (clamped)
  double levelValue(double t) const;      // f − shift at colour coordinate t (for ContourSet)
};
SurfaceGrid sampleSurface(const Surface& surface, Box2 box, int n, bool logColor);

// The lab's main figure: heatmap (+ contours when withContours) of `grid`, every shown path up to
// the scrubber's step, the start point, the known minima and where a path diverged. forScreen:
// the start point is a bare ring (the lab places "start" itself, in pixels, where it hits no
// path, ring or arrow label) and a divergence mark names only the step (the reason is in the
// controls), so it fits a small plot with presentation-size text.
plot::Figure optimizerSurfaceFigure(const OptimizerLabState& state, const Surface& surface,
                                    const OptimizerLabRuns& runs, const SurfaceGrid& grid,
                                    bool withContours, bool forScreen = false);
// Loss versus step for every path (log y when every loss is positive). When some loss is negative
// and below lossFloor (a path escaping down a saddle), the y axis stops at lossFloor.
plot::Figure optimizerLossFigure(const OptimizerLabState& state, const OptimizerLabRuns& runs,
                                 double lossFloor = -std::numeric_limits<double>::infinity());
// Distance to the nearest known minimum versus step (log y).
plot::Figure optimizerDistanceFigure(const OptimizerLabState& state, const OptimizerLabRuns& runs);

// The PyTorch lines for a slot: the optimizer constructor and, unless constant, its scheduler.
std::string pytorchSnippet(const OptimizerLabState& state, const OptimizerSlot& slot);

// Convergence rate of momentum on a quadratic, from the iteration matrix. Along an eigenvector of
// the Hessian with eigenvalue λ, one step maps (θ, m) linearly:
//   heavy ball  m' = βm + λθ,           θ' = θ − η m'  →  [[1 − ηλ, −ηβ], [λ, β]]
//   EMA         m' = βm + (1 − β)λθ,   θ' = θ − η m'  →  [[1 − η(1 − β)λ, −ηβ], [(1 − β)λ, β]]
// Both have determinant β; the error shrinks per step by the spectral radius ρ (the larger
// |root| of z² − trace·z + β). The bowl's rate is the worst over its eigenvalues 1 and κ; ρ ≥ 1
// diverges. (EMA bias correction changes the first steps only, not ρ.)
double momentumSpectralRadius(double lr, double beta, double lambda, MomentumForm form);
double momentumRate(double lr, double beta, double conditionNumber, MomentumForm form);

// ρ over log10 η ∈ [log10 lrMin, log10 lrMax] (columns) × β ∈ [0, betaMax] (rows), clipped at 1.2.
struct RateMap {
  int rows = 0, cols = 0;
  std::vector<float> rho; // row-major, row 0 at β = 0
  double logLrMin = -3, logLrMax = 0.5, betaMax = 0.99;
};
RateMap momentumRateMap(double conditionNumber, MomentumForm form, int rows, int cols);
plot::Figure momentumRateFigure(const RateMap& map, double conditionNumber, MomentumForm form,
                                const OptimizerConfig* current);

std::unique_ptr<Lab> createOptimizerLab();

} // namespace nnlab::app
