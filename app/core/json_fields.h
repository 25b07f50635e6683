// json_fields.h: reading a lab's state out of a scene file, field by field, with errors that name
// the field ("state.alpha: expected a number in [0, 1], got \"big\"").
//
// Each reader leaves `out` untouched on error, so a lab can read into a copy of its state and
// commit the copy only when every field read cleanly: a bad file never half-changes a lab.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nnlab/status.h"

namespace nnlab::app {

// Path prefix for messages: "state" then "state.kernel" then "state.kernel[2]".
class JsonReader {
public:
  JsonReader(const nlohmann::json& object, std::string path) : object_(object), path_(std::move(path)) {}

  // Missing optional fields keep their current value; a present field of the wrong type or out of
  // range is an error. The first error is kept; later reads are skipped.
  JsonReader& number(const char* key, double& out, double min, double max);
  JsonReader& number(const char* key, float& out, double min, double max);
  JsonReader& integer(const char* key, int& out, int min, int max);
  JsonReader& boolean(const char* key, bool& out);
  JsonReader& string(const char* key, std::string& out);
  // One of the listed choices (enum ids).
  JsonReader& choice(const char* key, std::string& out, const std::vector<std::string>& allowed);
  JsonReader& numbers(const char* key, std::vector<double>& out, size_t minCount, size_t maxCount);

  // Records an error found by the lab's own checks, at this reader's path.
  void fail(const std::string& key, const std::string& what);

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  std::string fieldPath(const std::string& key) const { return path_ + "." + key; }

private:
  const nlohmann::json* find(const char* key);
  std::string describe(const nlohmann::json& value) const;

  const nlohmann::json& object_;
  std::string path_;
  Status status_;
};

} // namespace nnlab::app
