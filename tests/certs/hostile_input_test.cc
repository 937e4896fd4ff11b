// Hostile PEM text: every reader answers kInvalidArgument (never crashes, never prompts for
// a passphrase) and leaves OpenSSL's error queue empty for the next caller.
#include <gtest/gtest.h>
#include <openssl/err.h>

#include "csp/certs/certificates.h"
#include "subprocess.h"

namespace csp::certs {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

const std::chrono::sys_seconds kT0 = sys_days{std::chrono::year(2030) / 1 / 1};

struct Valid {
  KeyPair ca, leaf;
};

const Valid& Pems() {
  static const Valid* valid = [] {
    auto ca = NewCa("hostile", kT0, kT0 + days(10));
    std::vector<std::string> dns = {"a.svc"};
    auto leaf = NewServingCert(*ca, dns, {}, kT0, kT0 + days(5));
    return new Valid{*ca, *leaf};
  }();
  return *valid;
}

std::string Der(const std::string& pem) {
  return csp::test::Run({"openssl", "x509", "-outform", "DER"}, pem).out;
}

std::string EncryptedKey(const std::string& key_pem) {
  return csp::test::Run({"openssl", "pkey", "-aes256", "-passout", "pass:secret"}, key_pem).out;
}

std::vector<std::pair<std::string, std::string>> HostileCerts() {
  const std::string& pem = Pems().ca.cert_pem;
  return {
      {"empty", ""},
      {"garbage", "hello, I am not a certificate"},
      {"der", Der(pem)},
      {"truncated_half", pem.substr(0, pem.size() / 2)},
      {"no_end_line", pem.substr(0, pem.find("-----END"))},
      {"armor_only", "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"},
      {"base64_garbage", "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"},
      {"body_not_der", "-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n"},
      {"damaged_begin_line", std::string(pem).replace(pem.find("CERTIFICATE"), 11, "CERTIFICAT")},
      {"nul_bytes", std::string(64, '\0')},
      {"nul_inside", pem.substr(0, 40) + std::string(1, '\0') + pem.substr(41)},
      {"key_only", Pems().ca.key_pem},
      {"second_truncated", pem + pem.substr(0, pem.size() - 30)},
      {"over_a_mebibyte", std::string(2 << 20, 'A')},
  };
}

TEST(HostileInputTest, ReadersRefuseMalformedCertificates) {
  for (const auto& [name, text] : HostileCerts()) {
    SCOPED_TRACE(name);
    auto cert = ReadCert(text);
    ASSERT_FALSE(cert);
    EXPECT_EQ(cert.error().code, Code::kInvalidArgument) << cert.error().message;
    EXPECT_FALSE(cert.error().message.empty());
    auto bundle = ReadBundle(text);
    ASSERT_FALSE(bundle);
    EXPECT_EQ(bundle.error().code, Code::kInvalidArgument);
    EXPECT_FALSE(VerifyChain(text, Pems().ca.cert_pem, kT0 + days(1)));
    EXPECT_FALSE(VerifyChain(Pems().leaf.cert_pem, text, kT0 + days(1)));
    EXPECT_FALSE(KeyMatchesCert(text, Pems().ca.key_pem));
    EXPECT_EQ(ERR_peek_error(), 0u);
  }
}

TEST(HostileInputTest, KeyReadersRefuseMalformedKeys) {
  const std::string& key = Pems().ca.key_pem;
  const std::string encrypted = EncryptedKey(key);
  ASSERT_NE(encrypted.find("ENCRYPTED"), std::string::npos);
  const std::pair<std::string, std::string> keys[] = {
      {"empty", ""},
      {"garbage", "not a key"},
      {"truncated", key.substr(0, key.size() / 2)},
      {"cert_instead", Pems().ca.cert_pem},
      {"encrypted", encrypted},  // must not prompt for a passphrase
  };
  for (const auto& [name, text] : keys) {
    SCOPED_TRACE(name);
    Status s = KeyMatchesCert(Pems().ca.cert_pem, text);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, Code::kInvalidArgument) << s.error().message;
    auto issued = NewServingCert({Pems().ca.cert_pem, text}, std::vector<std::string>{"a.svc"}, {},
                                 kT0, kT0 + days(1));
    EXPECT_FALSE(issued);
    EXPECT_EQ(ERR_peek_error(), 0u);
  }
}

TEST(HostileInputTest, TheValidInputsOfTheseTablesAreRead) {
  // Proves the tables above fail for the damage, not for a broken fixture.
  EXPECT_TRUE(ReadCert(Pems().ca.cert_pem));
  EXPECT_TRUE(ReadBundle(Pems().ca.cert_pem + Pems().ca.cert_pem));
  EXPECT_TRUE(KeyMatchesCert(Pems().ca.cert_pem, Pems().ca.key_pem));
  EXPECT_TRUE(VerifyChain(Pems().leaf.cert_pem, Pems().ca.cert_pem, kT0 + days(1)));
}

}  // namespace
}  // namespace csp::certs
