// Private to csp::signature: Ed25519 (RFC 8032) verification with a domain prefix, for Ed25519ph,
// which cosign v3 signs with and OpenSSL 3.0 lacks (3.2 added it). Arithmetic on OpenSSL
// BIGNUMs in extended twisted Edwards coordinates; not constant time, which verification of
// public data does not need. The check is Go's crypto/ed25519 one (cofactorless: the encoding
// of [S]B - [k]A must equal R), so that what cosign verifies this verifies.
#pragma once

#include <string>
#include <string_view>

namespace csp::signature::internal {

// dom2(1, ""): the prefix of Ed25519ph with an empty context (RFC 8032 section 5.1).
inline constexpr std::string_view kEd25519phDom{"SigEd25519 no Ed25519 collisions\x01\x00", 34};

// RFC 8032 section 5.1.7 with `dom` hashed first: "" is pure Ed25519 over `message`, kEd25519phDom
// with `message` = SHA-512(M) is Ed25519ph over M. False for keys of other than 32 bytes,
// signatures of other than 64, non-canonical S, or a key that does not decode to a point.
bool VerifyEd25519(std::string_view public_key, std::string_view dom, std::string_view message,
                   std::string_view signature);

// RFC 8032 section 5.1.6 signing from a 32-byte seed: for tests, which need Ed25519ph
// signatures that OpenSSL 3.0 cannot make (pure ones match OpenSSL's byte for byte).
std::string SignEd25519(std::string_view seed, std::string_view dom, std::string_view message);

// The public key (32 bytes) of a seed.
std::string Ed25519PublicKey(std::string_view seed);

}  // namespace csp::signature::internal
