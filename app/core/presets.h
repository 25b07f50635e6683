// presets.h: a lab's scene presets, the files assets/scenes/<lab id>_*.json, offered in a combo.
// The files are the one source of truth: the menu, `--scene` and the tests read the same JSON.
#pragma once

#include <string>
#include <vector>

namespace nnlab::app {

class Lab;
class MessageLog;

struct ScenePreset {
  std::string path;  // the scene file
  std::string title; // its state's "title", else the file name
};

// The lab's presets, sorted by file name; files that fail to read are skipped.
std::vector<ScenePreset> findScenePresets(const std::string& labId);

// A "PRESET" combo showing `currentTitle`; choosing an entry loads that scene into `lab` (errors
// go to `messages`, the lab keeps its state).
void ScenePresetCombo(const std::vector<ScenePreset>& presets, const std::string& labId,
                      const std::string& currentTitle, Lab& lab, MessageLog& messages);

} // namespace nnlab::app
