#include "csp/agent/profile_kind.h"

namespace csp::agent {

std::string_view ProfileKindName(ProfileKind kind) {
  return kind == ProfileKind::kSeccomp ? "Seccomp" : "AppArmor";
}

}  // namespace csp::agent
