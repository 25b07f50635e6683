#include "core/paths.h"

#include <cstdlib>

namespace nnlab::app {

namespace {
std::filesystem::path fromEnvOr(const char* variable, const std::filesystem::path& fallback) {
  if (const char* value = std::getenv(variable); value && *value) return value;
  return fallback;
}
} // namespace

std::filesystem::path assetsDir() {
  return fromEnvOr("NNLAB_ASSETS", std::filesystem::path(NNLAB_SOURCE_DIR_FOR_ASSETS) / "assets");
}

std::filesystem::path shadersDir() {
  return fromEnvOr("NNLAB_SHADERS", std::filesystem::path(NNLAB_SOURCE_DIR_FOR_ASSETS) / "shaders");
}

std::filesystem::path assetPath(const std::string& relative) { return assetsDir() / relative; }

} // namespace nnlab::app
