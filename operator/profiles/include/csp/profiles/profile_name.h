// Profile names become file names under the agent's folders (and, for AppArmor, kernel profile
// names), so a name must not be able to leave its folder or hide among the agent's temp files.
#pragma once

#include <cstddef>
#include <string_view>

#include "csp/common/result.h"

namespace csp::profiles {

// ".json" must still fit in one file name (NAME_MAX is 255 bytes).
inline constexpr std::size_t kMaxProfileNameBytes = 250;

// Refuses, with a message naming the rule: an empty name; one longer than kMaxProfileNameBytes;
// one holding '/', NUL, "..", a control character or whitespace; one starting with '.' (the
// writer's temp files are hidden files). Everything a Kubernetes object name can be passes.
Status ValidateProfileName(std::string_view name);

}  // namespace csp::profiles
