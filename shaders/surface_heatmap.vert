#version 330 core
// A quad covering the render target; uv (0, 0) is the view box's (x min, y min) corner.
layout(location = 0) in vec2 aCorner; // in [0, 1]^2
out vec2 vUv;
void main() {
  vUv = aCorner;
  gl_Position = vec4(aCorner * 2.0 - 1.0, 0.0, 1.0);
}
