#version 330 core
// Viridis by height, a headlight-style diffuse shade from the face normal (screen-space
// derivatives of the world position), and the same iso-lines as the 2-D view.
in vec3 vWorld;
in float vT;
out vec4 fragColor;
uniform sampler2D uColormap; // 256 x 1 RGBA8
uniform vec3 uLightDirection; // towards the light, normalised
uniform float uLevels;
uniform vec4 uLineColor;

void main() {
  vec3 normal = normalize(cross(dFdx(vWorld), dFdy(vWorld)));
  float diffuse = abs(dot(normal, uLightDirection)); // both sides lit: the mesh may be seen from below
  vec3 color = texture(uColormap, vec2(clamp(vT, 0.0, 1.0) * (255.0 / 256.0) + 0.5 / 256.0, 0.5)).rgb;
  color *= 0.45 + 0.55 * diffuse;
  if (uLevels > 0.0 && vT > 0.0 && vT < 1.0) {
    float s = vT * uLevels;
    float pixels = abs(fract(s + 0.5) - 0.5) / max(fwidth(s), 1e-6);
    float line = 1.0 - smoothstep(0.25, 1.25, pixels);
    color = mix(color, uLineColor.rgb, line * uLineColor.a);
  }
  fragColor = vec4(color, 1.0);
}
