// RespondTo: routing, methods, malformed heads and failing handlers, without sockets.
#include "csp/serve/http_router.h"

#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>
#include <string>

#include "parsed_response.h"

namespace csp::serve {
namespace {

using testing::ParsedResponse;
using testing::ParseResponse;

Routes TestRoutes() {
  return {
      {"/healthz", [] { return Response{.body = "ok\n"}; }},
      {"/metrics", [] { return Response{.content_type = "text/x", .body = "m 1\n"}; }},
      {"/busy", [] { return Response{.status = 503, .body = "not ready\n"}; }},
      {"/throws", []() -> Response { throw std::runtime_error("secret detail"); }},
      {"/throws_int", []() -> Response { throw 7; }},
      {"/bad_status", [] { return Response{.status = 99}; }},
      {"/no_content", [] { return Response{.status = 204}; }},
      {"/injects", [] { return Response{.content_type = "text/plain\r\nX-Evil: 1"}; }},
      {"/empty_handler", Handler()},
  };
}

struct Case {
  const char* name;
  std::string head;
  int status;
  std::string body;
  std::optional<std::string> allow = std::nullopt;
  std::optional<std::string> content_type = std::nullopt;  // checked when set
};

class RespondToTest : public ::testing::TestWithParam<Case> {};

TEST_P(RespondToTest, Responds) {
  const std::string raw = RespondTo(TestRoutes(), GetParam().head);
  const std::optional<ParsedResponse> response = ParseResponse(raw);
  ASSERT_TRUE(response) << raw;
  EXPECT_EQ(response->status, GetParam().status) << raw;
  EXPECT_EQ(response->body, GetParam().body);
  EXPECT_EQ(response->Header("Allow"), GetParam().allow);
  EXPECT_EQ(response->Header("Connection"), "close");
  if (GetParam().content_type) {
    EXPECT_EQ(response->Header("Content-Type"), GetParam().content_type);
  }
  const std::optional<std::string> length = response->Header("Content-Length");
  ASSERT_TRUE(length);
  if (GetParam().head.rfind("HEAD ", 0) != 0) {
    EXPECT_EQ(*length, std::to_string(response->body.size()));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Requests, RespondToTest,
    ::testing::Values(
        Case{"get", "GET /healthz HTTP/1.1\r\n\r\n", 200, "ok\n", std::nullopt,
             "text/plain; charset=utf-8"},
        Case{"content_type_from_handler", "GET /metrics HTTP/1.1\r\n\r\n", 200, "m 1\n",
             std::nullopt, "text/x"},
        Case{"handler_status", "GET /busy HTTP/1.0\r\n\r\n", 503, "not ready\n"},
        Case{"query_ignored", "GET /healthz?x=1 HTTP/1.1\r\n\r\n", 200, "ok\n"},
        Case{"head_has_no_body", "HEAD /healthz HTTP/1.1\r\n\r\n", 200, ""},
        Case{"unknown_path", "GET /nope HTTP/1.1\r\n\r\n", 404, "not found\n"},
        Case{"prefix_is_not_a_match", "GET /healthz/x HTTP/1.1\r\n\r\n", 404, "not found\n"},
        Case{"head_unknown_path", "HEAD /nope HTTP/1.1\r\n\r\n", 404, ""},
        Case{"post", "POST /healthz HTTP/1.1\r\n\r\n", 405, "method not allowed\n", "GET, HEAD"},
        Case{"put_unknown_path", "PUT /nope HTTP/1.1\r\n\r\n", 405, "method not allowed\n",
             "GET, HEAD"},
        Case{"lowercase_get", "get /healthz HTTP/1.1\r\n\r\n", 405, "method not allowed\n",
             "GET, HEAD"},
        Case{"malformed", "GARBAGE\r\n\r\n", 400,
             "malformed request: request line has no target\n"},
        Case{"throws", "GET /throws HTTP/1.1\r\n\r\n", 500, "internal server error\n"},
        Case{"throws_non_exception", "GET /throws_int HTTP/1.1\r\n\r\n", 500,
             "internal server error\n"},
        Case{"empty_handler", "GET /empty_handler HTTP/1.1\r\n\r\n", 500,
             "internal server error\n"},
        Case{"invalid_status", "GET /bad_status HTTP/1.1\r\n\r\n", 500,
             "handler returned an invalid response\n"},
        Case{"no_content_cannot_be_framed", "GET /no_content HTTP/1.1\r\n\r\n", 500,
             "handler returned an invalid response\n"},
        Case{"header_injection", "GET /injects HTTP/1.1\r\n\r\n", 500,
             "handler returned an invalid response\n"}),
    [](const auto& info) { return info.param.name; });

TEST(RespondToHeadTest, HeadAnnouncesTheGetBodyLength) {
  const auto get = ParseResponse(RespondTo(TestRoutes(), "GET /metrics HTTP/1.1\r\n\r\n"));
  const auto head = ParseResponse(RespondTo(TestRoutes(), "HEAD /metrics HTTP/1.1\r\n\r\n"));
  ASSERT_TRUE(get && head);
  EXPECT_EQ(head->Header("Content-Length"), get->Header("Content-Length"));
  EXPECT_EQ(head->Header("Content-Length"), "4");
  EXPECT_EQ(head->body, "");
}

}  // namespace
}  // namespace csp::serve
