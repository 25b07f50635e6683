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
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "core/export_command.h"
#include "core/frame_profile.h"
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

// Screenshots are a pure function of the scene: before this frame (two before the last, so the
// finished work has frames to reach the picture) a lab finishes what runs on worker threads.
int finishBackgroundWorkAt(int frames) { return std::max(0, frames - 2); }

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

// ---- --profile-frames: per-frame times by stage (performance work, not a user feature) ----

struct FrameTimes {
  bool changed = false; // the perturbation was applied just before this frame
  double perturb = 0;   // loadState of the perturbed field (not part of the frame)
  double build = 0;     // NewFrame .. Render: the shell's and lab's widgets, compute included
  double compute = 0;   // of which: labs' compute scopes (ProfileStage::Compute)
  double upload = 0;    // of which: colour mapping and texture uploads (ProfileStage::Upload)
  double render = 0;    // RenderDrawData + glFinish: the software rasterizer's share
  double present = 0;   // swap buffers (window only)
  double total = 0;     // build + render + present
  int vertices = 0, indices = 0;
  double coverage = 0; // pixels covered by triangles / window pixels: the rasterizer's overdraw
};

// Σ triangle area over the window area. Vertices are clamped into their command's clip rectangle
// first: exact for ImGui's axis-aligned rectangles (most of the area), an estimate otherwise.
double drawCoverage(const ImDrawData& data) {
  double area = 0;
  for (int l = 0; l < data.CmdListsCount; ++l) {
    const ImDrawList& list = *data.CmdLists[l];
    for (const ImDrawCmd& cmd : list.CmdBuffer) {
      if (cmd.UserCallback) continue;
      auto at = [&](unsigned i) {
        ImVec2 p = list.VtxBuffer[int(cmd.VtxOffset + list.IdxBuffer[int(cmd.IdxOffset + i)])].pos;
        return ImVec2(std::clamp(p.x, cmd.ClipRect.x, cmd.ClipRect.z),
                      std::clamp(p.y, cmd.ClipRect.y, cmd.ClipRect.w));
      };
      for (unsigned i = 0; i + 2 < cmd.ElemCount; i += 3) {
        const ImVec2 a = at(i), b = at(i + 1), c = at(i + 2);
        area += 0.5 * std::abs(double(b.x - a.x) * (c.y - a.y) - double(c.x - a.x) * (b.y - a.y));
      }
    }
  }
  const double window = double(data.DisplaySize.x) * data.DisplaySize.y;
  return window > 0 ? area / window : 0;
}

// The steps of one frame, for the headless and the window loops alike.
struct FrameSteps {
  std::function<void()> build;   // NewFrame .. Render
  std::function<void()> render;  // RenderDrawData (the profiler adds glFinish)
  std::function<void()> present; // may be empty
};

