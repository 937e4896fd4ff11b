// SerializeResponse: exact bytes, HEAD framing, extra headers.
#include "csp/serve/http_response.h"

#include <gtest/gtest.h>

namespace csp::serve {
namespace {

TEST(SerializeResponseTest, WritesStatusLineHeadersAndBody) {
  EXPECT_EQ(SerializeResponse({.status = 200, .body = "ok\n"}, true),
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: 3\r\n"
            "Connection: close\r\n"
            "\r\n"
            "ok\n");
}

TEST(SerializeResponseTest, WithoutBodyKeepsTheBodysContentLength) {
  EXPECT_EQ(
      SerializeResponse({.status = 503, .content_type = "application/json", .body = "{}"}, false),
      "HTTP/1.1 503 Service Unavailable\r\n"
      "Content-Type: application/json\r\n"
      "Content-Length: 2\r\n"
      "Connection: close\r\n"
      "\r\n");
}

TEST(SerializeResponseTest, AppendsExtraHeadersBeforeTheEmptyLine) {
  EXPECT_EQ(SerializeResponse({.status = 405, .body = ""}, true, "Allow: GET, HEAD\r\n"),
            "HTTP/1.1 405 Method Not Allowed\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: 0\r\n"
            "Connection: close\r\n"
            "Allow: GET, HEAD\r\n"
            "\r\n");
}

TEST(ReasonPhraseTest, KnownAndUnknownCodes) {
  EXPECT_EQ(ReasonPhrase(404), "Not Found");
  EXPECT_EQ(ReasonPhrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(ReasonPhrase(299), "");
}

}  // namespace
}  // namespace csp::serve
