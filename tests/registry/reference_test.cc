#include "csp/registry/reference.h"

#include <gtest/gtest.h>

namespace csp::registry {
namespace {

struct Case {
  const char* name;
  const char* image;
  Reference want;
};

const std::string kDigest = "sha256:" + std::string(64, 'a');

const Case kCases[] = {
    {"hub_short", "nginx", {"docker.io", "registry-1.docker.io", "library/nginx", "latest", ""}},
    {"hub_user_tag",
     "bitnami/redis:7",
     {"docker.io", "registry-1.docker.io", "bitnami/redis", "7", ""}},
    {"port", "127.0.0.1:5000/app:v1", {"127.0.0.1:5000", "127.0.0.1:5000", "app", "v1", ""}},
    {"ghcr_digest",
     "ghcr.io/acme/app@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     {"ghcr.io", "ghcr.io", "acme/app", "", "sha256:" + std::string(64, 'a')}},
};

class ReferenceTest : public ::testing::TestWithParam<Case> {};

TEST_P(ReferenceTest, Parses) {
  auto got = ParseReference(GetParam().image);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->host, GetParam().want.host);
  EXPECT_EQ(got->api_host, GetParam().want.api_host);
  EXPECT_EQ(got->repository, GetParam().want.repository);
  EXPECT_EQ(got->tag, GetParam().want.tag);
  EXPECT_EQ(got->digest, GetParam().want.digest);
}

INSTANTIATE_TEST_SUITE_P(Images, ReferenceTest, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ReferenceTest, ManifestReferencePrefersTheDigest) {
  auto got = ParseReference("app:v1@" + kDigest);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->ManifestReference(), kDigest);
}

TEST(ReferenceTest, RefusesWhatCannotBeARequestTarget) {
  for (const char* image :
       {"", "Upper/app", "app:v1 2", "app@sha256:XYZ", "app@nocolon", "host/a//b", "app:-bad"}) {
    EXPECT_FALSE(ParseReference(image)) << image;
  }
}

}  // namespace
}  // namespace csp::registry
