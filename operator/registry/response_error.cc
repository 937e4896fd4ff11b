#include "response_error.h"

#include <boost/beast/http/status.hpp>
#include <nlohmann/json.hpp>

namespace csp::registry {
namespace {

// {"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]} -> "MANIFEST_UNKNOWN:
// manifest unknown"; empty for any other body.
std::string RegistryErrorSummary(std::string_view body) {
  if (body.size() > 64 * 1024) return {};
  const nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_object()) return {};
  auto errors = doc.find("errors");
  if (errors == doc.end() || !errors->is_array() || errors->empty()) return {};
  const nlohmann::json& first = errors->front();
  if (!first.is_object()) return {};
  std::string summary = first.value("code", "");
  const std::string message = first.value("message", "");
  if (!message.empty()) summary += (summary.empty() ? "" : ": ") + message;
  return summary;
}

Code CodeFor(int status) {
  if (status == 404) return Code::kNotFound;
  if (status == 401) return Code::kUnauthenticated;
  if (status == 403) return Code::kPermissionDenied;
  if (status == 429 || (status >= 500 && status <= 599)) return Code::kUnavailable;
  return Code::kFailedPrecondition;
}

}  // namespace

std::string Printable(std::string_view text, std::size_t max) {
  std::string out;
  for (char c : text.substr(0, max)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u >= 0x7f) ? '?' : c;
  }
  if (text.size() > max) out += "...";
  return out;
}

std::string StatusText(int status) {
  const auto reason = boost::beast::http::obsolete_reason(
      static_cast<boost::beast::http::status>(static_cast<unsigned>(status)));
  return std::to_string(status) + " " + std::string(reason.data(), reason.size());
}

Error ResponseError(std::string_view host, std::string_view what,
                    const kube::HttpResponse& response) {
  std::string message = "registry " + std::string(host) + ": " + StatusText(response.status) +
                        " for " + std::string(what);
  if (const std::string summary = RegistryErrorSummary(response.body); !summary.empty()) {
    message += " (" + Printable(summary) + ")";
  }
  return Error{CodeFor(response.status), std::move(message)};
}

}  // namespace csp::registry
