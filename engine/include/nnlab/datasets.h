// datasets.h: the data sets the training lab generates, seeded, with a train/validation split.
//
// Nothing is downloaded. Written "NAME[:key=value,...]" like a schedule (named_spec.h):
//   spirals    K interleaved spiral arms (classes=2..8), 1.5 turns each          noise 0.1
//   moons      scikit-learn's two half-moons, centred                            noise 0.1
//   circles    two concentric circles, inner radius factor=0.5                   noise 0.05
//   xor        uniform in [−1, 1]², label = (x > 0) xor (y > 0)                   noise 0.1
//   blobs      K Gaussian blobs on a circle of radius 2 (classes=2..10)          noise 0.5
//   shapes     size×size grey images (size=16..28, default 28) of procedurally drawn shapes:
//              disc, ring, square, frame, triangle, cross (×), plus (+), diamond, horizontal bar,
//              vertical bar (classes=4..10, default 10), each with a random scale, rotation
//              (±15°, so a square never turns into a diamond), shift, and pixel noise
// Common keys: samples (total, default 1000, images 2000), noise (σ of a Gaussian: in the plane's
// units for the 2-D sets, in pixel intensity [0, 1] for images), val (validation fraction, 0.2),
// classes, size (images), factor (circles).
//
// Classes are balanced: samples / classes each (the remainder dropped); the split keeps that
// balance (a stratified split). 2-D samples are [2] (x, y); images are [1, size, size],
// standardised by the training set's pixel mean and standard deviation (stored, so the lab can
// draw the original intensities back).
//
//   Result<DatasetOptions> o = parseDatasetSpec("spirals:classes=3,noise=0.2");
//   Result<DatasetLayout> l = datasetLayout(*o);   // shapes and sizes, nothing drawn (cheap)
//   Result<Dataset> d = makeDataset(*o, /*seed=*/7);
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nnlab/status.h"
#include "nnlab/tensor.h"

namespace nnlab {

enum class DatasetKind { Spirals, Moons, Circles, Xor, Blobs, Shapes };

struct DatasetOptions {
  DatasetKind kind = DatasetKind::Spirals;
  Index samples = 1000; // total, before the split
  double noise = 0.1;   // σ, see above
  Index classes = 2;    // spirals, blobs, shapes
  Index imageSize = 28; // shapes
  double factor = 0.5;  // circles: inner radius / outer radius
  double validationFraction = 0.2;

  // Back to "NAME[:key=value,...]" with every key written.
  std::string toString() const;
};

struct Dataset {
  std::string name; // "spirals"
  DatasetKind kind = DatasetKind::Spirals;
  Shape sampleShape; // [2] or [1, size, size]
  Index classes = 0;
  std::vector<std::string> classNames;
  Tensor trainX;           // [Ntrain, sample...]
  std::vector<int> trainY; // labels in [0, classes)
  Tensor validationX;      // [Nval, sample...]
  std::vector<int> validationY;
  double pixelMean = 0, pixelStd = 1; // images: x = (intensity − mean) / std

  bool isImage() const { return sampleShape.rank() == 3; }
  Index trainSize() const { return static_cast<Index>(trainY.size()); }
  Index validationSize() const { return static_cast<Index>(validationY.size()); }
};

std::string_view datasetId(DatasetKind kind); // "spirals", ...
std::vector<std::string> datasetNames();
// Defaults of a kind (noise, classes, samples) before any key is applied.
DatasetOptions defaultDatasetOptions(DatasetKind kind);
// "spirals:classes=3,noise=0.2". Errors have where = "dataset" and name the bad key or value.
Result<DatasetOptions> parseDatasetSpec(std::string_view text);

// What makeDataset(options, seed) gives for every seed, known without drawing a sample: cheap
// enough for a GUI thread that checks settings before a worker generates the data.
struct DatasetLayout {
  Shape sampleShape; // [2] or [1, size, size]
  Index classes = 0;
  Index trainSize = 0; // samples after the stratified split
  Index validationSize = 0;
};
// The options checked exactly as makeDataset checks them (the same errors).
Result<DatasetLayout> datasetLayout(const DatasetOptions& options);

// Errors name the option: "classes: must be 2 to 8 for spirals (got 12)". `cancel` (optional) is
// polled once per sample: when it reads true, makeDataset stops and returns the Error "cancelled"
// (where empty), so a worker thread can drop a large image set promptly.
Result<Dataset> makeDataset(const DatasetOptions& options, std::uint32_t seed,
                            const std::atomic<bool>* cancel = nullptr);

} // namespace nnlab
