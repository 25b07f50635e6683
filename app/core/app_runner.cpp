#include "core/app_runner.h"

#include <glad/gl.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>

#include <cfloat>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>
#include <memory>
#include <thread>

#include "core/export_command.h"
#include "core/image_io.h"
#include "core/messages.h"
#include "core/shell.h"
#include "gl/framebuffer.h"
#include "gl/headless_context.h"
#include "plot/export.h"
#include "plot/plot_widget.h"

namespace nnlab::app {

namespace {

// Everything a run sets up once: ImGui context, fonts, shell.
struct Session {
  MessageLog messages;
  std::unique_ptr<Shell> shell;
};

void initImGui(Session& session, float contentScale) {
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr; // deterministic layout: windows placed with ImGuiCond_Always
  FontSet fonts = loadFonts(contentScale, session.messages);
  session.shell = std::make_unique<Shell>(session.messages, fonts, contentScale);
}

// Applies --lab, --scene and --presentation. A bad value is reported and the run goes on with the
// defaults, except that the caller decides (screenshot runs fail fast on it).
bool applyStartOptions(Session& session, const RunOptions& options) {
  bool ok = true;
  if (!options.lab.empty())
    if (Status s = session.shell->selectLab(options.lab); !s) {
      session.messages.error(s.error().message());
      ok = false;
    }
  if (!options.scene.empty())
    if (Status s = session.shell->loadScene(options.scene); !s) {
      session.messages.error(s.error().message());
      ok = false;
    }
  session.shell->setPresentation(options.presentation);
  return ok;
}

Status saveScreenshot(const std::string& path, int width, int height, bool fromBackBuffer) {
  Image8 image;
  image.width = width;
  image.height = height;
  image.channels = 3;
  image.pixels = gl::readPixelsRgb(width, height, fromBackBuffer);
  return writePng(path, image);
}

void renderImGui(int width, int height) {
  glViewport(0, 0, width, height);
  glClearColor(0.97f, 0.97f, 0.97f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

// One frame without a platform backend: we tell ImGui the display size and time step.
void headlessFrame(Shell& shell, const gl::Framebuffer& target) {
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(static_cast<float>(target.width()), static_cast<float>(target.height()));
  io.DeltaTime = 1.0f / 60.0f;
  ImGui_ImplOpenGL3_NewFrame();
  ImGui::NewFrame();
  shell.drawFrame(io.DisplaySize.x, io.DisplaySize.y, 1000.0f / 60.0f);
  ImGui::Render();
  target.bind();
  renderImGui(target.width(), target.height());
}

// A run without a window: EGL context, ImGui and the shell, torn down in the right order (the
// plot textures and ImGui's GL objects before the context that owns them).
class HeadlessSession {
  std::unique_ptr<gl::HeadlessContext> context_; // declared first: destroyed after `session`

public:
  static Result<std::unique_ptr<HeadlessSession>> create() {
    auto context = gl::HeadlessContext::create();
    if (!context) return context.error();
    std::unique_ptr<HeadlessSession> headless(new HeadlessSession(std::move(context).value()));
    initImGui(headless->session, 1.0f);
    ImGui_ImplOpenGL3_Init("#version 330 core");
    return headless;
  }
  ~HeadlessSession() {
    session.shell.reset();
    plot::ShutdownPlotTextures();
    ImGui_ImplOpenGL3_Shutdown();
    ImGui::DestroyContext();
  }

  Session session;

private:
  explicit HeadlessSession(std::unique_ptr<gl::HeadlessContext> context) : context_(std::move(context)) {}
};

int runHeadless(const RunOptions& options) {
  auto headless = HeadlessSession::create();
  if (!headless) {
    std::fprintf(stderr, "nnlab: error: %s\n", headless.error().message().c_str());
    return 1;
  }
  Session& session = headless.value()->session;
  if (!applyStartOptions(session, options)) return 1;
  gl::Framebuffer target(options.width, options.height);
  for (int frame = 0; frame < std::max(1, options.frames); ++frame) headlessFrame(*session.shell, target);
  glFinish();
  if (Status s = saveScreenshot(options.screenshot, options.width, options.height, false); !s) {
    std::fprintf(stderr, "nnlab: error: %s\n", s.error().message().c_str());
    return 1;
  }
  return 0;
}

void onGlfwError(int code, const char* description) {
  std::fprintf(stderr, "nnlab: GLFW error %d: %s\n", code, description);
}

// What the window's callbacks hand to the frame loop. Shortcuts are queued from GLFW's key callback
// rather than polled with ImGui::IsKeyPressed: under software GL a frame can take 100 ms, and a
// key pressed and released between two frames would be missed by polling.
enum class Shortcut { TogglePresentation, Capture, OpenScene, SaveScene, Quit };

struct WindowEvents {
  Shell* shell = nullptr;
  std::vector<Shortcut> pending;
};

WindowEvents& eventsOf(GLFWwindow* window) {
  return *static_cast<WindowEvents*>(glfwGetWindowUserPointer(window));
}

void onDrop(GLFWwindow* window, int count, const char** paths) {
  std::vector<std::string> files(paths, paths + count);
  eventsOf(window).shell->onDroppedFiles(files);
}

// Installed before ImGui's GLFW backend, which chains to it, so ImGui still sees every key.
void onKey(GLFWwindow* window, int key, int /*scancode*/, int action, int mods) {
  if (action != GLFW_PRESS) return;
  const bool ctrl = (mods & GLFW_MOD_CONTROL) != 0;
  std::vector<Shortcut>& pending = eventsOf(window).pending;
  if (key == GLFW_KEY_F5) pending.push_back(Shortcut::TogglePresentation);
  if (key == GLFW_KEY_F12) pending.push_back(Shortcut::Capture);
  if (ctrl && key == GLFW_KEY_O) pending.push_back(Shortcut::OpenScene);
  if (ctrl && key == GLFW_KEY_S) pending.push_back(Shortcut::SaveScene);
  if (ctrl && key == GLFW_KEY_Q) pending.push_back(Shortcut::Quit);
}

std::string timestampedCaptureName() {
  char name[64];
  const std::time_t now = std::time(nullptr);
  std::strftime(name, sizeof name, "nnlab-%Y%m%d-%H%M%S.png", std::localtime(&now));
  return name;
}

// Applies the queued shortcuts; returns whether a capture (F12) was asked for. While a text field
// has the keyboard, letters belong to it; F5 and F12 still work.
bool handleShortcuts(WindowEvents& events) {
  const bool typing = ImGui::GetIO().WantTextInput;
  bool capture = false;
  for (Shortcut shortcut : events.pending) {
    switch (shortcut) {
    case Shortcut::TogglePresentation: events.shell->onTogglePresentation(); break;
    case Shortcut::Capture: capture = true; break;
    case Shortcut::OpenScene: if (!typing) events.shell->onOpenScene(); break;
    case Shortcut::SaveScene: if (!typing) events.shell->onSaveScene(); break;
    case Shortcut::Quit: events.shell->onQuit(); break;
    }
  }
  events.pending.clear();
  return capture;
}

} // namespace

bool displayAvailable() {
  const char* x11 = std::getenv("DISPLAY");
  const char* wayland = std::getenv("WAYLAND_DISPLAY");
  return (x11 && *x11) || (wayland && *wayland);
}

int runGui(const RunOptions& options) {
  if (options.headless) return runHeadless(options);

  glfwSetErrorCallback(onGlfwError);
  if (!glfwInit()) {
    std::fprintf(stderr, "nnlab: error: cannot open a window (no display?). Run `nnlab gallery "
                         "--out DIR` for the headless demo gallery, or add --headless to "
                         "--screenshot.\n");
    return 1;
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE); // hi-DPI: window size in screen coordinates
  GLFWwindow* window = glfwCreateWindow(options.width, options.height, "NN Lab", nullptr, nullptr);
  if (!window) {
    glfwTerminate();
    std::fprintf(stderr, "nnlab: error: cannot create an OpenGL 3.3 core window\n");
    return 1;
  }
  glfwMakeContextCurrent(window);
  glfwSwapInterval(options.screenshot.empty() ? 1 : 0);
  if (!gladLoadGL(glfwGetProcAddress)) {
    std::fprintf(stderr, "nnlab: error: cannot load OpenGL 3.3 entry points\n");
    glfwDestroyWindow(window);
    glfwTerminate();
    return 1;
  }

  float contentScaleX = 1.0f, contentScaleY = 1.0f;
  glfwGetWindowContentScale(window, &contentScaleX, &contentScaleY);
  Session session;
  initImGui(session, contentScaleX);
  WindowEvents events{session.shell.get(), {}};
  glfwSetWindowUserPointer(window, &events);
  glfwSetDropCallback(window, onDrop);
  glfwSetKeyCallback(window, onKey); // before ImGui's backend, which chains to it
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  // Keyboard navigation needs the backend's key map, so only with a window (not headless).
  ImGui::GetIO().ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
  ImGui_ImplOpenGL3_Init("#version 330 core");

  const bool startedCleanly = applyStartOptions(session, options);
  int exitCode = 0;
  if (!options.screenshot.empty() && !startedCleanly) exitCode = 1; // a screenshot of the wrong thing helps nobody

  using Clock = std::chrono::steady_clock;
  float frameMilliseconds = 0.0f;
  int frame = 0;
  while (exitCode == 0 && !glfwWindowShouldClose(window) && !session.shell->quitRequested()) {
    const auto frameStart = Clock::now();
    glfwPollEvents();
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    // A screenshot shows the scene, not whatever the pointer happens to hover (under Xvfb it
    // rests mid-screen and would open tooltips): the mouse is "outside" while one is taken.
    if (!options.screenshot.empty()) ImGui::GetIO().MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
    ImGui::NewFrame();
    const bool captureRequested = handleShortcuts(events);
    const ImVec2 size = ImGui::GetIO().DisplaySize;
    session.shell->drawFrame(size.x, size.y, frameMilliseconds);
    ImGui::Render();
    int framebufferWidth = 0, framebufferHeight = 0;
    glfwGetFramebufferSize(window, &framebufferWidth, &framebufferHeight);
    renderImGui(framebufferWidth, framebufferHeight);
    ++frame;
    if (!options.screenshot.empty() && frame >= options.frames) {
      glFinish();
      if (Status s = saveScreenshot(options.screenshot, framebufferWidth, framebufferHeight, true); !s) {
        std::fprintf(stderr, "nnlab: error: %s\n", s.error().message().c_str());
        exitCode = 1;
      }
      break;
    }
    if (captureRequested) {
      const std::string path = options.captureFile.empty() ? timestampedCaptureName() : options.captureFile;
      if (Status s = saveScreenshot(path, framebufferWidth, framebufferHeight, true); !s)
        session.messages.error(s.error().message());
      else
        session.messages.info("window saved to " + path);
    }
    glfwSwapBuffers(window);
    // Where vsync is not honoured (Xvfb, some drivers), cap at ~60 frames per second instead of
    // spinning a core: labs animate with ImGui's DeltaTime, so their speed does not change.
    frameMilliseconds = std::chrono::duration<float, std::milli>(Clock::now() - frameStart).count();
    std::this_thread::sleep_until(frameStart + std::chrono::microseconds(16000));
  }

  session.shell.reset();
  plot::ShutdownPlotTextures(); // while the GL context is still current
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
  return exitCode;
}

int runGallery(const std::string& outputDirectory, bool presentation, int width, int height) {
  std::error_code ec;
  std::filesystem::create_directories(outputDirectory, ec);
  if (ec) {
    std::fprintf(stderr, "nnlab: error: %s: cannot create directory: %s\n", outputDirectory.c_str(),
                 ec.message().c_str());
    return 1;
  }
  auto headless = HeadlessSession::create();
  if (!headless) {
    std::fprintf(stderr, "nnlab: error: %s\n", headless.error().message().c_str());
    return 1;
  }
  Session& session = headless.value()->session;
  session.shell->setPresentation(presentation);

  int failures = 0;
  gl::Framebuffer target(width, height);
  const std::filesystem::path dir(outputDirectory);
  for (const LabInfo& lab : labRegistry()) {
    (void)session.shell->selectLab(lab.id);
    // A few frames: ImGui sizes auto-fit windows and tables over the first frames.
    for (int frame = 0; frame < 3; ++frame) headlessFrame(*session.shell, target);
    glFinish();
    const std::string windowPng = (dir / (std::string(lab.id) + ".png")).string();
    std::vector<std::string> written;
    if (Status s = saveScreenshot(windowPng, width, height, false); !s) {
      std::fprintf(stderr, "nnlab: error: %s\n", s.error().message().c_str());
      ++failures;
    } else {
      written.push_back(windowPng);
    }
    for (const char* extension : {".pdf", ".png"}) {
      const std::string path = (dir / (std::string(lab.id) + "-figure" + extension)).string();
      if (Status s = exportLabFigure(session.shell->currentLab(), path, plot::ExportOptions{}); !s) {
        std::fprintf(stderr, "nnlab: error: %s\n", s.error().message().c_str());
        ++failures;
      } else {
        written.push_back(path);
      }
    }
    for (const std::string& path : written) std::printf("%s\n", path.c_str());
  }
  return failures == 0 ? 0 : 1;
}

} // namespace nnlab::app
