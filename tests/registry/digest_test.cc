#include "csp/registry/digest.h"

#include <gtest/gtest.h>

namespace csp::registry {
namespace {

TEST(DigestTest, ComputesAndVerifies) {
  const std::string empty =
      "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  EXPECT_EQ(Sha256Digest(""), empty);
  EXPECT_TRUE(VerifyDigest(empty, ""));
  EXPECT_TRUE(VerifyDigest(
      "sha512:"
      "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318"
      "d2877eec2f63b931bd47417a81a538327af927da3e",
      ""));
  Status wrong = VerifyDigest(empty, "x");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().message,
            "content has digest " + Sha256Digest("x") + ", expected " + empty);
  EXPECT_FALSE(VerifyDigest("md5:abc", ""));
  EXPECT_FALSE(VerifyDigest("nocolon", ""));
}

TEST(DigestTest, NamesTheTagsCosignUses) {
  EXPECT_EQ(FallbackReferrersTag("sha256:abc"), "sha256-abc");
  EXPECT_EQ(LegacySignatureTag("sha256:abc"), "sha256-abc.sig");
}

}  // namespace
}  // namespace csp::registry
