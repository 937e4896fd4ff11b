// RequestHeadLength and ParseRequestHead: where a head ends, and which heads are malformed.
#include "csp/serve/http_request.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace csp::serve {
namespace {

struct LengthCase {
  const char* name;
  std::string buffer;
  std::optional<std::size_t> want;
};

class RequestHeadLengthTest : public ::testing::TestWithParam<LengthCase> {};

TEST_P(RequestHeadLengthTest, FindsTheEmptyLine) {
  EXPECT_EQ(RequestHeadLength(GetParam().buffer), GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(
    Buffers, RequestHeadLengthTest,
    ::testing::Values(LengthCase{"crlf", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 27},
                      LengthCase{"crlf_with_trailing_bytes", "GET / HTTP/1.1\r\n\r\nGET /x", 18},
                      LengthCase{"bare_lf", "GET / HTTP/1.1\nHost: a\n\n", 24},
                      LengthCase{"incomplete", "GET / HTTP/1.1\r\nHost: a\r\n", std::nullopt},
                      LengthCase{"partial_request_line", "GET /hea", std::nullopt},
                      LengthCase{"nothing", "", std::nullopt},
                      LengthCase{"only_leading_empty_lines", "\r\n\r\n", std::nullopt},
                      LengthCase{"leading_empty_lines_then_head", "\r\nGET / HTTP/1.1\r\n\r\n",
                                 20}),
    [](const auto& info) { return info.param.name; });

struct ValidCase {
  const char* name;
  std::string head;
  std::string method;
  std::string path;
  int minor_version;
};

class ValidRequestHeadTest : public ::testing::TestWithParam<ValidCase> {};

TEST_P(ValidRequestHeadTest, Parses) {
  const Result<RequestHead> request = ParseRequestHead(GetParam().head);
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->method, GetParam().method);
  EXPECT_EQ(request->path, GetParam().path);
  EXPECT_EQ(request->minor_version, GetParam().minor_version);
}

INSTANTIATE_TEST_SUITE_P(
    Heads, ValidRequestHeadTest,
    ::testing::Values(
        ValidCase{"get", "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", "GET", "/healthz", 1},
        ValidCase{"http10_no_headers", "HEAD /metrics HTTP/1.0\r\n\r\n", "HEAD", "/metrics", 0},
        ValidCase{"query_dropped", "GET /readyz?verbose=1 HTTP/1.1\r\n\r\n", "GET", "/readyz", 1},
        ValidCase{"fragment_dropped", "GET /a#b HTTP/1.1\r\n\r\n", "GET", "/a", 1},
        ValidCase{"bare_lf", "GET / HTTP/1.1\nAccept: */*\n\n", "GET", "/", 1},
        ValidCase{"leading_empty_line", "\r\nGET / HTTP/1.1\r\n\r\n", "GET", "/", 1},
        ValidCase{"other_method_is_still_wellformed", "DELETE /x HTTP/1.1\r\n\r\n", "DELETE", "/x",
                  1},
        ValidCase{"header_value_with_colons", "GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", "GET",
                  "/", 1}),
    [](const auto& info) { return info.param.name; });

struct InvalidCase {
  const char* name;
  std::string head;
  const char* reason;
};

class InvalidRequestHeadTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidRequestHeadTest, SaysWhatIsWrong) {
  const Result<RequestHead> request = ParseRequestHead(GetParam().head);
  ASSERT_FALSE(request);
  EXPECT_EQ(request.error().code, Code::kInvalidArgument);
  EXPECT_THAT(request.error().message, ::testing::HasSubstr(GetParam().reason));
}

INSTANTIATE_TEST_SUITE_P(
    Heads, InvalidRequestHeadTest,
    ::testing::Values(
        InvalidCase{"garbage", "GARBAGE\r\n\r\n", "no target"},
        InvalidCase{"empty", "\r\n\r\n", "empty request"},
        InvalidCase{"no_version", "GET /healthz\r\n\r\n", "no HTTP version"},
        InvalidCase{"http09_style", "GET /\r\n\r\n", "no HTTP version"},
        InvalidCase{"double_space", "GET  /healthz HTTP/1.1\r\n\r\n", "target must start"},
        InvalidCase{"relative_target", "GET healthz HTTP/1.1\r\n\r\n", "target must start"},
        InvalidCase{"absolute_form", "GET http://x/ HTTP/1.1\r\n\r\n", "target must start"},
        InvalidCase{"extra_word", "GET / HTTP/1.1 x\r\n\r\n", "version must be"},
        InvalidCase{"http2", "GET / HTTP/2.0\r\n\r\n", "version must be"},
        InvalidCase{"lowercase_version", "GET / http/1.1\r\n\r\n", "version must be"},
        InvalidCase{"method_with_slash", "GE/T / HTTP/1.1\r\n\r\n", "invalid method"},
        InvalidCase{"control_in_target", "GET /a\x01 HTTP/1.1\r\n\r\n", "invalid character"},
        InvalidCase{"header_without_colon", "GET / HTTP/1.1\r\nHost\r\n\r\n", "invalid header"},
        InvalidCase{"header_space_before_colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n",
                    "invalid header"},
        InvalidCase{"folded_header", "GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n", "folding"}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace csp::serve
