#include "core/scene.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "core/lab.h"

namespace nnlab::app {

Result<SceneFile> parseScene(const std::string& text, const std::string& source) {
  nlohmann::json root;
  try {
    root = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // e.what() reads "[json.exception.parse_error.101] parse error at line 3, column 5: ..."
    std::string what = e.what();
    if (auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
    return Error{source, "not valid JSON: " + what};
  }
  if (!root.is_object()) return Error{source, "expected a JSON object at the top level"};

  auto version = root.find("version");
  if (version == root.end()) return Error{source, "field \"version\" is missing"};
  if (!version->is_number_integer() || version->get<int>() != kSceneVersion)
    return Error{source, "field \"version\": expected " + std::to_string(kSceneVersion) +
                             ", got " + version->dump()};

  auto lab = root.find("lab");
  if (lab == root.end() || !lab->is_string())
    return Error{source, "field \"lab\": expected the name of a lab (" + knownLabIds() + ")"};
  const std::string labId = lab->get<std::string>();
  if (!findLab(labId))
    return Error{source, "field \"lab\": unknown lab \"" + labId + "\" (known: " + knownLabIds() + ")"};

  auto state = root.find("state");
  if (state == root.end()) return Error{source, "field \"state\" is missing"};
  if (!state->is_object()) return Error{source, "field \"state\": expected an object"};
  return SceneFile{labId, *state};
}

Result<SceneFile> readSceneFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Error{path, "no such file"};
  if (std::filesystem::is_directory(path, ec)) return Error{path, "is a directory, not a scene file"};
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path, std::string("cannot open: ") + std::strerror(errno)};
  std::ostringstream text;
  text << in.rdbuf();
  return parseScene(text.str(), path);
}

Status loadSceneInto(const std::string& path, const std::string& expectedLabId, Lab& lab) {
  Result<SceneFile> scene = readSceneFile(path);
  if (!scene) return scene.error();
  if (scene->labId != expectedLabId)
    return Error{path, "is a scene of lab \"" + scene->labId + "\", not of \"" + expectedLabId + "\""};
  Status loaded = lab.loadState(scene->state);
  if (!loaded) return Error{path, loaded.error().message()};
  return Status::success();
}

nlohmann::json makeScene(const std::string& labId, const nlohmann::json& state) {
  return {{"version", kSceneVersion}, {"lab", labId}, {"state", state}};
}

Status writeFileAtomically(const std::string& path, const std::string& contents) {
  const std::filesystem::path target(path);
  // A hidden sibling, so the rename stays on one filesystem. (Built with append, not "." + name:
  // GCC 12 gives a false -Wrestrict warning on the latter.)
  std::string temporaryName = ".";
  temporaryName.append(target.filename().string()).append(".tmp-").append(std::to_string(getpid()));
  const std::filesystem::path temporary = target.parent_path() / temporaryName;
  {
    std::FILE* f = std::fopen(temporary.c_str(), "wb");
    if (!f) return Error{path, std::string("cannot write: ") + std::strerror(errno)};
    const bool written = std::fwrite(contents.data(), 1, contents.size(), f) == contents.size();
    // fsync before rename: after a crash the target is either the old file or the whole new one.
    const bool flushed = std::fflush(f) == 0 && fsync(fileno(f)) == 0;
    const bool closed = std::fclose(f) == 0;
    if (!written || !flushed || !closed) {
      std::remove(temporary.c_str());
      return Error{path, "write failed (disk full?)"};
    }
  }
  std::error_code ec;
  std::filesystem::rename(temporary, target, ec);
  if (ec) {
    std::remove(temporary.c_str());
    return Error{path, "cannot replace the file: " + ec.message()};
  }
  return Status::success();
}

Status writeSceneFile(const std::string& path, const nlohmann::json& scene) {
  return writeFileAtomically(path, scene.dump(2) + "\n");
}

} // namespace nnlab::app
