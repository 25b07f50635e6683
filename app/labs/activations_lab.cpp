#include "labs/activations_lab.h"

#include <imgui.h>
#include <nlohmann/json.hpp>

#include "core/json_fields.h"
#include "plot/plot_widget.h"

namespace nnlab::app {

plot::Figure activationsFigure(const ActivationsLabState& state) {
  constexpr int kSamples = 401;
  plot::Figure figure;
  figure.title = state.showDerivative ? "Activation functions f(x) and derivatives f′(x) (dashed)"
                                      : "Activation functions f(x)";
  figure.xAxis.label = "x";
  figure.yAxis.label = state.showDerivative ? "f(x), f′(x)" : "f(x)";
  figure.legend = plot::LegendCorner::TopLeft;
  int colorIndex = 0;
  for (size_t i = 0; i < kAllActivations.size(); ++i) {
    if (!state.shown[i]) continue;
    const Activation a = kAllActivations[i];
    const plot::Color color = plot::seriesColor(colorIndex++);
    plot::LineSeries value, derivative;
    value.label = std::string(activationName(a));
    value.color = derivative.color = color;
    derivative.style = plot::LineStyle::Dashed;
    derivative.width = 1.5f;
    for (int s = 0; s < kSamples; ++s) {
      const double x = state.xMin + (state.xMax - state.xMin) * s / (kSamples - 1);
      value.x.push_back(x);
      value.y.push_back(activate(a, x, state.alpha));
      derivative.x.push_back(x);
      derivative.y.push_back(activationDerivative(a, x, state.alpha));
    }
    figure.lines.push_back(std::move(value));
    if (state.showDerivative) figure.lines.push_back(std::move(derivative));
    plot::Annotation probe;
    probe.x = state.probeX;
    probe.y = activate(a, state.probeX, state.alpha);
    probe.marker = true;
    probe.color = color;
    figure.annotations.push_back(probe);
  }
  return figure;
}

namespace {

class ActivationsLab final : public Lab {
public:
  void draw(const LabContext& context) override {
    const float em = ImGui::GetFontSize();
    // The controls take at most a third of the width, so the figure keeps room on a projector.
    ImGui::BeginChild("controls", ImVec2(std::min(18 * em, 0.34f * ImGui::GetContentRegionAvail().x), 0));
    drawControls();
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("plots");
    if (!(state_ == computedFor_) || !computed_) {
      figure_ = activationsFigure(state_);
      computedFor_ = state_;
      computed_ = true;
    }
    const float tableHeight = (static_cast<float>(countShown()) + 2.5f) * ImGui::GetFrameHeightWithSpacing();
    const ImVec2 available = ImGui::GetContentRegionAvail();
    plot::PlotFigure("activations", figure_,
                     ImVec2(available.x, std::max({10 * em, 0.6f * available.y, available.y - tableHeight})),
                     context.plotStyle);
    drawValueTable();
    ImGui::EndChild();
  }

  nlohmann::json saveState() const override {
    nlohmann::json functions = nlohmann::json::array();
    for (size_t i = 0; i < kAllActivations.size(); ++i)
      if (state_.shown[i]) functions.push_back(std::string(activationId(kAllActivations[i])));
    return {{"functions", functions},
            {"alpha", state_.alpha},
            {"x_range", {state_.xMin, state_.xMax}},
            {"probe_x", state_.probeX},
            {"show_derivative", state_.showDerivative}};
  }

