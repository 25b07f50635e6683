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

namespace {

// A 64-bit hash of n bytes, four independent multiply-xor lanes over 8-byte words (so the
// multiplies overlap instead of waiting on each other as in one FNV chain), then folded. Not
// cryptographic; it only has to change when a picture does.
std::uint64_t hashBytes(const void* data, std::size_t n, std::uint64_t seed) {
  constexpr std::uint64_t kPrime = 0x9E3779B97F4A7C15ull;
  std::uint64_t lane[4] = {seed, seed ^ 0x632BE59BD9B4E019ull, seed + kPrime, ~seed};
  const auto* bytes = static_cast<const unsigned char*>(data);
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32)
    for (int k = 0; k < 4; ++k) {
      std::uint64_t word;
      std::memcpy(&word, bytes + i + 8 * k, 8);
      lane[k] = (lane[k] ^ word) * kPrime;
      lane[k] ^= lane[k] >> 29;
    }
  std::uint64_t key = n;
  for (; i < n; ++i) key = (key ^ bytes[i]) * 1099511628211ull;
  for (std::uint64_t l : lane) key = (key ^ l) * kPrime, key ^= key >> 31;
  return key;
}

} // namespace

std::uint64_t heatmapContentKey(const Heatmap& h) {
  std::uint64_t key = 1469598103934665603ull; // FNV-1a over the few scalar fields
  auto mix = [&](std::uint64_t word) { key = (key ^ word) * 1099511628211ull; };
  auto mixDouble = [&](double d) {
    std::uint64_t bits;
    std::memcpy(&bits, &d, sizeof bits);
    mix(bits);
  };
  mix(std::uint64_t(h.rows)), mix(std::uint64_t(h.cols)), mix(std::uint64_t(h.colormap));
  mix(h.logColor), mixDouble(h.vmin.value_or(NAN)), mixDouble(h.vmax.value_or(NAN));
  mix(h.values.size()), mix(h.cellColors.size()), mix(h.rgba.size());
  if (h.revision != 0) { // the owner's promise (figure.h): same revision, same content
    mix(h.revision);
    return key;
  }
  key = hashBytes(h.values.data(), h.values.size() * sizeof(float), key);
  key = hashBytes(h.cellColors.data(), h.cellColors.size() * sizeof(Color), key);
  key = hashBytes(h.rgba.data(), h.rgba.size(), key);
  return key;
}

