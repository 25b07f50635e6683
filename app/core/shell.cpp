#include "core/shell.h"

#include <filesystem>
#include <imgui.h>
#include <imgui_stdlib.h>
#include <nlohmann/json.hpp>

#include "core/scene.h"
#include "core/export_command.h"

namespace nnlab::app {

namespace {

// A light theme: it projects better than a dark one, and matches exported figures (white paper).
void applyTheme(ImGuiStyle& style) {
  ImGui::StyleColorsLight(&style);
  style.WindowRounding = 0.0f;
  style.FrameRounding = 3.0f;
  style.GrabRounding = 3.0f;
  style.FramePadding = ImVec2(6, 4);
  style.ItemSpacing = ImVec2(8, 6);
  style.WindowPadding = ImVec2(10, 10);
  style.ScrollbarSize = 16;
  style.Colors[ImGuiCol_WindowBg] = ImVec4(0.97f, 0.97f, 0.97f, 1.0f);
  style.Colors[ImGuiCol_ChildBg] = ImVec4(1.0f, 1.0f, 1.0f, 1.0f);
  style.Colors[ImGuiCol_Text] = ImVec4(0.08f, 0.08f, 0.10f, 1.0f);
  // Slider and input frames must stand out from the white content area.
  style.Colors[ImGuiCol_FrameBg] = ImVec4(0.88f, 0.89f, 0.92f, 1.0f);
  style.Colors[ImGuiCol_FrameBgHovered] = ImVec4(0.80f, 0.85f, 0.95f, 1.0f);
  style.Colors[ImGuiCol_FrameBgActive] = ImVec4(0.72f, 0.80f, 0.95f, 1.0f);
}

// Plot text is sized in points for paper (11.5 pt tick labels); on screen it should read like the
// UI's own 17 px text, so figures drawn in the window are scaled up by this much.
constexpr float kOnScreenPlotScale = 1.35f;

ImVec4 severityColor(Severity s) {
  switch (s) {
  case Severity::Info: return ImVec4(0.10f, 0.35f, 0.15f, 1.0f);
  case Severity::Warning: return ImVec4(0.60f, 0.40f, 0.00f, 1.0f);
  case Severity::Error: return ImVec4(0.75f, 0.10f, 0.10f, 1.0f);
  }
  return ImVec4(0, 0, 0, 1);
}

} // namespace

Shell::Shell(MessageLog& messages, FontSet fonts, float contentScale)
    : messages_(messages), fonts_(fonts), contentScale_(contentScale) {
  labs_.resize(labRegistry().size());
  applyScale();
  (void)selectLab(labRegistry().front().id);
}

Shell::~Shell() = default;

void Shell::applyScale() {
  const float scale = contentScale_ * (presentation_ ? kPresentationScale : 1.0f);
  ImGuiStyle style;
  applyTheme(style);
  style.ScaleAllSizes(scale);
  ImGui::GetStyle() = style;
  ImGui::GetIO().FontDefault = presentation_ ? fonts_.presentationText : fonts_.text;
  plotStyle_ = plot::PlotStyle{};
  plotStyle_.scale = scale * kOnScreenPlotScale;
  // Figures sit on the content area's white, so on screen their white fills are left out (alpha 0
  // skips the fill; the colour stays white for contrast decisions): each would cost the software
  // rasterizer a figure-sized pass. Exports use their own opaque paper style.
  plotStyle_.background.a = 0;
  plotStyle_.plotBackground.a = 0;
}

void Shell::setPresentation(bool on) {
  if (on == presentation_) return;
  presentation_ = on;
  // On a projector every pixel counts: the lab list folds away (the Labs menu still switches).
  showSidebar_ = !on;
  applyScale();
}

Status Shell::selectLab(const std::string& id) {
  const auto& registry = labRegistry();
  for (size_t i = 0; i < registry.size(); ++i) {
    if (id != registry[i].id) continue;
    if (!labs_[i]) labs_[i] = registry[i].create();
    current_ = i;
    return Status::success();
  }
  return Error{"--lab", "unknown lab \"" + id + "\" (known: " + knownLabIds() + ")"};
}

const LabInfo& Shell::currentLabInfo() const { return labRegistry()[current_]; }
Lab& Shell::currentLab() { return *labs_[current_]; }

Status Shell::loadScene(const std::string& path) {
  Result<SceneFile> scene = readSceneFile(path);
  if (!scene) return scene.error();
  // Load into a fresh lab first: the lab the user is working in changes only if the file is good.
  const LabInfo* info = findLab(scene->labId);
  std::unique_ptr<Lab> candidate = info->create();
  if (Status loaded = candidate->loadState(scene->state); !loaded)
    return Error{path, loaded.error().message()};
  const size_t index = static_cast<size_t>(info - labRegistry().data());
  labs_[index] = std::move(candidate);
  current_ = index;
  return Status::success();
}

Status Shell::saveScene(const std::string& path) {
  return writeSceneFile(path, makeScene(currentLabInfo().id, currentLab().saveState()));
}

void Shell::onDroppedFiles(const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    if (std::filesystem::path(path).extension() == ".json") {
      if (Status s = loadScene(path); !s) messages_.error(s.error().message());
      else messages_.info("loaded scene " + path);
    } else if (!currentLab().acceptDroppedFile(path, messages_)) {
      messages_.warning(std::string(currentLabInfo().title) + " has no use for " + path +
                        " (drop a scene .json, or an image on the feature-map lab)");
    }
  }
}

