#include "core/json_fields.h"

#include <cmath>
#include <sstream>

namespace nnlab::app {

namespace {
std::string formatNumber(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}
} // namespace

const nlohmann::json* JsonReader::find(const char* key) {
  if (!status_.ok() || !object_.is_object()) return nullptr;
  auto it = object_.find(key);
  return it == object_.end() ? nullptr : &*it;
}

std::string JsonReader::describe(const nlohmann::json& value) const {
  std::string text = value.dump();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return text;
}

void JsonReader::fail(const std::string& key, const std::string& what) {
  if (status_.ok()) status_ = Status(Error{fieldPath(key), what});
}

JsonReader& JsonReader::number(const char* key, double& out, double min, double max) {
  const nlohmann::json* v = find(key);
  if (!v) return *this;
  if (!v->is_number()) {
    fail(key, "expected a number, got " + describe(*v));
  } else {
    const double x = v->get<double>();
    if (!std::isfinite(x) || x < min || x > max)
      fail(key, "expected a number in [" + formatNumber(min) + ", " + formatNumber(max) +
                    "], got " + formatNumber(x));
    else
      out = x;
  }
  return *this;
}

JsonReader& JsonReader::number(const char* key, float& out, double min, double max) {
  double value = out;
  number(key, value, min, max);
  if (ok()) out = static_cast<float>(value);
  return *this;
}

JsonReader& JsonReader::integer(const char* key, int& out, int min, int max) {
  const nlohmann::json* v = find(key);
  if (!v) return *this;
  if (!v->is_number_integer()) {
    fail(key, "expected a whole number, got " + describe(*v));
  } else {
    const long long x = v->get<long long>();
    if (x < min || x > max)
      fail(key, "expected a whole number in [" + std::to_string(min) + ", " + std::to_string(max) +
                    "], got " + std::to_string(x));
    else
      out = static_cast<int>(x);
  }
  return *this;
}

JsonReader& JsonReader::boolean(const char* key, bool& out) {
  const nlohmann::json* v = find(key);
  if (!v) return *this;
  if (!v->is_boolean())
    fail(key, "expected true or false, got " + describe(*v));
  else
    out = v->get<bool>();
  return *this;
}

JsonReader& JsonReader::string(const char* key, std::string& out) {
  const nlohmann::json* v = find(key);
  if (!v) return *this;
  if (!v->is_string())
    fail(key, "expected a string, got " + describe(*v));
  else
    out = v->get<std::string>();
  return *this;
}

JsonReader& JsonReader::choice(const char* key, std::string& out,
                               const std::vector<std::string>& allowed) {
  std::string value = out;
  string(key, value);
  if (!ok()) return *this;
  for (const std::string& a : allowed)
    if (a == value) {
      out = value;
      return *this;
    }
  std::string list;
  for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
  fail(key, "unknown value \"" + value + "\" (expected one of: " + list + ")");
  return *this;
}

JsonReader& JsonReader::numbers(const char* key, std::vector<double>& out, size_t minCount,
                                size_t maxCount) {
  const nlohmann::json* v = find(key);
  if (!v) return *this;
  if (!v->is_array()) {
    fail(key, "expected a list of numbers, got " + describe(*v));
    return *this;
  }
  if (v->size() < minCount || v->size() > maxCount) {
    fail(key, "expected " + std::to_string(minCount) + " to " + std::to_string(maxCount) +
                  " numbers, got " + std::to_string(v->size()));
    return *this;
  }
  std::vector<double> values;
  for (size_t i = 0; i < v->size(); ++i) {
    const nlohmann::json& item = (*v)[i];
    if (!item.is_number() || !std::isfinite(item.get<double>())) {
      fail(std::string(key) + "[" + std::to_string(i) + "]",
           "expected a finite number, got " + describe(item));
      return *this;
    }
    values.push_back(item.get<double>());
  }
  out = std::move(values);
  return *this;
}

} // namespace nnlab::app
