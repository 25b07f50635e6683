#include "plot/plot_widget.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>

#include "plot/export.h"
#include "plot/imgui_canvas.h"

namespace nnlab::plot {
namespace {

// What PlotFigure keeps between frames. Allocated once and never destroyed by a static
// destructor: its textures must go while the GL context lives (ShutdownPlotTextures).
struct PlotWidgetState {
  TextureCache textures;
  char exportName[256] = {};
  int exportDpi = 150;
  std::string exportResult; // "wrote exports/x.png" or the error
  bool exportOk = true;
};

PlotWidgetState& widgetState() {
  static PlotWidgetState* state = new PlotWidgetState();
  return *state;
}

using ExportFunction = std::function<Status(const std::string& path, const ExportOptions&)>;

void exportTo(const ExportFunction& write, const char* extension, PlotWidgetState& s) {
  std::string stem = s.exportName;
  // A typed extension is the user's, not part of the stem: "loss.png" + PDF -> loss.pdf.
  for (const char* known : {".png", ".svg", ".pdf", ".csv"})
    if (stem.size() > 4 && stem.compare(stem.size() - 4, 4, known) == 0)
      stem.resize(stem.size() - 4);
  if (stem.empty()) stem = "figure";
  std::error_code ec;
  std::filesystem::create_directories("exports", ec);
  const std::string path = "exports/" + stem + extension;
  ExportOptions options; // paper style: unscaled, white, whatever the screen's presentation mode
  options.dpi = float(s.exportDpi);
  const Status status = write(path, options);
  s.exportOk = status.ok();
  s.exportResult = status ? "Wrote " + (std::filesystem::current_path(ec) / path).string()
                          : status.error().message();
}

} // namespace

std::string exportFileStem(const std::string& title) {
  std::string stem;
  for (unsigned char c : title) {
    if (std::isalnum(c))
      stem += char(std::tolower(c));
    else if (!stem.empty() && stem.back() != '_')
      stem += '_';
  }
  while (!stem.empty() && stem.back() == '_') stem.pop_back();
  return stem.empty() ? "figure" : stem.substr(0, 120);
}

namespace {

// The right-click popup shared by both widgets: file name, dpi, the four formats, the result.
void exportPopup(const std::string& title, const ExportFunction& write, PlotWidgetState& state) {
  if (!ImGui::BeginPopupContextItem("##export")) return;
  if (ImGui::IsWindowAppearing()) {
    const std::string stem = exportFileStem(title);
    std::snprintf(state.exportName, sizeof state.exportName, "%s", stem.c_str());
    state.exportResult.clear();
  }
  ImGui::TextUnformatted("Export figure to exports/");
  ImGui::SetNextItemWidth(18 * ImGui::GetFontSize());
  ImGui::InputText("file name", state.exportName, sizeof state.exportName);
  ImGui::SetNextItemWidth(18 * ImGui::GetFontSize());
  if (ImGui::InputInt("PNG dpi", &state.exportDpi, 50, 100))
    state.exportDpi = std::clamp(state.exportDpi, 50, 1200);
  if (ImGui::Button("Export PNG")) exportTo(write, ".png", state);
  ImGui::SameLine();
  if (ImGui::Button("Export SVG")) exportTo(write, ".svg", state);
  ImGui::SameLine();
  if (ImGui::Button("Export PDF")) exportTo(write, ".pdf", state);
  ImGui::SameLine();
  if (ImGui::Button("Export CSV")) exportTo(write, ".csv", state);
  if (!state.exportResult.empty()) {
    const ImVec4 color =
        state.exportOk ? ImVec4(0.35f, 0.75f, 0.4f, 1) : ImVec4(0.95f, 0.4f, 0.35f, 1);
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + 36 * ImGui::GetFontSize());
    ImGui::TextColored(color, "%s", state.exportResult.c_str());
    ImGui::PopTextWrapPos();
  }
  ImGui::EndPopup();
}

// ImGui's size convention: > 0 pixels, 0 the available space, < 0 the available space minus that.
ImVec2 resolveSize(ImVec2 size) {
  const ImVec2 available = ImGui::GetContentRegionAvail();
  if (size.x <= 0) size.x = std::max(4.0f, available.x + size.x);
  if (size.y <= 0) size.y = std::max(4.0f, available.y + size.y);
  return size;
}

} // namespace

