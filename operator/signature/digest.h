// Private to csp::signature: one-shot hashes and hex, over OpenSSL's EVP_Digest.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace csp::signature::internal {

// The raw SHA-256 digest (32 bytes).
std::string Sha256(std::string_view bytes);

// Lower-case hex of raw bytes.
std::string Hex(std::string_view bytes);

// The bytes of hex digits (either case); nullopt for an odd length or another character.
std::optional<std::string> Unhex(std::string_view hex);

}  // namespace csp::signature::internal
