#include "gl/render_target.h"

#include <glad/gl.h>

#include <cstddef>

namespace nnlab::gl {

RenderTarget::~RenderTarget() {
  reset();
}

void RenderTarget::reset() {
  if (depth_ != 0) glDeleteRenderbuffers(1, &depth_);
  if (colour_ != 0) glDeleteTextures(1, &colour_);
  if (framebuffer_ != 0) glDeleteFramebuffers(1, &framebuffer_);
  framebuffer_ = colour_ = depth_ = 0;
  width_ = height_ = 0;
  complete_ = false;
}

bool RenderTarget::resize(int width, int height) {
  if (width == width_ && height == height_ && framebuffer_ != 0) return complete_;
  reset();
  if (width <= 0 || height <= 0) return false;
  GLint previousFramebuffer = 0, previousTexture = 0;
  glGetIntegerv(GL_FRAMEBUFFER_BINDING, &previousFramebuffer);
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &previousTexture);
  glGenTextures(1, &colour_);
  glBindTexture(GL_TEXTURE_2D, colour_);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glGenRenderbuffers(1, &depth_);
  glBindRenderbuffer(GL_RENDERBUFFER, depth_);
  glRenderbufferStorage(GL_RENDERBUFFER, GL_DEPTH_COMPONENT24, width, height);
  glGenFramebuffers(1, &framebuffer_);
  glBindFramebuffer(GL_FRAMEBUFFER, framebuffer_);
  glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, colour_, 0);
  glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_DEPTH_ATTACHMENT, GL_RENDERBUFFER, depth_);
  complete_ = glCheckFramebufferStatus(GL_FRAMEBUFFER) == GL_FRAMEBUFFER_COMPLETE;
  glBindFramebuffer(GL_FRAMEBUFFER, GLuint(previousFramebuffer));
  glBindTexture(GL_TEXTURE_2D, GLuint(previousTexture));
  width_ = width, height_ = height;
  return complete_;
}

RenderPass::RenderPass(const RenderTarget& target, ClearColor clear, bool depthTest) {
  glGetIntegerv(GL_FRAMEBUFFER_BINDING, &framebuffer_);
  glGetIntegerv(GL_CURRENT_PROGRAM, &program_);
  glGetIntegerv(GL_VERTEX_ARRAY_BINDING, &vertexArray_);
  glGetIntegerv(GL_ACTIVE_TEXTURE, &activeTexture_);
  for (int unit = 0; unit < 2; ++unit) {
    glActiveTexture(GLenum(GL_TEXTURE0 + unit));
    glGetIntegerv(GL_TEXTURE_BINDING_2D, &textures_[unit]);
  }
  glGetIntegerv(GL_VIEWPORT, viewport_);
  depthTest_ = glIsEnabled(GL_DEPTH_TEST);
  blend_ = glIsEnabled(GL_BLEND);
  cull_ = glIsEnabled(GL_CULL_FACE);
  scissor_ = glIsEnabled(GL_SCISSOR_TEST);
  GLboolean mask = GL_TRUE;
  glGetBooleanv(GL_DEPTH_WRITEMASK, &mask);
  depthMask_ = mask;

  glBindFramebuffer(GL_FRAMEBUFFER, target.framebuffer_);
  glViewport(0, 0, target.width_, target.height_);
  glDisable(GL_SCISSOR_TEST);
  glDisable(GL_CULL_FACE);
  glDisable(GL_BLEND);
  glDepthMask(GL_TRUE);
  setDepthTest(depthTest);
  glClearColor(clear.r, clear.g, clear.b, clear.a);
  glClearDepth(1.0);
  glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
}

RenderPass::~RenderPass() {
  glBindFramebuffer(GL_FRAMEBUFFER, GLuint(framebuffer_));
  glViewport(viewport_[0], viewport_[1], viewport_[2], viewport_[3]);
  glUseProgram(GLuint(program_));
  glBindVertexArray(GLuint(vertexArray_));
  for (int unit = 0; unit < 2; ++unit) {
    glActiveTexture(GLenum(GL_TEXTURE0 + unit));
    glBindTexture(GL_TEXTURE_2D, GLuint(textures_[unit]));
  }
  glActiveTexture(GLenum(activeTexture_));
  auto restore = [](GLenum cap, bool on) { on ? glEnable(cap) : glDisable(cap); };
  restore(GL_DEPTH_TEST, depthTest_);
  restore(GL_BLEND, blend_);
  restore(GL_CULL_FACE, cull_);
  restore(GL_SCISSOR_TEST, scissor_);
  glDepthMask(depthMask_ ? GL_TRUE : GL_FALSE);
}

void RenderPass::setDepthTest(bool on) const {
  if (on) {
    glEnable(GL_DEPTH_TEST);
    glDepthFunc(GL_LEQUAL);
  } else {
    glDisable(GL_DEPTH_TEST);
  }
}