bool PlotFigure(const char* id, const Figure& figure, ImVec2 size, const PlotStyle& style,
                double* mouseX, double* mouseY) {
  PlotWidgetState& state = widgetState();
  ImGui::PushID(id);
  size = resolveSize(size);
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const ImGuiID owner =
      ImGui::GetID("##figure"); // the button's own id: keys this figure's textures
  ImGui::InvisibleButton("##figure", size);
  const bool itemHovered = ImGui::IsItemHovered();

  bool plotHovered = false;
  if (ImGui::IsItemVisible()) {
    ImDrawList* drawList = ImGui::GetWindowDrawList();
    ImGuiCanvas canvas(drawList, ImGui::GetFont(), &state.textures, owner, ImGui::GetFrameCount());
    drawList->PushClipRect(origin, {origin.x + size.x, origin.y + size.y}, true);
    const FigureLayout layout =
        drawFigure(figure, canvas, {origin.x, origin.y, size.x, size.y}, style);
    drawList->PopClipRect();
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    if (itemHovered && layout.error.empty() && layout.plot.contains({mouse.x, mouse.y})) {
      plotHovered = true;
      if (mouseX) *mouseX = layout.x.toData(mouse.x);
      if (mouseY) *mouseY = layout.y.toData(mouse.y);
    }
  }
  if (ImGui::GetFrameCount() % 60 == 0) state.textures.collect(ImGui::GetFrameCount());
  exportPopup(
      figure.title,
      [&figure](const std::string& path, const ExportOptions& o) {
        return exportFigure(figure, path, o);
      },
      state);
  ImGui::PopID();
  return plotHovered;
}

bool PlotFigureGrid(const char* id, const FigureGrid& grid, ImVec2 size, const PlotStyle& style,
                    int* hoveredPanel, double* mouseX, double* mouseY) {
  PlotWidgetState& state = widgetState();
  ImGui::PushID(id);
  size = resolveSize(size);
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const ImGuiID owner = ImGui::GetID("##grid");
  ImGui::InvisibleButton("##grid", size);
  const bool itemHovered = ImGui::IsItemHovered();

  bool plotHovered = false;
  if (ImGui::IsItemVisible()) {
    ImDrawList* drawList = ImGui::GetWindowDrawList();
    // One canvas for the grid: its image slots run through the panels in order (heatmap, then
    // colorbar, per panel; the shared colorbar last), so each heatmap keeps its own texture.
    ImGuiCanvas canvas(drawList, ImGui::GetFont(), &state.textures, owner, ImGui::GetFrameCount());
    drawList->PushClipRect(origin, {origin.x + size.x, origin.y + size.y}, true);
    const FigureGridLayout layout =
        drawFigureGrid(grid, canvas, {origin.x, origin.y, size.x, size.y}, style);
    drawList->PopClipRect();
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    for (std::size_t i = 0; itemHovered && i < layout.panels.size(); ++i) {
      const FigureLayout& panel = layout.panels[i];
      if (!panel.error.empty() || !panel.plot.contains({mouse.x, mouse.y})) continue;
      plotHovered = true;
      if (hoveredPanel) *hoveredPanel = int(i);
      if (mouseX) *mouseX = panel.x.toData(mouse.x);
      if (mouseY) *mouseY = panel.y.toData(mouse.y);
      break;
    }
  }
  if (ImGui::GetFrameCount() % 60 == 0) state.textures.collect(ImGui::GetFrameCount());
  std::string title = grid.title;
  if (title.empty() && !grid.panels.empty()) title = grid.panels.front().title;
  exportPopup(
      title,
      [&grid](const std::string& path, const ExportOptions& o) {
        return exportFigureGrid(grid, path, o);
      },
      state);
  ImGui::PopID();
  return plotHovered;
}

void ShutdownPlotTextures() {
  widgetState().textures.clear();
}

} // namespace nnlab::plot
