#include "nnlab/datasets.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <random>

#include "nnlab/named_spec.h"
#include "random_draws.h"

namespace nnlab {
namespace {

using detail::standardNormal;
using detail::uniform;

constexpr std::array<std::string_view, 6> kIds = {"spirals", "moons", "circles",
                                                  "xor",     "blobs", "shapes"};

constexpr std::array<std::string_view, 10> kShapeNames = {
    "disc", "ring", "square", "frame", "triangle", "cross", "plus", "diamond", "hbar", "vbar"};

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", v);
  return text;
}

struct Point {
  double x, y;
};

// ---- 2-D sets: one point of class k
// --------------------------------------------------------------

Point spiralPoint(std::mt19937& rng, Index k, Index classes, double noise) {
  // Arm k starts at angle 2πk/K and turns 1.5 times (3π) while the radius grows from 0 to 1.
  const double t = uniform(rng, 0.05, 1.0);
  const double angle =
      2.0 * M_PI * static_cast<double>(k) / static_cast<double>(classes) + 3.0 * M_PI * t;
  return {t * std::cos(angle) + noise * standardNormal(rng),
          t * std::sin(angle) + noise * standardNormal(rng)};
}

Point moonPoint(std::mt19937& rng, Index k, double noise) {
  // sklearn.datasets.make_moons: the upper half circle, and the lower one shifted by (1, 0.5);
  // centred here by subtracting (0.5, 0.25).
  const double t = uniform(rng, 0.0, M_PI);
  const Point p =
      k == 0 ? Point{std::cos(t), std::sin(t)} : Point{1 - std::cos(t), 0.5 - std::sin(t)};
  return {p.x - 0.5 + noise * standardNormal(rng), p.y - 0.25 + noise * standardNormal(rng)};
}

Point circlePoint(std::mt19937& rng, Index k, double factor, double noise) {
  const double t = uniform(rng, 0.0, 2.0 * M_PI);
  const double r = k == 0 ? 1.0 : factor;
  return {r * std::cos(t) + noise * standardNormal(rng),
          r * std::sin(t) + noise * standardNormal(rng)};
}

Point xorPoint(std::mt19937& rng, Index k, double noise) {
  // Class 0 lives in the quadrants where x and y share a sign, class 1 where they differ: pick one
  // of the class's two quadrants, then a uniform point in it (so the classes are exactly balanced).
  const double sx = detail::uniform01(rng) < 0.5 ? -1.0 : 1.0;
  const double sy = k == 0 ? sx : -sx;
  return {sx * uniform(rng, 0.0, 1.0) + noise * standardNormal(rng),
          sy * uniform(rng, 0.0, 1.0) + noise * standardNormal(rng)};
}

Point blobPoint(std::mt19937& rng, Index k, Index classes, double noise) {
  const double angle = 2.0 * M_PI * static_cast<double>(k) / static_cast<double>(classes);
  return {2.0 * std::cos(angle) + noise * standardNormal(rng),
          2.0 * std::sin(angle) + noise * standardNormal(rng)};
}

// ---- Shapes: signed distances in the shape's own frame (unit size), negative inside -------------

double box(Point q, double bx, double by) {
  const double dx = std::fabs(q.x) - bx, dy = std::fabs(q.y) - by;
  const double outside = std::hypot(std::max(dx, 0.0), std::max(dy, 0.0));
  return outside + std::min(std::max(dx, dy), 0.0);
}

Point rotate(Point q, double angle) {
  const double c = std::cos(angle), s = std::sin(angle);
  return {c * q.x - s * q.y, s * q.x + c * q.y};
}

// Inigo Quilez's exact distance to an equilateral triangle of circumradius-ish r, apex up.
double triangle(Point p, double r) {
  const double k = std::sqrt(3.0);
  p.x = std::fabs(p.x) - r;
  p.y = -p.y + r / k; // image rows grow downwards: flip so the apex points up on screen
  if (p.x + k * p.y > 0.0) p = {(p.x - k * p.y) / 2.0, (-k * p.x - p.y) / 2.0};
  p.x -= std::clamp(p.x, -2.0 * r, 0.0);
  return -std::hypot(p.x, p.y) * (p.y < 0 ? -1.0 : 1.0);
}

double shapeDistance(Index shape, Point q) {
  switch (shape) {
  case 0: return std::hypot(q.x, q.y) - 0.9;                    // disc
  case 1: return std::fabs(std::hypot(q.x, q.y) - 0.72) - 0.18; // ring
  case 2: return box(q, 0.78, 0.78);                            // square
  case 3: return std::fabs(box(q, 0.72, 0.72)) - 0.16;          // frame
  case 4: return triangle({q.x, q.y - 0.15}, 0.95);             // triangle
  case 5:                                                       // cross ×
    return std::min(box(rotate(q, M_PI / 4), 1.0, 0.17), box(rotate(q, -M_PI / 4), 1.0, 0.17));
  case 6: return std::min(box(q, 0.95, 0.17), box(q, 0.17, 0.95));         // plus +
  case 7: return (std::fabs(q.x) + std::fabs(q.y) - 1.0) / std::sqrt(2.0); // diamond
  case 8: return box(q, 0.95, 0.22);                                       // horizontal bar
  default: return box(q, 0.22, 0.95);                                      // vertical bar
  }
}

// Draws one shape into `pixels` (size × size, intensities in [0, 1] before noise): every pixel
// centre is mapped into the shape's frame (shift, rotation, scale undone) and covered by
// clamp(½ − d / pixel, 0, 1), a one-pixel anti-aliased edge.
void drawShape(std::mt19937& rng, Index shape, Index size, double noise, float* pixels) {
  const double scale = uniform(rng, 0.45, 0.75); // half-size, in units of the half-image
  const double angle = uniform(rng, -M_PI / 12, M_PI / 12);
  const double limit = std::max(0.0, 0.92 - scale); // keep the shape inside the image
  const Point shift{uniform(rng, -limit, limit), uniform(rng, -limit, limit)};
  const double pixel = 2.0 / static_cast<double>(size) / scale;
  for (Index r = 0; r < size; ++r)
    for (Index c = 0; c < size; ++c) {
      const Point p{(static_cast<double>(c) + 0.5) * 2.0 / static_cast<double>(size) - 1.0,
                    (static_cast<double>(r) + 0.5) * 2.0 / static_cast<double>(size) - 1.0};
      Point q = rotate({p.x - shift.x, p.y - shift.y}, -angle);
      q = {q.x / scale, q.y / scale};
      const double coverage = std::clamp(0.5 - shapeDistance(shape, q) / pixel, 0.0, 1.0);
      pixels[r * size + c] = static_cast<float>(coverage + noise * standardNormal(rng));
    }
}

Status checkRange(const char* key, double value, double low, double high, std::string_view kind) {
  if (!(value >= low && value <= high))
    return Error{key, "must be " + number(low) + " to " + number(high) + " for " +
                          std::string(kind) + " (got " + number(value) + ")"};
  return {};
}

} // namespace