Color contrastingTextColor(Color background) {
  // WCAG 2 contrast ratio (L1 + 0.05) / (L2 + 0.05): white wins below L = 0.179, black above.
  return relativeLuminance(background) < 0.179 ? Color{1, 1, 1, 1} : Color{0, 0, 0, 1};
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

enum class LegendKind { Line, Marker, Swatch, Outline };

struct LegendEntry {
  std::string label;
  Color color;
  LegendKind kind = LegendKind::Line;
  LineStyle style = LineStyle::Solid;
  float width = 0;      // line or outline width, points
  bool markers = false; // a line with dots
  float radius = 0;     // marker radius, points
};

// Series colours: lines take the cycle from 0, scatters continue it, bars after those.
Color lineColor(const Figure& f, std::size_t i) {
  return f.lines[i].color.value_or(seriesColor(int(i)));
}
Color scatterColor(const Figure& f, std::size_t i) {
  return f.scatters[i].color.value_or(seriesColor(int(f.lines.size() + i)));
}
Color barColor(const Figure& f, std::size_t i) {
  return f.bars[i].color.value_or(seriesColor(int(f.lines.size() + f.scatters.size() + i)));
}
Color rectColor(const RectMark& r) {
  return r.color.value_or(seriesColor(1));
}
Color darker(Color c) {
  return {c.r * 0.65f, c.g * 0.65f, c.b * 0.65f, std::max(c.a, 0.9f)};
}

std::vector<LegendEntry> legendEntries(const Figure& fig, const PlotStyle& style) {
  std::vector<LegendEntry> out;
  if (fig.legend == LegendCorner::None) return out;
  const float S = style.scale, lineScale = S * style.lineWidthScale;
  for (std::size_t i = 0; i < fig.lines.size(); ++i) {
    const auto& s = fig.lines[i];
    if (!s.label.empty())
      out.push_back({s.label, lineColor(fig, i), LegendKind::Line, s.style, s.width * lineScale,
                     s.markers, 0});
  }
  for (std::size_t i = 0; i < fig.scatters.size(); ++i)
    if (!fig.scatters[i].label.empty())
      out.push_back({fig.scatters[i].label, scatterColor(fig, i), LegendKind::Marker,
                     LineStyle::Solid, 0, false, fig.scatters[i].radius * S});
  for (std::size_t i = 0; i < fig.bars.size(); ++i)
    if (!fig.bars[i].label.empty())
      out.push_back({fig.bars[i].label, barColor(fig, i), LegendKind::Swatch, LineStyle::Solid,
                     fig.bars[i].outlineWidth * lineScale, false, 0});
  for (const auto& r : fig.rects)
    if (!r.label.empty())
      out.push_back({r.label, rectColor(r), r.filled ? LegendKind::Swatch : LegendKind::Outline,
                     r.style, r.width * lineScale, false, 0});
  return out;
}

struct LegendMetrics {
  float boxPad = 0, sample = 0, gap = 0, colGap = 0, rowH = 0, entryW = 0, w = 0, h = 0;
  int columns = 1;
};

LegendMetrics measureLegend(Canvas& canvas, const std::vector<LegendEntry>& entries, float size,
                            float S, int columns) {
  LegendMetrics m;
  m.boxPad = 5 * S, m.sample = 22 * S, m.gap = 6 * S, m.colGap = 14 * S, m.rowH = size * 1.15f;
  float textW = 0;
  for (const auto& e : entries) textW = std::max(textW, canvas.measureText(e.label, size).w);
  m.entryW = m.sample + m.gap + textW;
  m.columns = std::max(1, std::min(columns, int(entries.size())));
  const int rows = (int(entries.size()) + m.columns - 1) / m.columns;
  m.w = 2 * m.boxPad + m.columns * m.entryW + (m.columns - 1) * m.colGap;
  m.h = 2 * m.boxPad + m.rowH * rows;
  return m;
}

// Labelled ticks exactly at `at` (those inside the axis range), named by `names` where given.
Ticks fixedTicks(const std::vector<double>& at, const std::vector<std::string>& names,
                 const AxisMap& map) {
  Ticks t;
  double step = INFINITY;
  for (std::size_t i = 1; i < at.size(); ++i)
    if (at[i] != at[i - 1]) step = std::min(step, std::abs(at[i] - at[i - 1]));
  if (!std::isfinite(step)) step = std::abs(at.empty() ? 1.0 : at[0]) + 1;
  t.step = step;
  const double lo = std::min(map.min, map.max), hi = std::max(map.min, map.max);
  const double slack = 1e-9 * (hi - lo);
  for (std::size_t i = 0; i < at.size(); ++i) {
    if (!(at[i] >= lo - slack && at[i] <= hi + slack)) continue;
    t.major.push_back(at[i]);
    t.labels.push_back(i < names.size() ? names[i] : formatTick(at[i], step));
  }
  return t;
}

// The axis's own ticks, or for x the categories of the longest bar chart.
void axisFixedTicks(const Figure& fig, bool xAxis, std::vector<double>& at,
                    std::vector<std::string>& names) {
  const Axis& axis = xAxis ? fig.xAxis : fig.yAxis;
  at = axis.ticks, names = axis.tickLabels;
  if (!at.empty() || !xAxis) return;
  const BarSeries* widest = nullptr;
  for (const auto& b : fig.bars)
    if (!b.categories.empty() && (!widest || b.categories.size() > widest->categories.size()))
      widest = &b;
  if (!widest) return;
  for (std::size_t i = 0; i < widest->categories.size(); ++i) at.push_back(double(i));
  names = widest->categories;
}

// A colorbar's own axis: the scale's range; categories get one slot each, [k - 1/2, k + 1/2].
AxisMap colorbarMap(const ColorScale& scale, Rect bar) {
  if (scale.map == Colormap::Categorical)
    return {scale.vmin - 0.5, scale.vmax + 0.5, bar.bottom(), bar.y, false};
  return {scale.vmin, scale.vmax, bar.bottom(), bar.y, scale.log};
}

Ticks colorbarTicks(const ColorScale& scale, const std::vector<std::string>& names, Rect bar,
                    const PlotStyle& style) {
  const AxisMap cb = colorbarMap(scale, bar);
  if (scale.map != Colormap::Categorical)
    return axisTicks(cb, bar.h, style.yTickSpacing * style.scale);
  // Every category while their labels do not overlap, else every k-th.
  const int count = int(scale.vmax - scale.vmin) + 1;
  const float room = bar.h / std::max(count, 1);
  const int every = std::max(1, int(std::ceil(style.tickLabelSize * style.scale * 1.1f / room)));
  std::vector<double> at;
  std::vector<std::string> labels;
  for (int k = 0; k < count; k += every) {
    const int category = int(scale.vmin) + k;
    at.push_back(category);
    labels.push_back(category >= 0 && std::size_t(category) < names.size()
                         ? names[category]
                         : std::to_string(category));
  }
  return fixedTicks(at, labels, cb);
}

void drawColorbar(Canvas& canvas, Rect C, const ColorScale& scale, const Ticks& ticks,
                  const std::string& label, const PlotStyle& style) {
  const float S = style.scale, axisW = style.axisLineWidth * S, tickLen = style.tickLength * S,
              tickGap = style.tickLabelGap * S, tickSize = style.tickLabelSize * S;
  const Color fg = style.foreground;
  ImageSource bar;
  const bool categorical = scale.map == Colormap::Categorical;
  // Categories: one crisp band each, highest on top; maps: 256 levels, high values on top.
  const int levels = categorical ? std::clamp(int(scale.vmax - scale.vmin) + 1, 1, 256) : 256;
  bar.width = 1, bar.height = levels;
  bar.contentKey = 0xc0104ba5ull + std::uint64_t(scale.map) * 0x100000001ull +
                   (categorical ? std::uint64_t(std::int64_t(scale.vmin) * 1000003 + levels) : 0);
  bar.fillRgba = [scale, levels, categorical](std::vector<std::uint8_t>& rgba) {
    rgba.resize(std::size_t(levels) * 4);
    for (int i = 0; i < levels; ++i) {
      const std::uint32_t c = categorical ? scale.color(scale.vmin + (levels - 1 - i)).toRgba8()
                                          : colormapColor(scale.map, (255 - i) / 255.0).toRgba8();
      for (int k = 0; k < 4; ++k) rgba[i * 4 + k] = (c >> (8 * k)) & 0xff;
    }
  };
  canvas.image(bar, C, categorical ? ImageFilter::Nearest : ImageFilter::Bilinear);
  canvas.strokeRect(C, axisW, fg);
  const AxisMap cb = colorbarMap(scale, C);
  for (std::size_t i = 0; i < ticks.major.size(); ++i) {
    const float py = cb.toCanvas(ticks.major[i]);
    Point seg[2] = {{C.right(), py}, {C.right() + tickLen, py}};
    canvas.polyline(seg, 2, axisW, fg);
    canvas.text({C.right() + tickLen + tickGap, py}, ticks.labels[i], tickSize, fg, HAlign::Left,
                VAlign::Middle);
  }
  for (double v : ticks.minor) {
    const float py = cb.toCanvas(v);
    Point seg[2] = {{C.right(), py}, {C.right() + style.minorTickLength * S, py}};
    canvas.polyline(seg, 2, axisW * 0.8f, fg);
  }
  if (!label.empty()) {
    const float w = widestLabel(canvas, ticks, tickSize);
    canvas.text({C.right() + tickLen + tickGap + w + style.labelGap * S, C.y + C.h / 2}, label,
                style.labelSize * S, fg, HAlign::Center, VAlign::Top, true);
  }
}

// How far right of a colorbar's left edge its ticks, labels and title reach.
float colorbarReach(Canvas& canvas, const Ticks& ticks, const std::string& label,
                    const PlotStyle& style) {
  const float S = style.scale;
  float reach = style.colorbarWidth * S + style.tickLength * S + style.tickLabelGap * S +
                widestLabel(canvas, ticks, style.tickLabelSize * S);
  if (!label.empty()) reach += style.labelGap * S + style.labelSize * S;
  return reach;
}

FigureLayout layoutImpl(const Figure& fig, Canvas& canvas, Rect area, const PlotStyle& style,
                        const ColorScale* shared) {
  FigureLayout L;
  L.area = area;
  L.error = fig.validate();
  if (!L.error.empty()) return L;
  const float S = style.scale;

  // Data ranges: series get a margin, grids and rectangles sit tight, bars stick to their
  // baseline (a histogram stands on the x axis, not floating above it).
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
  Range barY;
  for (const auto& b : fig.bars) {
    if (!b.edges.empty()) xg.add(b.edges.front(), xLog), xg.add(b.edges.back(), xLog);
    if (!b.categories.empty()) xg.add(-0.5, xLog), xg.add(double(b.categories.size()) - 0.5, xLog);
    if (b.heights.empty()) continue;
    for (double v : b.heights) ys.add(v, yLog), barY.add(v, yLog);
    ys.add(b.baseline, yLog), barY.add(b.baseline, yLog);
  }
  for (const auto& r : fig.rects)
    xg.add(r.x0, xLog), xg.add(r.x1, xLog), yg.add(r.y0, yLog), yg.add(r.y1, yLog);
  fitAxis(fig.xAxis, xs, xg, L.x.min, L.x.max);
  fitAxis(fig.yAxis, ys, yg, L.y.min, L.y.max);
  L.x.log = xLog, L.y.log = yLog;
  if (!barY.empty() && !yLog) {
    Range all = ys;
    if (!yg.empty()) all.add(yg.lo, false), all.add(yg.hi, false);
    for (const auto& b : fig.bars) {
      if (b.heights.empty()) continue;
      if (!fig.yAxis.min && L.y.min < b.baseline && all.lo >= b.baseline) L.y.min = b.baseline;
      if (!fig.yAxis.max && L.y.max > b.baseline && all.hi <= b.baseline) L.y.max = b.baseline;
    }
  }

  // Colorbar scale and what it needs on the right (pictures have none; a grid shares one).
  const bool picture = fig.heatmap && !fig.heatmap->rgba.empty();
  L.hasColorbar = fig.heatmap && fig.heatmap->colorbar && !picture && !shared;
  if (fig.heatmap) L.colorScale = shared ? *shared : resolveColorScale(*fig.heatmap);

  std::vector<double> xFixed, yFixed;
  std::vector<std::string> xNames, yNames;
  axisFixedTicks(fig, true, xFixed, xNames);
  axisFixedTicks(fig, false, yFixed, yNames);

  const float pad = style.padding * S;
  const float tickLen = style.tickLength * S, tickGap = style.tickLabelGap * S;
  const float tickSize = style.tickLabelSize * S, labelSize = style.labelSize * S;

  // The plot box for a given room kept free under the x axis label (a legend below the plot).
  auto place = [&](float reservedBelow) {
    float top = area.y + pad, bottom = area.bottom() - pad - reservedBelow;
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
        plotRight = right - (style.colorbarGap * S + style.colorbarWidth * S + tickLen + tickGap +
                             cbLabelW);
        if (!fig.heatmap->colorbarLabel.empty()) plotRight -= style.labelGap * S + labelSize;
      }
      Rect plot{plotLeft, top, std::max(10.0f, plotRight - plotLeft),
                std::max(10.0f, bottom - top)};

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

      L.yTicks = yFixed.empty() ? axisTicks(L.y, plot.h, style.yTickSpacing * S)
                                : fixedTicks(yFixed, yNames, L.y);
      L.xTicks = xFixed.empty() ? xAxisTicks(canvas, L.x, plot.w, style.xTickSpacing * S, tickSize,
                                             2 * tickGap + tickSize * 0.5f)
                                : fixedTicks(xFixed, xNames, L.x);
      yLabelW = widestLabel(canvas, L.yTicks, tickSize);
      L.yTickLabelWidth = yLabelW;
      xLastHalf = 0;
      if (!L.xTicks.labels.empty()) {
        // A label centred on the right end may stick out of the box: keep it inside the figure.
        std::size_t last = 0;
        for (std::size_t i = 1; i < L.xTicks.major.size(); ++i)
          if (L.x.toCanvas(L.xTicks.major[i]) > L.x.toCanvas(L.xTicks.major[last])) last = i;
        if (std::abs(L.x.toCanvas(L.xTicks.major[last]) - plot.right()) < 1.0f && !L.hasColorbar)
          xLastHalf = canvas.measureText(L.xTicks.labels[last], tickSize).w / 2;
      }
      if (L.hasColorbar) {
        const float barX = plot.right() + style.colorbarGap * S;
        L.colorbar = {barX, plot.y, style.colorbarWidth * S, plot.h};
        L.colorbarTicks =
            colorbarTicks(L.colorScale, fig.heatmap->categoryNames, L.colorbar, style);
        cbLabelW = widestLabel(canvas, L.colorbarTicks, tickSize);
      }
    }
  };
  place(0);

  // The legend: inside its corner when it fits; else below the plot in as many columns as the
  // figure is wide, if the plot keeps 60% of its height; else inside with text shrunk to 60%
  // if 40 points of the box's height stay uncovered; else left out (it would hide the data).
  const std::vector<LegendEntry> entries = legendEntries(fig, style);
  if (!entries.empty()) {
    const float size = style.legendSize * S, inset = 6 * S;
    LegendMetrics m = measureLegend(canvas, entries, size, S, 1);
    L.legendTextSize = size;
    const bool rightSide =
        fig.legend == LegendCorner::TopRight || fig.legend == LegendCorner::BottomRight;
    const bool topSide =
        fig.legend == LegendCorner::TopRight || fig.legend == LegendCorner::TopLeft;
    if (m.w + 2 * inset <= L.plot.w && m.h + 2 * inset <= L.plot.h) {
      L.hasLegend = true;
      L.legend = {rightSide ? L.plot.right() - inset - m.w : L.plot.x + inset,
                  topSide ? L.plot.y + inset : L.plot.bottom() - inset - m.h, m.w, m.h};
    } else {
      // Below: the largest text (down to 60%, never under 8 points) whose columns fit across
      // the figure, if the plot keeps 60% of its height.
      const float room = area.w - 2 * pad, plotH = L.plot.h;
      for (float factor : {1.0f, 0.85f, 0.7f, 0.6f}) {
        const float shrunk = size * factor;
        if (shrunk < 8.0f) break;
        m = measureLegend(canvas, entries, shrunk, S, 1);
        const int columns =
            std::max(1, int((room - 2 * m.boxPad + m.colGap) / (m.entryW + m.colGap)));
        m = measureLegend(canvas, entries, shrunk, S, columns);
        const float reserve = m.h + style.labelGap * S * 2;
        if (m.w > room || plotH - reserve < std::max(40 * S, 0.6f * plotH)) continue;
        place(reserve);
        L.hasLegend = true;
        L.legendBelow = true;
        L.legendColumns = m.columns;
        L.legendTextSize = shrunk;
        const float cx = std::clamp(L.plot.x + L.plot.w / 2, area.x + pad + m.w / 2,
                                    std::max(area.x + pad + m.w / 2, area.right() - pad - m.w / 2));
        L.legend = {cx - m.w / 2, area.bottom() - pad - m.h, m.w, m.h};
        break;
      }
      // Last resort (a short, wide panel): inside its corner with smaller text.
      for (float factor : {0.85f, 0.7f, 0.6f}) {
        if (L.hasLegend || size * factor < 8.0f) break;
        m = measureLegend(canvas, entries, size * factor, S, 1);
        if (m.w + 2 * inset > L.plot.w || m.h + 2 * inset > L.plot.h) continue;
        if (L.plot.h - m.h - 2 * inset < 40 * S) continue; // keep a strip of the data in view
        L.hasLegend = true;
        L.legendTextSize = size * factor;
        L.legend = {rightSide ? L.plot.right() - inset - m.w : L.plot.x + inset,
                    topSide ? L.plot.y + inset : L.plot.bottom() - inset - m.h, m.w, m.h};
      }
    }
  }
  return L;
}

