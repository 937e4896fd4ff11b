#include "csp/kube/status_error.h"

#include <string>

namespace csp::kube {
namespace {

Code CodeFor(int http_status, std::string_view reason) {
  switch (http_status) {
    case 401:
      return Code::kUnauthenticated;
    case 403:
      return Code::kPermissionDenied;
    case 404:
      return Code::kNotFound;
    case 409:
      return reason == "AlreadyExists" ? Code::kAlreadyExists : Code::kAborted;
    case 410:
      return Code::kFailedPrecondition;  // IsGone
    case 412:
      return Code::kAborted;
    case 429:
      return Code::kUnavailable;
    default:
      break;
  }
  if (http_status >= 500 && http_status <= 599) return Code::kUnavailable;
  if (http_status >= 400 && http_status <= 499) return Code::kInvalidArgument;
  return Code::kInternal;
}

std::string StringOr(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Error Build(int http_status, const std::string& reason, const std::string& detail,
            std::string_view context) {
  std::string message(context);
  message += ": " + std::to_string(http_status);
  if (!reason.empty()) message += " " + reason;
  if (!detail.empty()) message += ": " + detail;
  return {CodeFor(http_status, reason), std::move(message)};
}

}  // namespace

Error ErrorFromStatus(const nlohmann::json& status, std::string_view context) {
  if (!status.is_object()) return Internal(std::string(context) + ": malformed Status object");
  const auto code = status.find("code");
  const int http_status = code != status.end() && code->is_number_integer() ? code->get<int>() : 0;
  return Build(http_status, StringOr(status, "reason"), StringOr(status, "message"), context);
}

Error ErrorFromResponse(int http_status, std::string_view body, std::string_view context) {
  const nlohmann::json status = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (status.is_object() && StringOr(status, "kind") == "Status") {
    // The HTTP status is authoritative; the body's code only fills in what it says.
    return Build(http_status, StringOr(status, "reason"), StringOr(status, "message"), context);
  }
  // Not a Status (a proxy, a panic page): quote the start of the body.
  constexpr std::size_t kQuote = 200;
  std::string detail(body.substr(0, kQuote));
  if (body.size() > kQuote) detail += "...";
  return Build(http_status, "", detail, context);
}

}  // namespace csp::kube
