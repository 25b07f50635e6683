// image_io.h: reading and writing image files (stb_image / stb_image_write from libstb).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nnlab/status.h"

namespace nnlab::app {

struct Image8 {
  int width = 0, height = 0, channels = 0; // channels: 1 grey, 3 RGB, 4 RGBA
  std::vector<std::uint8_t> pixels;        // row-major, top row first, interleaved channels
};

// PNG, JPEG, BMP, ... A corrupt or unreadable file is an Error naming the file and stb's reason.
Result<Image8> readImage(const std::string& path, int desiredChannels = 0);
Status writePng(const std::string& path, const Image8& image);

} // namespace nnlab::app