// The colour a reader sees at data point (x, y): the heatmap cell there, else the plot background.
Color colorUnder(const Figure& fig, const FigureLayout& L, double x, double y,
                 const PlotStyle& style) {
  if (fig.heatmap) {
    const Heatmap& h = *fig.heatmap;
    const double u = (x - h.x0) / (h.x1 - h.x0), v = (y - h.y0) / (h.y1 - h.y0);
    if (u >= 0 && u < 1 && v >= 0 && v < 1 && (!h.values.empty() || !h.rgba.empty())) {
      const int c = std::min(h.cols - 1, int(u * h.cols)),
                r = std::min(h.rows - 1, int(v * h.rows));
      return composite(style.plotBackground, heatmapCellColor(h, L.colorScale, r, c));
    }
  }
  return style.plotBackground;
}

void drawHeatmap(const Heatmap& h, const FigureLayout& L, Canvas& canvas, const PlotStyle& style) {
  const float ax = L.x.toCanvas(h.x0), bx = L.x.toCanvas(h.x1), ay = L.y.toCanvas(h.y0),
              by = L.y.toCanvas(h.y1);
  if (!(std::isfinite(ax) && std::isfinite(bx) && std::isfinite(ay) && std::isfinite(by))) return;
  const Rect dest{std::min(ax, bx), std::min(ay, by), std::abs(bx - ax), std::abs(by - ay)};
  if (dest.w <= 0 || dest.h <= 0) return;
  const float S = style.scale;

  // Which heatmap column (row) lies under each image column (row), found by mapping the image
  // pixel's centre back to data. Linear axes: one image column per cell (mirrored when the axis
  // runs backwards); log axes: about two per point, so every cell edge lands where the axis puts
  // it instead of the image being stretched linearly between its ends.
  auto cellsUnder = [](const AxisMap& map, double d0, double d1, int cells, float p0, float length,
                       int n) {
    std::vector<int> index(std::size_t(n), 0);
    for (int j = 0; j < n; ++j) {
      const double v = map.toData(p0 + (j + 0.5f) * length / n);
      index[j] = std::clamp(int(std::floor((v - d0) / (d1 - d0) * cells)), 0, cells - 1);
    }
    return index;
  };
  const int width = L.x.log ? std::max(h.cols, std::min(4096, int(std::ceil(dest.w * 2)))) : h.cols;
  const int height =
      L.y.log ? std::max(h.rows, std::min(4096, int(std::ceil(dest.h * 2)))) : h.rows;
  const std::vector<int> colOf = cellsUnder(L.x, h.x0, h.x1, h.cols, dest.x, dest.w, width);
  const std::vector<int> rowOf = cellsUnder(L.y, h.y0, h.y1, h.rows, dest.y, dest.h, height);

  std::uint64_t key = heatmapContentKey(h);
  auto mix = [&key](std::uint64_t word) { key = (key ^ word) * 1099511628211ull; };
  for (double d : {L.colorScale.vmin, L.colorScale.vmax}) {
    std::uint64_t bits;
    std::memcpy(&bits, &d, sizeof bits);
    mix(bits);
  }
  mix(std::uint64_t(width) << 32 | std::uint32_t(height));
  for (int c : colOf) mix(std::uint64_t(c));
  for (int r : rowOf) mix(std::uint64_t(r) << 20);

  ImageSource src;
  src.width = width, src.height = height, src.contentKey = key;
  const ColorScale& scale = L.colorScale;
  // By value except the heatmap: a canvas may keep the source and ask for pixels later.
  src.fillRgba = [&h, scale, colOf, rowOf, width, height](std::vector<std::uint8_t>& rgba) {
    const std::vector<std::uint8_t> cells = heatmapToRgba(h, scale, true); // row r = image row r
    rgba.resize(std::size_t(width) * height * 4);
    for (int i = 0; i < height; ++i)
      for (int j = 0; j < width; ++j)
        std::memcpy(&rgba[(std::size_t(i) * width + j) * 4],
                    &cells[(std::size_t(rowOf[i]) * h.cols + colOf[j]) * 4], 4);
  };
  canvas.image(src, dest, h.nearest ? ImageFilter::Nearest : ImageFilter::Bilinear);

  // Cell edges and centres on the canvas (unequal on a log axis).
  auto xEdge = [&](int c) { return L.x.toCanvas(h.x0 + c * (h.x1 - h.x0) / h.cols); };
  auto yEdge = [&](int r) { return L.y.toCanvas(h.y0 + r * (h.y1 - h.y0) / h.rows); };
  if (h.cellBorderWidth > 0) {
    const float w = h.cellBorderWidth * S;
    for (int c = 0; c <= h.cols; ++c) {
      Point seg[2] = {{xEdge(c), dest.y}, {xEdge(c), dest.bottom()}};
      canvas.polyline(seg, 2, w, h.cellBorderColor);
    }
    for (int r = 0; r <= h.rows; ++r) {
      Point seg[2] = {{dest.x, yEdge(r)}, {dest.right(), yEdge(r)}};
      canvas.polyline(seg, 2, w, h.cellBorderColor);
    }
  }

  if (h.showValues && !h.values.empty()) {
    for (int r = 0; r < h.rows; ++r) {
      const float y0 = yEdge(r), y1 = yEdge(r + 1);
      const float size = std::min(style.cellValueSize * S, std::abs(y1 - y0) * 0.7f);
      if (size < 5) continue;
      for (int c = 0; c < h.cols; ++c) {
        const float x0 = xEdge(c), x1 = xEdge(c + 1);
        const float v = h.values[std::size_t(r) * h.cols + c];
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.3g", v);
        std::string text = buf;
        if (text[0] == '-') text = "\xE2\x88\x92" + text.substr(1);
        if (canvas.measureText(text, size).w > std::abs(x1 - x0) * 0.92f) continue;
        const Color under = composite(style.plotBackground, heatmapCellColor(h, scale, r, c));
        canvas.text({(x0 + x1) / 2, (y0 + y1) / 2}, text, size, contrastingTextColor(under),
                    HAlign::Center, VAlign::Middle);
      }
    }
  }
}