  Status loadState(const nlohmann::json& json) override {
    ActivationsLabState next = state_;
    JsonReader reader(json, "state");
    std::vector<double> range{next.xMin, next.xMax};
    reader.number("alpha", next.alpha, 0.0, 1.0)
        .numbers("x_range", range, 2, 2)
        .number("probe_x", next.probeX, -100.0, 100.0)
        .boolean("show_derivative", next.showDerivative);
    if (reader.ok() && !(range[0] < range[1] && range[0] >= -100 && range[1] <= 100))
      reader.fail("x_range", "expected [min, max] with -100 ≤ min < max ≤ 100");
    next.xMin = range[0];
    next.xMax = range[1];
    if (reader.ok() && json.contains("functions")) {
      const nlohmann::json& list = json["functions"];
      if (!list.is_array()) {
        reader.fail("functions", "expected a list of activation names");
      } else {
        next.shown.fill(false);
        for (size_t i = 0; i < list.size() && reader.ok(); ++i) {
          const std::optional<Activation> a =
              list[i].is_string() ? activationFromId(list[i].get<std::string>()) : std::nullopt;
          if (!a)
            reader.fail("functions[" + std::to_string(i) + "]",
                        "unknown activation " + list[i].dump() +
                            " (expected relu, leaky_relu, elu, sigmoid, tanh, softplus, gelu, silu)");
          else
            next.shown[static_cast<size_t>(*a)] = true;
        }
      }
    }
    if (!reader.ok()) return reader.status();
    state_ = next;
    return Status::success();
  }

  plot::Figure exportFigure() const override { return activationsFigure(state_); }

private:
  int countShown() const {
    int n = 0;
    for (bool s : state_.shown) n += s;
    return n;
  }

  void drawControls() {
    ImGui::TextDisabled("FUNCTIONS");
    for (size_t i = 0; i < kAllActivations.size(); ++i)
      ImGui::Checkbox(std::string(activationName(kAllActivations[i])).c_str(), &state_.shown[i]);
    ImGui::Spacing();
    ImGui::TextDisabled("PARAMETERS");
    ImGui::SetNextItemWidth(-1);
    ImGui::SliderScalar("##alpha", ImGuiDataType_Double, &state_.alpha, &kAlphaMin, &kAlphaMax, "α = %.3f");
    ImGui::SetNextItemWidth(-1);
    ImGui::SliderScalar("##probe", ImGuiDataType_Double, &state_.probeX, &state_.xMin, &state_.xMax,
                        "probe x = %.2f");
    float range[2] = {static_cast<float>(state_.xMin), static_cast<float>(state_.xMax)};
    ImGui::SetNextItemWidth(-1);
    if (ImGui::DragFloat2("##range", range, 0.05f, -100.0f, 100.0f, "%.1f") && range[0] < range[1]) {
      state_.xMin = range[0];
      state_.xMax = range[1];
      state_.probeX = std::clamp(state_.probeX, state_.xMin, state_.xMax);
    }
    ImGui::TextDisabled("x range (drag)");
    ImGui::Checkbox("Show derivatives f′(x)", &state_.showDerivative);
    ImGui::Spacing();
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled("Where f′ is near 0 (sigmoid and tanh far from 0), almost no gradient flows "
                        "back: the unit saturates.");
    ImGui::PopTextWrapPos();
  }

  void drawValueTable() {
    const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp;
    if (!ImGui::BeginTable("values", 4, flags)) return;
    char header[64];
    ImGui::TableSetupColumn("function");
    ImGui::TableSetupColumn("formula");
    std::snprintf(header, sizeof header, "f(%.2f)", state_.probeX);
    ImGui::TableSetupColumn(header);
    std::snprintf(header, sizeof header, "f′(%.2f)", state_.probeX);
    ImGui::TableSetupColumn(header);
    ImGui::TableHeadersRow();
    for (size_t i = 0; i < kAllActivations.size(); ++i) {
      if (!state_.shown[i]) continue;
      const Activation a = kAllActivations[i];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(std::string(activationName(a)).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(std::string(activationFormula(a)).c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%.6f", activate(a, state_.probeX, state_.alpha));
      ImGui::TableNextColumn();
      ImGui::Text("%.6f", activationDerivative(a, state_.probeX, state_.alpha));
    }
    ImGui::EndTable();
  }

  static constexpr double kAlphaMin = 0.0, kAlphaMax = 1.0;
  ActivationsLabState state_;
  ActivationsLabState computedFor_;
  bool computed_ = false;
  plot::Figure figure_;
};

} // namespace

std::unique_ptr<Lab> createActivationsLab() { return std::make_unique<ActivationsLab>(); }

} // namespace nnlab::app
