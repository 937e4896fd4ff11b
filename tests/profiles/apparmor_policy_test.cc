#include "csp/profiles/apparmor_policy.h"

#include <gtest/gtest.h>

namespace csp::profiles {
namespace {

TEST(AppArmorPolicyTest, FindsDeclaredNames) {
  EXPECT_EQ(DeclaredProfileNames("profile a flags=(complain) {\n  profile b {}\n}\n"
                                 "# profile commented {}\n"
                                 "profile \"with space\" {}\n"
                                 "profile c{}\n"
                                 "/usr/bin/x { }\n"),
            (std::vector<std::string>{"a", "b", "with space", "c"}));
  EXPECT_TRUE(DeclaredProfileNames("").empty());
}

TEST(AppArmorPolicyTest, ChecksTextAndName) {
  EXPECT_TRUE(CheckAppArmorPolicy("x", "profile x { file, }", "f"));
  Status nul = CheckAppArmorPolicy("x", std::string("profile x {\0}", 13), "f");
  ASSERT_FALSE(nul);
  EXPECT_EQ(nul.error().message, "f: must not contain NUL bytes");
  Status big =
      CheckAppArmorPolicy("x", "profile x {}" + std::string(kMaxAppArmorPolicyBytes, ' '), "f");
  ASSERT_FALSE(big);
  EXPECT_NE(big.error().message.find("at most 262144"), std::string::npos) << big.error().message;
  Status unnamed = CheckAppArmorPolicy("x", "/usr/bin/x { file, }", "f");
  ASSERT_FALSE(unnamed);
  EXPECT_NE(unnamed.error().message.find("(it declares no named profile)"), std::string::npos)
      << unnamed.error().message;
}

}  // namespace
}  // namespace csp::profiles
