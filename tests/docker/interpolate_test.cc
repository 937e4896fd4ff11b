#include "csp/docker/interpolate.h"

#include <gtest/gtest.h>

namespace csp::docker {
namespace {

std::optional<std::string> Env(std::string_view name) {
  if (name == "SET") return "value";
  if (name == "EMPTY") return "";
  return std::nullopt;
}

struct Case {
  const char* name;
  const char* text;
  const char* want;  // nullptr: an error, `error` is its message
  const char* error;
};

const Case kCases[] = {
    {"plain", "no variables", "no variables", nullptr},
    {"braces", "${SET}", "value", nullptr},
    {"bare", "a-$SET-b", "a-value-b", nullptr},
    {"dollar_dollar", "$$SET and $${SET}", "$SET and ${SET}", nullptr},
    {"colon_default_unset", "${UNSET:-d}", "d", nullptr},
    {"colon_default_empty", "${EMPTY:-d}", "d", nullptr},
    {"dash_default_empty", "${EMPTY-d}", "", nullptr},
    {"dash_default_unset", "${UNSET-d}", "d", nullptr},
    {"default_set", "${SET:-d}", "value", nullptr},
    {"nested_default", "${UNSET:-${SET}}", "value", nullptr},
    {"plus", "${SET:+alt} ${UNSET+alt}", "alt ", nullptr},
    {"empty_set_variable", "${EMPTY}", "", nullptr},
    {"lone_dollar", "cost $5 $", "cost $5 $", nullptr},
    {"unset", "image: ${UNSET}", nullptr, "variable \"UNSET\" is not set and has no default"},
    {"unset_bare", "$UNSET", nullptr, "variable \"UNSET\" is not set and has no default"},
    {"required", "${EMPTY:?give it}", nullptr, "variable \"EMPTY\" is required: give it"},
    {"required_dash_empty_ok", "${EMPTY?x}", "", nullptr},
    {"unterminated", "${SET", nullptr, "unterminated \"${\" in \"${SET\""},
    {"invalid", "${-x}", nullptr, "invalid interpolation \"${-x}\""},
};

class InterpolateTest : public ::testing::TestWithParam<Case> {};

TEST_P(InterpolateTest, FollowsTheComposeSpecification) {
  const Case& c = GetParam();
  auto got = Interpolate(c.text, Env);
  if (c.want == nullptr) {
    ASSERT_FALSE(got) << *got;
    EXPECT_EQ(got.error().message, c.error);
  } else {
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(*got, c.want);
  }
}

INSTANTIATE_TEST_SUITE_P(Forms, InterpolateTest, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(EnvFileTest, ReadsKeyValueLines) {
  auto values = ParseEnvFile("# c\n\nA=1\nexport B = \"two words\"\nC='x'\r\nD=\n");
  ASSERT_TRUE(values) << values.error().message;
  EXPECT_EQ(values->at("A"), "1");
  EXPECT_EQ(values->at("B"), "two words");
  EXPECT_EQ(values->at("C"), "x");
  EXPECT_EQ(values->at("D"), "");
  auto bad = ParseEnvFile("A=1\nnot a pair\n");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "line 2: expected KEY=VALUE");
}

}  // namespace
}  // namespace csp::docker