void drawBars(const Figure& fig, const FigureLayout& L, Canvas& canvas, const PlotStyle& style) {
  int barCharts = 0;
  for (const auto& b : fig.bars) barCharts += !b.categories.empty();
  int chart = 0; // this series' place among the bar charts standing side by side
  for (std::size_t i = 0; i < fig.bars.size(); ++i) {
    const BarSeries& b = fig.bars[i];
    const Color color = barColor(fig, i), outline = darker(color);
    const float outlineW = b.outlineWidth * style.scale * style.lineWidthScale;
    const int slot = b.categories.empty() ? 0 : chart++;
    const float base = L.y.log && !(b.baseline > 0) ? L.y.p0 : L.y.toCanvas(b.baseline);
    for (std::size_t k = 0; k < b.heights.size(); ++k) {
      double left, right;
      if (!b.edges.empty()) {
        left = b.edges[k], right = b.edges[k + 1];
      } else {
        const double share = double(b.barWidth) / barCharts;
        left = double(k) - b.barWidth / 2.0 + slot * share, right = left + share;
      }
      const float xa = L.x.toCanvas(left), xb = L.x.toCanvas(right),
                  top = L.y.toCanvas(b.heights[k]);
      if (!(std::isfinite(xa) && std::isfinite(xb) && std::isfinite(top) && std::isfinite(base)))
        continue;
      const Rect bar{std::min(xa, xb), std::min(base, top), std::abs(xb - xa),
                     std::abs(top - base)};
      canvas.fillRect(bar, color);
      if (outlineW > 0 && bar.w > 2 * outlineW) canvas.strokeRect(bar, outlineW, outline);
    }
  }
}

