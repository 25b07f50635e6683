// headless_context.h: an OpenGL 3.3 core context with no window and no X server (EGL on Mesa's
// surfaceless platform). `nnlab gallery` and `--headless` screenshots render through it into a
// Framebuffer; there is no default framebuffer to draw to.
#pragma once

#include <memory>

#include "nnlab/status.h"

namespace nnlab::gl {

class HeadlessContext {
public:
  // Creates the context, makes it current on this thread and loads GL entry points (glad).
  static Result<std::unique_ptr<HeadlessContext>> create();
  ~HeadlessContext();
  HeadlessContext(const HeadlessContext&) = delete;
  HeadlessContext& operator=(const HeadlessContext&) = delete;

private:
  HeadlessContext() = default;
  void* display_ = nullptr; // EGLDisplay
  void* context_ = nullptr; // EGLContext
};

} // namespace nnlab::gl
