// export.h: a Figure (or a FigureGrid of panels) to a file, with no window: PNG (any DPI), SVG
// and PDF through cairo, and CSV (the numbers behind the figure, for students who want to re-plot
// them).
#pragma once

#include <string>

#include "nnlab/status.h"
#include "plot/draw_figure.h"
#include "plot/figure.h"

namespace nnlab::plot {

struct ExportOptions {
  float widthPt = 6.4f * 72; // page size in points (1/72 inch); 6.4 x 4.8 in as matplotlib
  float heightPt = 4.8f * 72;
  float dpi = 150; // PNG only: pixels = inches x dpi (960 x 720 by default)
  PlotStyle style; // scale > 1 for slides
};

// Writes `path`; the format follows the extension (.png .svg .pdf .csv, any case).
// Errors: unknown extension, unwritable path, a figure that fails validate(), a bad size or dpi.
Status exportFigure(const Figure& figure, const std::string& path,
                    const ExportOptions& options = {});

// The same for a grid of panels: the page holds the whole grid, and is at least the grid's
// minPageWidthPt x minPageHeightPt (PNG pixels follow the page, so a big grid gets more pixels).
Status exportFigureGrid(const FigureGrid& grid, const std::string& path,
                        const ExportOptions& options = {});

// Long format, one row per number, header
//   kind,series,label,x,y,value
// kind is line, scatter (value = category or empty), heatmap (x, y = cell centre, value = the
// cell; a picture without values writes no rows) or bar (x = bar centre: the bin's middle or the
// category index; y = height; value = bin width or category name); series is the index within its
// kind. Text fields are quoted when needed (RFC 4180).
std::string figureToCsv(const Figure& figure);

// Every panel's rows with a leading panel index: panel,kind,series,label,x,y,value.
std::string figureGridToCsv(const FigureGrid& grid);

} // namespace nnlab::plot
