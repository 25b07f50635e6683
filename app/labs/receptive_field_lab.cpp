#include "labs/receptive_field_lab.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>

#include "core/json_fields.h"
#include "core/messages.h"
#include "gl/texture.h"
#include "labs/feature_map_lab.h" // sample images and their working size
#include "nnlab/conv.h"
#include "nnlab/pool.h"
#include "plot/colormap.h"
#include "plot/plot_widget.h"

namespace nnlab::app {

namespace {

const std::vector<std::string> kSquareImages = {"camera", "brick", "astronaut", "checkerboard",
                                                "test_card"};

struct Preset {
  const char* id;
  const char* title;
  int inputSize;
  std::vector<RfLayerSpec> layers;
};

const std::vector<Preset>& presets() {
  static const std::vector<Preset> list = {
      {"two_3x3",
       "two stacked 3×3 convs (rf 5, 18 weights)",
       64,
       {{"conv", 3, 1, 0, 1}, {"conv", 3, 1, 0, 1}}},
      {"one_5x5", "one 5×5 conv (rf 5, 25 weights)", 64, {{"conv", 5, 1, 0, 1}}},
      {"deep_3x3",
       "five stacked 3×3 convs (rf 11)",
       64,
       {{"conv", 3, 1, 1, 1},
        {"conv", 3, 1, 1, 1},
        {"conv", 3, 1, 1, 1},
        {"conv", 3, 1, 1, 1},
        {"conv", 3, 1, 1, 1}}},
      {"dilated",
       "dilated 3×3 stack, d = 1, 2, 4 (rf 15)",
       64,
       {{"conv", 3, 1, 1, 1}, {"conv", 3, 1, 2, 2}, {"conv", 3, 1, 4, 4}}},
      {"alexnet",
       "AlexNet-like (11×11 s4, pools, 5×5, 3×3s)",
       227,
       {{"conv", 11, 4, 2, 1},
        {"pool", 3, 2, 0, 1},
        {"conv", 5, 1, 2, 1},
        {"pool", 3, 2, 0, 1},
        {"conv", 3, 1, 1, 1},
        {"conv", 3, 1, 1, 1},
        {"conv", 3, 1, 1, 1},
        {"pool", 3, 2, 0, 1}}},
      {"vgg",
       "VGG-like (3×3 pairs and 2×2 pools)",
       128,
       {{"conv", 3, 1, 1, 1},
        {"conv", 3, 1, 1, 1},
        {"pool", 2, 2, 0, 1},
        {"conv", 3, 1, 1, 1},
        {"conv", 3, 1, 1, 1},
        {"pool", 2, 2, 0, 1},
        {"conv", 3, 1, 1, 1},
        {"conv", 3, 1, 1, 1},
        {"conv", 3, 1, 1, 1},
        {"pool", 2, 2, 0, 1}}},
  };
  return list;
}

ConvOptions convOptions(const RfLayerSpec& layer) {
  ConvOptions options;
  options.stride = {layer.stride};
  options.padding = {layer.padding};
  options.dilation = {layer.dilation};
  return options;
}

PoolOptions poolOptions(const RfLayerSpec& layer, const std::string& kind) {
  PoolOptions options;
  options.kind = kind == "average" ? PoolKind::Average : PoolKind::Max;
  options.kernel = {layer.kernel};
  options.stride = {layer.stride};
  options.padding = {layer.padding};
  return options;
}

std::string layerName(const RfLayerSpec& layer, const std::string& pool) {
  char text[96];
  if (layer.kind == "pool")
    std::snprintf(text, sizeof text, "%s pool %d×%d s%d p%d", pool.c_str(), layer.kernel,
                  layer.kernel, layer.stride, layer.padding);
  else
    std::snprintf(text, sizeof text, "conv %d×%d s%d p%d%s", layer.kernel, layer.kernel,
                  layer.stride, layer.padding,
                  layer.dilation > 1 ? (" d" + std::to_string(layer.dilation)).c_str() : "");
  return text;
}

} // namespace

const std::vector<std::string>& receptiveFieldPresetIds() {
  static const std::vector<std::string> ids = [] {
    std::vector<std::string> v;
    for (const Preset& p : presets()) v.push_back(p.id);
    return v;
  }();
  return ids;
}

std::string receptiveFieldPresetTitle(const std::string& id) {
  for (const Preset& p : presets())
    if (id == p.id) return p.title;
  return id;
}

std::vector<RfLayer> toRfLayers(const std::vector<RfLayerSpec>& layers) {
  std::vector<RfLayer> out;
  for (const RfLayerSpec& l : layers)
    out.push_back(l.kind == "pool" ? RfLayer::pool(l.kernel, l.stride, l.padding)
                                   : RfLayer::conv(l.kernel, l.stride, l.padding, l.dilation));
  return out;
}

Result<ReceptiveFieldLabState> receptiveFieldPreset(const std::string& id) {
  for (const Preset& p : presets()) {
    if (id != p.id) continue;
    ReceptiveFieldLabState state;
    state.preset = id;
    state.inputSize = p.inputSize;
    state.layers = p.layers;
    Result<ReceptiveFieldTable> table =
        receptiveFields(toRfLayers(state.layers), 2, {p.inputSize, p.inputSize});
    if (!table) return table.error();
    const Index last = table->layers.back().outputSize[0];
    state.unit = {static_cast<int>(state.layers.size()), static_cast<int>(last / 2),
                  static_cast<int>(last / 2)};
    return state;
  }
  return Error{"preset", "unknown preset \"" + id + "\""};
}

Result<ReceptiveFieldResult> computeReceptiveField(const Tensor& input,
                                                   const ReceptiveFieldLabState& state) {
  if (state.layers.empty()) return Error{"layers", "the stack is empty (add a layer)"};
  ReceptiveFieldResult result;
  result.input = input;
  const std::vector<RfLayer> rfLayers = toRfLayers(state.layers);
  const std::vector<Index> inputSize = {input.dim(2), input.dim(3)};
  Result<ReceptiveFieldTable> table = receptiveFields(rfLayers, 2, inputSize);
  if (!table) return table.error();
  result.table = std::move(table).value();

  // Forward pass, one channel: what each layer's map looks like on the picture.
  std::mt19937 random(static_cast<unsigned>(state.seed));
  const Tensor* x = &input;
  for (size_t l = 0; l < state.layers.size(); ++l) {
    const RfLayerSpec& layer = state.layers[l];
    Result<Tensor> y = Error{"", ""};
    if (layer.kind == "pool") {
      result.weights.emplace_back();
      y = pool(*x, poolOptions(layer, state.pool));
    } else {
      const Index k = layer.kernel;
      Tensor w(Shape{1, 1, k, k}, 1.0f / static_cast<float>(k * k));
      if (state.weights == "random") {
        std::normal_distribution<float> normal(0.0f, 1.0f / static_cast<float>(k));
        for (float& v : w.values()) v = normal(random);
      }
      result.weights.push_back(w);
      y = conv(*x, w, Tensor(), convOptions(layer));
    }
    if (!y) return Error{"layer " + std::to_string(l + 1), y.error().message()};
    result.maps.push_back(std::move(y).value());
    x = &result.maps.back();
  }

  // The selected unit, clamped into its layer.
  const int layers = static_cast<int>(state.layers.size());
  const int layer = std::clamp(state.unit[0], 1, layers);
  const Tensor& map = result.maps[static_cast<size_t>(layer - 1)];
  const int row = std::clamp(state.unit[1], 0, static_cast<int>(map.dim(2)) - 1);
  const int col = std::clamp(state.unit[2], 0, static_cast<int>(map.dim(3)) - 1);
  result.unit = {layer, row, col};
  Result<UnitDependencies> deps = unitDependencies(rfLayers, 2, layer, {row, col}, inputSize);
  if (!deps) return deps.error();
  result.dependencies = std::move(deps).value();

  // Effective receptive field: back-propagate a 1 at the unit down to the input (chain rule
  // through each layer's backward pass, as autograd would).
  Tensor grad(map.shape());
  grad(0, 0, row, col) = 1.0f;
  for (int l = layer - 1; l >= 0; --l) {
    const RfLayerSpec& spec = state.layers[static_cast<size_t>(l)];
    const Tensor& below = l == 0 ? input : result.maps[static_cast<size_t>(l - 1)];
    if (spec.kind == "pool") {
      Result<Tensor> g = poolBackward(below, grad, poolOptions(spec, state.pool));
      if (!g) return g.error();
      grad = std::move(g).value();
    } else {
      Result<ConvGradients> g = convBackward(below, result.weights[static_cast<size_t>(l)], false,
                                             grad, convOptions(spec));
      if (!g) return g.error();
      grad = std::move(g.value().input);
    }
  }
  result.erf = Tensor(Shape{input.dim(2), input.dim(3)});
  for (Index i = 0; i < result.erf.numel(); ++i) result.erf.data()[i] = std::abs(grad.data()[i]);
  return result;
}

double erfMassInside(const Tensor& erf, const std::vector<Index>& first,
                     const std::vector<Index>& last) {
  double inside = 0, total = 0;
  for (Index r = 0; r < erf.dim(0); ++r)
    for (Index c = 0; c < erf.dim(1); ++c) {
      const double v = erf(r, c);
      total += v;
      if (r >= first[0] && r <= last[0] && c >= first[1] && c <= last[1]) inside += v;
    }
  return total > 0 ? inside / total : 0.0;
}

plot::Figure receptiveFieldFigure(const ReceptiveFieldResult& result,
                                  const ReceptiveFieldLabState& state) {
  const int n = static_cast<int>(result.input.dim(2)), m = static_cast<int>(result.input.dim(3));
  plot::Figure figure;
  const RfLayerInfo& info = result.table.layers[static_cast<size_t>(result.unit[0])];
  char title[200];
  std::snprintf(title, sizeof title, "Unit (%d, %d) of layer %d: receptive field %lld×%lld",
                result.unit[1], result.unit[2], result.unit[0], (long long)info.rf[0],
                (long long)info.rf[1]);
  figure.title = title;
  // The picture in grey, under everything.
  plot::Heatmap image;
  image.rows = n, image.cols = m;
  image.values.assign(result.input.data(), result.input.data() + static_cast<Index>(n) * m);
  image.x0 = 0, image.x1 = m, image.y0 = 0, image.y1 = n;
  image.colormap = plot::Colormap::Gray;
  image.vmin = 0, image.vmax = 1;
  image.colorbar = false;
  figure.heatmap = std::move(image);
  // The effective receptive field as iso-lines of |∂ unit / ∂ pixel| at 10 %, 30 %, 50 %, 70 %
  // and 90 % of its peak: Gaussian-like rings inside the box.
  plot::ContourSet erf;
  erf.rows = n, erf.cols = m;
  erf.values.assign(result.erf.data(), result.erf.data() + result.erf.numel());
  erf.x0 = 0, erf.x1 = m, erf.y0 = 0, erf.y1 = n;
  const float peak = *std::max_element(erf.values.begin(), erf.values.end());
  for (double level : {0.1, 0.3, 0.5, 0.7, 0.9}) erf.levels.push_back(level * peak);
  erf.color = plot::Color::rgb(255, 200, 0);
  erf.width = 1.5f;
  figure.contours.push_back(std::move(erf));
  // The theoretical box on pixel edges (first .. last + 1), possibly reaching into the padding.
  const double r0 = double(result.dependencies.inputBoxFirst[0]),
               r1 = double(result.dependencies.inputBoxLast[0]) + 1;
  const double c0 = double(result.dependencies.inputBoxFirst[1]),
               c1 = double(result.dependencies.inputBoxLast[1]) + 1;
  plot::RectMark box;
  box.x0 = c0, box.x1 = c1, box.y0 = r0, box.y1 = r1;
  box.color = plot::Color::rgb(230, 40, 30);
  box.width = 2.0f;
  figure.rects.push_back(box);
  plot::LineSeries outline; // the same box as a line: drawn by every renderer, named in the legend
  outline.label = "theoretical receptive field";
  outline.x = {c0, c1, c1, c0, c0};
  outline.y = {r0, r0, r1, r1, r0};
  outline.color = box.color;
  outline.width = 2.0f;
  figure.lines.push_back(std::move(outline));
  plot::LineSeries legendEntry; // the contours' legend entry (contours have none of their own)
  legendEntry.label = std::string("effective (|∂ unit / ∂ pixel| = 10…90 % of peak, ") +
                      state.weights + " weights)";
  legendEntry.color = plot::Color::rgb(255, 200, 0);
  legendEntry.width = 1.5f;
  legendEntry.x = {c0, c0}; // a zero-length segment on the box: only its legend entry shows
  legendEntry.y = {r0, r0};
  figure.lines.push_back(std::move(legendEntry));
  figure.xAxis.label = "x (input pixels)";
  figure.yAxis.label = "y (input pixels)";
  // Zoomed on the box with a margin of one box size: the picture around it stays in view.
  const double margin = std::max(4.0, std::max(r1 - r0, c1 - c0));
  figure.xAxis.min = std::max(std::min(0.0, c0), c0 - margin),
  figure.xAxis.max = std::min(std::max(double(m), c1), c1 + margin);
  figure.yAxis.min = std::max(std::min(0.0, r0), r0 - margin),
  figure.yAxis.max = std::min(std::max(double(n), r1), r1 + margin);
  figure.xAxis.gridLines = figure.yAxis.gridLines = false;
  figure.yAxis.invert = true;
  figure.equalAspect = true;
  figure.legend = plot::LegendCorner::TopLeft;
  return figure;
}

plot::Figure effectiveFieldFigure(const ReceptiveFieldResult& result,
                                  const ReceptiveFieldLabState& state) {
  plot::Figure figure = receptiveFieldFigure(result, state);
  figure.title = "Effective receptive field in the theoretical box";
  plot::Heatmap& heatmap = *figure.heatmap;
  heatmap.values.assign(result.erf.data(), result.erf.data() + result.erf.numel());
  heatmap.colormap = plot::Colormap::Viridis;
  heatmap.vmin.reset(), heatmap.vmax.reset();
  heatmap.colorbar = true;
  heatmap.colorbarLabel = "|∂ unit/∂ px|"; // no longer than the colour bar of a small figure
  figure.contours.clear();
  figure.lines.resize(1); // the box, not the contours' legend entry
  figure.legend = plot::LegendCorner::None;
  return figure;
}

// ---------------------------------------------------------------------------------------------
// The lab
// ---------------------------------------------------------------------------------------------

namespace {

class ReceptiveFieldLab final : public Lab {
public:
  ReceptiveFieldLab() { loadImage(); }

