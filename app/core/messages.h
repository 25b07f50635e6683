// messages.h: what the program tells the user (info, warning, error), shown in the status bar and
// the message log window, and echoed to stderr.
//
// One MessageLog is owned by the app and handed to labs through LabContext; there is no global.
// Tests can call throwOnError(true) so that an error message fails the test loudly.
#pragma once

#include <deque>
#include <stdexcept>
#include <string>

namespace nnlab::app {

enum class Severity { Info, Warning, Error };

struct Message {
  Severity severity = Severity::Info;
  std::string text;
  double time = 0.0; // seconds since the log was created
};

class MessageLog {
public:
  MessageLog();

  void info(std::string text) { add(Severity::Info, std::move(text)); }
  void warning(std::string text) { add(Severity::Warning, std::move(text)); }
  void error(std::string text) { add(Severity::Error, std::move(text)); }
  void add(Severity severity, std::string text);

  // Newest last; at most kCapacity kept.
  const std::deque<Message>& messages() const { return messages_; }
  const Message* latest() const { return messages_.empty() ? nullptr : &messages_.back(); }
  double now() const;

  void echoToStderr(bool on) { echo_ = on; }
  void throwOnError(bool on) { throwOnError_ = on; }

  static constexpr size_t kCapacity = 200;

private:
  std::deque<Message> messages_;
  double start_ = 0.0;
  bool echo_ = true;
  bool throwOnError_ = false;
};

const char* severityName(Severity s);

} // namespace nnlab::app
