// ParseListenAddress: the accepted forms, and errors that name the address.
#include "csp/serve/listen_address.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace csp::serve {
namespace {

struct ValidCase {
  const char* name;
  const char* address;
  std::string host;
  std::uint16_t port;
};

class ValidListenAddressTest : public ::testing::TestWithParam<ValidCase> {};

TEST_P(ValidListenAddressTest, Parses) {
  const Result<ListenAddress> parsed = ParseListenAddress(GetParam().address);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->host, GetParam().host);
  EXPECT_EQ(parsed->port, GetParam().port);
}

INSTANTIATE_TEST_SUITE_P(Forms, ValidListenAddressTest,
                         ::testing::Values(ValidCase{"all_interfaces", ":8080", "", 8080},
                                           ValidCase{"ipv4", "127.0.0.1:9090", "127.0.0.1", 9090},
                                           ValidCase{"name", "localhost:1", "localhost", 1},
                                           ValidCase{"ipv6", "[::1]:443", "::1", 443},
                                           ValidCase{"ipv6_any", "[::]:0", "::", 0},
                                           ValidCase{"port_zero", ":0", "", 0},
                                           ValidCase{"port_max", ":65535", "", 65535}),
                         [](const auto& info) { return info.param.name; });

struct InvalidCase {
  const char* name;
  const char* address;
  const char* reason;
};

class InvalidListenAddressTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidListenAddressTest, NamesTheAddressAndTheReason) {
  const Result<ListenAddress> parsed = ParseListenAddress(GetParam().address);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, Code::kInvalidArgument);
  EXPECT_THAT(parsed.error().message,
              ::testing::HasSubstr("\"" + std::string(GetParam().address) + "\""));
  EXPECT_THAT(parsed.error().message, ::testing::HasSubstr(GetParam().reason));
}

INSTANTIATE_TEST_SUITE_P(
    Forms, InvalidListenAddressTest,
    ::testing::Values(InvalidCase{"empty", "", "empty"},
                      InvalidCase{"no_colon", "localhost", "missing port"},
                      InvalidCase{"no_port", "127.0.0.1:", "missing port"},
                      InvalidCase{"port_not_number", ":http", "port must be a number"},
                      InvalidCase{"port_sign", ":+80", "port must be a number"},
                      InvalidCase{"port_trailing", ":80x", "port must be a number"},
                      InvalidCase{"port_too_big", ":65536", "port must be a number"},
                      InvalidCase{"unbracketed_ipv6", "::1:80", "must be in brackets"},
                      InvalidCase{"unclosed_bracket", "[::1:80", "missing ']'"},
                      InvalidCase{"empty_brackets", "[]:80", "empty host"},
                      InvalidCase{"bracket_no_port", "[::1]", "missing port"},
                      InvalidCase{"bracket_junk", "[::1]x80", "missing port"}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace csp::serve