std::string_view datasetId(DatasetKind kind) {
  return kIds[static_cast<size_t>(kind)];
}

std::vector<std::string> datasetNames() {
  return {kIds.begin(), kIds.end()};
}

DatasetOptions defaultDatasetOptions(DatasetKind kind) {
  DatasetOptions o;
  o.kind = kind;
  switch (kind) {
  case DatasetKind::Spirals: o.noise = 0.1, o.classes = 2; break;
  case DatasetKind::Moons: o.noise = 0.1, o.classes = 2; break;
  case DatasetKind::Circles: o.noise = 0.05, o.classes = 2; break;
  case DatasetKind::Xor: o.noise = 0.1, o.classes = 2; break;
  case DatasetKind::Blobs: o.noise = 0.5, o.classes = 4; break;
  case DatasetKind::Shapes: o.noise = 0.1, o.classes = 10, o.samples = 2000; break;
  }
  return o;
}

std::string DatasetOptions::toString() const {
  std::string s = std::string(datasetId(kind)) + ":samples=" + std::to_string(samples) +
                  ",noise=" + number(noise) + ",val=" + number(validationFraction);
  if (kind == DatasetKind::Spirals || kind == DatasetKind::Blobs || kind == DatasetKind::Shapes)
    s += ",classes=" + std::to_string(classes);
  if (kind == DatasetKind::Shapes) s += ",size=" + std::to_string(imageSize);
  if (kind == DatasetKind::Circles) s += ",factor=" + number(factor);
  return s;
}

