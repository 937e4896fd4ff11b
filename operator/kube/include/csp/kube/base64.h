// Standard base64 (RFC 4648 section 4) decoding for kubeconfig *-data fields.
#pragma once

#include <string>
#include <string_view>

#include "csp/common/result.h"

namespace csp::kube {

// Decodes padded or unpadded base64; whitespace (line breaks) is skipped. Any other character
// outside the alphabet, or a length that cannot be base64, is kInvalidArgument.
Result<std::string> DecodeBase64(std::string_view text);

}  // namespace csp::kube
