#version 330 core
// A loss surface as a heatmap with iso-lines, for the optimizer lab's 2-D view.
//
// uLoss holds f(x, y) sampled at cell centres over the view box, so uv maps straight onto it and
// the hardware's bilinear filter interpolates between samples. The colour coordinate
//   t = (f - shift - vmin) / (vmax - vmin)              linear
//   t = (log10(f - shift) - log10 vmin) / (log10 vmax - log10 vmin)    log (uLogScale = 1)
// is the one the plot's colorbar uses (plot::ColorScale::normalize), and uColormap is that
// colormap sampled at 256 points, so the shader's colours and the colorbar agree.
// Contours: iso-lines of t at k / uLevels, k = 1 .. uLevels - 1, i.e. evenly spaced in colour
// (log-spaced in f on a log scale). The distance to the nearest level, divided by how fast t*N
// changes per pixel (fwidth), is that distance in pixels: a line of uLineWidth pixels whatever the
// slope, anti-aliased over one pixel.
in vec2 vUv;
out vec4 fragColor;

uniform sampler2D uLoss;     // R32F
uniform sampler2D uColormap; // 256 x 1 RGBA8
uniform float uShift;
uniform float uVmin;
uniform float uVmax;
uniform int uLogScale;
uniform float uLevels;       // number of colour bands between contours; 0 = no contours
uniform float uLineWidth;    // contour width in pixels
uniform vec4 uLineColor;

void main() {
  float f = texture(uLoss, vUv).r - uShift;
  float t;
  if (uLogScale == 1) {
    float lo = log(uVmin) / log(10.0), hi = log(uVmax) / log(10.0);
    t = (log(max(f, 1e-30)) / log(10.0) - lo) / max(hi - lo, 1e-12);
  } else {
    t = (f - uVmin) / max(uVmax - uVmin, 1e-30);
  }
  float tc = clamp(t, 0.0, 1.0);
  vec3 color = texture(uColormap, vec2(tc * (255.0 / 256.0) + 0.5 / 256.0, 0.5)).rgb;
  if (uLevels > 0.0 && t > 0.0 && t < 1.0) {
    float s = t * uLevels;
    float pixels = abs(fract(s + 0.5) - 0.5) / max(fwidth(s), 1e-6);
    float line = 1.0 - smoothstep(0.5 * uLineWidth - 0.5, 0.5 * uLineWidth + 0.5, pixels);
    color = mix(color, uLineColor.rgb, line * uLineColor.a);
  }
  fragColor = vec4(color, 1.0);
}
