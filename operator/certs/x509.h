// Private to csp::certs: OpenSSL objects with owners, and the parsing, encoding and inspection
// that the public functions share. Every function leaves OpenSSL's thread-local error queue
// empty, so that a failure here never shows up as the reason of an unrelated later call.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "csp/certs/certificates.h"
#include "csp/common/result.h"

namespace csp::certs::internal {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// Larger PEM input is refused before OpenSSL sees it (a Secret holds at most 1 MiB anyway).
inline constexpr size_t kMaxPemBytes = 1 << 20;

// "<what>: <OpenSSL's last reason>", and the error queue emptied.
Error OpenSslError(Code code, std::string_view what);

// Every certificate of a PEM text, in order; kInvalidArgument when none or one is malformed.
Result<std::vector<X509Ptr>> ParseCerts(std::string_view pem);
// The first private key of a PEM text (PKCS#8 or traditional; encrypted keys are refused).
Result<PkeyPtr> ParseKey(std::string_view pem);

Result<std::string> CertToPem(const X509* cert);
Result<std::string> KeyToPem(const EVP_PKEY* key);

// The text InfoOf gives an IP SAN ("10.0.0.1", "fd00::1"), or nullopt for no IP literal.
std::optional<std::string> CanonicalIp(const std::string& text);

// OpenSSL could not parse an extension: the CA flag, key usage and SANs would be guesses.
bool HasInvalidExtensions(X509* cert);
CertInfo InfoOf(X509* cert);  // not const: OpenSSL caches the parsed extensions in it
bool KeyMatches(const X509* cert, const EVP_PKEY* key);
// `cert` names `ca` as issuer and carries a valid signature by its key (times not checked).
bool IssuedBy(const X509* cert, const X509* ca);

}  // namespace csp::certs::internal
