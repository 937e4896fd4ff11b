#include "csp/profiles/profile_kind.h"

#include "csp/names/names.h"

namespace csp::profiles {

std::string_view ProfileKindName(ProfileKind kind) {
  return kind == ProfileKind::kSeccomp ? names::kSeccompType : names::kAppArmorType;
}

}  // namespace csp::profiles
