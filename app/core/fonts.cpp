#include "core/fonts.h"

#include <filesystem>
#include <imgui.h>

#include "core/messages.h"
#include "core/paths.h"

namespace nnlab::app {

namespace {

// Unicode blocks the labs write in: Latin + Latin-1, Latin Extended-A (ŷ), modifier letters
// (the ˣ of e⁻ˣ), combining marks (x̂),
// Greek (α β γ σ μ), general punctuation (– — ‖ …), super/subscripts (² ³ ᵗ ₁), letterlike
// symbols (ℝ), arrows (→ ←), mathematical operators (∂ ∑ √ ∞ ≈ ≤ ·), miscellaneous technical
// (⌊ ⌋ ⌈ ⌉), geometric shapes (▶ ■ ●).
const ImWchar kFormulaGlyphRanges[] = {
    0x0020, 0x00FF, 0x0100, 0x017F, 0x02B0, 0x02FF, 0x0300, 0x036F, 0x0370, 0x03FF, 0x1D00, 0x1DBF,
    0x2000, 0x206F, 0x2070, 0x209F, 0x2100, 0x214F, 0x2190, 0x21FF, 0x2200, 0x22FF,
    0x2300, 0x23FF, 0x25A0, 0x25FF, 0,
};

std::string findFont(const char* fileName, MessageLog& messages) {
  const std::filesystem::path bundled = assetPath(std::string("fonts/") + fileName);
  if (std::filesystem::exists(bundled)) return bundled.string();
  const std::filesystem::path system = std::filesystem::path("/usr/share/fonts/truetype/dejavu") / fileName;
  if (std::filesystem::exists(system)) {
    messages.warning("font " + bundled.string() + " is missing; using " + system.string());
    return system.string();
  }
  messages.warning("font " + std::string(fileName) + " not found in " + bundled.parent_path().string() +
                   " nor in /usr/share/fonts: using ImGui's built-in font (ASCII only; formulas "
                   "will show '?' for Greek letters). Install fonts-dejavu-core.");
  return {};
}

ImFont* addFont(const std::string& path, float size) {
  ImGuiIO& io = ImGui::GetIO();
  if (path.empty()) {
    ImFontConfig config;
    config.SizePixels = size;
    return io.Fonts->AddFontDefault(&config);
  }
  ImFontConfig config;
  config.OversampleH = 2; // sharper text on software GL without subpixel positioning
  config.OversampleV = 1;
  return io.Fonts->AddFontFromFileTTF(path.c_str(), size, &config, kFormulaGlyphRanges);
}

} // namespace

FontSet loadFonts(float contentScale, MessageLog& messages) {
  const std::string textPath = findFont("DejaVuSans.ttf", messages);
  const std::string monoPath = findFont("DejaVuSansMono.ttf", messages);
  const float size = kBaseFontSize * contentScale;
  FontSet fonts;
  fonts.textSize = size;
  fonts.text = addFont(textPath, size); // first added: ImGui's default font
  fonts.mono = addFont(monoPath, size);
  fonts.presentationText = addFont(textPath, size * kPresentationScale);
  fonts.presentationMono = addFont(monoPath, size * kPresentationScale);
  return fonts;
}

} // namespace nnlab::app
