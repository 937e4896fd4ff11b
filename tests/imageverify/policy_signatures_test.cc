// PolicySignatures: a policy's inline keys reach the verifier; secretRef keys cannot be read
// offline and turn a non-verified image into an error naming them; a verified image's digest
// reaches the report's properties through the engine.
#include "csp/imageverify/policy_signatures.h"

#include <gtest/gtest.h>

#include "csp/policy/engine.h"
#include "csp/policy/workload.h"
#include "fake_source.h"
#include "fakes.h"

namespace csp::imageverify {
namespace {

using json = nlohmann::json;
using policy::SignatureVerdict;
using testing::Fixture;
using testing::LegacyArtifact;

json Key(const std::string& name, const std::string& alg) {
  return {{"name", name}, {"publicKey", Fixture("keys/" + alg + ".pub")}};
}
json SecretKey(const std::string& name) {
  return {{"name", name},
          {"secretRef", {{"namespace", "csp"}, {"name", "cosign"}, {"key", "cosign.pub"}}}};
}

policy::Policy PolicyWithKeys(json keys, json transparency_log = nullptr) {
  json settings = {{"enabled", true}, {"keys", keys}};
  if (!transparency_log.is_null()) settings["transparencyLog"] = transparency_log;
  json object = {{"apiVersion", "containersecurity.dev/v1alpha1"},
                 {"kind", "ContainerSecurityPolicy"},
                 {"metadata", {{"name", "prod"}}},
                 {"spec", {{"controls", {{"imageSignature", settings}}}}}};
  auto p = policy::ParsePolicy(object);
  EXPECT_TRUE(p) << p.error().message;
  return *p;
}

class PolicySignaturesTest : public ::testing::Test {
 protected:
  std::optional<SignatureVerdict> Lookup(const policy::Policy& p, std::string* detail) {
    PolicySignatures signatures(verifier_, InlinePolicyKeys(p), keychain_);
    return signatures.Lookup("registry.local/app:v1", detail);
  }

  kube::testing::FakeClock clock_;
  testing::FakeSource source_;
  Verifier verifier_{source_, clock_};
  registry::Keychain keychain_;
};

TEST_F(PolicySignaturesTest, InlineKeyVerifies) {
  source_.artifacts = {LegacyArtifact("p256")};
  std::string detail;
  EXPECT_EQ(Lookup(PolicyWithKeys({Key("backup", "rsa"), Key("release", "p256")}), &detail),
            SignatureVerdict::kVerified);
}

TEST_F(PolicySignaturesTest, OtherKeyIsNotSignedNamingTheKeys) {
  source_.artifacts = {LegacyArtifact("p256")};
  std::string detail;
  EXPECT_EQ(Lookup(PolicyWithKeys({Key("backup", "rsa")}), &detail), SignatureVerdict::kNotSigned);
  EXPECT_EQ(detail, "signature does not verify with keys [backup]");
}

TEST_F(PolicySignaturesTest, SecretRefOnlyIsAnErrorNamingTheKey) {
  source_.artifacts = {LegacyArtifact("p256")};
  std::string detail;
  EXPECT_EQ(Lookup(PolicyWithKeys({SecretKey("release")}), &detail), SignatureVerdict::kError);
  EXPECT_EQ(detail, "key release (secretRef csp/cosign) cannot be read offline");
  EXPECT_EQ(source_.resolves, 0);  // nothing to verify with: the registry is not asked
}

TEST_F(PolicySignaturesTest, SecretRefBesideAFailingInlineKeyIsAnError) {
  source_.artifacts = {LegacyArtifact("p256")};
  std::string detail;
  EXPECT_EQ(Lookup(PolicyWithKeys({Key("backup", "rsa"), SecretKey("release")}), &detail),
            SignatureVerdict::kError);
  EXPECT_EQ(detail,
            "signature does not verify with keys [backup]; key release (secretRef csp/cosign) "
            "cannot be read offline");
}

TEST_F(PolicySignaturesTest, SecretRefBesideAVerifyingInlineKeyPasses) {
  source_.artifacts = {LegacyArtifact("p256")};
  std::string detail;
  EXPECT_EQ(Lookup(PolicyWithKeys({Key("release", "p256"), SecretKey("old")}), &detail),
            SignatureVerdict::kVerified);
}

// transparencyLog reaches the verifier: the fixture has no Rekor entry.
TEST_F(PolicySignaturesTest, RequiredTransparencyLogWithoutEntryIsNotSigned) {
  source_.artifacts = {LegacyArtifact("p256")};
  std::string detail;
  const json rekor = {{"required", true}, {"publicKeys", {Key("rekor", "p384")}}};
  EXPECT_EQ(Lookup(PolicyWithKeys({Key("release", "p256")}, rekor), &detail),
            SignatureVerdict::kNotSigned);
  EXPECT_EQ(detail, "no transparency-log entry verifies with rekor keys [rekor]");
  const json optional = {{"required", false}, {"publicKeys", {Key("rekor", "p384")}}};
  EXPECT_EQ(Lookup(PolicyWithKeys({Key("release", "p256")}, optional), &detail),
            SignatureVerdict::kVerified);
}

TEST_F(PolicySignaturesTest, UnusableRekorKeyIsAProblemNamingIt) {
  source_.artifacts = {LegacyArtifact("p256")};
  std::string detail;
  const json bad_key = {{"name", "rekor"}, {"publicKey", "-----BEGIN PUBLIC KEY-----\nAA==\n"}};
  const json rekor = {{"required", true}, {"publicKeys", json::array({bad_key})}};
  EXPECT_EQ(Lookup(PolicyWithKeys({Key("release", "p256")}, rekor), &detail),
            SignatureVerdict::kError);
  EXPECT_NE(detail.find("; rekor key rekor: public key: "), std::string::npos) << detail;
}

TEST_F(PolicySignaturesTest, EngineReportsTheVerifiedDigestPerContainer) {
  source_.artifacts = {LegacyArtifact("p256")};
  policy::Policy p = PolicyWithKeys({Key("release", "p256")});
  PolicySignatures signatures(verifier_, InlinePolicyKeys(p), keychain_);
  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", "web"}}},
              {"spec", {{"containers", {{{"name", "app"}, {"image", "registry.local/app:v1"}}}}}}};
  auto w = policy::AsWorkload(pod, "default");
  ASSERT_TRUE(w && w->has_value());
  auto results = policy::Evaluate(p, **w, {.signatures = &signatures});
  ASSERT_TRUE(results) << results.error().message;
  const policy::RuleResult* rule = nullptr;
  for (const policy::RuleResult& r : *results) {
    if (r.rule == "require-image-signature") rule = &r;
  }
  ASSERT_NE(rule, nullptr);
  EXPECT_EQ(rule->outcome, policy::Outcome::kPass) << rule->message;
  EXPECT_EQ(rule->properties.at("verifiedDigest.app"), source_.digest);
}

}  // namespace
}  // namespace csp::imageverify
