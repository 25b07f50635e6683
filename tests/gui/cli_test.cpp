// The command line as a user meets it: help, version, and every error path of the foundation
// (bad flag, bad value, missing file, malformed scene), each with a non-zero exit and a message
// that names the problem; and `nnlab export` writing PNG / SVG / PDF / CSV.
#include <gtest/gtest.h>

#include "run_nnlab.h"

namespace nnlab::test {
namespace {

int lineCount(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

TEST(Cli, VersionAndHelp) {
  RunResult version = runNnlab({"--version"});
  EXPECT_EQ(version.exitCode, 0);
  EXPECT_NE(version.out.find("nnlab " NNLAB_VERSION_FOR_TESTS), std::string::npos) << version.out;
  RunResult help = runNnlab({"--help"});
  EXPECT_EQ(help.exitCode, 0);
  for (const char* word : {"export", "gallery", "calc", "--screenshot", "--lab", "--scene"})
    EXPECT_NE(help.out.find(word), std::string::npos) << "help does not mention " << word;
}

TEST(Cli, UnknownFlagIsOneLineNamingIt) {
  RunResult r = runNnlab({"--bogus-flag"});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.err.find("--bogus-flag"), std::string::npos) << r.err;
  EXPECT_EQ(lineCount(r.err), 1) << r.err;
}

TEST(Cli, BadValuesNameTheFlag) {
  RunResult frames = runNnlab({"--screenshot", "x.png", "--frames", "0"});
  EXPECT_EQ(frames.exitCode, 2);
  EXPECT_NE(frames.err.find("--frames"), std::string::npos) << frames.err;

  RunResult lab = runNnlab({"--lab", "no_such_lab"});
  EXPECT_EQ(lab.exitCode, 2);
  EXPECT_NE(lab.err.find("unknown lab \"no_such_lab\""), std::string::npos) << lab.err;

  RunResult size = runNnlab({"--size", "big", "--screenshot", "x.png"});
  EXPECT_EQ(size.exitCode, 2);
  EXPECT_NE(size.err.find("WIDTHxHEIGHT"), std::string::npos) << size.err;

  RunResult screenshot = runNnlab({"--screenshot", "picture.jpg"});
  EXPECT_EQ(screenshot.exitCode, 2);
  EXPECT_NE(screenshot.err.find(".png"), std::string::npos) << screenshot.err;
}

TEST(Cli, MissingSceneFile) {
  RunResult r = runNnlab({"export", "--scene", "/nonexistent/scene.json", "--out", "x.png"});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.err.find("/nonexistent/scene.json"), std::string::npos) << r.err;
}

TEST(Cli, MalformedScenesSayWhichFieldIsWrong) {
  TempDir dir;
  struct Case {
    const char* text;
    const char* expected; // in the error message
  } cases[] = {
      {"{\"version\": 1, \"lab\": \"activations\", \"state\": {\"alpha\": \"big\"}}", "state.alpha"},
      {"{\"version\": 1, \"lab\": \"activations\", \"state\": {\"functions\": [\"relux\"]}}",
       "state.functions[0]"},
      {"{\"version\": 2, \"lab\": \"activations\", \"state\": {}}", "\"version\": expected 1"},
      {"{\"version\": 1, \"lab\": \"nope\", \"state\": {}}", "unknown lab \"nope\""},
      {"{\"version\": 1, \"lab\": \"activations\"", "not valid JSON"},
      {"{\"lab\": \"activations\", \"state\": {}}", "\"version\" is missing"},
  };
  for (const Case& c : cases) {
    const std::string scene = dir.path("scene.json");
    writeText(scene, c.text);
    RunResult r = runNnlab({"export", "--scene", scene, "--out", dir.path("out.png")});
    EXPECT_EQ(r.exitCode, 1) << c.text;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << "for " << c.text << "\nstderr: " << r.err;
    EXPECT_NE(r.err.find(scene), std::string::npos) << "error should name the file: " << r.err;
  }
}

TEST(Cli, ExportWritesPngSvgPdfCsv) {
  TempDir dir;
  const std::string scene = dir.path("relu.json");
  writeText(scene, R"({"version": 1, "lab": "activations",
                       "state": {"functions": ["relu", "sigmoid"], "probe_x": 0.5}})");

  // PNG: default figure 6.4 × 4.8 in; at 100 dpi that is 640 × 480 pixels.
  RunResult png = runNnlab({"export", "--scene", scene, "--out", dir.path("f.png"), "--dpi", "100"});
  ASSERT_EQ(png.exitCode, 0) << png.err;
  Png image = readPng(dir.path("f.png"));
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(image.width, 640);
  EXPECT_EQ(image.height, 480);
  EXPECT_GT(image.distinctColours(0, 0, image.width, image.height), 20) << "a blank figure?";
  EXPECT_GT(image.darkPixels(0, 0, image.width, image.height), 500) << "no axes or text?";

  // SVG: must parse as XML (Python's parser: an independent reader, always there with glad).
  RunResult svg = runNnlab({"export", "--scene", scene, "--out", dir.path("f.svg")});
  ASSERT_EQ(svg.exitCode, 0) << svg.err;
  const std::string parse = "/usr/bin/python3 -c 'import sys, xml.dom.minidom as m; "
                            "d = m.parse(sys.argv[1]); sys.exit(d.documentElement.tagName != \"svg\")' " +
                            dir.path("f.svg");
  EXPECT_EQ(std::system(parse.c_str()), 0) << "SVG does not parse as XML with an <svg> root";

  // PDF: starts with %PDF, and poppler renders it to a page with ink on it.
  RunResult pdf = runNnlab({"export", "--scene", scene, "--out", dir.path("f.pdf")});
  ASSERT_EQ(pdf.exitCode, 0) << pdf.err;
  EXPECT_EQ(readText(dir.path("f.pdf")).substr(0, 4), "%PDF");
  const std::string raster = "pdftoppm -png -r 50 -singlefile " + dir.path("f.pdf") + " " + dir.path("page");
  ASSERT_EQ(std::system(raster.c_str()), 0);
  Png page = readPng(dir.path("page.png"));
  ASSERT_TRUE(page.ok());
  EXPECT_GT(page.darkPixels(0, 0, page.width, page.height), 200);

  // CSV: the plotted data, one row per sample; ReLU(0.5) is not sampled but the header names it.
  RunResult csv = runNnlab({"export", "--scene", scene, "--out", dir.path("f.csv")});
  ASSERT_EQ(csv.exitCode, 0) << csv.err;
  const std::string table = readText(dir.path("f.csv"));
  EXPECT_NE(table.find("ReLU"), std::string::npos) << table.substr(0, 300);
  EXPECT_GT(lineCount(table), 400);

  // Unknown extension and unwritable directory: exit non-zero with the reason.
  RunResult gif = runNnlab({"export", "--scene", scene, "--out", dir.path("f.gif")});
  EXPECT_EQ(gif.exitCode, 2);
  EXPECT_NE(gif.err.find(".gif"), std::string::npos) << gif.err;
  RunResult nowhere = runNnlab({"export", "--scene", scene, "--out", "/nonexistent/dir/f.png"});
  EXPECT_EQ(nowhere.exitCode, 1);
  EXPECT_NE(nowhere.err.find("/nonexistent/dir/f.png"), std::string::npos) << nowhere.err;
}

} // namespace
} // namespace nnlab::test
