// Verifier over an in-memory source of real cosign signatures, with a fake clock: the verdict
// mapping (verified / not signed / error, one-line details), which layout verified, and the
// cache (hits, TTL expiry, moved tags, errors kept briefly, per key set).
#include "csp/imageverify/verifier.h"

#include <gtest/gtest.h>

#include "csp/imageverify/key_set.h"
#include "fake_source.h"
#include "fakes.h"

namespace csp::imageverify {
namespace {

using policy::SignatureVerdict;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::BundleArtifact;
using testing::FakeSource;
using testing::FixtureKey;
using testing::LegacyArtifact;

constexpr char kImage[] = "registry.local/app:v1";

class VerifierTest : public ::testing::Test {
 protected:
  VerifyResult Verify(std::vector<signature::NamedKey> keys) {
    return verifier_.Verify(kImage, keys);
  }

  kube::testing::FakeClock clock_;
  FakeSource source_;
  Verifier verifier_{source_, clock_, {.ttl = minutes(5), .error_ttl = seconds(30)}};
  std::vector<signature::NamedKey> release_ = {FixtureKey("release", "p256")};
};

TEST_F(VerifierTest, LegacySignatureVerifies) {
  source_.artifacts = {LegacyArtifact("p256")};
  VerifyResult r = Verify(release_);
  EXPECT_EQ(r.verdict, SignatureVerdict::kVerified) << r.detail;
  EXPECT_EQ(r.digest, source_.digest);
  EXPECT_EQ(r.key_name, "release");
  EXPECT_EQ(r.verified_layout, Layout::kLegacy);
  EXPECT_TRUE(r.legacy_found);
  EXPECT_FALSE(r.bundle_found);
}

TEST_F(VerifierTest, BundleVerifiesAndIsNamedTheLayout) {
  source_.artifacts = {LegacyArtifact("p384"), BundleArtifact("p256")};
  VerifyResult r = Verify(release_);
  EXPECT_EQ(r.verdict, SignatureVerdict::kVerified) << r.detail;
  EXPECT_EQ(r.verified_layout, Layout::kBundle);
  EXPECT_TRUE(r.legacy_found);
  EXPECT_TRUE(r.bundle_found);
}

TEST_F(VerifierTest, NoSignatureIsNotSigned) {
  VerifyResult r = Verify(release_);
  EXPECT_EQ(r.verdict, SignatureVerdict::kNotSigned);
  EXPECT_EQ(r.detail, "no signature");
  EXPECT_EQ(r.digest, source_.digest);
}

TEST_F(VerifierTest, OtherKeyIsNotSigned) {
  source_.artifacts = {BundleArtifact("p384"), LegacyArtifact("rsa")};
  VerifyResult r = Verify(release_);
  EXPECT_EQ(r.verdict, SignatureVerdict::kNotSigned);
  EXPECT_EQ(r.detail, "signature does not verify with keys [release]");
}

TEST_F(VerifierTest, SignatureOfAnotherDigestIsNotSigned) {
  source_.artifacts = {LegacyArtifact("p256")};
  source_.digest = "sha256:" + std::string(64, 'a');  // the tag now names another image
  VerifyResult r = Verify(release_);
  EXPECT_EQ(r.verdict, SignatureVerdict::kNotSigned);
  EXPECT_EQ(r.detail, "signed digest differs");
}

TEST_F(VerifierTest, UnreachableRegistryIsAnError) {
  source_.resolve_error = {Code::kUnavailable, "registry registry.local: connection refused"};
  VerifyResult r = Verify(release_);
  EXPECT_EQ(r.verdict, SignatureVerdict::kError);
  EXPECT_EQ(r.detail, "registry unreachable: registry registry.local: connection refused");
}

TEST_F(VerifierTest, RefusedCredentialsAreAnErrorNamingTheRegistry) {
  source_.fetch_error = {Code::kUnauthenticated,
                         "registry registry.local: 401 Unauthorized for GET /v2/app/manifests/v1"};
  VerifyResult r = Verify(release_);
  EXPECT_EQ(r.verdict, SignatureVerdict::kError);
  EXPECT_EQ(r.detail, source_.fetch_error.message);
  EXPECT_EQ(r.digest, source_.digest);
}

TEST_F(VerifierTest, InvalidReferenceIsAnError) {
  VerifyResult r = verifier_.Verify("UPPER/Case::", release_);
  EXPECT_EQ(r.verdict, SignatureVerdict::kError);
  EXPECT_NE(r.detail.find("invalid image reference"), std::string::npos) << r.detail;
}

TEST_F(VerifierTest, CachedUntilTtlThenAMovedTagIsSeen) {
  source_.artifacts = {LegacyArtifact("p256")};
  ASSERT_EQ(Verify(release_).verdict, SignatureVerdict::kVerified);
  source_.digest = "sha256:" + std::string(64, 'b');  // the tag moves to an unsigned image
  source_.artifacts.clear();
  clock_.Advance(minutes(4));
  EXPECT_EQ(Verify(release_).verdict, SignatureVerdict::kVerified);  // cached
  EXPECT_EQ(source_.resolves, 1);
  clock_.Advance(minutes(1));
  VerifyResult r = Verify(release_);
  EXPECT_EQ(r.verdict, SignatureVerdict::kNotSigned);
  EXPECT_EQ(r.detail, "no signature");
  EXPECT_EQ(source_.resolves, 2);
}

TEST_F(VerifierTest, ErrorsAreKeptOnlyBriefly) {
  source_.resolve_error = {Code::kUnavailable, "registry registry.local: timed out"};
  ASSERT_EQ(Verify(release_).verdict, SignatureVerdict::kError);
  EXPECT_EQ(Verify(release_).verdict, SignatureVerdict::kError);
  EXPECT_EQ(source_.resolves, 1);
  source_.resolve_error = {};
  source_.artifacts = {LegacyArtifact("p256")};
  clock_.Advance(seconds(30));
  EXPECT_EQ(Verify(release_).verdict, SignatureVerdict::kVerified);
  EXPECT_EQ(source_.resolves, 2);
}

TEST_F(VerifierTest, EachKeySetHasItsOwnEntry) {
  source_.artifacts = {LegacyArtifact("p256")};
  ASSERT_EQ(Verify(release_).verdict, SignatureVerdict::kVerified);
  VerifyResult other = Verify({FixtureKey("release", "p384")});  // same name, rotated key
  EXPECT_EQ(other.verdict, SignatureVerdict::kNotSigned);
  EXPECT_EQ(source_.resolves, 2);
  EXPECT_EQ(verifier_.cache().size(), 2u);
}

// An error read without credentials must not answer for a workload that has them (nor the
// other way round): the credential is part of the cache key, its secret is not.
TEST_F(VerifierTest, EachCredentialHasItsOwnEntry) {
  source_.resolve_error = {Code::kUnauthenticated, "registry registry.local: 401 Unauthorized"};
  ASSERT_EQ(Verify(release_).verdict, SignatureVerdict::kError);
  source_.resolve_error = {};
  source_.artifacts = {LegacyArtifact("p256")};
  registry::Keychain alice;
  ASSERT_TRUE(alice.Add(R"({"auths":{"registry.local":{"username":"alice","password":"pw"}}})"));
  EXPECT_EQ(verifier_.Verify(kImage, release_, alice).verdict, SignatureVerdict::kVerified);
  registry::Keychain other_host;
  ASSERT_TRUE(other_host.Add(R"({"auths":{"elsewhere.io":{"username":"bob","password":"pw"}}})"));
  // Credentials for another host read this image anonymously: the anonymous entry answers.
  EXPECT_EQ(verifier_.Verify(kImage, release_, other_host).verdict, SignatureVerdict::kError);
  EXPECT_EQ(source_.resolves, 2);
  EXPECT_EQ(CredentialFingerprint(std::nullopt), "");
  const std::string fingerprint = CredentialFingerprint(alice.Find("registry.local"));
  EXPECT_EQ(fingerprint.find("pw"), std::string::npos);
  EXPECT_NE(fingerprint, CredentialFingerprint(other_host.Find("elsewhere.io")));
}

// The fixtures carry no Rekor entry (--tlog-upload=false): required, they do not verify; the
// verdicts with and without the requirement are cached apart.
TEST_F(VerifierTest, RequiredTransparencyLogIsCachedApart) {
  source_.artifacts = {LegacyArtifact("p256"), BundleArtifact("p256")};
  const signature::TlogOptions required = {.required = true,
                                           .rekor_keys = {FixtureKey("rekor", "p384")}};
  VerifyResult r = verifier_.Verify(kImage, release_, {}, required);
  EXPECT_EQ(r.verdict, SignatureVerdict::kNotSigned);
  EXPECT_EQ(r.detail, "no transparency-log entry verifies with rekor keys [rekor]");
  r = Verify(release_);
  EXPECT_EQ(r.verdict, SignatureVerdict::kVerified) << r.detail;
  EXPECT_EQ(verifier_.cache().size(), 2u);
}

TEST(KeySetFingerprintTest, DependsOnTheTransparencyLog) {
  const std::vector<signature::NamedKey> a = {FixtureKey("release", "p256")};
  const signature::TlogOptions rekor = {.rekor_keys = {FixtureKey("rekor", "p384")}};
  signature::TlogOptions required = rekor;
  required.required = true;
  const signature::TlogOptions rotated = {.rekor_keys = {FixtureKey("rekor", "rsa")}};
  EXPECT_EQ(KeySetFingerprint(a), KeySetFingerprint(a, {}));
  EXPECT_NE(KeySetFingerprint(a), KeySetFingerprint(a, rekor));
  EXPECT_NE(KeySetFingerprint(a, rekor), KeySetFingerprint(a, required));
  EXPECT_NE(KeySetFingerprint(a, rekor), KeySetFingerprint(a, rotated));
  EXPECT_EQ(KeySetFingerprint(a, rekor), KeySetFingerprint(a, rekor));
}

TEST(KeySetFingerprintTest, DependsOnNamesAndKeys) {
  std::vector<signature::NamedKey> a = {FixtureKey("release", "p256")};
  std::vector<signature::NamedKey> renamed = {FixtureKey("backup", "p256")};
  std::vector<signature::NamedKey> rotated = {FixtureKey("release", "rsa")};
  std::vector<signature::NamedKey> added = {FixtureKey("release", "p256"),
                                            FixtureKey("backup", "rsa")};
  std::vector<signature::NamedKey> same = {FixtureKey("release", "p256")};
  EXPECT_EQ(KeySetFingerprint(a), KeySetFingerprint(same));
  EXPECT_NE(KeySetFingerprint(a), KeySetFingerprint(renamed));
  EXPECT_NE(KeySetFingerprint(a), KeySetFingerprint(rotated));
  EXPECT_NE(KeySetFingerprint(a), KeySetFingerprint(added));
}

}  // namespace
}  // namespace csp::imageverify
