// NewCa and NewServingCert: one Build() fills a certificate from a template; the two differ
// only in their extensions and issuer.
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>

#include "csp/certs/certificates.h"
#include "x509.h"

namespace csp::certs {
namespace {

using internal::OpenSslError;
using internal::PkeyPtr;
using internal::X509Ptr;

// ub-common-name (RFC 5280): a longer first SAN cannot be the subject's CN.
constexpr size_t kMaxCommonName = 64;
constexpr char kFallbackCommonName[] = "csp-operator-webhook";

struct GeneralNamesFree {
  void operator()(GENERAL_NAMES* names) const { GENERAL_NAMES_free(names); }
};
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, GeneralNamesFree>;

Result<PkeyPtr> NewKey() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return OpenSslError(Code::kInternal, "generating an ECDSA P-256 key");
  return key;
}

// A conventional extension (from its openssl.cnf text) added to `cert`; `issuer` is the
// certificate that the authority key identifier refers to.
Status AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value);
  const bool added = ext != nullptr && X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  if (!added) return OpenSslError(Code::kInternal, std::string("adding extension ") + value);
  return {};
}

// A fresh certificate with version 3, a random positive serial below 2^127, the times, the
// subject CN and the public key of `key`; extensions, issuer and signature are the caller's.
Result<X509Ptr> Build(std::string_view common_name, const EVP_PKEY* key,
                      std::chrono::sys_seconds not_before, std::chrono::sys_seconds not_after) {
  if (not_after <= not_before) return InvalidArgument("not_after must be after not_before");
  X509Ptr cert(X509_new());
  std::unique_ptr<BIGNUM, decltype(&BN_free)> serial(BN_new(), &BN_free);
  const std::string cn(common_name);
  const bool ok =
      cert && serial && X509_set_version(cert.get(), X509_VERSION_3) == 1 &&
      BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) != nullptr &&
      ASN1_TIME_set(X509_getm_notBefore(cert.get()), not_before.time_since_epoch().count()) &&
      ASN1_TIME_set(X509_getm_notAfter(cert.get()), not_after.time_since_epoch().count()) &&
      X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                 0) == 1 &&
      X509_set_pubkey(cert.get(), const_cast<EVP_PKEY*>(key)) == 1;
  if (!ok) return OpenSslError(Code::kInternal, "building certificate \"" + cn + "\"");
  return cert;
}

Result<KeyPair> SignAndEncode(X509* cert, const EVP_PKEY* signer, const EVP_PKEY* key) {
  if (X509_sign(cert, const_cast<EVP_PKEY*>(signer), EVP_sha256()) <= 0) {
    return OpenSslError(Code::kInternal, "signing certificate");
  }
  CSP_TRY(std::string cert_pem, internal::CertToPem(cert));
  CSP_TRY(std::string key_pem, internal::KeyToPem(key));
  return KeyPair{.cert_pem = std::move(cert_pem), .key_pem = std::move(key_pem)};
}

