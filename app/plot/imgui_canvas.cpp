#include "plot/imgui_canvas.h"

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

void ImGuiCanvas::polyline(const Point* points, int count, float width, Color color,
                           LineStyle style, bool closed) {
  if (count < 2) return;
  const ImU32 col = color.toRgba8();
  static_assert(sizeof(Point) == sizeof(ImVec2), "Point and ImVec2 share a layout");
  if (style == LineStyle::Solid) {
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
  drawList_->AddRectFilled({r.x, r.y}, {r.right(), r.bottom()}, color.toRgba8());
}

void ImGuiCanvas::strokeRect(Rect r, float width, Color color) {
  // ImGui strokes inside the rectangle by half a pixel; shift so the line is centred like cairo's.
  drawList_->AddRect({r.x - 0.5f, r.y - 0.5f}, {r.right() + 0.5f, r.bottom() + 0.5f},
                     color.toRgba8(), 0, 0, width);
}

void ImGuiCanvas::fillCircle(Point c, float radius, Color color) {
  drawList_->AddCircleFilled({c.x, c.y}, radius, color.toRgba8());
}

void ImGuiCanvas::strokeCircle(Point c, float radius, float width, Color color) {
  drawList_->AddCircle({c.x, c.y}, radius, color.toRgba8(), 0, width);
}

Size ImGuiCanvas::measureText(std::string_view text, float size) {
  const ImVec2 s =
      font_->CalcTextSizeA(size, FLT_MAX, 0.0f, text.data(), text.data() + text.size());
  return {s.x, size};
}

void ImGuiCanvas::text(Point anchor, std::string_view text, float size, Color color, HAlign hAlign,
                       VAlign vAlign, bool rotated) {
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
  // Draw flat around the anchor, then turn the new vertices 90° counter-clockwise about it:
  // (x, y) -> (y, -x) in y-down coordinates. AddText culls glyphs against the clip rectangle
  // before the turn, so the flat text is drawn without one.
  const int first = drawList_->VtxBuffer.Size;
  drawList_->PushClipRectFullScreen();
  drawList_->AddText(font_, size, {anchor.x + dx, anchor.y + dy}, color.toRgba8(), begin, end);
  drawList_->PopClipRect();
  for (int i = first; i < drawList_->VtxBuffer.Size; ++i) {
    ImVec2& p = drawList_->VtxBuffer[i].pos;
    const float x = p.x - anchor.x, y = p.y - anchor.y;
    p = {anchor.x + y, anchor.y - x};
  }
}

void ImGuiCanvas::image(const ImageSource& source, Rect dest, ImageFilter filter) {
  const int slot = nextImageSlot_++;
  if (!textures_ || source.width <= 0 || source.height <= 0 || !source.fillRgba) return;
  const ImTextureID id = textures_->texture(owner_, slot, source, filter, frame_);
  drawList_->AddImage(id, {dest.x, dest.y}, {dest.right(), dest.bottom()});
}

void ImGuiCanvas::pushClip(Rect r) {
  drawList_->PushClipRect({r.x, r.y}, {r.right(), r.bottom()}, true);
}

void ImGuiCanvas::popClip() {
  drawList_->PopClipRect();
}

} // namespace nnlab::plot
