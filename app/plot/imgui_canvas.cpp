#include "plot/imgui_canvas.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

#include "gl/texture.h"

namespace nnlab::plot {

TextureCache::TextureCache() = default;
TextureCache::~TextureCache() = default;

ImTextureID TextureCache::texture(ImGuiID owner, int slot, const ImageSource& source,
                                  ImageFilter filter, int frame) {
  // Owner in the high half, slot in the low: distinct for every (widget, image) pair.
  const std::uint64_t id = (std::uint64_t(owner) << 32) | std::uint32_t(slot);
  Entry& e = entries_[id];
  if (!e.texture || e.contentKey != source.contentKey || e.filter != filter) {
    if (!e.texture) e.texture = std::make_unique<gl::Texture>();
    scratch_.clear();
    source.fillRgba(scratch_);
    if (scratch_.size() >= std::size_t(source.width) * source.height * 4)
      e.texture->upload(source.width, source.height, scratch_.data(),
                        filter == ImageFilter::Nearest ? gl::TextureFilter::Nearest
                                                       : gl::TextureFilter::Linear);
    e.contentKey = source.contentKey, e.filter = filter;
    ++uploads_;
  }
  e.lastUsedFrame = frame;
  return reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(e.texture->id()));
}

void TextureCache::collect(int frame, int maxAgeFrames) {
  for (auto it = entries_.begin(); it != entries_.end();)
    it = frame - it->second.lastUsedFrame > maxAgeFrames ? entries_.erase(it) : std::next(it);
}

void TextureCache::clear() {
  entries_.clear();
}

ImGuiCanvas::ImGuiCanvas(ImDrawList* drawList, ImFont* font, TextureCache* textures, ImGuiID owner,
                         int frame)
    : drawList_(drawList), font_(font), textures_(textures), owner_(owner), frame_(frame) {}

std::vector<Point> decimateToPixelColumns(const Point* input, int inputCount) {
  std::vector<Point> kept;
  if (inputCount <= 0) return kept;
  // First, points within half a pixel of the last one kept add nothing visible (a path that has
  // converged piles thousands of steps onto one spot): drop them, but keep the end.
  std::vector<Point> spread;
  spread.reserve(std::size_t(inputCount));
  spread.push_back(input[0]);
  for (int i = 1; i < inputCount; ++i) {
    const float dx = input[i].x - spread.back().x, dy = input[i].y - spread.back().y;
    if (dx * dx + dy * dy >= 0.25f || i == inputCount - 1) spread.push_back(input[i]);
  }
  const Point* points = spread.data();
  const int count = int(spread.size());
  kept.reserve(std::size_t(std::min(count, 4096)));
  // One run: consecutive points in the same pixel column [floor(x), floor(x) + 1).
  int first = 0, low = 0, high = 0;
  auto flush = [&](int last) {
    int keep[4] = {first, low, high, last};
    std::sort(keep, keep + 4); // in path order, so the line still runs first -> last
    for (int k = 0; k < 4; ++k)
      if (k == 0 || keep[k] != keep[k - 1]) kept.push_back(points[keep[k]]);
  };
  float column = std::floor(points[0].x);
  for (int i = 1; i < count; ++i) {
    const float c = std::floor(points[i].x);
    if (c != column) {
      flush(i - 1);
      first = low = high = i, column = c;
      continue;
    }
    if (points[i].y < points[low].y) low = i;
    if (points[i].y > points[high].y) high = i;
  }
  flush(count - 1);
  return kept;
}

void ImGuiCanvas::polyline(const Point* points, int count, float width, Color color,
                           LineStyle style, bool closed) {
  if (count < 2) return;
  breakCircleRun();
  const ImU32 col = color.toRgba8();
  static_assert(sizeof(Point) == sizeof(ImVec2), "Point and ImVec2 share a layout");
  if (style == LineStyle::Solid) {
    // A dense line (10,000 optimizer steps, a long loss curve) is decimated to the pixel grid
    // first: an anti-aliased thick polyline costs ImGui ~4 vertices and 18 indices per point, and
    // the software rasterizer pays for every one of them, though most land on the same pixels.
    std::vector<Point> decimated;
    if (count > kDecimateAbove && !closed) {
      decimated = decimateToPixelColumns(points, count);
      points = decimated.data(), count = int(decimated.size());
    }
    drawList_->AddPolyline(reinterpret_cast<const ImVec2*>(points), count, col,
                           closed ? ImDrawFlags_Closed : 0, width);
    return;
  }
  std::vector<Point> path(points, points + count);
  if (closed) path.push_back(points[0]);
  for (const auto& run : dashPolyline(path.data(), int(path.size()), dashPattern(style, width)))
    drawList_->AddPolyline(reinterpret_cast<const ImVec2*>(run.data()), int(run.size()), col, 0,
                           width);
}

