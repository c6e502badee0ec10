// status and result: the recoverable-error vocabulary every zwerm module shares.
//
// A status is ok or carries a code and a sentence a person can read. result<T> holds either a
// value or a non-ok status (result<T, E>: or a module's richer error E). Both are [[nodiscard]]: an
// ignored error is a compile error. Use exceptions only for fatal conditions (see
// docs/ARCHITECTURE.md, "Errors in three tiers").
#pragma once

#include <concepts>
#include <string>
#include <utility>
#include <variant>

namespace zwerm {

enum class status_code {
  ok = 0,
  invalid_argument,  // the caller's input is malformed
  not_found,
  already_exists,
  permission_denied,  // e.g. a key file that others can read
  corruption,         // stored data does not make sense
  io_error,           // the operating system or disk refused
  busy,               // a resource is held by someone else (a second daemon on one home)
  unsupported,        // a newer format than this build understands
  rejected,           // a peer's or member's input broke a protocol rule
};

class [[nodiscard]] status {
 public:
  status() = default;
  status(status_code code, std::string message) : code_(code), message_(std::move(message)) {}

  static status ok_status() { return {}; }

  bool ok() const { return code_ == status_code::ok; }
  explicit operator bool() const { return ok(); }
  status_code code() const { return code_; }
  // The sentence for people; empty when ok.
  const std::string& message() const { return message_; }

 private:
  status_code code_ = status_code::ok;
  std::string message_;
};

// A value, or the error that explains why there is none. E is a status (the default) or a
// richer error type of one module (node/records' `rejection`, through record_result<T>), which
// must offer to_status().
template <class T, class E = status>
class [[nodiscard]] result {
 public:
  result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  result(E e) : v_(std::move(e)) {}          // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // The error: for a status, an ok status when a value is held; any other E only when !ok().
  status error() const requires std::same_as<E, status> {
    return ok() ? status{} : std::get<1>(v_);
  }
  const E& error() const requires(!std::same_as<E, status>) { return std::get<1>(v_); }
  // For an error type with a `reason` field (node/records' rejection): the reason; !ok() only.
  auto reason() const requires requires(const E& e) { e.reason; }
  { return std::get<1>(v_).reason; }
  // The error as a status (ok when a value is held).
  status to_status() const {
    if (ok()) return {};
    if constexpr (std::same_as<E, status>) {
      return std::get<1>(v_);
    } else {
      return std::get<1>(v_).to_status();
    }
  }

 private:
  std::variant<T, E> v_;
};

}  // namespace zwerm