void drawRectMarks(const Figure& fig, const FigureLayout& L, Canvas& canvas,
                   const PlotStyle& style) {
  if (fig.rects.empty()) return;
  const float lineScale = style.scale * style.lineWidthScale;
  // Clipped to the plot box grown by half the widest outline, so a box on the image's edge keeps
  // its full stroke.
  float widest = 0;
  for (const auto& r : fig.rects) widest = std::max(widest, r.width * lineScale);
  const Rect& P = L.plot;
  canvas.pushClip({P.x - widest / 2, P.y - widest / 2, P.w + widest, P.h + widest});
  for (const auto& r : fig.rects) {
    const float xa = L.x.toCanvas(r.x0), xb = L.x.toCanvas(r.x1), ya = L.y.toCanvas(r.y0),
                yb = L.y.toCanvas(r.y1);
    if (!(std::isfinite(xa) && std::isfinite(xb) && std::isfinite(ya) && std::isfinite(yb)))
      continue;
    const Rect R{std::min(xa, xb), std::min(ya, yb), std::abs(xb - xa), std::abs(yb - ya)};
    const Color color = rectColor(r);
    if (r.filled) canvas.fillRect(R, color);
    if (r.width <= 0) continue;
    if (r.style == LineStyle::Solid) {
      canvas.strokeRect(R, r.width * lineScale, color);
    } else {
      const Point corners[4] = {
          {R.x, R.y}, {R.right(), R.y}, {R.right(), R.bottom()}, {R.x, R.bottom()}};
      canvas.polyline(corners, 4, r.width * lineScale, color, r.style, true);
    }
  }
  canvas.popClip();
}