Result<DatasetOptions> parseDatasetSpec(std::string_view text) {
  Result<NamedSpec> spec = parseNamedSpec(text, "dataset");
  if (!spec) return spec.error();
  const auto it = std::find(kIds.begin(), kIds.end(), spec->name);
  if (it == kIds.end()) {
    std::string known;
    for (std::string_view id : kIds) known += (known.empty() ? "" : ", ") + std::string(id);
    return Error{"dataset", "unknown dataset '" + spec->name + "' (known: " + known + ")"};
  }
  const auto kind = static_cast<DatasetKind>(it - kIds.begin());
  Status keys = Status::success();
  switch (kind) {
  case DatasetKind::Spirals:
  case DatasetKind::Blobs:
    keys = requireKnownKeys(*spec, {"samples", "noise", "val", "classes"}, "dataset");
    break;
  case DatasetKind::Shapes:
    keys = requireKnownKeys(*spec, {"samples", "noise", "val", "classes", "size"}, "dataset");
    break;
  case DatasetKind::Circles:
    keys = requireKnownKeys(*spec, {"samples", "noise", "val", "factor"}, "dataset");
    break;
  default: keys = requireKnownKeys(*spec, {"samples", "noise", "val"}, "dataset");
  }
  if (!keys) return keys.error();
  DatasetOptions o = defaultDatasetOptions(kind);
  o.samples = static_cast<Index>(spec->get("samples", static_cast<double>(o.samples)));
  o.noise = spec->get("noise", o.noise);
  o.validationFraction = spec->get("val", o.validationFraction);
  o.classes = static_cast<Index>(spec->get("classes", static_cast<double>(o.classes)));
  o.imageSize = static_cast<Index>(spec->get("size", static_cast<double>(o.imageSize)));
  o.factor = spec->get("factor", o.factor);
  return o;
}

Result<DatasetLayout> datasetLayout(const DatasetOptions& o) {
  const std::string_view id = datasetId(o.kind);
  const Index maxClasses = o.kind == DatasetKind::Spirals                                  ? 8
                           : o.kind == DatasetKind::Blobs || o.kind == DatasetKind::Shapes ? 10
                                                                                           : 2;
  const Index minClasses = o.kind == DatasetKind::Shapes ? 4 : 2;
  if (Status s = checkRange("classes", static_cast<double>(o.classes),
                            static_cast<double>(minClasses), static_cast<double>(maxClasses), id);
      !s)
    return s.error();
  if (Status s = checkRange("noise", o.noise, 0.0, 5.0, id); !s) return s.error();
  if (Status s = checkRange("val", o.validationFraction, 0.0, 0.9, id); !s) return s.error();
  if (Status s = checkRange("samples", static_cast<double>(o.samples),
                            static_cast<double>(10 * o.classes), 1e6, id);
      !s)
    return s.error();
  if (o.kind == DatasetKind::Shapes)
    if (Status s = checkRange("size", static_cast<double>(o.imageSize), 16, 28, id); !s)
      return s.error();
  if (o.kind == DatasetKind::Circles)
    if (Status s = checkRange("factor", o.factor, 0.05, 0.95, id); !s) return s.error();

  // samples / classes per class (the remainder dropped); of each class the first
  // round(val · perClass) validate (makeDataset's stratified split).
  DatasetLayout layout;
  layout.sampleShape =
      o.kind == DatasetKind::Shapes ? Shape{1, o.imageSize, o.imageSize} : Shape{2};
  layout.classes = o.classes;
  const Index perClass = o.samples / o.classes;
  const Index valPerClass =
      static_cast<Index>(std::lround(o.validationFraction * static_cast<double>(perClass)));
  layout.validationSize = valPerClass * o.classes;
  layout.trainSize = (perClass - valPerClass) * o.classes;
  return layout;
}

