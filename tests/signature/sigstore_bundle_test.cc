#include "csp/signature/sigstore_bundle.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cosign_like.h"
#include "csp/common/base64.h"
#include "csp/signature/oci_manifest.h"

namespace csp::signature {
namespace {

using nlohmann::json;
const std::string kImage = "sha256:" + std::string(64, 'c');

TEST(DssePaeTest, MatchesTheDsseSpecExample) {
  // secure-systems-lab/dsse protocol.md.
  EXPECT_EQ(DssePae("http://example.com/HelloWorld", "hello world"),
            "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
}

TEST(ParseBundleTest, ReadsEveryPart) {
  const json doc = {
      {"mediaType", kBundleMediaTypeV02},
      {"verification_material",  // protojson's snake_case names are read too
       {{"x509CertificateChain", {{"certificates", {{{"rawBytes", EncodeBase64("DER")}}}}}},
        {"tlogEntries",
         {{{"logIndex", "42"},
           {"logId", {{"keyId", EncodeBase64("id")}}},
           {"kindVersion", {{"kind", "dsse"}, {"version", "0.0.1"}}},
           {"integratedTime", "1700000000"},
           {"inclusionPromise", {{"signedEntryTimestamp", EncodeBase64("set")}}},
           {"canonicalizedBody", EncodeBase64("body")}}}}}},
      {"messageSignature",
       {{"messageDigest", {{"algorithm", "SHA2_256"}, {"digest", EncodeBase64("dddd")}}},
        {"signature", EncodeBase64("ssss")}}}};
  Result<Bundle> b = ParseBundle(doc.dump());
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->certificate, "DER");
  ASSERT_EQ(b->tlog_entries.size(), 1u);
  EXPECT_EQ(b->tlog_entries[0].log_index, 42);
  EXPECT_EQ(b->tlog_entries[0].log_id, "id");
  EXPECT_EQ(b->tlog_entries[0].kind, "dsse");
  EXPECT_EQ(b->tlog_entries[0].integrated_time, 1700000000);
  EXPECT_EQ(b->tlog_entries[0].signed_entry_timestamp, "set");
  EXPECT_EQ(b->tlog_entries[0].canonicalized_body, "body");
  ASSERT_TRUE(b->message_signature);
  EXPECT_EQ(b->message_signature->digest, "dddd");
  EXPECT_FALSE(b->dsse_envelope);
}

struct BadCase {
  const char* name = "";
  std::function<void(json&)> edit = {};
  const char* error_has = "";
};
void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }
class BadBundleTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadBundleTest, IsRefusedClearly) {
  const testing::TestKey key = testing::TestKey::Generate("p256");
  json doc = json::parse(testing::BundleJson(key, testing::StatementFor(kImage)));
  GetParam().edit(doc);
  Result<Bundle> b = ParseBundle(doc.dump());
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().message.find(GetParam().error_has), std::string::npos) << b.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Bundles, BadBundleTest,
    ::testing::Values(
        BadCase{"wrong_media_type", [](json& d) { d["mediaType"] = "application/json"; },
                "is not a Sigstore bundle"},
        BadCase{"no_media_type", [](json& d) { d.erase("mediaType"); }, "mediaType: missing"},
        BadCase{"no_material", [](json& d) { d.erase("verificationMaterial"); },
                "verificationMaterial: missing"},
        BadCase{"no_content", [](json& d) { d.erase("dsseEnvelope"); }, "exactly one"},
        BadCase{"both_contents", [](json& d) { d["messageSignature"] = json::object(); },
                "exactly one"},
        BadCase{"payload_not_base64", [](json& d) { d["dsseEnvelope"]["payload"] = "@@"; },
                "dsseEnvelope.payload: not base64"},
        BadCase{"no_signatures", [](json& d) { d["dsseEnvelope"]["signatures"] = json::array(); },
                "signatures: none"},
        BadCase{"sig_missing", [](json& d) { d["dsseEnvelope"]["signatures"][0].erase("sig"); },
                "signatures[0].sig: missing"},
        BadCase{"tlog_index_not_int",
                [](json& d) {
                  d["verificationMaterial"]["tlogEntries"] = {{{"logIndex", "x"}}};
                },
                "logIndex: not an int64"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ParseBundleTest, RefusesOversizeAndNonJson) {
  EXPECT_NE(ParseBundle(std::string(100, ' '), 10).error().message.find("exceed the limit of 10"),
            std::string::npos);
  EXPECT_NE(ParseBundle("nope").error().message.find("invalid JSON"), std::string::npos);
}

TEST(ParseInTotoStatementTest, ChecksTypeAndSubjects) {
  Result<InTotoStatement> s = ParseInTotoStatement(testing::StatementFor(kImage));
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->predicate_type, "https://sigstore.dev/cosign/sign/v1");
  ASSERT_EQ(s->subjects.size(), 1u);
  EXPECT_EQ(s->subjects[0].sha256, std::string(64, 'c'));
  EXPECT_TRUE(ParseInTotoStatement(
      R"({"_type":"https://in-toto.io/Statement/v0.1","subject":[{"digest":{}}]})"));
  EXPECT_FALSE(ParseInTotoStatement(R"({"_type":"x","subject":[{"digest":{}}]})"));
  EXPECT_FALSE(ParseInTotoStatement(R"({"_type":"https://in-toto.io/Statement/v1"})"));
  EXPECT_FALSE(
      ParseInTotoStatement(R"({"_type":"https://in-toto.io/Statement/v1","subject":[{}]})"));
}

TEST(VerifyBundleTest, RefusesOtherPayloadTypes) {
  const testing::TestKey key = testing::TestKey::Generate("p256");
  Result<Bundle> b =
      ParseBundle(testing::BundleJson(key, testing::StatementFor(kImage), "text/plain"));
  ASSERT_TRUE(b) << b.error().message;
  const std::vector<NamedKey> keys = {key.Named("k")};
  const Verdict v = VerifyBundle(*b, kImage, keys);
  EXPECT_EQ(v.outcome, Outcome::kMalformed);
  EXPECT_NE(v.reason.find("payloadType"), std::string::npos);
}

TEST(VerifyBundleTest, VerifiesMessageSignatures) {
  const std::string manifest = R"({"schemaVersion":2})";
  const std::string digest = Sha256Digest(manifest);
  for (const char* kind : {"p256", "rsa"}) {
    const testing::TestKey key = testing::TestKey::Generate(kind);
    const std::vector<NamedKey> keys = {key.Named("k")};
    std::string raw(32, '\0');
    for (size_t i = 0; i < 32; ++i) {
      raw[i] = static_cast<char>(std::stoi(digest.substr(7 + 2 * i, 2), nullptr, 16));
    }
    Bundle b{.media_type = std::string(kBundleMediaTypeV03),
             .message_signature = MessageSignature{"SHA2_256", raw, key.SignSha256Digest(raw)}};
    EXPECT_EQ(VerifyBundle(b, digest, keys).outcome, Outcome::kVerified) << kind;
    EXPECT_EQ(VerifyBundle(b, kImage, keys).outcome, Outcome::kDigestMismatch) << kind;
    b.message_signature->signature[5] ^= 1;
    EXPECT_EQ(VerifyBundle(b, digest, keys).outcome, Outcome::kBadSignature) << kind;
    b.message_signature->digest_algorithm = "SHA2_384";
    EXPECT_EQ(VerifyBundle(b, digest, keys).outcome, Outcome::kMalformed) << kind;
  }
}

}  // namespace
}  // namespace csp::signature
