// Real Rekor entries (testdata/rekor/, copied from sigstore's Go modules): their inclusion
// promises and proofs verify with their log's key and with no other, not once altered; their
// bodies count for their own signature only. The bundles are keyless (Fulcio) except
// bundle-publish.json: the certificate's key stands in for a configured key, which is what the
// body check compares (the certificate itself is not trusted here).
#include "csp/signature/transparency_log.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "csp/common/base64.h"
#include "csp/signature/sigstore_bundle.h"
#include "digest.h"  // private: the raw SHA-256 and hex the claims hold
#include "testdata.h"

namespace csp::signature {
namespace {

using nlohmann::json;
using testing::ReadTestdata;

NamedKey RekorKey(const std::string& file) {
  Result<PublicKey> key = ParsePublicKey(ReadTestdata("rekor/" + file));
  EXPECT_TRUE(key) << file << ": " << key.error().message;
  return {file.substr(0, file.find("-rekor")), *key};
}

Bundle LoadBundle(const std::string& file) {
  Result<Bundle> b = ParseBundle(ReadTestdata("rekor/" + file));
  EXPECT_TRUE(b) << file << ": " << b.error().message;
  return b ? *b : Bundle{};
}

// The subject key of the bundle's DER certificate, as a key a policy could name.
NamedKey CertificateKey(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      d2i_X509(nullptr, &p, static_cast<long>(der.size())), X509_free);
  EXPECT_TRUE(cert);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PUBKEY(bio.get(), X509_get0_pubkey(cert.get()));
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  Result<PublicKey> key = ParsePublicKey(std::string(data, static_cast<std::size_t>(size)));
  EXPECT_TRUE(key) << key.error().message;
  return {"signer", *key};
}

// What the bundle's one entry must record, signed by `key`.
TlogClaim ClaimOf(const Bundle& b, const NamedKey& key) {
  if (b.dsse_envelope) {
    return {.content = TlogClaim::Content::kDsse,
            .sha256 = internal::Sha256(b.dsse_envelope->payload),
            .signature = b.dsse_envelope->signatures[0].sig,
            .key = &key.key};
  }
  return {.content = TlogClaim::Content::kMessage,
          .sha256 = b.message_signature->digest,
          .signature = b.message_signature->signature,
          .key = &key.key};
}

struct Fixture {
  const char* bundle = "";
  const char* log = "";  // its Rekor key file
  bool has_proof = true;
  const char* kind = "";
};
void PrintTo(const Fixture& f, std::ostream* os) { *os << f.bundle; }

const Fixture kFixtures[] = {
    {"oci-attestation.sigstore.json", "public-good-rekor.pub", true, "dsse"},
    {"othername.sigstore.json", "scaffolding-rekor.pub", true, "hashedrekord"},
    {"sigstore.js-2.0.0-provenance.sigstore.json", "public-good-rekor.pub", true, "intoto"},
    {"bundle-publish.json", "public-good-rekor.pub", false, "intoto"},  // inclusionProof: null
};

class RealEntryTest : public ::testing::TestWithParam<Fixture> {
 protected:
  Bundle bundle_ = LoadBundle(GetParam().bundle);
  NamedKey log_ = RekorKey(GetParam().log);
  NamedKey other_log_ =
      RekorKey(std::string(GetParam().log) == "public-good-rekor.pub" ? "scaffolding-rekor.pub"
                                                                      : "public-good-rekor.pub");
  NamedKey signer_ = bundle_.certificate.empty()
                         ? NamedKey{"npm", *ParsePublicKey(ReadTestdata("rekor/publish_key.pub"))}
                         : CertificateKey(bundle_.certificate);
  const TlogEntry& entry() const { return bundle_.tlog_entries.at(0); }
};

TEST_P(RealEntryTest, ParsesAsWritten) {
  ASSERT_EQ(bundle_.tlog_entries.size(), 1u);
  EXPECT_EQ(entry().kind, GetParam().kind);
  EXPECT_EQ(EncodeBase64(entry().log_id), log_.key.hint()) << "logID = SHA-256 of the log key";
  EXPECT_EQ(entry().inclusion_proof.has_value(), GetParam().has_proof);
  EXPECT_FALSE(entry().signed_entry_timestamp.empty());
}

TEST_P(RealEntryTest, VerifiesWithItsLogKeyOnly) {
  const TlogClaim claim = ClaimOf(bundle_, signer_);
  Status s = VerifyInclusionPromise(entry(), log_.key);
  EXPECT_TRUE(s) << s.error().message;
  if (GetParam().has_proof) {
    s = VerifyInclusionProof(entry(), log_.key);
    EXPECT_TRUE(s) << s.error().message;
    EXPECT_FALSE(VerifyInclusionProof(entry(), other_log_.key));
  }
  s = CheckEntryBody(entry(), claim);
  EXPECT_TRUE(s) << s.error().message;
  const std::vector<NamedKey> both = {other_log_, log_};
  s = VerifyTlogEntry(entry(), claim, both);
  EXPECT_TRUE(s) << s.error().message;

  EXPECT_FALSE(VerifyInclusionPromise(entry(), other_log_.key));
  const std::vector<NamedKey> other = {other_log_};
  s = VerifyTlogEntry(entry(), claim, other);
  EXPECT_EQ(s.error().code, Code::kNotFound) << "an entry of another log is not checked";
}

TEST_P(RealEntryTest, AlteredEntriesFailNamingWhy) {
  const TlogClaim claim = ClaimOf(bundle_, signer_);
  const std::vector<NamedKey> keys = {log_};
  auto expect_fails = [&](const char* what, TlogEntry e, const std::string& why) {
    Status s = VerifyTlogEntry(e, claim, keys);
    ASSERT_FALSE(s) << what;
    EXPECT_EQ(s.error().code, Code::kInvalidArgument) << what;
    EXPECT_NE(s.error().message.find(why), std::string::npos) << what << ": " << s.error().message;
  };
  TlogEntry e = entry();
  e.canonicalized_body[e.canonicalized_body.size() / 2] ^= 0x01;
  expect_fails("body", e, "signed entry timestamp does not verify");
  e = entry();
  e.integrated_time += 1;
  expect_fails("integratedTime", e, "signed entry timestamp does not verify");
  e = entry();
  e.log_index += 1;
  expect_fails("logIndex", e, "signed entry timestamp does not verify");
  e = entry();
  e.signed_entry_timestamp[12] ^= 0x01;
  expect_fails("SET", e, "signed entry timestamp does not verify");
  e = entry();
  e.signed_entry_timestamp.clear();
  e.inclusion_proof.reset();
  expect_fails("neither", e, "neither an inclusion promise nor an inclusion proof");
  if (!GetParam().has_proof) return;
  e = entry();
  e.inclusion_proof->hashes[0][3] ^= 0x01;
  expect_fails("audit path", e, "audit path does not lead from the body");
  e = entry();
  e.inclusion_proof->log_index += 1;
  expect_fails("proof index", e, "inclusion proof");
  e = entry();
  e.inclusion_proof->hashes.pop_back();
  expect_fails("short proof", e, "hashes, want");
  e = entry();
  std::string& note = e.inclusion_proof->checkpoint;
  const std::size_t size_line = note.find('\n') + 1;
  note.insert(size_line, "1");  // another tree size
  expect_fails("checkpoint size", e, "checkpoint: its tree size and root hash");
  e = entry();
  e.inclusion_proof->checkpoint.insert(e.inclusion_proof->checkpoint.find("\n\n"), "\nextra");
  expect_fails("checkpoint text", e, "no signature by the log key verifies");
}

TEST_P(RealEntryTest, CountsForItsOwnSignatureOnly) {
  const TlogClaim claim = ClaimOf(bundle_, signer_);
  TlogClaim other = claim;
  other.sha256[0] ^= 0x01;
  Status s = CheckEntryBody(entry(), other);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("the entry is for another"), std::string::npos)
      << s.error().message;
  other = claim;
  other.signature[8] ^= 0x01;
  s = CheckEntryBody(entry(), other);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("records another signature or key"), std::string::npos)
      << s.error().message;
  const NamedKey stranger = RekorKey("scaffolding-rekor.pub");  // any other key
  other = claim;
  other.key = &stranger.key;
  EXPECT_FALSE(CheckEntryBody(entry(), other));
  other = claim;
  other.content = claim.content == TlogClaim::Content::kDsse ? TlogClaim::Content::kMessage
                                                             : TlogClaim::Content::kDsse;
  s = CheckEntryBody(entry(), other);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("does not record a"), std::string::npos) << s.error().message;
}

