#include "csp/registry/url.h"

#include <gtest/gtest.h>

namespace csp::registry {
namespace {

TEST(UrlTest, ParsesAbsoluteUrls) {
  auto got = ParseUrl("HTTPS://Auth.Example:8443/token?x=1#frag");
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->tls);
  EXPECT_EQ(got->host, "auth.example:8443");
  EXPECT_EQ(got->target, "/token?x=1");
  EXPECT_EQ(ParseUrl("http://h?q")->target, "/?q");
  EXPECT_EQ(ParseUrl("http://h")->target, "/");
}

TEST(UrlTest, RefusesOtherSchemesUserInfoAndControls) {
  for (const char* bad : {"ftp://h/x", "/relative", "https:///x", "https://u:p@h/x",
                          "https://h/a b", "https://h/a\r\nX: y"}) {
    EXPECT_FALSE(ParseUrl(bad)) << bad;
  }
}

TEST(UrlTest, ResolvesLocations) {
  const Url base{.tls = true, .host = "r.io", .target = "/v2/app/blobs/sha256:1?x=y"};
  EXPECT_EQ(ResolveLocation(base, "https://s3.io/b?sig=1")->ToString(), "https://s3.io/b?sig=1");
  EXPECT_EQ(ResolveLocation(base, "//cdn.io/b")->ToString(), "https://cdn.io/b");
  EXPECT_EQ(ResolveLocation(base, "/other")->ToString(), "https://r.io/other");
  EXPECT_EQ(ResolveLocation(base, "next")->ToString(), "https://r.io/v2/app/blobs/next");
}

TEST(UrlTest, EncodesQueryValues) {
  EXPECT_EQ(EncodeQueryValue("repository:a/b:pull"), "repository%3Aa%2Fb%3Apull");
  EXPECT_EQ(EncodeQueryValue("a-b.c_d~"), "a-b.c_d~");
}

}  // namespace
}  // namespace csp::registry
