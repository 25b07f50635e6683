// ticks.h: where an axis puts its ticks and what it writes under them.
//
// Linear axes use Heckbert's "nice numbers" (Graphics Gems I, 1990): the step is 1, 2 or 5 times
// a power of ten, chosen so that about `targetCount` ticks fall inside [min, max]. Log10 axes put
// labelled ticks at powers of ten and unlabelled minor ticks at 2..9 times them.
#pragma once

#include <string>
#include <vector>

namespace nnlab::plot {

struct Ticks {
  std::vector<double> major;       // labelled, ascending, all inside [min, max]
  std::vector<std::string> labels; // one per major tick
  std::vector<double> minor;       // unlabelled (log axes); may be empty
  double step = 0;                 // linear: spacing of major ticks; log: decades between them
};

// Heckbert's nicenum: a number 1, 2, 5 or 10 times a power of ten close to x (> 0).
// round: the nearest such number; else the smallest one >= x.
double niceNumber(double x, bool round);

// Major ticks at multiples of a nice step inside [min, max] (min < max), about targetCount of them.
Ticks niceTicks(double min, double max, int targetCount);

// Powers of ten inside [min, max] (0 < min < max), thinned to at most about targetCount labels;
// minor ticks at 2..9 x 10^k. A range narrower than a decade gets labelled 1-2-5 ticks instead.
Ticks logTicks(double min, double max, int targetCount);

// About `count` nice contour levels strictly inside (min, max).
std::vector<double> niceLevels(double min, double max, int count);

// A tick label: as many decimals as the step needs ("0.25" for step 0.05, "3" for step 1),
// scientific ("2×10⁻⁵") for very large or small magnitudes, and a true minus sign (U+2212).
std::string formatTick(double value, double step);

// "10³", "10⁻²", "10⁰": log-axis labels with Unicode superscripts.
std::string formatPowerOfTen(int exponent);

} // namespace nnlab::plot
