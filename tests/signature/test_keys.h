// Keys made with OpenSSL for the tests, and signatures made the way cosign v3 makes them with
// such keys (see csp/signature/public_key.h), so the verifier is judged by an independent signer.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "csp/signature/verdict.h"

namespace csp::signature::testing {

enum class Scheme {
  kDefault,      // what cosign v3 signs with: SHA-256/384 ECDSA, PKCS#1 v1.5, Ed25519ph
  kAlternative,  // also accepted: P-384 over SHA-256, RSA-PSS, pure Ed25519
};

class TestKey {
 public:
  // "p256", "p384", "rsa" (2048 bits), "ed25519"; also "p521", "rsa1024" and "x25519" for
  // keys the verifier must refuse.
  static TestKey Generate(std::string_view kind);

  std::string PublicPem() const;
  // The signature of `message`; aborts the test binary on an OpenSSL failure.
  std::string Sign(std::string_view message, Scheme scheme = Scheme::kDefault) const;
  // A signature over an already computed SHA-256 digest (messageSignature bundles).
  std::string SignSha256Digest(std::string_view digest) const;
  // The parsed public key, named `name`.
  NamedKey Named(std::string name) const;

 private:
  std::string kind_;
  std::shared_ptr<void> pkey_;  // EVP_PKEY
};

// The Ed25519ph signature of `message` by the key of a 32-byte seed, made with libsodium
// (OpenSSL 3.0 cannot make one); held to RFC 8032's vector in ed25519ph_test.cc.
std::string SignEd25519ph(std::string_view seed, std::string_view message);

}  // namespace csp::signature::testing
