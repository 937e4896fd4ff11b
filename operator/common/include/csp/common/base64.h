// Standard base64 (RFC 4648 section 4): kubeconfig *-data fields, Secret data, caBundle,
// signatures and payloads of cosign signatures.
#pragma once

#include <string>
#include <string_view>

#include "csp/common/result.h"

namespace csp {

// Decodes padded or unpadded base64; whitespace (line breaks) is skipped. Any other character
// outside the alphabet, or a length that cannot be base64, is kInvalidArgument.
Result<std::string> DecodeBase64(std::string_view text);

// Padded base64, no line breaks (what the API expects in `[]byte` fields).
std::string EncodeBase64(std::string_view bytes);

}  // namespace csp
