// The training lab without a window: scene files (round trip, malformed fields named, a bad layer
// list keeps the model), TensorBoard's smoothing against hand-worked numbers, the history CSV, and
// the exported staircase: each learning-rate drop sits where the loss drops.
#include <cmath>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <utility>

#include "core/lab.h"
#include "core/scene.h"
#include "labs/training_lab.h"

namespace nnlab::app {
namespace {

std::unique_ptr<Lab> makeLab() {
  return findLab("training")->create();
}

std::string scenePath(const std::string& name) {
  return std::string(NNLAB_SOURCE_DIR) + "/assets/scenes/" + name;
}

TEST(TrainingLab, IsRegistered) {
  ASSERT_NE(findLab("training"), nullptr);
}

TEST(TrainingLab, SceneRoundTripKeepsEverySetting) {
  for (const char* name :
       {"training_step_decay.json", "training_lr_spikes.json", "training_clipping.json",
        "training_ln10.json", "training_batchnorm.json", "training_adam_warmup.json"}) {
    SCOPED_TRACE(name);
    Result<SceneFile> scene = readSceneFile(scenePath(name));
    ASSERT_TRUE(scene) << scene.error().message();
    std::unique_ptr<Lab> first = makeLab();
    ASSERT_TRUE(first->loadState(scene->state));
    const nlohmann::json saved = first->saveState();
    std::unique_ptr<Lab> second = makeLab();
    ASSERT_TRUE(second->loadState(saved));
    EXPECT_EQ(second->saveState(), saved);
    EXPECT_TRUE(saved["autorun"].get<bool>());
    EXPECT_EQ(saved["title"], scene->state["title"]);
  }
  // Runs inherit the settings and override what they name.
  Result<SceneFile> clipping = readSceneFile(scenePath("training_clipping.json"));
  TrainingLabState state = defaultTrainingLabState();
  ASSERT_TRUE(trainingLabStateFromJson(clipping->state, state));
  ASSERT_EQ(state.runs.size(), 2u);
  EXPECT_EQ(state.runs[0].config.clipNorm, 0.0);
  EXPECT_EQ(state.runs[1].config.clipNorm, 0.25);
  EXPECT_EQ(state.runs[1].config.corruptAt, 150);
  EXPECT_EQ(state.runs[1].label, "clipped");
}

TEST(TrainingLab, MalformedFieldsAreNamedAndChangeNothing) {
  std::unique_ptr<Lab> lab = makeLab();
  ASSERT_TRUE(lab->loadState(readSceneFile(scenePath("training_lr_spikes.json"))->state));
  const nlohmann::json before = lab->saveState();
  struct Case {
    nlohmann::json state;
    std::string field;
  };
  const Case cases[] = {
      {{{"settings", {{"lr", "big"}}}}, "state.settings.lr"},
      {{{"settings", {{"optimizer", "adamax"}}}}, "state.settings.optimizer"},
      {{{"settings", {{"dataset", "spirals:clases=3"}}}}, "state.settings.dataset"},
      {{{"settings", {{"schedule", "step:gama=0.5"}}}}, "state.settings.schedule"},
      {{{"runs", {{{"batch", 0}}}}}, "state.runs[0].batch"},
      {{{"runs", {{{"label", "ok"}}, {{"epochs", -3}}}}}, "state.runs[1].epochs"},
      {{{"smoothing", 1.5}}, "state.smoothing"},
      {{{"autorun", "yes"}}, "state.autorun"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.state.dump());
    Status s = lab->loadState(c.state);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().message().rfind(c.field + ":", 0), 0u) << s.error().message();
    EXPECT_EQ(lab->saveState(), before);
  }
}

TEST(TrainingLab, BadLayerListKeepsThePreviousModel) {
  std::unique_ptr<Lab> lab = makeLab();
  const std::string model = lab->saveState()["settings"]["model"];
  Status s = lab->loadState({{"settings", {{"model", "linear:64,relu,lnear:10"}}}});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message().find("state.settings.model"), std::string::npos);
  EXPECT_NE(s.error().message().find("lnear"), std::string::npos) << s.error().message();
  EXPECT_EQ(lab->saveState()["settings"]["model"], model);
  // A good list is taken as written.
  ASSERT_TRUE(lab->loadState({{"settings", {{"model", "linear:32,tanh,linear"}}}}));
  EXPECT_EQ(lab->saveState()["settings"]["model"], "linear:32,tanh,linear");
}