void drawAnnotations(const Figure& fig, const FigureLayout& L, Canvas& canvas,
                     const PlotStyle& style) {
  const float S = style.scale;
  const Rect& P = L.plot;
  for (const auto& a : fig.annotations) {
    const Point p{L.x.toCanvas(a.x), L.y.toCanvas(a.y)};
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
    if (!(a.flags & AnnotationFlags_NoClip) && !P.contains(p)) continue;
    const float size = style.annotationSize * S * a.sizeScale, ring = 5.0f * S;
    if (!(size > 0)) continue;
    Color color = a.color.value_or(style.foreground);
    if (a.marker) {
      canvas.strokeCircle(p, ring, 2.5f * S, {1, 1, 1, 0.9f});
      canvas.strokeCircle(p, ring, 1.4f * S, color);
    }
    // Unset alignment: beside the point (past the ring), flipped to stay inside the box.
    const float off = a.marker ? ring + 2 * S : 0;
    const Size ts = canvas.measureText(a.text, size);
    HAlign h;
    VAlign v;
    Point anchor = p;
    if (a.hAlign) {
      h = *a.hAlign;
    } else {
      const bool toLeft = p.x + off + ts.w > P.right() - 2 * S;
      h = toLeft ? HAlign::Right : HAlign::Left;
      anchor.x = toLeft ? p.x - off : p.x + off;
    }
    if (a.vAlign) {
      v = *a.vAlign;
    } else {
      const bool below = p.y - off - ts.h < P.y + 2 * S;
      v = below ? VAlign::Top : VAlign::Bottom;
      anchor.y = below ? p.y + off : p.y - off;
    }
    const float left = anchor.x - (h == HAlign::Left ? 0 : h == HAlign::Center ? ts.w / 2 : ts.w);
    const float top = anchor.y - (v == VAlign::Top      ? 0
                                  : v == VAlign::Middle ? ts.h / 2
                                  : v == VAlign::Bottom ? ts.h
                                                        : ts.h * 0.78f);
    const bool plate = !(a.flags & AnnotationFlags_NoBackground);
    const Color plateColor{1, 1, 1, 0.7f};
    if (plate) canvas.fillRect({left - 2 * S, top, ts.w + 4 * S, ts.h}, plateColor);
    if (a.flags & AnnotationFlags_AutoContrast) {
      Color under = colorUnder(fig, L, a.x, a.y, style);
      if (plate) under = composite(under, plateColor);
      color = contrastingTextColor(under);
    }
    canvas.text(anchor, a.text, size, color, h, v);
  }
}

