// Private to csp::signature: one-shot hashes and hex, over OpenSSL's EVP_Digest.
#pragma once

#include <string>
#include <string_view>

namespace csp::signature::internal {

// Raw digests (32 and 64 bytes).
std::string Sha256(std::string_view bytes);
std::string Sha512(std::string_view bytes);

// Lower-case hex of raw bytes.
std::string Hex(std::string_view bytes);

}  // namespace csp::signature::internal
