#include "plot/export.h"

#include <algorithm>
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>

#include "plot/cairo_canvas.h"

namespace nnlab::plot {
namespace {

cairo_status_t appendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

std::string lowerExtension(const std::string& path) {
  const auto slash = path.find_last_of('/');
  const auto dot = path.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return {};
  std::string ext = path.substr(dot);
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return ext;
}

std::string number(double v) {
  if (std::isnan(v)) return "nan";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

std::string quoted(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Draws the figure on a fresh surface and finishes it; the bytes land in `out`.
Status render(const std::function<void(Canvas&)>& draw, const std::string& ext,
              const ExportOptions& o, std::string& out) {
  cairo_surface_t* surface = nullptr;
  double scale = 1;
  if (ext == ".png") {
    scale = o.dpi / 72.0;
    const int w = int(std::lround(o.widthPt / 72.0 * o.dpi)),
              h = int(std::lround(o.heightPt / 72.0 * o.dpi));
    surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
  } else if (ext == ".svg") {
    surface = cairo_svg_surface_create_for_stream(appendToString, &out, o.widthPt, o.heightPt);
  } else {
    surface = cairo_pdf_surface_create_for_stream(appendToString, &out, o.widthPt, o.heightPt);
  }
  cairo_t* cr = cairo_create(surface);
  cairo_scale(cr, scale, scale);
  {
    CairoCanvas canvas(cr);
    draw(canvas);
  }
  cairo_status_t status = cairo_status(cr);
  cairo_destroy(cr);
  if (status == CAIRO_STATUS_SUCCESS && ext == ".png")
    status = cairo_surface_write_to_png_stream(surface, appendToString, &out);
  cairo_surface_finish(surface);
  if (status == CAIRO_STATUS_SUCCESS) status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS)
    return Error{"figure", std::string("cairo: ") + cairo_status_to_string(status)};
  return {};
}

Status checkOptions(const std::string& path, const std::string& ext, const ExportOptions& o) {
  if (ext != ".png" && ext != ".svg" && ext != ".pdf" && ext != ".csv")
    return Error{path, "unknown file type \"" + ext + "\" (use .png, .svg, .pdf or .csv)"};
  if (!(o.widthPt >= 36 && o.heightPt >= 36 && o.widthPt <= 14400 && o.heightPt <= 14400))
    return Error{"size", "must be between 36 and 14400 points per side (got " + number(o.widthPt) +
                             " x " + number(o.heightPt) + ")"};
  if (ext == ".png") {
    if (!(o.dpi >= 10 && o.dpi <= 2400))
      return Error{"dpi", "must be between 10 and 2400 (got " + number(o.dpi) + ")"};
    if (o.widthPt / 72.0 * o.dpi * o.heightPt / 72.0 * o.dpi > 400e6)
      return Error{"dpi", "image would exceed 400 megapixels (got " + number(o.dpi) + " dpi)"};
  }
  return {};
}

Status writeFile(const std::string& path, const std::string& bytes) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) return Error{path, std::string("cannot open for writing: ") + std::strerror(errno)};
  file.write(bytes.data(), std::streamsize(bytes.size()));
  file.close();
  if (!file) return Error{path, std::string("write failed: ") + std::strerror(errno)};
  return {};
}

} // namespace