  void draw(const LabContext& context) override {
    const float em = ImGui::GetFontSize();
    ImGui::BeginChild("controls",
                      ImVec2(std::min(19 * em, 0.33f * ImGui::GetContentRegionAvail().x), 0));
    drawControls();
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("figures");
    recomputeIfNeeded();
    if (!error_.empty()) {
      ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.75f, 0.1f, 0.1f, 1));
      ImGui::TextWrapped("%s", error_.c_str());
      ImGui::PopStyleColor();
    }
    if (result_) {
      drawTable();
      const ImVec2 available = ImGui::GetContentRegionAvail();
      ImGui::BeginChild("maps", ImVec2(0.5f * available.x, 0));
      drawMaps();
      ImGui::EndChild();
      ImGui::SameLine();
      double mx = 0, my = 0;
      plot::PlotFigure("erf", figure_, ImVec2(0, 0), context.plotStyle, &mx, &my);
    }
    ImGui::EndChild();
  }

  nlohmann::json saveState() const override {
    nlohmann::json layers = nlohmann::json::array();
    for (const RfLayerSpec& l : state_.layers)
      layers.push_back({{"kind", l.kind},
                        {"k", l.kernel},
                        {"s", l.stride},
                        {"p", l.padding},
                        {"d", l.dilation}});
    return {{"preset", state_.preset}, {"image", state_.image}, {"input_size", state_.inputSize},
            {"layers", layers},        {"pool", state_.pool},   {"weights", state_.weights},
            {"seed", state_.seed},     {"unit", state_.unit}};
  }

