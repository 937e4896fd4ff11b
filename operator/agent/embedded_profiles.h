// The profile sources of operator/agent/profiles/, compiled in by embed_text.cmake.
#pragma once

#include <string_view>

namespace csp::agent::embedded {

extern const std::string_view kDefaultSeccompSource;  // csp-default.seccomp.yaml
extern const std::string_view kDefaultAppArmor;       // csp-default.apparmor

}  // namespace csp::agent::embedded