// TensorBoard's smoothing, by hand with w = 0.5 on y = 1, 0, 1:
//   last = 0.5, 0.25, 0.625;  debias = 1 − 0.5^t = 0.5, 0.75, 0.875
//   smoothed = 1, 1/3, 0.625 / 0.875 = 5/7
TEST(TrainingLab, SmoothingMatchesTensorBoardByHand) {
  const std::vector<double> s = smoothLosses({1, 0, 1}, 0.5);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_DOUBLE_EQ(s[0], 1.0);
  EXPECT_DOUBLE_EQ(s[1], 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(s[2], 5.0 / 7.0);
  // w = 0: no smoothing; a constant stays constant at any w (the debiasing).
  EXPECT_EQ(smoothLosses({3, 1, 2}, 0.0), (std::vector<double>{3, 1, 2}));
  for (double v : smoothLosses({2.3, 2.3, 2.3, 2.3}, 0.99)) EXPECT_NEAR(v, 2.3, 1e-12);
  // A non-finite value passes through and does not enter the average.
  const std::vector<double> n = smoothLosses({1, NAN, 0}, 0.5);
  EXPECT_TRUE(std::isnan(n[1]));
  EXPECT_DOUBLE_EQ(n[2], 1.0 / 3.0);
}

TEST(TrainingLab, HistoryCsvHasEveryStepOfEveryRun) {
  RunCurves a, b;
  a.settings.label = "first";
  a.steps = {StepRecord{1, 1, 0.75, 0.5, 0.1, 2.0}, StepRecord{2, 1, 0.5, 0.625, 0.1, 1.5}};
  b.settings.label = "with \"quotes\"";
  b.steps = {StepRecord{1, 1, 1.25, 0.25, 0.05, 3.0}};
  const std::string csv = trainingHistoryCsv({&a, &b});
  const std::string settingsA = runSettingsText(a.settings.config);
  EXPECT_EQ(csv, "run,settings,step,epoch,loss,acc,lr,grad_norm\n"
                 "1,\"first: " +
                     settingsA +
                     "\",1,1,0.75,0.5,0.1,2\n"
                     "1,\"first: " +
                     settingsA +
                     "\",2,1,0.5,0.625,0.1,1.5\n"
                     "2,\"with \"\"quotes\"\": " +
                     settingsA + "\",1,1,1.25,0.25,0.05,3\n");
}

// The exported staircase: loss panel over the learning-rate panel, on one step axis. Plain SGD at
// η = 2 on two spirals, η divided by 5 at steps 1001 and 2001. Every drop of η is a drop of the
// smoothed loss right there (the mean over the 100 steps after it is well below the mean over
// the 100 steps before), to a new plateau; the constant-η run stays on the first step.
TEST(TrainingLab, ExportedStaircaseHasLearningRateDropsUnderLossDrops) {
  std::unique_ptr<Lab> lab = makeLab();
  ASSERT_TRUE(lab->loadState(readSceneFile(scenePath("training_step_decay.json"))->state));
  std::optional<plot::FigureGrid> grid = lab->exportFigureGrid();
  ASSERT_TRUE(grid);
  ASSERT_EQ(grid->panels.size(), 2u);
  const plot::Figure& loss = grid->panels[0];
  const plot::Figure& rate = grid->panels[1];
  EXPECT_EQ(loss.xAxis.min, rate.xAxis.min);
  EXPECT_EQ(loss.xAxis.max, rate.xAxis.max);
  // Same padded y tick label width, so the plot boxes line up (see setAlignedTicks).
  ASSERT_FALSE(loss.yAxis.tickLabels.empty());
  ASSERT_FALSE(rate.yAxis.tickLabels.empty());
  // Width in digit widths (digits and figure spaces U+2007) and in '.' widths ('.' and U+2008).
  auto widths = [](const std::string& label) {
    int digits = 0, dots = 0;
    for (size_t i = 0; i < label.size(); ++i) {
      if (label[i] >= '0' && label[i] <= '9') ++digits;
      if (label[i] == '.') ++dots;
      if (label.compare(i, 3, "\u2007") == 0) ++digits;
      if (label.compare(i, 3, "\u2008") == 0) ++dots;
    }
    return std::pair(digits, dots);
  };
  for (const std::string& l : loss.yAxis.tickLabels)
    EXPECT_EQ(widths(l), widths(rate.yAxis.tickLabels.front())) << l;

  const plot::LineSeries *decayed = nullptr, *constant = nullptr;
  for (const plot::LineSeries& l : loss.lines) {
    if (l.label.rfind("step decay", 0) == 0) decayed = &l;
    if (l.label.rfind("constant", 0) == 0) constant = &l;
  }
  ASSERT_NE(decayed, nullptr);
  ASSERT_NE(constant, nullptr);
  const plot::LineSeries& eta = rate.lines[0]; // the first run's η_t
  std::vector<double> drops;
  for (size_t i = 1; i < eta.y.size(); ++i)
    if (eta.y[i] < eta.y[i - 1] * 0.99) drops.push_back(eta.x[i]);
  ASSERT_EQ(drops, (std::vector<double>{1001, 2001}));
  auto meanBetween = [](const plot::LineSeries& curve, double from, double to) {
    double sum = 0;
    int n = 0;
    for (size_t i = 0; i < curve.x.size(); ++i)
      if (curve.x[i] >= from && curve.x[i] < to) sum += curve.y[i], ++n;
    return sum / n;
  };
  // Each decay drops the loss by more than 10% within 100 steps (the smoothing's lag included):
  // the measured drops are 25% and 12%.
  for (double d : drops) {
    SCOPED_TRACE(d);
    EXPECT_LT(meanBetween(*decayed, d + 50, d + 150), 0.9 * meanBetween(*decayed, d - 100, d));
  }
  // Plateaus: the last 300 steps before each decay change by less than the drop that follows.
  for (double d : drops) {
    SCOPED_TRACE(d);
    const double early = meanBetween(*decayed, d - 300, d - 200);
    const double late = meanBetween(*decayed, d - 100, d);
    const double after = meanBetween(*decayed, d + 50, d + 150);
    EXPECT_LT(std::abs(early - late), late - after);
  }
  // Without decay the loss stays on the first step: its last plateau is no lower than 90% of
  // where it was at the first decay.
  EXPECT_GT(meanBetween(*constant, 2900, 3001), 0.9 * meanBetween(*constant, 901, 1001));
  // The chance line sits at ln 2 (two spirals).
  bool chance = false;
  for (const plot::LineSeries& l : loss.lines)
    chance |= l.style == plot::LineStyle::Dashed && l.y.size() == 2 &&
              std::abs(l.y[0] - std::log(2.0)) < 1e-9;
  EXPECT_TRUE(chance);
}

// The clipping preset shades the burst of wrong labels (steps 150-159) in the loss figure, so the
// loss inside it reads as "measured on wrong labels".
TEST(TrainingLab, LabelBurstIsShadedInTheLossFigure) {
  std::unique_ptr<Lab> lab = makeLab();
  ASSERT_TRUE(lab->loadState(readSceneFile(scenePath("training_clipping.json"))->state));
  const plot::Figure loss = lab->exportFigure();
  ASSERT_EQ(loss.rects.size(), 1u); // one band for the two runs' common burst
  EXPECT_TRUE(loss.rects[0].filled);
  EXPECT_DOUBLE_EQ(loss.rects[0].x0, 149.5);
  EXPECT_DOUBLE_EQ(loss.rects[0].x1, 159.5);
  bool label = false;
  for (const plot::Annotation& a : loss.annotations) label |= a.text == "wrong labels";
  EXPECT_TRUE(label);
}

TEST(TrainingLab, FirstLossIsNearLnTenForTenShapes) {
  TrainingLabState state = defaultTrainingLabState();
  ASSERT_TRUE(
      trainingLabStateFromJson(readSceneFile(scenePath("training_ln10.json"))->state, state));
  TrainingRunSettings settings = state.runs[0];
  settings.config.maxSteps = 2;
  Result<RunCurves> run = trainToEnd(settings, 0.6);
  ASSERT_TRUE(run) << run.error().message();
  EXPECT_NEAR(run->steps[0].loss, std::log(10.0), 0.1 * std::log(10.0));
  EXPECT_NEAR(run->chanceLoss, std::log(10.0), 1e-12);
}

// The preset's lesson in its first steps: the curve starts on the chance line and goes down from
// it, no overshoot above it (Adam at η = 0.003 jumped to 3.6 at step 2; the preset's η = 0.0007
// keeps every batch within 15% of ln 10, the spread of one batch of 32 at initialisation) and
// within 40 steps the loss is below 75% of ln 10.
TEST(TrainingLab, LnTenPresetStartsOnTheChanceLineAndGoesDown) {
  TrainingLabState state = defaultTrainingLabState();
  ASSERT_TRUE(
      trainingLabStateFromJson(readSceneFile(scenePath("training_ln10.json"))->state, state));
  TrainingRunSettings settings = state.runs[0];
  settings.config.maxSteps = 40;
  Result<RunCurves> run = trainToEnd(settings, 0.6);
  ASSERT_TRUE(run) << run.error().message();
  ASSERT_EQ(run->steps.size(), 40u);
  for (int i = 0; i < 10; ++i) EXPECT_LT(run->steps[size_t(i)].loss, 1.15 * std::log(10.0)) << i;
  EXPECT_LT(run->smoothed.back(), 0.75 * std::log(10.0));
}

// The first layer's filters: the small CNN's 8 3×3 kernels in 2 rows of 4 on one diverging scale
// (0 = white), a white cell between kernels: a 15 × 7 mosaic whose cell (row 1, column 5) is kernel
// 2's weight (1, 1) and whose column 3 is a gap.
TEST(TrainingLab, FilterMosaicIsTwoRowsOnOneScale) {
  Result<Network> net =
      Network::build(*parseModelSpec("small_cnn"), Shape{1, 28, 28}, 10, InitScheme::Auto, 7);
  ASSERT_TRUE(net) << net.error().message();
  const plot::Figure f = firstLayerFilterFigure(*net, 4);
  ASSERT_TRUE(f.heatmap);
  const plot::Heatmap& h = *f.heatmap;
  EXPECT_EQ(h.cols, 15);
  EXPECT_EQ(h.rows, 7);
  EXPECT_EQ(h.colormap, plot::Colormap::Diverging);
  EXPECT_EQ(h.colorbarLabel, "weight");
  const Tensor& w = std::as_const(*net->layers()[0]).parameters()[0]->value; // [8, 1, 3, 3]
  EXPECT_EQ(h.values[1 * 15 + 5], w.data()[1 * 9 + 1 * 3 + 1]);
  for (int y = 0; y < 7; ++y) EXPECT_EQ(h.cellColors[size_t(y * 15 + 3)].a, 1.0f) << y;
  EXPECT_EQ(h.cellColors[1 * 15 + 5].a, 0.0f);
}

} // namespace
} // namespace nnlab::app