  Status loadState(const nlohmann::json& json) override {
    ReceptiveFieldLabState next = state_;
    JsonReader reader(json, "state");
    std::vector<std::string> presetIds = receptiveFieldPresetIds();
    presetIds.push_back("custom");
    reader.choice("preset", next.preset, presetIds)
        .choice("image", next.image, kSquareImages)
        .integer("input_size", next.inputSize, 16, 256)
        .choice("pool", next.pool, {"max", "average"})
        .choice("weights", next.weights, {"uniform", "random"})
        .integer("seed", next.seed, 0, 1000);
    if (reader.ok() && json.contains("layers")) {
      const nlohmann::json& list = json["layers"];
      if (!list.is_array() || list.empty() || list.size() > 12) {
        reader.fail("layers", "expected a list of 1 to 12 layers");
      } else {
        next.layers.clear();
        for (size_t i = 0; i < list.size() && reader.ok(); ++i) {
          const std::string path = "state.layers[" + std::to_string(i) + "]";
          if (!list[i].is_object()) {
            reader.fail("layers[" + std::to_string(i) + "]",
                        "expected {\"kind\", \"k\", \"s\", \"p\", \"d\"}");
            break;
          }
          RfLayerSpec layer;
          JsonReader fields(list[i], path);
          fields.choice("kind", layer.kind, {"conv", "pool"})
              .integer("k", layer.kernel, 1, 11)
              .integer("s", layer.stride, 1, 4)
              .integer("p", layer.padding, 0, 5)
              .integer("d", layer.dilation, 1, 8);
          if (!fields.ok()) return fields.status();
          next.layers.push_back(layer);
        }
      }
    }
    if (reader.ok() && json.contains("unit")) {
      std::vector<double> unit;
      reader.numbers("unit", unit, 3, 3);
      if (reader.ok()) {
        for (double v : unit)
          if (v < 0 || v > 4096 || v != std::floor(v))
            reader.fail("unit", "expected [layer, row, col], whole numbers ≥ 0");
        if (reader.ok()) next.unit = {int(unit[0]), int(unit[1]), int(unit[2])};
      }
    }
    if (reader.ok()) {
      Result<ReceptiveFieldTable> table =
          receptiveFields(toRfLayers(next.layers), 2, {next.inputSize, next.inputSize});
      if (!table) reader.fail("layers", table.error().message());
    }
    if (!reader.ok()) return reader.status();
    const bool newImage = next.image != state_.image;
    state_ = next;
    if (newImage) loadImage();
    return Status::success();
  }

