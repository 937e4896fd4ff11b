// NewCa, NewServingCert, ReadCert, ReadBundle, KeyMatchesCert and VerifyChain, each judged
// by the openssl command line as well as by the library itself.
#include "csp/certs/certificates.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "openssl_cli.h"

namespace csp::certs {
namespace {

using std::chrono::days;
using std::chrono::seconds;
using std::chrono::sys_days;
using std::chrono::sys_seconds;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;
using namespace test;

const sys_seconds kT0 = sys_days{std::chrono::year(2030) / 1 / 1};

KeyPair MustCa(std::string_view cn = "test-ca", sys_seconds from = kT0,
               sys_seconds to = kT0 + days(365)) {
  auto ca = NewCa(cn, from, to);
  EXPECT_TRUE(ca) << ca.error().message;
  return ca ? *ca : KeyPair{};
}

KeyPair MustServing(const KeyPair& ca, std::vector<std::string> dns = {"webhook.csp.svc"},
                    std::vector<std::string> ips = {}) {
  auto cert = NewServingCert(ca, dns, ips, kT0, kT0 + days(90));
  EXPECT_TRUE(cert) << cert.error().message;
  return cert ? *cert : KeyPair{};
}

// The line after `header` in `openssl x509 -text` output, trimmed (an extension's value).
std::string ValueAfter(const std::string& text, const std::string& header) {
  size_t at = text.find(header);
  if (at == std::string::npos) return "";
  size_t begin = text.find('\n', at) + 1;
  size_t end = text.find('\n', begin);
  std::string line = text.substr(begin, end - begin);
  return line.substr(line.find_first_not_of(' '));
}

TEST(NewCaTest, IsASelfSignedP256CaWithCriticalConstraintsAndSkid) {
  KeyPair ca = MustCa("csp-ca@1");
  auto info = ReadCert(ca.cert_pem);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_TRUE(info->is_ca);
  EXPECT_EQ(info->common_name, "csp-ca@1");
  EXPECT_EQ(info->not_before, kT0);
  EXPECT_EQ(info->not_after, kT0 + days(365));
  EXPECT_TRUE(info->dns_names.empty());

  auto text = OpenSslText(ca.cert_pem);
  ASSERT_EQ(text.exit_code, 0) << text;
  EXPECT_THAT(text.out, HasSubstr("X509v3 Basic Constraints: critical"));
  EXPECT_EQ(ValueAfter(text.out, "X509v3 Basic Constraints"), "CA:TRUE");
  EXPECT_THAT(text.out, HasSubstr("X509v3 Key Usage: critical"));
  EXPECT_EQ(ValueAfter(text.out, "X509v3 Key Usage"), "Certificate Sign, CRL Sign");
  EXPECT_THAT(text.out, HasSubstr("X509v3 Subject Key Identifier"));
  EXPECT_THAT(text.out, HasSubstr("ASN1 OID: prime256v1"));
  EXPECT_THAT(text.out, HasSubstr("Signature Algorithm: ecdsa-with-SHA256"));
  EXPECT_THAT(text.out, HasSubstr("Issuer: CN = csp-ca@1"));
  EXPECT_THAT(ca.key_pem, HasSubstr("-----BEGIN PRIVATE KEY-----"));  // PKCS#8

  EXPECT_TRUE(KeyMatchesCert(ca.cert_pem, ca.key_pem));
  EXPECT_NE(PublicKeyOfCert(ca.cert_pem), "");
  EXPECT_EQ(PublicKeyOfCert(ca.cert_pem), PublicKeyOfKey(ca.key_pem));
}

TEST(NewCaTest, EveryCaHasItsOwnKeyAndSerial) {
  KeyPair a = MustCa(), b = MustCa();
  EXPECT_NE(PublicKeyOfKey(a.key_pem), PublicKeyOfKey(b.key_pem));
  EXPECT_NE(ValueAfter(OpenSslText(a.cert_pem).out, "Serial Number"),
            ValueAfter(OpenSslText(b.cert_pem).out, "Serial Number"));
  EXPECT_FALSE(KeyMatchesCert(a.cert_pem, b.key_pem));
}

TEST(NewCaTest, RefusesBadArguments) {
  EXPECT_EQ(NewCa("", kT0, kT0 + 1h).error().code, Code::kInvalidArgument);
  EXPECT_EQ(NewCa(std::string(65, 'a'), kT0, kT0 + 1h).error().code, Code::kInvalidArgument);
  EXPECT_EQ(NewCa("ca", kT0, kT0).error().code, Code::kInvalidArgument);
}

struct SanCase {
  const char* name;
  std::vector<std::string> dns_names, ip_addresses;
  std::vector<std::string> want_dns, want_ips;  // as ReadCert reports them
  std::vector<std::string> want_text;           // in `openssl x509 -text`
};
void PrintTo(const SanCase& c, std::ostream* os) { *os << c.name; }

const SanCase kSanCases[] = {
    {"dns_names",
     {"csp-webhook.csp-system.svc", "csp-webhook.csp-system.svc.cluster.local"},
     {},
     {"csp-webhook.csp-system.svc", "csp-webhook.csp-system.svc.cluster.local"},
     {},
     {"DNS:csp-webhook.csp-system.svc, DNS:csp-webhook.csp-system.svc.cluster.local",
      "Subject: CN = csp-webhook.csp-system.svc"}},
    {"ipv4", {}, {"127.0.0.1"}, {}, {"127.0.0.1"}, {"IP Address:127.0.0.1"}},
    {"ipv6",
     {},
     {"::1", "fd00:0:0::7"},
     {},
     {"::1", "fd00::7"},
     {"IP Address:0:0:0:0:0:0:0:1, IP Address:FD00:0:0:0:0:0:0:7"}},
    {"ip_literal_among_dns_names",
     {"localhost", "10.0.0.7"},
     {"127.0.0.1"},
     {"localhost"},
     {"10.0.0.7", "127.0.0.1"},
     {"DNS:localhost, IP Address:10.0.0.7, IP Address:127.0.0.1"}},
    {"long_first_name_is_no_cn",
     {std::string(70, 'a') + ".example"},
     {},
     {std::string(70, 'a') + ".example"},
     {},
     {"Subject: CN = csp-operator-webhook"}},
};

class ServingCertTest : public ::testing::TestWithParam<SanCase> {};

TEST_P(ServingCertTest, CarriesSansAndServerUsageAndVerifies) {
  const SanCase& c = GetParam();
  KeyPair ca = MustCa();
  KeyPair cert = MustServing(ca, c.dns_names, c.ip_addresses);

  auto info = ReadCert(cert.cert_pem);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_FALSE(info->is_ca);
  EXPECT_THAT(info->dns_names, ElementsAreArray(c.want_dns));
  EXPECT_THAT(info->ip_addresses, ElementsAreArray(c.want_ips));
  EXPECT_EQ(info->not_before, kT0);
  EXPECT_EQ(info->not_after, kT0 + days(90));

  auto text = OpenSslText(cert.cert_pem);
  ASSERT_EQ(text.exit_code, 0) << text;
  for (const std::string& want : c.want_text) EXPECT_THAT(text.out, HasSubstr(want));
  EXPECT_THAT(text.out, HasSubstr("X509v3 Basic Constraints: critical"));
  EXPECT_EQ(ValueAfter(text.out, "X509v3 Basic Constraints"), "CA:FALSE");
  EXPECT_THAT(text.out, HasSubstr("X509v3 Key Usage: critical"));
  EXPECT_EQ(ValueAfter(text.out, "X509v3 Key Usage"), "Digital Signature");
  EXPECT_EQ(ValueAfter(text.out, "X509v3 Extended Key Usage"), "TLS Web Server Authentication");
  EXPECT_THAT(text.out, HasSubstr("Issuer: CN = test-ca"));
  // The AKID names the CA's SKID: clients pick the right CA among same-named ones.
  const std::string skid = ValueAfter(OpenSslText(ca.cert_pem).out, "Subject Key Identifier");
  ASSERT_FALSE(skid.empty());
  EXPECT_THAT(ValueAfter(text.out, "Authority Key Identifier"), HasSubstr(skid));

  EXPECT_TRUE(KeyMatchesCert(cert.cert_pem, cert.key_pem));
  EXPECT_EQ(PublicKeyOfCert(cert.cert_pem), PublicKeyOfKey(cert.key_pem));
  EXPECT_FALSE(KeyMatchesCert(cert.cert_pem, ca.key_pem));

  Status verified = VerifyChain(cert.cert_pem, ca.cert_pem, kT0 + days(1));
  EXPECT_TRUE(verified) << verified.error().message;
  auto cli = OpenSslVerify(cert.cert_pem, ca.cert_pem, kT0 + days(1));
  EXPECT_EQ(cli.exit_code, 0) << cli;
}

INSTANTIATE_TEST_SUITE_P(Sans, ServingCertTest, ::testing::ValuesIn(kSanCases),
                         [](const auto& info) { return std::string(info.param.name); });

struct VerifyCase {
  const char* name;
  seconds at;  // after kT0
  bool with_other_ca_first;
  bool want_ok;
};
void PrintTo(const VerifyCase& c, std::ostream* os) { *os << c.name; }

const VerifyCase kVerifyCases[] = {
    {"inside", days(10), false, true},           {"first_second", 0s, false, true},
    {"last_second", days(90) - 1s, false, true}, {"before", -1s, false, false},
    {"after", days(90) + 1s, false, false},      {"found_in_a_bundle", days(10), true, true},
};

class VerifyChainTest : public ::testing::TestWithParam<VerifyCase> {};

TEST_P(VerifyChainTest, AgreesWithOpenSslVerify) {
  const VerifyCase& c = GetParam();
  KeyPair ca = MustCa();
  KeyPair cert = MustServing(ca);
  std::string bundle = c.with_other_ca_first ? MustCa("other").cert_pem + ca.cert_pem : ca.cert_pem;
  EXPECT_EQ(VerifyChain(cert.cert_pem, bundle, kT0 + c.at).ok(), c.want_ok);
  EXPECT_EQ(OpenSslVerify(cert.cert_pem, bundle, kT0 + c.at).exit_code == 0, c.want_ok);
}

INSTANTIATE_TEST_SUITE_P(Times, VerifyChainTest, ::testing::ValuesIn(kVerifyCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(VerifyChainTest, RefusesALeafOfAnotherCa) {
  KeyPair cert = MustServing(MustCa());
  std::string other = MustCa().cert_pem;  // same name, other key
  Status s = VerifyChain(cert.cert_pem, other, kT0 + days(1));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Code::kFailedPrecondition);
  EXPECT_NE(OpenSslVerify(cert.cert_pem, other, kT0 + days(1)).exit_code, 0);
}

TEST(VerifyChainTest, RefusesACaAsServingCertificate) {
  KeyPair ca = MustCa();
  EXPECT_FALSE(VerifyChain(ca.cert_pem, ca.cert_pem, kT0 + days(1)));
  EXPECT_NE(OpenSslVerify(ca.cert_pem, ca.cert_pem, kT0 + days(1)).exit_code, 0);
}

TEST(VerifyChainTest, RefusesALeafWhoseCaExpired) {
  KeyPair ca = MustCa("short", kT0, kT0 + days(30));
  KeyPair cert = MustServing(ca);  // outlives its CA
  EXPECT_TRUE(VerifyChain(cert.cert_pem, ca.cert_pem, kT0 + days(29)));
  EXPECT_FALSE(VerifyChain(cert.cert_pem, ca.cert_pem, kT0 + days(31)));
  EXPECT_NE(OpenSslVerify(cert.cert_pem, ca.cert_pem, kT0 + days(31)).exit_code, 0);
}

TEST(ServingCertTest, RefusesBadArguments) {
  KeyPair ca = MustCa();
  KeyPair other = MustCa();
  const std::vector<std::string> dns = {"a.svc"};
  const std::vector<std::string> none;
  struct Bad {
    const char* name;
    KeyPair ca;
    std::vector<std::string> dns, ips;
    sys_seconds to;
  };
  const Bad bad[] = {
      {"no_san", ca, {}, {}, kT0 + days(1)},
      {"ip_not_literal", ca, {}, {"example.com"}, kT0 + days(1)},
      {"ip_with_nul", ca, {}, {std::string("1.2.3.4\0x", 9)}, kT0 + days(1)},
      {"dns_with_space", ca, {"a b"}, {}, kT0 + days(1)},
      {"dns_empty", ca, {""}, {}, kT0 + days(1)},
      {"dns_not_ascii", ca, {"caf\xc3\xa9.svc"}, {}, kT0 + days(1)},
      {"ca_key_of_another_ca", {ca.cert_pem, other.key_pem}, dns, {}, kT0 + days(1)},
      {"ca_not_a_ca", MustServing(ca), dns, {}, kT0 + days(1)},
      {"ca_garbage", {"x", "y"}, dns, {}, kT0 + days(1)},
      {"empty_lifetime", ca, dns, {}, kT0},
  };
  for (const Bad& b : bad) {
    auto cert = NewServingCert(b.ca, b.dns, b.ips, kT0, b.to);
    ASSERT_FALSE(cert) << b.name;
    EXPECT_EQ(cert.error().code, Code::kInvalidArgument) << b.name << ": " << cert.error().message;
  }
}

TEST(ReadBundleTest, ReadsEveryCertificateInOrder) {
  KeyPair a = MustCa("a"), b = MustCa("b");
  auto infos = ReadBundle(a.cert_pem + b.cert_pem);
  ASSERT_TRUE(infos) << infos.error().message;
  ASSERT_EQ(infos->size(), 2u);
  EXPECT_EQ((*infos)[0].common_name, "a");
  EXPECT_EQ((*infos)[1].common_name, "b");
  auto first = ReadCert(a.cert_pem + b.cert_pem);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->common_name, "a");
}

TEST(ReadBundleTest, SkipsOtherPemBlocks) {
  KeyPair a = MustCa("a");
  auto infos = ReadBundle(a.key_pem + a.cert_pem);
  ASSERT_TRUE(infos) << infos.error().message;
  EXPECT_EQ(infos->size(), 1u);
}

}  // namespace
}  // namespace csp::certs
