// What the agent installs: one file per profile, of one of two kinds.
#pragma once

#include <string>
#include <string_view>

namespace csp::profiles {

enum class ProfileKind { kSeccomp, kAppArmor };

// The SecurityProfile spec.type value: "Seccomp" or "AppArmor".
std::string_view ProfileKindName(ProfileKind kind);

// A profile exactly as a node gets it: the bytes of one file.
struct RenderedProfile {
  ProfileKind kind = ProfileKind::kSeccomp;
  // The file name (without ".json" for seccomp); for AppArmor also the profile name the text
  // declares, which is what pods put in appArmorProfile.localhostProfile.
  std::string name = {};
  std::string bytes = {};
};

}  // namespace csp::profiles
