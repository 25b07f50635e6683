#include "gl/headless_context.h"

#include <glad/gl.h>

#include <EGL/egl.h>
#include <EGL/eglext.h>

#include <string>

namespace nnlab::gl {

namespace {
GLADapiproc loadEglProc(const char* name) {
  return reinterpret_cast<GLADapiproc>(eglGetProcAddress(name));
}
std::string eglErrorText() {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "EGL error 0x%04X", eglGetError());
  return buffer;
}
} // namespace

Result<std::unique_ptr<HeadlessContext>> HeadlessContext::create() {
  // Mesa's surfaceless platform needs neither X nor a GPU: llvmpipe renders in memory.
  EGLDisplay display = eglGetPlatformDisplay(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr);
  if (display == EGL_NO_DISPLAY)
    return Error{"headless OpenGL", "no EGL surfaceless display (is Mesa's libegl-mesa0 installed?)"};
  EGLint major = 0, minor = 0;
  if (!eglInitialize(display, &major, &minor))
    return Error{"headless OpenGL", "eglInitialize failed: " + eglErrorText()};
  if (!eglBindAPI(EGL_OPENGL_API)) {
    eglTerminate(display);
    return Error{"headless OpenGL", "this EGL has no desktop OpenGL: " + eglErrorText()};
  }
  // The default config request asks for window surfaces and finds none here: ask for pbuffers.
  const EGLint configAttributes[] = {EGL_SURFACE_TYPE, EGL_PBUFFER_BIT, EGL_RENDERABLE_TYPE,
                                     EGL_OPENGL_BIT, EGL_RED_SIZE, 8, EGL_GREEN_SIZE, 8,
                                     EGL_BLUE_SIZE, 8, EGL_NONE};
  EGLConfig config = nullptr;
  EGLint configCount = 0;
  if (!eglChooseConfig(display, configAttributes, &config, 1, &configCount) || configCount == 0) {
    eglTerminate(display);
    return Error{"headless OpenGL", "no suitable EGL config: " + eglErrorText()};
  }
  const EGLint contextAttributes[] = {EGL_CONTEXT_MAJOR_VERSION, 3, EGL_CONTEXT_MINOR_VERSION, 3,
                                      EGL_CONTEXT_OPENGL_PROFILE_MASK,
                                      EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT, EGL_NONE};
  EGLContext context = eglCreateContext(display, config, EGL_NO_CONTEXT, contextAttributes);
  if (context == EGL_NO_CONTEXT) {
    eglTerminate(display);
    return Error{"headless OpenGL", "cannot create an OpenGL 3.3 core context: " + eglErrorText()};
  }
  if (!eglMakeCurrent(display, EGL_NO_SURFACE, EGL_NO_SURFACE, context)) {
    eglDestroyContext(display, context);
    eglTerminate(display);
    return Error{"headless OpenGL", "eglMakeCurrent failed: " + eglErrorText()};
  }
  if (!gladLoadGL(loadEglProc)) {
    eglMakeCurrent(display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
    eglDestroyContext(display, context);
    eglTerminate(display);
    return Error{"headless OpenGL", "cannot load OpenGL 3.3 entry points"};
  }
  std::unique_ptr<HeadlessContext> result(new HeadlessContext());
  result->display_ = display;
  result->context_ = context;
  return result;
}

HeadlessContext::~HeadlessContext() {
  eglMakeCurrent(display_, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
  eglDestroyContext(display_, context_);
  eglTerminate(display_);
}

} // namespace nnlab::gl
