#include "core/presets.h"

#include <algorithm>
#include <filesystem>
#include <imgui.h>

#include "core/lab.h"
#include "core/messages.h"
#include "core/paths.h"
#include "core/scene.h"

namespace nnlab::app {

std::vector<ScenePreset> findScenePresets(const std::string& labId) {
  std::vector<ScenePreset> presets;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(assetsDir() / "scenes", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(labId + "_", 0) != 0 || entry.path().extension() != ".json") continue;
    Result<SceneFile> scene = readSceneFile(entry.path().string());
    if (!scene || scene->labId != labId) continue;
    presets.push_back({entry.path().string(), scene->state.value("title", name)});
  }
  std::sort(presets.begin(), presets.end(),
            [](const ScenePreset& a, const ScenePreset& b) { return a.path < b.path; });
  return presets;
}

void ScenePresetCombo(const std::vector<ScenePreset>& presets, const std::string& labId,
                      const std::string& currentTitle, Lab& lab, MessageLog& messages) {
  ImGui::SetNextItemWidth(-1);
  if (!ImGui::BeginCombo("##preset", currentTitle.empty() ? "(custom)" : currentTitle.c_str())) return;
  for (const ScenePreset& preset : presets)
    if (ImGui::Selectable(preset.title.c_str(), preset.title == currentTitle)) {
      Result<SceneFile> scene = readSceneFile(preset.path);
      Status loaded = scene ? lab.loadState(scene->state) : Status(scene.error());
      if (!loaded) messages.error(preset.path + ": " + loaded.error().message());
    }
  if (presets.empty()) ImGui::TextDisabled("no assets/scenes/%s_*.json found", labId.c_str());
  ImGui::EndCombo();
}

} // namespace nnlab::app
