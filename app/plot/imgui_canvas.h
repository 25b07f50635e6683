// imgui_canvas.h: Canvas on an ImGui draw list (the on-screen renderer), and the cache that keeps
// heatmap textures on the GPU between frames.
//
// Canvas points are ImGui pixels (screen coordinates). Text uses the given ImFont at any size
// (ImFont::CalcTextSizeA to measure); rotated text is drawn flat and its vertices turned.
#pragma once

#include <imgui.h>

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "plot/canvas.h"

namespace nnlab::gl {
class Texture;
}

namespace nnlab::plot {

// GL textures for ImageSources, keyed by (owner widget id, image slot in draw order). A slot is
// re-uploaded only when its contentKey or filter changes, so a heatmap costs one upload per
// change, not one per frame. Needs a current GL context when textures are made or freed.
class TextureCache {
public:
  TextureCache();
  ~TextureCache();
  TextureCache(const TextureCache&) = delete;
  TextureCache& operator=(const TextureCache&) = delete;

  ImTextureID texture(ImGuiID owner, int slot, const ImageSource& source, ImageFilter filter,
                      int frame);
  void collect(int frame, int maxAgeFrames = 300); // frees textures no figure drew for a while
  void clear();                                    // frees everything (before the GL context goes)
  int uploads() const { return uploads_; }         // total uploads so far (tests, profiling)
  std::size_t size() const { return entries_.size(); }

private:
  struct Entry {
    std::uint64_t contentKey = 0;
    ImageFilter filter = ImageFilter::Nearest;
    std::unique_ptr<gl::Texture> texture;
    int lastUsedFrame = 0;
  };
  std::unordered_map<std::uint64_t, Entry> entries_;
  std::vector<std::uint8_t> scratch_; // pixels of the upload in progress
  int uploads_ = 0;
};

// A polyline reduced for drawing at pixel resolution: points closer than half a pixel to the last
// point kept are dropped (the end point is always kept), then (the M4 scheme) each run of
// consecutive points within one pixel column [floor(x), floor(x) + 1) keeps its first, lowest,
// highest and last point, in path order. What is drawn stays within a pixel of the path, so a
// 10,000-step curve over 600 pixels draws as at most ~2,400 points and looks the same. On screen
// only: exports (cairo) keep every point.
std::vector<Point> decimateToPixelColumns(const Point* points, int count);

class ImGuiCanvas final : public Canvas {
public:
  static constexpr int kDecimateAbove = 256; // solid open polylines longer than this are decimated

  // textures may be null: images are then skipped (e.g. no GL context in a unit test).
  ImGuiCanvas(ImDrawList* drawList, ImFont* font, TextureCache* textures, ImGuiID owner, int frame);

  void polyline(const Point* points, int count, float width, Color color, LineStyle style,
                bool closed) override;
  void fillRect(Rect rect, Color color) override;
  void strokeRect(Rect rect, float width, Color color) override;
  void fillCircle(Point center, float radius, Color color) override;
  void strokeCircle(Point center, float radius, float width, Color color) override;
  Size measureText(std::string_view text, float size) override;
  void text(Point anchor, std::string_view text, float size, Color color, HAlign hAlign,
            VAlign vAlign, bool rotated) override;
  void image(const ImageSource& source, Rect dest, ImageFilter filter) override;
  void pushClip(Rect rect) override;
  void popClip() override;

private:
  ImDrawList* drawList_;
  ImFont* font_;
  TextureCache* textures_;
  ImGuiID owner_;
  int frame_;
  int nextImageSlot_ = 0;
  // The run of identical filled circles being drawn (step markers): pixels of their centres.
  void breakCircleRun();
  std::unordered_set<std::uint64_t> circleRunPixels_;
  ImU32 circleRunColor_ = 0;
  float circleRunRadius_ = -1;
};

} // namespace nnlab::plot
