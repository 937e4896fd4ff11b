// Public keys that verify cosign signatures, and the signature schemes cosign v3 produces with
// them (read from sigstore/sigstore pkg/signature GetDefaultPublicKeyDetails, cosign's
// LoadPrivateKey and internal/key/svkeypair.go, and checked against real cosign signatures in
// tests/signature/testdata):
//
//   ECDSA P-256   ASN.1 DER signature over SHA-256 of the message
//   ECDSA P-384   ASN.1 DER signature over SHA-384 (cosign v3 signs so); SHA-256 is accepted too,
//                 as `cosign verify --key` (hash flag default SHA-256) accepts it
//   RSA >= 2048   PKCS#1 v1.5 over SHA-256; RSASSA-PSS over SHA-256 (any salt length) too, which
//                 sigstore's PKIX_RSA_PSS_* algorithms produce
//   Ed25519       Ed25519ph (RFC 8032, SHA-512 prehash, empty context): what cosign v3 signs with
//                 an Ed25519 key (GetDefaultLoadOptions: WithED25519ph); pure Ed25519 too, what
//                 older cosign wrote and `cosign verify --key` checks for legacy signatures
//
// Every other key (P-521, RSA below 2048 bits, DSA, X25519, ...) is refused by ParsePublicKey.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "csp/common/result.h"

namespace csp::signature {

enum class KeyType { kEcdsaP256, kEcdsaP384, kRsa, kEd25519 };

// "ecdsa-p256", "ecdsa-p384", "rsa", "ed25519" (for messages).
std::string_view KeyTypeName(KeyType type);

// An immutable parsed key; copies share it (cheap, thread-safe to use from several threads).
class PublicKey {
 public:
  struct Key;  // the OpenSSL key, defined in public_key.cc

  explicit PublicKey(std::shared_ptr<const Key> key) : key_(std::move(key)) {}
  KeyType type() const;
  int bits() const;
  // base64(SHA-256(DER SubjectPublicKeyInfo)): the `publicKey.hint` cosign writes in bundles.
  const std::string& hint() const;
  const Key& key() const { return *key_; }

 private:
  std::shared_ptr<const Key> key_;
};

// The first PEM block of `pem`, which must be a "PUBLIC KEY" (SubjectPublicKeyInfo) of a type
// above. kInvalidArgument names what was found instead (another PEM type, an unsupported curve,
// a short RSA key, no PEM at all). Text over 64 KiB is refused unread.
Result<PublicKey> ParsePublicKey(std::string_view pem);

// True when `signature` is a valid signature of `message` by `key` under one of the schemes
// listed above for its type. Never throws; malformed signatures are simply false.
bool Verify(const PublicKey& key, std::string_view message, std::string_view signature);

// The same for a signature over a message known only by its SHA-256 digest (32 raw bytes):
// Sigstore bundles' messageSignature content. Ed25519 keys cannot verify a digest (pure Ed25519
// needs the message, Ed25519ph a SHA-512 one): false.
bool VerifySha256Digest(const PublicKey& key, std::string_view sha256, std::string_view signature);

}  // namespace csp::signature
