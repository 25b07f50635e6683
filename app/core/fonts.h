// fonts.h: the UI fonts, with the glyphs the course's formulas need (β σ √ Σ ⌊ ⌋ ∂ ŷ ...).
//
// Two families (proportional for text, monospaced for numbers in grids) at two sizes (normal and
// presentation), all baked into one ImGui atlas at start-up so that toggling presentation mode is
// instant. The bundled DejaVu (assets/fonts/) is used; if it is missing, the system's DejaVu; if
// neither exists, ImGui's built-in font (ASCII only) with a warning saying what is missing.
#pragma once

struct ImFont;

namespace nnlab::app {

class MessageLog;

struct FontSet {
  ImFont* text = nullptr;             // normal size
  ImFont* mono = nullptr;
  ImFont* presentationText = nullptr; // × kPresentationScale
  ImFont* presentationMono = nullptr;
  float textSize = 0;                 // pixel height of `text`
};

// Presentation mode scales fonts and line widths by this factor (for a projector).
constexpr float kPresentationScale = 1.5f;
// Font pixel height at content scale 1.
constexpr float kBaseFontSize = 17.0f;

// Adds the fonts to the current ImGui context's atlas. contentScale is the monitor's (hi-DPI).
FontSet loadFonts(float contentScale, MessageLog& messages);

} // namespace nnlab::app
