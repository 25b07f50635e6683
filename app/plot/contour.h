// contour.h: iso-lines of a sampled field by marching squares.
//
// The grid is laid out like a Heatmap: row-major, rows x cols, over [x0, x1] x [y0, y1], each
// value sitting at the centre of its cell, so x_j = x0 + (j + 1/2) (x1 - x0) / cols (same for y).
// Lines are interpolated linearly along cell edges; saddle cells are resolved by the mean of the
// four corners. Segments are joined into polylines, so a dashed contour dashes evenly.
#pragma once

#include <vector>

namespace nnlab::plot {

struct DataPoint {
  double x = 0, y = 0; // data coordinates
};

// All polylines where the field equals `level`; a closed curve ends at its first point.
// Cells touching a NaN are skipped (the line stops there).
std::vector<std::vector<DataPoint>> contourLines(const float* values, int rows, int cols, double x0,
                                                 double x1, double y0, double y1, double level);

} // namespace nnlab::plot