void Shell::drawFrame(float displayWidth, float displayHeight, float frameMilliseconds) {
  ImGui::SetNextWindowPos(ImVec2(0, 0), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(displayWidth, displayHeight), ImGuiCond_Always);
  // NoBackground: the runner clears the frame to WindowBg already. Under software GL every pixel
  // a frame covers costs rasterizer time (a full-window fill is ~10 ms of llvmpipe per 1280×800),
  // so backgrounds are drawn once: the clear, then the white sidebar and content children; the
  // labs' own children inside them are transparent (see ChildBg below).
  const ImGuiWindowFlags rootFlags =
      ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_MenuBar |
      ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoSavedSettings |
      ImGuiWindowFlags_NoBackground;
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
  ImGui::Begin("NN Lab", nullptr, rootFlags);
  ImGui::PopStyleVar();
  drawMenuBar();

  const ImGuiStyle& style = ImGui::GetStyle();
  const float statusHeight = ImGui::GetFrameHeight() + style.WindowPadding.y;
  const float sidebarWidth = 15.0f * ImGui::GetFontSize();
  const float bodyHeight = ImGui::GetContentRegionAvail().y - statusHeight;

  if (showSidebar_) {
    ImGui::BeginChild("sidebar", ImVec2(sidebarWidth, bodyHeight), true);
    drawSidebar(sidebarWidth);
    ImGui::EndChild();
    ImGui::SameLine(0, 0);
  }
  ImGui::BeginChild("content", ImVec2(0, bodyHeight), true);
  const LabInfo& info = currentLabInfo();
  ImGui::PushFont(presentation_ ? fonts_.presentationText : fonts_.text);
  ImGui::TextUnformatted(info.title);
  ImGui::PopFont();
  ImGui::Separator();
  LabContext context{messages_, plotStyle_, contentScale_ * (presentation_ ? kPresentationScale : 1.0f),
                     presentation_, presentation_ ? fonts_.presentationMono : fonts_.mono, &shared_};
  ImGui::PushStyleColor(ImGuiCol_ChildBg, ImVec4(0, 0, 0, 0)); // white already: no second fill
  currentLab().draw(context);
  ImGui::PopStyleColor();
  ImGui::EndChild();
  drawStatusBar(frameMilliseconds);
  ImGui::End();

  drawDialogs();
  if (showMessageLog_) drawMessageLog();
}

void Shell::drawMenuBar() {
  if (!ImGui::BeginMenuBar()) return;
  if (ImGui::BeginMenu("File")) {
    if (ImGui::MenuItem("Open scene...", "Ctrl+O")) openDialog_ = DialogKind::Open;
    if (ImGui::MenuItem("Save scene...", "Ctrl+S")) openDialog_ = DialogKind::Save;
    if (ImGui::MenuItem("Export figure...", "Ctrl+E")) openDialog_ = DialogKind::ExportFigure;
    ImGui::Separator();
    if (ImGui::MenuItem("Quit", "Ctrl+Q")) quitRequested_ = true;
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("View")) {
    bool presentation = presentation_;
    if (ImGui::MenuItem("Presentation mode", "F5", &presentation)) setPresentation(presentation);
    ImGui::MenuItem("Lab list", nullptr, &showSidebar_);
    ImGui::MenuItem("Message log", nullptr, &showMessageLog_);
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Labs")) {
    for (const LabInfo& lab : labRegistry())
      if (ImGui::MenuItem(lab.title, nullptr, &lab == &currentLabInfo())) (void)selectLab(lab.id);
    ImGui::EndMenu();
  }
  ImGui::EndMenuBar();
}

void Shell::drawSidebar(float width) {
  ImGui::TextDisabled("LABS");
  ImGui::Spacing();
  const auto& registry = labRegistry();
  for (size_t i = 0; i < registry.size(); ++i) {
    ImGui::PushID(static_cast<int>(i));
    if (ImGui::Selectable(registry[i].title, i == current_)) (void)selectLab(registry[i].id);
    ImGui::PushTextWrapPos(width - ImGui::GetStyle().WindowPadding.x);
    ImGui::TextDisabled("%s", registry[i].summary);
    ImGui::PopTextWrapPos();
    ImGui::Spacing();
    ImGui::PopID();
  }
}

