// derivation.h: "show your work" as data.
//
// Calculators (`nnlab calc`, the labs' formula panels) return the steps of a derivation rather
// than text glued together in the UI, so the same steps print as text, serialize as JSON and
// render beside a figure.
//
//   { quantity: "H_out",
//     formula: "⌊(H + 2p − d(k − 1) − 1) / s⌋ + 1",
//     substituted: "⌊(64 + 2·1 − 1·(5 − 1) − 1) / 2⌋ + 1",
//     result: "31" }
#pragma once

#include <string>
#include <vector>

namespace nnlab {

struct DerivationStep {
  std::string quantity;    // what is computed: "H_out", "weights", "MACs"
  std::string formula;     // symbolic, UTF-8 with the course's symbols
  std::string substituted; // the formula with this case's numbers in place of the symbols
  std::string result;      // the value, formatted for reading ("1,153,200")
};

using Derivation = std::vector<DerivationStep>;

// 1153200 -> "1,153,200": thousands separators make MAC and parameter counts readable.
std::string withThousandsSeparators(long long value);

} // namespace nnlab
