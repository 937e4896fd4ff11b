// Private to csp::signature: Ed25519ph verification, which cosign v3 signs Ed25519 keys with and
// OpenSSL 3.0 lacks (3.2 added it). libsodium's multi-part signature API is exactly Ed25519ph
// (RFC 8032 section 5.1: SHA-512 prehash, dom2 with an empty context), so nothing is hand-written.
#pragma once

#include <string_view>

namespace csp::signature::internal {

// Whether `signature` (64 bytes) is an Ed25519ph signature of `message` (hashed here) by
// `public_key` (the 32 raw bytes, as EVP_PKEY_get_raw_public_key gives them). False for other
// sizes, a non-canonical S or key, and (beyond RFC 8032, as libsodium checks) small-order keys
// and R values: no honest signer makes them, and a small-order key would verify forgeries.
bool VerifyEd25519ph(std::string_view public_key, std::string_view message,
                     std::string_view signature);

// Whether the 32 raw bytes are a canonical Ed25519 point of the main subgroup (libsodium's
// crypto_core_ed25519_is_valid_point): keys failing it are refused when parsed, for every
// Ed25519 scheme, since a small-order key verifies forged signatures under plain Ed25519.
bool IsValidEd25519Key(std::string_view public_key);

}  // namespace csp::signature::internal
