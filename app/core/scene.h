// scene.h: scene files, the saved state of one lab.
//
//   { "version": 1, "lab": "activations", "state": { ...the lab's fields... } }
//
// Loading checks the envelope here and the state in the lab (Lab::loadState); every error names
// the file and the field, and leaves the lab as it was. Saving writes a temporary file beside the
// target and renames it over the target, so a crash never leaves a half-written scene.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "nnlab/status.h"

namespace nnlab::app {

class Lab;

constexpr int kSceneVersion = 1;

struct SceneFile {
  std::string labId;
  nlohmann::json state;
};

// Reads and checks the envelope (JSON syntax, version, lab id known to the registry).
Result<SceneFile> readSceneFile(const std::string& path);
// Parses scene text; `source` names it in errors.
Result<SceneFile> parseScene(const std::string& text, const std::string& source);

// readSceneFile, then lab.loadState. Errors are prefixed with the path.
Status loadSceneInto(const std::string& path, const std::string& expectedLabId, Lab& lab);

// The envelope around a lab's state.
nlohmann::json makeScene(const std::string& labId, const nlohmann::json& state);
// Atomic write (temporary file + rename).
Status writeSceneFile(const std::string& path, const nlohmann::json& scene);
// Any text file, written the same atomic way.
Status writeFileAtomically(const std::string& path, const std::string& contents);

} // namespace nnlab::app
