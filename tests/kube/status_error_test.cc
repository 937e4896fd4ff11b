#include "csp/kube/status_error.h"

#include <gtest/gtest.h>

namespace csp::kube {
namespace {

std::string StatusBody(int code, const std::string& reason, const std::string& message) {
  return nlohmann::json{{"kind", "Status"},   {"apiVersion", "v1"}, {"status", "Failure"},
                        {"message", message}, {"reason", reason},   {"code", code}}
      .dump();
}

struct Case {
  const char* name = "";
  int http = 0;
  std::string reason = {};
  Code want = Code::kOk;
};

// Names the case in test output instead of dumping its bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

const Case kCases[] = {
    {"bad_request", 400, "BadRequest", Code::kInvalidArgument},
    {"unauthorized", 401, "Unauthorized", Code::kUnauthenticated},
    {"forbidden", 403, "Forbidden", Code::kPermissionDenied},
    {"not_found", 404, "NotFound", Code::kNotFound},
    {"method_not_allowed", 405, "MethodNotAllowed", Code::kInvalidArgument},
    {"conflict", 409, "Conflict", Code::kAborted},
    {"already_exists", 409, "AlreadyExists", Code::kAlreadyExists},
    {"gone", 410, "Gone", Code::kFailedPrecondition},
    {"expired", 410, "Expired", Code::kFailedPrecondition},
    {"precondition_failed", 412, "", Code::kAborted},
    {"too_large", 413, "RequestEntityTooLarge", Code::kInvalidArgument},
    {"unsupported_media", 415, "UnsupportedMediaType", Code::kInvalidArgument},
    {"invalid", 422, "Invalid", Code::kInvalidArgument},
    {"too_many_requests", 429, "TooManyRequests", Code::kUnavailable},
    {"internal", 500, "InternalError", Code::kUnavailable},
    {"bad_gateway", 502, "", Code::kUnavailable},
    {"unavailable", 503, "ServiceUnavailable", Code::kUnavailable},
    {"timeout", 504, "Timeout", Code::kUnavailable},
    {"redirect", 302, "", Code::kInternal},
};

class StatusErrorTest : public ::testing::TestWithParam<Case> {};

TEST_P(StatusErrorTest, MapsHttpStatusAndReason) {
  const Case& c = GetParam();
  const Error e =
      ErrorFromResponse(c.http, StatusBody(c.http, c.reason, "the message"), "GET /api/v1/x");
  EXPECT_EQ(e.code, c.want) << e.message;
  EXPECT_EQ(e.message, "GET /api/v1/x: " + std::to_string(c.http) +
                           (c.reason.empty() ? "" : " " + c.reason) + ": the message");
  EXPECT_EQ(IsGone(e), c.http == 410);
}

TEST_P(StatusErrorTest, MapsAStreamedStatusByItsCode) {
  const Case& c = GetParam();
  const Error e =
      ErrorFromStatus(nlohmann::json::parse(StatusBody(c.http, c.reason, "m")), "WATCH");
  EXPECT_EQ(e.code, c.want) << e.message;
}

INSTANTIATE_TEST_SUITE_P(Cases, StatusErrorTest, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(StatusErrorTest, InvalidKeepsTheServersExplanation) {
  const Error e = ErrorFromResponse(
      422,
      StatusBody(422, "Invalid",
                 "ConfigMap \"x\" is invalid: metadata.name: Invalid value: \"X\": a lowercase "
                 "RFC 1123 subdomain must consist of ..."),
      "POST /api/v1/namespaces/a/configmaps");
  EXPECT_EQ(e.code, Code::kInvalidArgument);
  EXPECT_NE(e.message.find("metadata.name: Invalid value"), std::string::npos) << e.message;
}

TEST(StatusErrorTest, NonStatusBodyIsQuotedAndShortened) {
  const std::string body = "<html>" + std::string(500, 'x') + "</html>";
  const Error e = ErrorFromResponse(502, body, "GET /x");
  EXPECT_EQ(e.code, Code::kUnavailable);
  EXPECT_NE(e.message.find("GET /x: 502: <html>xxx"), std::string::npos) << e.message;
  EXPECT_LT(e.message.size(), 300u);
}

TEST(StatusErrorTest, StreamedStatusWithoutCodeIsInternal) {
  const Error e = ErrorFromStatus(nlohmann::json{{"kind", "Status"}, {"message", "?"}}, "WATCH");
  EXPECT_EQ(e.code, Code::kInternal);
  EXPECT_FALSE(IsGone(e));
}

}  // namespace
}  // namespace csp::kube
