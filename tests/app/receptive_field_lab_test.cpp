// Receptive-field lab: presets and scene files round-trip; malformed layers are rejected by name and
// change nothing; the box of a hand-worked stack; the effective receptive field lies inside the
// theoretical box, peaks in its middle and concentrates in its centre (smaller than the theory).
#include "labs/receptive_field_lab.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/scene.h"
#include "labs/feature_map_lab.h"

namespace nnlab::app {
namespace {

std::string scenePath(const std::string& name) {
  return std::string(NNLAB_SOURCE_DIR) + "/assets/scenes/" + name;
}

TEST(ReceptiveFieldLab, PresetScenesAndPresetsRoundTrip) {
  for (const char* name : {"receptive_field_two_3x3.json", "receptive_field_deep_erf.json", "receptive_field_dilated.json"}) {
    SCOPED_TRACE(name);
    std::unique_ptr<Lab> lab = createReceptiveFieldLab();
    Status loaded = loadSceneInto(scenePath(name), "receptive_field", *lab);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message();
    const nlohmann::json saved = lab->saveState();
    std::unique_ptr<Lab> again = createReceptiveFieldLab();
    ASSERT_TRUE(again->loadState(saved).ok());
    EXPECT_EQ(again->saveState(), saved);
    EXPECT_TRUE(lab->exportFigure().validate().empty()) << lab->exportFigure().validate();
  }
  for (const std::string& id : receptiveFieldPresetIds()) {
    SCOPED_TRACE(id);
    Result<ReceptiveFieldLabState> preset = receptiveFieldPreset(id);
    ASSERT_TRUE(preset.ok()) << preset.error().message();
    Result<ReceptiveFieldResult> result =
        computeReceptiveField(workingImage(checkerboardImage(), false, preset->inputSize), *preset);
    ASSERT_TRUE(result.ok()) << result.error().message();
    EXPECT_EQ(result->maps.size(), preset->layers.size());
  }
  // Two stacked 3×3 convs see as far as one 5×5.
  const auto rfOf = [](const std::string& id) {
    ReceptiveFieldLabState s = receptiveFieldPreset(id).value();
    return receptiveFields(toRfLayers(s.layers), 2).value().layers.back().rf[0];
  };
  EXPECT_EQ(rfOf("two_3x3"), 5);
  EXPECT_EQ(rfOf("one_5x5"), 5);
  EXPECT_EQ(rfOf("dilated"), 15);
}

TEST(ReceptiveFieldLab, MalformedFieldsAreRejectedByNameAndChangeNothing) {
  std::unique_ptr<Lab> lab = createReceptiveFieldLab();
  const nlohmann::json before = lab->saveState();
  struct Case {
    const char* where;
    nlohmann::json state;
  };
  const Case cases[] = {
      {"state.layers[1].kind", {{"layers", {{{"kind", "conv"}}, {{"kind", "deconv"}}}}}},
      {"state.layers[0].k", {{"layers", {{{"kind", "conv"}, {"k", 0}}}}}},
      {"state.layers[0].s", {{"layers", {{{"kind", "pool"}, {"k", 2}, {"s", "two"}}}}}},
      {"state.layers", {{"layers", nlohmann::json::array()}}},
      {"state.layers", {{"input_size", 16}, {"layers", {{{"k", 11}}, {{"k", 11}}}}}}, // shrinks below 1
      {"state.weights", {{"weights", "xavier"}}},
      {"state.unit", {{"unit", {1, 2}}}},
      {"state.input_size", {{"input_size", 1000}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.state.dump());
    nlohmann::json bad = c.state;
    bad["seed"] = 7; // a good change alongside, which must not be kept either
    Status s = lab->loadState(bad);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().where, c.where) << s.error().message();
    EXPECT_EQ(lab->saveState(), before);
  }
}

// conv 3×3 s1 p1, pool 2×2 s2, conv 3×3 s1 p1 d2 on a 32×32 input, unit (5, 5) of layer 3:
//   layer 1: rf = 1 + (3 − 1)·1 = 3,         jump 1, start 0 − 1·1 = −1
//   layer 2: rf = 3 + (2 − 1)·1 = 4,         jump 2, start −1 − 0 = −1
//   layer 3: k_eff = 2·(3 − 1) + 1 = 5, rf = 4 + (5 − 1)·2 = 12, jump 2, start −1 − 1·2 = −3
//   box: first = −3 + 5·2 = 7, last = 7 + 12 − 1 = 18 (rows and cols). Output sizes 32, 16, 14.
TEST(ReceptiveFieldLab, HandWorkedStackBox) {
  ReceptiveFieldLabState state;
  state.inputSize = 32;
  state.layers = {{"conv", 3, 1, 1, 1}, {"pool", 2, 2, 0, 1}, {"conv", 3, 1, 1, 2}};
  state.unit = {3, 5, 5};
  Result<ReceptiveFieldResult> r = computeReceptiveField(workingImage(checkerboardImage(), false, 32), state);
  ASSERT_TRUE(r.ok()) << r.error().message();
  const RfLayerInfo& last = r->table.layers[3];
  EXPECT_EQ(last.rf[0], 12);
  EXPECT_EQ(last.jump[0], 2);
  EXPECT_EQ(last.start[0], -3);
  EXPECT_EQ(r->maps[2].shape(), Shape({1, 1, 14, 14}));
  EXPECT_EQ(r->dependencies.inputBoxFirst, (std::vector<Index>{7, 7}));
  EXPECT_EQ(r->dependencies.inputBoxLast, (std::vector<Index>{18, 18}));
  // The exported overlay draws that box on pixel edges 7 .. 19.
  const plot::Figure figure = receptiveFieldFigure(*r, state);
  ASSERT_EQ(figure.rects.size(), 1u);
  EXPECT_EQ(figure.rects[0].x0, 7);
  EXPECT_EQ(figure.rects[0].x1, 19);
  EXPECT_EQ(figure.rects[0].y0, 7);
  EXPECT_EQ(figure.rects[0].y1, 19);
  // A unit whose box reaches into the padding: unit (0, 0) sees [−3, 8].
  state.unit = {3, 0, 0};
  r = computeReceptiveField(workingImage(checkerboardImage(), false, 32), state);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->dependencies.inputBoxFirst, (std::vector<Index>{-3, -3}));
  EXPECT_EQ(r->dependencies.inputBoxLast, (std::vector<Index>{8, 8}));
}

// The ERF comes from the engine's backward pass; every pixel outside the theoretical box has zero
// gradient, so all of its mass is inside. With uniform weights through five layers it is
// Gaussian-like: largest in the middle, and most of the mass in the central half of the box.
TEST(ReceptiveFieldLab, EffectiveFieldLiesInsideTheTheoreticalBoxAndIsSmaller) {
  for (const char* weights : {"uniform", "random"})
    for (const char* pool : {"max", "average"}) {
      SCOPED_TRACE(std::string(weights) + " " + pool);
      ReceptiveFieldLabState state;
      state.inputSize = 64;
      state.weights = weights;
      state.pool = pool;
      state.layers = {{"conv", 3, 1, 1, 1}, {"conv", 3, 1, 1, 1}, {"pool", 2, 2, 0, 1}, {"conv", 3, 1, 1, 1},
                      {"conv", 3, 1, 1, 1}};
      state.unit = {5, 15, 15};
      Result<ReceptiveFieldResult> r = computeReceptiveField(workingImage(testCardImage(), false, 64), state);
      ASSERT_TRUE(r.ok()) << r.error().message();
      const auto& first = r->dependencies.inputBoxFirst;
      const auto& last = r->dependencies.inputBoxLast;
      EXPECT_EQ(last[0] - first[0] + 1, 14); // rf 14
      double total = 0;
      for (float v : r->erf.values()) total += v;
      EXPECT_GT(total, 0.0);
      EXPECT_NEAR(erfMassInside(r->erf, first, last), 1.0, 1e-9);
      if (std::string(weights) == "uniform" && std::string(pool) == "average") {
        // Central half of the box (7×7 of 14×14 = a quarter of the area).
        const std::vector<Index> innerFirst{first[0] + 3, first[1] + 3}, innerLast{last[0] - 4, last[1] - 4};
        const double inner = erfMassInside(r->erf, innerFirst, innerLast);
        EXPECT_GT(inner, 0.5) << "a quarter of the box holds more than half the gradient";
        const Index mid = (first[0] + last[0]) / 2;
        EXPECT_GT(r->erf(mid, mid), 4 * r->erf(first[0], first[1])) << "peaked in the middle";
      }
    }
}

} // namespace
} // namespace nnlab::app
