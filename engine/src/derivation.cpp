#include "nnlab/derivation.h"

#include <cstdlib>

namespace nnlab {

std::string withThousandsSeparators(long long value) {
  std::string digits = std::to_string(std::llabs(value));
  std::string out;
  const int n = static_cast<int>(digits.size());
  for (int i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % 3 == 0) out += ',';
    out += digits[static_cast<size_t>(i)];
  }
  return value < 0 ? "-" + out : out;
}

} // namespace nnlab
