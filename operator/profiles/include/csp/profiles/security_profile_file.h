// A SecurityProfile from a YAML or JSON file, as `csp-agent render -f` reads it.
#pragma once

#include <string_view>

#include "csp/common/result.h"
#include "csp/profiles/security_profile.h"

namespace csp::profiles {

// Parses `text` (the contents of `file`), which must hold exactly one non-empty document, a
// SecurityProfile. Errors read "FILE:LINE: message".
Result<SecurityProfile> ParseSecurityProfileText(std::string_view text, std::string_view file);

}  // namespace csp::profiles