void Shell::drawStatusBar(float frameMilliseconds) {
  char right[64];
  std::snprintf(right, sizeof right, "%s%.1f ms/frame", presentation_ ? "PRESENTATION · " : "",
                frameMilliseconds);
  const float padding = ImGui::GetStyle().WindowPadding.x;
  const float rightWidth = ImGui::CalcTextSize(right).x + padding;
  const float leftWidth = ImGui::GetWindowWidth() - rightWidth - 2 * padding; // room for the left part

  ImGui::SetCursorPosX(padding);
  ImGui::AlignTextToFramePadding();
  ImGui::PushClipRect(ImGui::GetCursorScreenPos(),
                      ImVec2(ImGui::GetCursorScreenPos().x + leftWidth, ImGui::GetWindowPos().y + ImGui::GetWindowHeight()),
                      true);
  if (const Message* latest = messages_.latest(); latest && messages_.now() - latest->time < 15.0) {
    ImGui::PushStyleColor(ImGuiCol_Text, severityColor(latest->severity));
    ImGui::Text("%s: %s", severityName(latest->severity), latest->text.c_str());
    ImGui::PopStyleColor();
    if (ImGui::IsItemClicked()) showMessageLog_ = true;
  } else {
    const char* hint = "F5 presentation mode · F12 save window as PNG · right-click a figure to export it";
    if (ImGui::CalcTextSize(hint).x > leftWidth) hint = "F5 presentation · F12 screenshot";
    ImGui::TextDisabled("%s", hint);
  }
  ImGui::PopClipRect();
  ImGui::SameLine(ImGui::GetWindowWidth() - rightWidth);
  ImGui::TextDisabled("%s", right);
}

void Shell::drawDialogs() {
  static const char* kTitles[] = {"", "Open scene", "Save scene", "Export figure"};
  if (openDialog_ != DialogKind::None) {
    const char* id = currentLabInfo().id;
    pathInput_ = openDialog_ == DialogKind::ExportFigure ? std::string(id) + ".pdf"
                                                          : std::string(id) + ".json";
    dialogError_.clear();
    ImGui::OpenPopup("##path dialog");
    activeDialog_ = openDialog_;
    openDialog_ = DialogKind::None;
  }
  if (!ImGui::BeginPopupModal("##path dialog", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
  ImGui::TextUnformatted(kTitles[static_cast<int>(activeDialog_)]);
  ImGui::SetNextItemWidth(30.0f * ImGui::GetFontSize());
  if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
  const bool entered = ImGui::InputText("path", &pathInput_, ImGuiInputTextFlags_EnterReturnsTrue);
  if (activeDialog_ == DialogKind::ExportFigure)
    ImGui::TextDisabled("The extension chooses the format: .png, .svg, .pdf or .csv");
  if (!dialogError_.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, severityColor(Severity::Error));
    ImGui::PushTextWrapPos(30.0f * ImGui::GetFontSize());
    ImGui::TextUnformatted(dialogError_.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
  }
  if (ImGui::Button("OK") || entered) {
    Status result;
    switch (activeDialog_) {
    case DialogKind::Open: result = loadScene(pathInput_); break;
    case DialogKind::Save: result = saveScene(pathInput_); break;
    case DialogKind::ExportFigure:
      result = exportLabFigure(currentLab(), pathInput_, plot::ExportOptions{});
      break;
    case DialogKind::None: break;
    }
    if (result) {
      messages_.info(std::string(kTitles[static_cast<int>(activeDialog_)]) + ": " + pathInput_);
      ImGui::CloseCurrentPopup();
    } else {
      dialogError_ = result.error().message(); // keep the dialog open so the path can be fixed
    }
  }
  ImGui::SameLine();
  if (ImGui::Button("Cancel") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape)))
    ImGui::CloseCurrentPopup();
  ImGui::EndPopup();
}

void Shell::drawMessageLog() {
  ImGui::SetNextWindowSize(ImVec2(40 * ImGui::GetFontSize(), 14 * ImGui::GetFontSize()),
                           ImGuiCond_FirstUseEver);
  if (ImGui::Begin("Message log", &showMessageLog_)) {
    for (const Message& m : messages_.messages()) {
      ImGui::TextDisabled("%6.1f s", m.time);
      ImGui::SameLine();
      ImGui::PushStyleColor(ImGuiCol_Text, severityColor(m.severity));
      ImGui::TextWrapped("%s", m.text.c_str());
      ImGui::PopStyleColor();
    }
    if (ImGui::GetScrollY() >= ImGui::GetScrollMaxY()) ImGui::SetScrollHereY(1.0f);
  }
  ImGui::End();
}

} // namespace nnlab::app
