#include "core/format_number.h"

#include <cstdio>

namespace nnlab::app {

std::string formatNumber(double v, const char* spec) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, spec, v);
  return buffer;
}

} // namespace nnlab::app