// "/gabor_wavelength=4,5.5" -> pointer and values (each parsed as JSON; a bare word as a string).
bool parsePerturb(const std::string& spec, nlohmann::json::json_pointer& pointer,
                  std::vector<nlohmann::json>& values) {
  const size_t eq = spec.find('=');
  if (spec.empty() || spec[0] != '/' || eq == std::string::npos) return false;
  try {
    pointer = nlohmann::json::json_pointer(spec.substr(0, eq));
  } catch (const nlohmann::json::exception&) {
    return false;
  }
  std::string rest = spec.substr(eq + 1);
  for (size_t start = 0; start <= rest.size();) {
    size_t end = rest.find(',', start);
    if (end == std::string::npos) end = rest.size();
    const std::string text = rest.substr(start, end - start);
    nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
    values.push_back(value.is_discarded() ? nlohmann::json(text) : value);
    start = end + 1;
  }
  return values.size() >= 2;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

void printSummary(const char* name, const std::vector<FrameTimes>& frames) {
  if (frames.empty()) return;
  auto column = [&](double FrameTimes::*field) {
    std::vector<double> v;
    for (const FrameTimes& f : frames) v.push_back(f.*field);
    return v;
  };
  std::printf("%-12s %4zu frames, median (max) ms:", name, frames.size());
  const std::pair<const char*, double FrameTimes::*> fields[] = {
      {"total", &FrameTimes::total},     {"build", &FrameTimes::build},
      {"compute", &FrameTimes::compute}, {"upload", &FrameTimes::upload},
      {"render", &FrameTimes::render},   {"present", &FrameTimes::present}};
  for (const auto& [label, field] : fields) {
    const std::vector<double> v = column(field);
    std::printf("  %s %.2f (%.2f)", label, median(v), *std::max_element(v.begin(), v.end()));
  }
  std::vector<double> vertices, coverage;
  for (const FrameTimes& f : frames) vertices.push_back(f.vertices), coverage.push_back(f.coverage);
  std::printf("  vertices %.0f  coverage %.2f\n", median(vertices), median(coverage));
}

// Renders options.profileFrames frames, perturbing the lab's state if asked, and prints a line per
// frame and medians for frames at rest, frames where the state changed, and the frames after those
// (where results computed in the background appear). The first 3 frames (shader JIT, ImGui's
// auto-fit) are left out of the summaries.
int runProfile(Session& session, const RunOptions& options, const FrameSteps& steps) {
  nlohmann::json::json_pointer pointer;
  std::vector<nlohmann::json> values;
  if (!options.profilePerturb.empty() && !parsePerturb(options.profilePerturb, pointer, values)) {
    std::fprintf(stderr,
                 "nnlab: error: --profile-perturb: expected /json/pointer=A,B[,...], got \"%s\"\n",
                 options.profilePerturb.c_str());
    return 1;
  }
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
  };
  const int every = std::max(1, options.profileEvery);
  std::vector<FrameTimes> frames;
  size_t next = 0;
  for (int frame = 0; frame < options.profileFrames; ++frame) {
    FrameTimes t;
    if (!values.empty() && frame > 0 && frame % every == 0) {
      const auto begin = Clock::now();
      nlohmann::json state = session.shell->currentLab().saveState();
      next = (next + 1) % values.size();
      state[pointer] = values[next];
      if (Status s = session.shell->currentLab().loadState(state); !s) {
        std::fprintf(stderr, "nnlab: error: --profile-perturb: %s\n", s.error().message().c_str());
        return 1;
      }
      t.changed = true;
      t.perturb = ms(begin, Clock::now());
    }
    takeProfileMilliseconds(ProfileStage::Compute);
    takeProfileMilliseconds(ProfileStage::Upload);
    const auto start = Clock::now();
    steps.build();
    const auto built = Clock::now();
    t.compute = takeProfileMilliseconds(ProfileStage::Compute);
    t.upload = takeProfileMilliseconds(ProfileStage::Upload);
    if (const ImDrawData* data = ImGui::GetDrawData()) {
      t.vertices = data->TotalVtxCount, t.indices = data->TotalIdxCount;
      t.coverage = drawCoverage(*data);
    }
    steps.render();
    glFinish();
    const auto rendered = Clock::now();
    if (steps.present) steps.present();
    const auto presented = Clock::now();
    t.build = ms(start, built), t.render = ms(built, rendered), t.present = ms(rendered, presented);
    t.total = ms(start, presented);
    frames.push_back(t);
  }
  std::printf(
      "frame  total  build compute upload render present  vertices  indices coverage perturb\n");
  for (size_t i = 0; i < frames.size(); ++i) {
    const FrameTimes& t = frames[i];
    std::printf("%5zu%c %6.2f %6.2f %6.2f %6.2f %6.2f %6.2f %9d %8d %8.2f %7.2f\n", i,
                t.changed ? '*' : ' ', t.total, t.build, t.compute, t.upload, t.render, t.present,
                t.vertices, t.indices, t.coverage, t.perturb);
  }
  std::vector<FrameTimes> rest, changed, after;
  for (size_t i = 3; i < frames.size(); ++i) {
    if (frames[i].changed)
      changed.push_back(frames[i]);
    else if (frames[i - 1].changed)
      after.push_back(frames[i]);
    else
      rest.push_back(frames[i]);
  }
  printSummary("at rest", rest);
  printSummary("changed", changed);
  printSummary("changed+1", after);
  // Labs that compute in the background upload their new picture some frames after the change:
  // from the start of the changed frame to the end of the frame that uploaded (0 frames: the
  // changed frame itself showed it).
  std::vector<double> latencyFrames, latencyMs;
  for (size_t i = 3; i < frames.size(); ++i) {
    if (!frames[i].changed) continue;
    double elapsed = 0;
    for (size_t j = i; j < frames.size() && (j == i || !frames[j].changed); ++j) {
      elapsed += frames[j].total;
      if (frames[j].upload > 0) {
        latencyFrames.push_back(double(j - i)), latencyMs.push_back(elapsed);
        break;
      }
    }
  }
  if (!latencyMs.empty())
    std::printf(
        "change->upload %zu changes, median (max): %.0f (%.0f) frames later, %.2f (%.2f) ms\n",
        latencyMs.size(), median(latencyFrames),
        *std::max_element(latencyFrames.begin(), latencyFrames.end()), median(latencyMs),
        *std::max_element(latencyMs.begin(), latencyMs.end()));
  return 0;
}