namespace {

// One figure's rows, each starting with `prefix` (a FigureGrid's panel index).
void appendCsvRows(const Figure& fig, const std::string& prefix, std::string& csv) {
  for (std::size_t i = 0; i < fig.lines.size(); ++i) {
    const auto& s = fig.lines[i];
    for (std::size_t k = 0; k < s.x.size() && k < s.y.size(); ++k)
      csv += prefix + "line," + std::to_string(i) + "," + quoted(s.label) + "," + number(s.x[k]) +
             "," + number(s.y[k]) + ",\n";
  }
  for (std::size_t i = 0; i < fig.scatters.size(); ++i) {
    const auto& s = fig.scatters[i];
    for (std::size_t k = 0; k < s.x.size() && k < s.y.size(); ++k)
      csv += prefix + "scatter," + std::to_string(i) + "," + quoted(s.label) + "," +
             number(s.x[k]) + "," + number(s.y[k]) + "," +
             (k < s.category.size() ? std::to_string(s.category[k]) : std::string()) + "\n";
  }
  for (std::size_t i = 0; i < fig.bars.size(); ++i) {
    const auto& b = fig.bars[i];
    for (std::size_t k = 0; k < b.heights.size(); ++k) {
      const bool histogram = !b.edges.empty();
      const double x = histogram ? (b.edges[k] + b.edges[k + 1]) / 2 : double(k);
      csv += prefix + "bar," + std::to_string(i) + "," + quoted(b.label) + "," + number(x) + "," +
             number(b.heights[k]) + "," +
             (histogram ? number(b.edges[k + 1] - b.edges[k])
                        : (k < b.categories.size() ? quoted(b.categories[k]) : std::string())) +
             "\n";
    }
  }
  if (fig.heatmap) {
    const auto& h = *fig.heatmap;
    const std::string label = quoted(h.colorbarLabel);
    for (int r = 0; r < h.rows; ++r)
      for (int c = 0; c < h.cols; ++c) {
        const std::size_t k = std::size_t(r) * h.cols + c;
        if (k >= h.values.size()) break;
        csv += prefix + "heatmap,0," + label + "," +
               number(h.x0 + (c + 0.5) * (h.x1 - h.x0) / h.cols) + "," +
               number(h.y0 + (r + 0.5) * (h.y1 - h.y0) / h.rows) + "," + number(h.values[k]) + "\n";
      }
  }
}

} // namespace

std::string figureToCsv(const Figure& fig) {
  std::string csv = "kind,series,label,x,y,value\n";
  appendCsvRows(fig, {}, csv);
  return csv;
}

Status exportFigure(const Figure& figure, const std::string& path, const ExportOptions& o) {
  const std::string ext = lowerExtension(path);
  if (Status s = checkOptions(path, ext, o); !s) return s;
  if (const std::string problem = figure.validate(); !problem.empty())
    return Error{"figure", problem};
  std::string bytes;
  if (ext == ".csv")
    bytes = figureToCsv(figure);
  else if (Status s = render(
               [&](Canvas& canvas) {
                 drawFigure(figure, canvas, {0, 0, o.widthPt, o.heightPt}, o.style);
               },
               ext, o, bytes);
           !s)
    return s;
  return writeFile(path, bytes);
}

std::string figureGridToCsv(const FigureGrid& grid) {
  std::string csv = "panel,kind,series,label,x,y,value\n";
  for (std::size_t i = 0; i < grid.panels.size(); ++i)
    appendCsvRows(grid.panels[i], std::to_string(i) + ",", csv);
  return csv;
}

Status exportFigureGrid(const FigureGrid& grid, const std::string& path,
                        const ExportOptions& options) {
  const std::string ext = lowerExtension(path);
  if (Status s = checkOptions(path, ext, options); !s) return s;
  if (const std::string problem = grid.validate(); !problem.empty())
    return Error{"figure", problem};
  ExportOptions o = options; // the page grows to the grid's minimum (FigureGrid::minPageWidthPt)
  o.widthPt = std::max(o.widthPt, grid.minPageWidthPt);
  o.heightPt = std::max(o.heightPt, grid.minPageHeightPt);
  if (Status s = checkOptions(path, ext, o); !s) return s; // the grown page: size, megapixels
  std::string bytes;
  if (ext == ".csv")
    bytes = figureGridToCsv(grid);
  else if (Status s = render(
               [&](Canvas& canvas) {
                 drawFigureGrid(grid, canvas, {0, 0, o.widthPt, o.heightPt}, o.style);
               },
               ext, o, bytes);
           !s)
    return s;
  return writeFile(path, bytes);
}

} // namespace nnlab::plot
