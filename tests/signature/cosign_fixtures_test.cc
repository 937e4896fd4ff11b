// Real cosign v3 signatures (testdata/, made by hack/make-signature-fixtures.sh): each verifies
// with its key in both layouts, with no other key, for no other digest, and not once tampered.
// They were made with --tlog-upload=false: with transparency-log entries added as cosign and
// Rekor write them (signed by a test log key: no Rekor runs here), the log decides as asked.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "csp/common/base64.h"
#include "csp/signature/oci_manifest.h"
#include "csp/signature/sigstore_bundle.h"
#include "csp/signature/simple_signing.h"
#include "csp/signature/verify.h"
#include "digest.h"  // private: the raw SHA-256 and hex an entry body holds
#include "test_keys.h"
#include "testdata.h"

namespace csp::signature {
namespace {

using nlohmann::json;
using Layout = SignatureArtifact::Layout;

std::string Read(const std::string& relative) { return testing::ReadTestdata(relative); }

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

std::string ParamName(const ::testing::TestParamInfo<Param>& info) {
  return std::string(info.param.layout == Layout::kBundle ? "bundle_" : "legacy_") + info.param.alg;
}

std::vector<Param> Params() {
  std::vector<Param> out;
  for (const char* alg : kAlgs) {
    out.push_back({alg, Layout::kSimpleSigning});
    out.push_back({alg, Layout::kBundle});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, CosignFixtureTest, ::testing::ValuesIn(Params()), ParamName);

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

// A Rekor stand-in: entries as Rekor v1 writes them, promised (SET) with a test key.
class TestLog {
 public:
  NamedKey key() const { return key_.Named("test-log"); }

  TlogEntry Enter(const json& body) {
    TlogEntry e{.log_index = next_index_++,
                .log_id = *DecodeBase64(key().key.hint()),
                .integrated_time = 1765000000,
                .canonicalized_body = body.dump()};
    e.signed_entry_timestamp = key_.Sign(InclusionPromisePayload(e));
    return e;
  }

 private:
  testing::TestKey key_ = testing::TestKey::Generate("p256");
  std::int64_t next_index_ = 1000;
};

// What `cosign sign` uploads for a legacy layer (a hashedrekord of the payload) and for a
// bundle (a dsse entry of the envelope), signed by `alg`'s key.
json LegacyBody(const std::string& payload, const std::string& signature, const std::string& alg) {
  return {{"apiVersion", "0.0.1"},
          {"kind", "hashedrekord"},
          {"spec",
           {{"data",
             {{"hash",
               {{"algorithm", "sha256"}, {"value", internal::Hex(internal::Sha256(payload))}}}}},
            {"signature",
             {{"content", EncodeBase64(signature)},
              {"publicKey", {{"content", EncodeBase64(Read("keys/" + alg + ".pub"))}}}}}}}};
}

json DsseBody(const DsseEnvelope& envelope, const std::string& alg) {
  return {
      {"apiVersion", "0.0.1"},
      {"kind", "dsse"},
      {"spec",
       {{"payloadHash",
         {{"algorithm", "sha256"}, {"value", internal::Hex(internal::Sha256(envelope.payload))}}},
        {"signatures",
         {{{"signature", EncodeBase64(envelope.signatures[0].sig)},
           {"verifier", EncodeBase64(Read("keys/" + alg + ".pub"))}}}}}}};
}

// The fixture of `alg` in `layout` carrying `entry` where cosign puts it.
SignatureArtifact WithEntry(Layout layout, const std::string& alg, const TlogEntry& entry) {
  SignatureArtifact a = Artifact(layout, alg);
  if (layout == Layout::kSimpleSigning) {
    json m = json::parse(a.manifest);
    m["layers"][0]["annotations"][std::string(kRekorBundleAnnotation)] = json{
        {"SignedEntryTimestamp", EncodeBase64(entry.signed_entry_timestamp)},
        {"Payload",
         {{"body", EncodeBase64(entry.canonicalized_body)},
          {"integratedTime", entry.integrated_time},
          {"logIndex", entry.log_index},
          {"logID", internal::Hex(entry.log_id)}}}}.dump();
    a.manifest = m.dump();
    return a;
  }
  return Tampered(a, [&](std::string blob) {
    json b = json::parse(blob);
    b["verificationMaterial"]["tlogEntries"] = {
        {{"logIndex", std::to_string(entry.log_index)},
         {"logId", {{"keyId", EncodeBase64(entry.log_id)}}},
         {"kindVersion", {{"kind", "dsse"}, {"version", "0.0.1"}}},
         {"integratedTime", std::to_string(entry.integrated_time)},
         {"inclusionPromise",
          {{"signedEntryTimestamp", EncodeBase64(entry.signed_entry_timestamp)}}},
         {"canonicalizedBody", EncodeBase64(entry.canonicalized_body)}}};
    return b.dump();
  });
}

// The body cosign would have uploaded for the fixture of `alg` in `layout`.
json BodyFor(Layout layout, const std::string& alg) {
  const SignatureArtifact a = Artifact(layout, alg);
  if (layout == Layout::kSimpleSigning) {
    const json m = json::parse(a.manifest);
    const std::string sig = *DecodeBase64(
        m["layers"][0]["annotations"][std::string(kSignatureAnnotation)].get<std::string>());
    return LegacyBody(a.blobs.begin()->second, sig, alg);
  }
  return DsseBody(*ParseBundle(a.blobs.begin()->second)->dsse_envelope, alg);
}

class CosignFixtureTlogTest : public ::testing::TestWithParam<Param> {};

TEST_P(CosignFixtureTlogTest, WithoutAnEntryOnlyARequiredLogFails) {
  const auto [alg, layout] = GetParam();
  const std::vector<SignatureArtifact> artifacts = {Artifact(layout, alg)};
  const std::vector<NamedKey> keys = {Key(alg)};
  TestLog log;
  Verdict v = VerifyImage(ImageDigest(), artifacts, keys, {}, {.rekor_keys = {log.key()}});
  EXPECT_EQ(v.outcome, Outcome::kVerified) << "not required: the verdict is unchanged";
  v = VerifyImage(ImageDigest(), artifacts, keys, {},
                  {.required = true, .rekor_keys = {log.key()}});
  EXPECT_EQ(v.outcome, Outcome::kTlogUnverified);
  EXPECT_EQ(v.reason, "no transparency-log entry verifies with rekor keys [test-log]");
  const std::vector<NamedKey> other_key = {Key(alg == std::string("rsa") ? "p256" : "rsa")};
  v = VerifyImage(ImageDigest(), artifacts, other_key, {},
                  {.required = true, .rekor_keys = {log.key()}});
  EXPECT_EQ(v.outcome, Outcome::kBadSignature) << "the signature is judged first";
}

TEST_P(CosignFixtureTlogTest, AnEntryOfThisSignatureVerifies) {
  const auto [alg, layout] = GetParam();
  const std::vector<NamedKey> keys = {Key(alg)};
  TestLog log, other_log;
  const TlogEntry entry = log.Enter(BodyFor(layout, alg));
  const std::vector<SignatureArtifact> artifacts = {WithEntry(layout, alg, entry)};
  const TlogOptions required = {.required = true, .rekor_keys = {log.key()}};
  Verdict v = VerifyImage(ImageDigest(), artifacts, keys, {}, required);
  EXPECT_EQ(v.outcome, Outcome::kVerified) << v.reason;
  EXPECT_EQ(v.key_name, alg);
  v = VerifyImage(ImageDigest(), artifacts, keys, {},
                  {.required = true, .rekor_keys = {other_log.key()}});
  EXPECT_EQ(v.outcome, Outcome::kTlogUnverified) << "another log's key";
  v = VerifyImage(ImageDigest(), artifacts, keys);
  EXPECT_EQ(v.outcome, Outcome::kVerified) << "no Rekor key: entries are not read";
}

TEST_P(CosignFixtureTlogTest, AnEntryOfAnotherSignatureDoesNot) {
  const auto [alg, layout] = GetParam();
  const std::vector<NamedKey> keys = {Key(alg)};
  TestLog log;
  // An entry of another artifact by this signer, one of another signer's signature of this
  // image, and a promise that does not verify: each fails the signature, required or not.
  json body = BodyFor(layout, alg);
  (layout == Layout::kBundle ? body["spec"]["payloadHash"]
                             : body["spec"]["data"]["hash"])["value"] = std::string(64, '0');
  std::vector<SignatureArtifact> artifacts = {WithEntry(layout, alg, log.Enter(body))};
  Verdict v = VerifyImage(ImageDigest(), artifacts, keys, {}, {.rekor_keys = {log.key()}});
  EXPECT_EQ(v.outcome, Outcome::kTlogUnverified);
  EXPECT_NE(v.reason.find("does not verify: the entry is for another"), std::string::npos)
      << v.reason;
  const std::string other_signer = alg == std::string("p256") ? "p384" : "p256";
  artifacts = {WithEntry(layout, alg, log.Enter(BodyFor(layout, other_signer)))};
  v = VerifyImage(ImageDigest(), artifacts, keys, {}, {.rekor_keys = {log.key()}});
  EXPECT_EQ(v.outcome, Outcome::kTlogUnverified);
  EXPECT_NE(v.reason.find("does not verify: the entry"), std::string::npos) << v.reason;
  TlogEntry forged = log.Enter(BodyFor(layout, alg));
  forged.integrated_time -= 86400;  // backdated after the log signed it
  artifacts = {WithEntry(layout, alg, forged)};
  v = VerifyImage(ImageDigest(), artifacts, keys, {}, {.rekor_keys = {log.key()}});
  EXPECT_EQ(v.outcome, Outcome::kTlogUnverified);
  EXPECT_NE(v.reason.find("signed entry timestamp does not verify"), std::string::npos) << v.reason;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, CosignFixtureTlogTest, ::testing::ValuesIn(Params()), ParamName);

}  // namespace
}  // namespace csp::signature