void drawLegend(const Figure& fig, const FigureLayout& L, Canvas& canvas, const PlotStyle& style) {
  if (!L.hasLegend) return;
  const float S = style.scale, size = L.legendTextSize;
  const std::vector<LegendEntry> entries = legendEntries(fig, style);
  const LegendMetrics m = measureLegend(canvas, entries, size, S, L.legendColumns);
  const Rect& box = L.legend;
  canvas.fillRect(box, style.legendBackground);
  canvas.strokeRect(box, 0.6f * S, style.legendBorder);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    const int column = int(i) % m.columns, row = int(i) / m.columns;
    const float cy = box.y + m.boxPad + m.rowH * (row + 0.5f);
    const float sx = box.x + m.boxPad + column * (m.entryW + m.colGap);
    const Rect swatch{sx + m.sample * 0.15f, cy - size * 0.32f, m.sample * 0.7f, size * 0.64f};
    switch (e.kind) {
    case LegendKind::Line: {
      Point seg[2] = {{sx, cy}, {sx + m.sample, cy}};
      canvas.polyline(seg, 2, e.width, e.color, e.style);
      if (e.markers)
        canvas.fillCircle({sx + m.sample / 2, cy}, std::max(2.0f, e.width * 1.3f), e.color);
      break;
    }
    case LegendKind::Marker: canvas.fillCircle({sx + m.sample / 2, cy}, e.radius, e.color); break;
    case LegendKind::Swatch:
      canvas.fillRect(swatch, e.color);
      if (e.width > 0) canvas.strokeRect(swatch, std::min(e.width, 1.5f * S), darker(e.color));
      break;
    case LegendKind::Outline: {
      const float w = std::min(e.width, 2.0f * S);
      if (e.style == LineStyle::Solid) {
        canvas.strokeRect(swatch, w, e.color);
      } else {
        const Point corners[4] = {{swatch.x, swatch.y},
                                  {swatch.right(), swatch.y},
                                  {swatch.right(), swatch.bottom()},
                                  {swatch.x, swatch.bottom()}};
        canvas.polyline(corners, 4, w, e.color, e.style, true);
      }
      break;
    }
    }
    canvas.text({sx + m.sample + m.gap, cy}, e.label, size, style.foreground, HAlign::Left,
                VAlign::Middle);
  }
}

// Fills that paint an opaque colour over the same opaque colour change no pixel, but a software
// rasterizer pays for every one (the plot box is most of a figure): they are skipped.
bool sameOpaqueColor(Color a, Color b) {
  return a.a >= 1 && b.a >= 1 && a.toRgba8() == b.toRgba8();
}

// backgroundDrawn: the caller (a grid) has filled `area` with style.background already.
FigureLayout drawImpl(const Figure& fig, Canvas& canvas, Rect area, const PlotStyle& style,
                      const ColorScale* shared, bool backgroundDrawn = false) {
  const FigureLayout L = layoutImpl(fig, canvas, area, style, shared);
  const float S = style.scale;
  if (!backgroundDrawn || style.background.a < 1) canvas.fillRect(area, style.background);
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

  if (!sameOpaqueColor(style.plotBackground, style.background))
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
  if (fig.heatmap) drawHeatmap(*fig.heatmap, L, canvas, style);

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

  drawBars(fig, L, canvas, style);

  // Line series: NaN (or a non-positive value on a log axis) ends a run.
  for (std::size_t i = 0; i < fig.lines.size(); ++i) {
    const auto& s = fig.lines[i];
    const Color color = lineColor(fig, i);
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
  }

  // Scatter series: categories pick colours from the series cycle.
  for (std::size_t i = 0; i < fig.scatters.size(); ++i) {
    const auto& s = fig.scatters[i];
    const Color base = scatterColor(fig, i);
    const float radius = s.radius * S;
    for (std::size_t k = 0; k < s.x.size(); ++k) {
      const Point p = toCanvas(s.x[k], s.y[k]);
      if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
      const Color color = s.category.empty() ? base : seriesColor(s.category[k]);
      canvas.fillCircle(p, radius, color);
      canvas.strokeCircle(p, radius, 0.5f * S, {1, 1, 1, 0.8f}); // keeps touching points apart
    }
  }
  canvas.popClip();

  drawRectMarks(fig, L, canvas, style);
  drawAnnotations(fig, L, canvas, style);

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

  if (L.hasColorbar)
    drawColorbar(canvas, L.colorbar, L.colorScale, L.colorbarTicks, fig.heatmap->colorbarLabel,
                 style);
  drawLegend(fig, L, canvas, style);
  return L;
}

} // namespace

