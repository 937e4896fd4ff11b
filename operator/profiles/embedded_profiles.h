// The profile sources of operator/profiles/defaults/, compiled in by embed_text.cmake.
#pragma once

#include <string_view>

namespace csp::profiles::embedded {

extern const std::string_view kDefaultSeccompSource;  // csp-default.seccomp.yaml
extern const std::string_view kDefaultAppArmor;       // csp-default.apparmor

}  // namespace csp::profiles::embedded
