#include "core/image_io.h"

#include <cstring>
#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

namespace nnlab::app {

Result<Image8> readImage(const std::string& path, int desiredChannels) {
  int width = 0, height = 0, channels = 0;
  unsigned char* data = stbi_load(path.c_str(), &width, &height, &channels, desiredChannels);
  if (!data) {
    const char* reason = stbi_failure_reason();
    return Error{path, std::string("cannot read image: ") + (reason ? reason : "unknown format")};
  }
  Image8 image;
  image.width = width;
  image.height = height;
  image.channels = desiredChannels ? desiredChannels : channels;
  const size_t bytes = static_cast<size_t>(width) * height * image.channels;
  image.pixels.assign(data, data + bytes);
  stbi_image_free(data);
  return image;
}

Status writePng(const std::string& path, const Image8& image) {
  if (image.width <= 0 || image.height <= 0 || image.pixels.empty())
    return Error{path, "nothing to write (empty image)"};
  const int stride = image.width * image.channels;
  if (!stbi_write_png(path.c_str(), image.width, image.height, image.channels, image.pixels.data(),
                      stride))
    return Error{path, std::string("cannot write PNG: ") + std::strerror(errno)};
  return Status::success();
}

} // namespace nnlab::app