FigureLayout layoutFigure(const Figure& fig, Canvas& canvas, Rect area, const PlotStyle& style) {
  return layoutImpl(fig, canvas, area, style, nullptr);
}

FigureLayout drawFigure(const Figure& fig, Canvas& canvas, Rect area, const PlotStyle& style) {
  return drawImpl(fig, canvas, area, style, nullptr);
}

std::optional<ColorScale> sharedColorScale(const FigureGrid& grid) {
  std::optional<ColorScale> out;
  for (const auto& panel : grid.panels) {
    if (!panel.heatmap || !panel.heatmap->rgba.empty() || panel.heatmap->values.empty()) continue;
    const ColorScale s = resolveColorScale(*panel.heatmap);
    if (!out) {
      out = s;
      continue;
    }
    out->vmin = std::min(out->vmin, s.vmin), out->vmax = std::max(out->vmax, s.vmax);
  }
  if (out && out->map == Colormap::Diverging && !out->log) {
    const double m = std::max(std::abs(out->vmin), std::abs(out->vmax));
    out->vmin = -m, out->vmax = m;
  }
  return out;
}

namespace {

const std::vector<std::string>& gridCategoryNames(const FigureGrid& grid) {
  static const std::vector<std::string> none;
  for (const auto& p : grid.panels)
    if (p.heatmap && !p.heatmap->categoryNames.empty()) return p.heatmap->categoryNames;
  return none;
}

FigureGridLayout gridImpl(const FigureGrid& grid, Canvas& canvas, Rect area, const PlotStyle& style,
                          bool draw) {
  FigureGridLayout G;
  G.area = area;
  G.error = grid.validate();
  const float S = style.scale, pad = style.padding * S;
  if (draw) canvas.fillRect(area, style.background);
  if (!G.error.empty()) {
    if (draw)
      canvas.text({area.x + area.w / 2, area.y + area.h / 2}, "cannot draw figure: " + G.error,
                  style.labelSize * S, {0.75f, 0.1f, 0.1f, 1}, HAlign::Center, VAlign::Middle);
    return G;
  }
  float top = area.y, right = area.right();
  float titleSize = style.gridTitleSize * S;
  if (!grid.title.empty()) {
    const float room = area.w - 2 * pad, width = canvas.measureText(grid.title, titleSize).w;
    if (width > room) titleSize = std::max(titleSize * 0.55f, titleSize * room / width);
    top += pad + titleSize;
  }
  const std::optional<ColorScale> shared =
      grid.sharedColorScale ? sharedColorScale(grid) : std::nullopt;
  if (shared) {
    G.hasColorbar = true;
    G.colorScale = *shared;
    // Reserve the bar's width from ticks laid out over the full height; refined below.
    G.colorbarTicks =
        colorbarTicks(*shared, gridCategoryNames(grid), {0, top, 1, area.bottom() - top}, style);
    right -= style.colorbarGap * S +
             colorbarReach(canvas, G.colorbarTicks, grid.colorbarLabel, style) + pad;
  }
  const int n = int(grid.panels.size());
  const int cols = std::max(1, std::min(grid.cols, std::max(n, 1)));
  const int rows = (n + cols - 1) / cols;
  const float gap = style.panelGap * S;
  const float cellW = std::max(10.0f, (right - area.x - (cols - 1) * gap) / cols);
  const float cellH = std::max(10.0f, (area.bottom() - top - (rows - 1) * gap) / std::max(rows, 1));
  const ColorScale* scale = shared ? &*shared : nullptr;
  float plotTop = INFINITY, plotBottom = -INFINITY;
  for (int i = 0; i < n; ++i) {
    const Rect cell{area.x + (i % cols) * (cellW + gap), top + (i / cols) * (cellH + gap), cellW,
                    cellH};
    G.cells.push_back(cell);
    G.panels.push_back(draw ? drawImpl(grid.panels[i], canvas, cell, style, scale, true)
                            : layoutImpl(grid.panels[i], canvas, cell, style, scale));
    const FigureLayout& L = G.panels.back();
    if (L.error.empty())
      plotTop = std::min(plotTop, L.plot.y), plotBottom = std::max(plotBottom, L.plot.bottom());
  }
  if (draw && !grid.title.empty())
    canvas.text({area.x + area.w / 2, area.y + pad}, grid.title, titleSize, style.foreground,
                HAlign::Center, VAlign::Top);
  if (G.hasColorbar) {
    if (!(plotBottom > plotTop)) plotTop = top + pad, plotBottom = area.bottom() - pad;
    G.colorbar = {right + style.colorbarGap * S, plotTop, style.colorbarWidth * S,
                  plotBottom - plotTop};
    G.colorbarTicks = colorbarTicks(G.colorScale, gridCategoryNames(grid), G.colorbar, style);
    if (draw)
      drawColorbar(canvas, G.colorbar, G.colorScale, G.colorbarTicks, grid.colorbarLabel, style);
  }
  return G;
}

} // namespace

FigureGridLayout layoutFigureGrid(const FigureGrid& grid, Canvas& canvas, Rect area,
                                  const PlotStyle& style) {
  return gridImpl(grid, canvas, area, style, false);
}

FigureGridLayout drawFigureGrid(const FigureGrid& grid, Canvas& canvas, Rect area,
                                const PlotStyle& style) {
  return gridImpl(grid, canvas, area, style, true);
}

} // namespace nnlab::plot
