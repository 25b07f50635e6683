// random_draws.h (internal): portable random numbers from std::mt19937's raw output.
//
// The standard fixes mt19937's sequence but not the algorithms of its distributions
// (uniform_real_distribution, normal_distribution differ between libraries), so everything the
// training lab seeds — weights, datasets, shuffling — draws through these instead: a seed means
// the same numbers on every platform.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>

namespace nnlab::detail {

// Uniform in [0, 1) with 53 random bits (two 32-bit draws: 27 + 26 bits).
inline double uniform01(std::mt19937& rng) {
  const std::uint64_t a = rng() >> 5, b = rng() >> 6;
  return (static_cast<double>(a) * 67108864.0 + static_cast<double>(b)) * 0x1.0p-53;
}

inline double uniform(std::mt19937& rng, double low, double high) {
  return low + (high - low) * uniform01(rng);
}

// Standard normal by Box–Muller: √(−2 ln u₁) cos(2π u₂), u₁ in (0, 1].
inline double standardNormal(std::mt19937& rng) {
  const double u1 = 1.0 - uniform01(rng);
  const double u2 = uniform01(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

// Uniform integer in [0, n) by Lemire's multiply-shift (bias below 2⁻³² · n, negligible here).
inline std::uint32_t uniformIndex(std::mt19937& rng, std::uint32_t n) {
  return static_cast<std::uint32_t>((static_cast<std::uint64_t>(rng()) * n) >> 32);
}

// A seed for a sub-stream (dataset, weights, shuffling of epoch e, dropout of step t): SplitMix64
// of (seed, stream, index), so the streams of one run are unrelated but fixed by the seed.
inline std::uint32_t deriveSeed(std::uint32_t seed, std::uint32_t stream, std::uint64_t index = 0) {
  std::uint64_t z =
      (static_cast<std::uint64_t>(seed) << 32 | stream) + 0x9E3779B97F4A7C15ull * (index + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return static_cast<std::uint32_t>((z ^ (z >> 31)) >> 16);
}

} // namespace nnlab::detail
