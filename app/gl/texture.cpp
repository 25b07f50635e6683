#include "gl/texture.h"

#include <glad/gl.h>

#include <utility>

namespace nnlab::gl {

Texture::~Texture() {
  reset();
}

Texture::Texture(Texture&& other) noexcept
    : id_(std::exchange(other.id_, 0)), width_(std::exchange(other.width_, 0)),
      height_(std::exchange(other.height_, 0)) {}

Texture& Texture::operator=(Texture&& other) noexcept {
  if (this != &other) {
    reset();
    id_ = std::exchange(other.id_, 0);
    width_ = std::exchange(other.width_, 0);
    height_ = std::exchange(other.height_, 0);
  }
  return *this;
}

void Texture::reset() {
  if (id_ != 0) glDeleteTextures(1, &id_);
  id_ = 0, width_ = height_ = 0;
}

void Texture::upload(int width, int height, const std::uint8_t* rgba, TextureFilter filter) {
  if (id_ == 0) glGenTextures(1, &id_);
  GLint previous = 0;
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &previous); // leave ImGui's binding as it was
  glBindTexture(GL_TEXTURE_2D, id_);
  const GLint f = filter == TextureFilter::Nearest ? GL_NEAREST : GL_LINEAR;
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, f);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, f);
  // Clamp: a bilinear edge must not blend with the opposite side of the image.
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1); // RGBA8 rows are 4-byte aligned anyway; be explicit
  if (width == width_ && height == height_)
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
  else
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
  width_ = width, height_ = height;
  glBindTexture(GL_TEXTURE_2D, GLuint(previous));
}

} // namespace nnlab::gl
