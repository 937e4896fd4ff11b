#include "csp/profiles/profile_kind.h"

namespace csp::profiles {

std::string_view ProfileKindName(ProfileKind kind) {
  return kind == ProfileKind::kSeccomp ? "Seccomp" : "AppArmor";
}

}  // namespace csp::profiles
