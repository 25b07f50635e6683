// framebuffer.h: an offscreen render target (colour + depth) and reading pixels back for
// screenshots. Raw GL lives in app/gl/ only.
#pragma once

#include <cstdint>
#include <vector>

namespace nnlab::gl {

// RGBA8 colour and 24-bit depth renderbuffers; bind() before drawing a frame into it.
class Framebuffer {
public:
  Framebuffer(int width, int height);
  ~Framebuffer();
  Framebuffer(const Framebuffer&) = delete;
  Framebuffer& operator=(const Framebuffer&) = delete;

  void bind() const;
  int width() const { return width_; }
  int height() const { return height_; }
  bool complete() const { return complete_; }

private:
  unsigned framebuffer_ = 0, colour_ = 0, depth_ = 0;
  int width_ = 0, height_ = 0;
  bool complete_ = false;
};

// Pixels of the bound read framebuffer as RGB8, top row first (GL's origin is bottom-left, PNG's
// top-left). For a window, call before swapping buffers, with the back buffer as read buffer.
std::vector<std::uint8_t> readPixelsRgb(int width, int height, bool fromBackBuffer);

} // namespace nnlab::gl
