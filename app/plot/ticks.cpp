#include "plot/ticks.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace nnlab::plot {

double niceNumber(double x, bool round) {
  const double exponent = std::floor(std::log10(x));
  const double power = std::pow(10.0, exponent);
  const double fraction = x / power; // in [1, 10)
  double nice;
  if (round)
    nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
  else
    nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

Ticks niceTicks(double min, double max, int targetCount) {
  Ticks ticks;
  if (!(max > min) || !std::isfinite(min) || !std::isfinite(max)) return ticks;
  targetCount = std::max(targetCount, 2);
  // Heckbert: round the range up to a nice number, then round range / (n - 1) to a nice step.
  const double range = niceNumber(max - min, false);
  const double step = niceNumber(range / (targetCount - 1), true);
  ticks.step = step;
  // Tight labelling: only multiples of the step that fall inside [min, max] (a relative epsilon
  // keeps an end tick that rounding put a hair outside).
  const double eps = step * 1e-9;
  const double first = std::ceil((min - eps) / step);
  const double last = std::floor((max + eps) / step);
  for (double k = first; k <= last; k += 1) {
    double v = k * step;
    if (std::abs(v) < eps) v = 0; // no "-0"
    ticks.major.push_back(v);
    ticks.labels.push_back(formatTick(v, step));
  }
  return ticks;
}

Ticks logTicks(double min, double max, int targetCount) {
  Ticks ticks;
  if (!(min > 0) || !(max > min) || !std::isfinite(max)) return ticks;
  const double lo = std::log10(min), hi = std::log10(max);
  const int firstDecade = static_cast<int>(std::ceil(lo - 1e-9));
  const int lastDecade = static_cast<int>(std::floor(hi + 1e-9));
  const int decades = lastDecade - firstDecade + 1;
  if (decades < 2) {
    // Less than a decade visible: 1-2-5 multiples label it (10⁰ alone would say nothing).
    for (int d = firstDecade - 1; d <= lastDecade; ++d) {
      for (int m : {1, 2, 5}) {
        const double v = m * std::pow(10.0, d);
        if (v < min * (1 - 1e-9) || v > max * (1 + 1e-9)) continue;
        ticks.major.push_back(v);
        ticks.labels.push_back(formatTick(v, std::pow(10.0, std::min(d, 0))));
      }
    }
    if (ticks.major.size() < 2) { // still too few (e.g. [3, 4.5]): fall back to linear ticks
      Ticks linear = niceTicks(min, max, targetCount);
      linear.step = 0;
      return linear;
    }
  } else {
    // Every k-th decade so that at most about targetCount are labelled.
    const int stride =
        std::max(1, (decades + std::max(targetCount, 2) - 1) / std::max(targetCount, 2));
    ticks.step = stride;
    for (int d = firstDecade; d <= lastDecade; ++d) {
      if (((d % stride) + stride) % stride != 0) continue;
      ticks.major.push_back(std::pow(10.0, d));
      ticks.labels.push_back(formatPowerOfTen(d));
    }
  }
  // Minor ticks at 2..9 x 10^d, but only while they stay readable (few decades).
  if (hi - lo <= 8) {
    for (int d = static_cast<int>(std::floor(lo)); d <= lastDecade; ++d) {
      for (int m = 1; m <= 9; ++m) {
        const double v = m * std::pow(10.0, d);
        if (v < min * (1 - 1e-9) || v > max * (1 + 1e-9)) continue;
        if (std::find_if(ticks.major.begin(), ticks.major.end(), [&](double t) {
              return std::abs(t - v) <= 1e-9 * v;
            }) != ticks.major.end())
          continue;
        ticks.minor.push_back(v);
      }
    }
  }
  return ticks;
}

std::vector<double> niceLevels(double min, double max, int count) {
  std::vector<double> levels;
  if (!(max > min)) return levels;
  Ticks t = niceTicks(min, max, count + 1);
  for (double v : t.major)
    if (v > min && v < max) levels.push_back(v);
  return levels;
}

namespace {

// U+2212 MINUS SIGN: the width of a digit, as in typeset mathematics.
const char* kMinus = "\xE2\x88\x92";

std::string superscript(int n) {
  static const char* digits[] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
  std::string out = n < 0 ? "⁻" : "";
  const std::string plain = std::to_string(std::abs(n));
  for (char c : plain) out += digits[c - '0'];
  return out;
}

std::string replaceMinus(std::string s) {
  if (!s.empty() && s[0] == '-') s = kMinus + s.substr(1);
  return s;
}

} // namespace

std::string formatPowerOfTen(int exponent) {
  return "10" + superscript(exponent);
}

std::string formatTick(double value, double step) {
  if (value == 0) return "0";
  const double magnitude = std::abs(value);
  char buf[64];
  if (magnitude >= 1e5 || magnitude < 1e-4 || (step > 0 && step < 1e-4)) {
    // m×10ⁿ with the fewest mantissa digits that still tell neighbouring ticks apart.
    int exponent = static_cast<int>(std::floor(std::log10(magnitude)));
    double mantissa = value / std::pow(10.0, exponent);
    int decimals = 0;
    if (step > 0)
      decimals = std::clamp(exponent - static_cast<int>(std::floor(std::log10(step) + 1e-9)), 0, 6);
    std::snprintf(buf, sizeof buf, "%.*f", decimals, mantissa);
    std::string m = buf;
    if (m == "1" || m == "-1")
      return replaceMinus(m == "1" ? "" : "-") + formatPowerOfTen(exponent);
    return replaceMinus(m) + "×" + formatPowerOfTen(exponent);
  }
  // Decimals the step needs: step 0.05 -> 2, step 0.2 -> 1, step 5 -> 0.
  int decimals = 0;
  if (step > 0)
    decimals = std::clamp(-static_cast<int>(std::floor(std::log10(step) + 1e-9)), 0, 10);
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return replaceMinus(buf);
}

} // namespace nnlab::plot