int runHeadless(const RunOptions& options) {
  auto headless = HeadlessSession::create();
  if (!headless) {
    std::fprintf(stderr, "nnlab: error: %s\n", headless.error().message().c_str());
    return 1;
  }
  Session& session = headless.value()->session;
  if (!applyStartOptions(session, options)) return 1;
  gl::Framebuffer target(options.width, options.height);
  if (options.profileFrames > 0) { // --profile-frames: the frame below, in two timed halves
    FrameSteps steps;
    steps.build = [&] {
      ImGuiIO& io = ImGui::GetIO();
      io.DisplaySize = ImVec2(float(target.width()), float(target.height()));
      io.DeltaTime = 1.0f / 60.0f;
      ImGui_ImplOpenGL3_NewFrame();
      ImGui::NewFrame();
      session.shell->drawFrame(io.DisplaySize.x, io.DisplaySize.y, 1000.0f / 60.0f);
      ImGui::Render();
    };
    steps.render = [&] {
      target.bind();
      renderImGui(target.width(), target.height());
    };
    return runProfile(session, options, steps);
  }
  const int frames = std::max(1, options.frames);
  for (int frame = 0; frame < frames; ++frame) {
    if (frame == finishBackgroundWorkAt(frames)) session.shell->currentLab().finishBackgroundWork();
    headlessFrame(*session.shell, target);
  }
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

  const bool profiling = exitCode == 0 && options.profileFrames > 0;
  if (profiling) { // --profile-frames: no vsync, no frame cap, then the teardown below
    glfwSwapInterval(0);
    FrameSteps steps;
    steps.build = [&] {
      glfwPollEvents();
      ImGui_ImplOpenGL3_NewFrame();
      ImGui_ImplGlfw_NewFrame();
      ImGui::GetIO().MousePos = ImVec2(-FLT_MAX, -FLT_MAX); // no hover: the same frames every run
      ImGui::NewFrame();
      const ImVec2 size = ImGui::GetIO().DisplaySize;
      session.shell->drawFrame(size.x, size.y, 16.0f);
      ImGui::Render();
    };
    steps.render = [&] {
      int framebufferWidth = 0, framebufferHeight = 0;
      glfwGetFramebufferSize(window, &framebufferWidth, &framebufferHeight);
      renderImGui(framebufferWidth, framebufferHeight);
    };
    steps.present = [&] { glfwSwapBuffers(window); };
    exitCode = runProfile(session, options, steps);
  }

  using Clock = std::chrono::steady_clock;
  float frameMilliseconds = 0.0f;
  int frame = 0;
  while (!profiling && exitCode == 0 && !glfwWindowShouldClose(window) &&
         !session.shell->quitRequested()) {
    const auto frameStart = Clock::now();
    if (!options.screenshot.empty() && frame == finishBackgroundWorkAt(options.frames))
      session.shell->currentLab().finishBackgroundWork();
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
    for (int frame = 0; frame < 3; ++frame) {
      if (frame == finishBackgroundWorkAt(3)) session.shell->currentLab().finishBackgroundWork();
      headlessFrame(*session.shell, target);
    }
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
