// Real cosign v3 signatures (testdata/, made by hack/make-signature-fixtures.sh): each verifies
// with its key in both layouts, with no other key, for no other digest, and not once tampered.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "csp/common/base64.h"
#include "csp/signature/oci_manifest.h"
#include "csp/signature/sigstore_bundle.h"
#include "csp/signature/verify.h"

namespace csp::signature {
namespace {

using nlohmann::json;
using Layout = SignatureArtifact::Layout;

std::string Read(const std::string& relative) {
  std::ifstream in(std::string(SIGNATURE_TESTDATA) + "/" + relative, std::ios::binary);
  EXPECT_TRUE(in) << relative;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string ImageDigest() {
  std::string d = Read("image.digest");
  return d.substr(0, d.find('\n'));
}

NamedKey Key(const std::string& alg) {
  Result<PublicKey> key = ParsePublicKey(Read("keys/" + alg + ".pub"));
  EXPECT_TRUE(key) << alg << ": " << key.error().message;
  return {alg, *key};
}

SignatureArtifact Artifact(Layout layout, const std::string& alg) {
  const std::string dir = (layout == Layout::kBundle ? "bundle-" : "legacy-") + alg + "/";
  const std::string manifest = Read(
      dir + (layout == Layout::kBundle ? "referrer-manifest.json" : "signature-manifest.json"));
  const std::string blob = Read(dir + (layout == Layout::kBundle ? "bundle.json" : "payload.json"));
  return {layout, manifest, {{Sha256Digest(blob), blob}}};
}

// The one blob replaced by `edit` of it, the descriptor updated (a registry-side attacker).
SignatureArtifact Tampered(SignatureArtifact a,
                           const std::function<std::string(std::string)>& edit) {
  const std::string blob = edit(a.blobs.begin()->second);
  json m = json::parse(a.manifest);
  m["layers"][0]["digest"] = Sha256Digest(blob);
  m["layers"][0]["size"] = blob.size();
  return {a.layout, m.dump(), {{Sha256Digest(blob), blob}}};
}

const char* const kAlgs[] = {"p256", "p384", "rsa", "ed25519"};

struct Param {
  const char* alg = "";
  Layout layout = Layout::kSimpleSigning;
};
void PrintTo(const Param& p, std::ostream* os) { *os << p.alg; }

class CosignFixtureTest : public ::testing::TestWithParam<Param> {};

TEST_P(CosignFixtureTest, VerifiesWithItsKeyOnly) {
  const auto [alg, layout] = GetParam();
  const std::vector<SignatureArtifact> artifacts = {Artifact(layout, alg)};
  std::vector<NamedKey> all, others;
  for (const char* a : kAlgs) {
    all.push_back(Key(a));
    if (std::string(a) != alg) others.push_back(Key(a));
  }
  Verdict v = VerifyImage(ImageDigest(), artifacts, all);
  EXPECT_EQ(v.outcome, Outcome::kVerified) << v.reason;
  EXPECT_EQ(v.key_name, alg);
  v = VerifyImage(ImageDigest(), artifacts, others);
  EXPECT_EQ(v.outcome, Outcome::kBadSignature) << v.reason;
  v = VerifyImage("sha256:" + std::string(64, '0'), artifacts, all);
  EXPECT_EQ(v.outcome, Outcome::kDigestMismatch) << v.reason;
}

TEST_P(CosignFixtureTest, FailsTampered) {
  // Not a structured binding: the lambdas below capture `layout`, which clang 14 cannot.
  const char* const alg = GetParam().alg;
  const Layout layout = GetParam().layout;
  const std::vector<NamedKey> keys = {Key(alg)};
  // The claimed digest changed to another image's: the signature no longer verifies.
  const std::string other = std::string(64, 'e');
  const SignatureArtifact claim = Tampered(Artifact(layout, alg), [&](std::string blob) {
    if (layout == Layout::kSimpleSigning) {
      return blob.replace(blob.find(ImageDigest()) + 7, 64, other);
    }
    json b = json::parse(blob);
    std::string statement = *DecodeBase64(b["dsseEnvelope"]["payload"].get<std::string>());
    statement.replace(statement.find(ImageDigest().substr(7)), 64, other);
    b["dsseEnvelope"]["payload"] = EncodeBase64(statement);
    return b.dump();
  });
  const std::vector<SignatureArtifact> tampered = {claim};
  Verdict v = VerifyImage("sha256:" + other, tampered, keys);
  EXPECT_EQ(v.outcome, Outcome::kBadSignature) << v.reason;
  // The legacy payload with a byte added, the bundle with its signature altered.
  const SignatureArtifact bytes = Tampered(Artifact(layout, alg), [&](std::string blob) {
    if (layout == Layout::kSimpleSigning) return blob + "\n";
    json b = json::parse(blob);
    std::string sig = *DecodeBase64(b["dsseEnvelope"]["signatures"][0]["sig"].get<std::string>());
    sig[10] = static_cast<char>(sig[10] ^ 0x40);
    b["dsseEnvelope"]["signatures"][0]["sig"] = EncodeBase64(sig);
    return b.dump();
  });
  const std::vector<SignatureArtifact> altered = {bytes};
  v = VerifyImage(ImageDigest(), altered, keys);
  EXPECT_EQ(v.outcome, Outcome::kBadSignature) << v.reason;
}

std::vector<Param> Params() {
  std::vector<Param> out;
  for (const char* alg : kAlgs) {
    out.push_back({alg, Layout::kSimpleSigning});
    out.push_back({alg, Layout::kBundle});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, CosignFixtureTest, ::testing::ValuesIn(Params()),
                         [](const auto& info) {
                           return std::string(info.param.layout == Layout::kBundle ? "bundle_"
                                                                                   : "legacy_") +
                                  info.param.alg;
                         });

// What the registry served hangs together as the registry client will rely on.
TEST(CosignFixtureLayoutTest, ReferrersManifestsAndHintsAgree) {
  EXPECT_EQ(Sha256Digest(Read("image-manifest.json")), ImageDigest());
  EXPECT_TRUE(ParseManifest(Read("image-manifest.json"), 1 << 20));
  for (const char* alg : kAlgs) {
    const std::string dir = std::string("bundle-") + alg + "/";
    Result<Index> referrers = ParseReferrers(Read(dir + "referrers.json"), 1 << 20);
    ASSERT_TRUE(referrers) << referrers.error().message;
    ASSERT_EQ(referrers->manifests.size(), 1u);
    EXPECT_EQ(referrers->manifests[0].artifact_type, kBundleMediaTypeV03);
    EXPECT_EQ(referrers->manifests[0].digest, Sha256Digest(Read(dir + "referrer-manifest.json")));
    Result<Manifest> referrer = ParseManifest(Read(dir + "referrer-manifest.json"), 1 << 20);
    ASSERT_TRUE(referrer) << referrer.error().message;
    ASSERT_TRUE(referrer->subject);
    EXPECT_EQ(referrer->subject->digest, ImageDigest());
    Result<Bundle> bundle = ParseBundle(Read(dir + "bundle.json"));
    ASSERT_TRUE(bundle) << bundle.error().message;
    EXPECT_EQ(bundle->public_key_hint, Key(alg).key.hint()) << alg;
    EXPECT_TRUE(bundle->tlog_entries.empty());
  }
}

}  // namespace
}  // namespace csp::signature
