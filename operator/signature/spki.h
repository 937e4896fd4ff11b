// Private to csp::signature: which key a PEM text names, for comparing a transparency-log
// entry's key with the key that verified.
#pragma once

#include <string>
#include <string_view>

#include "csp/common/result.h"

namespace csp::signature::internal {

// SHA-256 of the DER SubjectPublicKeyInfo of the first PEM block of `pem`: a "PUBLIC KEY", or a
// "CERTIFICATE"'s subject key (the certificate is only read, not validated). kInvalidArgument
// for anything else.
Result<std::string> SpkiSha256OfPem(std::string_view pem);

}  // namespace csp::signature::internal
