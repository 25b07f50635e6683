// render_target.h: drawing into a texture (colour texture + depth buffer) that ImGui then shows
// with ImGui::Image or a draw list, and the few GPU objects such a pass needs: a float texture of
// sampled values, a vertex mesh. Raw GL lives in app/gl/ only; no GL header here.
//
//   RenderTarget target;  target.resize(w, h);
//   { RenderPass pass(target, {1, 1, 1, 1}, /*depthTest=*/false);
//     program.use();  bindTexture(0, values.id());  quad.draw(Primitive::TriangleStrip); }
//   ImGui::GetWindowDrawList()->AddImage(ImTextureID(intptr_t(target.texture())), p0, p1,
//                                        ImVec2(0, 1), ImVec2(1, 0)); // GL rows are bottom-up
//
// A RenderPass restores the GL state it touched when it ends, so it may run in the middle of an
// ImGui frame (between NewFrame and Render) without disturbing the backend.
#pragma once

#include <cstdint>
#include <initializer_list>

namespace nnlab::gl {

// Colour as an RGBA8 texture (bilinear, clamped), depth as a 24-bit renderbuffer. Move-only.
class RenderTarget {
public:
  RenderTarget() = default; // no GL object until resize()
  ~RenderTarget();
  RenderTarget(const RenderTarget&) = delete;
  RenderTarget& operator=(const RenderTarget&) = delete;

  // (Re)allocates at width x height pixels when the size differs; returns complete().
  bool resize(int width, int height);
  void reset(); // frees the GL objects now (the context must still be current)

  unsigned texture() const { return colour_; } // GL name of the colour texture; 0 before resize
  int width() const { return width_; }
  int height() const { return height_; }
  bool complete() const { return complete_; }

private:
  friend class RenderPass;
  unsigned framebuffer_ = 0, colour_ = 0, depth_ = 0;
  int width_ = 0, height_ = 0;
  bool complete_ = false;
};

struct ClearColor {
  float r = 0, g = 0, b = 0, a = 0;
};

// Binds `target`, sets the viewport to it and clears it; the destructor puts back the framebuffer,
// viewport, program, vertex array, texture bindings of units 0-1, and the enables it changed.
class RenderPass {
public:
  RenderPass(const RenderTarget& target, ClearColor clear, bool depthTest);
  ~RenderPass();
  RenderPass(const RenderPass&) = delete;
  RenderPass& operator=(const RenderPass&) = delete;

  void setDepthTest(bool on) const;
  void setDepthWrite(bool on) const;
  void setBlend(bool on) const; // premultiplied-free "over": src alpha, one minus src alpha

private:
  int framebuffer_ = 0, program_ = 0, vertexArray_ = 0, activeTexture_ = 0;
  int textures_[2] = {0, 0};
  int viewport_[4] = {0, 0, 0, 0};
  bool depthTest_ = false, blend_ = false, cull_ = false, scissor_ = false;
  unsigned char depthMask_ = 1;
};

// Waits until the GL has finished every command issued so far (to time a pass; not per frame).
void finish();

// Binds a 2-D texture to a texture unit (for a sampler uniform set to `unit`).
void bindTexture(int unit, unsigned texture);

// One-channel 32-bit float texture of sampled values (a loss surface on a grid), bilinear and
// clamped, so the shader reads interpolated values between samples. Move-only.
class FloatTexture {
public:
  FloatTexture() = default;
  ~FloatTexture();
  FloatTexture(const FloatTexture&) = delete;
  FloatTexture& operator=(const FloatTexture&) = delete;

  // width x height floats, row 0 first (row 0 is texture coordinate v = 0).
  void upload(int width, int height, const float* values);
  void reset();
  unsigned id() const { return id_; }

private:
  unsigned id_ = 0;
  int width_ = 0, height_ = 0;
};

enum class Primitive { Triangles, TriangleStrip, Lines, LineStrip, Points };

// Vertices of interleaved float attributes (attribute i at location i), optionally indexed.
class Mesh {
public:
  Mesh() = default;
  ~Mesh();
  Mesh(const Mesh&) = delete;
  Mesh& operator=(const Mesh&) = delete;

  // attributeSizes: floats per attribute, e.g. {3, 1} for a position and a value.
  void upload(const float* vertices, int vertexCount, std::initializer_list<int> attributeSizes,
              const std::uint32_t* indices = nullptr, int indexCount = 0);
  void draw(Primitive primitive) const; // every index (or every vertex when not indexed)
  void reset();
  int vertexCount() const { return vertexCount_; }

private:
  unsigned vertexArray_ = 0, vertexBuffer_ = 0, indexBuffer_ = 0;
  int vertexCount_ = 0, indexCount_ = 0;
};

} // namespace nnlab::gl