void RenderPass::setDepthWrite(bool on) const {
  glDepthMask(on ? GL_TRUE : GL_FALSE);
}

void RenderPass::setBlend(bool on) const {
  if (on) {
    glEnable(GL_BLEND);
    glBlendEquation(GL_FUNC_ADD);
    glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
  } else {
    glDisable(GL_BLEND);
  }
}

void finish() {
  glFinish();
}

void bindTexture(int unit, unsigned texture) {
  glActiveTexture(GLenum(GL_TEXTURE0 + unit));
  glBindTexture(GL_TEXTURE_2D, texture);
}

FloatTexture::~FloatTexture() {
  reset();
}

void FloatTexture::reset() {
  if (id_ != 0) glDeleteTextures(1, &id_);
  id_ = 0, width_ = height_ = 0;
}

void FloatTexture::upload(int width, int height, const float* values) {
  if (id_ == 0) glGenTextures(1, &id_);
  GLint previous = 0;
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &previous);
  glBindTexture(GL_TEXTURE_2D, id_);
  // Desktop GL 3.0+ filters 32-bit float textures, so the shader gets bilinear values.
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  if (width == width_ && height == height_)
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, width, height, GL_RED, GL_FLOAT, values);
  else
    glTexImage2D(GL_TEXTURE_2D, 0, GL_R32F, width, height, 0, GL_RED, GL_FLOAT, values);
  width_ = width, height_ = height;
  glBindTexture(GL_TEXTURE_2D, GLuint(previous));
}

Mesh::~Mesh() {
  reset();
}

void Mesh::reset() {
  if (indexBuffer_ != 0) glDeleteBuffers(1, &indexBuffer_);
  if (vertexBuffer_ != 0) glDeleteBuffers(1, &vertexBuffer_);
  if (vertexArray_ != 0) glDeleteVertexArrays(1, &vertexArray_);
  vertexArray_ = vertexBuffer_ = indexBuffer_ = 0;
  vertexCount_ = indexCount_ = 0;
}

void Mesh::upload(const float* vertices, int vertexCount, std::initializer_list<int> attributeSizes,
                  const std::uint32_t* indices, int indexCount) {
  GLint previousArray = 0, previousBuffer = 0;
  glGetIntegerv(GL_VERTEX_ARRAY_BINDING, &previousArray);
  glGetIntegerv(GL_ARRAY_BUFFER_BINDING, &previousBuffer);
  if (vertexArray_ == 0) {
    glGenVertexArrays(1, &vertexArray_);
    glGenBuffers(1, &vertexBuffer_);
  }
  glBindVertexArray(vertexArray_);
  glBindBuffer(GL_ARRAY_BUFFER, vertexBuffer_);
  int stride = 0;
  for (int size : attributeSizes) stride += size;
  glBufferData(GL_ARRAY_BUFFER, GLsizeiptr(sizeof(float) * size_t(stride) * size_t(vertexCount)),
               vertices, GL_DYNAMIC_DRAW);
  int offset = 0, location = 0;
  for (int size : attributeSizes) {
    glEnableVertexAttribArray(GLuint(location));
    glVertexAttribPointer(GLuint(location), size, GL_FLOAT, GL_FALSE,
                          GLsizei(sizeof(float) * size_t(stride)),
                          reinterpret_cast<const void*>(sizeof(float) * size_t(offset)));
    offset += size;
    ++location;
  }
  if (indices && indexCount > 0) {
    if (indexBuffer_ == 0) glGenBuffers(1, &indexBuffer_);
    glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, indexBuffer_); // recorded in the vertex array
    glBufferData(GL_ELEMENT_ARRAY_BUFFER, GLsizeiptr(sizeof(std::uint32_t) * size_t(indexCount)),
                 indices, GL_DYNAMIC_DRAW);
  }
  vertexCount_ = vertexCount;
  indexCount_ = indices ? indexCount : 0;
  glBindVertexArray(GLuint(previousArray));
  glBindBuffer(GL_ARRAY_BUFFER, GLuint(previousBuffer));
}

void Mesh::draw(Primitive primitive) const {
  if (vertexArray_ == 0 || vertexCount_ == 0) return;
  GLenum mode = GL_TRIANGLES;
  switch (primitive) {
  case Primitive::Triangles: mode = GL_TRIANGLES; break;
  case Primitive::TriangleStrip: mode = GL_TRIANGLE_STRIP; break;
  case Primitive::Lines: mode = GL_LINES; break;
  case Primitive::LineStrip: mode = GL_LINE_STRIP; break;
  case Primitive::Points: mode = GL_POINTS; break;
  }
  glBindVertexArray(vertexArray_);
  if (indexCount_ > 0)
    glDrawElements(mode, indexCount_, GL_UNSIGNED_INT, nullptr);
  else
    glDrawArrays(mode, 0, vertexCount_);
}

} // namespace nnlab::gl
