#include "csp/registry/challenge.h"

#include <gtest/gtest.h>

namespace csp::registry {
namespace {

TEST(ChallengeTest, ReadsBearerParameters) {
  auto got =
      ParseChallenge(R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",)"
                     R"(scope="repository:library/nginx:pull",error="insufficient_scope")");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->scheme, "bearer");
  EXPECT_EQ(got->Param("realm"), "https://auth.docker.io/token");
  EXPECT_EQ(got->Param("service"), "registry.docker.io");
  EXPECT_EQ(got->Param("scope"), "repository:library/nginx:pull");
}

TEST(ChallengeTest, ReadsBasicTokensAndEscapes) {
  auto got = ParseChallenge(R"(basic Realm=plain , charset="UTF\"8")");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->scheme, "basic");
  EXPECT_EQ(got->Param("realm"), "plain");
  EXPECT_EQ(got->Param("charset"), "UTF\"8");
}

TEST(ChallengeTest, StopsAtASecondScheme) {
  auto got = ParseChallenge(R"(Bearer realm="a", Basic realm="b")");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->Param("realm"), "a");
}

TEST(ChallengeTest, RefusesMalformedHeaders) {
  EXPECT_FALSE(ParseChallenge(""));
  EXPECT_FALSE(ParseChallenge(R"(Bearer realm="unterminated)"));
  EXPECT_FALSE(ParseChallenge("Bearer =x"));
}

}  // namespace
}  // namespace csp::registry
