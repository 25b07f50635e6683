// paths.h: where NN Lab finds what it ships (fonts, sample images, scene presets, shaders).
#pragma once

#include <filesystem>
#include <string>

namespace nnlab::app {

// The assets/ directory: $NNLAB_ASSETS if set, else the source tree's assets/ the binary was
// built from. Never empty; the directory may be missing if the tree moved.
std::filesystem::path assetsDir();
// The shaders/ directory, found the same way ($NNLAB_SHADERS overrides).
std::filesystem::path shadersDir();
// assetsDir() / relative.
std::filesystem::path assetPath(const std::string& relative);

} // namespace nnlab::app
