// Real input into the real window: under one Xvfb server, nnlab runs interactively while xdotool
// presses keys, and F12 (with --capture) saves what the window shows after each action.
#include <filesystem>
#include <gtest/gtest.h>

#include "run_nnlab.h"

namespace nnlab::test {
namespace {

TEST(WindowInput, F5TogglesPresentationModeAndF12CapturesTheWindow) {
  TempDir dir;
  const std::string capture = dir.path("capture.png");
  // The script waits for each capture file rather than sleeping a fixed time: on a loaded machine
  // a frame may take long, and the test must not depend on speed.
  const std::string script = R"(
    set -e
    ")" + std::string(NNLAB_EXECUTABLE) + R"(" --capture ")" + capture + R"(" &
    app=$!
    trap 'kill $app 2>/dev/null' EXIT
    window=$(timeout 60 xdotool search --sync --name "NN Lab" | head -n 1)
    xdotool windowfocus "$window"
    wait_for() { for i in $(seq 1 200); do [ -s "$1" ] && return 0; sleep 0.05; done; return 1; }
    sleep 0.5
    xdotool key --window "$window" F12;   wait_for ")" + capture + R"("; sleep 0.2
    mv ")" + capture + R"(" ")" + dir.path("before.png") + R"("
    xdotool key --window "$window" F5;    sleep 0.3
    xdotool key --window "$window" F12;   wait_for ")" + capture + R"("; sleep 0.2
    mv ")" + capture + R"(" ")" + dir.path("after.png") + R"("
    xdotool key --window "$window" ctrl+q
    wait $app
    trap - EXIT
  )";
  writeText(dir.path("drive.sh"), script);
  const std::string command = "env -u DISPLAY -u WAYLAND_DISPLAY xvfb-run -a -s '-screen 0 1280x800x24' "
                              "bash " + dir.path("drive.sh") + " > " + dir.path("log") + " 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << readText(dir.path("log"));

  Png before = readPng(dir.path("before.png"));
  Png after = readPng(dir.path("after.png"));
  ASSERT_TRUE(before.ok() && after.ok()) << readText(dir.path("log"));
  // Presentation mode: the menu bar's words grow 1.5× (≈ 2.25× the ink), as in shell_test.cpp.
  const int normalInk = before.darkPixels(0, 0, 320, 24);
  const int largeInk = after.darkPixels(0, 0, 320, 36);
  EXPECT_GT(largeInk, 1.6 * normalInk) << "F5 did not switch to presentation mode";
}

} // namespace
} // namespace nnlab::test

namespace nnlab::test {
namespace {

// Right-click on a figure opens the export menu; clicking "Export PDF" writes exports/<title>.pdf
// in the working directory. The popup opens at the pointer, so its buttons sit at fixed offsets
// from the right-click (the layout is deterministic: bundled font, no saved window settings).
TEST(WindowInput, RightClickExportsTheFigureAsPdf) {
  TempDir dir;
  const std::string script = R"(
    cd ")" + dir.path("") + R"("
    ")" + std::string(NNLAB_EXECUTABLE) + R"(" &
    app=$!
    trap 'kill $app 2>/dev/null' EXIT
    timeout 60 xdotool search --sync --name "NN Lab" > /dev/null
    sleep 0.5
    xdotool mousemove 900 300 click 3
    sleep 0.5
    xdotool mousemove 1118 408 click 1
    for i in $(seq 1 200); do ls exports/*.pdf > /dev/null 2>&1 && exit 0; sleep 0.05; done
    exit 1
  )";
  writeText(dir.path("drive.sh"), script);
  const std::string command = "env -u DISPLAY -u WAYLAND_DISPLAY xvfb-run -a -s '-screen 0 1280x800x24' "
                              "bash " + dir.path("drive.sh") + " > " + dir.path("log") + " 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << "no PDF in exports/: " << readText(dir.path("log"));
  const std::string pdf = dir.path("exports/activation_functions_f_x_and_derivatives_f_x_dashed.pdf");
  EXPECT_EQ(readText(pdf).substr(0, 4), "%PDF") << pdf;
}

} // namespace
} // namespace nnlab::test
