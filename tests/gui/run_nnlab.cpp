#include "run_nnlab.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <stb/stb_image.h>
#include <sys/wait.h>

namespace nnlab::test {

namespace {
std::string shellQuote(const std::string& word) {
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}
} // namespace

RunResult runNnlab(const std::vector<std::string>& args, Display display) {
  TempDir capture;
  std::string command = "env -u DISPLAY -u WAYLAND_DISPLAY ";
  if (display == Display::Xvfb) command += "xvfb-run -a -s '-screen 0 1280x800x24' ";
  command += shellQuote(NNLAB_EXECUTABLE);
  for (const std::string& a : args) command += " " + shellQuote(a);
  command += " >" + shellQuote(capture.path("out")) + " 2>" + shellQuote(capture.path("err")) + " </dev/null";
  const int status = std::system(command.c_str());
  RunResult result;
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = readText(capture.path("out"));
  result.err = readText(capture.path("err"));
  return result;
}

TempDir::TempDir() {
  std::random_device random;
  dir_ = (std::filesystem::temp_directory_path() / ("nnlab-test-" + std::to_string(random()))).string();
  std::filesystem::create_directories(dir_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void writeText(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

std::string readText(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

int Png::distinctColours(int x0, int y0, int x1, int y1) const {
  std::set<int> colours;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) {
      const std::uint8_t* p = at(x, y);
      colours.insert(((p[0] >> 3) << 10) | ((p[1] >> 3) << 5) | (p[2] >> 3));
    }
  return static_cast<int>(colours.size());
}

int Png::darkPixels(int x0, int y0, int x1, int y1, int threshold) const {
  int count = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) {
      const std::uint8_t* p = at(x, y);
      count += (0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]) < threshold;
    }
  return count;
}

Png readPng(const std::string& path) {
  Png png;
  int channels = 0;
  unsigned char* data = stbi_load(path.c_str(), &png.width, &png.height, &channels, 3);
  if (!data) {
    png.width = png.height = 0;
    return png;
  }
  png.rgb.assign(data, data + static_cast<size_t>(png.width) * png.height * 3);
  stbi_image_free(data);
  return png;
}

} // namespace nnlab::test
