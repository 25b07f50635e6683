// status.h: how the engine reports a user's bad input.
//
// A bug is an assertion. A user's bad input (a stride of 0, a kernel larger than its padded input,
// a ragged JSON list, an expression that does not parse) is a returned value that says what is
// wrong and where, so the UI can show it in words and keep the user's state. Nothing here throws.
//
//   Result<Shape> r = conv2dOutputShape(...);
//   if (!r) showError(r.error().message());   // "stride: must be at least 1 (got 0)"
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace nnlab {

struct Error {
  std::string where; // the input or quantity at fault, in the user's words: "stride", "--kernel"
  std::string what;  // what is wrong with it: "must be at least 1 (got 0)"

  // "where: what", or just "what" when there is no single place to blame.
  std::string message() const { return where.empty() ? what : where + ": " + what; }
};

// A value or an Error. Deliberately small: ok(), value(), error(), operator bool.
template <class T>
class [[nodiscard]] Result {
public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  const T& value() const& {
    assert(ok() && "Result::value() on an error");
    return std::get<0>(state_);
  }
  T& value() & {
    assert(ok() && "Result::value() on an error");
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok() && "Result::value() on an error");
    return std::get<0>(std::move(state_));
  }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const {
    assert(!ok() && "Result::error() on a value");
    return std::get<1>(state_);
  }

private:
  std::variant<T, Error> state_;
};

// Result of an operation that returns nothing but may fail.
class [[nodiscard]] Status {
public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}
  static Status success() { return {}; }

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_ && "Status::error() on success");
    return error_;
  }

private:
  Error error_;
  bool ok_ = true;
};

} // namespace nnlab
