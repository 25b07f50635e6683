#version 330 core
// The loss surface as a 3-D mesh: x, y in [-1, 1] (the view box), z = height from the colour
// coordinate t, so the mesh and the heatmap agree on what is high.
layout(location = 0) in vec3 aPosition;
layout(location = 1) in float aT; // colour coordinate in [0, 1]
uniform mat4 uViewProjection;
out vec3 vWorld;
out float vT;
void main() {
  vWorld = aPosition;
  vT = aT;
  gl_Position = uViewProjection * vec4(aPosition, 1.0);
}