Result<Dataset> makeDataset(const DatasetOptions& o, std::uint32_t seed,
                            const std::atomic<bool>* cancel) {
  Result<DatasetLayout> layout = datasetLayout(o);
  if (!layout) return layout.error();

  Dataset d;
  d.name = std::string(datasetId(o.kind));
  d.kind = o.kind;
  d.classes = layout->classes;
  const bool image = o.kind == DatasetKind::Shapes;
  d.sampleShape = layout->sampleShape;
  for (Index k = 0; k < o.classes; ++k)
    d.classNames.push_back(image ? std::string(kShapeNames[static_cast<size_t>(k)])
                                 : "class " + std::to_string(k));
  const Index perSample = d.sampleShape.numel();
  const Index perClass = o.samples / o.classes;
  const Index total = perClass * o.classes;

  // Every sample, class by class (so the per-class validation split below is stratified).
  std::mt19937 rng(detail::deriveSeed(seed, 1));
  std::vector<float> all(static_cast<size_t>(total * perSample));
  std::vector<int> labels(static_cast<size_t>(total));
  for (Index k = 0; k < o.classes; ++k)
    for (Index i = 0; i < perClass; ++i) {
      if (cancel && cancel->load(std::memory_order_relaxed)) return Error{"", "cancelled"};
      const Index n = k * perClass + i;
      labels[static_cast<size_t>(n)] = static_cast<int>(k);
      float* x = all.data() + n * perSample;
      if (image) {
        drawShape(rng, k, o.imageSize, o.noise, x);
        continue;
      }
      Point p{};
      switch (o.kind) {
      case DatasetKind::Spirals: p = spiralPoint(rng, k, o.classes, o.noise); break;
      case DatasetKind::Moons: p = moonPoint(rng, k, o.noise); break;
      case DatasetKind::Circles: p = circlePoint(rng, k, o.factor, o.noise); break;
      case DatasetKind::Xor: p = xorPoint(rng, k, o.noise); break;
      case DatasetKind::Blobs: p = blobPoint(rng, k, o.classes, o.noise); break;
      case DatasetKind::Shapes: break;
      }
      x[0] = static_cast<float>(p.x);
      x[1] = static_cast<float>(p.y);
    }

  // Stratified split: the first round(val · perClass) of each class (in a seeded order) validate.
  const Index valPerClass = layout->validationSize / o.classes;
  std::vector<Index> trainIndex, valIndex;
  std::mt19937 splitRng(detail::deriveSeed(seed, 2));
  for (Index k = 0; k < o.classes; ++k) {
    std::vector<Index> members(static_cast<size_t>(perClass));
    std::iota(members.begin(), members.end(), k * perClass);
    for (size_t i = members.size(); i > 1; --i)
      std::swap(members[i - 1],
                members[detail::uniformIndex(splitRng, static_cast<std::uint32_t>(i))]);
    valIndex.insert(valIndex.end(), members.begin(), members.begin() + valPerClass);
    trainIndex.insert(trainIndex.end(), members.begin() + valPerClass, members.end());
  }
  // Interleave the classes in storage (a seeded shuffle), so any prefix is a fair sample.
  for (std::vector<Index>* index : {&trainIndex, &valIndex})
    for (size_t i = index->size(); i > 1; --i)
      std::swap((*index)[i - 1],
                (*index)[detail::uniformIndex(splitRng, static_cast<std::uint32_t>(i))]);

  // Images: standardise by the training pixels' mean and standard deviation (double sums).
  if (image) {
    double sum = 0, sumSq = 0;
    for (Index n : trainIndex)
      for (Index j = 0; j < perSample; ++j) {
        const double v = all[static_cast<size_t>(n * perSample + j)];
        sum += v;
        sumSq += v * v;
      }
    const double count = static_cast<double>(trainIndex.size() * static_cast<size_t>(perSample));
    d.pixelMean = sum / count;
    d.pixelStd = std::sqrt(std::max(sumSq / count - d.pixelMean * d.pixelMean, 1e-12));
    for (float& v : all) v = static_cast<float>((v - d.pixelMean) / d.pixelStd);
  }

  auto gather = [&](const std::vector<Index>& index, Tensor& x, std::vector<int>& y) {
    std::vector<Index> dims{static_cast<Index>(index.size())};
    for (int a = 0; a < d.sampleShape.rank(); ++a) dims.push_back(d.sampleShape[a]);
    x = Tensor(Shape(dims));
    y.resize(index.size());
    for (size_t i = 0; i < index.size(); ++i) {
      std::copy_n(all.begin() + index[i] * perSample, perSample,
                  x.data() + static_cast<Index>(i) * perSample);
      y[i] = labels[static_cast<size_t>(index[i])];
    }
  };
  gather(trainIndex, d.trainX, d.trainY);
  gather(valIndex, d.validationX, d.validationY);
  assert(d.trainSize() == layout->trainSize && d.validationSize() == layout->validationSize);
  return d;
}

} // namespace nnlab