  plot::Figure exportFigure() const override {
    Result<ReceptiveFieldResult> result =
        computeReceptiveField(workingImage(source_, false, state_.inputSize), state_);
    if (!result) {
      plot::Figure figure;
      figure.title = "Cannot compute the receptive field: " + result.error().message();
      return figure;
    }
    return receptiveFieldFigure(*result, state_);
  }

private:
  void loadImage() {
    Result<Image8> image = loadFeatureMapImage(state_.image, "");
    source_ = image ? std::move(image).value() : checkerboardImage();
    ++sourceVersion_;
  }

  // Square working image: the samples offered here are all square.
  void recomputeIfNeeded() {
    if (computed_ && computedFor_ == state_ && computedVersion_ == sourceVersion_) return;
    computed_ = true;
    computedFor_ = state_;
    computedVersion_ = sourceVersion_;
    Result<ReceptiveFieldResult> result =
        computeReceptiveField(workingImage(source_, false, state_.inputSize), state_);
    if (!result) {
      error_ = result.error().message();
      return;
    }
    error_.clear();
    result_ = std::move(result).value();
    figure_ = effectiveFieldFigure(*result_, state_);
    texturesStale_ = true;
  }

  void edited() { state_.preset = "custom"; }

  void drawControls() {
    ImGui::TextDisabled("PRESET");
    ImGui::SetNextItemWidth(-1);
    if (ImGui::BeginCombo("##preset", state_.preset == "custom"
                                          ? "custom stack"
                                          : receptiveFieldPresetTitle(state_.preset).c_str())) {
      for (const std::string& id : receptiveFieldPresetIds())
        if (ImGui::Selectable(receptiveFieldPresetTitle(id).c_str(), id == state_.preset)) {
          Result<ReceptiveFieldLabState> preset = receptiveFieldPreset(id);
          if (preset) {
            ReceptiveFieldLabState next = preset.value();
            next.image = state_.image, next.pool = state_.pool, next.weights = state_.weights,
            next.seed = state_.seed;
            state_ = next;
          }
        }
      ImGui::EndCombo();
    }
    ImGui::Spacing();
    ImGui::TextDisabled("INPUT");
    ImGui::SetNextItemWidth(-1);
    if (ImGui::BeginCombo("##image", state_.image.c_str())) {
      for (const std::string& name : kSquareImages)
        if (ImGui::Selectable(name.c_str(), name == state_.image)) state_.image = name, loadImage();
      ImGui::EndCombo();
    }
    ImGui::SetNextItemWidth(-1);
    ImGui::SliderInt("##size", &state_.inputSize, 16, 256, "input %d px square");

    ImGui::Spacing();
    ImGui::TextDisabled("LAYERS (input at the top)");
    int removeAt = -1, moveUp = -1;
    for (size_t i = 0; i < state_.layers.size(); ++i) {
      RfLayerSpec& layer = state_.layers[i];
      ImGui::PushID(static_cast<int>(i));
      // One row: number, kind, k s p d, move up, remove; the fields get what the rest leaves.
      // When that is too little for "k11" (a projector's large text), the fields go on a second
      // row of their own.
      const ImGuiStyle& style = ImGui::GetStyle();
      const float spacing = 2;
      ImGui::PushStyleVar(ImGuiStyleVar_FramePadding,
                          ImVec2(0.4f * style.FramePadding.x, style.FramePadding.y)); // compact
      const float number = ImGui::CalcTextSize("12").x;
      const float kind = ImGui::CalcTextSize("conv").x + 2 * style.FramePadding.x;
      const float up = ImGui::GetFrameHeight();
      const float remove = ImGui::CalcTextSize("×").x + 2 * style.FramePadding.x;
      const float minField = ImGui::CalcTextSize("k11").x + 2 * style.FramePadding.x;
      const float rowWidth = ImGui::GetContentRegionAvail().x;
      const float inline_ =
          (rowWidth - number - kind - up - remove - 7 * spacing - style.ItemSpacing.x) / 4;
      const bool twoRows = inline_ < minField;
      ImGui::AlignTextToFramePadding();
      ImGui::Text("%zu", i + 1);
      ImGui::SameLine(number + style.ItemSpacing.x);
      ImGui::SetNextItemWidth(kind);
      if (ImGui::BeginCombo("##kind", layer.kind.c_str(), ImGuiComboFlags_NoArrowButton)) {
        for (const char* name : {"conv", "pool"})
          if (ImGui::Selectable(name, layer.kind == name)) layer.kind = name, edited();
        ImGui::EndCombo();
      }
      auto moveAndRemove = [&] {
        ImGui::SameLine(0, spacing);
        if (ImGui::ArrowButton("##up", ImGuiDir_Up)) moveUp = static_cast<int>(i);
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("move this layer up");
        ImGui::SameLine(0, spacing);
        if (ImGui::Button("×")) removeAt = static_cast<int>(i);
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("remove this layer");
      };
      if (twoRows) moveAndRemove();
      const float field =
          twoRows ? (rowWidth - number - style.ItemSpacing.x - 3 * spacing) / 4 : inline_;
      struct Field {
        const char* label;
        int* value;
        int min, max;
        const char* meaning;
      };
      const Field fields[] = {{"k%d", &layer.kernel, 1, 11, "kernel size k"},
                              {"s%d", &layer.stride, 1, 4, "stride s"},
                              {"p%d", &layer.padding, 0, 5, "padding p"},
                              {"d%d", &layer.dilation, 1, 8, "dilation d"}};
      bool first = true;
      for (const Field& f : fields) {
        if (f.value == &layer.dilation && layer.kind == "pool") continue;
        if (first && twoRows)
          ImGui::SetCursorPosX(ImGui::GetCursorPosX() + number + style.ItemSpacing.x);
        else
          ImGui::SameLine(0, spacing);
        first = false;
        ImGui::SetNextItemWidth(field);
        ImGui::PushID(f.label);
        if (ImGui::DragInt("##v", f.value, 0.1f, f.min, f.max, f.label)) edited();
        if (ImGui::IsItemHovered())
          ImGui::SetTooltip("%s (drag, or double-click to type)", f.meaning);
        ImGui::PopID();
      }
      if (!twoRows) moveAndRemove();
      ImGui::PopStyleVar();
      ImGui::PopID();
    }
    if (moveUp > 0)
      std::swap(state_.layers[size_t(moveUp)], state_.layers[size_t(moveUp - 1)]), edited();
    if (removeAt >= 0 && state_.layers.size() > 1)
      state_.layers.erase(state_.layers.begin() + removeAt), edited();
    if (state_.layers.size() < 12) {
      // The add buttons wrap to a new row rather than run off the column.
      const float right = ImGui::GetCursorPosX() + ImGui::GetContentRegionAvail().x;
      auto addButton = [&](const char* label, RfLayerSpec layer, bool firstButton) {
        const float width = ImGui::CalcTextSize(label).x + 2 * ImGui::GetStyle().FramePadding.x;
        if (!firstButton) {
          ImGui::SameLine();
          if (ImGui::GetCursorPosX() + width > right) ImGui::NewLine();
        }
        if (ImGui::Button(label)) state_.layers.push_back(layer), edited();
      };
      addButton("+ conv 3×3", {"conv", 3, 1, 1, 1}, true);
      addButton("+ dilated", {"conv", 3, 1, 2, 2}, false);
      addButton("+ pool 2×2", {"pool", 2, 2, 0, 1}, false);
    }
    ImGui::Spacing();
    ImGui::TextDisabled("FORWARD PASS");
    int pool = state_.pool == "max" ? 0 : 1;
    if (ImGui::RadioButton("max pool", &pool, 0)) state_.pool = "max";
    ImGui::SameLine();
    if (ImGui::RadioButton("average pool", &pool, 1)) state_.pool = "average";
    int weights = state_.weights == "uniform" ? 0 : 1;
    if (ImGui::RadioButton("uniform weights", &weights, 0)) state_.weights = "uniform";
    ImGui::SameLine();
    if (ImGui::RadioButton("random", &weights, 1)) state_.weights = "random";
    if (state_.weights == "random") {
      ImGui::SetNextItemWidth(-1);
      ImGui::SliderInt("##seed", &state_.seed, 0, 1000, "seed %d");
    }
    ImGui::Spacing();
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled(
        "Click a unit in any map: its receptive field is boxed on the input, the units it "
        "depends on light up, and the effective receptive field (right) shows how much each "
        "pixel really moves it.");
    ImGui::PopTextWrapPos();
  }

