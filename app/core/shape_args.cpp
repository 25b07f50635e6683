#include "core/shape_args.h"

#include <charconv>

namespace nnlab::app {

Result<std::vector<Index>> parseSizes(const std::string& text, const std::string& flag,
                                      Index minimum) {
  const Error malformed{flag, "expected sizes separated by x, like 3x64x64 (got \"" + text + "\")"};
  std::vector<Index> sizes;
  size_t begin = 0;
  while (true) {
    const size_t end = std::min(text.find('x', begin), text.size());
    Index value = 0;
    const char* first = text.data() + begin;
    const char* last = text.data() + end;
    auto [ptr, ec] = std::from_chars(first, last, value);
    if (first == last || ec != std::errc() || ptr != last) return malformed;
    if (value < minimum)
      return Error{flag, "sizes must be at least " + std::to_string(minimum) + " (got " +
                             std::to_string(value) + " in \"" + text + "\")"};
    sizes.push_back(value);
    if (end == text.size()) break;
    begin = end + 1;
  }
  return sizes;
}

Result<RfLayer> parseRfLayer(const std::string& text, const std::string& flag) {
  const std::string quoted = "\"" + text + "\"";
  const size_t colon = text.find(':');
  const std::string kind = text.substr(0, colon);
  RfLayer layer;
  if (kind == "conv") {
    layer.kind = RfLayerKind::Conv;
  } else if (kind == "pool") {
    layer.kind = RfLayerKind::Pool;
  } else {
    return Error{flag, quoted + ": the layer kind must be conv or pool, like conv:k=3,s=1,p=1"};
  }
  bool hasKernel = false, hasStride = false;
  std::string rest = colon == std::string::npos ? "" : text.substr(colon + 1);
  size_t begin = 0;
  while (begin < rest.size()) {
    const size_t end = std::min(rest.find(',', begin), rest.size());
    const std::string item = rest.substr(begin, end - begin);
    begin = end + 1;
    const size_t eq = item.find('=');
    if (eq == std::string::npos)
      return Error{flag, quoted + ": expected key=value, got \"" + item + "\""};
    const std::string key = item.substr(0, eq);
    Result<std::vector<Index>> values = parseSizes(item.substr(eq + 1), flag);
    if (!values) return Error{flag, quoted + ": " + key + ": " + values.error().what};
    if (key == "k") {
      layer.kernel = *values;
      hasKernel = true;
    } else if (key == "s") {
      layer.stride = *values;
      hasStride = true;
    } else if (key == "p") {
      layer.padding = *values;
    } else if (key == "d") {
      layer.dilation = *values;
    } else {
      return Error{flag, quoted + ": unknown key \"" + key + "\" (known: k, s, p, d)"};
    }
  }
  if (!hasKernel) return Error{flag, quoted + ": needs a kernel size k=..."};
  if (layer.kind == RfLayerKind::Pool && !hasStride) layer.stride = layer.kernel;
  return layer;
}

} // namespace nnlab::app
