// format_number.h: a number as text through a printf conversion, for labels and command output.
#pragma once

#include <string>

namespace nnlab::app {

// formatNumber(0.001) == "0.001", formatNumber(3.14159, "%.2f") == "3.14"; `spec` converts one
// double.
std::string formatNumber(double v, const char* spec = "%g");

} // namespace nnlab::app