// A DNS SAN must be IA5 text: printable ASCII without spaces (no wildcard checks; the client
// judges names).
bool IsDnsName(std::string_view name) {
  return !name.empty() &&
         std::all_of(name.begin(), name.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

Status AddDnsName(GENERAL_NAMES* names, const std::string& dns) {
  if (!IsDnsName(dns)) return InvalidArgument("invalid DNS name \"" + dns + "\"");
  GENERAL_NAME* name = GENERAL_NAME_new();
  ASN1_IA5STRING* text = ASN1_IA5STRING_new();
  if (name == nullptr || text == nullptr ||
      ASN1_STRING_set(text, dns.data(), static_cast<int>(dns.size())) != 1) {
    GENERAL_NAME_free(name);
    ASN1_IA5STRING_free(text);
    return OpenSslError(Code::kInternal, "DNS name");
  }
  GENERAL_NAME_set0_value(name, GEN_DNS, text);
  sk_GENERAL_NAME_push(names, name);
  return {};
}

Status AddIp(GENERAL_NAMES* names, ASN1_OCTET_STRING* ip) {
  GENERAL_NAME* name = GENERAL_NAME_new();
  if (name == nullptr) {
    ASN1_OCTET_STRING_free(ip);
    return OpenSslError(Code::kInternal, "IP name");
  }
  GENERAL_NAME_set0_value(name, GEN_IPADD, ip);
  sk_GENERAL_NAME_push(names, name);
  return {};
}

Result<GeneralNamesPtr> SubjectAltNames(std::span<const std::string> dns_names,
                                        std::span<const std::string> ip_addresses) {
  GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) return OpenSslError(Code::kInternal, "GENERAL_NAMES");
  for (const std::string& dns : dns_names) {
    // a2i_IPADDRESS parses IPv4 and IPv6 literals only; anything else is a DNS name.
    const bool has_nul = dns.find('\0') != std::string::npos;
    if (ASN1_OCTET_STRING* ip = has_nul ? nullptr : a2i_IPADDRESS(dns.c_str()); ip != nullptr) {
      if (Status s = AddIp(names.get(), ip); !s) return s.error();
    } else if (Status s = AddDnsName(names.get(), dns); !s) {
      return s.error();
    }
  }
  for (const std::string& text : ip_addresses) {
    ASN1_OCTET_STRING* ip = a2i_IPADDRESS(text.c_str());
    if (ip == nullptr || text.find('\0') != std::string::npos) {
      ASN1_OCTET_STRING_free(ip);
      ERR_clear_error();
      return InvalidArgument("\"" + text + "\" is not an IPv4 or IPv6 address");
    }
    if (Status s = AddIp(names.get(), ip); !s) return s.error();
  }
  ERR_clear_error();
  if (sk_GENERAL_NAME_num(names.get()) == 0) {
    return InvalidArgument("a serving certificate needs at least one DNS name or IP address");
  }
  return names;
}

}  // namespace

Result<KeyPair> NewCa(std::string_view common_name, std::chrono::sys_seconds not_before,
                      std::chrono::sys_seconds not_after) {
  ERR_clear_error();
  if (common_name.empty() || common_name.size() > kMaxCommonName) {
    return InvalidArgument("a CA common name has 1 to 64 characters");
  }
  CSP_TRY(PkeyPtr key, NewKey());
  CSP_TRY(X509Ptr cert, Build(common_name, key.get(), not_before, not_after));
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())) != 1) {
    return OpenSslError(Code::kInternal, "issuer name");
  }
  for (auto [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:TRUE"},
                            std::pair{NID_key_usage, "critical,keyCertSign,cRLSign"},
                            std::pair{NID_subject_key_identifier, "hash"}}) {
    if (Status s = AddExtension(cert.get(), cert.get(), nid, value); !s) return s.error();
  }
  return SignAndEncode(cert.get(), key.get(), key.get());
}

Result<KeyPair> NewServingCert(const KeyPair& ca, std::span<const std::string> dns_names,
                               std::span<const std::string> ip_addresses,
                               std::chrono::sys_seconds not_before,
                               std::chrono::sys_seconds not_after) {
  ERR_clear_error();
  CSP_TRY(std::vector<X509Ptr> ca_certs, internal::ParseCerts(ca.cert_pem));
  CSP_TRY(PkeyPtr ca_key, internal::ParseKey(ca.key_pem));
  X509* ca_cert = ca_certs.front().get();
  if (!internal::KeyMatches(ca_cert, ca_key.get())) {
    return InvalidArgument("the CA key does not match the CA certificate");
  }
  if (!internal::InfoOf(ca_cert).is_ca) return InvalidArgument("the CA certificate is no CA");
  CSP_TRY(GeneralNamesPtr sans, SubjectAltNames(dns_names, ip_addresses));
  const std::string first = dns_names.empty() ? ip_addresses.front() : dns_names.front();
  const std::string cn = first.size() <= kMaxCommonName ? first : kFallbackCommonName;

  CSP_TRY(PkeyPtr key, NewKey());
  CSP_TRY(X509Ptr cert, Build(cn, key.get(), not_before, not_after));
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert)) != 1) {
    return OpenSslError(Code::kInternal, "issuer name");
  }
  for (auto [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:FALSE"},
                            std::pair{NID_key_usage, "critical,digitalSignature"},
                            std::pair{NID_ext_key_usage, "serverAuth"},
                            std::pair{NID_authority_key_identifier, "keyid:always"}}) {
    if (Status s = AddExtension(cert.get(), ca_cert, nid, value); !s) return s.error();
  }
  if (X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, sans.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return OpenSslError(Code::kInternal, "subjectAltName");
  }
  return SignAndEncode(cert.get(), ca_key.get(), key.get());
}

}  // namespace csp::certs
