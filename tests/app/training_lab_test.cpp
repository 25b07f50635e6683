// The training lab without a window: scene files (round trip, malformed fields named, a bad layer
// list keeps the model), TensorBoard's smoothing against hand-worked numbers, the history CSV, and
// the exported staircase: each learning-rate drop sits where the loss drops.
#include <cmath>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/lab.h"
#include "core/scene.h"
#include "labs/training_lab.h"

namespace nnlab::app {
namespace {

std::unique_ptr<Lab> makeLab() { return findLab("training")->create(); }

std::string scenePath(const std::string& name) {
  return std::string(NNLAB_SOURCE_DIR) + "/assets/scenes/" + name;
}

TEST(TrainingLab, IsRegistered) { ASSERT_NE(findLab("training"), nullptr); }

TEST(TrainingLab, SceneRoundTripKeepsEverySetting) {
  for (const char* name : {"training_step_decay.json", "training_lr_spikes.json",
                           "training_clipping.json", "training_ln10.json",
                           "training_batchnorm.json", "training_adam_warmup.json"}) {
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
                 "1,\"first: " + settingsA + "\",1,1,0.75,0.5,0.1,2\n"
                 "1,\"first: " + settingsA + "\",2,1,0.5,0.625,0.1,1.5\n"
                 "2,\"with \"\"quotes\"\": " + settingsA + "\",1,1,1.25,0.25,0.05,3\n");
}

// The exported staircase: loss panel over the learning-rate panel, on one step axis. Every drop
// of η (at 1 + k·400) is a drop of the smoothed loss: the mean over the 100 steps after it is
// below the mean over the 100 steps before.
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

  const plot::LineSeries* smoothed = nullptr;
  for (const plot::LineSeries& l : loss.lines)
    if (l.label.rfind("step decay", 0) == 0) smoothed = &l;
  ASSERT_NE(smoothed, nullptr);
  const plot::LineSeries& eta = rate.lines[0]; // the first run's η_t
  std::vector<double> drops;
  for (size_t i = 1; i < eta.y.size(); ++i)
    if (eta.y[i] < eta.y[i - 1] * 0.99) drops.push_back(eta.x[i]);
  ASSERT_EQ(drops, (std::vector<double>{401, 801, 1201}));
  auto meanBetween = [&](double from, double to) {
    double sum = 0;
    int n = 0;
    for (size_t i = 0; i < smoothed->x.size(); ++i)
      if (smoothed->x[i] >= from && smoothed->x[i] < to) sum += smoothed->y[i], ++n;
    return sum / n;
  };
  // The first two decays drop the loss (the third reaches the noise floor of the blobs' overlap).
  for (double d : {drops[0], drops[1]}) {
    SCOPED_TRACE(d);
    EXPECT_LT(meanBetween(d + 20, d + 120), meanBetween(d - 100, d)); // a drop right there
  }
  // The first drop is the big step of the staircase: more than 15%.
  EXPECT_LT(meanBetween(421, 521), 0.85 * meanBetween(301, 401));
  // Both runs finished in the export; the chance line sits at ln 4.
  bool chance = false;
  for (const plot::LineSeries& l : loss.lines)
    chance |= l.style == plot::LineStyle::Dashed && l.y.size() == 2 &&
              std::abs(l.y[0] - std::log(4.0)) < 1e-9;
  EXPECT_TRUE(chance);
}

TEST(TrainingLab, FirstLossIsNearLnTenForTenShapes) {
  TrainingLabState state = defaultTrainingLabState();
  ASSERT_TRUE(trainingLabStateFromJson(
      readSceneFile(scenePath("training_ln10.json"))->state, state));
  TrainingRunSettings settings = state.runs[0];
  settings.config.maxSteps = 2;
  Result<RunCurves> run = trainToEnd(settings, 0.6);
  ASSERT_TRUE(run) << run.error().message();
  EXPECT_NEAR(run->steps[0].loss, std::log(10.0), 0.1 * std::log(10.0));
  EXPECT_NEAR(run->chanceLoss, std::log(10.0), 1e-12);
}

} // namespace
} // namespace nnlab::app
