#include "plot/draw_figure.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "plot/contour.h"

namespace nnlab::plot {

float AxisMap::toCanvas(double value) const {
  double lo = min, hi = max, v = value;
  if (log) {
    if (!(v > 0)) return NAN;
    lo = std::log10(lo), hi = std::log10(hi), v = std::log10(v);
  }
  const double t = (v - lo) / (hi - lo);
  // Far-off points are clamped so renderers never see coordinates near float overflow.
  return float(std::clamp(p0 + t * (p1 - p0), -1e6, 1e6));
}

double AxisMap::toData(float canvas) const {
  const double t = (canvas - p0) / double(p1 - p0);
  if (log) return std::pow(10.0, std::log10(min) + t * (std::log10(max) - std::log10(min)));
  return min + t * (max - min);
}

std::uint64_t heatmapContentKey(const Heatmap& h) {
  // FNV-1a over 32-bit words: fast enough to run every frame on a 512 x 512 grid.
  std::uint64_t key = 1469598103934665603ull;
  auto mix = [&](std::uint64_t word) { key = (key ^ word) * 1099511628211ull; };
  auto mixDouble = [&](double d) {
    std::uint64_t bits;
    std::memcpy(&bits, &d, sizeof bits);
    mix(bits);
  };
  mix(std::uint64_t(h.rows)), mix(std::uint64_t(h.cols)), mix(std::uint64_t(h.colormap));
  mix(h.logColor), mixDouble(h.vmin.value_or(NAN)), mixDouble(h.vmax.value_or(NAN));
  for (float v : h.values) {
    std::uint32_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    mix(bits);
  }
  return key;
}

namespace {

struct Range {
  double lo = INFINITY, hi = -INFINITY;
  bool empty() const { return !(hi >= lo); }
  void add(double v, bool log) {
    if (!std::isfinite(v) || (log && v <= 0)) return;
    lo = std::min(lo, v), hi = std::max(hi, v);
  }
};

// The data range of one axis: series with a 5% margin (in the axis's own scale), grids tight,
// the axis's explicit limits over both.
void fitAxis(const Axis& axis, Range series, Range grids, double& outMin, double& outMax) {
  const bool log = axis.scale == AxisScale::Log10;
  if (!series.empty()) {
    double lo = log ? std::log10(series.lo) : series.lo,
           hi = log ? std::log10(series.hi) : series.hi;
    if (hi == lo) { // one value: give it some room
      const double pad = log ? 0.5 : (lo == 0 ? 0.5 : std::abs(lo) * 0.1);
      lo -= pad, hi += pad;
    } else {
      const double pad = 0.05 * (hi - lo);
      lo -= pad, hi += pad;
    }
    series.lo = log ? std::pow(10.0, lo) : lo, series.hi = log ? std::pow(10.0, hi) : hi;
  }
  Range all = series;
  if (!grids.empty()) all.add(grids.lo, false), all.add(grids.hi, false);
  if (all.empty()) all.lo = log ? 1 : 0, all.hi = log ? 10 : 1;
  double lo = axis.min.value_or(all.lo), hi = axis.max.value_or(all.hi);
  if (log) lo = std::max(lo, 1e-300), hi = std::max(hi, 1e-300);
  if (!(hi > lo)) { // an explicit limit on the wrong side of the data
    if (axis.min)
      hi = log ? lo * 10 : lo + 1;
    else
      lo = log ? hi / 10 : hi - 1;
  }
  outMin = lo, outMax = hi;
}

Ticks axisTicks(const AxisMap& map, float length, float spacing) {
  int target = std::max(2, int(std::abs(length) / spacing));
  Ticks ticks = map.log ? logTicks(map.min, map.max, target) : niceTicks(map.min, map.max, target);
  // A short axis asks for 2 ticks, and Heckbert's rounding may then leave only one inside the
  // range ([-5.5, 5.5] -> step 20 -> just 0): ask for more until two are labelled.
  while (!map.log && ticks.major.size() < 2 && target < 6)
    ticks = niceTicks(map.min, map.max, ++target);
  return ticks;
}

float widestLabel(Canvas& canvas, const Ticks& ticks, float size) {
  float w = 0;
  for (const auto& label : ticks.labels) w = std::max(w, canvas.measureText(label, size).w);
  return w;
}

// Fewer ticks until the labels of a horizontal axis no longer touch each other.
Ticks xAxisTicks(Canvas& canvas, const AxisMap& map, float length, float spacing, float size,
                 float gap) {
  Ticks ticks = axisTicks(map, length, spacing);
  for (int attempt = 0; attempt < 4; ++attempt) {
    if (ticks.major.size() < 2) break;
    float needed = 0;
    for (const auto& label : ticks.labels) needed += canvas.measureText(label, size).w + gap;
    if (needed <= std::abs(length)) break;
    spacing *= 1.6f;
    ticks = axisTicks(map, length, spacing);
  }
  return ticks;
}

struct LegendEntry {
  std::string label;
  Color color;
  bool isLine;
  LineStyle style;
  float width;
  bool markers;
  float radius;
};

} // namespace

FigureLayout layoutFigure(const Figure& fig, Canvas& canvas, Rect area, const PlotStyle& style) {
  FigureLayout L;
  L.area = area;
  L.error = fig.validate();
  if (!L.error.empty()) return L;
  const float S = style.scale;

  // Data ranges.
  const bool xLog = fig.xAxis.scale == AxisScale::Log10, yLog = fig.yAxis.scale == AxisScale::Log10;
  Range xs, ys, xg, yg;
  for (const auto& s : fig.lines)
    for (std::size_t i = 0; i < s.x.size(); ++i)
      if (std::isfinite(s.x[i]) && std::isfinite(s.y[i]))
        xs.add(s.x[i], xLog), ys.add(s.y[i], yLog);
  for (const auto& s : fig.scatters)
    for (std::size_t i = 0; i < s.x.size(); ++i)
      if (std::isfinite(s.x[i]) && std::isfinite(s.y[i]))
        xs.add(s.x[i], xLog), ys.add(s.y[i], yLog);
  if (fig.heatmap) {
    xg.add(fig.heatmap->x0, xLog), xg.add(fig.heatmap->x1, xLog);
    yg.add(fig.heatmap->y0, yLog), yg.add(fig.heatmap->y1, yLog);
  }
  for (const auto& c : fig.contours)
    xg.add(c.x0, xLog), xg.add(c.x1, xLog), yg.add(c.y0, yLog), yg.add(c.y1, yLog);
  fitAxis(fig.xAxis, xs, xg, L.x.min, L.x.max);
  fitAxis(fig.yAxis, ys, yg, L.y.min, L.y.max);
  L.x.log = xLog, L.y.log = yLog;

  // Colorbar scale and what it needs on the right.
  L.hasColorbar = fig.heatmap && fig.heatmap->colorbar;
  if (fig.heatmap) L.colorScale = resolveColorScale(*fig.heatmap);

  const float pad = style.padding * S;
  const float tickLen = style.tickLength * S, tickGap = style.tickLabelGap * S;
  const float tickSize = style.tickLabelSize * S, labelSize = style.labelSize * S;
  float top = area.y + pad, bottom = area.bottom() - pad;
  float left = area.x + pad, right = area.right() - pad;
  if (!fig.title.empty())
    top += style.titleSize * S + style.titleGap * S;
  else
    top += tickSize * 0.5f; // room for the top y tick label's upper half
  bottom -= tickLen + tickGap + tickSize;
  if (!fig.xAxis.label.empty()) bottom -= style.labelGap * S + labelSize;
  if (!fig.yAxis.label.empty()) left += labelSize + style.labelGap * S;

  // Two passes: tick labels' widths decide the plot box, the box decides the ticks.
  float yLabelW = canvas.measureText("0.0", tickSize).w, cbLabelW = yLabelW, xLastHalf = 0;
  for (int pass = 0; pass < 2; ++pass) {
    float plotLeft = left + yLabelW + tickGap + tickLen;
    float plotRight = right - std::max(0.0f, xLastHalf - pad * 0.5f);
    if (L.hasColorbar) {
      plotRight =
          right - (style.colorbarGap * S + style.colorbarWidth * S + tickLen + tickGap + cbLabelW);
      if (!fig.heatmap->colorbarLabel.empty()) plotRight -= style.labelGap * S + labelSize;
    }
    Rect plot{plotLeft, top, std::max(10.0f, plotRight - plotLeft), std::max(10.0f, bottom - top)};

    if (fig.equalAspect) {
      // Shrink the box along the axis with more points per data unit, keep it centred.
      const double xSpan = xLog ? std::log10(L.x.max / L.x.min) : L.x.max - L.x.min;
      const double ySpan = yLog ? std::log10(L.y.max / L.y.min) : L.y.max - L.y.min;
      const double unit = std::min(plot.w / xSpan, plot.h / ySpan);
      const float w = float(xSpan * unit), h = float(ySpan * unit);
      plot.x += (plot.w - w) / 2, plot.y += (plot.h - h) / 2, plot.w = w, plot.h = h;
    }
    L.plot = plot;
    L.x.p0 = fig.xAxis.invert ? plot.right() : plot.x;
    L.x.p1 = fig.xAxis.invert ? plot.x : plot.right();
    L.y.p0 = fig.yAxis.invert ? plot.y : plot.bottom();
    L.y.p1 = fig.yAxis.invert ? plot.bottom() : plot.y;

    L.yTicks = axisTicks(L.y, plot.h, style.yTickSpacing * S);
    L.xTicks = xAxisTicks(canvas, L.x, plot.w, style.xTickSpacing * S, tickSize,
                          2 * tickGap + tickSize * 0.5f);
    yLabelW = widestLabel(canvas, L.yTicks, tickSize);
    L.yTickLabelWidth = yLabelW;
    xLastHalf = 0;
    if (!L.xTicks.labels.empty()) {
      // A label centred on the right end may stick out of the box: keep it inside the figure.
      const std::size_t last = fig.xAxis.invert ? 0 : L.xTicks.labels.size() - 1;
      if (std::abs(L.x.toCanvas(L.xTicks.major[last]) - plot.right()) < 1.0f && !L.hasColorbar)
        xLastHalf = canvas.measureText(L.xTicks.labels[last], tickSize).w / 2;
    }
    if (L.hasColorbar) {
      const float barX = plot.right() + style.colorbarGap * S;
      L.colorbar = {barX, plot.y, style.colorbarWidth * S, plot.h};
      AxisMap cb{L.colorScale.vmin, L.colorScale.vmax, plot.bottom(), plot.y, L.colorScale.log};
      L.colorbarTicks = axisTicks(cb, plot.h, style.yTickSpacing * S);
      cbLabelW = widestLabel(canvas, L.colorbarTicks, tickSize);
    }
  }
  return L;
}

FigureLayout drawFigure(const Figure& fig, Canvas& canvas, Rect area, const PlotStyle& style) {
  const FigureLayout L = layoutFigure(fig, canvas, area, style);
  const float S = style.scale;
  canvas.fillRect(area, style.background);
  if (!L.error.empty()) {
    canvas.text({area.x + area.w / 2, area.y + area.h / 2}, "cannot draw figure: " + L.error,
                style.labelSize * S, {0.75f, 0.1f, 0.1f, 1}, HAlign::Center, VAlign::Middle);
    return L;
  }
  const Rect& P = L.plot;
  const Color fg = style.foreground;
  const float tickLen = style.tickLength * S, tickGap = style.tickLabelGap * S;
  const float tickSize = style.tickLabelSize * S, labelSize = style.labelSize * S;
  const float lineScale = S * style.lineWidthScale;
  auto toCanvas = [&](double x, double y) { return Point{L.x.toCanvas(x), L.y.toCanvas(y)}; };

  canvas.fillRect(P, style.plotBackground);

  // Grid under everything that carries data.
  const float gridW = style.gridLineWidth * S;
  if (fig.xAxis.gridLines)
    for (double v : L.xTicks.major) {
      const float px = L.x.toCanvas(v);
      Point seg[2] = {{px, P.y}, {px, P.bottom()}};
      canvas.polyline(seg, 2, gridW, style.gridColor);
    }
  if (fig.yAxis.gridLines)
    for (double v : L.yTicks.major) {
      const float py = L.y.toCanvas(v);
      Point seg[2] = {{P.x, py}, {P.right(), py}};
      canvas.polyline(seg, 2, gridW, style.gridColor);
    }

  canvas.pushClip(P);

  // Heatmap.
  if (fig.heatmap) {
    const Heatmap& h = *fig.heatmap;
    const Point a = toCanvas(h.x0, h.y0), b = toCanvas(h.x1, h.y1);
    const bool rowZeroOnTop = a.y<b.y, flipColumns = a.x> b.x;
    const Rect dest{std::min(a.x, b.x), std::min(a.y, b.y), std::abs(b.x - a.x),
                    std::abs(b.y - a.y)};
    ImageSource src;
    src.width = h.cols, src.height = h.rows;
    src.contentKey = heatmapContentKey(h) ^ (rowZeroOnTop ? 0x9e3779b97f4a7c15ull : 0) ^
                     (flipColumns ? 0x51ull : 0);
    src.fillRgba = [&h, rowZeroOnTop, flipColumns](std::vector<std::uint8_t>& rgba) {
      rgba = heatmapToRgba(h, rowZeroOnTop);
      if (flipColumns)
        for (int r = 0; r < h.rows; ++r)
          for (int c = 0; c < h.cols / 2; ++c)
            for (int k = 0; k < 4; ++k)
              std::swap(rgba[(std::size_t(r) * h.cols + c) * 4 + k],
                        rgba[(std::size_t(r) * h.cols + h.cols - 1 - c) * 4 + k]);
    };
    canvas.image(src, dest, h.nearest ? ImageFilter::Nearest : ImageFilter::Bilinear);

    if (h.showValues) {
      const float cellW = dest.w / h.cols, cellH = dest.h / h.rows;
      const float size = std::min(style.cellValueSize * S, cellH * 0.7f);
      for (int r = 0; r < h.rows && size >= 5; ++r)
        for (int c = 0; c < h.cols; ++c) {
          const float v = h.values[std::size_t(r) * h.cols + c];
          char buf[32];
          std::snprintf(buf, sizeof buf, "%.3g", v);
          std::string text = buf;
          if (text[0] == '-') text = "\xE2\x88\x92" + text.substr(1);
          if (canvas.measureText(text, size).w > cellW * 0.92f) continue;
          const Point centre = toCanvas(h.x0 + (c + 0.5) * (h.x1 - h.x0) / h.cols,
                                        h.y0 + (r + 0.5) * (h.y1 - h.y0) / h.rows);
          const bool dark = relativeLuminance(L.colorScale.color(v)) < 0.35;
          canvas.text(centre, text, size, dark ? Color{1, 1, 1, 1} : Color{0, 0, 0, 1},
                      HAlign::Center, VAlign::Middle);
        }
    }
  }

  // Contours.
  for (const auto& c : fig.contours) {
    std::vector<double> levels = c.levels;
    if (levels.empty()) {
      double lo = INFINITY, hi = -INFINITY;
      for (float v : c.values)
        if (std::isfinite(v)) lo = std::min(lo, double(v)), hi = std::max(hi, double(v));
      levels = niceLevels(lo, hi, 10);
    }
    const Color color = c.color.value_or(style.contourColor);
    std::vector<Point> pts;
    for (double level : levels)
      for (const auto& line :
           contourLines(c.values.data(), c.rows, c.cols, c.x0, c.x1, c.y0, c.y1, level)) {
        pts.clear();
        for (const auto& p : line) pts.push_back(toCanvas(p.x, p.y));
        canvas.polyline(pts.data(), int(pts.size()), c.width * lineScale, color);
      }
  }

  // Line series: NaN (or a non-positive value on a log axis) ends a run.
  std::vector<LegendEntry> legend;
  for (std::size_t i = 0; i < fig.lines.size(); ++i) {
    const auto& s = fig.lines[i];
    const Color color = s.color.value_or(seriesColor(int(i)));
    const float width = s.width * lineScale;
    std::vector<Point> run;
    auto flush = [&] {
      if (run.size() >= 2) canvas.polyline(run.data(), int(run.size()), width, color, s.style);
      run.clear();
    };
    for (std::size_t k = 0; k < s.x.size(); ++k) {
      const Point p = toCanvas(s.x[k], s.y[k]);
      if (std::isfinite(p.x) && std::isfinite(p.y) && std::isfinite(s.x[k]) &&
          std::isfinite(s.y[k]))
        run.push_back(p);
      else
        flush();
    }
    flush();
    if (s.markers)
      for (std::size_t k = 0; k < s.x.size(); ++k) {
        const Point p = toCanvas(s.x[k], s.y[k]);
        if (std::isfinite(p.x) && std::isfinite(p.y))
          canvas.fillCircle(p, std::max(2.0f, width * 1.3f), color);
      }
    if (!s.label.empty()) legend.push_back({s.label, color, true, s.style, width, s.markers, 0});
  }

  // Scatter series: categories pick colours from the series cycle.
  for (std::size_t i = 0; i < fig.scatters.size(); ++i) {
    const auto& s = fig.scatters[i];
    const Color base = s.color.value_or(seriesColor(int(fig.lines.size() + i)));
    const float radius = s.radius * S;
    for (std::size_t k = 0; k < s.x.size(); ++k) {
      const Point p = toCanvas(s.x[k], s.y[k]);
      if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
      const Color color = s.category.empty() ? base : seriesColor(s.category[k]);
      canvas.fillCircle(p, radius, color);
      canvas.strokeCircle(p, radius, 0.5f * S, {1, 1, 1, 0.8f}); // keeps touching points apart
    }
    if (!s.label.empty())
      legend.push_back({s.label, base, false, LineStyle::Solid, 0, false, radius});
  }

  canvas.popClip();

  // Annotations: a ring on the point, the text beside it on a faint white plate so it stays
  // readable over a dark heatmap.
  for (const auto& a : fig.annotations) {
    const Point p = toCanvas(a.x, a.y);
    if (!std::isfinite(p.x) || !std::isfinite(p.y) || !P.contains(p)) continue;
    const Color color = a.color.value_or(fg);
    const float size = style.annotationSize * S, ring = 5.0f * S;
    if (a.marker) {
      canvas.strokeCircle(p, ring, 2.5f * S, {1, 1, 1, 0.9f});
      canvas.strokeCircle(p, ring, 1.4f * S, color);
    }
    const float off = a.marker ? ring + 2 * S : 0;
    const Size ts = canvas.measureText(a.text, size);
    const bool toLeft = p.x + off + ts.w > P.right() - 2 * S;
    const bool below = p.y - off - ts.h < P.y + 2 * S;
    const Point anchor{toLeft ? p.x - off : p.x + off, below ? p.y + off : p.y - off};
    const Rect plate{toLeft ? anchor.x - ts.w - 2 * S : anchor.x - 2 * S,
                     below ? anchor.y : anchor.y - ts.h, ts.w + 4 * S, ts.h};
    canvas.fillRect(plate, {1, 1, 1, 0.7f});
    canvas.text(anchor, a.text, size, color, toLeft ? HAlign::Right : HAlign::Left,
                below ? VAlign::Top : VAlign::Bottom);
  }

  // Axes: frame, outward ticks, tick labels, axis labels.
  const float axisW = style.axisLineWidth * S;
  canvas.strokeRect(P, axisW, fg);
  for (std::size_t i = 0; i < L.xTicks.major.size(); ++i) {
    const float px = L.x.toCanvas(L.xTicks.major[i]);
    Point seg[2] = {{px, P.bottom()}, {px, P.bottom() + tickLen}};
    canvas.polyline(seg, 2, axisW, fg);
    canvas.text({px, P.bottom() + tickLen + tickGap}, L.xTicks.labels[i], tickSize, fg,
                HAlign::Center, VAlign::Top);
  }
  for (double v : L.xTicks.minor) {
    const float px = L.x.toCanvas(v);
    Point seg[2] = {{px, P.bottom()}, {px, P.bottom() + style.minorTickLength * S}};
    canvas.polyline(seg, 2, axisW * 0.8f, fg);
  }
  for (std::size_t i = 0; i < L.yTicks.major.size(); ++i) {
    const float py = L.y.toCanvas(L.yTicks.major[i]);
    Point seg[2] = {{P.x - tickLen, py}, {P.x, py}};
    canvas.polyline(seg, 2, axisW, fg);
    canvas.text({P.x - tickLen - tickGap, py}, L.yTicks.labels[i], tickSize, fg, HAlign::Right,
                VAlign::Middle);
  }
  for (double v : L.yTicks.minor) {
    const float py = L.y.toCanvas(v);
    Point seg[2] = {{P.x - style.minorTickLength * S, py}, {P.x, py}};
    canvas.polyline(seg, 2, axisW * 0.8f, fg);
  }
  if (!fig.xAxis.label.empty())
    canvas.text({P.x + P.w / 2, P.bottom() + tickLen + tickGap + tickSize + style.labelGap * S},
                fig.xAxis.label, labelSize, fg, HAlign::Center, VAlign::Top);
  if (!fig.yAxis.label.empty())
    canvas.text({P.x - tickLen - tickGap - L.yTickLabelWidth - style.labelGap * S, P.y + P.h / 2},
                fig.yAxis.label, labelSize, fg, HAlign::Center, VAlign::Bottom, true);
  if (!fig.title.empty()) {
    // A long title in a narrow figure shrinks (to 55%) before it is cut at the figure's edge; it
    // is centred on the plot box while it fits there, else on the whole figure.
    float size = style.titleSize * S;
    const float room = area.w - 2 * style.padding * S;
    const float width = canvas.measureText(fig.title, size).w;
    if (width > room) size = std::max(size * 0.55f, size * room / width);
    const float w = canvas.measureText(fig.title, size).w;
    float cx = P.x + P.w / 2;
    cx = std::clamp(
        cx, area.x + style.padding * S + w / 2,
        std::max(area.x + style.padding * S + w / 2, area.right() - style.padding * S - w / 2));
    canvas.text({cx, P.y - style.titleGap * S}, fig.title, size, fg, HAlign::Center,
                VAlign::Bottom);
  }

  // Colorbar: the map as a 1 x 256 image, high values on top, with its own ticks and label.
  if (L.hasColorbar) {
    const Rect& C = L.colorbar;
    ImageSource bar;
    bar.width = 1, bar.height = 256;
    bar.contentKey = 0xc0104ba5ull + std::uint64_t(L.colorScale.map);
    const Colormap map = L.colorScale.map;
    bar.fillRgba = [map](std::vector<std::uint8_t>& rgba) {
      rgba.resize(256 * 4);
      for (int i = 0; i < 256; ++i) {
        const std::uint32_t c = colormapColor(map, (255 - i) / 255.0).toRgba8();
        for (int k = 0; k < 4; ++k) rgba[i * 4 + k] = (c >> (8 * k)) & 0xff;
      }
    };
    canvas.image(bar, C, ImageFilter::Bilinear);
    canvas.strokeRect(C, axisW, fg);
    const AxisMap cb{L.colorScale.vmin, L.colorScale.vmax, C.bottom(), C.y, L.colorScale.log};
    for (std::size_t i = 0; i < L.colorbarTicks.major.size(); ++i) {
      const float py = cb.toCanvas(L.colorbarTicks.major[i]);
      Point seg[2] = {{C.right(), py}, {C.right() + tickLen, py}};
      canvas.polyline(seg, 2, axisW, fg);
      canvas.text({C.right() + tickLen + tickGap, py}, L.colorbarTicks.labels[i], tickSize, fg,
                  HAlign::Left, VAlign::Middle);
    }
    for (double v : L.colorbarTicks.minor) {
      const float py = cb.toCanvas(v);
      Point seg[2] = {{C.right(), py}, {C.right() + style.minorTickLength * S, py}};
      canvas.polyline(seg, 2, axisW * 0.8f, fg);
    }
    const std::string& cbLabel = fig.heatmap->colorbarLabel;
    if (!cbLabel.empty()) {
      const float w = widestLabel(canvas, L.colorbarTicks, tickSize);
      canvas.text({C.right() + tickLen + tickGap + w + style.labelGap * S, C.y + C.h / 2}, cbLabel,
                  labelSize, fg, HAlign::Center, VAlign::Top, true);
    }
  }

  // Legend box in a corner of the plot.
  if (fig.legend != LegendCorner::None && !legend.empty()) {
    const float size = style.legendSize * S, inset = 6 * S, boxPad = 5 * S, sample = 22 * S,
                gap = 6 * S;
    const float rowH = size * 1.15f;
    float textW = 0;
    for (const auto& e : legend) textW = std::max(textW, canvas.measureText(e.label, size).w);
    const float w = boxPad * 2 + sample + gap + textW, h = boxPad * 2 + rowH * legend.size();
    const bool rightSide =
        fig.legend == LegendCorner::TopRight || fig.legend == LegendCorner::BottomRight;
    const bool topSide =
        fig.legend == LegendCorner::TopRight || fig.legend == LegendCorner::TopLeft;
    const Rect box{rightSide ? P.right() - inset - w : P.x + inset,
                   topSide ? P.y + inset : P.bottom() - inset - h, w, h};
    // A legend bigger than the box it explains would hide the data: leave it out.
    if (w + 2 * inset > P.w || h + 2 * inset > P.h) return L;
    canvas.fillRect(box, style.legendBackground);
    canvas.strokeRect(box, 0.6f * S, style.legendBorder);
    for (std::size_t i = 0; i < legend.size(); ++i) {
      const auto& e = legend[i];
      const float cy = box.y + boxPad + rowH * (i + 0.5f);
      const float sx = box.x + boxPad;
      if (e.isLine) {
        Point seg[2] = {{sx, cy}, {sx + sample, cy}};
        canvas.polyline(seg, 2, e.width, e.color, e.style);
        if (e.markers)
          canvas.fillCircle({sx + sample / 2, cy}, std::max(2.0f, e.width * 1.3f), e.color);
      } else {
        canvas.fillCircle({sx + sample / 2, cy}, e.radius, e.color);
      }
      canvas.text({sx + sample + gap, cy}, e.label, size, fg, HAlign::Left, VAlign::Middle);
    }
  }
  return L;
}

} // namespace nnlab::plot