void ImGuiCanvas::fillRect(Rect r, Color color) {
  breakCircleRun();
  drawList_->AddRectFilled({r.x, r.y}, {r.right(), r.bottom()}, color.toRgba8());
}

void ImGuiCanvas::strokeRect(Rect r, float width, Color color) {
  breakCircleRun();
  // ImGui strokes inside the rectangle by half a pixel; shift so the line is centred like cairo's.
  drawList_->AddRect({r.x - 0.5f, r.y - 0.5f}, {r.right() + 0.5f, r.bottom() + 0.5f},
                     color.toRgba8(), 0, 0, width);
}

void ImGuiCanvas::fillCircle(Point c, float radius, Color color) {
  // Step markers of a path that has slowed down land on the same pixel again and again; each
  // would cost ~20 vertices of rasterizer work for no visible change. Within a run of identical
  // circles (nothing else drawn in between, so the stacking order cannot differ), a circle whose
  // centre rounds to a pixel already used is skipped: what is seen moves by under half a pixel.
  const ImU32 col = color.toRgba8();
  if (circleRunColor_ != col || circleRunRadius_ != radius) {
    breakCircleRun();
    circleRunColor_ = col, circleRunRadius_ = radius;
  }
  const std::uint64_t pixel =
      (std::uint64_t(std::uint32_t(std::lround(c.x))) << 32) | std::uint32_t(std::lround(c.y));
  if (!circleRunPixels_.insert(pixel).second) return;
  drawList_->AddCircleFilled({c.x, c.y}, radius, col);
}

void ImGuiCanvas::breakCircleRun() {
  circleRunPixels_.clear();
  circleRunColor_ = 0, circleRunRadius_ = -1;
}

void ImGuiCanvas::strokeCircle(Point c, float radius, float width, Color color) {
  breakCircleRun();
  drawList_->AddCircle({c.x, c.y}, radius, color.toRgba8(), 0, width);
}

Size ImGuiCanvas::measureText(std::string_view text, float size) {
  const ImVec2 s =
      font_->CalcTextSizeA(size, FLT_MAX, 0.0f, text.data(), text.data() + text.size());
  return {s.x, size};
}

void ImGuiCanvas::text(Point anchor, std::string_view text, float size, Color color, HAlign hAlign,
                       VAlign vAlign, bool rotated) {
  breakCircleRun();
  if (text.empty()) return;
  const float w = measureText(text, size).w;
  const float dx = hAlign == HAlign::Left ? 0 : hAlign == HAlign::Center ? -w / 2 : -w;
  // ImGui places text by the top of its line box; the baseline is `Ascent` below it.
  const float ascent = font_->Ascent * size / font_->FontSize;
  float dy = 0;
  switch (vAlign) {
  case VAlign::Top: dy = 0; break;
  case VAlign::Middle: dy = -size / 2; break;
  case VAlign::Baseline: dy = -ascent; break;
  case VAlign::Bottom: dy = -size; break;
  }
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (!rotated) {
    drawList_->AddText(font_, size, {std::round(anchor.x + dx), std::round(anchor.y + dy)},
                       color.toRgba8(), begin, end);
    return;
  }
  // Draw flat, then turn the new vertices 90° counter-clockwise about the anchor:
  // (x, y) -> (y, -x) in y-down coordinates. AddText culls glyphs against the clip rectangle
  // before the turn, so the flat text is drawn under the full-screen one and from x = 0: drawn
  // at the anchor, a label near the window's right edge (a colorbar's) lost its last glyphs.
  const float shift = -(anchor.x + dx); // flat text starts at x = 0
  const int first = drawList_->VtxBuffer.Size;
  drawList_->PushClipRectFullScreen();
  drawList_->AddText(font_, size, {0.0f, anchor.y + dy}, color.toRgba8(), begin, end);
  drawList_->PopClipRect();
  for (int i = first; i < drawList_->VtxBuffer.Size; ++i) {
    ImVec2& p = drawList_->VtxBuffer[i].pos;
    const float x = p.x - shift - anchor.x, y = p.y - anchor.y;
    p = {anchor.x + y, anchor.y - x};
  }
}

void ImGuiCanvas::image(const ImageSource& source, Rect dest, ImageFilter filter) {
  breakCircleRun();
  const int slot = nextImageSlot_++;
  if (!textures_ || source.width <= 0 || source.height <= 0 || !source.fillRgba) return;
  const ImTextureID id = textures_->texture(owner_, slot, source, filter, frame_);
  drawList_->AddImage(id, {dest.x, dest.y}, {dest.right(), dest.bottom()});
}

void ImGuiCanvas::pushClip(Rect r) {
  breakCircleRun();
  drawList_->PushClipRect({r.x, r.y}, {r.right(), r.bottom()}, true);
}

void ImGuiCanvas::popClip() {
  breakCircleRun();
  drawList_->PopClipRect();
}

} // namespace nnlab::plot
