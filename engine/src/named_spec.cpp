#include "nnlab/named_spec.h"

#include <charconv>

namespace nnlab {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

} // namespace

bool NamedSpec::has(std::string_view key) const {
  for (const auto& [k, v] : params)
    if (k == key) return true;
  return false;
}

double NamedSpec::get(std::string_view key, double fallback) const {
  for (const auto& [k, v] : params)
    if (k == key) return v;
  return fallback;
}

Result<NamedSpec> parseNamedSpec(std::string_view text, std::string_view what) {
  const std::string where(what);
  NamedSpec spec;
  const size_t colon = text.find(':');
  spec.name = std::string(trim(text.substr(0, colon)));
  if (spec.name.empty())
    return Error{where, "missing name before ':' in '" + std::string(text) + "'"};
  if (colon == std::string_view::npos) return spec;

  std::string_view rest = text.substr(colon + 1);
  while (true) {
    const size_t comma = rest.find(',');
    const std::string_view item = trim(rest.substr(0, comma));
    const size_t equals = item.find('=');
    const std::string key(trim(item.substr(0, equals)));
    if (key.empty())
      return Error{where, "empty key in '" + std::string(text) + "' (expected key=value)"};
    if (equals == std::string_view::npos)
      return Error{where, "key '" + key + "' needs a value (key=value)"};
    if (spec.has(key)) return Error{where, "key '" + key + "' given twice"};
    const std::string_view number = trim(item.substr(equals + 1));
    double value = 0.0;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (number.empty() || ec != std::errc() || end != number.data() + number.size())
      return Error{where, "key '" + key + "': '" + std::string(number) + "' is not a number"};
    spec.params.emplace_back(key, value);
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return spec;
}

Status requireKnownKeys(const NamedSpec& spec, std::initializer_list<std::string_view> known,
                        std::string_view what) {
  for (const auto& [key, value] : spec.params) {
    bool found = false;
    for (std::string_view k : known) found = found || k == key;
    if (found) continue;
    std::string list;
    for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
    return Error{std::string(what),
                 "unknown key '" + key + "' for '" + spec.name + "' (" +
                     (list.empty() ? "it takes no keys" : "known keys: " + list) + ")"};
  }
  return Status::success();
}

} // namespace nnlab
