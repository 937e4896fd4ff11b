// Result<T>: a value or an Error, with std::expected's member names so that moving to C++23
// is a one-line change. Nothing in the project throws across a library boundary.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace csp {

// Codes keep abseil's meanings; the reconcile loop decides retries from them.
enum class Code {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kAborted,
  kFailedPrecondition,
  kResourceExhausted,
  kUnavailable,
  kInternal,
  kPermissionDenied,
  kUnauthenticated,
};

struct Error {
  Code code = Code::kInternal;
  std::string message = {};
};

inline Error InvalidArgument(std::string message) {
  return {Code::kInvalidArgument, std::move(message)};
}
inline Error Internal(std::string message) { return {Code::kInternal, std::move(message)}; }

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_ = {};
  bool ok_ = true;
};

}  // namespace csp

#define CSP_CONCAT_INNER(a, b) a##b
#define CSP_CONCAT(a, b) CSP_CONCAT_INNER(a, b)
// CSP_TRY(T x, Expr()): evaluates Expr (a Result), returns its Error early, else binds x.
#define CSP_TRY(decl, expr) CSP_TRY_IMPL(CSP_CONCAT(csp_try_, __LINE__), decl, expr)
#define CSP_TRY_IMPL(tmp, decl, expr) \
  auto tmp = (expr);                  \
  if (!tmp) return tmp.error();       \
  decl = std::move(*tmp)