  void drawTable() {
    // Columns as wide as their contents under short headers (a tooltip says each in full); the
    // layer column takes what is left. The table is as tall as its rows, up to 40 % of the height.
    const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg |
                                  ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_ScrollY;
    const float rowHeight = ImGui::GetTextLineHeight() + 2 * ImGui::GetStyle().CellPadding.y + 1;
    const float height = std::min((result_->maps.size() + 2) * rowHeight + 2,
                                  0.4f * ImGui::GetContentRegionAvail().y);
    if (!ImGui::BeginTable("rf", 6, flags, ImVec2(0, height))) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    struct Column {
      const char* header;
      const char* meaning;
    };
    static constexpr Column kColumns[] = {
        {"layer", "the layer: kind, kernel k, stride s, padding p, dilation d"},
        {"out", "output size of the layer's feature map"},
        {"RF", "receptive field: input pixels one unit of this layer sees, per side"},
        {"jump", "jump: input pixels between neighbouring units of this layer"},
        {"start", "start: input coordinate of the centre of this layer's first unit"},
        {"unit sees", "rows × cols of this layer that the selected unit depends on"}};
    for (const Column& c : kColumns)
      ImGui::TableSetupColumn(c.header, c.header == kColumns[0].header
                                            ? ImGuiTableColumnFlags_WidthStretch
                                            : ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
    for (int c = 0; c < 6; ++c) {
      ImGui::TableSetColumnIndex(c);
      ImGui::TableHeader(kColumns[c].header);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", kColumns[c].meaning);
    }
    for (size_t l = 0; l < result_->table.layers.size(); ++l) {
      const RfLayerInfo& info = result_->table.layers[l];
      ImGui::TableNextRow();
      if (int(l) == result_->unit[0])
        ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, IM_COL32(255, 220, 170, 255));
      ImGui::TableNextColumn();
      if (l == 0)
        ImGui::TextUnformatted("input");
      else
        ImGui::Text("%zu  %s", l, layerName(state_.layers[l - 1], state_.pool).c_str());
      ImGui::TableNextColumn();
      const Index size = l == 0 ? state_.inputSize : info.outputSize[0];
      ImGui::Text("%lld×%lld", (long long)size, (long long)size);
      ImGui::TableNextColumn();
      ImGui::Text("%lld", (long long)info.rf[0]);
      ImGui::TableNextColumn();
      ImGui::Text("%lld", (long long)info.jump[0]);
      ImGui::TableNextColumn();
      // Negative starts with the formulas' minus sign (U+2212), not a hyphen.
      ImGui::Text("%s%lld", info.start[0] < 0 ? "−" : "", (long long)std::abs(info.start[0]));
      ImGui::TableNextColumn();
      if (int(l) <= result_->unit[0]) {
        const auto& rows = result_->dependencies.units[l][0];
        const auto& cols = result_->dependencies.units[l][1];
        // "a–b" for a range of units, "a" for a single one (the selected unit's own layer).
        auto range = [](const auto& units) {
          const std::string first = std::to_string(units.front());
          return units.front() == units.back() ? first : first + "–" + std::to_string(units.back());
        };
        if (!rows.empty() && !cols.empty())
          ImGui::Text("%s × %s", range(rows).c_str(), range(cols).c_str());
      }
    }
    ImGui::EndTable();
  }

