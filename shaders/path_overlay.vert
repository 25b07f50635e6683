#version 330 core
// Optimizer paths, markers and the box outline over the 3-D surface: ribbons already projected on
// the CPU (normalised device coordinates, so their width is in pixels), depth-tested against the
// mesh so a hill in front hides the path behind it.
layout(location = 0) in vec3 aNdc;
layout(location = 1) in vec4 aColor;
out vec4 vColor;
void main() {
  vColor = aColor;
  gl_Position = vec4(aNdc, 1.0);
}
