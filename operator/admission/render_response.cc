#include <nlohmann/json.hpp>

#include "csp/admission/response.h"

namespace csp::admission {
namespace {

// metav1.StatusReason of the codes a Verdict carries.
std::string_view ReasonOf(int code) {
  switch (code) {
    case 400:
      return "BadRequest";
    case 403:
      return "Forbidden";
    default:
      return "";
  }
}

}  // namespace

std::string RenderResponse(std::string_view uid, const Verdict& verdict) {
  using json = nlohmann::json;
  json response = {{"uid", uid}, {"allowed", verdict.allowed}};
  if (!verdict.allowed) {
    json status = {{"code", verdict.code}, {"message", verdict.message}};
    if (std::string_view reason = ReasonOf(verdict.code); !reason.empty()) {
      status["reason"] = reason;
    }
    response["status"] = std::move(status);
  }
  if (!verdict.warnings.empty()) response["warnings"] = verdict.warnings;
  const json review = {
      {"apiVersion", kReviewApiVersion}, {"kind", kReviewKind}, {"response", std::move(response)}};
  return review.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace csp::admission
