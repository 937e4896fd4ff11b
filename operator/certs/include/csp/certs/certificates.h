// X.509 certificates for the admission webhook: a self-signed CA, a serving certificate issued
// by it, reading certificates back and verifying a leaf against a bundle of CAs.
// Everything is in memory (PEM strings in, PEM strings out): no files, no clock (times are
// passed in), no logging. Keys are ECDSA P-256 from OpenSSL's RNG, written as PKCS#8 PEM
// ("BEGIN PRIVATE KEY"), which Go's crypto/tls (the API server) and OpenSSL both read.
// OpenSSL stays behind this header: nothing here includes it.
#pragma once

#include <chrono>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "csp/common/result.h"

namespace csp::certs {

struct KeyPair {
  std::string cert_pem = {};
  std::string key_pem = {};
};

struct CertInfo {
  std::chrono::sys_seconds not_before = {};
  std::chrono::sys_seconds not_after = {};
  bool is_ca = false;  // basicConstraints CA:TRUE
  std::string common_name = {};
  std::vector<std::string> dns_names = {};     // DNS subjectAltNames, in certificate order
  std::vector<std::string> ip_addresses = {};  // IP subjectAltNames, canonical text ("::1")
};

// A self-signed CA: ECDSA P-256, basicConstraints CA:TRUE (critical), keyUsage keyCertSign and
// cRLSign (critical), subject key identifier, random 127-bit serial. Signed with SHA-256.
Result<KeyPair> NewCa(std::string_view common_name, std::chrono::sys_seconds not_before,
                      std::chrono::sys_seconds not_after);

// A serving certificate issued by `ca`: ECDSA P-256, CA:FALSE (critical), keyUsage
// digitalSignature (critical), extendedKeyUsage serverAuth, authority key identifier, random
// serial. SANs: every dns_names entry (one that is an IP literal becomes an IP SAN) and every
// ip_addresses entry (kInvalidArgument if one is not an IPv4/IPv6 literal). At least one SAN
// is required. The subject CN is the first SAN. not_after is not clamped to the CA's.
Result<KeyPair> NewServingCert(const KeyPair& ca, std::span<const std::string> dns_names,
                               std::span<const std::string> ip_addresses,
                               std::chrono::sys_seconds not_before,
                               std::chrono::sys_seconds not_after);

// The first certificate of a PEM text (other PEM blocks before it are skipped).
// kInvalidArgument for anything else: empty, DER, truncated, garbage, over 1 MiB.
Result<CertInfo> ReadCert(std::string_view pem);
// Every certificate of a PEM bundle, in order; kInvalidArgument when there is none or one of
// them is malformed.
Result<std::vector<CertInfo>> ReadBundle(std::string_view pem);

// OK when the key is readable and is the private key of the (first) certificate.
Status KeyMatchesCert(std::string_view cert_pem, std::string_view key_pem);

// OK when the first certificate of leaf_pem is signed by a CA of ca_bundle_pem, both valid at
// `at`, and the leaf may serve TLS (OpenSSL's "sslserver" purpose: serverAuth EKU). The
// message names OpenSSL's reason otherwise.
Status VerifyChain(std::string_view leaf_pem, std::string_view ca_bundle_pem,
                   std::chrono::sys_seconds at);

}  // namespace csp::certs
