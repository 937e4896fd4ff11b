#include "csp/registry/credentials.h"

#include <gtest/gtest.h>

#include "csp/kube/base64.h"

namespace csp::registry {
namespace {

TEST(NormalizeRegistryHostTest, DropsSchemePathAndHubAliases) {
  EXPECT_EQ(NormalizeRegistryHost("https://index.docker.io/v1/"), "docker.io");
  EXPECT_EQ(NormalizeRegistryHost("registry-1.docker.io"), "docker.io");
  EXPECT_EQ(NormalizeRegistryHost("HTTP://Registry.Local:5000/v2"), "registry.local:5000");
  EXPECT_EQ(NormalizeRegistryHost("ghcr.io"), "ghcr.io");
}

TEST(KeychainTest, ReadsConfigJsonAuthsInEveryForm) {
  Keychain keychain;
  const std::string auth = kube::EncodeBase64("alice:s3cret:with:colons");
  ASSERT_TRUE(keychain.Add(R"({"auths":{
      "https://index.docker.io/v1/":{"auth":")" +
                           auth + R"("},
      "ghcr.io":{"username":"bob","password":"pw"},
      "quay.io":{"identitytoken":"refresh"}},
    "credsStore":"desktop"})"));
  auto hub = keychain.Find("docker.io");
  ASSERT_TRUE(hub);
  EXPECT_EQ(hub->username, "alice");
  EXPECT_EQ(hub->password, "s3cret:with:colons");
  auto ghcr = keychain.Find("ghcr.io");
  ASSERT_TRUE(ghcr);
  EXPECT_EQ(ghcr->username, "bob");
  EXPECT_EQ(ghcr->password, "pw");
  auto quay = keychain.Find("https://quay.io");
  ASSERT_TRUE(quay);
  EXPECT_EQ(quay->identity_token, "refresh");
  EXPECT_FALSE(keychain.Find("desktop"));
  EXPECT_FALSE(keychain.Find("gcr.io"));
}

TEST(KeychainTest, ReadsLegacyDockercfg) {
  Keychain keychain;
  ASSERT_TRUE(keychain.Add(R"({"registry.local:5000":{"auth":")" + kube::EncodeBase64("u:p") +
                           R"(","email":"x@y"}})"));
  auto got = keychain.Find("registry.local:5000");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->username, "u");
}

TEST(KeychainTest, FirstSourceWins) {
  Keychain keychain;
  ASSERT_TRUE(keychain.Add(R"({"auths":{"r.io":{"username":"first","password":"1"}}})"));
  ASSERT_TRUE(keychain.Add(R"({"auths":{"r.io":{"username":"second","password":"2"}}})"));
  EXPECT_EQ(keychain.Find("r.io")->username, "first");
}

TEST(KeychainTest, ErrorsNeverQuoteTheSecret) {
  const std::string secret = "hunter2-very-secret";
  for (const std::string& text :
       {R"({"auths":{"r.io":{"auth":")" + secret + R"(!"}}})",
        R"({"auths":{"r.io":{"auth":")" + kube::EncodeBase64(secret) + R"("}}})",
        R"({"auths":{"r.io":{"password":")" + secret + R"(", "username": 5}}})",
        R"({"auths":{"r.io":{"password":")" + secret + R"(" broken)"}) {
    Keychain keychain;
    Status status = keychain.Add(text);
    ASSERT_FALSE(status) << text;
    EXPECT_EQ(status.error().message.find(secret), std::string::npos) << status.error().message;
    EXPECT_EQ(status.error().message.find("aHVudGVy"), std::string::npos);  // base64 of it
    EXPECT_TRUE(keychain.empty());
  }
}

}  // namespace
}  // namespace csp::registry