INSTANTIATE_TEST_SUITE_P(Sigstore, RealEntryTest, ::testing::ValuesIn(kFixtures),
                         [](const auto& info) {
                           std::string name = info.param.bundle;
                           name = name.substr(0, name.find(".sigstore"));
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

// An entry of the same log for another signature: sigstore.js's intoto entry moved into the
// OCI attestation's bundle. Its promise and proof verify; its body is about another payload.
TEST(RealEntrySwapTest, AnotherSignaturesEntryDoesNotCount) {
  Bundle b = LoadBundle("oci-attestation.sigstore.json");
  const NamedKey signer = CertificateKey(b.certificate);
  b.tlog_entries = LoadBundle("sigstore.js-2.0.0-provenance.sigstore.json").tlog_entries;
  const TlogOptions tlog = {.required = true, .rekor_keys = {RekorKey("public-good-rekor.pub")}};
  const Verdict v = CheckTransparencyLog(b.tlog_entries, ClaimOf(b, signer), tlog, "signer");
  EXPECT_EQ(v.outcome, Outcome::kTlogUnverified);
  EXPECT_EQ(v.reason.find("transparency-log entry 0 does not verify: the entry is for another "
                          "DSSE payload"),
            0u)
      << v.reason;
}

// The whole bundle check: the signature, the image digest (its subject), then the log.
TEST(RealBundleTest, VerifiesWithTheLogWhenAsked) {
  struct Case {
    const char* bundle;
    const char* log;
  };
  for (const Case c : {Case{"oci-attestation.sigstore.json", "public-good-rekor.pub"},
                       Case{"othername.sigstore.json", "scaffolding-rekor.pub"}}) {
    SCOPED_TRACE(c.bundle);
    const Bundle b = LoadBundle(c.bundle);
    const std::vector<NamedKey> keys = {CertificateKey(b.certificate)};
    std::string digest;
    if (b.message_signature) {
      digest = "sha256:" + internal::Hex(b.message_signature->digest);
    } else {
      digest = "sha256:" + ParseInTotoStatement(b.dsse_envelope->payload)->subjects[0].sha256;
    }
    const NamedKey log = RekorKey(c.log);
    const NamedKey other =
        RekorKey(std::string(c.log) == "public-good-rekor.pub" ? "scaffolding-rekor.pub"
                                                               : "public-good-rekor.pub");
    Verdict v = VerifyBundle(b, digest, keys, {.required = true, .rekor_keys = {other, log}});
    EXPECT_EQ(v.outcome, Outcome::kVerified) << v.reason;
    EXPECT_EQ(v.key_name, "signer");
    v = VerifyBundle(b, digest, keys, {.required = true, .rekor_keys = {other}});
    EXPECT_EQ(v.outcome, Outcome::kTlogUnverified);
    EXPECT_EQ(v.reason, "no transparency-log entry verifies with rekor keys [" + other.name + "]");
    v = VerifyBundle(b, digest, keys, {.required = false, .rekor_keys = {other}});
    EXPECT_EQ(v.outcome, Outcome::kVerified) << "an entry of an unknown log is ignored";
    Bundle altered = b;
    altered.tlog_entries[0].integrated_time -= 3600;  // backdated
    v = VerifyBundle(altered, digest, keys, {.required = false, .rekor_keys = {log}});
    EXPECT_EQ(v.outcome, Outcome::kTlogUnverified) << "a bad entry fails, required or not";
    EXPECT_NE(v.reason.find("signed entry timestamp does not verify"), std::string::npos)
        << v.reason;
    v = VerifyBundle(altered, digest, keys);
    EXPECT_EQ(v.outcome, Outcome::kVerified) << "without a Rekor key, entries are not read";
  }
}

// cosign's legacy annotation, from cosign's signature spec: the same promise, another wrapping.
TEST(RekorBundleAnnotationTest, RealAnnotationVerifies) {
  Result<TlogEntry> e =
      ParseRekorBundleAnnotation(ReadTestdata("rekor/cosign-spec-rekor-bundle.json"));
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->log_index, 5179);
  EXPECT_EQ(e->integrated_time, 1624396085);
  const NamedKey log = RekorKey("public-good-rekor.pub");
  EXPECT_EQ(EncodeBase64(e->log_id), log.key.hint());
  Status s = VerifyInclusionPromise(*e, log.key);
  EXPECT_TRUE(s) << s.error().message;
  e->log_index = 5180;
  EXPECT_FALSE(VerifyInclusionPromise(*e, log.key));
}

TEST(RekorBundleAnnotationTest, RefusesWhatIsNotOne) {
  const json good = json::parse(ReadTestdata("rekor/cosign-spec-rekor-bundle.json"));
  struct Case {
    const char* name;
    std::function<void(json&)> edit;
    const char* error_has;
  };
  const Case cases[] = {
      {"no SET", [](json& j) { j.erase("SignedEntryTimestamp"); }, "SignedEntryTimestamp"},
      {"SET not base64", [](json& j) { j["SignedEntryTimestamp"] = "%%"; }, "not base64"},
      {"no payload", [](json& j) { j.erase("Payload"); }, "Payload: missing"},
      {"body number", [](json& j) { j["Payload"]["body"] = 1; }, "Payload.body"},
      {"time string", [](json& j) { j["Payload"]["integratedTime"] = "1"; }, "integratedTime"},
      {"index float", [](json& j) { j["Payload"]["logIndex"] = 1.5; }, "logIndex"},
      {"logID not hex", [](json& j) { j["Payload"]["logID"] = "zz"; }, "logID"},
      {"logID odd", [](json& j) { j["Payload"]["logID"] = "abc"; }, "logID"},
  };
  for (const Case& c : cases) {
    json j = good;
    c.edit(j);
    Result<TlogEntry> e = ParseRekorBundleAnnotation(j.dump());
    ASSERT_FALSE(e) << c.name;
    EXPECT_NE(e.error().message.find(c.error_has), std::string::npos)
        << c.name << ": " << e.error().message;
  }
  EXPECT_FALSE(ParseRekorBundleAnnotation("[]"));
}

}  // namespace
}  // namespace csp::signature
