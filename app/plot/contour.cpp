#include "plot/contour.h"

#include <cmath>
#include <unordered_map>

namespace nnlab::plot {
namespace {

struct Segment {
  long edge[2];
  DataPoint point[2];
  bool used = false;
};

} // namespace

std::vector<std::vector<DataPoint>> contourLines(const float* values, int rows, int cols, double x0,
                                                 double x1, double y0, double y1, double level) {
  std::vector<std::vector<DataPoint>> lines;
  if (rows < 2 || cols < 2) return lines;
  const double dx = (x1 - x0) / cols, dy = (y1 - y0) / rows;
  auto v = [&](int i, int j) { return double(values[long(i) * cols + j]); };
  auto nodeX = [&](int j) { return x0 + (j + 0.5) * dx; };
  auto nodeY = [&](int i) { return y0 + (i + 0.5) * dy; };
  // Edge ids: 2 * node + 0 for the edge to the right of a node, + 1 for the edge above it.
  auto hEdge = [&](int i, int j) { return 2 * (long(i) * cols + j); };
  auto vEdge = [&](int i, int j) { return 2 * (long(i) * cols + j) + 1; };
  // Where the level crosses the edge from node p to node q (linear interpolation).
  auto cross = [&](double xp, double yp, double vp, double xq, double yq, double vq) {
    const double t = (level - vp) / (vq - vp);
    return DataPoint{xp + t * (xq - xp), yp + t * (yq - yp)};
  };

  std::vector<Segment> segments;
  for (int i = 0; i + 1 < rows; ++i) {
    for (int j = 0; j + 1 < cols; ++j) {
      // Corners counter-clockwise from (i, j): a bottom-left, b bottom-right, c top-right, d
      // top-left.
      const double a = v(i, j), b = v(i, j + 1), c = v(i + 1, j + 1), d = v(i + 1, j);
      if (std::isnan(a) || std::isnan(b) || std::isnan(c) || std::isnan(d)) continue;
      const bool A = a >= level, B = b >= level, C = c >= level, D = d >= level;
      // Crossed edges in the order bottom (a-b), right (b-c), top (d-c), left (a-d).
      long ids[4];
      DataPoint pts[4];
      bool crossed[4] = {A != B, B != C, D != C, A != D};
      if (crossed[0])
        ids[0] = hEdge(i, j), pts[0] = cross(nodeX(j), nodeY(i), a, nodeX(j + 1), nodeY(i), b);
      if (crossed[1])
        ids[1] = vEdge(i, j + 1),
        pts[1] = cross(nodeX(j + 1), nodeY(i), b, nodeX(j + 1), nodeY(i + 1), c);
      if (crossed[2])
        ids[2] = hEdge(i + 1, j),
        pts[2] = cross(nodeX(j), nodeY(i + 1), d, nodeX(j + 1), nodeY(i + 1), c);
      if (crossed[3])
        ids[3] = vEdge(i, j), pts[3] = cross(nodeX(j), nodeY(i), a, nodeX(j), nodeY(i + 1), d);
      auto add = [&](int e, int f) { segments.push_back({{ids[e], ids[f]}, {pts[e], pts[f]}}); };
      const int count = crossed[0] + crossed[1] + crossed[2] + crossed[3];
      if (count == 2) {
        int e[2] = {0, 0}, n = 0;
        for (int k = 0; k < 4; ++k)
          if (crossed[k]) e[n++] = k;
        add(e[0], e[1]);
      } else if (count == 4) {
        // Saddle: a and c agree, b and d agree. If the centre agrees with a, the a-c region is
        // connected and the lines cut off corners b (bottom-right) and d (top-left); else a and c.
        const bool centre = (a + b + c + d) / 4 >= level;
        if (centre == A)
          add(0, 1), add(2, 3);
        else
          add(3, 0), add(1, 2);
      }
    }
  }

  // Join segments sharing an edge crossing into polylines.
  std::unordered_map<long, std::vector<int>> byEdge;
  for (int s = 0; s < int(segments.size()); ++s)
    for (long e : segments[s].edge) byEdge[e].push_back(s);
  auto nextSegment = [&](long edge, int from) {
    for (int s : byEdge[edge])
      if (s != from && !segments[s].used) return s;
    return -1;
  };
  for (int start = 0; start < int(segments.size()); ++start) {
    if (segments[start].used) continue;
    segments[start].used = true;
    std::vector<DataPoint> forward = {segments[start].point[0], segments[start].point[1]};
    // Walk forward from the end edge, then backward from the start edge.
    std::vector<DataPoint> backward;
    for (int dir = 0; dir < 2; ++dir) {
      long edge = segments[start].edge[dir == 0 ? 1 : 0];
      int current = start;
      while (true) {
        const int s = nextSegment(edge, current);
        if (s < 0) break;
        segments[s].used = true;
        const int enter = segments[s].edge[0] == edge ? 0 : 1;
        (dir == 0 ? forward : backward).push_back(segments[s].point[1 - enter]);
        edge = segments[s].edge[1 - enter];
        current = s;
      }
    }
    std::vector<DataPoint> line(backward.rbegin(), backward.rend());
    line.insert(line.end(), forward.begin(), forward.end());
    lines.push_back(std::move(line));
  }
  return lines;
}

} // namespace nnlab::plot