  void uploadTextures() {
    if (!texturesStale_) return;
    textures_.resize(result_->maps.size() + 1);
    for (size_t i = 0; i <= result_->maps.size(); ++i) {
      const Tensor& t = i == 0 ? result_->input : result_->maps[i - 1];
      const int h = int(t.dim(2)), w = int(t.dim(3));
      const auto [lo, hi] = std::minmax_element(t.data(), t.data() + t.numel());
      const float range = std::max(1e-12f, *hi - *lo);
      std::vector<std::uint8_t> rgba(static_cast<size_t>(w) * h * 4, 255);
      for (Index p = 0; p < t.numel(); ++p) {
        const auto v = static_cast<std::uint8_t>(std::lround(
            255 * (i == 0 ? std::clamp(t.data()[p], 0.0f, 1.0f) : (t.data()[p] - *lo) / range)));
        rgba[size_t(p) * 4] = rgba[size_t(p) * 4 + 1] = rgba[size_t(p) * 4 + 2] = v;
      }
      textures_[i].upload(w, h, rgba.data(), gl::TextureFilter::Nearest);
    }
    texturesStale_ = false;
  }

  // The input and every layer's map in grey; the selected unit's dependencies lit in orange, its
  // receptive field boxed on the input. Click any unit to select it.
  void drawMaps() {
    uploadTextures();
    const size_t count = result_->maps.size() + 1;
    const ImVec2 available = ImGui::GetContentRegionAvail();
    const float line = ImGui::GetTextLineHeightWithSpacing(), gap = 0.5f * ImGui::GetFontSize();
    int columns = 1;
    float side = 0;
    for (int c = 1; c <= int(count); ++c) {
      const int rows = (int(count) + c - 1) / c;
      const float s = std::min(available.x / c - gap, available.y / rows - line - gap);
      if (s > side) side = s, columns = c;
    }
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const ImU32 lit = IM_COL32(255, 140, 0, 110), chosen = IM_COL32(230, 40, 30, 255);
    for (size_t i = 0; i < count; ++i) {
      const Tensor& t = i == 0 ? result_->input : result_->maps[i - 1];
      const float h = float(t.dim(2)), w = float(t.dim(3));
      const float scale = side / std::max(h, w);
      const float x = origin.x + float(i % size_t(columns)) * (side + gap);
      const float y = origin.y + float(i / size_t(columns)) * (side + line + gap);
      char label[64];
      if (i == 0)
        std::snprintf(label, sizeof label, "input %d×%d", int(w), int(h));
      else
        std::snprintf(label, sizeof label, "%zu: %d×%d", i, int(w), int(h));
      if (ImGui::CalcTextSize(label).x > side) { // too narrow: "input", "3" (the table has sizes)
        if (i == 0)
          std::snprintf(label, sizeof label, "input");
        else
          std::snprintf(label, sizeof label, "%zu", i);
      }
      draw->PushClipRect(ImVec2(x, y), ImVec2(x + side, y + line), true);
      draw->AddText(ImVec2(x, y), ImGui::GetColorU32(ImGuiCol_Text), label);
      draw->PopClipRect();
      const ImVec2 a(x, y + line), b(x + w * scale, y + line + h * scale);
      draw->AddImage(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(textures_[i].id())), a, b);
      draw->AddRect(ImVec2(a.x - 1, a.y - 1), ImVec2(b.x + 1, b.y + 1), IM_COL32(60, 60, 60, 255));
      draw->PushClipRect(a, b, true);
      if (int(i) <= result_->unit[0]) {
        // Dependencies form a grid (with holes under dilation): light each row × col cell.
        const auto& rows = result_->dependencies.units[i][0];
        const auto& cols = result_->dependencies.units[i][1];
        if (rows.size() * cols.size() <= 40000 || i == 0)
          for (Index r : rows)
            for (Index c : cols)
              draw->AddRectFilled(ImVec2(a.x + c * scale, a.y + r * scale),
                                  ImVec2(a.x + (c + 1) * scale, a.y + (r + 1) * scale), lit);
      }
      if (int(i) == result_->unit[0]) {
        const ImVec2 u(a.x + result_->unit[2] * scale, a.y + result_->unit[1] * scale);
        draw->AddRect(ImVec2(u.x - 1, u.y - 1), ImVec2(u.x + scale + 1, u.y + scale + 1), chosen, 0,
                      0, 2.5f);
      }
      draw->PopClipRect();
      if (i == 0) { // the theoretical box, which may reach into the padding (outside the image)
        const auto& first = result_->dependencies.inputBoxFirst;
        const auto& last = result_->dependencies.inputBoxLast;
        draw->AddRect(ImVec2(a.x + first[1] * scale, a.y + first[0] * scale),
                      ImVec2(a.x + (last[1] + 1) * scale, a.y + (last[0] + 1) * scale), chosen, 0,
                      0, 2.5f);
      }
      if (i > 0) {
        ImGui::SetCursorScreenPos(a);
        ImGui::PushID(int(i));
        ImGui::InvisibleButton("##map", ImVec2(b.x - a.x, b.y - a.y));
        if (ImGui::IsItemClicked()) {
          const ImVec2 mouse = ImGui::GetIO().MousePos;
          state_.unit = {int(i), int((mouse.y - a.y) / scale), int((mouse.x - a.x) / scale)};
        }
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("click: receptive field of this unit");
        ImGui::PopID();
      }
    }
    ImGui::SetCursorScreenPos(origin);
    ImGui::Dummy(available);
  }

  ReceptiveFieldLabState state_;
  Image8 source_;
  int sourceVersion_ = 0;
  bool computed_ = false;
  ReceptiveFieldLabState computedFor_;
  int computedVersion_ = -1;
  std::string error_;
  std::optional<ReceptiveFieldResult> result_;
  plot::Figure figure_;
  std::vector<gl::Texture> textures_; // input and each layer's map, grey
  bool texturesStale_ = true;
};

} // namespace

std::unique_ptr<Lab> createReceptiveFieldLab() {
  return std::make_unique<ReceptiveFieldLab>();
}

} // namespace nnlab::app
