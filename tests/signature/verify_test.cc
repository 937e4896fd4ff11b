// VerifyImage over artifacts laid out as cosign writes them, for every key type and both
// layouts: what must verify does, and every tampering fails with the reason it deserves.
#include "csp/signature/verify.h"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <vector>

#include "cosign_like.h"
#include "csp/common/base64.h"
#include "csp/signature/oci_manifest.h"

namespace csp::signature {
namespace {

using nlohmann::json;
using testing::BundleArtifact;
using testing::BundleJson;
using testing::LegacyArtifact;
using testing::PayloadFor;
using testing::Scheme;
using testing::StatementFor;
using testing::TestKey;
using Layout = SignatureArtifact::Layout;

const std::string kImage = "sha256:" + std::string(64, 'c');
const std::string kOtherImage = "sha256:" + std::string(64, 'd');

// The one layer's blob, replaced, with the manifest's descriptor updated to match (what an
// attacker who can write to the registry does).
void ReplaceBlob(SignatureArtifact& a, const std::string& blob) {
  json m = json::parse(a.manifest);
  m["layers"][0]["digest"] = Sha256Digest(blob);
  m["layers"][0]["size"] = blob.size();
  a.manifest = m.dump();
  a.blobs = {{Sha256Digest(blob), blob}};
}
const std::string& Blob(const SignatureArtifact& a) { return a.blobs.begin()->second; }

// Flips a bit in the middle of a base64 signature.
std::string Flip(const std::string& b64) {
  std::string sig = *DecodeBase64(b64);
  sig[sig.size() / 2] = static_cast<char>(sig[sig.size() / 2] ^ 0x10);
  return EncodeBase64(sig);
}

struct Keys {
  TestKey signer, other;
};

// Signature artifacts of image `digest` signed by `key`, in `layout`.
SignatureArtifact Signed(Layout layout, const TestKey& key, const std::string& digest) {
  return layout == Layout::kSimpleSigning ? LegacyArtifact(key, PayloadFor(digest))
                                          : BundleArtifact(BundleJson(key, StatementFor(digest)));
}

struct Case {
  const char* name = "";
  std::function<std::vector<SignatureArtifact>(Layout, const Keys&)> artifacts = {};
  Outcome want = Outcome::kVerified;
  const char* reason = "";
};

const Case kCases[] = {
    {"signed", [](Layout l, const Keys& k) { return std::vector{Signed(l, k.signer, kImage)}; },
     Outcome::kVerified, "verified with key release"},
    {"one_of_several_signed",
     [](Layout l, const Keys& k) {
       return std::vector{Signed(l, k.other, kImage), Signed(l, k.signer, kOtherImage),
                          Signed(l, k.signer, kImage)};
     },
     Outcome::kVerified, "verified with key release"},
    {"unsigned", [](Layout, const Keys&) { return std::vector<SignatureArtifact>(); },
     Outcome::kNoSignature, "no signature"},
    {"another_key", [](Layout l, const Keys& k) { return std::vector{Signed(l, k.other, kImage)}; },
     Outcome::kBadSignature, "signature does not verify with keys [release]"},
    {"signature_of_another_digest",
     [](Layout l, const Keys& k) { return std::vector{Signed(l, k.signer, kOtherImage)}; },
     Outcome::kDigestMismatch, "signed digest differs"},
    {"payload_tampered",
     [](Layout l, const Keys& k) {
       SignatureArtifact a = Signed(l, k.signer, kOtherImage);
       if (l == Layout::kSimpleSigning) {
         ReplaceBlob(a, PayloadFor(kImage));  // the claim changed, the signature kept
       } else {
         json b = json::parse(Blob(a));
         b["dsseEnvelope"]["payload"] = EncodeBase64(StatementFor(kImage));
         ReplaceBlob(a, b.dump());
       }
       return std::vector{a};
     },
     Outcome::kBadSignature, "signature does not verify with keys [release]"},
    {"signature_tampered",
     [](Layout l, const Keys& k) {
       SignatureArtifact a = Signed(l, k.signer, kImage);
       if (l == Layout::kSimpleSigning) {
         json m = json::parse(a.manifest);
         auto& sig = m["layers"][0]["annotations"]["dev.cosignproject.cosign/signature"];
         sig = Flip(sig.get<std::string>());
         a.manifest = m.dump();
       } else {
         json b = json::parse(Blob(a));
         auto& sig = b["dsseEnvelope"]["signatures"][0]["sig"];
         sig = Flip(sig.get<std::string>());
         ReplaceBlob(a, b.dump());
       }
       return std::vector{a};
     },
     Outcome::kBadSignature, "signature does not verify with keys [release]"},
    {"layer_swapped_from_another_image",
     [](Layout l, const Keys& k) {
       // This image's signature artifact, its layer taken from another image's (validly signed).
       SignatureArtifact mine = Signed(l, k.signer, kImage);
       const SignatureArtifact theirs = Signed(l, k.signer, kOtherImage);
       mine.manifest = theirs.manifest;
       mine.blobs = theirs.blobs;
       return std::vector{mine};
     },
     Outcome::kDigestMismatch, "signed digest differs"},
    {"blob_not_matching_descriptor",
     [](Layout l, const Keys& k) {
       SignatureArtifact a = Signed(l, k.signer, kImage);
       a.blobs.begin()->second += " ";
       return std::vector{a};
     },
     Outcome::kMalformed, "does not match its layer descriptor"},
    {"blob_missing",
     [](Layout l, const Keys& k) {
       SignatureArtifact a = Signed(l, k.signer, kImage);
       a.blobs.clear();
       return std::vector{a};
     },
     Outcome::kMalformed, "was not fetched"},
    {"manifest_not_json",
     [](Layout l, const Keys&) {
       return std::vector{SignatureArtifact{l, "{", {}}};
     },
     Outcome::kMalformed, "manifest: invalid JSON"},
    {"mismatch_outranks_bad_and_malformed",
     [](Layout l, const Keys& k) {
       return std::vector{SignatureArtifact{l, "{", {}}, Signed(l, k.other, kImage),
                          Signed(l, k.signer, kOtherImage)};
     },
     Outcome::kDigestMismatch, "signed digest differs"},
};

struct Param {
  const char* kind = "";
  Layout layout = Layout::kSimpleSigning;
  const Case* c = nullptr;
};
void PrintTo(const Param& p, std::ostream* os) { *os << p.kind << "/" << p.c->name; }

std::vector<Param> AllParams() {
  std::vector<Param> out;
  for (const char* kind : {"p256", "p384", "rsa", "ed25519"}) {
    for (Layout layout : {Layout::kSimpleSigning, Layout::kBundle}) {
      for (const Case& c : kCases) out.push_back({kind, layout, &c});
    }
  }
  return out;
}

class VerifyImageTest : public ::testing::TestWithParam<Param> {
 protected:
  static const Keys& KeysOf(const std::string& kind) {
    static std::map<std::string, Keys> keys;
    auto it = keys.find(kind);
    if (it == keys.end()) {
      it = keys.emplace(kind, Keys{TestKey::Generate(kind), TestKey::Generate(kind)}).first;
    }
    return it->second;
  }
};

TEST_P(VerifyImageTest, Decides) {
  const Param& p = GetParam();
  const Keys& keys = KeysOf(p.kind);
  const std::vector<SignatureArtifact> artifacts = p.c->artifacts(p.layout, keys);
  const std::vector<NamedKey> trusted = {keys.signer.Named("release")};
  const Verdict v = VerifyImage(kImage, artifacts, trusted);
  EXPECT_EQ(OutcomeName(v.outcome), OutcomeName(p.c->want)) << v.reason;
  EXPECT_NE(v.reason.find(p.c->reason), std::string::npos) << v.reason;
  EXPECT_EQ(v.key_name, p.c->want == Outcome::kVerified ? "release" : "");
}

INSTANTIATE_TEST_SUITE_P(Cases, VerifyImageTest, ::testing::ValuesIn(AllParams()),
                         [](const auto& info) {
                           return std::string(info.param.kind) +
                                  (info.param.layout == Layout::kBundle ? "_bundle_" : "_legacy_") +
                                  info.param.c->name;
                         });

TEST(VerifyImageKeysTest, AnyOneKeyIsEnoughAndNamesItself) {
  const TestKey a = TestKey::Generate("p256"), b = TestKey::Generate("ed25519");
  const std::vector<NamedKey> keys = {a.Named("old"), b.Named("new")};
  const std::vector<SignatureArtifact> artifacts = {LegacyArtifact(b, PayloadFor(kImage))};
  const Verdict v = VerifyImage(kImage, artifacts, keys);
  EXPECT_EQ(v.outcome, Outcome::kVerified) << v.reason;
  EXPECT_EQ(v.key_name, "new");
  const std::vector<NamedKey> neither = {TestKey::Generate("p256").Named("x"),
                                         TestKey::Generate("rsa").Named("y")};
  EXPECT_EQ(VerifyImage(kImage, artifacts, neither).reason,
            "signature does not verify with keys [x, y]");
}

TEST(VerifyImageKeysTest, AcceptsTheAlternativeSchemes) {
  for (const char* kind : {"p384", "rsa", "ed25519"}) {
    const TestKey key = TestKey::Generate(kind);
    const std::vector<SignatureArtifact> artifacts = {
        LegacyArtifact(key, PayloadFor(kImage), Scheme::kAlternative)};
    const std::vector<NamedKey> keys = {key.Named("k")};
    EXPECT_EQ(VerifyImage(kImage, artifacts, keys).outcome, Outcome::kVerified) << kind;
  }
}

TEST(VerifyImageInputTest, RefusesAnInvalidImageDigest) {
  const Verdict v = VerifyImage("sha256:ABC", {}, {});
  EXPECT_EQ(v.outcome, Outcome::kMalformed);
  EXPECT_NE(v.reason.find("image digest"), std::string::npos);
}

TEST(VerifyImageInputTest, IgnoresReferrersThatAreNotBundles) {
  const std::string sbom =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
    "artifactType":"application/spdx+json","config":{"mediaType":"application/vnd.oci.empty.v1+json",
    "digest":")" +
      Sha256Digest("{}") + R"(","size":2},"layers":[{"mediaType":"application/spdx+json",
    "digest":")" +
      Sha256Digest("x") + R"(","size":1}]})";
  const std::vector<SignatureArtifact> artifacts = {{Layout::kBundle, sbom, {}}};
  const TestKey key = TestKey::Generate("p256");
  const std::vector<NamedKey> keys = {key.Named("k")};
  EXPECT_EQ(VerifyImage(kImage, artifacts, keys).outcome, Outcome::kNoSignature);
}

TEST(VerifyImageInputTest, BoundsBlobs) {
  const TestKey key = TestKey::Generate("p256");
  const std::vector<SignatureArtifact> artifacts = {
      BundleArtifact(BundleJson(key, StatementFor(kImage)))};
  const std::vector<NamedKey> keys = {key.Named("k")};
  const Verdict v = VerifyImage(kImage, artifacts, keys, Limits{.max_blob_bytes = 100});
  EXPECT_EQ(v.outcome, Outcome::kMalformed);
  EXPECT_NE(v.reason.find("exceed the limit of 100"), std::string::npos) << v.reason;
}

}  // namespace
}  // namespace csp::signature
