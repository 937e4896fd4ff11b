#include "csp/profiles/profile_name.h"

#include <gtest/gtest.h>

#include <string>

namespace csp::profiles {
namespace {

struct Case {
  const char* label;
  std::string name;
  const char* error;  // substring of the message; nullptr: accepted
};

const Case kCases[] = {
    {"plain", "csp-default", nullptr},
    {"dns_subdomain", "team.a-profile.v2", nullptr},
    {"underscore_and_caps", "My_Profile", nullptr},
    {"longest", std::string(250, 'a'), nullptr},
    {"empty", "", "must not be empty"},
    {"dot_dot", "..", "must not contain \"..\""},
    {"dot_dot_inside", "a..b", "must not contain \"..\""},
    {"slash", "a/b", "must not contain '/'"},
    {"escape", "../../etc/passwd", "must not contain '/'"},
    {"absolute", "/etc/shadow", "must not contain '/'"},
    {"nul", std::string("a\0b", 3), "must not contain NUL"},
    {"hidden", ".csp-tmp-123", "must not start with '.'"},
    {"dot", ".", "must not start with '.'"},
    {"newline", "a\nb", "whitespace or control"},
    {"space", "a b", "whitespace or control"},
    {"too_long", std::string(251, 'a'), "at most 250"},
};

class ProfileNameTest : public testing::TestWithParam<Case> {};

TEST_P(ProfileNameTest, Validates) {
  const Case& c = GetParam();
  Status status = ValidateProfileName(c.name);
  if (c.error == nullptr) {
    EXPECT_TRUE(status) << status.error().message;
  } else {
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error().code, Code::kInvalidArgument);
    EXPECT_NE(status.error().message.find(c.error), std::string::npos) << status.error().message;
    EXPECT_TRUE(status.error().message.starts_with("profile name \"")) << status.error().message;
  }
}

INSTANTIATE_TEST_SUITE_P(Names, ProfileNameTest, testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.label); });

TEST(ProfileNameTest, NulIsShownEscaped) {
  Status status = ValidateProfileName(std::string("a\0b", 3));
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find("\"a\\u0000b\""), std::string::npos)
      << status.error().message;
}

}  // namespace
}  // namespace csp::profiles
