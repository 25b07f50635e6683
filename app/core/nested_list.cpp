#include "core/nested_list.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <vector>

namespace nnlab::app {
namespace {

using nlohmann::json;

std::string positionText(const std::vector<Index>& position) {
  std::string s;
  for (Index i : position) {
    s += '[';
    s += std::to_string(i);
    s += ']';
  }
  return s;
}

// "a list", "a number", "a string": what the user wrote instead.
std::string describe(const json& value) {
  switch (value.type()) {
  case json::value_t::array: return "a list";
  case json::value_t::number_integer:
  case json::value_t::number_unsigned:
  case json::value_t::number_float: return "a number";
  case json::value_t::string: return "a string";
  case json::value_t::boolean: return "a boolean";
  case json::value_t::null: return "null";
  default: return "an object";
  }
}

std::string valueCount(size_t n) {
  return std::to_string(n) + (n == 1 ? " value" : " values");
}

// Depth-first walk that checks every list against `dims` and appends the numbers in row-major
// order. Returns the first error.
Status collect(const json& node, const std::vector<Index>& dims, std::vector<Index>& position,
               std::vector<float>& out, const std::string& where) {
  const size_t depth = position.size();
  const std::string at = position.empty() ? "" : " at " + positionText(position);
  if (depth == dims.size()) {
    if (node.is_array())
      return Error{where, "ragged list" + at + ": expected a number, got a list of " +
                              valueCount(node.size())};
    if (!node.is_number())
      return Error{where, "expected a number" + at + ", got " + describe(node)};
    const double v = node.get<double>();
    if (std::fabs(v) > std::numeric_limits<float>::max())
      return Error{where, "number" + at + " is outside the float range"};
    out.push_back(static_cast<float>(v));
    return {};
  }
  const Index expected = dims[depth];
  if (!node.is_array())
    return Error{where, "ragged list" + at + ": expected a list of " +
                            valueCount(static_cast<size_t>(expected)) + ", got " + describe(node)};
  if (static_cast<Index>(node.size()) != expected)
    return Error{where, "ragged list" + at + ": expected " +
                            valueCount(static_cast<size_t>(expected)) + ", got " +
                            std::to_string(node.size())};
  for (size_t i = 0; i < node.size(); ++i) {
    position.push_back(static_cast<Index>(i));
    if (Status s = collect(node[i], dims, position, out, where); !s) return s;
    position.pop_back();
  }
  return {};
}

json toNested(const Tensor& t, int axis, Index offset) {
  if (axis == t.rank()) return roundTripDouble(t.data()[offset]);
  json list = json::array();
  for (Index i = 0; i < t.dim(axis); ++i)
    list.push_back(toNested(t, axis + 1, offset + i * t.stride(axis)));
  return list;
}

} // namespace

Result<Tensor> tensorFromNestedList(const json& list, const std::string& where) {
  if (!list.is_array())
    return Error{where, "expected a nested list of numbers, got " + describe(list)};
  // The shape: the length of the first list at each depth.
  std::vector<Index> dims;
  std::vector<Index> firstPath;
  for (const json* node = &list; node->is_array(); node = &(*node)[0]) {
    if (node->empty())
      return Error{where,
                   "empty list" + (firstPath.empty() ? "" : " at " + positionText(firstPath))};
    if (static_cast<int>(dims.size()) == Shape::kMaxRank)
      return Error{where, "nested deeper than " + std::to_string(Shape::kMaxRank) +
                              " levels (a tensor has rank at most 5)"};
    dims.push_back(static_cast<Index>(node->size()));
    firstPath.push_back(0);
  }
  std::vector<float> values;
  std::vector<Index> position;
  if (Status s = collect(list, dims, position, values, where); !s) return s.error();
  return Tensor(Shape(dims), values);
}

Result<Tensor> parseNestedList(const std::string& text, const std::string& where) {
  json parsed;
  try {
    parsed = json::parse(text);
  } catch (const json::parse_error& e) {
    // nlohmann's text is "[json.exception.parse_error.101] parse error at line 1, column 9: ...";
    // the bracketed id means nothing to a user.
    std::string what = e.what();
    if (const size_t close = what.find("] ");
        what.rfind("[json.exception", 0) == 0 && close != std::string::npos)
      what = what.substr(close + 2);
    return Error{where, "malformed JSON: " + what};
  }
  return tensorFromNestedList(parsed, where);
}

double roundTripDouble(float value) {
  // Shortest decimal that reads back as the same float, then parsed as a double.
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  (void)ec; // 32 chars always suffice for a float
  return std::strtod(std::string(buf, end).c_str(), nullptr);
}

json nestedListFromTensor(const Tensor& tensor) {
  if (tensor.rank() == 0) return tensor.empty() ? json() : toNested(tensor, 0, 0);
  return toNested(tensor, 0, 0);
}

} // namespace nnlab::app
