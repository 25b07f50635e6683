// named_spec.h: "NAME[:key=value,...]" strings, the way a schedule or a surface with parameters is
// written on the command line and in scene files.
//
//   "cosine:t_max=500,eta_min=0.001"   -> name "cosine", {t_max: 500, eta_min: 0.001}
//   "quadratic:kappa=10,angle=30"      -> name "quadratic", {kappa: 10, angle: 30}
//   "constant"                          -> name "constant", no parameters
//
// Values are numbers (std::from_chars, so "1e-3" works and "0.5x" does not). Which keys a name
// accepts is up to its owner, which calls requireKnownKeys() so that a typo is reported by name
// instead of being silently ignored.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nnlab/status.h"

namespace nnlab {

struct NamedSpec {
  std::string name;
  std::vector<std::pair<std::string, double>> params; // in the order written; keys unique

  bool has(std::string_view key) const;
  // The value of `key`, or `fallback` when it was not written.
  double get(std::string_view key, double fallback) const;
};

// `what` names the thing being parsed in error messages ("schedule", "surface"):
//   parseNamedSpec("step:gamma", "schedule") -> Error{"schedule", "'gamma' needs a value ..."}
Result<NamedSpec> parseNamedSpec(std::string_view text, std::string_view what);

// Error naming the first key of `spec` that is not in `known`, listing the known ones.
Status requireKnownKeys(const NamedSpec& spec, std::initializer_list<std::string_view> known,
                        std::string_view what);

} // namespace nnlab
