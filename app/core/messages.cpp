#include "core/messages.h"

#include <chrono>
#include <cstdio>

namespace nnlab::app {

namespace {
double secondsSinceEpoch() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}
} // namespace

MessageLog::MessageLog() : start_(secondsSinceEpoch()) {}

double MessageLog::now() const { return secondsSinceEpoch() - start_; }

void MessageLog::add(Severity severity, std::string text) {
  if (echo_) std::fprintf(stderr, "nnlab: %s: %s\n", severityName(severity), text.c_str());
  if (severity == Severity::Error && throwOnError_) throw std::runtime_error(text);
  messages_.push_back({severity, std::move(text), now()});
  if (messages_.size() > kCapacity) messages_.pop_front();
}

const char* severityName(Severity s) {
  switch (s) {
  case Severity::Info: return "info";
  case Severity::Warning: return "warning";
  case Severity::Error: return "error";
  }
  return "?";
}

} // namespace nnlab::app
