// texture.h: an RGBA8 2-D texture that frees itself (move-only RAII). Raw GL lives in app/gl/ only,
// so this header names GL objects as plain unsigned ints and pulls in no GL header.
#pragma once

#include <cstdint>

namespace nnlab::gl {

enum class TextureFilter {
  Nearest, // one texel = one crisp square (kernels, small feature maps)
  Linear   // bilinear (sampled surfaces)
};

class Texture {
public:
  Texture() = default; // no GL object until the first upload()
  ~Texture();
  Texture(Texture&& other) noexcept;
  Texture& operator=(Texture&& other) noexcept;
  Texture(const Texture&) = delete;
  Texture& operator=(const Texture&) = delete;

  // Replaces the pixels: width x height RGBA8, row 0 first. Row 0 is what ImGui draws at the top
  // (uv (0, 0) is the top-left of an ImGui image). Storage is reallocated only on a size change.
  // Needs a current GL context (and glad loaded).
  void upload(int width, int height, const std::uint8_t* rgba, TextureFilter filter);
  void reset(); // deletes the GL object now (the context must still be current)

  unsigned id() const { return id_; } // GL texture name; 0 before the first upload
  int width() const { return width_; }
  int height() const { return height_; }

private:
  unsigned id_ = 0;
  int width_ = 0, height_ = 0;
};

} // namespace nnlab::gl
